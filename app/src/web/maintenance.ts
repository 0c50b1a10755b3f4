import Router from '@koa/router';
import type { Clock } from '../clock';
import { describeWindow, maintenanceStatus, type MaintenanceStatus } from '../maintenance/notice';
import type { MaintenanceWindow } from '../maintenance/window';
import { redirectWithFlash, safeNext, type WebState } from './context';
import { bodyOf } from './forms';
import { cookieOptions, type CookieSettings } from './session';
import type { WebRouteDeps } from './routes/shared';

/** What the layout shows while a maintenance window is announced. */
export interface MaintenanceBanner {
  /** e.g. "Sunday 1 August 2027, 02:00–04:00 (Etc/UTC)". */
  readonly description: string;
  readonly inProgress: boolean;
  /** The window's start (ISO): the dismiss form names the window it hides. */
  readonly start: string;
}

/**
 * The 48-hour maintenance notice (issue 17, item 3) for the web role: whether to show
 * it now, given the environment's window (MAINTENANCE_WINDOW) and the learner's dismissal.
 * The status is computed again only when the clock passes the next boundary (the
 * notice starts or the window ends), not on every page.
 */
export class MaintenanceNotices {
  private current: { status: MaintenanceStatus; banner: MaintenanceBanner; computedAt: Date } | undefined;

  constructor(
    private readonly window: MaintenanceWindow | undefined,
    private readonly clock: Clock,
    readonly cookies: CookieSettings,
  ) {}

  /** The cookie that hides one window's notice: host-only and Secure like the others. */
  get cookieName(): string {
    return `${this.cookies.secure ? '__Host-' : ''}cc_maintenance`;
  }

  /** The banner to show, unless no window is announced now or this one was dismissed. */
  bannerFor(dismissed: string | undefined): MaintenanceBanner | undefined {
    if (!this.window) return undefined;
    const now = this.clock.now();
    const known = this.current?.status;
    // A clock set back (tests; a corrected host clock) also means computing again.
    const stale = !known || now < this.current!.computedAt || now >= known.end || (!known.announced && now >= known.announceFrom);
    if (stale) {
      const status = maintenanceStatus(this.window, now);
      const banner = { description: describeWindow(status, this.window.timeZone), inProgress: false, start: status.start.toISOString() };
      this.current = { status, banner, computedAt: now };
    }
    const { status, banner } = this.current!;
    if (now < status.announceFrom || banner.start === dismissed) return undefined;
    return now >= status.start ? { ...banner, inProgress: true } : banner;
  }

  /** How long the dismissal must last: until the announced window ends. */
  dismissalMaxAgeMs(): number {
    const status = this.current?.status ?? (this.window ? maintenanceStatus(this.window, this.clock.now()) : undefined);
    return status ? Math.max(0, status.end.getTime() - this.clock.now().getTime()) : 0;
  }
}

/**
 * `POST /maintenance-notice/dismiss`: a plain form (CSRF-checked like every POST), so
 * dismissing works without JavaScript; the learner returns to the page they were on.
 */
export function maintenanceRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  const { runtime } = deps;
  router.post('dismiss-maintenance', '/maintenance-notice/dismiss', (ctx) => {
    const body = bodyOf(ctx);
    const notices = runtime.notices;
    const banner = notices.bannerFor(undefined);
    if (banner && body.start === banner.start) {
      ctx.cookies.set(notices.cookieName, banner.start, cookieOptions(notices.cookies, notices.dismissalMaxAgeMs()));
    }
    redirectWithFlash(ctx, runtime, safeNext(body.next) ?? '/');
  });
  return router;
}
