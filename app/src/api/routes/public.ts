import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { BadRequest } from '../../errors';
import { getSyllabus } from '../../domain/syllabus';
import { describeWindow, maintenanceStatus } from '../../maintenance/notice';
import { isTimeZone } from '../../maintenance/window';

/** What anyone may read without signing in: the syllabus and the service status. */
export function publicRoutes(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>();

  router.get('/syllabus', async (ctx) => {
    ctx.body = await getSyllabus(deps.stores);
  });

  // The next maintenance window (issue 17, item 3); `?tz=Area/City` describes it in that zone.
  router.get('/status', (ctx) => {
    const tz = typeof ctx.query.tz === 'string' && ctx.query.tz !== '' ? ctx.query.tz : 'Etc/UTC';
    if (!isTimeZone(tz)) throw new BadRequest('tz must be an IANA time zone such as "Europe/Paris".', { field: 'tz' });
    const window = deps.config.maintenanceWindow;
    if (!window) {
      ctx.body = { maintenance: null };
      return;
    }
    const status = maintenanceStatus(window, deps.clock.now());
    ctx.body = {
      maintenance: {
        start: status.start.toISOString(),
        end: status.end.toISOString(),
        announce_from: status.announceFrom.toISOString(),
        announced: status.announced,
        in_progress: status.inProgress,
        time_zone: tz,
        description: describeWindow(status, tz),
      },
    };
  });

  return router;
}
