/**
 * Least privilege for secrets (issue 11, point 10): each Secret serves one kind of
 * workload, and no job reads the runtime Secret of a long-running one.
 */
import { checkManifests, formatFindings } from '../../charts/checks';
import { expectFinding, type BrokenCase } from './fixtures/expect-finding';
import { plus, validObjects, withChange } from './fixtures/valid-objects';

const readWebSecrets = (o: any) =>
  (o.spec.template.spec.containers[0].env = [
    { name: 'SESSION_SECRET', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'SESSION_SECRET' } } },
  ]);

const cases: BrokenCase[] = [
  {
    name: 'a Job reading the runtime Secret of a Rollout',
    objects: () => withChange('job-migrate.yaml', readWebSecrets),
    check: 'policy',
    rule: 'job-reads-runtime-secret',
    file: 'job-migrate.yaml',
    message: 'Job shop/migrate spec.template: reads Secret "web-secrets", the runtime Secret of Rollout shop/web',
  },
  {
    name: 'an ExternalSecret read by a Rollout and a Job',
    objects: () => withChange('job-migrate.yaml', readWebSecrets),
    check: 'policy',
    rule: 'secret-shared',
    file: 'externalsecret-web-secrets.yaml',
    message: 'Secret "web-secrets" is read by Job and Rollout workloads (Rollout shop/web, Job shop/migrate)',
  },
  {
    name: 'a CronJob mounting the runtime Secret as a volume',
    objects: () =>
      withChange(
        'cronjob-backup.yaml',
        (o) => (o.spec.jobTemplate.spec.template.spec.volumes = [{ name: 's', secret: { secretName: 'web-secrets' } }]),
      ),
    check: 'policy',
    rule: 'job-reads-runtime-secret',
    file: 'cronjob-backup.yaml',
    message: 'CronJob shop/backup spec.jobTemplate.spec.template: reads Secret "web-secrets"',
  },
  {
    name: 'an analysis Job reading the runtime Secret through envFrom',
    objects: () =>
      withChange('analysistemplate-smoke.yaml', (o) =>
        o.spec.metrics[0].provider.job.spec.template.spec.containers[0].envFrom.push({ secretRef: { name: 'web-secrets' } }),
      ),
    check: 'policy',
    rule: 'job-reads-runtime-secret',
    file: 'analysistemplate-smoke.yaml',
    message: 'reads Secret "web-secrets"',
  },
  {
    name: 'an ExternalSecret nobody reads',
    objects: () =>
      plus({
        file: 'externalsecret-spare.yaml',
        object: {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: 'spare', namespace: 'shop' },
          spec: {
            secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
            target: { name: 'spare' },
            data: [{ secretKey: 'K', remoteRef: { key: 'k' } }],
          },
        },
      }),
    check: 'policy',
    rule: 'secret-unused',
    file: 'externalsecret-spare.yaml',
    message: 'ExternalSecret shop/spare: no workload reads Secret "spare"',
  },
  {
    name: 'a Rollout reading a Secret without the reload annotation',
    objects: () => withChange('rollout-web.yaml', (o) => delete o.metadata.annotations['secret.reloader.stakater.com/reload']),
    check: 'policy',
    rule: 'secret-reload',
    file: 'rollout-web.yaml',
    message: 'Rollout shop/web: reads Secret(s) web-secrets but annotation secret.reloader.stakater.com/reload is missing',
  },
  {
    name: 'a reload annotation naming another Secret than the one read',
    objects: () =>
      withChange('rollout-web.yaml', (o) => (o.metadata.annotations['secret.reloader.stakater.com/reload'] = 'web-secrets,api-secrets')),
    check: 'policy',
    rule: 'secret-reload',
    file: 'rollout-web.yaml',
    message: 'annotation secret.reloader.stakater.com/reload is "api-secrets,web-secrets"',
  },
  {
    name: 'a Rollout reloaded by a pod-template change (a new canary) instead of restartAt',
    objects: () => withChange('rollout-web.yaml', (o) => delete o.metadata.annotations['reloader.stakater.com/rollout-strategy']),
    check: 'policy',
    rule: 'secret-reload',
    file: 'rollout-web.yaml',
    message: 'must set reloader.stakater.com/rollout-strategy: restart',
  },
];

describe('secret consumers (policy)', () => {
  it('accept the valid fixture set', () => {
    expect(formatFindings(checkManifests(validObjects(), { only: ['policy'] }))).toBe('');
  });

  it.each(cases.map((c) => [c.name, c] as const))('fail %s', (_name, c) => {
    expectFinding(c);
  });

  it('exempt an image pull secret, which only imagePullSecrets name', () => {
    const pull = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'pull', namespace: 'shop' },
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
        target: { name: 'pull', template: { type: 'kubernetes.io/dockerconfigjson' } },
        data: [{ secretKey: '.dockerconfigjson', remoteRef: { key: 'k' } }],
      },
    };
    expect(formatFindings(checkManifests(plus({ file: 'externalsecret-pull.yaml', object: pull }), { only: ['policy'] }))).toBe('');
  });
});
