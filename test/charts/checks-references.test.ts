import { checkManifests, formatFindings } from '../../charts/checks';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { validObjects, withChange, without } from './fixtures/valid-objects';

const webContainer = (o: any) => o.spec.template.spec.containers[0];

const referenceCases: BrokenCase[] = [
  {
    name: 'a Service selector that matches nothing',
    objects: () => withChange('service-web-canary.yaml', (o) => (o.spec.selector['app.kubernetes.io/component'] = 'wbe')),
    check: 'reference',
    rule: 'service-selector',
    file: 'service-web-canary.yaml',
    message: 'Service shop/web-canary: selector {app.kubernetes.io/name=course-companion, app.kubernetes.io/component=wbe} matches no',
  },
  {
    name: 'a Service without a selector',
    objects: () => withChange('service-web-canary.yaml', (o) => delete o.spec.selector),
    check: 'reference',
    rule: 'service-selector',
    file: 'service-web-canary.yaml',
    message: 'has no selector',
  },
  {
    name: 'a Service targetPort that no container names',
    objects: () => withChange('service-web-stable.yaml', (o) => (o.spec.ports[0].targetPort = 'htp')),
    check: 'reference',
    rule: 'service-port',
    file: 'service-web-stable.yaml',
    message: 'targetPort "htp" is not a container port name',
  },
  {
    name: 'a missing stable Service',
    objects: () => without('service-web-stable.yaml'),
    check: 'reference',
    rule: 'rollout-service',
    file: 'rollout-web.yaml',
    message: 'Rollout shop/web: strategy.canary.stableService names Service "web-stable", which does not exist',
  },
  {
    name: 'a missing preview Service (blue-green)',
    objects: () =>
      withChange('rollout-web.yaml', (o) => {
        o.spec.strategy = { blueGreen: { activeService: 'web-stable', previewService: 'web-preview' } };
      }),
    check: 'reference',
    rule: 'rollout-service',
    file: 'rollout-web.yaml',
    message: 'strategy.blueGreen.previewService names Service "web-preview"',
  },
  {
    name: 'a missing analysis template',
    objects: () => without('analysistemplate-smoke.yaml'),
    check: 'reference',
    rule: 'rollout-analysis',
    file: 'rollout-web.yaml',
    message: 'strategy.canary.analysis.templates[0] names AnalysisTemplate "smoke", which does not exist',
  },
  {
    name: 'a missing analysis template in a step',
    objects: () =>
      withChange('rollout-web.yaml', (o) =>
        o.spec.strategy.canary.steps.push({ analysis: { templates: [{ templateName: 'error-rate' }] } }),
      ),
    check: 'reference',
    rule: 'rollout-analysis',
    file: 'rollout-web.yaml',
    message: 'strategy.canary.steps[7].analysis.templates[0] names AnalysisTemplate "error-rate"',
  },
  {
    name: 'a missing pre-promotion analysis template (blue-green)',
    objects: () =>
      withChange('rollout-web.yaml', (o) => {
        o.spec.strategy = {
          blueGreen: {
            activeService: 'web-stable',
            previewService: 'web-canary',
            prePromotionAnalysis: { templates: [{ templateName: 'smoke-preview' }] },
          },
        };
      }),
    check: 'reference',
    rule: 'rollout-analysis',
    file: 'rollout-web.yaml',
    message: 'strategy.blueGreen.prePromotionAnalysis.templates[0] names AnalysisTemplate "smoke-preview"',
  },
  {
    name: 'an analysis argument the Rollout does not pass',
    objects: () => withChange('rollout-web.yaml', (o) => (o.spec.strategy.canary.analysis.args = [])),
    check: 'reference',
    rule: 'rollout-analysis',
    file: 'rollout-web.yaml',
    message: 'strategy.canary.analysis does not pass argument "service" that AnalysisTemplate shop/smoke requires',
  },
  {
    name: 'a traffic-router HTTPRoute that does not exist',
    objects: () => without('httproute-web.yaml'),
    check: 'reference',
    rule: 'rollout-traffic-route',
    file: 'rollout-web.yaml',
    message: 'traffic router names HTTPRoute "web", which does not exist',
  },
  {
    name: 'a Rollout selector that misses its own pods',
    objects: () => withChange('rollout-web.yaml', (o) => (o.spec.selector.matchLabels['app.kubernetes.io/component'] = 'api')),
    check: 'reference',
    rule: 'rollout-selector',
    file: 'rollout-web.yaml',
    message: 'spec.selector does not select its own pod template labels',
  },
  {
    name: 'an HPA pointing at nothing',
    objects: () => withChange('horizontalpodautoscaler-web.yaml', (o) => (o.spec.scaleTargetRef.name = 'wbe')),
    check: 'reference',
    rule: 'hpa-target',
    file: 'horizontalpodautoscaler-web.yaml',
    message: 'HorizontalPodAutoscaler shop/web: scaleTargetRef argoproj.io/v1alpha1/Rollout "wbe" does not exist',
  },
  {
    name: 'an HPA pointing at a Deployment of the same name that does not exist',
    objects: () =>
      withChange(
        'horizontalpodautoscaler-web.yaml',
        (o) => (o.spec.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }),
      ),
    check: 'reference',
    rule: 'hpa-target',
    file: 'horizontalpodautoscaler-web.yaml',
    message: 'scaleTargetRef apps/v1/Deployment "web" does not exist',
  },
  {
    name: 'a PDB selecting no pods',
    objects: () => withChange('poddisruptionbudget-web.yaml', (o) => (o.spec.selector = { matchLabels: { app: 'nothing' } })),
    check: 'reference',
    rule: 'pdb-selector',
    file: 'poddisruptionbudget-web.yaml',
    message: 'PodDisruptionBudget shop/web: selector matches no',
  },
  {
    name: 'a secret key no ExternalSecret produces',
    objects: () =>
      withChange('rollout-web.yaml', (o) =>
        webContainer(o).env.push({ name: 'SENTRY_DSN', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'SENTRY_DSN' } } }),
      ),
    check: 'reference',
    rule: 'secret-ref',
    file: 'rollout-web.yaml',
    message:
      'container "web" env SENTRY_DSN reads key "SENTRY_DSN" of Secret "web-secrets", which its ExternalSecret does not produce (it produces SESSION_SECRET)',
  },
  {
    name: 'a secret no ExternalSecret produces',
    objects: () => without('externalsecret-web-secrets.yaml'),
    check: 'reference',
    rule: 'secret-ref',
    file: 'rollout-web.yaml',
    message: 'env SESSION_SECRET reads Secret "web-secrets", which no ExternalSecret produces',
  },
  {
    name: 'envFrom a secret no ExternalSecret produces',
    objects: () =>
      withChange('job-migrate.yaml', (o) => o.spec.template.spec.containers[0].envFrom.push({ secretRef: { name: 'api-secrets' } })),
    check: 'reference',
    rule: 'secret-ref',
    file: 'job-migrate.yaml',
    message: 'Job shop/migrate spec.template: container "job" envFrom reads Secret "api-secrets"',
  },
  {
    name: 'a secret volume no ExternalSecret produces',
    objects: () =>
      withChange(
        'cronjob-backup.yaml',
        (o) => (o.spec.jobTemplate.spec.template.spec.volumes = [{ name: 'keys', secret: { secretName: 'backup-secrets' } }]),
      ),
    check: 'reference',
    rule: 'secret-ref',
    file: 'cronjob-backup.yaml',
    message: 'volume "keys" reads Secret "backup-secrets", which no ExternalSecret produces',
  },
  {
    name: 'a key an ExternalSecret template drops',
    objects: () =>
      withChange('externalsecret-web-secrets.yaml', (o) => {
        o.spec.target.template = { data: { SESSION_KEY: '{{ .SESSION_SECRET }}' } };
      }),
    check: 'reference',
    rule: 'secret-ref',
    file: 'rollout-web.yaml',
    message: 'reads key "SESSION_SECRET" of Secret "web-secrets", which its ExternalSecret does not produce (it produces SESSION_KEY)',
  },
  {
    name: 'a missing ConfigMap',
    objects: () => without('configmap-web-config.yaml'),
    check: 'reference',
    rule: 'configmap-ref',
    file: 'rollout-web.yaml',
    message: 'container "web" envFrom reads ConfigMap "web-config", which does not exist',
  },
  {
    name: 'a ConfigMap key that does not exist',
    objects: () =>
      withChange('rollout-web.yaml', (o) =>
        webContainer(o).env.push({ name: 'X', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'NOPE' } } }),
      ),
    check: 'reference',
    rule: 'configmap-ref',
    file: 'rollout-web.yaml',
    message: 'reads key "NOPE" of ConfigMap "web-config", which it does not have',
  },
  {
    name: 'an HTTPRoute backend Service that does not exist',
    objects: () => withChange('httproute-web.yaml', (o) => (o.spec.rules[0].backendRefs[1].name = 'web-canry')),
    check: 'reference',
    rule: 'httproute-backend',
    file: 'httproute-web.yaml',
    message: 'HTTPRoute shop/web: spec.rules[0].backendRefs[1] names Service "web-canry", which does not exist',
  },
  {
    name: 'an HTTPRoute backend port the Service does not have',
    objects: () => withChange('httproute-web.yaml', (o) => (o.spec.rules[0].backendRefs[0].port = 8000)),
    check: 'reference',
    rule: 'httproute-backend',
    file: 'httproute-web.yaml',
    message: 'Service "web-stable" has no port 8000',
  },
  {
    name: 'a ServiceAccount that does not exist',
    objects: () => without('serviceaccount-web.yaml'),
    check: 'reference',
    rule: 'service-account',
    file: 'rollout-web.yaml',
    message: 'uses ServiceAccount "web", which does not exist in its namespace',
  },
  {
    name: 'a ServiceMonitor selecting no Service',
    objects: () =>
      withChange('servicemonitor-web.yaml', (o) => (o.spec.selector.matchLabels = { 'app.kubernetes.io/component': 'worker' })),
    check: 'reference',
    rule: 'servicemonitor-target',
    file: 'servicemonitor-web.yaml',
    message: 'selector matches no Service',
  },
  {
    name: 'a ServiceMonitor scraping a port name no Service has',
    objects: () => withChange('servicemonitor-web.yaml', (o) => (o.spec.endpoints[0].port = 'metric')),
    check: 'reference',
    rule: 'servicemonitor-target',
    file: 'servicemonitor-web.yaml',
    message: 'endpoint port "metric" is not a port name',
  },
];

describe('reference check', () => {
  it('accepts the valid fixture set', () => {
    expect(formatFindings(checkManifests(validObjects(), { only: ['reference'] }))).toBe('');
  });

  it.each(referenceCases.map((c) => [c.name, c] as const))('fails %s', (_name, c) => {
    expectFinding(c);
  });

  it('accepts any key from an ExternalSecret that pulls a whole remote secret (dataFrom)', () => {
    const objects = withChange('externalsecret-web-secrets.yaml', (o) => {
      delete o.spec.data;
      o.spec.dataFrom = [{ extract: { key: 'course-companion/web' } }];
    });
    expect(formatFindings(checkManifests(objects, { only: ['reference'] }))).toBe('');
  });

  it('resolves names only within the same namespace', () => {
    const objects = withChange('serviceaccount-web.yaml', (o) => (o.metadata.namespace = 'elsewhere'));
    expect(checkManifests(objects, { only: ['reference'] }).map((f) => f.rule)).toContain('service-account');
  });
});
