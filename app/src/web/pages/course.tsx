import type { ChapterState, ChapterSummary, Course, Resume } from '../api-types';
import { Layout, type Frame } from './layout';

export const STATE_LABEL: Record<ChapterState, string> = {
  done: 'Done',
  in_progress: 'In progress',
  not_started: 'Not started',
  locked: 'Locked',
};

export function StateBadge({ state }: { state: ChapterState }) {
  return <span class={`badge ${state}`}>{STATE_LABEL[state]}</span>;
}

function resumeHref(resume: Resume): string {
  return `/chapters/${resume.chapter_number}${resume.section_anchor ? `#${resume.section_anchor}` : ''}`;
}

function ChapterCard({ chapter }: { chapter: ChapterSummary }) {
  return (
    <li>
      <div class="card">
        <div>
          <h3>
            <a href={`/chapters/${chapter.number}`}>
              Chapter {chapter.number}: {chapter.title}
            </a>
          </h3>
          <p class="muted">{chapter.summary}</p>
          {chapter.locked && <p class="muted">Included with {chapter.required_tier} plans.</p>}
        </div>
        <StateBadge state={chapter.state} />
      </div>
    </li>
  );
}

/** Home for a signed-in learner: every chapter's state and where to pick up. */
export function CoursePage({ frame, course, resume }: { frame: Frame; course: Course; resume: Resume | null }) {
  const firstOpen = course.chapters.find((c) => !c.locked && c.state !== 'done') ?? course.chapters[0];
  const resumeTitle = resume ? course.chapters.find((c) => c.number === resume.chapter_number)?.title : undefined;
  return (
    <Layout frame={frame} title={course.title}>
      <h1>{course.title}</h1>
      <p>{course.description}</p>
      <div class="actions">
        {resume ? (
          <a class="button" href={resumeHref(resume)}>
            Resume: chapter {resume.chapter_number}
            {resumeTitle ? `, ${resumeTitle}` : ''}
          </a>
        ) : (
          firstOpen && (
            <a class="button" href={`/chapters/${firstOpen.number}`}>
              Start with chapter {firstOpen.number}
            </a>
          )
        )}
        <a href="/progress">See your progress</a>
      </div>
      <h2>Chapters</h2>
      <ol class="chapter-list" aria-label="Chapters">
        {course.chapters.map((chapter) => (
          <ChapterCard key={chapter.number} chapter={chapter} />
        ))}
      </ol>
    </Layout>
  );
}
