import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO, rehearse as rehearseIn, SLOW, workDirectory } from './support/rehearse-run';

// The rehearsals of a canary that never serves (crash, silent) and of a broken
// ServiceMonitor; split from rehearsal.test.ts so both Jest workers run rehearsals.
const work = workDirectory();
const rehearse = (fault: string, extra: string[] = []) => rehearseIn(work, fault, extra);

describe('rollout rehearsal of production (npm run rehearse): canaries that never serve', () => {
  // A pod that exits at start is never available, so Argo Rollouts never completes the
  // setCanaryScale step before the smoke analysis (rollout/canary.go
  // completedCurrentCanaryStep → utils/replicaset/canary.go ReplicaProgressThresholdMet:
  // all desired canary pods available) and progressDeadlineAbort ends the rollout; the
  // smoke Job cannot even start. Before issue 11 (setWeight first, background analysis
  // from step 0) the run found no canary series and paused the rollout as Inconclusive.
  it(
    'aborts a release that cannot start (fault crash) before any learner reaches it, exit 3',
    async () => {
      const run = await rehearse('crash');
      expect(run.timeline.decision).toMatchObject({ outcome: 'aborted', maxWeight: 0 });
      expect(run.timeline.decision!.reason).toMatch(/ProgressDeadlineExceeded|smoke/);
      expect(run.timeline.decision!.requests.canary).toBe(0);
      expect(run.code).toBe(3);
    },
    SLOW,
  );

  it(
    'pauses, never promotes, a canary that gets no traffic (fault silent), exit 4',
    async () => {
      const run = await rehearse('silent');
      expect(run.timeline.decision).toMatchObject({ outcome: 'paused' });
      expect(run.timeline.decision!.requests.canary).toBe(0);
      expect(run.code).toBe(4);
    },
    SLOW,
  );

  it(
    'no longer promotes a healthy release once the ServiceMonitor stops carrying the pod template hash',
    async () => {
      // A plausible slip: the Deployment's label name instead of the one Argo Rollouts sets.
      const dist = join(work, 'broken-dist');
      cpSync(join(REPO, 'dist', 'production'), dist, { recursive: true });
      const file = join(dist, 'servicemonitor-api.yaml');
      const monitor = parse(readFileSync(file, 'utf8'));
      expect(monitor.spec.podTargetLabels).toContain('rollouts-pod-template-hash');
      monitor.spec.podTargetLabels = monitor.spec.podTargetLabels.map((l: string) =>
        l === 'rollouts-pod-template-hash' ? 'pod-template-hash' : l,
      );
      writeFileSync(file, stringify(monitor));

      const run = await rehearse('none', ['--dist', dist]);
      expect(run.timeline.decision?.outcome).not.toBe('promoted');
      expect(run.timeline.decision?.outcome).not.toBe('failed');
      expect(run.code).not.toBe(0);
      // Why: no query found the canary's series any more.
      const values = run.timeline.events.flatMap((e) => (e.kind === 'measurement' && e.run === 'background' ? [e.value] : []));
      expect(values.length).toBeGreaterThan(0);
      expect(new Set(values)).toEqual(new Set(['[]']));
    },
    SLOW,
  );
});
