import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { answerQuiz } from './quiz-answers';
import { finishSignUp, launchBrowser, startStack, type Stack } from './stack';
import { FixedClock } from '../../app/src/clock';
import { startWeb, type TestWeb } from '../web/support';

// Generous: the shared test machine can be very busy; a quiet one runs this file in about a minute.
jest.setTimeout(900_000);

// `npm test` must leave the working tree as it found it, so screenshots go to a temporary
// directory; `npm run screenshots` sets SCREENSHOTS_DIR=docs/screenshots to refresh the README's.
const KEEP_SCREENSHOTS = Boolean(process.env.SCREENSHOTS_DIR);
const SCREENSHOTS = process.env.SCREENSHOTS_DIR
  ? path.resolve(process.env.SCREENSHOTS_DIR)
  : mkdtempSync(path.join(tmpdir(), 'cc-screenshots-'));
const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 360, height: 740 },
} as const;

/** Every page a learner can reach, in the state the journey leaves it. */
const PAGES: { name: string; path: string; screenshot: boolean; status?: number }[] = [
  { name: 'course', path: '/', screenshot: true },
  { name: 'chapter', path: '/chapters/1', screenshot: true },
  { name: 'quiz', path: '/chapters/1/quiz', screenshot: true },
  { name: 'upgrade', path: '/chapters/4', screenshot: true, status: 403 },
  { name: 'search', path: '/search?q=reconciliation', screenshot: true },
  { name: 'search-empty', path: '/search?q=Kustomize', screenshot: false },
  { name: 'progress', path: '/progress', screenshot: true },
  { name: 'account', path: '/account', screenshot: true },
  { name: 'change-password', path: '/account/password', screenshot: true },
  { name: 'forgot-password', path: '/forgot-password', screenshot: true },
  { name: 'reset-password', path: '/reset-password?token=a-link-from-the-mail', screenshot: false },
  { name: 'plans', path: '/upgrade', screenshot: false },
  { name: 'not-found', path: '/no/such/page', screenshot: false, status: 404 },
];

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('every page: accessibility and screenshots', () => {
  let stack: Stack;
  let downWeb: TestWeb;
  let browser: Browser;
  const contexts: Partial<Record<keyof typeof VIEWPORTS, BrowserContext>> = {};
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [stack, browser, downWeb] = await Promise.all([startStack(), launchBrowser(), startWeb('http://127.0.0.1:1')]);
    // Fixed light scheme and reduced motion keep the screenshots the same from run to run.
    contexts.desktop = await browser.newContext({ viewport: VIEWPORTS.desktop, colorScheme: 'light', reducedMotion: 'reduce' });
    page = await contexts.desktop.newPage();
    page.setDefaultTimeout(60_000);
  });
  afterAll(async () => {
    await browser?.close();
    await downWeb?.close();
    await stack?.close();
    if (!KEEP_SCREENSHOTS) rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  const url = (p: string) => stack.web.url + p;

  async function shoot(name: string, target: Page = page, viewport: keyof typeof VIEWPORTS = 'desktop') {
    await target.screenshot({ path: path.join(SCREENSHOTS, `${name}-${viewport}.png`), fullPage: false, animations: 'disabled' });
  }

  it('signed out: landing, sign up (with errors) and sign in have no serious violations', async () => {
    await page.goto(url('/'));
    expect(await seriousViolations(page)).toEqual([]);
    await shoot('landing');
    await page.goto(url('/signin'));
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(url('/signup'));
    await page.getByLabel('Email').fill('not-an-email@x');
    await page.getByLabel('Password').fill('short');
    // Let the server, not the browser, refuse the form: its error page is what we scan.
    await page.evaluate(() => document.querySelector('form[action="/signup"]')?.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.locator('.error-summary').count()).resolves.toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot('signup-errors');
    // Sign-up's other pages: "check your inbox", the mailed link's page, a spent or made-up link.
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('heading', { name: 'Check your inbox' }).count()).resolves.toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot('signup-sent');
    await page.goto(url('/signup/finish?token=a-link-from-the-mail'));
    expect(await seriousViolations(page)).toEqual([]);
    await shoot('signup-finish');
    await page.getByRole('button', { name: 'Finish signing up' }).click();
    await expect(page.getByRole('heading', { name: 'This sign-up link does not work' }).count()).resolves.toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('signed out, without JavaScript: the landing page shows the syllabus and plans; the maintenance notice is accessible', async () => {
    // Announced: the first Sunday of August 2027 is 36 hours away on this web role's clock.
    const noticeWeb = await startWeb(stack.api.url, {
      maintenanceWindow: { schedule: '0 2 * * 0', weekOfMonth: 1, durationMinutes: 120, timeZone: 'Etc/UTC' },
      clock: new FixedClock(new Date('2027-07-30T14:00:00Z')),
    });
    const noScript = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      colorScheme: 'light',
      reducedMotion: 'reduce',
      javaScriptEnabled: false,
    });
    try {
      const visitor = await noScript.newPage();
      await visitor.goto(`${noticeWeb.url}/`);
      const syllabus = visitor.getByRole('list', { name: 'What you will learn' }).getByRole('listitem');
      await expect(syllabus.count()).resolves.toBeGreaterThanOrEqual(9);
      await expect(syllabus.first().innerText()).resolves.toMatch(/Chapter 1: .*\n.+\nFree/s);
      await expect(visitor.getByRole('heading', { name: 'Plans' }).isVisible()).resolves.toBe(true);
      const notice = visitor.getByRole('region', { name: 'Planned maintenance' });
      await expect(notice.getByRole('status').innerText()).resolves.toContain('Sunday 1 August 2027, 02:00–04:00');
      await shoot('maintenance-notice', visitor);
      await notice.getByRole('button', { name: 'Dismiss the maintenance notice' }).click();
      await expect(visitor.getByRole('region', { name: 'Planned maintenance' }).count()).resolves.toBe(0);
      expect(new URL(visitor.url()).pathname).toBe('/');
      // axe runs inside the page, so the scan needs a context with JavaScript (signed out here).
      await page.goto(`${noticeWeb.url}/`);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await noScript.close();
      await noticeWeb.close();
    }
  });

  it('signed in: every page has no serious or critical violation', async () => {
    await page.goto(url('/signup'));
    await page.getByLabel('Name (optional)').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await finishSignUp(stack, page, 'ada@example.com');
    await page.goto(url('/chapters/1'));
    await page.getByRole('button', { name: 'Mark chapter 1 complete' }).click();
    await page.goto(url('/chapters/1/quiz'));
    await answerQuiz(page, 1, { wrong: ['q3'] });
    await page.getByRole('button', { name: 'Submit answers' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await shoot('quiz-result');

    for (const entry of PAGES) {
      const response = await page.goto(url(entry.path));
      expect([entry.name, response?.status()]).toEqual([entry.name, entry.status ?? 200]);
      expect([entry.name, await seriousViolations(page)]).toEqual([entry.name, []]);
      if (entry.screenshot) await shoot(entry.name);
    }
  });

  it('mobile (360 px) and dark mode screenshots, and the page scrolls only vertically', async () => {
    const state = await contexts.desktop!.storageState();
    contexts.mobile = await browser.newContext({
      viewport: VIEWPORTS.mobile,
      colorScheme: 'light',
      reducedMotion: 'reduce',
      storageState: state,
    });
    const mobile = await contexts.mobile.newPage();
    for (const entry of PAGES.filter((p) => p.screenshot)) {
      await mobile.goto(url(entry.path));
      const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect([entry.name, overflow]).toEqual([entry.name, 0]);
      await shoot(entry.name, mobile, 'mobile');
    }
    const dark = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      colorScheme: 'dark',
      reducedMotion: 'reduce',
      storageState: state,
    });
    const darkPage = await dark.newPage();
    await darkPage.goto(url('/chapters/1'));
    expect(await seriousViolations(darkPage)).toEqual([]);
    await darkPage.screenshot({ path: path.join(SCREENSHOTS, 'chapter-dark-desktop.png') });
  });

  it('the "api is down" page is clear and accessible', async () => {
    // A browser of its own: cookies are per host, not per port, so the signed-in
    // learner's cookies from the other server would reach this one too.
    const fresh = await browser.newContext({ viewport: VIEWPORTS.desktop, reducedMotion: 'reduce' });
    const page = await fresh.newPage();
    const response = await page.goto(`${downWeb.url}/progress`);
    // Without a session the learner is first sent to sign in, which needs no api.
    expect(response?.status()).toBe(200);
    await page.context().addCookies([{ name: 'cc_access', value: 'x', url: downWeb.url }]);
    const down = await page.goto(`${downWeb.url}/progress`);
    expect(down?.status()).toBe(503);
    await expect(page.locator('h1').innerText()).resolves.toBe('The course is taking a break');
    expect(await seriousViolations(page)).toEqual([]);
    await fresh.close();
  });
});
