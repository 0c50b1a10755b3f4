import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateLatest, openDatabase } from '../../app/src/db/database';
import { spawnApiServer } from '../support/server-process';

describe('SIGTERM', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cc-shutdown-'));
    const db = openDatabase({ url: `sqlite:${path.join(dir, 'db.sqlite')}` });
    await migrateLatest(db);
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails readiness at once, finishes the request in flight, closes the pool and exits 0', async () => {
    const { child, url, output, exited } = await spawnApiServer({
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      SHUTDOWN_TIMEOUT_SECONDS: '20',
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // A request whose body is still arriving when the signal comes: in flight.
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const body = JSON.stringify({ email: 'someone@example.com', password: 'not their password' });
    socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.slice(0, 10));
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));

    child.kill('SIGTERM');
    // Readiness fails while the listener still drains.
    let readiness = 200;
    for (let i = 0; i < 100 && readiness === 200; i += 1) readiness = (await fetch(`${url}/readyz`)).status;
    expect(readiness).toBe(503);

    socket.write(body.slice(10));
    await once(socket, 'end');
    expect(response).toMatch(/^HTTP\/1\.1 401/);

    const code = await exited;
    expect({ code, output: code === 0 ? '' : output() }).toEqual({ code: 0, output: '' });
    expect(output()).toContain('"msg":"stopped"');
  }, 180_000);
});
