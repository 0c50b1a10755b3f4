import Router from '@koa/router';
import { ApiError } from '../api-client';
import type { Course, Progress, Syllabus } from '../api-types';
import { sendPage, type WebState } from '../context';
import { CoursePage } from '../pages/course';
import { LandingPage } from '../pages/landing';
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
    // The page still offers sign-up when the api cannot answer.
    const syllabus = await learner.anonymous<Syllabus>({ method: 'GET', path: '/syllabus' }).catch(() => null);
    sendPage(ctx, 200, <LandingPage frame={frame(ctx, deps)} syllabus={syllabus} />);
  });

  return router;
}
