import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log line. Request and response
 * objects are never logged whole (the access log picks fields), so this is the second
 * line of defence against a password, token or cookie reaching the log store.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'password_hash',
  '*.password_hash',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'secret',
  '*.secret',
  'cookie',
  '*.cookie',
  'authorization',
  '*.authorization',
  'headers.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  'headers["stripe-signature"]',
  'req.headers.cookie',
  'req.headers.authorization',
  // A body that failed to parse rides on the body parser's error as `.body`, password
  // and all (issue 15); the error is logged, its body never.
  'err.body',
  'err.rawBody',
];

let stdout: ReturnType<typeof pino.destination> | undefined;

/** How log lines are buffered on their way out (see stdoutDestination). */
export const LOG_BUFFERING = { sync: true, minLength: 4096, periodicFlush: 1000 } as const;

/**
 * stdout, shared by every logger of the process (ROLE=all has one per role), written in
 * blocks of 4 KB and at least once a second. A write per line cost the api 14 µs a
 * request under load, more than the rest of its logging; a block holds about fifteen
 * access lines. The writes are synchronous, on the event loop: handing each block to
 * libuv's thread pool instead (pino's `sync: false`) cost twice as much per line as the
 * write itself, in thread hand-offs. Lines still buffered are written when the process
 * exits, crashes included; only a SIGKILL (an OOM kill) can lose them, at most one block.
 */
export function stdoutDestination(): DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, ...LOG_BUFFERING });
    // pino flushes only asynchronous destinations at exit by itself.
    process.once('exit', () => destination.flushSync());
    stdout = destination;
  }
  return stdout;
}

/**
 * pino's ISO timestamp, formatted once per millisecond rather than once per line: under
 * load several lines share a millisecond, and formatting a Date was a tenth of a line's
 * cost.
 */
export function isoTimestampOncePerMillisecond(now: () => number = Date.now): () => string {
  let lastMs = -1;
  let field = '';
  return () => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      field = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return field;
  };
}

export function createLogger(
  opts: { level: string; role: string; version?: string },
  destination: DestinationStream = stdoutDestination(),
): Logger {
  return pino(
    {
      level: opts.level,
      base: { role: opts.role, version: opts.version },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: isoTimestampOncePerMillisecond(),
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
