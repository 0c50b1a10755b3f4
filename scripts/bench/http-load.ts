/**
 * What every HTTP bench shares: a server on an ephemeral loopback port, a bounded
 * autocannon run against it, and a clean close, so the measured route and its bare
 * baseline are loaded exactly the same way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import pino from 'pino';
import { LOG_BUFFERING, createLogger, type Logger } from '../../app/src/observability/logger';

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

/**
 * The logger a role runs with in production (redaction, ISO timestamps, one access line
 * per request at info, buffered as on stdout), into /dev/null.
 */
export function productionLogger(role: string): Logger {
  return createLogger({ level: 'info', role, version: 'bench' }, pino.destination({ dest: '/dev/null', ...LOG_BUFFERING }));
}

/** `handler` may be async (Koa's `app.callback()` is); it handles its own errors. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => void handler(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function load(
  url: string,
  options: { connections: number; durationSeconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const result = await autocannon({ url, connections: options.connections, duration: options.durationSeconds, headers: options.headers ?? {} });
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99, non2xx: result.non2xx + result.errors };
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/**
 * Loads each target in turn, `rounds` times (A B C A B C …), and keeps each target's
 * median round. Neighbours on a shared machine come and go within a run; interleaving
 * gives every target the same share of quiet and busy moments, so the ratios between
 * them mean something even when the absolute figures drift.
 */
export async function compareInterleaved(
  targets: readonly { url: string; headers?: Record<string, string> }[],
  options: { connections: number; roundSeconds: number; rounds: number; onRound?: (round: number, target: number) => void },
): Promise<LoadResult[]> {
  const results: LoadResult[][] = targets.map(() => []);
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [index, target] of targets.entries()) {
      options.onRound?.(round, index);
      results[index].push(await load(target.url, { connections: options.connections, durationSeconds: options.roundSeconds, headers: target.headers }));
    }
  }
  return results.map(median);
}

function median(rounds: readonly LoadResult[]): LoadResult {
  const middle = <T>(values: readonly T[], by: (v: T) => number) => [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)];
  return {
    requestsPerSecond: middle(rounds, (r) => r.requestsPerSecond).requestsPerSecond,
    p99Ms: middle(rounds, (r) => r.p99Ms).p99Ms,
    // Failures are never averaged away: every failed request of every round counts.
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
  };
}
