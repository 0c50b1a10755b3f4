import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log line. Request and response
 * objects are never logged whole (the access log picks fields), so this is the second
 * line of defence against a password, token or cookie reaching the log store.
 */
export const REDACTED_PATHS = [
  'password', '*.password', 'password_hash', '*.password_hash',
  'token', '*.token', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token',
  'secret', '*.secret', 'cookie', '*.cookie', 'authorization', '*.authorization',
  'headers.cookie', 'headers.authorization', 'headers["set-cookie"]', 'headers["x-signature"]',
  'req.headers.cookie', 'req.headers.authorization',
];

let stdout: DestinationStream | undefined;

/** How log lines are buffered on their way out (see stdoutDestination). */
export const LOG_BUFFERING = { sync: false, minLength: 4096, periodicFlush: 1000 } as const;

/**
 * stdout, shared by every logger of the process (ROLE=all has one per role), written
 * asynchronously in blocks of 4 KB and at least once a second. A synchronous write per
 * line cost the api 14 µs a request under load, more than the rest of its logging; a
 * block holds about fifteen access lines. Lines still buffered are written
 * synchronously when the process exits, crashes included; only a SIGKILL (an OOM kill)
 * can lose them, at most one block.
 */
export function stdoutDestination(): DestinationStream {
  stdout ??= pino.destination({ dest: 1, ...LOG_BUFFERING });
  return stdout;
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
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
