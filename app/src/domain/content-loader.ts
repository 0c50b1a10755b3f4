import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodType, ZodTypeDef } from 'zod';
import type { Clock } from '../clock';
import { ChapterFrontMatter, CourseFile, formatIssuePath, QuizFile, type Question } from './content-schema';
import type { ContentStore } from '../db/content-store';
import { writeCourseContent, type LoadReport } from '../db/content-writer';
import type { Database } from '../db/database';
import { extractSections, splitFrontMatter, type MarkdownSection } from './markdown';
import { isCorrect } from './grading';

export type { LoadReport } from '../db/content-writer';

/**
 * Reads `app/content/` (docs/contracts.md, "Course content"), validates every file and
 * loads it into the database. Loading is idempotent: rows are keyed by chapter number
 * and only rewritten when the file's hash changes; chapters and quizzes whose files are
 * gone are removed. Learner rows (progress, attempts) are never touched.
 */

/** Bumped when the way sections are derived changes, so every chapter is rewritten once. */
const PARSER_VERSION = 'sections-v2';

export interface ParsedChapter {
  readonly number: number;
  readonly slug: string;
  readonly title: string;
  readonly summary: string;
  /** Verbatim: the file without its front matter. */
  readonly markdown: string;
  readonly sections: readonly MarkdownSection[];
  readonly contentHash: string;
}

export interface ParsedQuiz {
  readonly chapter: number;
  readonly title: string;
  readonly pass_percentage: number;
  readonly questions: readonly Question[];
  readonly contentHash: string;
}

export interface CourseContent {
  readonly course: { readonly title: string; readonly description: string };
  readonly chapters: readonly ParsedChapter[];
  readonly quizzes: readonly ParsedQuiz[];
}

/** Every problem found in the content, one per line, each naming its file. */
export class ContentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Course content is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContentError';
  }
}

const CHAPTER_FILE = /^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;
const QUIZ_FILE = /^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.ya?ml$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

async function listFiles(dir: string, problems: string[]): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  } catch {
    problems.push(`${displayPath(dir)}: directory not found`);
    return [];
  }
}

/** Parses YAML text and validates it; pushes problems naming the file and field. */
function parseYaml<T>(text: string, schema: ZodType<T, ZodTypeDef, unknown>, file: string, problems: string[]): T | undefined {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    problems.push(`${displayPath(file)}: invalid YAML (${document.errors[0].message.split('\n')[0]})`);
    return undefined;
  }
  const result = schema.safeParse(document.toJS());
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = formatIssuePath(issue.path);
      problems.push(`${displayPath(file)}: ${where ? `${where}: ` : ''}${issue.message}`);
    }
    return undefined;
  }
  return result.data;
}

/**
 * `claimed` receives the number of every well-named chapter file, even one that fails
 * validation, so one broken chapter is reported once rather than again as a gap.
 */
async function readChapters(dir: string, problems: string[], claimed: number[]): Promise<ParsedChapter[]> {
  const chapters: ParsedChapter[] = [];
  for (const name of await listFiles(dir, problems)) {
    const file = path.join(dir, name);
    const match = CHAPTER_FILE.exec(name);
    if (!match) {
      problems.push(`${displayPath(file)}: file name must look like NN-slug.md`);
      continue;
    }
    claimed.push(Number(match[1]));
    const source = await readFile(file, 'utf8');
    const split = splitFrontMatter(source);
    if (!split) {
      problems.push(`${displayPath(file)}: missing front matter (a --- block with number, title, summary)`);
      continue;
    }
    const front = parseYaml(split.frontMatter, ChapterFrontMatter, file, problems);
    if (!front) continue;
    if (front.number !== Number(match[1])) {
      problems.push(`${displayPath(file)}: number: ${front.number} does not match the file name's ${match[1]}`);
      continue;
    }
    const sections = extractSections(split.body, front.title);
    const headed = sections.filter((s) => s.heading);
    if (headed.length === 0) {
      problems.push(`${displayPath(file)}: no sections (each "## " heading starts one)`);
    }
    const anchors = sections.map((s) => s.anchor);
    headed.forEach((section) => {
      if (section.anchor === '') problems.push(`${displayPath(file)}: heading "${section.title}" has no letters or digits for an anchor`);
      else if (anchors.indexOf(section.anchor) !== anchors.lastIndexOf(section.anchor)) {
        problems.push(`${displayPath(file)}: two sections share the anchor "${section.anchor}"`);
      }
    });
    chapters.push({
      number: front.number,
      slug: match[2],
      title: front.title,
      summary: front.summary,
      markdown: split.body,
      sections,
      contentHash: sha256(`${PARSER_VERSION}\n${source}`),
    });
  }
  return chapters;
}

