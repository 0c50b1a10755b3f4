/**
 * A baseline server in its own process: bare `node:http` or a bare Koa app answering
 * every request with the same bytes (read once from BASELINE_BODY) the measured route
 * answered, so each ratio compares the app with the least a server can do for them.
 * Koa is loaded only by the Koa baseline, so the bare server's RSS is node:http's own.
 *
 *   BASELINE_KIND=http|koa BASELINE_BODY=<file> BASELINE_TYPE=<content-type> PORT=<n>
 */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';

const body = readFileSync(process.env.BASELINE_BODY ?? '');
const contentType = process.env.BASELINE_TYPE ?? 'application/octet-stream';

const bareHttp: RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
};

async function bareKoa(): Promise<RequestListener> {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  app.use((ctx) => {
    ctx.type = contentType;
    ctx.body = body;
  });
  const handle = app.callback();
  return (req, res) => void handle(req, res);
}

async function main(): Promise<void> {
  const server = createServer(process.env.BASELINE_KIND === 'koa' ? await bareKoa() : bareHttp);
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

void main();
