import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { CONTENT_DIR } from './stack';

interface QuizQuestionFile {
  id: string;
  type: 'single' | 'multiple' | 'true_false' | 'short_answer';
  answer: string | string[] | boolean;
}

/** The answer key from the course content itself: the learner in the test studied hard. */
export function answerKey(chapter: number): QuizQuestionFile[] {
  const dir = path.join(CONTENT_DIR, 'quizzes');
  const file = readdirSync(dir).find((name) => name.startsWith(`${String(chapter).padStart(2, '0')}-`));
  if (!file) throw new Error(`no quiz file for chapter ${chapter}`);
  return (parse(readFileSync(path.join(dir, file), 'utf8')) as { questions: QuizQuestionFile[] }).questions;
}

/** Fill the quiz form the way a learner would: click the options, type the short answers. */
export async function answerQuiz(page: Page, chapter: number, opts: { wrong?: string[] } = {}): Promise<void> {
  for (const question of answerKey(chapter)) {
    if (opts.wrong?.includes(question.id)) {
      if (question.type === 'short_answer') await page.fill(`#answer-${question.id}`, 'no idea');
      else if (question.type === 'true_false') await page.check(`#answer-${question.id}-${String(!question.answer)}`);
      continue;
    }
    if (question.type === 'short_answer') await page.fill(`#answer-${question.id}`, String(question.answer));
    else if (question.type === 'true_false') await page.check(`#answer-${question.id}-${String(question.answer)}`);
    else for (const id of [question.answer].flat()) await page.check(`#answer-${question.id}-${String(id)}`);
  }
}
