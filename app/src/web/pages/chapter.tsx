import type { Chapter, ChapterLink, Plan } from '../api-types';
import { CsrfField, Layout, type Frame } from './layout';

function PagerLink({ link, rel }: { link: ChapterLink; rel: 'prev' | 'next' }) {
  const label = rel === 'prev' ? 'Previous' : 'Next';
  return (
    <li>
      <a href={`/chapters/${link.number}`} rel={rel}>
        {rel === 'prev' ? '← ' : ''}
        {label}: chapter {link.number}, {link.title}
        {link.locked ? ' (locked)' : ''}
        {rel === 'next' ? ' →' : ''}
      </a>
    </li>
  );
}

export interface ChapterPageProps {
  readonly frame: Frame;
  /** The chapter as the api sent it; its Markdown is shown as `html`. */
  readonly chapter: Omit<Chapter, 'markdown'>;
  /** Sanitized HTML of the chapter's Markdown. */
  readonly html: string;
  /** How many chapters the course has, for the position bar; unknown if the outline is not cached. */
  readonly totalChapters: number | null;
}

export function ChapterPage({ frame, chapter, html, totalChapters }: ChapterPageProps) {
  return (
    <Layout frame={frame} title={`Chapter ${chapter.number}: ${chapter.title}`}>
      <p class="muted">
        <a href="/">Course</a> › Chapter {chapter.number}
      </p>
      <h1>{chapter.title}</h1>
      {totalChapters !== null && (
        <div class="meter">
          <label htmlFor="course-position">
            Chapter {chapter.number} of {totalChapters}
          </label>
          <progress id="course-position" max={totalChapters} value={chapter.number}>
            Chapter {chapter.number} of {totalChapters}
          </progress>
        </div>
      )}
      <div class="reader">
        <ChapterContents sections={chapter.sections} />
        <div>
          <article class="chapter-body" data-chapter-number={String(chapter.number)} dangerouslySetInnerHTML={{ __html: html }} />
          <FinishSection chapter={chapter} csrfToken={frame.csrfToken} />
          <nav class="pager" aria-label="Chapters">
            <ul>
              {chapter.previous ? <PagerLink link={chapter.previous} rel="prev" /> : <li />}
              {chapter.next && <PagerLink link={chapter.next} rel="next" />}
            </ul>
          </nav>
        </div>
      </div>
    </Layout>
  );
}

/** Marking the chapter complete, saving one's place without JavaScript, and the quiz. */
function FinishSection({ chapter, csrfToken }: { chapter: ChapterPageProps['chapter']; csrfToken: string }) {
  const done = chapter.state === 'done';
  return (
    <section aria-labelledby="finish-title" class="card">
      <h2 id="finish-title">Finished reading?</h2>
      {done ? (
        <p>
          <strong>You completed this chapter.</strong>
        </p>
      ) : (
        <form method="post" action={`/chapters/${chapter.number}/complete`}>
          <CsrfField token={csrfToken} />
          <button type="submit">Mark chapter {chapter.number} complete</button>
        </form>
      )}
      {/* Without JavaScript nothing reports the view: this button does (a POST, never a GET). */}
      <form method="post" action="/progress/position">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="chapter_number" value={String(chapter.number)} />
        <button type="submit" class="secondary">
          Save my place in chapter {chapter.number}
        </button>
      </form>
      {chapter.has_quiz && (
        <p>
          <a href={`/chapters/${chapter.number}/quiz`}>Take the chapter {chapter.number} quiz</a>
        </p>
      )}
    </section>
  );
}

function ChapterContents({ sections }: { sections: ChapterPageProps['chapter']['sections'] }) {
  if (sections.length === 0) return null;
  return (
    <nav class="toc card" aria-labelledby="toc-title">
      <h2 id="toc-title">In this chapter</h2>
      <ol>
        {sections.map((section) => (
          <li key={section.anchor}>
            <a href={`#${section.anchor}`}>{section.title}</a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

export function formatPrice(plan: Plan): string {
  if (plan.price_monthly === 0) return 'Free';
  const amount = new Intl.NumberFormat('en', { style: 'currency', currency: plan.currency }).format(plan.price_monthly);
  return `${amount} a month`;
}

/** What a learner sees instead of a chapter their plan does not include (status 403). */
export function UpgradePage(props: {
  frame: Frame;
  chapterNumber: number;
  chapterTitle?: string;
  /** A `Tier`, or whatever newer tier name the api sends. */
  requiredTier: string;
  plans: readonly Plan[];
  /** The chapter before, to go on reading meanwhile (none before chapter 1). */
  previous?: { number: number; title?: string } | null;
}) {
  const { frame, chapterNumber, chapterTitle, requiredTier, previous } = props;
  const heading = `Chapter ${chapterNumber}${chapterTitle ? `: ${chapterTitle}` : ''} is locked`;
  return (
    <Layout frame={frame} title={heading}>
      <section class="upgrade" aria-labelledby="upgrade-title">
        <h1 id="upgrade-title">{heading}</h1>
        <p>
          This chapter is part of the <strong>{requiredTier}</strong> plan and above. Your current plan covers the chapters you can already
          open from the course page.
        </p>
        <p>
          {previous && (
            <>
              Meanwhile, go back to{' '}
              <a href={`/chapters/${previous.number}`}>
                Chapter {previous.number}
                {previous.title ? `: ${previous.title}` : ''}
              </a>
              , or{' '}
            </>
          )}
          <a href="/upgrade">{previous ? 'compare the plans' : 'Compare the plans'}</a>.
        </p>
        <h2>Plans</h2>
        <ul class="plans">
          {props.plans.map((plan) => (
            <li key={plan.tier} class="card">
              <h3>{plan.name}</h3>
              <p class="price">{formatPrice(plan)}</p>
              <p>{plan.chapters}</p>
            </li>
          ))}
        </ul>
        <p>Once your plan changes, this chapter opens here straight away.</p>
        <div class="actions">
          <a class="button" href="/upgrade">
            Choose a plan
          </a>
          <a class="button secondary" href="/">
            Back to the course
          </a>
        </div>
      </section>
    </Layout>
  );
}
