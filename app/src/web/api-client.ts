import http from 'node:http';
import https from 'node:https';
import type { ApiErrorBody } from './api-types';
import { clientAddressHeaders } from '../client-address';

/** The api answered with an error body (`{ code, message, details }`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The api could not be reached, timed out, or answered 502/503/504: show "the api is down". */
export class ApiUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`The api is unavailable: ${reason}`);
    this.name = 'ApiUnavailable';
  }
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: http.IncomingHttpHeaders;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below `/api/v1`, e.g. `/chapters/2`. */
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
  /** Propagated so one learner action can be followed across both roles' logs. */
  readonly requestId?: string;
  /** The visitor's address, passed on signed so the api limits per visitor, not per web pod. */
  readonly clientAddress?: string;
}

export interface ApiClientOptions {
  /** API_URL, e.g. `http://api-stable:8000`; `/api/v1` is appended here. */
  readonly baseUrl: string;
  /** Give up on a call after this long and show the "api is down" page. @default 5000 */
  readonly timeoutMs?: number;
  /** Upper bound of kept-alive sockets to the api. @default 64 */
  readonly maxSockets?: number;
  /** CLIENT_ADDRESS_SECRET: signs `clientAddress`; without it no address is passed on. */
  readonly clientAddressSecret?: string;
}

const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/**
 * A small JSON client for the api role. It uses node:http with a keep-alive agent
 * rather than fetch: every page costs one api call, and reusing sockets is most of
 * what keeps the web role's throughput near the api's.
 */
export class ApiClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly transport: typeof http | typeof https;
  private readonly clientAddressSecret?: string;

  constructor(options: ApiClientOptions) {
    this.base = new URL(options.baseUrl);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new Error(`API_URL must be an http(s) URL, got "${options.baseUrl}"`);
    }
    this.transport = this.base.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clientAddressSecret = options.clientAddressSecret;
  }

  /** Resolves with 2xx answers; throws ApiError for 4xx/5xx bodies, ApiUnavailable when unreachable. */
  async call<T>(request: ApiRequest): Promise<ApiResponse<T>> {
    const response = await this.send(request);
    if (response.status >= 200 && response.status < 300) return response as ApiResponse<T>;
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      throw new ApiUnavailable(`status ${response.status}`);
    }
    const body = (response.body ?? {}) as Partial<ApiErrorBody>;
    throw new ApiError(
      response.status,
      typeof body.code === 'string' ? body.code : `http_${response.status}`,
      typeof body.message === 'string' ? body.message : `The api answered ${response.status}.`,
      body.details && typeof body.details === 'object' ? body.details : {},
    );
  }

  /** Whether the api answers its liveness probe, and how fast (for the web role's `/health`). */
  async ping(): Promise<{ ok: boolean; ms: number }> {
    const started = process.hrtime.bigint();
    const ok = await this.send({ method: 'GET', path: '/livez' }, '').then(
      (response) => response.status === 200,
      () => false,
    );
    return { ok, ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100 };
  }

  close(): void {
    this.agent.destroy();
  }

  private send(request: ApiRequest, prefix = '/api/v1'): Promise<ApiResponse<unknown>> {
    const basePath = this.base.pathname.replace(/\/$/, '');
    const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    if (request.requestId) headers['x-request-id'] = request.requestId;
    if (request.clientAddress && this.clientAddressSecret) {
      Object.assign(headers, clientAddressHeaders(this.clientAddressSecret, request.clientAddress));
    }

    return new Promise((resolve, reject) => {
      const req = this.transport.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          path: `${basePath}${prefix}${request.path}`,
          method: request.method,
          headers,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy();
              reject(new ApiUnavailable('response too large'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (error) => reject(new ApiUnavailable(error.message)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = undefined;
            if (text.length > 0) {
              try {
                body = JSON.parse(text);
              } catch {
                // A proxy's HTML error page, say: treat 5xx as unavailable, else as an error body.
                body = undefined;
              }
            }
            resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) => reject(new ApiUnavailable(error.message)));
      if (payload) req.write(payload);
      req.end();
    });
  }
}
