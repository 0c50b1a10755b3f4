import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { TEST_SECRET_KEY } from './http';

const root = path.resolve(__dirname, '../..');

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The api role's URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Everything the process printed so far (stdout and stderr). */
  readonly output: () => string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it has. */
  stop(graceMs?: number): Promise<number | string>;
}

export interface SpawnOptions {
  /**
   * Keep what the process prints after its start (the tail, for `output()`). A bench
   * turns this off: under load every request logs a line, and collecting them would
   * cost the measuring process CPU. @default true
   */
  readonly keepOutput?: boolean;
}

/**
 * The real server entry point (`app/src/server.ts` via tsx) as its own process, the api
 * role on an ephemeral port: what a container runs, signals and crashes included.
 */
export async function spawnApiServer(env: NodeJS.ProcessEnv, options: SpawnOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      APP_ENV: 'test',
      ROLE: 'api',
      PORT: '0',
      METRICS_PORT: '0',
      // info: the 'listening' line carries the URL this helper waits for.
      LOG_LEVEL: 'info',
      SECRET_KEY: TEST_SECRET_KEY,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Only the tail is kept: under load every request logs a line.
  let out = '';
  let started = false;
  const keep = (d: Buffer) => {
    if (started && options.keepOutput === false) return;
    out += d.toString();
    if (out.length > 256_000) out = out.slice(-128_000);
  };
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  child.stderr.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      keep(d);
      if (started) return;
      const match = /"api":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (match) {
        started = true;
        resolve(match[1]);
      }
    });
    void exited.then((code) => reject(new Error(`server exited early (${code}): ${out}`)));
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server printed no "listening" line with its api URL within 60 s (LOG_LEVEL must be info or lower): ${out}`));
    }, 60_000).unref();
  });
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      timer.unref();
      await exited.finally(() => clearTimeout(timer));
    }
    return exited;
  };
  return { child, url, output: () => out, exited, stop };
}
