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

export function createLogger(
  opts: { level: string; role: string; version?: string },
  destination?: DestinationStream,
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
