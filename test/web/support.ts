import type { Server } from 'node:http';
import pino from 'pino';
import { createWebApp, type WebAppDeps } from '../../app/src/web/app';
import { listen } from '../support/http';
import { signupTokenIn, type TestMailbox } from '../support/mailbox';

export const TEST_SESSION_SECRET = 'web-test-session-secret-0123456789abcdef';

export interface TestWeb {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The web role on an ephemeral port, calling the api at `apiUrl`. */
export async function startWeb(apiUrl: string, overrides: Partial<WebAppDeps> = {}): Promise<TestWeb> {
  const app = createWebApp({
    apiUrl,
    sessionSecret: TEST_SESSION_SECRET,
    secureCookies: false,
    // The shared test machine can be slow (scrypt under load): do not mistake it for an outage.
    apiTimeoutMs: 30_000,
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  const { server, url } = await listen(app);
  return {
    url,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface PageResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

/**
 * A browser without a browser: keeps cookies, does not follow redirects (tests look at
 * them), and reads the CSRF token out of the last page, the way a form would carry it.
 */
export class CookieClient {
  readonly cookies = new Map<string, string>();
  lastPage = '';

  constructor(private readonly base: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.send('GET', path, undefined, headers);
  }

  /** Submit a form as urlencoded, with the CSRF token of the last page unless given. */
  async post(path: string, fields: Record<string, string | string[]>, opts: { csrf?: string | null } = {}): Promise<PageResponse> {
    const body = new URLSearchParams();
    const token = opts.csrf === undefined ? this.csrfToken() : opts.csrf;
    if (token !== null) body.append('_csrf', token);
    for (const [name, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return this.send('POST', path, body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  csrfToken(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.lastPage) ?? /name="csrf-token" content="([^"]+)"/.exec(this.lastPage);
    if (!match) throw new Error('no CSRF token on the last page');
    return match[1];
  }

  async send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.base + path, {
      method,
      body,
      redirect: 'manual',
      headers: { ...headers, ...(cookie ? { cookie } : {}) },
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    if ((res.headers.get('content-type') ?? '').includes('text/html')) this.lastPage = text;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location'), setCookies };
  }
}

/**
 * Sign up on the web as a learner without JavaScript would: the form, then the link from
 * the mail the api sent (`mailbox`), its page, and its button. Returns the button's
 * answer: a 303 to the course with the session cookies set.
 */
export async function signUpOnWeb(
  browser: CookieClient,
  mailbox: TestMailbox,
  fields: { email: string; password: string; name?: string; timezone?: string },
): Promise<PageResponse> {
  await browser.get('/signup');
  const before = mailbox.to(fields.email).length;
  const sent = await browser.post('/signup', fields);
  if (sent.status !== 200) throw new Error(`the sign-up form answered ${sent.status}:\n${sent.text}`);
  const token = signupTokenIn((await mailbox.latestTo(fields.email, before + 1)).text);
  const page = await browser.get(`/signup/finish?token=${encodeURIComponent(token)}`);
  if (page.status !== 200) throw new Error(`the sign-up link's page answered ${page.status}`);
  return browser.post('/signup/finish', { token });
}
