/**
 * `npm run dev` loads a change in app/content into the running version, no restart
 * (issue 17, item 1); a broken file is reported and the last good content stays.
 * Runs the real child (app/src/dev/child.ts) over a copy of the fixture course.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyFixtureContent } from '../learning/support';
import { listenForReloads, supervisorFor, tempDir, until } from './support';

jest.setTimeout(300_000);

describe('content reload under npm run dev', () => {
  const content = copyFixtureContent();
  const work = tempDir('cc-dev-');
  const chapterOne = path.join(content.dir, 'chapters', '01-containers.md');
  const { supervisor, lines } = supervisorFor({
    // Nothing changes here: this test is about content.
    sourceDir: work,
    contentDir: content.dir,
    child: {
      entry: path.resolve(__dirname, '../../../app/src/dev/child.ts'),
      args: ['--content-dir', content.dir],
      env: { DATABASE_URL: `sqlite:${path.join(work, 'dev.sqlite')}`, LOG_LEVEL: 'warn' },
    },
  });
  let urls: { web: string; api: string };
  const firstTitle = async () =>
    ((await (await fetch(`${urls.api}/api/v1/syllabus`)).json()) as { chapters: { title: string }[] }).chapters[0].title;

  beforeAll(async () => {
    urls = await supervisor.start();
  });
  afterAll(async () => {
    await supervisor.stop();
    content.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it("serves the app's pages, with the reload script under the page's own CSP nonce", async () => {
    const res = await fetch(`${urls.web}/`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const nonce = /<script src="\/assets\/app\.[0-9a-f]+\.js" defer nonce="([^"]+)"/.exec(page)?.[1];
    expect(nonce).toBeTruthy();
    expect(page).toContain(`<script src="/__dev/reload.js" defer nonce="${nonce}"></script>`);
    expect(res.headers.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
  });

  it('loads an edited chapter into the running version and reloads open pages', async () => {
    expect(await firstTitle()).toBe('Containers');
    const pid = supervisor.servingPid;
    const reloads = await listenForReloads(urls.web);
    writeFileSync(chapterOne, readFileSync(chapterOne, 'utf8').replace('title: Containers', 'title: Containers, revised'));
    await until(async () => (await firstTitle()) === 'Containers, revised');
    expect(supervisor.servingPid).toBe(pid);
    await until(() => reloads.count() >= 1);
    reloads.close();
    expect(lines.join('\n')).toContain('[dev] content reloaded (5 chapters)');
  });

  it('keeps the last good content when a file is broken, and says which', async () => {
    writeFileSync(chapterOne, readFileSync(chapterOne, 'utf8').replace(/^number: 1$/m, 'number: one'));
    await until(() => lines.some((line) => line.includes('content NOT reloaded')));
    expect(lines.join('\n')).toMatch(
      /content NOT reloaded, the last good content stays:\n.*\n.*01-containers\.md: number: Expected number/,
    );
    expect(await firstTitle()).toBe('Containers, revised');
  });
});
