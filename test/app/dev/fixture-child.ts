/**
 * A stand-in for app/src/dev/child.ts in the supervisor's tests: serves `VERSION` from
 * ./version.ts on three free ports and speaks the child's protocol. The tests break and
 * mend version.ts to see what the supervisor does with a bad change.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { VERSION } from './version';

async function serve(): Promise<string> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': req.url === '/page' ? 'text/html; charset=utf-8' : 'text/plain' });
    res.end(
      req.url === '/page'
        ? `<html><head><script src="/a.js" nonce="abc"></script></head><body>${VERSION}</body></html>`
        : `${VERSION} ${process.pid}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

void Promise.all([serve(), serve(), serve()]).then(([web, api, metrics]) => {
  process.send?.({ type: 'ready', urls: { web, api, metrics } });
});
process.once('SIGTERM', () => process.exit(0));
process.once('disconnect', () => process.exit(0));
