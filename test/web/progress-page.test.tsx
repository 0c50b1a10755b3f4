import { renderToString } from 'preact-render-to-string';
import type { Progress } from '../../app/src/web/api-types';
import { ProgressPage } from '../../app/src/web/pages/progress';
import { sampleFrame } from './fixtures';

const chapterRow = (number: number, state: Progress['chapters'][number]['state'], locked: boolean) => ({
  number,
  title: `Chapter ${number}`,
  state,
  locked,
  completed_at: state === 'done' ? '2026-01-01T00:00:00.000Z' : null,
  best_quiz_percentage: null,
  last_quiz_percentage: null,
});

describe('the progress page of a downgraded learner (issue 16, defect 3)', () => {
  it('shows a chapter finished on the old plan as done, locked on the plan, and counts it', () => {
    const progress: Progress = {
      overall_percentage: 66.7,
      completed_chapters: 2,
      total_chapters: 3,
      chapters: [chapterRow(1, 'done', false), chapterRow(2, 'done', true), chapterRow(3, 'locked', true)],
      resume: null,
      streak: { current: 0, longest: 1, last_active_date: '2026-01-01', timezone: 'UTC' },
    };
    const page = renderToString(<ProgressPage frame={sampleFrame({ path: '/progress' })} progress={progress} />);
    expect(page).toContain('67% complete: 2 of 3 chapters');
    const rows = page.split('<tr>').slice(2);
    expect(rows[0]).not.toContain('locked on your plan');
    expect(rows[1]).toMatch(/Done<\/span>.*\(locked on your plan\)/);
    expect(rows[2]).toContain('Locked');
    expect(rows[2]).not.toContain('locked on your plan');
  });
});
