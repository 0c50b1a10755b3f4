import { checkManifests, formatFindings } from '../../charts/checks';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { validObjects, withChange, without } from './fixtures/valid-objects';

// Right-sizing (issue 17, item 5): a VPA per Rollout, recommending only, aimed at
// something that exists.
const cases: BrokenCase[] = [
  {
    name: 'a Rollout without a VerticalPodAutoscaler',
    objects: () => without('verticalpodautoscaler-web.yaml'),
    check: 'policy',
    rule: 'rollout-vpa',
    file: 'rollout-web.yaml',
    message: 'Rollout shop/web: no VerticalPodAutoscaler recommends its requests',
  },
  {
    name: 'a VPA that would resize pods an HPA scales',
    objects: () => withChange('verticalpodautoscaler-web.yaml', (o) => (o.spec.updatePolicy.updateMode = 'InPlaceOrRecreate')),
    check: 'policy',
    rule: 'vpa-update-mode',
    file: 'verticalpodautoscaler-web.yaml',
    message:
      'VerticalPodAutoscaler shop/web: updateMode "InPlaceOrRecreate" would resize pods that HorizontalPodAutoscaler shop/web scales; use "Off"',
  },
  {
    name: 'a VPA without an update policy (the default evicts)',
    objects: () => withChange('verticalpodautoscaler-web.yaml', (o) => delete o.spec.updatePolicy),
    check: 'policy',
    rule: 'vpa-update-mode',
    file: 'verticalpodautoscaler-web.yaml',
    message: 'updateMode unset (Recreate)',
  },
  {
    name: 'the boolean false that YAML 1.1 makes of a bare Off',
    objects: () => withChange('verticalpodautoscaler-web.yaml', (o) => (o.spec.updatePolicy.updateMode = false)),
    check: 'policy',
    rule: 'vpa-update-mode',
    file: 'verticalpodautoscaler-web.yaml',
    message: 'updateMode false would resize pods',
  },
  {
    name: 'a VPA aimed at a Rollout that is not there',
    objects: () => withChange('verticalpodautoscaler-web.yaml', (o) => (o.spec.targetRef.name = 'wbe')),
    check: 'policy',
    rule: 'vpa-target',
    file: 'verticalpodautoscaler-web.yaml',
    message: 'targetRef Rollout wbe is not in this output',
  },
];

describe('right-sizing check', () => {
  it('accepts a recommendation-only VPA beside the HPA', () => {
    expect(formatFindings(checkManifests(validObjects(), { only: ['policy', 'schema'] }))).toBe('');
  });

  it.each(cases.map((c) => [c.name, c] as const))('fails %s', (_name, c) => {
    expectFinding(c);
  });

  it('refuses a VPA field the vendored CRD subset does not know', () => {
    const objects = withChange('verticalpodautoscaler-web.yaml', (o) => (o.spec.updatePolicy.updateMode = 'Auto'));
    expect(checkManifests(objects, { only: ['schema'] }).map((f) => f.file)).toEqual(['verticalpodautoscaler-web.yaml']);
  });
});
