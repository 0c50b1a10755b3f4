import fc from 'fast-check';
import type { Chapter, ChapterLink } from '../../app/src/web/api-types';
import { renderChapterMarkdown } from '../../app/src/web/markdown';
import { PageTemplates, renderPage } from '../../app/src/web/page-templates';
import { ChapterPage, UpgradePage } from '../../app/src/web/pages/chapter';
import type { Frame } from '../../app/src/web/pages/layout';
import { sampleChapter, sampleFrame } from './fixtures';

const MARKDOWN = 'Intro with “quotes”.\n\n## What a Pod is\n\nText.\n\n## Services\n\nMore.';
const HTML = renderChapterMarkdown(MARKDOWN, sampleChapter().sections);
const frame = sampleFrame;

/** The chapter as the route hands it to the page: its Markdown is shown as HTML. */
function chapter(overrides: Partial<Chapter> = {}): Omit<Chapter, 'markdown'> {
  const { markdown: _shownAsHtml, ...shown } = sampleChapter({ markdown: MARKDOWN, ...overrides });
  return shown;
}

const token = fc.stringMatching(/^[A-Za-z0-9_-]{4,24}\.[A-Za-z0-9_-]{4,43}$/);
const nonce = fc.stringMatching(/^[A-Za-z0-9+/]{22}==$/);
const link: fc.Arbitrary<ChapterLink | null> = fc.option(
  fc.record({ number: fc.integer({ min: 1, max: 12 }), title: fc.string({ maxLength: 20 }), locked: fc.boolean() }),
);

describe('page templates', () => {
  it('give exactly the page a direct render gives, for any learner state, token and nonce', () => {
    const templates = new PageTemplates();
    fc.assert(
      fc.property(
        token,
        nonce,
        fc.constantFrom('not_started', 'in_progress', 'done') as fc.Arbitrary<Chapter['state']>,
        link,
        link,
        fc.boolean(),
        fc.option(fc.constantFrom('Chapter marked complete.', 'Signed in. <Welcome> back & enjoy.'), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 12 })),
        (csrfToken, nonceValue, state, previous, next, hasQuiz, flash, total) => {
          const page = (
            <ChapterPage
              frame={frame({ csrfToken, nonce: nonceValue, flash })}
              chapter={chapter({ state, previous, next, has_quiz: hasQuiz })}
              html={HTML}
              totalChapters={total}
            />
          );
          expect(templates.render(page).toString('utf8')).toBe(renderPage(page));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('render a page once per distinct set of props, whatever the per-response values', () => {
    const templates = new PageTemplates();
    const page = (csrfToken: string, state: Chapter['state']) => (
      <ChapterPage frame={frame({ csrfToken })} chapter={chapter({ state })} html={HTML} totalChapters={9} />
    );
    const first = templates.render(page('aaaa.bbbb', 'in_progress')).toString('utf8');
    const second = templates.render(page('cccc.dddd', 'in_progress')).toString('utf8');
    expect(templates.size).toBe(1);
    expect(first).toContain('value="aaaa.bbbb"');
    expect(second).toContain('value="cccc.dddd"');
    expect(second).not.toContain('aaaa.bbbb');

    const done = templates.render(page('eeee.ffff', 'done')).toString('utf8');
    expect(templates.size).toBe(2);
    expect(done).toContain('You completed this chapter.');
  });

  it('tell two chapters apart by their HTML even though the key holds only an id of it', () => {
    const templates = new PageTemplates();
    const other = renderChapterMarkdown(`${MARKDOWN}\n\nA paragraph only the second version has.`, sampleChapter().sections);
    const render = (html: string) =>
      templates.render(<ChapterPage frame={frame()} chapter={chapter()} html={html} totalChapters={9} />).toString('utf8');
    expect(render(HTML)).not.toContain('only the second version');
    expect(render(other)).toContain('only the second version');
    // The same text in a new string object is the same template.
    expect(render(`${HTML}!`.slice(0, -1))).not.toContain('only the second version');
    expect(templates.size).toBe(2);
  });

  it('never let a marker reach the page, and escape what a direct render escapes', () => {
    const templates = new PageTemplates();
    const html = templates
      .render(<UpgradePage frame={frame()} chapterNumber={4} chapterTitle={'Rollouts & "canaries"'} requiredTier="premium" plans={[]} />)
      .toString('utf8');
    expect(html).not.toMatch(/cc-[0-9a-f]{16}-/);
    expect(html).toContain('Rollouts &amp; &quot;canaries&quot;');
  });

  it('render directly when a per-response value would need escaping', () => {
    const templates = new PageTemplates();
    const page = (
      <ChapterPage frame={frame({ csrfToken: 'x"><script>alert(1)</script>' })} chapter={chapter()} html={HTML} totalChapters={9} />
    );
    const html = templates.render(page).toString('utf8');
    expect(html).toBe(renderPage(page));
    expect(html).not.toContain('"><script>');
    expect(templates.size).toBe(0);
  });

  it('render directly a page that does more with a per-response value than print it', () => {
    const templates = new PageTemplates();
    const Shouting = ({ frame }: { frame: Frame }) => <p>{frame.nonce.toUpperCase()}</p>;
    const render = (nonceValue: string) => templates.render(<Shouting frame={frame({ nonce: nonceValue })} />).toString('utf8');
    expect(render('abcdefgh')).toBe('<!DOCTYPE html><p>ABCDEFGH</p>');
    expect(render('ijklmnop')).toBe('<!DOCTYPE html><p>IJKLMNOP</p>');
  });

  it('render directly a page with a prop the key cannot hold (a function)', () => {
    const templates = new PageTemplates();
    const Labelled = ({ label }: { frame: Frame; label: () => string }) => <p>{label()}</p>;
    const render = (label: () => string) => templates.render(<Labelled frame={frame()} label={label} />).toString('utf8');
    expect(render(() => 'first')).toContain('first');
    expect(render(() => 'second')).toContain('second');
  });

  it('keep at most `capacity` templates, dropping the least recently used', () => {
    const templates = new PageTemplates(2);
    const render = (n: number) =>
      templates.render(<UpgradePage frame={frame()} chapterNumber={n} requiredTier="premium" plans={[]} />).toString('utf8');
    render(4);
    render(5);
    render(4); // 4 is now the most recent
    render(6); // evicts 5
    expect(templates.size).toBe(2);
    expect(render(5)).toContain('Chapter 5 is locked');
    expect(render(6)).toContain('Chapter 6 is locked');
  });
});
