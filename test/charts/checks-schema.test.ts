import { checkManifests, formatFindings, SchemaValidator } from '../../charts/checks';
import { portableRule } from '../../charts/checks/cel';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { DIGEST_IMAGE, plus, validObjects, withChange } from './fixtures/valid-objects';

const schemaCases: BrokenCase[] = [
  {
    name: 'an unknown field in a core object',
    objects: () => withChange('service-web-stable.yaml', (o) => (o.spec.selectr = { a: 'b' })),
    check: 'schema',
    rule: 'invalid',
    file: 'service-web-stable.yaml',
    message: 'Service shop/web-stable: unknown field spec.selectr',
  },
  {
    name: 'an unknown field deep in a CRD object (the Rollout pod template)',
    objects: () => withChange('rollout-web.yaml', (o) => (o.spec.template.spec.containers[0].securityContext.runAsNonroot = true)),
    check: 'schema',
    rule: 'invalid',
    file: 'rollout-web.yaml',
    message: 'unknown field spec.template.spec.containers[0].securityContext.runAsNonroot',
  },
  {
    name: 'an unknown field in the metadata of a custom resource',
    objects: () => withChange('externalsecret-web-secrets.yaml', (o) => (o.metadata.label = { a: 'b' })),
    check: 'schema',
    rule: 'invalid',
    file: 'externalsecret-web-secrets.yaml',
    message: 'unknown field metadata.label',
  },
  {
    name: 'a wrong type',
    objects: () => withChange('horizontalpodautoscaler-web.yaml', (o) => (o.spec.maxReplicas = '4')),
    check: 'schema',
    rule: 'invalid',
    file: 'horizontalpodautoscaler-web.yaml',
    message: 'spec.maxReplicas must be integer',
  },
  {
    name: 'a wrong type in a CRD',
    objects: () => withChange('rollout-web.yaml', (o) => (o.spec.strategy.canary.steps[0].setWeight = 'ten')),
    check: 'schema',
    rule: 'invalid',
    file: 'rollout-web.yaml',
    message: 'spec.strategy.canary.steps[0].setWeight must be integer',
  },
  {
    name: 'a value outside an enum',
    objects: () => withChange('externalsecret-web-secrets.yaml', (o) => (o.spec.target.creationPolicy = 'owner')),
    check: 'schema',
    rule: 'invalid',
    file: 'externalsecret-web-secrets.yaml',
    message: 'spec.target.creationPolicy must be one of "Owner", "Orphan", "Merge", "None"',
  },
  {
    name: 'a missing required field',
    objects: () => withChange('service-web-stable.yaml', (o) => delete o.spec.ports[0].port),
    check: 'schema',
    rule: 'invalid',
    file: 'service-web-stable.yaml',
    message: 'spec.ports[0].port is required',
  },
  {
    name: 'a malformed quantity',
    objects: () => withChange('job-migrate.yaml', (o) => (o.spec.template.spec.containers[0].resources.limits.memory = '512MB')),
    check: 'schema',
    rule: 'invalid',
    file: 'job-migrate.yaml',
    message: 'spec.template.spec.containers[0].resources.limits.memory must be number or must be a quantity such as 512Mi or 250m',
  },
  {
    name: 'an int-or-string that is neither',
    objects: () => withChange('service-web-stable.yaml', (o) => (o.spec.ports[0].targetPort = true)),
    check: 'schema',
    rule: 'invalid',
    file: 'service-web-stable.yaml',
    message: 'spec.ports[0].targetPort must be integer or must be string',
  },
  {
    name: "a CRD's CEL rule: a filter whose type does not match its field (HTTPRoute)",
    objects: () =>
      withChange(
        'httproute-web.yaml',
        (o) => (o.spec.rules[0].filters = [{ type: 'RequestRedirect', urlRewrite: { hostname: 'x.example.com' } }]),
      ),
    check: 'schema',
    rule: 'cel',
    file: 'httproute-web.yaml',
    message: 'spec.rules[0].filters[0]: filter.requestRedirect must be specified for RequestRedirect filter.type',
  },
  {
    name: "a CRD's CEL rule that only fires once defaults are applied (path type defaults to PathPrefix)",
    objects: () => withChange('httproute-web.yaml', (o) => (o.spec.rules[0].matches = [{ path: { value: 'learn' } }])),
    check: 'schema',
    rule: 'cel',
    file: 'httproute-web.yaml',
    message: "spec.rules[0].matches[0].path: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
  },
  {
    name: "a CRD's CEL rule across list items (two Gateway listeners with one name)",
    objects: () =>
      plus({
        file: 'gateway-public.yaml',
        object: {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'public', namespace: 'shop' },
          spec: {
            gatewayClassName: 'eg',
            listeners: [
              { name: 'http', protocol: 'HTTP', port: 80 },
              { name: 'http', protocol: 'HTTP', port: 8080 },
            ],
          },
        },
      }),
    check: 'schema',
    rule: 'cel',
    file: 'gateway-public.yaml',
    message: 'spec.listeners: Listener name must be unique within the Gateway',
  },
  {
    name: 'a kind no schema knows',
    objects: () => plus({ file: 'widget-x.yaml', object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } } }),
    check: 'schema',
    rule: 'unknown-kind',
    file: 'widget-x.yaml',
    message: 'no schema for apiVersion example.com/v1 kind Widget',
  },
  {
    name: 'a known kind at an API version that is not served',
    objects: () => withChange('externalsecret-web-secrets.yaml', (o) => (o.apiVersion = 'external-secrets.io/v1beta1')),
    check: 'schema',
    rule: 'unknown-kind',
    file: 'externalsecret-web-secrets.yaml',
    message: 'no schema for apiVersion external-secrets.io/v1beta1 kind ExternalSecret',
  },
  {
    name: 'a removed Kubernetes API version',
    objects: () => withChange('horizontalpodautoscaler-web.yaml', (o) => (o.apiVersion = 'autoscaling/v2beta2')),
    check: 'schema',
    rule: 'unknown-kind',
    file: 'horizontalpodautoscaler-web.yaml',
    message: 'no schema for apiVersion autoscaling/v2beta2 kind HorizontalPodAutoscaler',
  },
  {
    name: 'an object without a name',
    objects: () => withChange('configmap-web-config.yaml', (o) => delete o.metadata.name),
    check: 'schema',
    rule: 'no-name',
    file: 'configmap-web-config.yaml',
    message: 'metadata.name is required',
  },
  {
    name: 'a document that is not an object',
    objects: () => plus({ file: 'notes.yaml', object: ['just', 'a', 'list'] }),
    check: 'schema',
    rule: 'not-an-object',
    file: 'notes.yaml',
    message: 'not a Kubernetes object',
  },
  {
    name: 'a document without kind',
    objects: () => plus({ file: 'half.yaml', object: { apiVersion: 'v1', metadata: { name: 'half' } } }),
    check: 'schema',
    rule: 'no-kind',
    file: 'half.yaml',
    message: 'apiVersion and kind must both be strings',
  },
];

