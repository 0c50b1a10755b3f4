import Router from '@koa/router';
import type { Logger } from 'pino';
import { ApiError } from './api-client';
import type {
  Answer,
  AttemptHistory,
  AttemptResult,
  Chapter,
  Course,
  Plan,
  Progress,
  Quiz,
  SearchResponse,
  Session,
  User,
} from './api-types';
import { frameFor, redirectWithFlash, rotateCsrf, safeNext, sendPage, type WebContext, type WebRuntime, type WebState } from './context';
import { ChapterHtmlCache } from './markdown';
import { CourseOutlineCache } from './outline';
import { AccountPage } from './pages/account';
import { SignInPage, SignUpPage } from './pages/auth';
import { ChapterPage, UpgradePage } from './pages/chapter';
import { CoursePage, LandingPage } from './pages/course';
import { ErrorPage, troubleStatus } from './pages/errors';
import type { FieldErrors } from './pages/forms';
import { ProgressPage } from './pages/progress';
import { QuizPage, QuizResultPage } from './pages/quiz';
import { SearchPage } from './pages/search';
import { cookieOptions } from './session';

const TIMEZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Body = Record<string, unknown>;
const bodyOf = (ctx: WebContext): Body => ((ctx.request as unknown as { body?: Body }).body ?? {});
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** `/chapters/:number` takes a positive integer and nothing else. */
function chapterNumber(ctx: WebContext): number | null {
  const raw = ctx.params.number ?? '';
  return /^[1-9][0-9]{0,3}$/.test(raw) ? Number(raw) : null;
}

/** Map the api's zod issues (`details.issues[].path`) onto our form fields. */
function fieldErrorsFrom(error: ApiError, fields: readonly string[]): FieldErrors {
  const issues = Array.isArray(error.details.issues) ? (error.details.issues as { path?: (string | number)[]; message?: string }[]) : [];
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path?.[0] ?? '');
    if (fields.includes(field) && !errors[field]) errors[field] = issue.message ?? `Check the ${field}.`;
  }
  return errors;
}

export interface RouteDeps {
  readonly runtime: WebRuntime;
  readonly logger: Logger;
}

