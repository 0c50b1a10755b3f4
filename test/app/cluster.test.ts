import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateLatest, openDatabase } from '../../app/src/db/database';
import { spawnApiServer } from '../support/server-process';

// WEB_CONCURRENCY > 1 is for a plain VM (in Kubernetes the HPA adds pods instead): the
// primary forks workers that share the port and passes SIGTERM on to them.
describe('WEB_CONCURRENCY=2', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cc-cluster-'));
    const db = openDatabase({ url: `sqlite:${path.join(dir, 'db.sqlite')}` });
    await migrateLatest(db);
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs two workers on one port, serves from them, and exits 0 on SIGTERM', async () => {
    const server = await spawnApiServer({
      DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`,
      WEB_CONCURRENCY: '2',
      SHUTDOWN_TIMEOUT_SECONDS: '10',
    });
    try {
      // Both workers announce themselves; wait for the second.
      for (let i = 0; i < 100 && (server.output().match(/"msg":"listening"/g) ?? []).length < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const listening = server.output().match(/"api":"(http:\/\/127\.0\.0\.1:\d+)"/g) ?? [];
      expect(listening).toHaveLength(2);
      expect(new Set(listening).size).toBe(1);

      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/api/v1/plans`).then((r) => r.status)));
      expect(answers.every((status) => status === 200)).toBe(true);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect((server.output().match(/"msg":"stopped"/g) ?? []).length).toBe(2);
  }, 120_000);
});