describe('strict schema check', () => {
  it('accepts the valid fixture set', () => {
    expect(formatFindings(checkManifests(validObjects(), { only: ['schema'] }))).toBe('');
  });

  it.each(schemaCases.map((c) => [c.name, c] as const))('fails %s', (_name, c) => {
    expectFinding(c);
  });

  it('accepts a quantity given as a number and an int-or-string given as either', () => {
    const objects = withChange('job-migrate.yaml', (o) => {
      o.spec.template.spec.containers[0].resources.requests.cpu = 0.5;
      o.spec.template.spec.containers[0].resources.limits.cpu = 1;
    });
    const service = withChange('service-web-stable.yaml', (o) => (o.spec.ports[0].targetPort = 3000));
    expect(formatFindings(checkManifests([...objects, ...service], { only: ['schema'] }))).toBe('');
  });

  it('leaves fields declared open (x-kubernetes-preserve-unknown-fields) open', () => {
    // The Gateway API plugin's config is free-form in the Rollout CRD.
    const objects = withChange('rollout-web.yaml', (o) => {
      o.spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'].anyFutureOption = true;
    });
    expect(formatFindings(checkManifests(objects, { only: ['schema'] }))).toBe('');
  });

  it('applies CRD defaults before the CEL rules, as the API server does', () => {
    // Without defaulting, `self.type` is missing and the path rules could not even be
    // evaluated; with it, a plain `value: /` is a PathPrefix match and passes.
    const objects = withChange('httproute-web.yaml', (o) => (o.spec.rules[0].matches = [{ path: { value: '/learn' } }]));
    expect(formatFindings(checkManifests(objects, { only: ['schema'] }))).toBe('');
    expect(portableRule('has(self.matches[0].path) && has(self.a.b)')).toBe("('path' in self.matches[0]) && has(self.a.b)");
  });

  it('names the file, the object and every problem in it', () => {
    const validator = new SchemaValidator();
    const findings = validator.checkOne({
      file: 'dist/x/deployment-d.yaml',
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'x' },
        spec: { selector: {}, replicas: 'two', template: { spec: { containers: [{ name: 'c', image: DIGEST_IMAGE, colour: 'red' }] } } },
      },
    });
    expect(findings.map((f) => `${f.file}: ${f.message}`).sort()).toEqual([
      'dist/x/deployment-d.yaml: Deployment x/d: spec.replicas must be integer',
      'dist/x/deployment-d.yaml: Deployment x/d: unknown field spec.template.spec.containers[0].colour',
    ]);
  });
});
