import type { Knex } from 'knex';
import { preparedStatement } from './prepared';

/** A learner's state of one chapter they opened (migration 0004). */
export interface ChapterPositionRow {
  readonly chapter_number: number;
  /** The last section read in the chapter; null until the learner scrolled to one. */
  readonly section_anchor: string | null;
  /** When the learner first opened the chapter: from then on it is "started". */
  readonly started_at: string;
  /** When the learner last opened or read in it: the newest is the resume point. */
  readonly viewed_at: string;
}

/** One view of a chapter, as the page reports it. */
export interface ChapterView {
  readonly chapter_number: number;
  /** The section in view; null keeps the one already recorded. */
  readonly section_anchor: string | null;
}

/**
 * Records a view with ONE conditional upsert, so a view that changes nothing writes
 * nothing, whichever pod answers (an in-process "seen" check would not hold across
 * pods). A view changes something when it is the chapter's first, when the section
 * moved, or when another chapter was viewed since (this one becomes the resume point
 * again). `>=` against other chapters breaks a tie of two views in the same millisecond
 * towards the newer request.
 *
 * The `WHERE NOT EXISTS` guard skips the insert altogether when nothing changed: on
 * PostgreSQL an `ON CONFLICT DO UPDATE` whose `WHERE` fails still locks the existing
 * row (and WAL-logs the lock), which serialized concurrent views of one learner. The
 * same test in `DO UPDATE ... WHERE` settles a race between two requests.
 *
 * PostgreSQL and SQLite (3.35+, for RETURNING) both take this text: `INSERT ... SELECT
 * ... WHERE` before `ON CONFLICT` (SQLite needs the WHERE to parse it), `DO UPDATE ...
 * WHERE`, `IS [NOT] DISTINCT FROM` (SQLite 3.39+; better-sqlite3 12 ships 3.49). See
 * https://www.sqlite.org/lang_upsert.html and
 * https://www.postgresql.org/docs/15/sql-insert.html#SQL-ON-CONFLICT.
 */
const RECORD_VIEW = `insert into chapter_positions as p (user_id, chapter_number, section_anchor, started_at, viewed_at)
  select ?, ?, ?, ?, ?
   where not exists (
     select 1 from chapter_positions same
      where same.user_id = ? and same.chapter_number = ?
        and same.section_anchor is not distinct from coalesce(?, same.section_anchor)
        and not exists (
          select 1 from chapter_positions other
           where other.user_id = same.user_id and other.chapter_number <> same.chapter_number and other.viewed_at >= same.viewed_at
        )
   )
  on conflict (user_id, chapter_number) do update
    set section_anchor = coalesce(excluded.section_anchor, p.section_anchor),
        viewed_at = excluded.viewed_at
    where (excluded.section_anchor is not null and excluded.section_anchor is distinct from p.section_anchor)
       or exists (
         select 1 from chapter_positions other
          where other.user_id = p.user_id and other.chapter_number <> p.chapter_number and other.viewed_at >= p.viewed_at
       )
  returning chapter_number`;

// Prepared once per connection (prepared.ts): every page view runs it, and through
// knex.raw SQLite compiled it anew each time, a fifth of the api's CPU per view (issue 14).
const recordViewStatement = preparedStatement<{ chapter_number: number }>('record_chapter_view', RECORD_VIEW);

/** True when the view was written (a first view, a new section, or a new resume point); false when nothing changed. */
export async function recordView(knex: Knex, userId: string, view: ChapterView, at: string): Promise<boolean> {
  const { chapter_number: chapter, section_anchor: anchor } = view;
  const written = await recordViewStatement.rows(knex, [userId, chapter, anchor, at, at, userId, chapter, anchor]);
  return written.length > 0;
}

/** Every chapter the learner opened, newest view first (the first row is the resume point). */
export async function chapterPositions(knex: Knex, userId: string): Promise<ChapterPositionRow[]> {
  const rows: ChapterPositionRow[] = await knex('chapter_positions')
    .where({ user_id: userId })
    .select('chapter_number', 'section_anchor', 'started_at', 'viewed_at')
    .orderBy([
      { column: 'viewed_at', order: 'desc' },
      { column: 'chapter_number', order: 'desc' },
    ]);
  return rows.map((r) => ({
    chapter_number: Number(r.chapter_number),
    section_anchor: r.section_anchor ?? null,
    started_at: r.started_at,
    viewed_at: r.viewed_at,
  }));
}
