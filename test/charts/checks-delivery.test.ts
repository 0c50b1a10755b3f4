/**
 * The delivery rules (charts/checks/delivery.ts) and the TLS rule (charts/checks/tls.ts)
 * on small fixtures: each rule fires on the broken case and stays quiet on the fixed one.
 */
import { checkManifests, formatFindings, type ManifestObject } from '../../charts/checks';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { NAMESPACE, validObjects, withChange } from './fixtures/valid-objects';

const ROLLOUT = 'rollout-web.yaml';
const change = (file: string, fn: (o: any) => void) => (objects: ManifestObject[]) => {
  const target = objects.find((m) => m.file === file);
  if (target === undefined) throw new Error(`no ${file}`);
  fn(target.object);
  return objects;
};
const setSteps = (steps: unknown[], startingStep?: number) =>
  withChange(ROLLOUT, (o) => {
    o.spec.strategy.canary.steps = steps;
    if (startingStep === undefined) delete o.spec.strategy.canary.analysis.startingStep;
    else o.spec.strategy.canary.analysis.startingStep = startingStep;
  });
const smokeOf = (value: string) => ({ analysis: { templates: [{ templateName: 'smoke' }], args: [{ name: 'service', value }] } });

/** An internal gateway whose proxy Service is `shop-internal`, with an HTTPRoute to web. */
function withInternalGateway(listRoute: boolean, apiUrl: string): ManifestObject[] {
  const objects = validObjects();
  objects.push(
    {
      file: 'envoyproxy-internal.yaml',
      object: {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'EnvoyProxy',
        metadata: { name: 'internal', namespace: NAMESPACE },
        spec: { provider: { type: 'Kubernetes', kubernetes: { envoyService: { name: 'shop-internal', type: 'ClusterIP' } } } },
      },
    },
    {
      file: 'gateway-internal.yaml',
      object: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'internal', namespace: NAMESPACE },
        spec: {
          gatewayClassName: 'eg',
          infrastructure: { parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'internal' } },
          listeners: [{ name: 'http-web', protocol: 'HTTP', port: 3000 }],
        },
      },
    },
    {
      file: 'httproute-web-internal.yaml',
      object: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'web-internal', namespace: NAMESPACE },
        spec: {
          parentRefs: [{ name: 'internal', sectionName: 'http-web' }],
          rules: [
            {
              backendRefs: [
                { name: 'web-stable', port: 3000, weight: 100 },
                { name: 'web-canary', port: 3000, weight: 0 },
              ],
            },
          ],
        },
      },
    },
  );
  change('configmap-web-config.yaml', (o) => (o.data.API_URL = apiUrl))(objects);
  if (listRoute) {
    change(ROLLOUT, (o) => {
      o.spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'] = {
        httpRoutes: [{ name: 'web' }, { name: 'web-internal' }],
        namespace: NAMESPACE,
      };
    })(objects);
  }
  return objects;
}

