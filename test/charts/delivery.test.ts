import { ANALYSIS_TEMPLATE_NAMES } from '../../charts/constructs/analysis';
import { Delivery, type DeliveryTarget } from '../../charts/constructs/delivery';

const analysis = {
  smokeTemplateName: ANALYSIS_TEMPLATE_NAMES.smoke,
  successRateTemplateName: ANALYSIS_TEMPLATE_NAMES.successRate,
  latencyTemplateName: ANALYSIS_TEMPLATE_NAMES.latency,
};
const target: DeliveryTarget = { role: 'api' as const, namespace: 'shop', port: 8000, analysis, routeNames: ['api', 'api-internal'] };

describe('Delivery', () => {
  it('refuses a canary without steps, naming the field', () => {
    expect(() => Delivery.canary({ steps: [] })).toThrow("Delivery.canary: 'steps' must hold at least one step");
  });

  it('names the traffic Services after the delivery kind', () => {
    expect(Delivery.canary({ steps: [{ weight: 10, pause: '5m' }] }).services('api')).toEqual({
      stable: { name: 'api-stable', purpose: 'stable' },
      preview: { name: 'api-canary', purpose: 'canary' },
    });
    expect(Delivery.blueGreen().services('web')).toEqual({
      stable: { name: 'web-active', purpose: 'active' },
      preview: { name: 'web-preview', purpose: 'preview' },
    });
  });

  it('smoke tests a canary before any user traffic and starts background analysis with the first weight', () => {
    const { canary } = Delivery.canary({
      steps: [
        { weight: 10, pause: '5m' },
        { weight: 50, pause: '5m' },
      ],
    }).strategy(target);
    const steps = canary!.steps!;
    expect(steps[0]).toEqual({ setCanaryScale: { weight: 10 } });
    expect(steps[1].analysis?.args?.[0].value).toBe('http://api-canary.shop.svc.cluster.local:8000');
    expect(steps[canary!.analysis!.startingStep!]).toEqual({ setWeight: 10 });
    expect(canary!.trafficRouting!.plugins['argoproj-labs/gatewayAPI'].httpRoutes).toEqual([{ name: 'api' }, { name: 'api-internal' }]);
  });

  it('keeps both canary Services in every route, blue-green only the active one', () => {
    expect(Delivery.canary({ steps: [{ weight: 10, pause: '5m' }] }).routeBackends('api', 8000)).toEqual([
      { serviceName: 'api-stable', port: 8000, weight: 100 },
      { serviceName: 'api-canary', port: 8000, weight: 0 },
    ]);
    expect(Delivery.blueGreen().routeBackends('api', 8000)).toEqual([{ serviceName: 'api-active', port: 8000 }]);
  });

  it('promotes blue-green after the preview smoke test, keeping the old version 30 s by default', () => {
    const { blueGreen } = Delivery.blueGreen().strategy(target);
    expect(blueGreen).toMatchObject({
      activeService: 'api-active',
      previewService: 'api-preview',
      autoPromotionEnabled: true,
      scaleDownDelaySeconds: 30,
    });
    expect(blueGreen!.autoPromotionSeconds).toBeUndefined();
  });

  it('builds the delivery an environment file asks for', () => {
    expect(Delivery.of({ kind: 'blueGreen', scaleDownDelaySeconds: 60 }).kind).toBe('blueGreen');
    expect(Delivery.of({ kind: 'canary', steps: [{ weight: 10, pause: '1m' }] }).kind).toBe('canary');
  });
});
