import http, { type IncomingMessage, type ServerResponse } from 'node:http';

/** Where the page's reload script lives and where it listens, on the web port only. */
export const RELOAD_SCRIPT_PATH = '/__dev/reload.js';
export const RELOAD_EVENTS_PATH = '/__dev/events';

/**
 * The script the dev server adds to every page. Served by the supervisor only: the app
 * itself (and so the production image's web role) has no such path or script.
 * EventSource reconnects by itself, so a page survives the supervisor's own restart.
 */
const RELOAD_SCRIPT = `new EventSource(${JSON.stringify(RELOAD_EVENTS_PATH)}).addEventListener('reload', () => location.reload());\n`;

/** The open pages' event streams: one `reload` event each after a change. */
export class ReloadEvents {
  private readonly clients = new Set<ServerResponse>();

  attach(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  reload(): void {
    for (const res of this.clients) res.write('event: reload\ndata: {}\n\n');
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

/**
 * Adds the reload script to an HTML page, with the page's own CSP nonce (the web role
 * allows only scripts carrying it).
 */
export function injectReloadScript(html: string): string {
  const nonce = /<script[^>]*\snonce="([^"]+)"/.exec(html)?.[1];
  const tag = `<script src="${RELOAD_SCRIPT_PATH}" defer${nonce ? ` nonce="${nonce}"` : ''}></script>`;
  return html.includes('</head>') ? html.replace('</head>', `${tag}</head>`) : html;
}

export interface DevProxyOptions {
  /** The current version's address for this port, e.g. `http://127.0.0.1:41234`; undefined while none runs. */
  readonly target: () => string | undefined;
  /** The web port's extras: the reload script in pages and the event stream. */
  readonly reload?: ReloadEvents;
  /** Why nothing answers, for the 503 page while no version has started. */
  readonly lastError: () => string | undefined;
}

function answerUnavailable(res: ServerResponse, why: string | undefined): void {
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
  res.end(`npm run dev: no version of the app is running yet.\n\n${why ?? 'Starting…'}\n`);
}

/** Pass the answer on; pages get the reload script (asked for uncompressed, so it can be added). */
function relay(upstream: IncomingMessage, res: ServerResponse, reload: ReloadEvents | undefined): void {
  const html = reload !== undefined && String(upstream.headers['content-type'] ?? '').startsWith('text/html');
  if (!html) {
    res.writeHead(upstream.statusCode ?? 502, upstream.headers);
    upstream.pipe(res);
    return;
  }
  const chunks: Buffer[] = [];
  upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
  upstream.on('end', () => {
    const body = Buffer.from(injectReloadScript(Buffer.concat(chunks).toString('utf8')), 'utf8');
    const headers = { ...upstream.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding']; // the body is whole now: a length, not chunks
    res.writeHead(upstream.statusCode ?? 502, headers);
    res.end(body);
  });
}

/**
 * One of the fixed ports (3000, 8000) of `npm run dev`: forwards every request to the
 * version that runs now, so a new version replaces the old one without the port ever
 * closing, and a version that fails to start never replaces a working one.
 */
export function createDevProxy(options: DevProxyOptions): http.Server {
  return http.createServer((req, res) => {
    const { reload } = options;
    if (reload && req.url === RELOAD_SCRIPT_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(RELOAD_SCRIPT);
      return;
    }
    if (reload && req.url === RELOAD_EVENTS_PATH) {
      reload.attach(res);
      return;
    }
    const target = options.target();
    if (!target) {
      answerUnavailable(res, options.lastError());
      return;
    }
    const headers = { ...req.headers };
    if (reload) delete headers['accept-encoding'];
    const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers }, (answer) => relay(answer, res, reload));
    upstream.on('error', () => answerUnavailable(res, options.lastError()));
    req.pipe(upstream);
  });
}
