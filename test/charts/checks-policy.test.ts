import { checkManifests, formatFindings } from '../../charts/checks';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { hardenedContainer, plus, validObjects, withChange, without } from './fixtures/valid-objects';

const webContainer = (o: any) => o.spec.template.spec.containers[0];
const jobContainer = (o: any) => o.spec.template.spec.containers[0];
const web = 'Rollout shop/web container "web"';

const policyCases: BrokenCase[] = [
  {
    name: 'a missing liveness probe',
    objects: () => withChange('rollout-web.yaml', (o) => delete webContainer(o).livenessProbe),
    check: 'policy',
    rule: 'probes',
    file: 'rollout-web.yaml',
    message: `${web}: has no livenessProbe`,
  },
  {
    name: 'a missing readiness probe',
    objects: () => withChange('rollout-web.yaml', (o) => delete webContainer(o).readinessProbe),
    check: 'policy',
    rule: 'probes',
    file: 'rollout-web.yaml',
    message: `${web}: has no readinessProbe`,
  },
  {
    name: 'a sidecar init container without probes',
    objects: () =>
      withChange(
        'rollout-web.yaml',
        (o) => (o.spec.template.spec.initContainers = [hardenedContainer('proxy', { restartPolicy: 'Always' })]),
      ),
    check: 'policy',
    rule: 'probes',
    file: 'rollout-web.yaml',
    message: 'Rollout shop/web init container "proxy": has no livenessProbe',
  },
  {
    name: 'no limits',
    objects: () => withChange('rollout-web.yaml', (o) => delete webContainer(o).resources.limits),
    check: 'policy',
    rule: 'resources',
    file: 'rollout-web.yaml',
    message: `${web}: has no resources.limits.memory`,
  },
  {
    name: 'no cpu request',
    objects: () => withChange('job-migrate.yaml', (o) => delete jobContainer(o).resources.requests.cpu),
    check: 'policy',
    rule: 'resources',
    file: 'job-migrate.yaml',
    message: 'Job shop/migrate container "job": has no resources.requests.cpu',
  },
  {
    name: 'a root user',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).securityContext.runAsUser = 0)),
    check: 'policy',
    rule: 'run-as-non-root',
    file: 'rollout-web.yaml',
    message: `${web}: runs as root (runAsUser: 0)`,
  },
  {
    name: 'runAsNonRoot missing at both container and pod level',
    objects: () =>
      withChange('rollout-web.yaml', (o) => {
        delete webContainer(o).securityContext.runAsNonRoot;
        delete o.spec.template.spec.securityContext.runAsNonRoot;
      }),
    check: 'policy',
    rule: 'run-as-non-root',
    file: 'rollout-web.yaml',
    message: 'must set securityContext.runAsNonRoot: true',
  },
  {
    name: 'a writable root filesystem',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).securityContext.readOnlyRootFilesystem = false)),
    check: 'policy',
    rule: 'read-only-root-fs',
    file: 'rollout-web.yaml',
    message: `${web}: must set securityContext.readOnlyRootFilesystem: true`,
  },
  {
    name: 'privilege escalation allowed (by omission)',
    objects: () =>
      withChange(
        'cronjob-backup.yaml',
        (o) => delete o.spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation,
      ),
    check: 'policy',
    rule: 'privilege-escalation',
    file: 'cronjob-backup.yaml',
    message: 'CronJob shop/backup container "job": must set securityContext.allowPrivilegeEscalation: false',
  },
  {
    name: 'a privileged container',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).securityContext.privileged = true)),
    check: 'policy',
    rule: 'privilege-escalation',
    file: 'rollout-web.yaml',
    message: `${web}: must not be privileged`,
  },
  {
    name: 'capabilities not dropped',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).securityContext.capabilities.drop = ['NET_RAW'])),
    check: 'policy',
    rule: 'capabilities',
    file: 'rollout-web.yaml',
    message: `${web}: must drop ALL capabilities`,
  },
  {
    name: 'a capability added back',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).securityContext.capabilities.add = ['NET_ADMIN'])),
    check: 'policy',
    rule: 'capabilities',
    file: 'rollout-web.yaml',
    message: 'must not add capabilities (adds NET_ADMIN)',
  },
  {
    name: 'no seccomp profile anywhere',
    objects: () =>
      withChange('rollout-web.yaml', (o) => {
        delete webContainer(o).securityContext.seccompProfile;
        delete o.spec.template.spec.securityContext.seccompProfile;
      }),
    check: 'policy',
    rule: 'seccomp',
    file: 'rollout-web.yaml',
    message: 'must use seccompProfile.type RuntimeDefault (container or pod), found none',
  },
  {
    // One rule set with npm run diff (charts/manifest/security.ts): Localhost is refused too.
    name: 'a Localhost seccomp profile',
    objects: () =>
      withChange(
        'rollout-web.yaml',
        (o) => (webContainer(o).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'app.json' }),
      ),
    check: 'policy',
    rule: 'seccomp',
    file: 'rollout-web.yaml',
    message: 'found Localhost',
  },
  {
    name: 'a Job that mounts its service account token',
    objects: () => withChange('job-migrate.yaml', (o) => delete o.spec.template.spec.automountServiceAccountToken),
    check: 'policy',
    rule: 'service-account-token',
    file: 'job-migrate.yaml',
    message: 'Job shop/migrate spec.template: must set automountServiceAccountToken: false',
  },
  {
    name: 'a container overriding the pod seccomp profile with Unconfined',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).securityContext.seccompProfile = { type: 'Unconfined' })),
    check: 'policy',
    rule: 'seccomp',
    file: 'rollout-web.yaml',
    message: 'found Unconfined',
  },
  {
    name: 'host networking',
    objects: () => withChange('rollout-web.yaml', (o) => (o.spec.template.spec.hostNetwork = true)),
    check: 'policy',
    rule: 'host-namespaces',
    file: 'rollout-web.yaml',
    message: 'Rollout shop/web spec.template: hostNetwork must not be true',
  },
  {
    name: 'a :latest image',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).image = 'ghcr.io/example/course-companion:latest')),
    check: 'policy',
    rule: 'image-latest',
    file: 'rollout-web.yaml',
    message: 'image ghcr.io/example/course-companion:latest uses the :latest tag',
  },
  {
    name: 'a :latest image even with a digest',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).image = `ghcr.io/example/app:latest@sha256:${'b'.repeat(64)}`)),
    check: 'policy',
    rule: 'image-latest',
    file: 'rollout-web.yaml',
    message: 'uses the :latest tag',
  },
  {
    name: 'a tag without a digest',
    objects: () => withChange('rollout-web.yaml', (o) => (webContainer(o).image = 'ghcr.io/example/course-companion:1.4.2')),
    check: 'policy',
    rule: 'image-digest',
    file: 'rollout-web.yaml',
    message: 'image ghcr.io/example/course-companion:1.4.2 is not pinned by digest',
  },
  {
    name: 'a truncated digest in an analysis Job',
    objects: () =>
      withChange('analysistemplate-smoke.yaml', (o) => {
        o.spec.metrics[0].provider.job.spec.template.spec.containers[0].image = `ghcr.io/example/app@sha256:${'c'.repeat(12)}`;
      }),
    check: 'policy',
    rule: 'image-digest',
    file: 'analysistemplate-smoke.yaml',
    message: 'AnalysisTemplate shop/smoke container "job": image',
  },
  {
    name: 'an init container running as root',
    objects: () =>
      withChange('job-migrate.yaml', (o) => {
        o.spec.template.spec.initContainers = [
          hardenedContainer('wait', { securityContext: { ...hardenedContainer('x').securityContext, runAsUser: 0 } }),
        ];
      }),
    check: 'policy',
    rule: 'run-as-non-root',
    file: 'job-migrate.yaml',
    message: 'Job shop/migrate init container "wait": runs as root',
  },
  {
    name: 'a Rollout without a PodDisruptionBudget',
    objects: () => without('poddisruptionbudget-web.yaml'),
    check: 'policy',
    rule: 'rollout-pdb',
    file: 'rollout-web.yaml',
    message: 'Rollout shop/web: no PodDisruptionBudget selects its pods',
  },
  {
    name: 'a Rollout whose PDB selects other pods',
    objects: () => withChange('poddisruptionbudget-web.yaml', (o) => (o.spec.selector.matchLabels['app.kubernetes.io/component'] = 'api')),
    check: 'policy',
    rule: 'rollout-pdb',
    file: 'rollout-web.yaml',
    message: 'no PodDisruptionBudget selects its pods',
  },
  {
    name: 'a Rollout without a HorizontalPodAutoscaler',
    objects: () => without('horizontalpodautoscaler-web.yaml'),
    check: 'policy',
    rule: 'rollout-hpa',
    file: 'rollout-web.yaml',
    message: 'Rollout shop/web: no HorizontalPodAutoscaler targets it',
  },
  {
    name: 'a Rollout with replicas while an HPA scales it',
    objects: () => withChange('rollout-web.yaml', (o) => (o.spec.replicas = 2)),
    check: 'policy',
    rule: 'rollout-replicas',
    file: 'rollout-web.yaml',
    message: 'sets spec.replicas although HorizontalPodAutoscaler shop/web scales it',
  },
  {
    name: 'a NodePort Service',
    objects: () => withChange('service-web-stable.yaml', (o) => (o.spec.type = 'NodePort')),
    check: 'policy',
    rule: 'service-type',
    file: 'service-web-stable.yaml',
    message: 'Service shop/web-stable: type NodePort',
  },
  {
    name: 'a LoadBalancer Service',
    objects: () => withChange('service-web-canary.yaml', (o) => (o.spec.type = 'LoadBalancer')),
    check: 'policy',
    rule: 'service-type',
    file: 'service-web-canary.yaml',
    message: 'type LoadBalancer',
  },
  {
    name: 'a Secret with data',
    objects: () =>
      plus({
        file: 'secret-leak.yaml',
        object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'shop' }, data: { KEY: 'c2VjcmV0' } },
      }),
    check: 'policy',
    rule: 'secret-data',
    file: 'secret-leak.yaml',
    message: 'Secret shop/leak: carries data',
  },
  {
    name: 'a Secret with stringData',
    objects: () =>
      plus({
        file: 'secret-leak.yaml',
        object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'shop' }, stringData: { KEY: 'secret' } },
      }),
    check: 'policy',
    rule: 'secret-data',
    file: 'secret-leak.yaml',
    message: 'carries stringData',
  },
  {
    name: 'a namespace without the PSA enforce label',
    objects: () => withChange('namespace-shop.yaml', (o) => delete o.metadata.labels['pod-security.kubernetes.io/enforce']),
    check: 'policy',
    rule: 'namespace-psa',
    file: 'namespace-shop.yaml',
    message: 'Namespace shop: label pod-security.kubernetes.io/enforce must be "restricted"',
  },
  {
    name: 'a namespace enforcing only baseline',
    objects: () => withChange('namespace-shop.yaml', (o) => (o.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline')),
    check: 'policy',
    rule: 'namespace-psa',
    file: 'namespace-shop.yaml',
    message: 'pod-security.kubernetes.io/enforce must be "restricted"',
  },
  {
    name: 'a namespace without a default-deny NetworkPolicy',
    objects: () => without('networkpolicy-default-deny.yaml'),
    check: 'policy',
    rule: 'default-deny',
    file: 'namespace-shop.yaml',
    message: 'namespace shop has no default-deny NetworkPolicy',
  },
  {
    name: 'a "default-deny" that denies only ingress',
    objects: () => withChange('networkpolicy-default-deny.yaml', (o) => (o.spec.policyTypes = ['Ingress'])),
    check: 'policy',
    rule: 'default-deny',
    file: 'namespace-shop.yaml',
    message: 'namespace shop has no default-deny NetworkPolicy',
  },
  {
    name: 'a "default-deny" that allows something',
    objects: () => withChange('networkpolicy-default-deny.yaml', (o) => (o.spec.egress = [{}])),
    check: 'policy',
    rule: 'default-deny',
    file: 'namespace-shop.yaml',
    message: 'namespace shop has no default-deny NetworkPolicy',
  },
];

describe('policy check', () => {
  it('accepts the valid fixture set', () => {
    expect(formatFindings(checkManifests(validObjects(), { only: ['policy'] }))).toBe('');
  });

  it.each(policyCases.map((c) => [c.name, c] as const))('fails %s', (_name, c) => {
    expectFinding(c);
  });

  it('does not ask run-to-completion pods for probes, but holds them to every other rule', () => {
    const objects = withChange('job-migrate.yaml', (o) => (jobContainer(o).securityContext.readOnlyRootFilesystem = false));
    const findings = checkManifests(objects, { only: ['policy'] }).filter((f) => f.file === 'job-migrate.yaml');
    expect(findings.map((f) => f.rule)).toEqual(['read-only-root-fs']);
  });
});
