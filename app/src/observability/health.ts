import { pingDatabase, type Database } from '../db/database';

/** Shared between the server (which starts draining on SIGTERM) and the probes. */
export interface Lifecycle {
  draining: boolean;
}

export interface CheckResult {
  status: 'ok' | 'fail';
  response_time_ms: number;
  error?: string;
}

class Timeout extends Error {}

/** Run `probe`, failing if it takes longer than `timeoutMs`. Never throws. */
export async function timedCheck(probe: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Timeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'ok', response_time_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch (err) {
    return {
      status: 'fail',
      response_time_ms: Math.round((performance.now() - started) * 100) / 100,
      // The error class and message only: never a connection string.
      error: err instanceof Timeout ? err.message : 'unreachable',
    };
  } finally {
    clearTimeout(timer);
  }
}

export function checkDatabase(db: Database, timeoutMs: number): Promise<CheckResult> {
  return timedCheck(() => pingDatabase(db), timeoutMs);
}
