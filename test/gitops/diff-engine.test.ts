import { diffObjectSets, isEmptyReport, type FlagKind } from '../../scripts/lib/diff';
import { diffFields } from '../../scripts/lib/fields';
import { renderMarkdown } from '../../scripts/lib/render';
import { analysisTemplate, configMap, DIGEST_B, hpa, networkPolicy, podSpec, rollout, secureContainer, setOf } from './fixtures';
import type { K8sObject } from '../../charts/manifest';

const flagsOf = (before: K8sObject[], after: K8sObject[]) => diffObjectSets(setOf(...before), setOf(...after)).flags;
const kindsOf = (before: K8sObject[], after: K8sObject[]): FlagKind[] => [...new Set(flagsOf(before, after).map((flag) => flag.kind))];

describe('field diff', () => {
  it('matches named list items by name, so inserting a container is one addition', () => {
    const before = { containers: [{ name: 'api', image: 'a' }] };
    const after = {
      containers: [
        { name: 'sidecar', image: 's' },
        { name: 'api', image: 'a' },
      ],
    };
    expect(diffFields(before, after)).toEqual([{ path: 'containers[name=sidecar]', after: { name: 'sidecar', image: 's' } }]);
  });

  it('matches resource allow-list items by group and kind, so a new kind is one addition', () => {
    const before = {
      kinds: [
        { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
        { group: 'batch', kind: 'CronJob' },
      ],
    };
    const after = { kinds: [before.kinds[0], { group: 'autoscaling.k8s.io', kind: 'VerticalPodAutoscaler' }, before.kinds[1]] };
    expect(diffFields(before, after)).toEqual([
      {
        path: 'kinds[kind=autoscaling.k8s.io/VerticalPodAutoscaler]',
        after: { group: 'autoscaling.k8s.io', kind: 'VerticalPodAutoscaler' },
      },
    ]);
  });

  it('quotes keys that are not identifiers and compares unnamed lists by position', () => {
    const before = { metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '1' } }, steps: [{ setWeight: 10 }] };
    const after = { metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '2' } }, steps: [{ setWeight: 20 }] };
    expect(diffFields(before, after)).toEqual([
      { path: 'metadata.annotations["argocd.argoproj.io/sync-wave"]', before: '1', after: '2' },
      { path: 'steps[0].setWeight', before: 10, after: 20 },
    ]);
  });
});

describe('object-by-object diff', () => {
  it('reports nothing for identical sets', () => {
    const report = diffObjectSets(setOf(rollout(), hpa()), setOf(rollout(), hpa()));
    expect(isEmptyReport(report)).toBe(true);
    expect(report.unchanged).toBe(2);
    expect(report.flags).toEqual([]);
  });

  it('lists added, removed and changed objects with the old and new value of each field', () => {
    const report = diffObjectSets(setOf(configMap(), hpa()), setOf(configMap({ LOG_LEVEL: 'debug' }), networkPolicy()));
    expect(report.added.map((change) => change.object)).toEqual(['NetworkPolicy course-companion-production/api']);
    expect(report.removed.map((change) => change.file)).toEqual(['dist/production/horizontalpodautoscaler-api.yaml']);
    expect(report.changed).toHaveLength(1);
    expect(report.changed[0].fields).toEqual([{ path: 'data.LOG_LEVEL', before: 'info', after: 'debug' }]);
  });

  it('raises no flag for a change that needs no special attention', () => {
    expect(flagsOf([configMap()], [configMap({ LOG_LEVEL: 'debug' })])).toEqual([]);
  });
});

