import Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps } from '../app';
import { MAX_SHORT_ANSWER_LENGTH } from '../../domain/grading';
import { getQuiz, listAttempts, submitAttempt } from '../../domain/quizzes';
import { requireUser } from '../middleware/auth';
import { ChapterNumber, learnerOf } from './chapters';

const AttemptBody = z.object({
  answers: z
    .record(
      z.string().max(40),
      z.union([z.string().max(MAX_SHORT_ANSWER_LENGTH), z.array(z.string().max(40)).max(50), z.boolean()]),
    )
    .refine((answers) => Object.keys(answers).length <= 200, 'too many answers'),
});

/** Quizzes without answer keys; attempts graded on the server; only the learner's own attempts. */
export function quizRoutes(deps: ApiDeps): Router {
  const router = new Router();
  const auth = requireUser(deps);

  router.get('/chapters/:number/quiz', auth, async (ctx) => {
    ctx.body = await getQuiz(deps.db, learnerOf(ctx.state), ChapterNumber.parse(ctx.params.number), deps.cache);
  });

  router.post('/chapters/:number/quiz/attempts', auth, async (ctx) => {
    const chapterNumber = ChapterNumber.parse(ctx.params.number);
    const { answers } = AttemptBody.parse(ctx.request.body);
    ctx.body = await submitAttempt(deps.db, learnerOf(ctx.state), chapterNumber, answers, deps.clock, {
      events: deps.metrics,
      cache: deps.cache,
    });
    ctx.status = 201;
  });

  router.get('/chapters/:number/quiz/attempts', auth, async (ctx) => {
    ctx.body = await listAttempts(deps.db, learnerOf(ctx.state), ChapterNumber.parse(ctx.params.number), deps.cache);
  });

  return router;
}
