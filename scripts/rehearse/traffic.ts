import { createServer, request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/**
 * The gateway in front of the Rollout: sends `weight` % of requests to the canary, the
 * rest to stable, as the Gateway API plugin does by setting the HTTPRoute's backendRef
 * weights. Deterministic (a running remainder, not a coin), so a short rehearsal sees
 * exactly its share. `silent` breaks the canary's route: the canary gets nothing
 * whatever the weight, as when the HTTPRoute names the wrong Service.
 */
export class WeightedProxy {
  weight = 0;
  readonly served = { stable: 0, canary: 0, failed: 0 };
  private remainder = 0;
  private server?: Server;

  constructor(
    private readonly backends: { stable: string; canary?: string },
    private readonly silentCanary = false,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.remainder += this.weight;
      let side: 'stable' | 'canary' = 'stable';
      if (this.remainder >= 100) {
        this.remainder -= 100;
        if (!this.silentCanary && this.backends.canary) side = 'canary';
      }
      const target = new URL(req.url ?? '/', side === 'canary' ? this.backends.canary : this.backends.stable);
      const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        this.served[side]++;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => {
        this.served.failed++;
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }
}

/**
 * Learners reading the course: GETs of public paths at `rate` per second through the
 * proxy, loopback only, at most `maxInFlight` at once (a slow canary makes requests
 * queue at the proxy, not pile up here) and at most `maxRequests` in all.
 */
export class LearnerTraffic {
  sent = 0;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;

  constructor(
    private readonly opts: {
      url: string;
      paths: readonly string[];
      rate: number;
      maxRequests: number;
      maxInFlight?: number;
      headers?: Record<string, string>;
    },
  ) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(opts.url)) throw new Error(`learner traffic goes to loopback only, not ${opts.url}`);
  }

  start(): void {
    const tickMs = 50;
    let owed = 0;
    this.timer = setInterval(() => {
      owed = Math.min(this.opts.rate, owed + (this.opts.rate * tickMs) / 1000);
      while (owed >= 1 && this.sent < this.opts.maxRequests && this.inFlight < (this.opts.maxInFlight ?? 64)) {
        owed -= 1;
        const path = this.opts.paths[this.sent % this.opts.paths.length];
        this.sent++;
        this.inFlight++;
        fetch(this.opts.url + path, { headers: this.opts.headers, signal: AbortSignal.timeout(10_000) })
          .then((res) => res.arrayBuffer())
          .catch(() => undefined)
          .finally(() => this.inFlight--);
      }
      if (this.sent >= this.opts.maxRequests) this.stop();
    }, tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
