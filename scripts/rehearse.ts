import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FAULTS, rehearse, type Fault } from './rehearse/index';
import { killAll } from './rehearse/processes';
import { EXIT_CODES } from './rehearse/timeline';

/**
 * `npm run rehearse -- [--env production] [--fault none|errors|latency|crash|silent]
 * [--speed N] [--json FILE]`: plays the generated canary of one environment on this
 * machine (the app from this checkout, a real Prometheus, the generated analysis) and
 * prints what Argo Rollouts would decide. Exit 0 promoted, 3 aborted, 4 paused
 * (inconclusive), 1 the rehearsal itself failed, 2 bad usage.
 */
const USAGE = `usage: npm run rehearse -- [--env production] [--fault ${FAULTS.join('|')}] [--speed N] [--json FILE]
                          [--rollout api] [--dist DIR] [--rate N] [--timeout SECONDS]`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        env: { type: 'string', default: 'production' },
        fault: { type: 'string', default: 'none' },
        speed: { type: 'string', default: '10' },
        json: { type: 'string' },
        rollout: { type: 'string', default: 'api' },
        dist: { type: 'string' },
        rate: { type: 'string', default: '40' },
        timeout: { type: 'string', default: '600' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const speed = Number(values.speed);
  const rate = Number(values.rate);
  const timeoutSeconds = Number(values.timeout);
  const problems = [
    !FAULTS.includes(values.fault as Fault) && `--fault must be one of ${FAULTS.join(', ')}`,
    !(speed >= 1 && speed <= 600) && '--speed must be a number from 1 to 600',
    !(rate > 0 && rate <= 500) && '--rate must be a number from 1 to 500 (requests per second)',
    !(timeoutSeconds > 0) && '--timeout must be a positive number of seconds',
  ].filter(Boolean);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n${USAGE}\n`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  const timeline = await rehearse({
    env: values.env,
    fault: values.fault as Fault,
    speed,
    rate,
    timeoutSeconds,
    rollout: values.rollout,
    distDir: values.dist,
    print: (line) => process.stdout.write(`${tty ? '\r\x1b[K' : ''}${line}\n`),
    progress: tty ? (line) => process.stderr.write(`\r\x1b[K${line}`) : undefined,
  });
  if (values.json) writeFileSync(values.json, `${JSON.stringify(timeline, null, 2)}\n`);
  return EXIT_CODES[timeline.decision?.outcome ?? 'failed'];
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(1);
  });
}
main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`rehearsal failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    killAll();
    process.exit(1);
  },
);
