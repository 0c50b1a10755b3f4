import type Koa from 'koa';
import type Router from '@koa/router';
import type { VNode } from 'preact';
import type { AssetUrls } from './assets';
import type { CsrfTokens } from './csrf';
import { flashMessage, type FlashKey } from './flash';
import { PageTemplates, renderPage } from './page-templates';
import type { Frame } from './pages/layout';
import { cookieNames, cookieOptions, type CookieNames, type CookieSettings, type LearnerApi } from './session';

/** What the web middleware puts on `ctx.state` for the routes. */
export interface WebState {
  requestId: string;
  nonce: string;
  csrfSecret: string;
  learner: LearnerApi;
  flash?: string;
}

/** A request's context anywhere in the web app (middleware before the router included). */
export type WebAppContext = Koa.ParameterizedContext<WebState>;

/** A request's context inside a route. */
export type WebContext = Router.RouterContext<WebState> & WebAppContext;

/** Process-wide things the request helpers need. */
export interface WebRuntime {
  readonly assets: AssetUrls;
  readonly csrf: CsrfTokens;
  readonly cookies: CookieSettings;
  readonly names: CookieNames;
  /** Pages many learners see alike (see sendPage). */
  readonly pages: PageTemplates;
}

export function createRuntime(assets: AssetUrls, csrf: CsrfTokens, cookies: CookieSettings): WebRuntime {
  return { assets, csrf, cookies, names: cookieNames(cookies), pages: new PageTemplates() };
}

export function frameFor(ctx: WebAppContext, runtime: WebRuntime): Frame {
  return {
    csrfToken: runtime.csrf.tokenFor(ctx.state.csrfSecret),
    nonce: ctx.state.nonce,
    assets: runtime.assets,
    signedIn: ctx.state.learner.hasSession,
    path: ctx.path,
    flash: ctx.state.flash,
  };
}

/**
 * Send a page. Pages hold CSRF tokens and a learner's data: never stored by caches.
 * With `templates`, for pages many learners see alike (a chapter), the page is
 * rendered once per distinct set of props and reused (see PageTemplates).
 * The page leaves as UTF-8 bytes encoded once here: given a string, Koa would measure
 * its UTF-8 length and the socket would then encode it again (typographic quotes make
 * it a two-byte string, so each pass is a real one).
 */
export function sendPage(ctx: WebAppContext, status: number, page: VNode<{ frame: Frame }>, templates?: PageTemplates): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = templates ? templates.render(page) : Buffer.from(renderPage(page), 'utf8');
}

/** POST-redirect-GET, with an optional one-line confirmation on the next page. */
export function redirectWithFlash(ctx: WebAppContext, runtime: WebRuntime, location: string, flash?: FlashKey): void {
  if (flash) ctx.cookies.set(runtime.names.flash, flash, cookieOptions(runtime.cookies, 60_000));
  ctx.status = 303;
  ctx.redirect(location);
}

/** Read and clear the flash cookie (GET only, so the message shows once). */
export function takeFlash(ctx: WebAppContext, runtime: WebRuntime): string | undefined {
  const key = ctx.cookies.get(runtime.names.flash);
  if (!key) return undefined;
  ctx.cookies.set(runtime.names.flash, '', cookieOptions(runtime.cookies));
  return flashMessage(key);
}

/** A fresh CSRF secret: at start, and whenever the learner signs in or out. */
export function rotateCsrf(ctx: WebAppContext, runtime: WebRuntime): void {
  ctx.state.csrfSecret = runtime.csrf.newSecret();
  ctx.cookies.set(runtime.names.csrf, ctx.state.csrfSecret, cookieOptions(runtime.cookies));
}

/** Only local paths are followed after sign in: `//evil.example` and `/\evil` are not. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f]/.test(next) || next.length > 500) return undefined;
  return next;
}