const deliveryCases: BrokenCase[] = [
  {
    name: 'an in-cluster caller of the stable Service (the old API_URL → api-stable)',
    objects: () => withChange('configmap-web-config.yaml', (o) => (o.data.API_URL = 'http://web-stable:3000')),
    check: 'delivery',
    rule: 'canary-caller-route',
    file: 'configmap-web-config.yaml',
    message:
      'ConfigMap shop/web-config API_URL = http://web-stable:3000 calls Service web-stable directly, bypassing the traffic routing of Rollout shop/web',
  },
  {
    name: 'an in-cluster caller of the canary Service by its cluster DNS name, in a container env',
    objects: () =>
      withChange('job-migrate.yaml', (o) => {
        o.spec.template.spec.containers[0].env = [{ name: 'TARGET', value: `http://web-canary.${NAMESPACE}.svc.cluster.local:3000/x` }];
      }),
    check: 'delivery',
    rule: 'canary-caller-route',
    file: 'job-migrate.yaml',
    message: 'container "job" env TARGET = http://web-canary.shop.svc.cluster.local:3000/x calls Service web-canary directly',
  },
  {
    name: 'a caller through a gateway route the Rollout does not list',
    objects: () => withInternalGateway(false, 'http://shop-internal.envoy-gateway-system.svc.cluster.local:3000'),
    check: 'delivery',
    rule: 'canary-caller-route',
    file: 'configmap-web-config.yaml',
    message: 'reaches Rollout shop/web through HTTPRoute shop/web-internal, which its argoproj-labs/gatewayAPI plugin config does not list',
  },
  {
    name: 'a managed route without the canary backend',
    objects: () => withChange('httproute-web.yaml', (o) => (o.spec.rules[0].backendRefs = [{ name: 'web-stable', port: 3000 }])),
    check: 'delivery',
    rule: 'canary-route-backends',
    file: 'httproute-web.yaml',
    message: 'HTTPRoute shop/web is managed by Rollout shop/web but has no backendRef to Service "web-canary"',
  },
  {
    name: 'user traffic before any smoke test (the old production steps)',
    objects: () =>
      setSteps(
        [
          { setWeight: 10 },
          { pause: { duration: '10m' } },
          { setWeight: 50 },
          { pause: { duration: '10m' } },
          { setWeight: 100 },
          smokeOf('web-canary'),
        ],
        0,
      ),
    check: 'delivery',
    rule: 'smoke-before-traffic',
    file: ROLLOUT,
    message:
      'Rollout shop/web: steps[0] (setWeight 10) gives the canary user traffic before any smoke analysis step has tested canary pods',
  },
  {
    name: 'a smoke test before traffic but with no canary pods (no setCanaryScale)',
    objects: () => setSteps([smokeOf('web-canary'), { setWeight: 10 }, { pause: { duration: '10m' } }], 1),
    check: 'delivery',
    rule: 'smoke-before-traffic',
    file: ROLLOUT,
    message: 'steps[1] (setWeight 10) gives the canary user traffic',
  },
  {
    name: 'a smoke test of the stable Service, not the canary',
    objects: () =>
      setSteps(
        [{ setCanaryScale: { replicas: 1 } }, smokeOf('web-stable'), { setCanaryScale: { matchTrafficWeight: true } }, { setWeight: 10 }],
        3,
      ),
    check: 'delivery',
    rule: 'smoke-before-traffic',
    file: ROLLOUT,
    message: 'steps[3] (setWeight 10)',
  },
  {
    name: 'no setWeight at all',
    objects: () => setSteps([]),
    check: 'delivery',
    rule: 'smoke-before-traffic',
    file: ROLLOUT,
    message: 'has no setWeight step',
  },
  {
    name: 'a setWeight above the setCanaryScale pin',
    objects: () =>
      setSteps(
        [{ setCanaryScale: { weight: 10 } }, smokeOf('web-canary'), { setWeight: 10 }, { pause: { duration: '10m' } }, { setWeight: 50 }],
        2,
      ),
    check: 'delivery',
    rule: 'canary-scale-reset',
    file: ROLLOUT,
    message: 'steps[4] sets weight 50 while setCanaryScale still pins the canary to 10% of the replicas',
  },
  {
    name: 'a setWeight while the canary is pinned to a replica count',
    objects: () => setSteps([{ setCanaryScale: { replicas: 1 } }, smokeOf('web-canary'), { setWeight: 10 }], 2),
    check: 'delivery',
    rule: 'canary-scale-reset',
    file: ROLLOUT,
    message: 'steps[2] sets weight 10 while setCanaryScale still pins the canary to 1 replica(s)',
  },
  {
    name: 'background analysis that starts before any traffic',
    objects: () => withChange(ROLLOUT, (o) => (o.spec.strategy.canary.analysis.startingStep = 0)),
    check: 'delivery',
    rule: 'background-analysis-start',
    file: ROLLOUT,
    message:
      'background analysis starts at step 0, but the canary first gets user traffic at steps[2]: before it, the queries see no canary requests',
  },
  {
    name: 'background analysis that starts after the first traffic step',
    objects: () => withChange(ROLLOUT, (o) => (o.spec.strategy.canary.analysis.startingStep = 5)),
    check: 'delivery',
    rule: 'background-analysis-start',
    file: ROLLOUT,
    message: 'the steps before its start run with users on the canary and no analysis',
  },
];

describe('delivery check', () => {
  it('passes the valid fixture', () => {
    expect(formatFindings(checkManifests(validObjects(), { only: ['delivery'] }))).toBe('');
  });

  it.each(deliveryCases.map((c) => [c.name, c] as const))('finds %s', (_name, c) => {
    expectFinding(c);
  });

  it('accepts a caller that goes through a route the Rollout lists', () => {
    const objects = withInternalGateway(true, 'http://shop-internal.envoy-gateway-system.svc.cluster.local:3000');
    expect(formatFindings(checkManifests(objects, { only: ['delivery', 'reference'] }))).toBe('');
  });

  it('ignores public URLs and Services of roles without a canary', () => {
    const objects = withChange('configmap-web-config.yaml', (o) => {
      o.data.PUBLIC_API_URL = 'https://api.example.com';
      o.data.OTHER = 'http://web-stable:3000';
    });
    change(ROLLOUT, (o) => {
      o.spec.strategy = { blueGreen: { activeService: 'web-stable', previewService: 'web-canary' } };
    })(objects);
    expect(formatFindings(checkManifests(objects, { only: ['delivery'] }))).toBe('');
  });
});

// --- TLS -------------------------------------------------------------------------------

const gateway = (listeners: object[]): ManifestObject => ({
  file: 'gateway-public.yaml',
  object: {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'public', namespace: NAMESPACE },
    spec: { gatewayClassName: 'eg', listeners },
  },
});
const httpsListener = {
  name: 'https-web',
  protocol: 'HTTPS',
  port: 443,
  hostname: 'learn.example.com',
  tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'public-tls' }] },
};
const policy = (name: string, tls: object, sectionName?: string): ManifestObject => ({
  file: `clienttrafficpolicy-${name}.yaml`,
  object: {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'ClientTrafficPolicy',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', ...(sectionName ? { sectionName } : {}) }],
      tls,
    },
  },
});
const withTls =
  (...extra: ManifestObject[]) =>
  () => [...validObjects(), gateway([{ name: 'http', protocol: 'HTTP', port: 80 }, httpsListener]), ...extra];

