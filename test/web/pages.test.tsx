import { renderToString } from 'preact-render-to-string';
import type { AttemptResult, Chapter, SearchResponse } from '../../app/src/web/api-types';
import { ChapterHtmlCache, renderChapterMarkdown, slugify } from '../../app/src/web/markdown';
import { ChapterPage, UpgradePage } from '../../app/src/web/pages/chapter';
import { SearchPage } from '../../app/src/web/pages/search';
import { SignUpPage } from '../../app/src/web/pages/auth';
import { TimeZoneSelect } from '../../app/src/web/pages/forms';
import { QuizPage, QuizResultPage, describeAnswer } from '../../app/src/web/pages/quiz';
import { sampleChapter, sampleFrame } from './fixtures';

const frame = sampleFrame();
const chapter = sampleChapter;

describe('ChapterHtmlCache', () => {
  it('renders a chapter again when its Markdown or its section anchors change, and only then', () => {
    const cache = new ChapterHtmlCache();
    const c = chapter();
    const first = cache.render(c.number, c.markdown, c.sections);
    expect(cache.render(c.number, `${c.markdown}`, c.sections)).toBe(first);
    const edited = cache.render(c.number, c.markdown.replace('More.', 'Edited.'), c.sections);
    expect(edited).toContain('Edited.');
    const renamed = [c.sections[0], { anchor: 'services-and-more', title: 'Services' }];
    expect(cache.render(c.number, c.markdown.replace('More.', 'Edited.'), renamed)).toContain('id="services-and-more"');
    expect(cache.render(3, 'Another chapter.', [])).toContain('Another chapter.');
  });
});

