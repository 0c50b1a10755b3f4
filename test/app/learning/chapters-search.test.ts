import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisCache } from '../../../app/src/db/cache';
import { getChapter, getChapterJson } from '../../../app/src/domain/chapters';
import { openStores } from '../../../app/src/db/stores';
import { readCourseContent } from '../../../app/src/domain/content-loader';
import { SearchIndex, searchCourse, snippet, terms } from '../../../app/src/domain/search';
import { stem } from '../../../app/src/domain/text-analysis';
import { DATABASE_KINDS } from '../../support/databases';
import { signUp, type TestApi } from '../../support/http';
import { FIXTURE_CONTENT, fixtureStores, insertLearner, startFixtureApi } from './support';

const REAL_CONTENT = path.join(__dirname, '../../../app/content');

describe('the search index', () => {
  const index = new SearchIndex([
    {
      chapterNumber: 1,
      chapterTitle: 'One',
      anchor: 'rollbacks',
      sectionTitle: 'Rollbacks',
      body: 'Undo a release quickly.',
      emphasis: '',
    },
    {
      chapterNumber: 2,
      chapterTitle: 'Two',
      anchor: 'other',
      sectionTitle: 'Other',
      body: 'Sometimes a rollback is mentioned in passing, among many other words about releases.',
      emphasis: '',
    },
    { chapterNumber: 3, chapterTitle: 'Three', anchor: 'unrelated', sectionTitle: 'Unrelated', body: 'Nothing to see here.', emphasis: '' },
  ]);

  it('ranks a match in the section title above one in the body', () => {
    expect(index.search('rollback', 10).map((r) => r.section_anchor)).toEqual(['rollbacks', 'other']);
  });

  it('finds plural and -ing forms by their stem', () => {
    expect(stem('pods')).toBe(stem('pod'));
    expect(stem('rolling')).toBe('roll');
    expect(index.search('releasing', 10).length).toBeGreaterThan(0);
  });

  it.each([
    ['string', 'strings'],
    ['setting', 'settings'],
    ['reconciled', 'reconciliation'],
    ['Ｐｏｄｓ', 'pod'],
  ])('analyses "%s" and "%s" alike, in the index and in the query', (a, b) => {
    expect(terms(a)).toEqual(terms(b));
    const strings = new SearchIndex([
      { chapterNumber: 1, chapterTitle: 'One', anchor: 'x', sectionTitle: 'X', body: `About ${a} here.`, emphasis: '' },
      { chapterNumber: 2, chapterTitle: 'Two', anchor: 'y', sectionTitle: 'Y', body: `About ${b} here.`, emphasis: '' },
    ]);
    const [first, second] = [strings.search(a, 10), strings.search(b, 10)];
    expect(first.map((r) => [r.chapter_number, r.score])).toEqual(second.map((r) => [r.chapter_number, r.score]));
    expect(first).toHaveLength(2);
  });

  it('ranks the section that defines a term in bold above one that uses it more often', () => {
    const defined = new SearchIndex([
      {
        chapterNumber: 1,
        chapterTitle: 'One',
        anchor: 'uses',
        sectionTitle: 'Uses',
        body: 'drift drift drift and more drift',
        emphasis: '',
      },
      {
        chapterNumber: 2,
        chapterTitle: 'Two',
        anchor: 'defines',
        sectionTitle: 'Defines',
        body: 'Drift is a difference between git and the cluster.',
        emphasis: 'Drift',
      },
    ]);
    expect(defined.search('drift', 10)[0].section_anchor).toBe('defines');
  });

  it('returns nothing for a query of stop words only', () => {
    expect(index.search('the and of', 10)).toEqual([]);
  });

  it('highlights the matched words in a snippet, with deep links', () => {
    const [result] = index.search('rollback', 1);
    expect(result.url).toBe('/chapters/1#rollbacks');
    const segments = snippet('Sometimes a rollback is mentioned.', new Set([stem('rollback')]));
    expect(segments).toEqual([
      { text: 'Sometimes a ', highlight: false },
      { text: 'rollback', highlight: true },
      { text: ' is mentioned', highlight: false },
    ]);
  });
});

