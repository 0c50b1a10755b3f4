import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Timeline } from '../../scripts/rehearse/timeline';

/**
 * `npm run rehearse` on production's committed plan (dist/production, which CI proves
 * equal to a fresh synth), one run per fault, at a speed that keeps the set under five
 * minutes on two cores. Each run starts the app twice, a real Prometheus and a smoke Job
 * process, and reads its verdict from `--json`.
 */
const REPO = resolve(__dirname, '../..');
const SPEED = '40';
const SLOW = 150_000;

interface Run {
  readonly code: number;
  readonly timeline: Timeline;
  readonly stdout: string;
}

const work = mkdtempSync(join(tmpdir(), 'rehearsal-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function rehearse(fault: string, extra: string[] = []): Promise<Run> {
  const json = join(work, `${fault}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/rehearse.ts', '--env', 'production', '--fault', fault, '--speed', SPEED, '--json', json, '--timeout', '120', ...extra],
      { cwd: REPO, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          const timeline = JSON.parse(readFileSync(json, 'utf8')) as Timeline;
          done({ code: error ? Number(error.code) : 0, timeline, stdout });
        } catch {
          fail(new Error(`the rehearsal wrote no timeline (${error?.code}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe('rollout rehearsal of production (npm run rehearse)', () => {
  it(
    'promotes a healthy release (fault none), exit 0',
    async () => {
      const run = await rehearse('none');
      expect(run.timeline.decision).toMatchObject({ outcome: 'promoted', maxWeight: 100 });
      expect(run.code).toBe(0);
      // Every analysis measurement of a healthy release passed.
      const verdicts = run.timeline.events.filter((e) => e.kind === 'measurement').map((e) => (e.kind === 'measurement' ? e.phase : ''));
      expect(verdicts).not.toContain('Failed');
      expect(run.timeline.decision!.requests.canary).toBeGreaterThan(0);
    },
    SLOW,
  );

  // Before issue 11 the success-rate query had no series when every canary answer was a
  // 5xx (its numerator filtered them out): the run was Inconclusive and the rollout paused.
  // Now the smoke analysis, before any traffic, or the success rate aborts it.
  it(
    'aborts a release whose every request fails (fault errors) before it reaches 50 %, exit 3',
    async () => {
      const run = await rehearse('errors');
      expect(run.timeline.decision).toMatchObject({ outcome: 'aborted' });
      expect(run.timeline.decision!.maxWeight).toBeLessThan(50);
      expect(run.code).toBe(3);
    },
    SLOW,
  );

  it(
    'aborts a release whose p95 is far over the threshold (fault latency), exit 3',
    async () => {
      const run = await rehearse('latency');
      expect(run.timeline.decision).toMatchObject({ outcome: 'aborted' });
      expect(run.code).toBe(3);
    },
    SLOW,
  );

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
      monitor.spec.podTargetLabels = monitor.spec.podTargetLabels.map((l: string) => (l === 'rollouts-pod-template-hash' ? 'pod-template-hash' : l));
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
