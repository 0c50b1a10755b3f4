import type Router from '@koa/router';
import type { Logger } from 'pino';
import { ApiError } from '../api-client';
import type { Plan } from '../api-types';
import { frameFor, sendPage, type WebContext, type WebRuntime, type WebState } from '../context';
import type { ChapterHtmlCache } from '../markdown';
import type { CourseOutlineCache } from '../outline';
import type { Frame } from '../pages/layout';
import { UpgradePage } from '../pages/chapter';

/** What every group of pages is given; the caches are built once per web app. */
export interface WebRouteDeps {
  readonly runtime: WebRuntime;
  readonly logger: Logger;
  /** Course titles and chapter count, learned from the api's answers. */
  readonly outline: CourseOutlineCache;
  /** Chapter Markdown rendered to HTML, once per chapter version. */
  readonly chapterHtml: ChapterHtmlCache;
}

/** A group of pages: one function per file, given the web role's dependencies. */
export type WebRouteModule = (deps: WebRouteDeps) => Router<WebState>;

export const frame = (ctx: WebContext, deps: WebRouteDeps): Frame => frameFor(ctx, deps.runtime);

/** Pages of a learner: without a session, go sign in and come back. */
export async function requireSession(ctx: WebContext, next: () => Promise<unknown>): Promise<void> {
  if (ctx.state.learner.hasSession) {
    await next();
    return;
  }
  ctx.status = 303;
  ctx.redirect(`/signin?next=${encodeURIComponent(ctx.originalUrl)}`);
}

export const isUpgrade = (error: unknown): error is ApiError => error instanceof ApiError && error.code === 'upgrade_required';

/** The 403 page offering the plans that unlock a chapter (the api's `upgrade_required`). */
export function sendUpgradePanel(ctx: WebContext, deps: WebRouteDeps, number: number, error: ApiError): void {
  const plans = Array.isArray(error.details.plans) ? (error.details.plans as Plan[]) : [];
  sendPage(
    ctx,
    403,
    <UpgradePage
      frame={frame(ctx, deps)}
      chapterNumber={number}
      chapterTitle={deps.outline.titleOf(number)}
      requiredTier={typeof error.details.required_tier === 'string' ? error.details.required_tier : 'premium'}
      plans={plans}
      previous={number > 1 ? { number: number - 1, title: deps.outline.titleOf(number - 1) } : null}
    />,
    deps.runtime.pages,
  );
}