export function webRoutes({ runtime, logger }: RouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  const chapterHtml = new ChapterHtmlCache();
  const outline = new CourseOutlineCache();
  const frame = (ctx: WebContext) => frameFor(ctx, runtime);

  /** Pages of a learner: without a session, go sign in and come back. */
  const requireSession = async (ctx: WebContext, next: () => Promise<unknown>): Promise<void> => {
    if (ctx.state.learner.hasSession) {
      await next();
      return;
    }
    ctx.status = 303;
    ctx.redirect(`/signin?next=${encodeURIComponent(ctx.originalUrl)}`);
  };

  const upgradePanel = (ctx: WebContext, number: number, error: ApiError) => {
    const plans = Array.isArray(error.details.plans) ? (error.details.plans as Plan[]) : [];
    sendPage(
      ctx,
      403,
      <UpgradePage
        frame={frame(ctx)}
        chapterNumber={number}
        chapterTitle={outline.titleOf(number)}
        requiredTier={typeof error.details.required_tier === 'string' ? error.details.required_tier : 'premium'}
        plans={plans}
      />,
      runtime.pages,
    );
  };
  const isUpgrade = (error: unknown): error is ApiError => error instanceof ApiError && error.code === 'upgrade_required';

  // ---- home ---------------------------------------------------------------------------
  router.get('home', '/', async (ctx) => {
    const learner = ctx.state.learner;
    if (learner.hasSession) {
      try {
        const [course, progress] = await Promise.all([
          learner.call<Course>({ method: 'GET', path: '/course' }),
          learner.call<Progress>({ method: 'GET', path: '/progress' }),
        ]);
        outline.remember(course);
        sendPage(ctx, 200, <CoursePage frame={frame(ctx)} course={course} resume={progress.resume} />);
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
        // The session ended (revoked, expired): show the public home page.
      }
    }
    const course = await learner.anonymous<Course>({ method: 'GET', path: '/course' }).catch(() => null);
    sendPage(ctx, 200, <LandingPage frame={frame(ctx)} course={course ?? outline.course()} />);
  });

  // ---- sign up, sign in, sign out -----------------------------------------------------
  router.get('signup', '/signup', async (ctx) => {
    sendPage(ctx, 200, <SignUpPage frame={frame(ctx)} values={{}} errors={{}} />);
  });

  router.post('signup', '/signup', async (ctx) => {
    const body = bodyOf(ctx);
    const values = { email: text(body.email), name: text(body.name), timezone: text(body.timezone) };
    const password = typeof body.password === 'string' ? body.password : '';
    const errors: Record<string, string> = {};
    if (!EMAIL.test(values.email)) errors.email = 'Enter an email address like name@example.com.';
    if (password.length < 10) errors.password = 'Choose a password of at least 10 characters.';
    if (Object.keys(errors).length > 0) {
      sendPage(ctx, 422, <SignUpPage frame={frame(ctx)} values={values} errors={errors} />);
      return;
    }
    try {
      const session = await ctx.state.learner.anonymous<Session>({
        method: 'POST',
        path: '/auth/register',
        body: {
          email: values.email,
          password,
          ...(values.name ? { name: values.name } : {}),
          ...(TIMEZONES.includes(values.timezone) ? { timezone: values.timezone } : {}),
        },
      });
      ctx.state.learner.start(session);
      rotateCsrf(ctx, runtime);
      redirectWithFlash(ctx, runtime, '/', 'signed-up');
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401) throw error;
      const fieldErrors =
        error.status === 409
          ? { email: 'An account with this email already exists. Sign in instead.' }
          : fieldErrorsFrom(error, ['email', 'password', 'name', 'timezone']);
      const general = error.status === 429 ? 'Too many attempts. Please wait a minute.' : Object.keys(fieldErrors).length ? undefined : error.message;
      sendPage(ctx, error.status === 429 ? 429 : 422, <SignUpPage frame={frame(ctx)} values={values} errors={fieldErrors} general={general} />);
    }
  });

  router.get('signin', '/signin', async (ctx) => {
    sendPage(ctx, 200, <SignInPage frame={frame(ctx)} next={safeNext(ctx.query.next)} errors={{}} />);
  });

  router.post('signin', '/signin', async (ctx) => {
    const body = bodyOf(ctx);
    const email = text(body.email);
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const errors: Record<string, string> = {};
    if (!email) errors.email = 'Enter your email address.';
    if (!password) errors.password = 'Enter your password.';
    if (Object.keys(errors).length === 0) {
      try {
        const session = await ctx.state.learner.anonymous<Session>({ method: 'POST', path: '/auth/login', body: { email, password } });
        ctx.state.learner.start(session);
        rotateCsrf(ctx, runtime);
        redirectWithFlash(ctx, runtime, next ?? '/', 'signed-in');
        return;
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
        const general =
          error.status === 429 ? 'Too many attempts. Please wait a minute and try again.' : 'That email and password do not match an account.';
        sendPage(ctx, error.status === 429 ? 429 : 401, <SignInPage frame={frame(ctx)} email={email} next={next} errors={{}} general={general} />);
        return;
      }
    }
    sendPage(ctx, 422, <SignInPage frame={frame(ctx)} email={email} next={next} errors={errors} />);
  });

  router.post('signout', '/signout', async (ctx) => {
    await ctx.state.learner.end();
    ctx.cookies.set(runtime.names.position, '', cookieOptions(runtime.cookies));
    rotateCsrf(ctx, runtime);
    redirectWithFlash(ctx, runtime, '/', 'signed-out');
  });

  // ---- chapters -----------------------------------------------------------------------
  router.get('chapter', '/chapters/:number', requireSession, async (ctx) => {
    const number = chapterNumber(ctx);
    if (number === null) return; // falls through to the 404 page
    const learner = ctx.state.learner;
    let chapter: Chapter;
    try {
      chapter = await learner.call<Chapter>({ method: 'GET', path: `/chapters/${number}` });
    } catch (error) {
      if (isUpgrade(error)) return upgradePanel(ctx, number, error);
      throw error;
    }
    // Remember the chapter as the resume point, once per chapter change: the section
    // anchor then follows the learner's scrolling (enhancement script), and a reload
    // does not overwrite it.
    if (ctx.cookies.get(runtime.names.position) !== String(number)) {
      try {
        await learner.call({ method: 'PUT', path: '/progress/position', body: { chapter_number: number } });
        ctx.cookies.set(runtime.names.position, String(number), cookieOptions(runtime.cookies));
      } catch (error) {
        logger.warn({ err: error, chapter: number }, 'could not save the reading position');
      }
    }
    const html = chapterHtml.render(chapter.number, chapter.markdown, chapter.sections);
    const total = await outline.total(learner);
    // The page shows the Markdown as HTML only; leaving it out keeps the template key short.
    const { markdown: _shownAsHtml, ...shown } = chapter;
    sendPage(ctx, 200, <ChapterPage frame={frame(ctx)} chapter={shown} html={html} totalChapters={total} />, runtime.pages);
  });

  router.post('completeChapter', '/chapters/:number/complete', requireSession, async (ctx) => {
    const number = chapterNumber(ctx);
    if (number === null) return;
    try {
      await ctx.state.learner.call<Progress>({ method: 'POST', path: `/chapters/${number}/complete` });
    } catch (error) {
      if (isUpgrade(error)) return upgradePanel(ctx, number, error);
      throw error;
    }
    redirectWithFlash(ctx, runtime, `/chapters/${number}#finish-title`, 'chapter-complete');
  });

  /** The enhancement script reports the section in view; a plain form may too. */
  router.post('position', '/progress/position', async (ctx) => {
    const body = bodyOf(ctx);
    const number = Number(body.chapter_number);
    const anchor = text(body.section_anchor);
    if (!Number.isInteger(number) || number < 1 || (anchor && !/^[a-z0-9-]{1,160}$/.test(anchor))) {
      ctx.status = 400;
      return;
    }
    if (!ctx.state.learner.hasSession) {
      ctx.status = 401;
      return;
    }
    await ctx.state.learner.call({
      method: 'PUT',
      path: '/progress/position',
      body: { chapter_number: number, ...(anchor ? { section_anchor: anchor } : {}) },
    });
    ctx.cookies.set(runtime.names.position, String(number), cookieOptions(runtime.cookies));
    ctx.status = 204;
  });

  // ---- quizzes ------------------------------------------------------------------------
  router.get('quiz', '/chapters/:number/quiz', requireSession, async (ctx) => {
    const number = chapterNumber(ctx);
    if (number === null) return;
    const learner = ctx.state.learner;
    try {
      const [quiz, history] = await Promise.all([
        learner.call<Quiz>({ method: 'GET', path: `/chapters/${number}/quiz` }),
        learner.call<AttemptHistory>({ method: 'GET', path: `/chapters/${number}/quiz/attempts` }).catch(() => null),
      ]);
      const hasAttempts = Boolean(history && history.attempts.length > 0);
      sendPage(
        ctx,
        200,
        <QuizPage
          frame={frame(ctx)}
          quiz={quiz}
          best={hasAttempts ? (history?.best_percentage ?? null) : null}
          last={hasAttempts ? (history?.last_percentage ?? null) : null}
        />,
      );
    } catch (error) {
      if (isUpgrade(error)) return upgradePanel(ctx, number, error);
      throw error;
    }
  });

  // The result is shown in answer to the POST itself: the feedback and explanations
  // exist only in the api's answer to this submission (there is no endpoint to read
  // them later), and keeping them in web memory would break with several replicas.
  router.post('submitQuiz', '/chapters/:number/quiz', requireSession, async (ctx) => {
    const number = chapterNumber(ctx);
    if (number === null) return;
    const learner = ctx.state.learner;
    let quiz: Quiz;
    try {
      quiz = await learner.call<Quiz>({ method: 'GET', path: `/chapters/${number}/quiz` });
    } catch (error) {
      if (isUpgrade(error)) return upgradePanel(ctx, number, error);
      throw error;
    }
    const submitted = (bodyOf(ctx).answers ?? {}) as Record<string, unknown>;
    const answers: Record<string, Answer> = {};
    for (const question of quiz.questions) {
      const value = submitted[question.id];
      if (question.type === 'multiple') {
        answers[question.id] = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
      } else if (question.type === 'true_false') {
        if (value === 'true' || value === 'false') answers[question.id] = value === 'true';
      } else if (typeof value === 'string') {
        answers[question.id] = value;
      }
    }
    let result: AttemptResult;
    try {
      result = await learner.call<AttemptResult>({ method: 'POST', path: `/chapters/${number}/quiz/attempts`, body: { answers } });
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        sendPage(
          ctx,
          422,
          <QuizPage frame={frame(ctx)} quiz={quiz} best={null} last={null} error="Please answer every question before submitting." />,
        );
        return;
      }
      throw error;
    }
    const nextChapter = outline.has(number + 1) ? number + 1 : null;
    sendPage(ctx, 200, <QuizResultPage frame={frame(ctx)} quiz={quiz} result={result} nextChapter={nextChapter} />);
  });

  // ---- search, progress -----------------------------------------------------------------
  router.get('search', '/search', requireSession, async (ctx) => {
    const query = text(ctx.query.q).slice(0, 200);
    const response = query
      ? await ctx.state.learner.call<SearchResponse>({ method: 'GET', path: `/search?q=${encodeURIComponent(query)}&limit=20` })
      : null;
    sendPage(ctx, 200, <SearchPage frame={frame(ctx)} query={query} response={response} />);
  });

  router.get('progress', '/progress', requireSession, async (ctx) => {
    const progress = await ctx.state.learner.call<Progress>({ method: 'GET', path: '/progress' });
    sendPage(ctx, 200, <ProgressPage frame={frame(ctx)} progress={progress} />);
  });

  // ---- account --------------------------------------------------------------------------
  router.get('account', '/account', requireSession, async (ctx) => {
    const user = await ctx.state.learner.call<User>({ method: 'GET', path: '/me' });
    sendPage(ctx, 200, <AccountPage frame={frame(ctx)} user={user} timezones={TIMEZONES} errors={{}} />);
  });

  router.post('updateAccount', '/account', requireSession, async (ctx) => {
    const timezone = text(bodyOf(ctx).timezone);
    if (!TIMEZONES.includes(timezone)) {
      const user = await ctx.state.learner.call<User>({ method: 'GET', path: '/me' });
      const errors = { timezone: 'Choose a time zone from the list.' };
      sendPage(ctx, 422, <AccountPage frame={frame(ctx)} user={user} timezones={TIMEZONES} errors={errors} />);
      return;
    }
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
    if (bodyOf(ctx).confirm !== 'delete') {
      const user = await ctx.state.learner.call<User>({ method: 'GET', path: '/me' });
      const errors = { confirm: 'Tick the box to confirm that you want your account deleted.' };
      sendPage(ctx, 422, <AccountPage frame={frame(ctx)} user={user} timezones={TIMEZONES} errors={errors} />);
      return;
    }
    await ctx.state.learner.call({ method: 'DELETE', path: '/me' });
    ctx.state.learner.forget();
    ctx.cookies.set(runtime.names.position, '', cookieOptions(runtime.cookies));
    rotateCsrf(ctx, runtime);
    redirectWithFlash(ctx, runtime, '/', 'account-deleted');
  });

  return router;
}

/** The "nothing here" page, for paths no route answered. */
export function notFound(ctx: WebContext, runtime: WebRuntime): void {
  sendPage(ctx, troubleStatus('not_found'), <ErrorPage frame={frameFor(ctx, runtime)} kind="not_found" />);
}