describe('the course in app/content', () => {
  it('validates, with at least 8 chapters each with sections and a quiz of at least 5 questions of every type', async () => {
    const content = await readCourseContent(REAL_CONTENT);
    expect(content.chapters.length).toBeGreaterThanOrEqual(8);
    for (const chapter of content.chapters) {
      expect(chapter.sections.filter((s) => s.heading).length).toBeGreaterThan(0);
      const quiz = content.quizzes.find((q) => q.chapter === chapter.number);
      expect(quiz?.questions.length).toBeGreaterThanOrEqual(5);
    }
    const types = new Set(content.quizzes.flatMap((q) => q.questions.map((x) => x.type)));
    expect([...types].sort()).toEqual(['multiple', 'short_answer', 'single', 'true_false']);
  });
});

describe.each(DATABASE_KINDS)('chapters and search on %s', (kind) => {
  const fixture = fixtureStores(kind);

  it('serves a chapter verbatim with its neighbours', async () => {
    const learner = await insertLearner(fixture.testDb.db);
    const chapter = await getChapter(fixture.stores, learner, 1);
    const file = readFileSync(path.join(FIXTURE_CONTENT, 'chapters/01-containers.md'), 'utf8');
    expect(file.endsWith(chapter.markdown)).toBe(true);
    expect(chapter.markdown).toContain('```sh\n## not a section');
    expect(chapter.sections).toEqual([
      { anchor: 'what-an-image-is', title: 'What an image is' },
      { anchor: 'running-a-container', title: 'Running a container' },
    ]);
    expect(chapter.previous).toBeNull();
    expect(chapter.next).toEqual({ number: 2, title: 'Pods', locked: false });
  });

  it('answers the chapter as JSON text holding exactly what getChapter returns, for every learner and state', async () => {
    const free = await insertLearner(fixture.testDb.db, { tier: 'free' });
    const team = await insertLearner(fixture.testDb.db, { tier: 'team' });
    for (const [learner, number] of [
      [free, 1],
      [free, 3],
      [team, 3],
      [team, 4],
      [free, 2],
    ] as const) {
      for (const state of [undefined, 'done', 'in_progress'] as const) {
        // Twice: the second answer reuses the serialized content.
        for (let run = 0; run < 2; run++) {
          expect(JSON.parse(await getChapterJson(fixture.stores, learner, number, state))).toEqual(
            await getChapter(fixture.stores, learner, number, state),
          );
        }
      }
    }
    await expect(getChapterJson(fixture.stores, free, 4)).rejects.toMatchObject({ code: 'upgrade_required' });
  });

  it('serves new chapter text as soon as the content cache is renewed, never the old serialized copy', async () => {
    const learner = await insertLearner(fixture.testDb.db);
    const before = JSON.parse(await getChapterJson(fixture.stores, learner, 2));
    const original: { markdown: string } = await fixture.testDb.db.write('chapters').where({ number: 2 }).first('markdown');
    try {
      await fixture.testDb.db
        .write('chapters')
        .where({ number: 2 })
        .update({ markdown: `${original.markdown}\n\nA new closing line.` });
      fixture.stores.content.invalidate();
      const after = JSON.parse(await getChapterJson(fixture.stores, learner, 2));
      expect(after.markdown).toBe(`${before.markdown}\n\nA new closing line.`);
    } finally {
      await fixture.testDb.db.write('chapters').where({ number: 2 }).update({ markdown: original.markdown });
      fixture.stores.content.invalidate();
    }
  });

  it('searches only the chapters a free learner may read, before ranking', async () => {
    const free = await insertLearner(fixture.testDb.db, { tier: 'free' });
    const team = await insertLearner(fixture.testDb.db, { tier: 'team' });
    expect((await searchCourse(fixture.stores, free, 'zeppelin')).results).toEqual([]);
    const pods = await searchCourse(fixture.stores, free, 'pods', 50);
    expect(new Set(pods.results.map((r) => r.chapter_number))).toEqual(new Set([2, 3]));
    const all = await searchCourse(fixture.stores, team, 'pods', 50);
    expect(all.results.map((r) => r.chapter_number)).toContain(4);
  });

  it('caches chapter content in Redis under a versioned key', async () => {
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const prefix = `cc:test:${Math.random().toString(36).slice(2)}:`;
    try {
      const learner = await insertLearner(fixture.testDb.db);
      const cache = new RedisCache(redis, prefix);
      // As a fresh pod: nothing parsed in this process yet, whatever earlier tests read.
      let pod = openStores(fixture.testDb.db, { cache });
      const first = await getChapter(pod, learner, 2);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.some((k) => /course:[0-9a-f]{16}:chapter:2$/.test(k))).toBe(true);
      expect((await getChapter(pod, learner, 2)).markdown).toBe(first.markdown);
      // Another fresh pod finds the chapter in Redis: the database's copy is not read.
      pod = openStores(fixture.testDb.db, { cache });
      const reads: string[] = [];
      const onQuery = (q: { sql: string }) => reads.push(q.sql);
      fixture.testDb.db.read.on('query', onQuery);
      try {
        expect((await getChapter(pod, learner, 2)).markdown).toBe(first.markdown);
      } finally {
        fixture.testDb.db.read.off('query', onQuery);
      }
      expect(reads.filter((sql) => /markdown/.test(sql))).toEqual([]);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});

describe.each(DATABASE_KINDS)('chapters over HTTP on %s', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startFixtureApi(kind);
  });
  afterAll(async () => {
    await api.close();
  });

  it('returns the chapter, then counts its completion once in progress and metrics', async () => {
    const { access_token: token } = await signUp(api);
    const chapter = await api.request('GET', '/api/v1/chapters/2', { token });
    expect(chapter.body).toMatchObject({ number: 2, slug: 'pods', state: 'not_started', has_quiz: true, previous: { number: 1 } });
    const done = await api.request('POST', '/api/v1/chapters/2/complete', { token });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ completed_chapters: 1, total_chapters: 5, overall_percentage: 20 });
    await api.request('POST', '/api/v1/chapters/2/complete', { token });
    expect((await api.request('GET', '/api/v1/chapters/2', { token })).body.state).toBe('done');
    const metrics = await api.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/course_chapter_completions_total\{[^}]*chapter="2"[^}]*\} 1\n/);
  });

  it('fixture.stores the resume point and returns it in progress', async () => {
    const { access_token: token } = await signUp(api);
    const put = await api.request('PUT', '/api/v1/progress/position', { token, body: { chapter_number: 3, section_anchor: 'rollback' } });
    expect(put.body).toEqual({ resume: { chapter_number: 3, section_anchor: 'rollback' } });
    expect((await api.request('GET', '/api/v1/progress', { token })).body.resume).toEqual({
      chapter_number: 3,
      section_anchor: 'rollback',
    });
    expect((await api.request('PUT', '/api/v1/progress/position', { token, body: { chapter_number: 'three' } })).status).toBe(400);
  });

  it('answers a search with ranked, highlighted, deep-linked results', async () => {
    const { access_token: token } = await signUp(api);
    const res = await api.request('GET', '/api/v1/search?q=rolling%20update&limit=5', { token });
    expect(res.body.results[0]).toMatchObject({ chapter_number: 3, section_anchor: 'rolling-updates', url: '/chapters/3#rolling-updates' });
    expect(res.body.results[0].snippet.some((s: { highlight: boolean }) => s.highlight)).toBe(true);
    expect((await api.request('GET', '/api/v1/search?q=', { token })).status).toBe(400);
    expect((await api.request('GET', '/api/v1/search?q=pod&limit=1000', { token })).status).toBe(400);
  });
});
