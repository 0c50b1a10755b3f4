import { createServer, type RequestListener, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

/**
 * How long a client may take to send its request. Node's defaults (60 s for the
 * headers, 5 minutes for the whole request) let a slow client hold a connection for
 * minutes (issue 15); our largest body is 64 KiB, so seconds are plenty. The server
 * checks these every `connectionsCheckingIntervalMs` (Node's default: 30 s).
 */
export interface RequestTimeouts {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly connectionsCheckingIntervalMs: number;
}

export const REQUEST_TIMEOUTS: RequestTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 20_000,
  connectionsCheckingIntervalMs: 1_000,
};

/** An HTTP server for a Koa app or a plain listener, once it is listening. */
export async function listen(
  app: Koa | RequestListener,
  port: number,
  host: string,
  timeouts: RequestTimeouts = REQUEST_TIMEOUTS,
): Promise<Server> {
  // https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs,
    },
    typeof app === 'function' ? app : app.callback(),
  );
  // Longer than the gateway's idle timeout, so the gateway closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}

export const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Stop accepting, let in-flight requests finish, resolve once the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive connections with no request in flight would hold close() open until
    // their idle timeout; close them now, and again as in-flight requests finish.
    const sweep = setInterval(() => server.closeIdleConnections(), 200);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** What `/metrics` answers: the exposition text and its content type. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/**
 * The metrics server on METRICS_PORT: `/metrics` from the source, 404 for anything
 * else. One per process: a role's own registries, or a cluster primary's aggregate.
 */
export function startMetricsServer(source: MetricsSource, port: number, host: string): Promise<Server> {
  const handler: RequestListener = (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    // A failed collection answers 500; as an unhandled rejection it would end the process.
    source.metrics().then(
      (text) => res.writeHead(200, { 'content-type': source.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  };
  return listen(handler, port, host);
}
