import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContext } from '../app';
import { MAX_SHORT_ANSWER_LENGTH } from '../../domain/grading';
import { getQuiz, listAttempts, submitAttempt } from '../../domain/quizzes';
import type { ApiState, SignedInState } from '../state';
import { requireUser } from '../middleware/auth';
import { ChapterNumber } from './chapters';

const AttemptBody = z.object({
  answers: z
    .record(z.string().max(40), z.union([z.string().max(MAX_SHORT_ANSWER_LENGTH), z.array(z.string().max(40)).max(50), z.boolean()]))
    .refine((answers) => Object.keys(answers).length <= 200, 'too many answers'),
});

/** Quizzes without answer keys; attempts graded on the server; only the learner's own attempts. */
export function quizRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  const auth = requireUser(deps);

  router.get<SignedInState>('/chapters/:number/quiz', auth, async (ctx) => {
    ctx.body = await getQuiz(deps.stores, ctx.state.user, ChapterNumber.parse(ctx.params.number));
  });

  router.post<SignedInState>('/chapters/:number/quiz/attempts', auth, async (ctx) => {
    const chapterNumber = ChapterNumber.parse(ctx.params.number);
    const { answers } = AttemptBody.parse(ctx.request.body);
    ctx.body = await submitAttempt(deps.stores, ctx.state.user, chapterNumber, answers, deps.clock, {
      events: deps.metrics,
    });
    ctx.status = 201;
  });

  router.get<SignedInState>('/chapters/:number/quiz/attempts', auth, async (ctx) => {
    ctx.body = await listAttempts(deps.stores, ctx.state.user, ChapterNumber.parse(ctx.params.number));
  });

  return router;
}
