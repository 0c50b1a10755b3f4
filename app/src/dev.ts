import path from 'node:path';
import { METRICS_PORT, ROLE_PORTS } from './contract';
import { DevSupervisor } from './dev/supervisor';
import { CONTENT_DIR } from './migrate';

/**
 * `npm run dev`: everything on a laptop with no set-up. The api on :8000 and the web
 * pages on :3000 over an SQLite file (migrated and loaded with the course at start),
 * reloading as you work (issue 17, item 1):
 * - a change in app/src starts a new version in a child process; it replaces the
 *   running one only once it is ready, so an error leaves the last good one serving;
 * - a change in app/content is loaded into the running version, no restart;
 * - open pages reload themselves after either.
 * Any variable already in the environment wins over the development defaults
 * (app/src/dev/child.ts).
 */
async function main(): Promise<void> {
  const supervisor = new DevSupervisor({
    ports: { ...ROLE_PORTS, metrics: METRICS_PORT },
    host: '127.0.0.1',
    sourceDir: __dirname,
    contentDir: CONTENT_DIR,
    tsconfig: path.join(__dirname, '..', 'tsconfig.json'),
    // tsx only strips types: a version must also type-check to replace the running one.
    typecheck: [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', path.join(__dirname, '..', 'tsconfig.json')],
    child: { entry: path.join(__dirname, 'dev', 'child.ts'), args: ['--content-dir', CONTENT_DIR] },
  });
  const urls = await supervisor.start();
  process.stderr.write(`[dev] web on ${urls.web}, api on ${urls.api}, metrics on ${urls.metrics}; watching app/src and app/content\n`);
  const stop = () => void supervisor.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
