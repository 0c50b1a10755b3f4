import {
  Scope,
  ServerRuntimeClient,
  createStackParser,
  createTransport,
  nodeStackLineParser,
  type BaseTransportOptions,
  type Transport,
} from '@sentry/core';

/**
 * Unexpected errors (the 500s) go to Sentry when SENTRY_DSN is set. Only
 * `@sentry/core` is used, with a fetch transport: the full Node SDK would hook every
 * module for tracing, which this service does not want (Prometheus covers latency).
 */
export interface ErrorReporter {
  capture(error: unknown, context: ErrorContext): void;
  /** Send what is queued, waiting at most `timeoutMs`; called on shutdown. */
  flush(timeoutMs: number): Promise<void>;
}

export interface ErrorContext {
  readonly requestId?: string;
  readonly method?: string;
  /** The route pattern (`/api/v1/chapters/:number`), never the raw URL with its query. */
  readonly route?: string;
}

export interface ErrorReporterOptions {
  readonly dsn?: string;
  readonly environment: string;
  readonly release: string;
  readonly role: string;
}

export const noErrorReporter: ErrorReporter = {
  capture: () => undefined,
  flush: async () => undefined,
};

// Keys whose values never leave the process, wherever they appear in an event.
const SECRET_KEYS = /pass(word)?|token|secret|authorization|cookie|api[-_]?key|signature|dsn/i;

/** Replaces the values of secret-looking keys, at any depth. */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => scrubSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEYS.test(key) ? '[redacted]' : scrubSecrets(v, depth + 1);
  return out as T;
}

function fetchTransport(options: BaseTransportOptions): Transport {
  return createTransport(options, async (request) => {
    const response = await fetch(options.url, {
      method: 'POST',
      body: typeof request.body === 'string' ? request.body : Buffer.from(request.body),
      headers: { 'content-type': 'application/x-sentry-envelope' },
      signal: AbortSignal.timeout(5_000),
    });
    return {
      statusCode: response.status,
      headers: { 'x-sentry-rate-limits': response.headers.get('x-sentry-rate-limits'), 'retry-after': response.headers.get('retry-after') },
    };
  });
}

export function createErrorReporter(options: ErrorReporterOptions): ErrorReporter {
  if (!options.dsn) return noErrorReporter;
  const client = new ServerRuntimeClient({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    platform: 'node',
    runtime: { name: 'node', version: process.version },
    integrations: [],
    stackParser: createStackParser(nodeStackLineParser()),
    transport: fetchTransport,
    sendDefaultPii: false,
    beforeSend: (event) => scrubSecrets(event),
  });
  client.init();
  return {
    capture(error, context) {
      const scope = new Scope();
      scope.setClient(client);
      scope.setTags({
        role: options.role,
        ...(context.method ? { method: context.method } : {}),
        ...(context.route ? { route: context.route } : {}),
      });
      if (context.requestId) scope.setTag('request_id', context.requestId);
      client.captureException(error, undefined, scope);
    },
    async flush(timeoutMs) {
      await client.flush(timeoutMs);
    },
  };
}
