import Router from '@koa/router';
import type { User } from '../api-types';
import { redirectWithFlash, rotateCsrf, sendPage, type WebContext, type WebState } from '../context';
import { canonicalTimeZone, TIME_ZONES } from '../../domain/time-zones';
import { ApiError } from '../api-client';
import { bodyOf, password, text } from '../forms';
import { AccountPage } from '../pages/account';
import type { FieldErrors } from '../pages/forms';
import { cookieOptions } from '../session';
import { frame, requireSession, type WebRouteDeps } from './shared';

/** The learner's account: time zone, export of their data, deletion. */
export function accountRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  const { runtime } = deps;

  router.get('account', '/account', requireSession, async (ctx) => {
    const user = await ctx.state.learner.call<User>({ method: 'GET', path: '/me' });
    sendPage(ctx, 200, <AccountPage frame={frame(ctx, deps)} user={user} timezones={TIME_ZONES} errors={{}} />);
  });

  router.post('updateAccount', '/account', requireSession, async (ctx) => {
    const timezone = canonicalTimeZone(text(bodyOf(ctx).timezone));
    if (timezone === null) return refuse(ctx, deps, { timezone: 'Choose a time zone from the list.' });
    await ctx.state.learner.call<User>({ method: 'PATCH', path: '/me', body: { timezone } });
    redirectWithFlash(ctx, runtime, '/account', 'timezone-saved');
  });

  router.get('exportAccount', '/account/export', requireSession, async (ctx) => {
    const data = await ctx.state.learner.call<unknown>({ method: 'GET', path: '/me/export' });
    ctx.set('Cache-Control', 'no-store');
    ctx.attachment('course-companion-export.json');
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(data, null, 2);
  });

  router.post('deleteAccount', '/account/delete', requireSession, async (ctx) => {
    const body = bodyOf(ctx);
    if (body.confirm !== 'delete') {
      return refuse(ctx, deps, { confirm: 'Tick the box to confirm that you want your account deleted.' });
    }
    const secret = password(body.password);
    if (!secret) return refuse(ctx, deps, { password: 'Enter your password to confirm that it is you.' });
    try {
      await ctx.state.learner.call({ method: 'DELETE', path: '/me', body: { password: secret } });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'wrong_password')
        return refuse(ctx, deps, { password: 'That is not your password.' });
      throw error;
    }
    ctx.state.learner.forget();
    ctx.cookies.set(runtime.names.position, '', cookieOptions(runtime.cookies));
    rotateCsrf(ctx, runtime);
    redirectWithFlash(ctx, runtime, '/', 'account-deleted');
  });

  return router;
}

/** The account page again, 422, with what to fix. */
async function refuse(ctx: WebContext, deps: WebRouteDeps, errors: FieldErrors): Promise<void> {
  const user = await ctx.state.learner.call<User>({ method: 'GET', path: '/me' });
  sendPage(ctx, 422, <AccountPage frame={frame(ctx, deps)} user={user} timezones={TIME_ZONES} errors={errors} />);
}
