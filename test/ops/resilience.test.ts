import { databaseRestartUnderLoad, sigtermUnderLoad } from '../../scripts/bench/harness/resilience-scenarios';

// The quick versions of the two resilience scenarios of `npm run bench`: the same code,
// shorter load. What must hold is asserted here; the figures are printed, and the timing
// goals (recovery within 5 s) are judged by the bench, never by a test.

describe('resilience under load (real api process, bounded autocannon on 127.0.0.1)', () => {
  it('a PostgreSQL restart loses no acknowledged write, fails readiness while down, and recovers', async () => {
    const figures = await databaseRestartUnderLoad({ connections: 8, loadSeconds: 8, outageSeconds: 2 });
    process.stdout.write(`database restart under load: ${JSON.stringify(figures)}\n`);

    expect(figures.acknowledgedWrites).toBeGreaterThan(0);
    expect(figures.rowsAfter).toBeGreaterThanOrEqual(figures.acknowledgedWrites);
    expect(figures.lostWrites).toBe(0);
    expect(figures.readinessFailedWhileDown).toBe(true);
    expect(figures.serverSurvived).toBe(true);
    // Refused while down, with an HTTP answer: the load generator saw no dropped connection.
    expect(figures.refusedDuringOutage).toBeGreaterThan(0);
    expect(figures.connectionErrors).toBe(0);
    expect(Number.isFinite(figures.recoveryMs)).toBe(true);
  }, 180_000);

  it('SIGTERM under load: no failed request and exit 0 within the grace period', async () => {
    const figures = await sigtermUnderLoad({ connections: 8, loadSeconds: 30, sigtermAfterSeconds: 2, graceSeconds: 20 });
    process.stdout.write(`SIGTERM under load: ${JSON.stringify(figures)}\n`);

    expect(figures.requests).toBeGreaterThan(0);
    expect(figures.failedRequests).toBe(0);
    expect(figures.exitCode).toBe(0);
    // The server's own deadline exits 1 at the grace period, so exit 0 means it made it.
    // (A 20 s grace gives a 4 s drain: room for a busy CI machine to see readiness fail.)
  }, 120_000);
});