describe('chapter Markdown', () => {
  it('gives each section heading the anchor the api lists for it', () => {
    const html = renderChapterMarkdown(chapter().markdown, chapter().sections);
    expect(html).toContain('<h2 id="what-a-pod-is">What a Pod is</h2>');
    expect(html).toContain('<h2 id="services">Services</h2>');
  });

  it('slugifies like the contract: lower case ASCII words joined by dashes', () => {
    expect(slugify('Blue–green & Canary: 2 ways')).toBe('blue-green-canary-2-ways');
    expect(slugify('Café déjà vu')).toBe('cafe-deja-vu');
  });

  it('shows raw HTML as text and drops script links', () => {
    const html = renderChapterMarkdown(
      '<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n![x](data:text/html,boom)',
      [],
    );
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).not.toContain('<img src="x"');
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('chapter page', () => {
  const render = (c: Chapter) =>
    renderToString(<ChapterPage frame={frame} chapter={c} html={renderChapterMarkdown(c.markdown, c.sections)} totalChapters={9} />);

  it('escapes the chapter title', () => {
    const page = render(chapter());
    expect(page).toContain('Pods &amp; &lt;Services>');
    expect(page).not.toContain('<Services>');
  });

  it('lists the sections, links next and previous, and offers to mark complete', () => {
    const page = render(chapter());
    expect(page).toContain('href="#what-a-pod-is"');
    expect(page).toContain('href="/chapters/3" rel="next"');
    expect(page).toContain('href="/chapters/1" rel="prev"');
    expect(page).toContain('action="/chapters/2/complete"');
    expect(page).toContain('<progress id="course-position" max="9" value="2">');
  });

  it('says the chapter is done instead of offering the button again', () => {
    const page = render(chapter({ state: 'done' }));
    expect(page).toContain('You completed this chapter.');
    expect(page).not.toContain('action="/chapters/2/complete"');
  });

  it('carries the CSP nonce on the script and the CSRF token in forms', () => {
    const page = render(chapter());
    expect(page).toContain('<script src="/assets/app.def.js" defer nonce="n0nce">');
    expect(page).toContain('name="_csrf" value="salt.signature"');
  });
});

describe('upgrade panel', () => {
  it('shows the plans and prices', () => {
    const page = renderToString(
      <UpgradePage
        frame={frame}
        chapterNumber={4}
        chapterTitle="Declarative configuration"
        requiredTier="premium"
        plans={[
          { tier: 'free', name: 'Free', price_monthly: 0, currency: 'USD', chapters: 'Chapters 1–3' },
          { tier: 'premium', name: 'Premium', price_monthly: 9.99, currency: 'USD', chapters: 'All chapters' },
        ]}
      />,
    );
    expect(page).toContain('Chapter 4: Declarative configuration is locked');
    expect(page).toContain('$9.99 a month');
    expect(page).toContain('<strong>premium</strong>');
  });

  it('offers the previous chapter and the plans as ways forward', () => {
    const page = renderToString(
      <UpgradePage
        frame={frame}
        chapterNumber={4}
        chapterTitle="Declarative configuration"
        requiredTier="premium"
        plans={[]}
        previous={{ number: 3, title: 'Kubernetes Objects' }}
      />,
    );
    expect(page).toMatch(/<a href="\/chapters\/3">[^<]*Chapter 3: Kubernetes Objects/);
    expect(page).toContain('href="/upgrade"');
  });
});

describe('search page', () => {
  const response: SearchResponse = {
    query: 'pod',
    results: [
      {
        chapter_number: 2,
        chapter_title: 'Pods',
        section_anchor: 'what-a-pod-is',
        section_title: 'What a Pod is',
        snippet: [
          { text: 'A ', highlight: false },
          { text: 'Pod', highlight: true },
          { text: ' <img src=x onerror=alert(1)> runs', highlight: false },
        ],
        url: 'javascript:alert(1)',
        score: 1,
      },
    ],
  };

  it('marks highlighted segments and escapes the rest', () => {
    const page = renderToString(<SearchPage frame={frame} query="pod" response={response} />);
    expect(page).toContain('A <mark>Pod</mark> &lt;img src=x onerror=alert(1)> runs');
  });

  it('links to the exact section, built from the chapter and anchor rather than a given URL', () => {
    const page = renderToString(<SearchPage frame={frame} query="pod" response={response} />);
    expect(page).toContain('href="/chapters/2#what-a-pod-is"');
    expect(page).not.toContain('javascript:');
  });

  it('links a result in a chapter introduction to the chapter itself, naming the chapter once', () => {
    const intro = {
      ...response.results[0],
      chapter_number: 4,
      chapter_title: 'Declarative Configuration',
      section_anchor: '',
      section_title: 'Declarative Configuration',
    };
    const page = renderToString(<SearchPage frame={frame} query="pod" response={{ query: 'pod', results: [intro] }} />);
    expect(page).toContain('href="/chapters/4"');
    expect(page).not.toContain('/chapters/4#');
    expect(page).not.toContain('Declarative Configuration › Declarative Configuration');
    expect(page).toContain('Chapter 4: Declarative Configuration</a>');
  });

  it('says so when nothing matched', () => {
    const page = renderToString(<SearchPage frame={frame} query="zebra" response={{ query: 'zebra', results: [] }} />);
    expect(page).toContain('No results for “zebra”');
  });
});

describe('forms', () => {
  it('ties a field error to its input and lists it in the summary', () => {
    const page = renderToString(
      <SignUpPage frame={{ ...frame, signedIn: false }} values={{ email: '"><script>x</script>' }} errors={{ email: 'Enter an email.' }} />,
    );
    expect(page).toContain('aria-describedby="field-email-error"');
    expect(page).toContain('aria-invalid="true"');
    expect(page).toContain('<p class="field-error" id="field-email-error">Enter an email.</p>');
    expect(page).toContain('<a href="#field-email">Enter an email.</a>');
    expect(page).toContain('value="&quot;>&lt;script>x&lt;/script>"');
  });
});

describe('quiz result', () => {
  it('shows the score, each verdict, feedback, explanation and the correct answer in words', () => {
    const page = renderToString(
      <QuizResultPage
        frame={frame}
        quiz={{
          chapter_number: 1,
          title: 'Images quiz',
          pass_percentage: 60,
          questions: [
            {
              id: 'q1',
              type: 'single',
              prompt: 'Pick one',
              options: [
                { id: 'a', text: 'Alpha' },
                { id: 'b', text: 'Beta' },
              ],
            },
          ],
        }}
        result={{
          attempt_id: 'x',
          score: 0,
          max_score: 1,
          percentage: 0,
          passed: false,
          results: [{ question_id: 'q1', correct: false, feedback: 'Not quite.', explanation: 'Because.', correct_answer: 'b' }],
          best_percentage: 0,
          last_percentage: 0,
          next_chapter: null,
        }}
      />,
    );
    expect(page).toContain('0 of 1 correct (0%)');
    expect(page).toContain('Incorrect');
    expect(page).toContain('Not quite.');
    expect(page).toContain('Correct answer: Beta');
    expect(page).toContain('href="/chapters/1/quiz"');
  });

  const resultOf = (overrides: Partial<AttemptResult> = {}): AttemptResult => ({
    attempt_id: 'x',
    score: 0,
    max_score: 1,
    percentage: 0,
    passed: false,
    results: [
      {
        question_id: 'q1',
        correct: false,
        feedback: 'Not `quite`.',
        explanation: 'Run `git revert <sha>`, **then** push. <img src=x onerror=alert(1)>',
        correct_answer: 'b',
      },
    ],
    best_percentage: 0,
    last_percentage: 0,
    next_chapter: null,
    ...overrides,
  });
  const quiz = {
    chapter_number: 3,
    title: 'Objects quiz',
    pass_percentage: 60,
    questions: [
      {
        id: 'q1',
        type: 'single' as const,
        prompt: 'Pick one',
        options: [
          { id: 'a', text: 'Alpha' },
          { id: 'b', text: 'Beta' },
        ],
      },
    ],
  };

  it('renders explanations and feedback as Markdown, like chapter text, and safely', () => {
    const page = renderToString(<QuizResultPage frame={frame} quiz={quiz} result={resultOf()} />);
    expect(page).toContain('Run <code>git revert &lt;sha&gt;</code>, <strong>then</strong> push.');
    expect(page).toContain('Not <code>quite</code>.');
    expect(page).not.toContain('`');
    expect(page).not.toContain('<img');
  });

  it('labels a next chapter the learner cannot open yet, and offers the plans', () => {
    const locked = renderToString(
      <QuizResultPage
        frame={frame}
        quiz={quiz}
        result={resultOf({ next_chapter: { number: 4, title: 'Declarative Configuration', locked: true } })}
      />,
    );
    expect(locked).toMatch(/chapter 4: Declarative Configuration[^<]*\(locked on your plan\)/i);
    expect(locked).toContain('href="/upgrade"');
    const open = renderToString(
      <QuizResultPage
        frame={frame}
        quiz={quiz}
        result={resultOf({ next_chapter: { number: 4, title: 'Declarative Configuration', locked: false } })}
      />,
    );
    expect(open).toContain('href="/chapters/4"');
    expect(open).not.toContain('locked');
  });

  it('says on the quiz page that multiple choice is all-or-nothing', () => {
    const multiple = { ...quiz, questions: [{ ...quiz.questions[0], type: 'multiple' as const }] };
    const page = renderToString(<QuizPage frame={frame} quiz={multiple} best={null} last={null} />);
    expect(page).toMatch(/every right option and no wrong one/);
  });

  it('describes booleans and lists of options', () => {
    expect(describeAnswer({ id: 't', type: 'true_false', prompt: '' }, true)).toBe('True');
    expect(
      describeAnswer(
        {
          id: 'm',
          type: 'multiple',
          prompt: '',
          options: [
            { id: 'a', text: 'A' },
            { id: 'b', text: 'B' },
          ],
        },
        ['a', 'b'],
      ),
    ).toBe('A, B');
  });
});

describe('time zone choice', () => {
  it('keeps a valid zone that is not in the list chosen, so saving does not change it', () => {
    const page = renderToString(<TimeZoneSelect zones={['UTC', 'Europe/Paris']} selected="Etc/GMT+5" errors={{}} />);
    expect(page).toContain('<option value="Etc/GMT+5" selected');
  });
});