async function readQuizzes(dir: string, problems: string[]): Promise<ParsedQuiz[]> {
  const quizzes: ParsedQuiz[] = [];
  for (const name of await listFiles(dir, problems)) {
    const file = path.join(dir, name);
    const match = QUIZ_FILE.exec(name);
    if (!match) {
      problems.push(`${displayPath(file)}: file name must look like NN-slug.yaml`);
      continue;
    }
    const source = await readFile(file, 'utf8');
    const quiz = parseYaml(source, QuizFile, file, problems);
    if (!quiz) continue;
    if (quiz.chapter !== Number(match[1])) {
      problems.push(`${displayPath(file)}: chapter: ${quiz.chapter} does not match the file name's ${match[1]}`);
      continue;
    }
    // A rule that rejects its own model answer would fail every learner.
    quiz.questions.forEach((question, index) => {
      if (question.type === 'short_answer' && !isCorrect(question, question.answer)) {
        problems.push(`${displayPath(file)}: questions[${index}].answer: does not satisfy the question's own rule`);
      }
    });
    quizzes.push({ ...quiz, contentHash: sha256(source) });
  }
  return quizzes;
}

/** Reads and validates the whole course; throws ContentError listing every problem. */
export async function readCourseContent(contentDir: string): Promise<CourseContent> {
  const problems: string[] = [];
  const courseFile = path.join(contentDir, 'course.yaml');
  let courseSource: string | undefined;
  try {
    courseSource = await readFile(courseFile, 'utf8');
  } catch {
    problems.push(`${displayPath(courseFile)}: file not found`);
  }
  const course = courseSource === undefined ? undefined : parseYaml(courseSource, CourseFile, courseFile, problems);
  const claimed: number[] = [];
  const chapters = await readChapters(path.join(contentDir, 'chapters'), problems, claimed);
  const quizzes = await readQuizzes(path.join(contentDir, 'quizzes'), problems);

  const numbers = [...claimed].sort((a, b) => a - b);
  numbers.forEach((number, index) => {
    if (numbers.indexOf(number) !== index)
      problems.push(`${displayPath(path.join(contentDir, 'chapters'))}: two files for chapter ${number}`);
    else if (number !== index + 1)
      problems.push(
        `${displayPath(path.join(contentDir, 'chapters'))}: chapters must be numbered 1, 2, 3… without gaps (found ${number} at position ${index + 1})`,
      );
  });
  const quizChapters = quizzes.map((q) => q.chapter);
  quizChapters.forEach((chapter, index) => {
    if (quizChapters.indexOf(chapter) !== index)
      problems.push(`${displayPath(path.join(contentDir, 'quizzes'))}: two quizzes for chapter ${chapter}`);
    if (!numbers.includes(chapter))
      problems.push(`${displayPath(path.join(contentDir, 'quizzes'))}: quiz for chapter ${chapter}, which does not exist`);
  });
  if (chapters.length === 0 && problems.length === 0) problems.push(`${displayPath(contentDir)}: no chapters`);

  if (problems.length > 0 || !course) throw new ContentError(problems);
  return { course, chapters: [...chapters].sort((a, b) => a.number - b.number), quizzes };
}

export interface LoadOptions {
  /** The content store of an app running in this process: it forgets what it cached. */
  readonly content?: Pick<ContentStore, 'invalidate'>;
}

/** Validates `contentDir` and brings the database in line with it, in one transaction. */
export async function loadCourseContent(
  db: Pick<Database, 'write'>,
  contentDir: string,
  clock: Clock,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const content = await readCourseContent(contentDir);
  const report = await writeCourseContent(db.write, content, clock.now().toISOString());
  options.content?.invalidate();
  return report;
}
