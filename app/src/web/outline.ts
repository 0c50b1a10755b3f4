import type { Course } from './api-types';
import type { LearnerApi } from './session';

interface Outline {
  readonly title: string;
  readonly description: string;
  readonly titles: ReadonlyMap<number, string>;
  readonly fetchedAt: number;
}

/**
 * The course's shape (title, chapter numbers and titles) is the same for every learner
 * and changes only when content is reloaded on a deploy. Pages that only need the shape
 * (the chapter position bar, the upgrade panel's title) read it from here instead of
 * costing the api a second call per page.
 */
export class CourseOutlineCache {
  private outline: Outline | null = null;

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  remember(course: Course): void {
    this.outline = {
      title: course.title,
      description: course.description,
      titles: new Map(course.chapters.map((c) => [c.number, c.title])),
      fetchedAt: this.now(),
    };
  }

  titleOf(number: number): string | undefined {
    return this.outline?.titles.get(number);
  }

  has(number: number): boolean {
    return this.outline?.titles.has(number) ?? false;
  }

  /** How many chapters the course has; fetched with this learner's session when stale. */
  async total(learner: LearnerApi): Promise<number | null> {
    if (!this.outline || this.now() - this.outline.fetchedAt > this.ttlMs) {
      try {
        this.remember(await learner.call<Course>({ method: 'GET', path: '/course' }));
      } catch {
        // The bar is a nicety: without the outline the page simply leaves it out.
      }
    }
    return this.outline ? this.outline.titles.size : null;
  }
}
