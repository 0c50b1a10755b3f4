/**
 * Resilience, measured (issue 6): the real api process under a bounded autocannon load
 * while its database restarts, and while it receives SIGTERM (the scenarios are in
 * harness/resilience-scenarios.ts).
 *
 * The same two scenarios run quickly in `npm test` (test/ops/resilience.test.ts asserts
 * what must hold: no acknowledged write lost, 503 while the database is away, recovery,
 * no failed request on SIGTERM, exit 0) and longer here, where each figure is printed
 * beside a baseline measured in the same run.
 *
 *   npx tsx scripts/bench/resilience.ts      prints the figures of this suite alone
 */
import { databaseRestartUnderLoad, sigtermUnderLoad } from './harness/resilience-scenarios';
import { runStandalone, type BenchSuite, type Measurement } from './measurement';

const RECOVERY_BUDGET_MS = 5_000;

function figure(
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baselineValue: number,
  goal: string,
  met: boolean,
  better: 'higher' | 'lower' = 'lower',
): Measurement {
  const ratio = baselineValue === 0 ? (value === 0 ? 0 : Infinity) : Math.round((value / baselineValue) * 1000) / 1000;
  return { name, value, unit, baselineName, baselineValue, ratio, better, goal, met };
}

export const resilienceBench: BenchSuite = {
  name: 'resilience: database restart and SIGTERM under load',
  async run(progress) {
    const restart = await databaseRestartUnderLoad({ connections: 20, loadSeconds: 20, outageSeconds: 5 }, (m) =>
      progress(`database restart: ${m}`),
    );
    const sigterm = await sigtermUnderLoad({ connections: 20, loadSeconds: 60, sigtermAfterSeconds: 10, graceSeconds: 30 }, (m) =>
      progress(`SIGTERM: ${m}`),
    );
    return [
      figure(
        'database restart: acknowledged writes lost',
        restart.lostWrites,
        'writes',
        'writes acknowledged (201)',
        restart.acknowledgedWrites,
        `0 lost; readiness 503 while down: ${restart.readinessFailedWhileDown ? 'yes' : 'NO'}; process survived: ${restart.serverSurvived ? 'yes' : 'NO'}`,
        restart.lostWrites === 0 && restart.acknowledgedWrites > 0 && restart.readinessFailedWhileDown && restart.serverSurvived,
      ),
      figure(
        'database restart: /readyz 200 again after PostgreSQL is back',
        restart.recoveryMs,
        'ms',
        'bare pg client first query after restart',
        restart.bareClientRecoveryMs,
        `≤ ${RECOVERY_BUDGET_MS} ms`,
        restart.recoveryMs <= RECOVERY_BUDGET_MS,
      ),
      figure(
        'database restart: requests refused while down (5xx JSON)',
        restart.refusedDuringOutage,
        'requests',
        'requests acknowledged',
        restart.acknowledgedWrites,
        `no connection errors (saw ${restart.connectionErrors})`,
        restart.connectionErrors === 0,
      ),
      figure(
        'SIGTERM under load: failed requests',
        sigterm.failedRequests,
        'requests',
        'requests answered',
        sigterm.requests,
        '0 failed',
        sigterm.failedRequests === 0 && sigterm.requests > 0,
      ),
      figure(
        'SIGTERM under load: exit after the signal',
        sigterm.exitAfterMs,
        'ms',
        'grace period',
        sigterm.graceSeconds * 1000,
        `exit 0 within the grace period (exit ${sigterm.exitCode}; readiness 503 after ${sigterm.readinessFailedAfterMs} ms)`,
        sigterm.exitCode === 0 && sigterm.exitAfterMs < sigterm.graceSeconds * 1000,
      ),
    ];
  },
};

export default resilienceBench;

if (require.main === module) runStandalone(resilienceBench);
