import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FixedClock } from '../../../app/src/clock';
import { ContentError, loadCourseContent, readCourseContent } from '../../../app/src/domain/content-loader';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases';
import { copyFixtureContent, FIXTURE_CONTENT } from './support';

/** The problems readCourseContent reports for a copy of the fixture changed by `edit`. */
async function problemsAfter(edit: (dir: string) => void): Promise<readonly string[]> {
  const copy = copyFixtureContent();
  try {
    edit(copy.dir);
    await readCourseContent(copy.dir);
    return [];
  } catch (error) {
    if (error instanceof ContentError) return error.problems.map((p) => p.replace(copy.dir, '<content>'));
    throw error;
  } finally {
    copy.remove();
  }
}

const rewrite = (file: string, change: (text: string) => string) => writeFileSync(file, change(readFileSync(file, 'utf8')));

describe('reading course content', () => {
  it('keeps each chapter verbatim after its front matter', async () => {
    const content = await readCourseContent(FIXTURE_CONTENT);
    const source = readFileSync(path.join(FIXTURE_CONTENT, 'chapters/01-containers.md'), 'utf8');
    expect(content.chapters[0].markdown).toBe(source.slice(source.indexOf('---\n', 4) + 4));
    expect(content.chapters[0].markdown.startsWith('Containers package')).toBe(true);
  });

  it('takes each "## " heading as a section, but not one inside a code block', async () => {
    const content = await readCourseContent(FIXTURE_CONTENT);
    expect(content.chapters[0].sections.map((s) => s.anchor)).toEqual(['', 'what-an-image-is', 'running-a-container']);
  });

  it('names the file and the field of a quiz answer that is not an option id', async () => {
    const problems = await problemsAfter((dir) =>
      rewrite(path.join(dir, 'quizzes/01-containers.yaml'), (t) => t.replace('answer: b\n', 'answer: z\n')),
    );
    expect(problems).toEqual([expect.stringMatching(/01-containers\.yaml: questions\[0\]\.answer: expected one of the option ids/)]);
  });

  it('names a missing front matter field', async () => {
    const problems = await problemsAfter((dir) =>
      rewrite(path.join(dir, 'chapters/02-pods.md'), (t) => t.replace('summary: The smallest deployable unit.\n', '')),
    );
    expect(problems).toEqual([expect.stringMatching(/chapters\/02-pods\.md: summary: Required/)]);
  });

  it('names a chapter number that disagrees with its file name', async () => {
    const problems = await problemsAfter((dir) =>
      rewrite(path.join(dir, 'chapters/02-pods.md'), (t) => t.replace('number: 2', 'number: 7')),
    );
    expect(problems[0]).toMatch(/02-pods\.md: number: 7 does not match the file name's 02/);
  });

  it('names broken YAML', async () => {
    const problems = await problemsAfter((dir) => appendFileSync(path.join(dir, 'quizzes/02-pods.yaml'), '  - id: [unclosed\n'));
    expect(problems[0]).toMatch(/quizzes\/02-pods\.yaml: invalid YAML/);
  });

  it('names a short-answer rule that rejects its own model answer', async () => {
    const problems = await problemsAfter((dir) =>
      rewrite(path.join(dir, 'quizzes/02-pods.yaml'), (t) => t.replace('answer: network namespace', 'answer: loopback')),
    );
    expect(problems).toEqual([expect.stringMatching(/02-pods\.yaml: questions\[0\]\.answer: does not satisfy the question's own rule/)]);
  });

  it('names a quiz for a chapter that does not exist, and a gap in the numbering', async () => {
    const problems = await problemsAfter((dir) => rmSync(path.join(dir, 'chapters/04-canary-releases.md')));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/chapters must be numbered 1, 2, 3/),
        expect.stringMatching(/quiz for chapter 4, which does not exist/),
      ]),
    );
  });

  it('names a chapter without sections and duplicate anchors', async () => {
    const problems = await problemsAfter((dir) => {
      rewrite(path.join(dir, 'chapters/05-backups.md'), (t) => t.replace('## Restoring', 'Restoring'));
      appendFileSync(path.join(dir, 'chapters/03-deployments.md'), '\n## Rollback\n\nAgain.\n');
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/05-backups\.md: no sections/),
        expect.stringMatching(/03-deployments\.md: two sections share the anchor "rollback"/),
      ]),
    );
  });

  it('names a file whose name is not NN-slug', async () => {
    const problems = await problemsAfter((dir) => writeFileSync(path.join(dir, 'chapters/six.md'), '---\nnumber: 6\n---\n'));
    expect(problems).toEqual([expect.stringMatching(/chapters\/six\.md: file name must look like NN-slug\.md/)]);
  });
});

