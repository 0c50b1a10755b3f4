import type { Session, User } from '../../app/src/domain/accounts';
import type { Chapter, ChapterLink, ChapterSummary } from '../../app/src/domain/chapters';
import type { ChapterState, Progress } from '../../app/src/domain/progress';
import type { ViewReport } from '../../app/src/domain/reading';
import type { AttemptResult } from '../../app/src/domain/quizzes';
import type { SearchResult } from '../../app/src/domain/search';
import type { Syllabus } from '../../app/src/domain/syllabus';
import type { Plan, Tier } from '../../app/src/domain/tiers';
import type { billingStatus, openPortal, startCheckout } from '../../app/src/domain/billing';
import type * as Web from '../../app/src/web/api-types';

// The web role keeps its own copy of the api's JSON shapes (it never imports the api's
// code at run time). These assignments fail `npm run typecheck` the moment the two copies
// drift apart: whatever the api sends must be what the web expects to read.
// `readonly` is a promise of the api's code, not a property of JSON on the wire.
type OnTheWire<T> = T extends readonly (infer U)[] ? OnTheWire<U>[] : T extends object ? { -readonly [K in keyof T]: OnTheWire<T[K]> } : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SentIsRead<Sent, Read> = [OnTheWire<Sent>] extends [Read] ? true : false;

const contract: {
  tier: Same<Tier, Web.Tier>;
  chapterState: Same<ChapterState, Web.ChapterState>;
  user: SentIsRead<User, Web.User>;
  session: SentIsRead<Session, Web.Session>;
  chapterSummary: SentIsRead<ChapterSummary, Web.ChapterSummary>;
  chapterLink: SentIsRead<ChapterLink, Web.ChapterLink>;
  chapter: SentIsRead<Chapter, Web.Chapter>;
  plan: SentIsRead<Plan, Web.Plan>;
  syllabus: SentIsRead<Syllabus, Web.Syllabus>;
  searchResult: SentIsRead<SearchResult, Web.SearchResult>;
  attemptResult: SentIsRead<AttemptResult, Web.AttemptResult>;
  progress: SentIsRead<Progress, Web.Progress>;
  /** The other way round: the web role sends it, the api reads it. */
  viewReport: SentIsRead<Web.ChapterViewReport, ViewReport>;
  billing: SentIsRead<ReturnType<typeof billingStatus>, Web.BillingStatus>;
  checkout: SentIsRead<Awaited<ReturnType<typeof startCheckout>>, Web.HostedPage>;
  portal: SentIsRead<Awaited<ReturnType<typeof openPortal>>, Web.HostedPage>;
} = {
  tier: true,
  chapterState: true,
  user: true,
  session: true,
  chapterSummary: true,
  chapterLink: true,
  chapter: true,
  plan: true,
  syllabus: true,
  searchResult: true,
  attemptResult: true,
  progress: true,
  viewReport: true,
  billing: true,
  checkout: true,
  portal: true,
};

it('the web reads exactly what the api sends (checked by the type check)', () => {
  expect(Object.values(contract).every(Boolean)).toBe(true);
});
