import type { Quiz } from '../../app/src/web/api-types';
import { answersFromForm } from '../../app/src/web/quiz-answers';

const quiz: Quiz = {
  chapter_number: 1,
  title: 'Pods',
  pass_percentage: 70,
  questions: [
    { id: 'single', type: 'single', prompt: 'One?', options: [{ id: 'a', text: 'A' }] },
    {
      id: 'multiple',
      type: 'multiple',
      prompt: 'Several?',
      options: [
        { id: 'a', text: 'A' },
        { id: 'b', text: 'B' },
      ],
    },
    { id: 'truth', type: 'true_false', prompt: 'True?' },
    { id: 'short', type: 'short_answer', prompt: 'Say it' },
  ],
};

describe('answersFromForm', () => {
  it('turns a checkbox group into a list, ticked once or not at all', () => {
    expect(answersFromForm(quiz, { multiple: ['a', 'b'] }).multiple).toEqual(['a', 'b']);
    expect(answersFromForm(quiz, { multiple: 'a' }).multiple).toEqual(['a']);
    expect(answersFromForm(quiz, {}).multiple).toEqual([]);
  });

  it('reads true/false radios as booleans and leaves anything else unanswered', () => {
    expect(answersFromForm(quiz, { truth: 'false' }).truth).toBe(false);
    expect(answersFromForm(quiz, { truth: 'maybe' })).not.toHaveProperty('truth');
  });

  it('keeps text answers and drops fields of questions the quiz does not have', () => {
    const answers = answersFromForm(quiz, { single: 'a', short: 'a pod', extra: 'x' });
    expect(answers).toEqual({ single: 'a', short: 'a pod', multiple: [] });
  });
});
