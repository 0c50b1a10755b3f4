import Router from '@koa/router';
import { ApiError } from '../api-client';
import type { AttemptHistory, AttemptResult, Quiz } from '../api-types';
import { sendPage, type WebContext, type WebState } from '../context';
import { bodyOf, chapterNumber } from '../forms';
import { QuizPage, QuizResultPage } from '../pages/quiz';
import { answersFromForm } from '../quiz-answers';
import { frame, isUpgrade, requireSession, sendUpgradePanel, type WebRouteDeps } from './shared';

/** A chapter's quiz: the form, and the graded result in answer to its submission. */
export function quizRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('quiz', '/chapters/:number/quiz', requireSession, (ctx) => showQuiz(ctx, deps));
  // The result is shown in answer to the POST itself: the feedback and explanations
  // exist only in the api's answer to this submission (there is no endpoint to read
  // them later), and keeping them in web memory would break with several replicas.
  router.post('submitQuiz', '/chapters/:number/quiz', requireSession, (ctx) => submitQuiz(ctx, deps));
  return router;
}

async function showQuiz(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
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
        frame={frame(ctx, deps)}
        quiz={quiz}
        best={hasAttempts ? (history?.best_percentage ?? null) : null}
        last={hasAttempts ? (history?.last_percentage ?? null) : null}
      />,
    );
  } catch (error) {
    if (isUpgrade(error)) return sendUpgradePanel(ctx, deps, number, error);
    throw error;
  }
}

async function submitQuiz(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const number = chapterNumber(ctx);
  if (number === null) return;
  const learner = ctx.state.learner;
  let quiz: Quiz;
  try {
    quiz = await learner.call<Quiz>({ method: 'GET', path: `/chapters/${number}/quiz` });
  } catch (error) {
    if (isUpgrade(error)) return sendUpgradePanel(ctx, deps, number, error);
    throw error;
  }
  const answers = answersFromForm(quiz, (bodyOf(ctx).answers ?? {}) as Record<string, unknown>);
  let result: AttemptResult;
  try {
    result = await learner.call<AttemptResult>({ method: 'POST', path: `/chapters/${number}/quiz/attempts`, body: { answers } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      const page = (
        <QuizPage frame={frame(ctx, deps)} quiz={quiz} best={null} last={null} error="Please answer every question before submitting." />
      );
      sendPage(ctx, 422, page);
      return;
    }
    throw error;
  }
  sendPage(ctx, 200, <QuizResultPage frame={frame(ctx, deps)} quiz={quiz} result={result} />);
}
