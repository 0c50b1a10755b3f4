import { Question } from '../../../app/src/domain/content-schema';
import { answerShapeProblem, isCorrect, matchesRule, MAX_SHORT_ANSWER_LENGTH } from '../../../app/src/domain/grading';

const q = (raw: unknown) => Question.parse(raw);

const single = q({
  id: 's',
  type: 'single',
  prompt: 'p',
  explanation: 'e',
  options: [
    { id: 'a', text: 'A' },
    { id: 'b', text: 'B' },
  ],
  answer: 'b',
});
const multiple = q({
  id: 'm',
  type: 'multiple',
  prompt: 'p',
  explanation: 'e',
  options: [
    { id: 'a', text: 'A' },
    { id: 'b', text: 'B' },
    { id: 'c', text: 'C' },
  ],
  answer: ['a', 'c'],
});
const trueFalse = q({ id: 't', type: 'true_false', prompt: 'p', explanation: 'e', answer: false });
const exact = q({
  id: 'x',
  type: 'short_answer',
  prompt: 'p',
  explanation: 'e',
  answer: 'Argo CD',
  rule: { kind: 'exact', values: ['Argo CD', 'ArgoCD'] },
});
const exactCase = q({
  id: 'xc',
  type: 'short_answer',
  prompt: 'p',
  explanation: 'e',
  answer: 'PUT',
  rule: { kind: 'exact', values: ['PUT'], case_sensitive: true },
});
const noRule = q({ id: 'n', type: 'short_answer', prompt: 'p', explanation: 'e', answer: 'etcd' });
const keywords = q({
  id: 'k',
  type: 'short_answer',
  prompt: 'p',
  explanation: 'e',
  answer: 'git is the source of truth',
  rule: { kind: 'keywords', all: ['git', 'source of truth'], any: ['single', 'the'] },
});
const pattern = q({
  id: 'r',
  type: 'short_answer',
  prompt: 'p',
  explanation: 'e',
  answer: '443',
  rule: { kind: 'pattern', regex: '^(port )?443$' },
});

describe('grading rules', () => {
  it.each([
    ['single: the right option', single, 'b', true],
    ['single: a wrong option', single, 'a', false],
    ['single: an unknown option', single, 'zzz', false],
    ['single: wrong type', single, ['b'], false],
    ['multiple: exact set', multiple, ['a', 'c'], true],
    ['multiple: exact set in another order, repeated', multiple, ['c', 'a', 'c'], true],
    ['multiple: a subset', multiple, ['a'], false],
    ['multiple: a superset', multiple, ['a', 'b', 'c'], false],
    ['multiple: empty', multiple, [], false],
    ['multiple: a string instead of a list', multiple, 'a', false],
    ['true_false: right boolean', trueFalse, false, true],
    ['true_false: wrong boolean', trueFalse, true, false],
    ['true_false: "false" from a form', trueFalse, 'false', true],
    ['true_false: other text', trueFalse, 'no', false],
    ['exact: listed value', exact, 'Argo CD', true],
    ['exact: other listed value, other case, extra spaces', exact, '  argocd ', true],
    ['exact: inner whitespace collapsed', exact, 'argo    cd', true],
    ['exact: not listed', exact, 'Flux', false],
    ['exact case-sensitive: same case', exactCase, 'PUT', true],
    ['exact case-sensitive: other case', exactCase, 'put', false],
    ['no rule: the answer itself, any case', noRule, 'ETCD', true],
    ['no rule: something else', noRule, 'redis', false],
    ['keywords: all and one of any', keywords, 'Git is the single source of truth', true],
    ['keywords: missing one of all', keywords, 'Git is the single thing', false],
    ['keywords: a keyword only inside another word', keywords, 'digital source of truth, single', false],
    ['keywords: the plural of a keyword', keywords, 'Gits are the single source of truth', true],
    ['keywords: none of any', keywords, 'git: source of truth', false],
    ['pattern: matches', pattern, 'Port 443', true],
    ['pattern: trimmed', pattern, ' 443 ', true],
    ['pattern: does not match', pattern, '80', false],
    ['short answer: not text', pattern, 443 as unknown as string, false],
  ])('%s', (_name, question, answer, expected) => {
    expect(isCorrect(question, answer as never)).toBe(expected);
  });

  it('counts an unanswered question as wrong', () => {
    expect(isCorrect(single, undefined)).toBe(false);
  });

  it('refuses an overlong short answer before running any pattern', () => {
    const long = `${'4'.repeat(MAX_SHORT_ANSWER_LENGTH)}3`;
    expect(answerShapeProblem(pattern, long)).toMatch(/longer than/);
    expect(matchesRule({ kind: 'pattern', regex: '4+3' }, long)).toBe(false);
  });

  it('names the expected shape of each question type', () => {
    expect(answerShapeProblem(single, true)).toBe('expected one option id (a string)');
    expect(answerShapeProblem(multiple, 'a')).toBe('expected a list of option ids');
    expect(answerShapeProblem(trueFalse, 'maybe')).toBe('expected true or false');
    expect(answerShapeProblem(exact, ['x'])).toBe('expected text');
    expect(answerShapeProblem(exact, 'fine')).toBeNull();
  });
});

describe('question validation', () => {
  const issues = (raw: unknown) => {
    const result = Question.safeParse(raw);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('refuses a single-choice answer that is not an option id', () => {
    expect(issues({ ...single, answer: 'z' })).toEqual(['answer: expected one of the option ids (a, b)']);
  });

  it('refuses an unsafe pattern', () => {
    expect(issues({ ...pattern, rule: { kind: 'pattern', regex: '^(a+)+$' } })[0]).toMatch(/rule.regex: unsafe regular expression/);
  });

  it('refuses a pattern that does not compile', () => {
    expect(issues({ ...pattern, rule: { kind: 'pattern', regex: '(' } })[0]).toMatch(/rule.regex: not a valid regular expression/);
  });

  it('refuses a keywords rule with no keywords', () => {
    expect(issues({ ...keywords, rule: { kind: 'keywords', all: [] } })[0]).toMatch(/rule.all: a keywords rule needs/);
  });

  it('refuses an unknown key', () => {
    expect(issues({ ...single, answers: 'b' })[0]).toMatch(/Unrecognized key/);
  });
});
