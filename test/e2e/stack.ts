import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FixedClock } from '../../app/src/clock';
import { loadCourseContent } from '../../app/src/domain/content-loader';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startApi, type TestApi } from '../support/http';
import { signupTokenIn } from '../support/mailbox';
import { startWeb, type TestWeb } from '../web/support';

// CC_CONTENT_DIR runs the browser tests against another copy of the course.
export const CONTENT_DIR = process.env.CC_CONTENT_DIR ?? path.resolve(__dirname, '../../app/content');

/** The flags the team runs Debian's Chromium with (no sandbox in containers, no network chatter). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface Stack {
  database: TestDatabase;
  api: TestApi;
  web: TestWeb;
  close(): Promise<void>;
}

/**
 * The real thing, small: a migrated SQLite file with the course loaded, the api role
 * on it, and the web role calling the api over HTTP. Ports are ephemeral.
 */
export async function startStack(): Promise<Stack> {
  const clock = new FixedClock(new Date());
  const database = await createTestDatabase('sqlite');
  await loadCourseContent(database.db, CONTENT_DIR, clock);
  const api = await startApi('sqlite', { database, clock });
  const web = await startWeb(api.url);
  return {
    database,
    api,
    web,
    async close() {
      await web.close();
      await api.close();
      await database.drop();
    },
  };
}

/**
 * After the sign-up form: the "check your inbox" page, then the link the api mailed to
 * `email` opened in `page` and its button pressed, as the learner would from their inbox.
 */
export async function finishSignUp(stack: Stack, page: Page, email: string): Promise<void> {
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const token = signupTokenIn((await stack.api.mailbox.latestTo(email)).text);
  await page.goto(`${stack.web.url}/signup/finish?token=${token}`);
  await page.getByRole('button', { name: 'Finish signing up' }).click();
  await page.waitForURL(`${stack.web.url}/`);
}