const tlsCases: BrokenCase[] = [
  {
    name: 'an HTTPS listener with no ClientTrafficPolicy (the old output)',
    objects: withTls(),
    check: 'policy',
    rule: 'tls-min-version',
    file: 'gateway-public.yaml',
    message: 'Gateway shop/public listener "https-web" (HTTPS) has no ClientTrafficPolicy',
  },
  {
    name: 'a policy that allows TLS 1.1',
    objects: withTls(policy('tls', { minVersion: '1.1', maxVersion: '1.3' })),
    check: 'policy',
    rule: 'tls-min-version',
    file: 'clienttrafficpolicy-tls.yaml',
    message: 'tls.minVersion "1.1"; expected "1.2" or "1.3"',
  },
  {
    name: 'a policy that leaves the minimum to the proxy default',
    objects: withTls(policy('tls', { maxVersion: '1.3' })),
    check: 'policy',
    rule: 'tls-min-version',
    file: 'clienttrafficpolicy-tls.yaml',
    message: 'tls.minVersion null',
  },
  {
    name: 'a listener-level policy that overrides a good Gateway-wide one',
    objects: withTls(policy('tls', { minVersion: '1.2' }), policy('legacy', { minVersion: '1.0' }, 'https-web')),
    check: 'policy',
    rule: 'tls-min-version',
    file: 'clienttrafficpolicy-legacy.yaml',
    message: 'ClientTrafficPolicy shop/legacy covers',
  },
  {
    name: 'two Gateway-wide policies (only the oldest applies)',
    objects: withTls(policy('a', { minVersion: '1.2' }), policy('b', { minVersion: '1.3' })),
    check: 'policy',
    rule: 'tls-min-version',
    file: 'gateway-public.yaml',
    message: 'Envoy Gateway applies only the oldest',
  },
];

describe('internal gateway exposure', () => {
  it('finds a plain-HTTP Gateway whose proxy would get a LoadBalancer', () => {
    const objects = withInternalGateway(true, 'http://shop-internal.envoy-gateway-system.svc.cluster.local:3000');
    change('envoyproxy-internal.yaml', (o) => (o.spec.provider.kubernetes.envoyService.type = 'LoadBalancer'))(objects);
    expectFinding({
      name: 'exposed',
      objects: () => objects,
      check: 'policy',
      rule: 'internal-gateway-exposed',
      file: 'gateway-internal.yaml',
      message: 'Gateway shop/internal has only plain-HTTP listeners but its proxy Service would be LoadBalancer (EnvoyProxy shop/internal)',
    });
  });

  it('finds a plain-HTTP Gateway without an EnvoyProxy', () => {
    const objects = withInternalGateway(true, 'http://x');
    change('gateway-internal.yaml', (o) => delete o.spec.infrastructure)(objects);
    expectFinding({
      name: 'no proxy',
      objects: () => objects,
      check: 'policy',
      rule: 'internal-gateway-exposed',
      file: 'gateway-internal.yaml',
      message: 'would be LoadBalancer (no EnvoyProxy in spec.infrastructure.parametersRef)',
    });
  });

  it('accepts a ClusterIP internal gateway', () => {
    const objects = withInternalGateway(true, 'http://x');
    expect(formatFindings(checkManifests(objects, { only: ['policy'] }))).toBe('');
  });
});

describe('TLS version check', () => {
  it.each(tlsCases.map((c) => [c.name, c] as const))('finds %s', (_name, c) => {
    expectFinding(c);
  });

  it('accepts a Gateway-wide policy with TLS 1.2-1.3, which also passes the strict schema', () => {
    const objects = withTls(policy('tls', { minVersion: '1.2', maxVersion: '1.3', ciphers: ['ECDHE-ECDSA-AES128-GCM-SHA256'] }))();
    expect(formatFindings(checkManifests(objects, { only: ['policy', 'schema'] }))).toBe('');
  });

  it('validates ClientTrafficPolicy and EnvoyProxy strictly', () => {
    const objects = [
      policy('tls', { minVersion: '1.2', maxVerison: '1.3' }),
      {
        file: 'envoyproxy-internal.yaml',
        object: {
          apiVersion: 'gateway.envoyproxy.io/v1alpha1',
          kind: 'EnvoyProxy',
          metadata: { name: 'internal', namespace: NAMESPACE },
          spec: { provider: { type: 'Kubernetes', kubernetes: { envoyService: { name: 'x', type: 'Internal' } } } },
        },
      },
    ];
    const messages = formatFindings(checkManifests(objects, { only: ['schema'] }));
    expect(messages).toContain(
      '[schema/invalid] clienttrafficpolicy-tls.yaml: ClientTrafficPolicy shop/tls: unknown field spec.tls.maxVerison',
    );
    expect(messages).toContain(
      'envoyproxy-internal.yaml: EnvoyProxy shop/internal: spec.provider.kubernetes.envoyService.type must be one of "ClusterIP", "LoadBalancer", "NodePort"',
    );
  });
});
