import Router from '@koa/router';
import { ApiError } from '../api-client';
import type { Course, Progress } from '../api-types';
import { sendPage, type WebState } from '../context';
import { CoursePage, LandingPage } from '../pages/course';
import { frame, type WebRouteDeps } from './shared';

/** `/`: the course and where to resume for a learner; the public landing page otherwise. */
export function homeRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  const { outline } = deps;

  router.get('home', '/', async (ctx) => {
    const learner = ctx.state.learner;
    if (learner.hasSession) {
      try {
        const [course, progress] = await Promise.all([
          learner.call<Course>({ method: 'GET', path: '/course' }),
          learner.call<Progress>({ method: 'GET', path: '/progress' }),
        ]);
        outline.remember(course);
        sendPage(ctx, 200, <CoursePage frame={frame(ctx, deps)} course={course} resume={progress.resume} />);
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
        // The session ended (revoked, expired): show the public home page.
      }
    }
    const course = await learner.anonymous<Course>({ method: 'GET', path: '/course' }).catch(() => null);
    sendPage(ctx, 200, <LandingPage frame={frame(ctx, deps)} course={course ?? outline.course()} />);
  });

  return router;
}
