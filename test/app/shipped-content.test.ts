import path from 'node:path';
import { readCourseContent } from '../../app/src/domain/content-loader';
import { FREE_CHAPTER_LIMIT } from '../../app/src/domain/tiers';

// The course that ships in the image must pass the same validation the migrate
// command runs; a broken quiz would otherwise surface only at deploy time.
describe('the shipped course in app/content', () => {
  it('is valid: every chapter and quiz parses and every answer satisfies its own rule', async () => {
    const course = await readCourseContent(path.join(__dirname, '..', '..', 'app', 'content'));
    expect(course.chapters.length).toBeGreaterThanOrEqual(8);
    expect(course.chapters.length).toBeGreaterThan(FREE_CHAPTER_LIMIT);
    for (const quiz of course.quizzes) expect(quiz.questions.length).toBeGreaterThanOrEqual(5);
  });
});
