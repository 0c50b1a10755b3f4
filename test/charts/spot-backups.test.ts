import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EnvironmentConfigError, parseEnvironment } from '../../charts/config/environment';
import { spotPodFields } from '../../charts/constructs/backup/spot-placement';

// The backup jobs on spot nodes (issue 17, item 5): tolerations and node affinity come
// from the environment file.
const ROOT = join(__dirname, '..', '..');
const FILE = 'charts/environments/production.yaml';
const production = () => parse(readFileSync(join(ROOT, FILE), 'utf8')) as { backup: Record<string, unknown> };

function problems(change: (env: ReturnType<typeof production>) => void): string {
  const data = production();
  change(data);
  try {
    parseEnvironment(data, FILE);
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('backup jobs on spot nodes', () => {
  it.each(['cronjob-backup.yaml', 'cronjob-backup-weekly.yaml'])(
    'production %s tolerates the spot taint and prefers spot nodes',
    (file) => {
      const pod = parse(readFileSync(join(ROOT, 'dist/production', file), 'utf8')).spec.jobTemplate.spec.template.spec;
      expect(pod.tolerations).toEqual([{ key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
      expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
        { weight: 100, preference: { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] } },
      ]);
    },
  );

  it('can require spot nodes instead', () => {
    const fields = spotPodFields({
      tolerations: [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }],
      nodeLabels: { spot: 'true' },
      affinity: 'required',
    });
    expect(fields.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'spot', operator: 'In', values: ['true'] }] },
    ]);
  });

  it('places the jobs anywhere when the file says nothing', () => {
    expect(spotPodFields(undefined)).toEqual({});
    expect(problems((env) => delete env.backup.spot)).toBe('');
  });

  it.each([
    [
      'a value with operator Exists',
      { key: 'spot', operator: 'Exists', value: 'true', effect: 'NoSchedule' },
      'backup.spot.tolerations.0.value',
    ],
    ['an unknown effect', { key: 'spot', value: 'true', effect: 'NoRun' }, 'backup.spot.tolerations.0.effect'],
    ['a key that is no label key', { key: 'spot nodes', value: 'true', effect: 'NoSchedule' }, 'backup.spot.tolerations.0.key'],
  ])('refuses a toleration with %s, naming the field', (_name, toleration, path) => {
    expect(problems((env) => ((env.backup.spot as { tolerations: unknown[] }).tolerations = [toleration]))).toContain(path);
  });
});