describe('flags', () => {
  it('flags an image change with both references', () => {
    const after = rollout({
      podSpec: podSpec({ containers: [secureContainer({ image: `ghcr.io/course-companion/course-companion@${DIGEST_B}` })] }),
    });
    const flags = flagsOf([rollout()], [after]);
    expect(flags.map((flag) => flag.kind)).toEqual(['image']);
    expect(flags[0].detail).toContain(DIGEST_B);
    expect(flags[0].detail).toContain('containers[name=api]');
  });

  it('flags autoscaling bounds and replica counts', () => {
    expect(kindsOf([hpa(2, 8)], [hpa(1, 8)])).toEqual(['replicas']);
    const pinned = rollout();
    (pinned.spec as Record<string, unknown>).replicas = 3;
    expect(kindsOf([rollout()], [pinned])).toEqual(['replicas']);
  });

  it('flags resource requests and limits', () => {
    const after = rollout({
      podSpec: podSpec({
        containers: [secureContainer({ resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } } })],
      }),
    });
    const flags = flagsOf([rollout()], [after]);
    expect(flags.map((flag) => flag.kind)).toEqual(['resources']);
    expect(flags[0].detail).toContain('limits.memory: "1Gi" → "2Gi"');
  });

  it('flags a VPA that would start resizing pods, with before and after', () => {
    const vpa = (updateMode: string): K8sObject => ({
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata: { name: 'api', namespace: 'course-companion-production' },
      spec: { targetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' }, updatePolicy: { updateMode } },
    });
    const flags = flagsOf([vpa('Off')], [vpa('Recreate')]);
    expect(flags.map((flag) => [flag.kind, flag.detail])).toEqual([['resources', 'spec.updatePolicy.updateMode: "Off" → "Recreate"']]);
  });

  it('flags canary steps separately from analysis', () => {
    const faster = rollout({
      strategy: {
        canary: {
          steps: [{ setWeight: 50 }, { pause: { duration: '1m' } }],
          analysis: { templates: [{ templateName: 'api-success-rate' }], startingStep: 0 },
        },
      },
    });
    expect(kindsOf([rollout()], [faster])).toEqual(['rollout-steps']);
    const noAnalysis = rollout({
      strategy: {
        canary: { steps: [{ setWeight: 10 }, { pause: { duration: '10m' } }, { setWeight: 50 }, { pause: { duration: '10m' } }] },
      },
    });
    expect(kindsOf([rollout()], [noAnalysis])).toEqual(['analysis']);
  });

  it('flags a loosened analysis threshold', () => {
    const flags = flagsOf([analysisTemplate()], [analysisTemplate('result[0] >= 0.9')]);
    expect(flags.map((flag) => flag.kind)).toEqual(['analysis']);
    expect(flags[0].detail).toContain('spec.metrics[name=success-rate].successCondition');
  });

  it('treats an image inside an analysis Job as an image change, not a threshold change', () => {
    const withJob = (image: string): K8sObject => ({
      ...analysisTemplate(),
      spec: {
        metrics: [
          {
            name: 'smoke',
            provider: { job: { spec: { template: { spec: podSpec({ containers: [secureContainer({ name: 'smoke', image })] }) } } } },
          },
        ],
      },
    });
    const flags = flagsOf([withJob('a')], [withJob('b')]);
    expect(flags.map((flag) => flag.kind)).toEqual(['image']);
    expect(flags[0].detail).toContain('spec.metrics[name=smoke].provider.job.spec.template.spec.containers[name=smoke]');
  });

  it.each([
    ['readOnlyRootFilesystem', { readOnlyRootFilesystem: false }, 'must set securityContext.readOnlyRootFilesystem: true'],
    ['allowPrivilegeEscalation', { allowPrivilegeEscalation: true }, 'must set securityContext.allowPrivilegeEscalation: false'],
    ['privileged', { privileged: true }, 'must not be privileged'],
    ['capabilities', { capabilities: { drop: ['NET_RAW'], add: ['NET_ADMIN'] } }, 'must not add capabilities (adds NET_ADMIN)'],
    ['runAsUser 0', { runAsUser: 0 }, 'runs as root (runAsUser: 0)'],
    ['runAsNonRoot', { runAsNonRoot: false }, 'must set securityContext.runAsNonRoot: true'],
    ['seccomp', { seccompProfile: { type: 'Unconfined' } }, 'found Unconfined'],
    ['seccomp Localhost', { seccompProfile: { type: 'Localhost', localhostProfile: 'app.json' } }, 'found Localhost'],
  ])('flags a weakened security context: %s', (_name, override, finding) => {
    const weaker = rollout({
      podSpec: podSpec({
        containers: [secureContainer({ securityContext: { ...(secureContainer().securityContext as object), ...override } })],
      }),
    });
    expect(kindsOf([rollout()], [weaker])).toEqual(['security-context']);
    expect(
      flagsOf([rollout()], [weaker])
        .map((flag) => flag.detail)
        .join('\n'),
    ).toContain(finding);
  });

  it('flags pod-level weakening: host namespaces and a mounted service account token', () => {
    const weaker = rollout({ podSpec: podSpec({ hostNetwork: true, automountServiceAccountToken: true }) });
    const details = flagsOf([rollout()], [weaker]).map((flag) => flag.detail);
    expect(details).toEqual([
      'spec.template.spec: hostNetwork must not be true',
      'spec.template.spec: must set automountServiceAccountToken: false',
    ]);
  });

  it('does not flag a security context that got stricter', () => {
    const looser = rollout({ podSpec: podSpec({ automountServiceAccountToken: true }) });
    expect(flagsOf([looser], [rollout()])).toEqual([]);
  });

  it('flags an added workload that is insecure from the start', () => {
    const insecure = rollout({ name: 'worker', podSpec: { containers: [{ name: 'worker', image: 'busybox' }] } });
    expect(kindsOf([], [insecure])).toEqual(expect.arrayContaining(['security-context']));
  });

  it('flags NetworkPolicy changes, additions and removals', () => {
    expect(kindsOf([networkPolicy([8000])], [networkPolicy([8000, 9464])])).toEqual(['network-policy']);
    expect(kindsOf([], [networkPolicy()])).toEqual(['network-policy']);
    expect(kindsOf([networkPolicy()], [])).toEqual(['network-policy', 'deleted']);
  });

  it('flags deleted objects', () => {
    const flags = flagsOf([configMap(), hpa()], [configMap()]);
    expect(flags).toEqual([
      {
        kind: 'deleted',
        key: 'autoscaling/HorizontalPodAutoscaler/course-companion-production/api',
        object: 'HorizontalPodAutoscaler course-companion-production/api',
        detail: 'deleted',
      },
    ]);
  });

  it('flags changes to Argo CD sync settings', () => {
    const app = (selfHeal: boolean): K8sObject => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'course-companion-production', namespace: 'argocd' },
      spec: { syncPolicy: { automated: { prune: true, selfHeal } } },
    });
    const flags = flagsOf([app(true)], [app(false)]);
    expect(flags.map((flag) => flag.kind)).toEqual(['argo-cd']);
    expect(flags[0].detail).toBe('spec.syncPolicy.automated.selfHeal: true → false');
  });
});

