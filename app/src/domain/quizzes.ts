import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { LearningStores } from '../db/stores';
import { BadRequest, NotFound } from '../errors';
import { assertCanReadChapter } from './access';
import { nextChapterLink, type ChapterLink } from './chapters';
import type { Question } from './content-schema';
import { answerShapeProblem, correctAnswerOf, isCorrect, type SubmittedAnswer } from './grading';
import type { Learner } from './learner';
import { findChapter, percentageOf, quizScores, recordActivity, type LearningEvents } from './progress';

/**
 * Quizzes: shown without answers, graded by rules, every attempt kept (retakes), best
 * and last score reported. The public shape is built field by field from an allow
 * list, so a field added to the content format later cannot leak by default.
 */
export interface PublicQuiz {
  readonly chapter_number: number;
  readonly title: string;
  readonly pass_percentage: number;
  readonly questions: readonly {
    readonly id: string;
    readonly type: Question['type'];
    readonly prompt: string;
    readonly options?: readonly { readonly id: string; readonly text: string }[];
  }[];
}

export interface AttemptResult {
  readonly attempt_id: string;
  readonly score: number;
  readonly max_score: number;
  readonly percentage: number;
  readonly passed: boolean;
  readonly results: readonly {
    readonly question_id: string;
    readonly correct: boolean;
    readonly feedback: string;
    readonly explanation: string;
    readonly correct_answer: unknown;
  }[];
  readonly best_percentage: number;
  readonly last_percentage: number;
  /** Where to go on, and whether this learner's plan opens it (so the page can say so before the click). */
  readonly next_chapter: ChapterLink | null;
}

export interface AttemptSummary {
  readonly attempt_id: string;
  readonly score: number;
  readonly max_score: number;
  readonly percentage: number;
  readonly passed: boolean;
  readonly created_at: string;
}

interface StoredQuiz {
  readonly title: string;
  readonly pass_percentage: number;
  readonly questions: readonly Question[];
}

/** The quiz of a chapter the learner may read; 404 for no chapter or no quiz, 403 when locked. */
async function readableQuiz(stores: LearningStores, learner: Learner, chapterNumber: number): Promise<StoredQuiz> {
  await findChapter(stores, chapterNumber);
  assertCanReadChapter(learner, chapterNumber);
  const row = await stores.content.quiz(chapterNumber);
  if (!row) throw new NotFound(`Chapter ${chapterNumber} has no quiz.`);
  return { title: row.title, pass_percentage: row.pass_percentage, questions: JSON.parse(row.questions_json) as Question[] };
}

export async function getQuiz(stores: LearningStores, learner: Learner, chapterNumber: number): Promise<PublicQuiz> {
  const quiz = await readableQuiz(stores, learner, chapterNumber);
  return {
    chapter_number: chapterNumber,
    title: quiz.title,
    pass_percentage: quiz.pass_percentage,
    questions: quiz.questions.map((q) => ({
      id: q.id,
      type: q.type,
      prompt: q.prompt,
      ...(q.type === 'single' || q.type === 'multiple' ? { options: q.options.map((o) => ({ id: o.id, text: o.text })) } : {}),
    })),
  };
}

/** Refuses answers to questions that do not exist and answers of the wrong type, naming each. */
function checkAnswers(questions: readonly Question[], answers: Record<string, SubmittedAnswer>): void {
  const issues: { path: string[]; message: string }[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const [questionId, answer] of Object.entries(answers)) {
    const question = byId.get(questionId);
    if (!question) {
      issues.push({ path: ['answers', questionId], message: 'no such question in this quiz' });
      continue;
    }
    const problem = answerShapeProblem(question, answer);
    if (problem) issues.push({ path: ['answers', questionId], message: problem });
  }
  if (issues.length > 0) throw new BadRequest('Some answers cannot be graded.', { issues });
}

export async function submitAttempt(
  stores: LearningStores,
  learner: Learner,
  chapterNumber: number,
  answers: Record<string, SubmittedAnswer>,
  clock: Clock,
  options: { events?: LearningEvents } = {},
): Promise<AttemptResult> {
  const quiz = await readableQuiz(stores, learner, chapterNumber);
  checkAnswers(quiz.questions, answers);
  const results = quiz.questions.map((question) => {
    const answer = Object.prototype.hasOwnProperty.call(answers, question.id) ? answers[question.id] : undefined;
    const correct = isCorrect(question, answer);
    const feedback = correct
      ? (question.feedback?.correct ?? 'Correct.')
      : answer === undefined
        ? 'Not answered.'
        : (question.feedback?.incorrect ?? 'Not quite.');
    return { question_id: question.id, correct, feedback, explanation: question.explanation, correct_answer: correctAnswerOf(question) };
  });
  const score = results.filter((r) => r.correct).length;
  const maxScore = quiz.questions.length;
  const percentage = percentageOf(score, maxScore);
  const passed = percentage >= quiz.pass_percentage;
  const attemptId = randomUUID();
  await stores.progress.addAttempt({
    id: attemptId,
    user_id: learner.id,
    chapter_number: chapterNumber,
    score,
    max_score: maxScore,
    percentage,
    passed,
    answers_json: JSON.stringify(answers),
    created_at: clock.now().toISOString(),
  });
  await recordActivity(stores, learner, clock);
  options.events?.quizAttempted(chapterNumber, passed, maxScore > 0 ? score / maxScore : 0);
  const scores = (await quizScores(stores.progress.primary, learner.id, chapterNumber)).get(chapterNumber);
  return {
    attempt_id: attemptId,
    score,
    max_score: maxScore,
    percentage,
    passed,
    results,
    best_percentage: scores?.best ?? percentage,
    last_percentage: scores?.last ?? percentage,
    next_chapter: await nextChapterLink(stores, learner, chapterNumber),
  };
}

/** The learner's own attempts at one quiz, newest first; there is no way to ask for someone else's. */
export async function listAttempts(stores: LearningStores, learner: Learner, chapterNumber: number) {
  await readableQuiz(stores, learner, chapterNumber);
  const rows = await stores.progress.replica.attempts(learner.id, chapterNumber);
  const attempts: AttemptSummary[] = rows.map((row) => ({
    attempt_id: row.id,
    score: row.score,
    max_score: row.max_score,
    percentage: percentageOf(row.score, row.max_score),
    passed: row.passed,
    created_at: row.created_at,
  }));
  return {
    attempts,
    best_percentage: attempts.length > 0 ? Math.max(...attempts.map((a) => a.percentage)) : null,
    last_percentage: attempts[0]?.percentage ?? null,
  };
}
