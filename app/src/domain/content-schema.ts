import safeRegex from 'safe-regex2';
import { z } from 'zod';

/**
 * The shape of the course files in `app/content/` (docs/contracts.md, "Course
 * content"). Strict objects: a misspelt key is an error naming it, not a silent default.
 */
export const CourseFile = z.object({ title: z.string().min(1), description: z.string().min(1) }).strict();

export const ChapterFrontMatter = z
  .object({
    number: z.number().int().positive(),
    title: z.string().min(1).max(200),
    summary: z.string().min(1),
  })
  .strict();

const Option = z.object({ id: z.string().min(1).max(40), text: z.string().min(1) }).strict();

/** Longest pattern a quiz may use; with safe-regex2's check it keeps grading linear-ish. */
export const MAX_PATTERN_LENGTH = 200;

export const ShortAnswerRule = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('exact'),
        values: z.array(z.string().min(1)).min(1),
        case_sensitive: z.boolean().optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('keywords'),
        all: z.array(z.string().min(1)).default([]),
        any: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('pattern'),
        regex: z.string().min(1).max(MAX_PATTERN_LENGTH),
        case_sensitive: z.boolean().optional(),
      })
      .strict(),
  ])
  .superRefine((rule, ctx) => {
    if (rule.kind === 'keywords' && rule.all.length === 0 && (rule.any ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['all'], message: 'a keywords rule needs at least one keyword in all or any' });
    }
    if (rule.kind !== 'pattern') return;
    try {
      new RegExp(rule.regex);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['regex'], message: `not a valid regular expression (${(error as Error).message})` });
      return;
    }
    // Patterns with nested quantifiers can take exponential time on a crafted answer.
    if (!safeRegex(rule.regex)) {
      ctx.addIssue({
        code: 'custom',
        path: ['regex'],
        message: 'unsafe regular expression (nested quantifiers can backtrack catastrophically)',
      });
    }
  });
export type ShortAnswerRule = z.infer<typeof ShortAnswerRule>;

const questionBase = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'letters, digits, - and _ only (at most 40)'),
  prompt: z.string().min(1),
  explanation: z.string().min(1),
  feedback: z
    .object({ correct: z.string().min(1), incorrect: z.string().min(1) })
    .partial()
    .strict()
    .optional(),
};

export const Question = z
  .discriminatedUnion('type', [
    z.object({ ...questionBase, type: z.literal('single'), options: z.array(Option).min(2), answer: z.string() }).strict(),
    z
      .object({ ...questionBase, type: z.literal('multiple'), options: z.array(Option).min(2), answer: z.array(z.string()).min(1) })
      .strict(),
    z.object({ ...questionBase, type: z.literal('true_false'), answer: z.boolean() }).strict(),
    z.object({ ...questionBase, type: z.literal('short_answer'), answer: z.string().min(1), rule: ShortAnswerRule.optional() }).strict(),
  ])
  .superRefine((question, ctx) => {
    if (question.type !== 'single' && question.type !== 'multiple') return;
    const ids = question.options.map((o) => o.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index)
        ctx.addIssue({ code: 'custom', path: ['options', index, 'id'], message: `duplicate option id "${id}"` });
    });
    const answers = question.type === 'single' ? [question.answer] : question.answer;
    if (answers.some((answer) => !ids.includes(answer))) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: `expected one of the option ids (${ids.join(', ')})` });
    }
    if (new Set(answers).size !== answers.length) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: 'lists an option id twice' });
    }
  });
export type Question = z.infer<typeof Question>;

export const QuizFile = z
  .object({
    chapter: z.number().int().positive(),
    title: z.string().min(1).max(200),
    pass_percentage: z.number().int().min(0).max(100),
    questions: z.array(Question).min(1),
  })
  .strict()
  .superRefine((quiz, ctx) => {
    const ids = quiz.questions.map((q) => q.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index)
        ctx.addIssue({ code: 'custom', path: ['questions', index, 'id'], message: `duplicate question id "${id}"` });
    });
  });
export type QuizFile = z.infer<typeof QuizFile>;

/** `['questions', 3, 'answer']` → `questions[3].answer`. */
export function formatIssuePath(path: readonly (string | number)[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
}
