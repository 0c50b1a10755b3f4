import type { Progress } from '../api-types';
import { StateBadge } from './course';
import { Layout, type Frame } from './layout';

const percent = (value: number | null) => (value === null ? '—' : `${value}%`);

function days(count: number): string {
  return `${count} ${count === 1 ? 'day' : 'days'}`;
}

export function ProgressPage({ frame, progress }: { frame: Frame; progress: Progress }) {
  // The api answers with a fraction of a percent (11.1); a learner reads whole numbers.
  const overall = Math.round(progress.overall_percentage);
  return (
    <Layout frame={frame} title="Your progress">
      <h1>Your progress</h1>
      <div class="meter">
        <label htmlFor="overall">
          {overall}% complete: {progress.completed_chapters} of {progress.total_chapters} chapters
        </label>
        <progress id="overall" max={100} value={overall}>
          {overall}%
        </progress>
      </div>
      <StreakFigures streak={progress.streak} />
      <p class="muted">Days count in your time zone, {progress.streak.timezone}. Change it on your account page.</p>
      {progress.resume && (
        <p>
          <a
            class="button"
            href={`/chapters/${progress.resume.chapter_number}${progress.resume.section_anchor ? `#${progress.resume.section_anchor}` : ''}`}
          >
            Resume chapter {progress.resume.chapter_number}
          </a>
        </p>
      )}
      <h2>Chapters</h2>
      <ChapterTable chapters={progress.chapters} />
    </Layout>
  );
}

function StreakFigures({ streak }: { streak: Progress['streak'] }) {
  return (
    <ul class="stats" aria-label="Streak">
      <li class="card">
        <span class="figure" data-testid="current-streak">
          {days(streak.current)}
        </span>{' '}
        current streak
      </li>
      <li class="card">
        <span class="figure" data-testid="longest-streak">
          {days(streak.longest)}
        </span>{' '}
        longest streak
      </li>
    </ul>
  );
}

function ChapterTable({ chapters }: { chapters: Progress['chapters'] }) {
  return (
    <div class="table-wrap">
      <table class="data">
        <caption class="visually-hidden">Status and quiz scores of every chapter</caption>
        <thead>
          <tr>
            <th scope="col">Chapter</th>
            <th scope="col">Status</th>
            <th scope="col">Best quiz</th>
            <th scope="col">Last quiz</th>
          </tr>
        </thead>
        <tbody>
          {chapters.map((chapter) => (
            <tr key={chapter.number}>
              <th scope="row">
                <a href={`/chapters/${chapter.number}`}>
                  {chapter.number}. {chapter.title}
                </a>
              </th>
              <td>
                <StateBadge state={chapter.state} />
                {/* Finished on an earlier plan: still counted above, no longer open (issue 16, defect 3). */}
                {chapter.state === 'done' && chapter.locked && <span class="muted"> (locked on your plan)</span>}
              </td>
              <td>{percent(chapter.best_quiz_percentage)}</td>
              <td>{percent(chapter.last_quiz_percentage)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
