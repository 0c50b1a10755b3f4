import path from 'node:path';
import fc from 'fast-check';
import type { Question } from '../../../app/src/domain/content-schema';
import { readCourseContent } from '../../../app/src/domain/content-loader';
import { isCorrect, matchesRule } from '../../../app/src/domain/grading';

const REAL_CONTENT = path.join(__dirname, '../../../app/content');

type ShortAnswer = Extract<Question, { type: 'short_answer' }>;

/** The answers a question's author shipped as right: the listed values, else the model answer. */
function shippedAnswers(question: ShortAnswer): string[] {
  return question.rule?.kind === 'exact' ? [...question.rule.values] : [question.answer];
}

const caseSensitive = (question: ShortAnswer) => question.rule?.kind !== 'keywords' && question.rule?.case_sensitive === true;

/** Full-width forms of ASCII letters and digits, which NFKC folds back (an IME's default). */
const fullWidth = (text: string) => text.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** A variant a careful learner might type: same words, other spacing, case, width and closing punctuation. */
function variant(answer: string, keepCase: boolean) {
  return fc
    .record({
      lead: fc.constantFrom('', ' ', '  ', '\t'),
      gap: fc.constantFrom(' ', '  ', ' \u00a0', '\t'),
      tail: fc.constantFrom('', '.', '!', '?', ' .', '…', '。'),
      upper: fc.array(fc.boolean(), { minLength: answer.length, maxLength: answer.length }),
      wide: fc.boolean(),
    })
    .map(({ lead, gap, tail, upper, wide }) => {
      let text = answer.replace(/ /g, gap);
      if (!keepCase) text = [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('');
      if (wide) text = fullWidth(text);
      return `${lead}${text}${tail}`;
    });
}

describe('one normaliser for every grading rule', () => {
  it.each([
    ['pattern: double spaces', { kind: 'pattern', regex: '^[Ss]trategic[ -]?[Mm]erge( [Pp]atch)?$' }, 'strategic  merge patch'],
    ['pattern: full-width letters', { kind: 'pattern', regex: '^([Ss][Ii][Gg])?[Tt][Ee][Rr][Mm]$' }, 'ＳＩＧＴＥＲＭ'],
    ['pattern: a closing full stop', { kind: 'pattern', regex: '^([Ss][Ii][Gg])?[Tt][Ee][Rr][Mm]$' }, 'SIGTERM.'],
    ['exact: a closing full stop', { kind: 'exact', values: ['npm ci'] }, 'npm ci.'],
    [
      'keywords: by stem, reconciliation for reconcile',
      { kind: 'keywords', all: ['desired'], any: ['reconcile'] },
      'reconciliation towards the desired state',
    ],
    ['keywords: by stem, -ing form', { kind: 'keywords', all: ['compare'] }, 'comparing states'],
    ['keywords: a phrase across double spaces', { kind: 'keywords', all: ['standard output'] }, 'logs go to standard   output'],
  ] as const)('accepts %s', (_name, rule, answer) => {
    expect(matchesRule(rule as never, answer)).toBe(true);
  });

  it.each([
    ['keywords: a keyword only inside another word', { kind: 'keywords', all: ['rate'] }, 'accurate numbers'],
    ['exact: inner punctuation still counts', { kind: 'exact', values: ['npm ci'] }, 'npm-ci'],
    ['exact case-sensitive: other case', { kind: 'exact', values: ['PUT'], case_sensitive: true }, 'put.'],
  ] as const)('still refuses %s', (_name, rule, answer) => {
    expect(matchesRule(rule as never, answer)).toBe(false);
  });
});

describe('every shipped correct answer, as a learner might type it', () => {
  it('is graded right in every generated variant', async () => {
    const content = await readCourseContent(REAL_CONTENT);
    const questions = content.quizzes.flatMap((quiz) => quiz.questions).filter((q): q is ShortAnswer => q.type === 'short_answer');
    expect(questions.length).toBeGreaterThan(0);
    for (const question of questions) {
      for (const answer of shippedAnswers(question)) {
        fc.assert(
          fc.property(variant(answer, caseSensitive(question)), (typed) => isCorrect(question, typed)),
          { numRuns: 60, seed: 16 },
        );
      }
    }
  });
});
