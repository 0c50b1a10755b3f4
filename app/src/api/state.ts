import type { Learner } from '../domain/learner';
import type { ChapterState } from '../domain/progress';

/** `ctx.state` of every api request. */
export interface ApiState {
  /** Set by `requestContext` first thing; echoed as X-Request-Id. */
  requestId: string;
  /** Set by `clientAddress`: the visitor's address, for rate limits and the audit log. */
  clientAddress: string;
  /** Set by `requireUser` on the routes behind it. */
  user?: Learner;
}

/** `ctx.state` on a route behind `requireUser`: the learner, read fresh by the token's subject. */
export interface SignedInState extends ApiState {
  user: Learner;
  /** The sign-in (refresh-token family) the access token belongs to, when it names one. */
  sessionId?: string;
}

/** `ctx.state` on a route behind `requireUser` with `withChapterState`. */
export interface ChapterViewState extends SignedInState {
  /** The learner's state of the chapter in the path, read with their row. */
  chapterState: ChapterState;
}