describe.each(DATABASE_KINDS)('loading course content on %s', (kind) => {
  let testDb: TestDatabase;
  const clock = new FixedClock(new Date('2026-03-01T10:00:00Z'));
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });
  beforeEach(async () => {
    for (const table of ['quizzes', 'sections', 'chapters', 'course']) await testDb.db.write(table).delete();
  });

  const snapshot = async () => ({
    chapters: await testDb.db.read('chapters').select().orderBy('number'),
    sections: await testDb.db.read('sections').select().orderBy(['chapter_number', 'position']),
    quizzes: await testDb.db.read('quizzes').select().orderBy('chapter_number'),
    course: await testDb.db.read('course').select(),
  });

  it('loads every chapter, section and quiz', async () => {
    const report = await loadCourseContent(testDb.db, FIXTURE_CONTENT, clock);
    expect(report.added).toEqual([1, 2, 3, 4, 5]);
    const rows = await snapshot();
    expect(rows.chapters.map((c) => [c.number, c.slug, c.required_tier])).toEqual([
      [1, 'containers', 'free'],
      [2, 'pods', 'free'],
      [3, 'deployments', 'free'],
      [4, 'canary-releases', 'premium'],
      [5, 'backups', 'premium'],
    ]);
    expect(rows.quizzes.map((q) => q.chapter_number)).toEqual([1, 2, 4]);
    expect(rows.course[0].title).toBe('Fixture Course');
  });

  it('changes nothing when run twice', async () => {
    await loadCourseContent(testDb.db, FIXTURE_CONTENT, clock);
    const before = await snapshot();
    clock.advance(60_000);
    const report = await loadCourseContent(testDb.db, FIXTURE_CONTENT, clock);
    expect(report).toEqual({ added: [], updated: [], removed: [], unchanged: [1, 2, 3, 4, 5], quizzesChanged: [] });
    expect(await snapshot()).toEqual(before);
  });

  it('rewrites only a changed chapter and removes a deleted one', async () => {
    const copy = copyFixtureContent();
    try {
      await loadCourseContent(testDb.db, copy.dir, clock);
      rewrite(path.join(copy.dir, 'chapters/02-pods.md'), (t) => `${t}\n## Probes\n\nLiveness and readiness.\n`);
      rmSync(path.join(copy.dir, 'chapters/05-backups.md'));
      rmSync(path.join(copy.dir, 'quizzes/04-canary-releases.yaml'));
      clock.advance(60_000);
      const report = await loadCourseContent(testDb.db, copy.dir, clock);
      expect(report).toMatchObject({ added: [], updated: [2], removed: [5], unchanged: [1, 3, 4], quizzesChanged: [4] });
      const sections = await testDb.db.read('sections').where({ chapter_number: 2 }).orderBy('position').pluck('anchor');
      expect(sections).toEqual(['what-a-pod-is', 'pod-lifecycle', 'probes']);
      expect(await testDb.db.read('chapters').pluck('number')).not.toContain(5);
      expect(await testDb.db.read('quizzes').pluck('chapter_number')).toEqual([1, 2]);
    } finally {
      copy.remove();
    }
  });

  it('leaves the database untouched when any file is broken', async () => {
    const copy = copyFixtureContent();
    try {
      await loadCourseContent(testDb.db, FIXTURE_CONTENT, clock);
      const before = await snapshot();
      rewrite(path.join(copy.dir, 'chapters/01-containers.md'), (t) => t.replace('Containers package', 'Changed'));
      rewrite(path.join(copy.dir, 'quizzes/02-pods.yaml'), (t) => t.replace('pass_percentage: 50', 'pass_percentage: 150'));
      await expect(loadCourseContent(testDb.db, copy.dir, clock)).rejects.toThrow(
        /02-pods\.yaml: pass_percentage: Number must be less than or equal to 100/,
      );
      expect(await snapshot()).toEqual(before);
    } finally {
      copy.remove();
    }
  });
});
