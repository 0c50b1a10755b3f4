import type Cookies from 'cookies';
import { ApiClient, ApiError, type ApiRequest } from './api-client';
import type { Session } from './api-types';

/** Where cookie names and flags are decided, once. */
export interface CookieSettings {
  /** Secure cookies (and the `__Host-` prefix); off only for plain-http localhost. */
  readonly secure: boolean;
}

export interface CookieNames {
  readonly access: string;
  readonly refresh: string;
  readonly csrf: string;
  readonly flash: string;
  readonly position: string;
}

/**
 * `__Host-` cookies must be Secure, host-only and path `/`: the browser then refuses
 * them from a sibling subdomain or plain http. The prefix is only usable in secure mode.
 */
export function cookieNames(settings: CookieSettings): CookieNames {
  const prefix = settings.secure ? '__Host-' : '';
  return {
    access: `${prefix}cc_access`,
    refresh: `${prefix}cc_refresh`,
    csrf: `${prefix}cc_csrf`,
    flash: `${prefix}cc_flash`,
    position: `${prefix}cc_pos`,
  };
}

export function cookieOptions(settings: CookieSettings, maxAgeMs?: number): Cookies.SetOption {
  return {
    httpOnly: true,
    secure: settings.secure,
    sameSite: 'lax',
    path: '/',
    overwrite: true,
    ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
  };
}

/** Refresh tokens live this long in the browser; the api decides their real lifetime. */
const REFRESH_COOKIE_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Several requests from one browser can arrive together just after the access token
 * expired (a page and its enhancement call, two tabs). Each would spend the same
 * refresh token, and the api treats a second use as theft and revokes the family. So
 * one refresh per refresh token per process, shared with the requests racing it.
 *
 * Sharing must not become a way round reuse detection (issue 15): the answer goes only
 * to requests from the same browser (its CSRF-secret cookie, random and HttpOnly), and
 * only while the refresh is in flight or `graceMs` after. A spent token from anywhere
 * else, or later, goes to the api, which sees the reuse and revokes the family.
 */
export class RefreshCoordinator {
  private readonly inFlight = new Map<string, { session: Promise<Session>; browser: string; until: number }>();

  constructor(
    private readonly client: ApiClient,
    private readonly now: () => number = Date.now,
    private readonly graceMs = 2_000,
  ) {}

  refresh(
    refreshToken: string,
    browser: string | undefined,
    request: { requestId?: string; clientAddress?: string } = {},
  ): Promise<Session> {
    const now = this.now();
    for (const [token, entry] of this.inFlight) if (entry.until < now) this.inFlight.delete(token);
    const known = this.inFlight.get(refreshToken);
    if (known && browser && known.browser === browser) return known.session;
    const session = this.client
      .call<Session>({ method: 'POST', path: '/auth/refresh', body: { refresh_token: refreshToken }, ...request })
      .then((response) => response.body);
    // A failed refresh is not shared: the next request may try again (after a network blip).
    session.catch(() => this.inFlight.delete(refreshToken));
    if (browser && !known) {
      const entry = { session, browser, until: Infinity };
      // The grace period starts when the answer is in, however long the api took.
      const settle = () => (entry.until = this.now() + this.graceMs);
      session.then(settle, settle);
      this.inFlight.set(refreshToken, entry);
    }
    return session;
  }
}

/**
 * The learner's side of the api for one web request: adds the bearer token from the
 * session cookie, refreshes silently when the access token is missing or rejected, and
 * rotates both cookies when it does.
 */
export class LearnerApi {
  private accessToken: string | undefined;
  private refreshToken: string | undefined;
  /** Which browser this is (its CSRF-secret cookie), for RefreshCoordinator. */
  private readonly browser: string | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly refresher: RefreshCoordinator,
    private readonly cookies: Cookies,
    private readonly settings: CookieSettings,
    private readonly requestId?: string,
    private readonly clientAddress?: string,
  ) {
    const names = cookieNames(settings);
    this.accessToken = cookies.get(names.access) || undefined;
    this.refreshToken = cookies.get(names.refresh) || undefined;
    this.browser = cookies.get(names.csrf) || undefined;
  }

  /** Whether the browser holds a session at all (it may still turn out expired). */
  get hasSession(): boolean {
    return Boolean(this.accessToken || this.refreshToken);
  }

  /** A call without the learner's token (sign up, sign in, plans). */
  async anonymous<T>(request: Omit<ApiRequest, 'token' | 'requestId' | 'clientAddress'>): Promise<T> {
    return (await this.client.call<T>({ ...request, requestId: this.requestId, clientAddress: this.clientAddress })).body;
  }

  /** A call as the learner. Throws ApiError 401 when there is no usable session. */
  async call<T>(request: Omit<ApiRequest, 'token' | 'requestId' | 'clientAddress'>): Promise<T> {
    if (!this.accessToken && this.refreshToken) await this.refresh();
    if (!this.accessToken) throw new ApiError(401, 'unauthorized', 'Sign in to continue.');
    const send = () =>
      this.client.call<T>({ ...request, token: this.accessToken, requestId: this.requestId, clientAddress: this.clientAddress });
    try {
      return (await send()).body;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !this.refreshToken) throw error;
      await this.refresh();
      return (await send()).body;
    }
  }

  /** Store a new session (after sign up, sign in or refresh) in the cookies. */
  start(session: Session): void {
    const names = cookieNames(this.settings);
    this.accessToken = session.access_token;
    this.refreshToken = session.refresh_token;
    // The access cookie dies a little before the token does, so the next page refreshes
    // first instead of meeting a 401 half-way.
    const accessMs = Math.max(1, session.expires_in - 30) * 1000;
    this.cookies.set(names.access, session.access_token, cookieOptions(this.settings, accessMs));
    this.cookies.set(names.refresh, session.refresh_token, cookieOptions(this.settings, REFRESH_COOKIE_MAX_AGE_MS));
  }

  /** Revoke the refresh token at the api (best effort) and forget the session here. */
  async end(): Promise<void> {
    const refreshToken = this.refreshToken;
    this.forget();
    if (refreshToken) {
      await this.client
        .call({
          method: 'POST',
          path: '/auth/logout',
          body: { refresh_token: refreshToken },
          requestId: this.requestId,
          clientAddress: this.clientAddress,
        })
        .catch(() => undefined);
    }
  }

  /** Clear the session cookies without telling the api (it already forgot the learner). */
  forget(): void {
    const names = cookieNames(this.settings);
    this.accessToken = undefined;
    this.refreshToken = undefined;
    this.cookies.set(names.access, '', cookieOptions(this.settings, 0));
    this.cookies.set(names.refresh, '', cookieOptions(this.settings, 0));
  }

  private async refresh(): Promise<void> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) return;
    try {
      this.start(
        await this.refresher.refresh(refreshToken, this.browser, { requestId: this.requestId, clientAddress: this.clientAddress }),
      );
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
        this.forget();
        throw new ApiError(401, 'unauthorized', 'Your session has ended; sign in again.');
      }
      throw error;
    }
  }
}
