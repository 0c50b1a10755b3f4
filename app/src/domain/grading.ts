import type { Question, ShortAnswerRule } from './content-schema';
import { containsPhrase, normaliseAnswer, stems } from './text-analysis';

/**
 * Rule-based grading of one answer. Pure: no database, no clock, so the table tests
 * in test/app/learning/grading.test.ts cover every rule directly.
 */
export type SubmittedAnswer = string | string[] | boolean;

/** Short answers longer than this are refused before any pattern runs on them. */
export const MAX_SHORT_ANSWER_LENGTH = 500;

/** Why a submitted answer cannot be graded at all (wrong type), or null when it can. */
export function answerShapeProblem(question: Question, answer: SubmittedAnswer): string | null {
  switch (question.type) {
    case 'single':
      return typeof answer === 'string' ? null : 'expected one option id (a string)';
    case 'multiple':
      return Array.isArray(answer) ? null : 'expected a list of option ids';
    case 'true_false':
      return typeof answer === 'boolean' || answer === 'true' || answer === 'false' ? null : 'expected true or false';
    case 'short_answer':
      if (typeof answer !== 'string') return 'expected text';
      return answer.length > MAX_SHORT_ANSWER_LENGTH ? `longer than ${MAX_SHORT_ANSWER_LENGTH} characters` : null;
  }
}

/** Whether `answer` is right. An answer of the wrong shape, or none, is simply wrong. */
export function isCorrect(question: Question, answer: SubmittedAnswer | undefined): boolean {
  if (answer === undefined || answerShapeProblem(question, answer) !== null) return false;
  switch (question.type) {
    case 'single':
      return answer === question.answer;
    case 'multiple': {
      // Exact set: every right option and no wrong one; order and repeats do not matter.
      const chosen = new Set(answer as string[]);
      const right = new Set(question.answer);
      return chosen.size === right.size && [...right].every((id) => chosen.has(id));
    }
    case 'true_false':
      return (answer === true || answer === 'true') === question.answer;
    case 'short_answer':
      return matchesRule(question.rule ?? { kind: 'exact', values: [question.answer] }, answer as string);
  }
}

/** A keyword (or phrase) counts when its words' stems occur together: "reconciliation" for "reconcile", never "rate" in "accurate". */
function containsKeyword(answerStems: readonly string[], keyword: string): boolean {
  return containsPhrase(answerStems, stems(normaliseAnswer(keyword)));
}

/** Every rule sees the answer through the one normaliser (text-analysis.ts), so no rule is stricter about spacing, width or a closing full stop. */
export function matchesRule(rule: ShortAnswerRule, answer: string): boolean {
  if (answer.length > MAX_SHORT_ANSWER_LENGTH) return false;
  switch (rule.kind) {
    case 'exact': {
      const caseSensitive = rule.case_sensitive ?? false;
      const given = normaliseAnswer(answer, caseSensitive);
      return rule.values.some((value) => normaliseAnswer(value, caseSensitive) === given);
    }
    case 'keywords': {
      const given = stems(normaliseAnswer(answer));
      const any = rule.any ?? [];
      return rule.all.every((k) => containsKeyword(given, k)) && (any.length === 0 || any.some((k) => containsKeyword(given, k)));
    }
    case 'pattern':
      return new RegExp(rule.regex, rule.case_sensitive ? '' : 'i').test(normaliseAnswer(answer, rule.case_sensitive ?? false));
  }
}

/** What the learner is shown as the right answer once they have submitted. */
export function correctAnswerOf(question: Question): unknown {
  return question.answer;
}
