import type { Answer, Quiz } from './api-types';

/**
 * The api's `answers` from a submitted quiz form: a checkbox group becomes a list
 * (empty when nothing is ticked), a true/false radio a boolean, any other answer its
 * text. Fields of questions the quiz does not have are dropped.
 */
export function answersFromForm(quiz: Quiz, submitted: Record<string, unknown>): Record<string, Answer> {
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
  return answers;
}