describe('Markdown rendering', () => {
  it('puts the flags first and a table of fields per changed object', () => {
    const after = rollout({ podSpec: podSpec({ containers: [secureContainer({ image: `repo@${DIGEST_B}` })] }) });
    const markdown = renderMarkdown(diffObjectSets(setOf(rollout(), hpa()), setOf(after)), 'Changes');
    expect(markdown).toContain('**0 added, 1 removed, 1 changed**');
    expect(markdown).toContain('**Image changes** (`image`)');
    expect(markdown).toContain('**Deleted objects** (`deleted`)');
    expect(markdown).toContain(`| \`spec.template.spec.containers[name=api].image\` |`);
    expect(markdown.indexOf('Needs a reviewer')).toBeLessThan(markdown.indexOf('#### Changed'));
  });

  it('escapes pipes so a value cannot break the table', () => {
    const markdown = renderMarkdown(diffObjectSets(setOf(configMap({ Q: 'a' })), setOf(configMap({ Q: 'a|b' }))), 'Changes');
    expect(markdown).toContain('`a\\|b`');
  });

  it('stays under the size of a GitHub comment', () => {
    const big = (value: string) =>
      configMap(Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`KEY_${index}`, `${value}${index}`])));
    const many = Array.from({ length: 40 }, (_, index) => ({ ...big('x'), metadata: { name: `c${index}`, namespace: 'n' } }));
    const changed = many.map((object) => ({ ...object, data: big('y').data }));
    const markdown = renderMarkdown(diffObjectSets(setOf(...many), setOf(...changed)), 'Changes');
    expect(markdown.length).toBeLessThanOrEqual(60_000);
    expect(markdown).toContain('shortened to fit a comment');
  });
});
