import { rehearse as rehearseIn, SLOW, workDirectory } from './support/rehearse-run';

// The healthy release and the faults seen by the analyses; the others are in rehearsal-faults.test.ts.
const work = workDirectory();
const rehearse = (fault: string, extra: string[] = []) => rehearseIn(work, fault, extra);

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
});
