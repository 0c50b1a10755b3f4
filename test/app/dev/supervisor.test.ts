/**
 * `npm run dev` keeps the last good version serving (issue 17, item 1): a change that
 * cannot start is reported with its error and never replaces the running version; a
 * good change replaces it without the port closing, and open pages are told to reload.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listenForReloads, supervisorFor, tempDir, until } from './support';

jest.setTimeout(300_000);

describe('the dev supervisor', () => {
  const dir = tempDir('cc-dev-src-');
  const writeVersion = (source: string) => writeFileSync(path.join(dir, 'version.ts'), source);
  writeVersion("export const VERSION = 'v1';\n");
  cpSync(path.join(__dirname, 'fixture-child.ts'), path.join(dir, 'child.ts'));
  mkdirSync(path.join(dir, 'content'));
  const { supervisor, lines } = supervisorFor({
    sourceDir: dir,
    contentDir: path.join(dir, 'content'),
    child: { entry: path.join(dir, 'child.ts') },
    typecheck: [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--types', 'node', path.join(dir, 'version.ts')],
  });
  let urls: { web: string; api: string };
  const serving = async () => (await fetch(`${urls.api}/`)).text();

  beforeAll(async () => {
    urls = await supervisor.start();
  });
  afterAll(async () => {
    await supervisor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the first version on its fixed ports, pages with the reload script', async () => {
    expect(await serving()).toBe(`v1 ${supervisor.servingPid}`);
    const page = await (await fetch(`${urls.web}/page`)).text();
    expect(page).toContain('<script src="/__dev/reload.js" defer nonce="abc"></script></head>');
  });

  it('keeps the last good version serving when a change does not compile, and says why', async () => {
    const before = await serving();
    const outcome = supervisor.nextOutcome();
    writeVersion("export const VERSION = 'v2'\nexport const = broken;\n");
    await expect(outcome).resolves.toBe('failed');
    expect(await serving()).toBe(before);
    const report = lines.join('\n');
    expect(report).toContain(`CHANGE FAILED, still serving the last good version (pid ${supervisor.servingPid})`);
    expect(report).toMatch(/version\.ts:2/);
  });

  it('keeps it too when the new version throws while starting', async () => {
    const before = await serving();
    const outcome = supervisor.nextOutcome();
    writeVersion("throw new Error('no database here');\nexport const VERSION = 'v2';\n");
    await expect(outcome).resolves.toBe('failed');
    expect(await serving()).toBe(before);
    expect(lines.join('\n')).toContain('Error: no database here');
  });

  it('keeps it too when the change runs but does not type-check', async () => {
    const before = await serving();
    const outcome = supervisor.nextOutcome();
    writeVersion("export const VERSION: number = 'v2';\n");
    await expect(outcome).resolves.toBe('failed');
    expect(await serving()).toBe(before);
    expect(lines.join('\n')).toMatch(/The new version does not type-check:\n.*version\.ts\(1,14\): error TS2322/);
  });

  it('swaps to a good change and tells open pages to reload', async () => {
    const reloads = await listenForReloads(urls.web);
    const oldPid = supervisor.servingPid;
    const outcome = supervisor.nextOutcome();
    writeVersion("export const VERSION = 'v2';\n");
    await expect(outcome).resolves.toBe('swapped');
    expect(supervisor.servingPid).not.toBe(oldPid);
    expect(await serving()).toBe(`v2 ${supervisor.servingPid}`);
    await until(() => reloads.count() === 1);
    reloads.close();
  });
});
