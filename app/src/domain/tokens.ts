import { createHash, createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { AccountStores, TokenStore } from '../db/account-stores';
import { BoundedCache } from '../bounded-cache';
import type { Clock } from '../clock';
import { Unauthorized } from '../errors';
import { recordAudit } from './audit';

/**
 * Access tokens are short-lived HS256 JWTs; refresh tokens are opaque random strings
 * stored only as SHA-256 hashes, rotated on every use. Each chain of rotations shares
 * a `family_id`: presenting a token that was already used means it was copied, so the
 * whole family is revoked and both the thief and the learner must sign in again.
 */
export interface TokenSettings {
  secretKey: string;
  accessTokenExpireMinutes: number;
  refreshTokenExpireDays: number;
  /** A family (one sign-in) ends this long after the password was entered. */
  sessionAbsoluteDays: number;
}

/** Who an access token speaks for, and which sign-in (refresh-token family) issued it. */
export interface AccessClaims {
  readonly userId: string;
  /**
   * The `sid` claim: the refresh-token family, checked against revocations so the token
   * stops working at sign-out. Absent only on tokens issued before the claim existed,
   * which expire within ACCESS_TOKEN_EXPIRE_MINUTES of the upgrade.
   */
  readonly sessionId?: string;
}

const ISSUER = 'course-companion';
const AUDIENCE = 'course-companion-api';

/** Most verified tokens remembered; a learner sends the same token with every request. */
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * Issues and verifies access tokens with one SECRET_KEY. Built once where the api starts
 * and passed in: it keeps the key as a KeyObject (given bytes, jose would build one on
 * every sign and verify) and the tokens it already verified, until they expire, so a
 * token's HMAC and claims are checked once, not on every request. A rotated SECRET_KEY
 * means a new process, hence a new instance: no old entry is ever accepted.
 */
export class AccessTokens {
  private readonly key: KeyObject;
  private readonly verified = new BoundedCache<string, AccessClaims & { readonly exp: number }>({ maxEntries: MAX_VERIFIED_TOKENS });

  constructor(
    private readonly settings: Pick<TokenSettings, 'secretKey' | 'accessTokenExpireMinutes'>,
    private readonly clock: Clock,
  ) {
    this.key = createSecretKey(Buffer.from(settings.secretKey, 'utf8'));
  }

  async issue(userId: string, sessionId: string): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.settings.accessTokenExpireMinutes * 60)
      .setJti(randomUUID())
      .sign(this.key);
  }

  /** Whom an access token was issued to; 401 for anything not signed by us with HS256 and unexpired. */
  async verify(token: string): Promise<AccessClaims> {
    const nowSeconds = this.clock.now().getTime() / 1000;
    const known = this.verified.get(token);
    if (known) {
      if (nowSeconds < known.exp) return known;
      this.verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new Unauthorized('The access token is not valid.');
      const claims = { userId: payload.sub, sessionId: typeof payload.sid === 'string' ? payload.sid : undefined, exp: payload.exp! };
      this.verified.set(token, claims);
      return claims;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new Unauthorized('The access token has expired.');
      throw new Unauthorized('The access token is not valid.');
    }
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A new secret for a refresh token or a mailed link: 256 random bits, given out once in
 * clear, and the SHA-256 that is stored in its place.
 */
export function newSecretToken(): { readonly token: string; readonly hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** The sign-in a refresh token continues: its family and when that sign-in must end. */
export interface SessionFamily {
  readonly familyId: string;
  readonly sessionExpiresAt: string;
}

/** A new sign-in (the password was just entered): a new family, its absolute end from now. */
export function newSessionFamily(settings: TokenSettings, clock: Clock): SessionFamily {
  const end = clock.now().getTime() + settings.sessionAbsoluteDays * 86_400_000;
  return { familyId: randomUUID(), sessionExpiresAt: new Date(end).toISOString() };
}

/**
 * Store a new refresh token in `family` and return it in clear, once. It expires after
 * REFRESH_TOKEN_EXPIRE_DAYS of disuse, and never after the family's absolute end: a
 * rotation does not extend the sign-in (ASVS 3.3.2).
 */
export async function issueRefreshToken(
  tokens: TokenStore,
  settings: TokenSettings,
  clock: Clock,
  userId: string,
  family: SessionFamily,
): Promise<string> {
  const { token, hash } = newSecretToken();
  const now = clock.now();
  const idleEnd = new Date(now.getTime() + settings.refreshTokenExpireDays * 86_400_000).toISOString();
  await tokens.insert({
    id: randomUUID(),
    user_id: userId,
    family_id: family.familyId,
    token_hash: hash,
    expires_at: idleEnd < family.sessionExpiresAt ? idleEnd : family.sessionExpiresAt,
    session_expires_at: family.sessionExpiresAt,
    used_at: null,
    revoked_at: null,
    created_at: now.toISOString(),
  });
  return token;
}

/**
 * Spend a refresh token: mark it used and hand back its owner and family, so the
 * caller issues the successor. A second use of the same token revokes the family.
 */
export async function rotateRefreshToken(
  stores: Pick<AccountStores, 'tokens' | 'audit'>,
  settings: TokenSettings,
  clock: Clock,
  token: string,
  /** Told when reuse revokes a family, so its access tokens stop at once on this pod. */
  onFamilyRevoked: (familyId: string) => void = () => undefined,
): Promise<{ userId: string; family: SessionFamily }> {
  const row = await stores.tokens.findByHash(hashRefreshToken(token));
  const refused = new Unauthorized('The refresh token is not valid.');
  if (!row) throw refused;
  const now = clock.now().toISOString();
  if (row.revoked_at) throw refused;
  if (row.used_at) {
    await stores.tokens.revokeFamily(row.family_id, now);
    onFamilyRevoked(row.family_id);
    await recordAudit(stores.audit, clock, 'refresh_token_reuse', row.user_id, { family_id: row.family_id });
    throw refused;
  }
  if (row.expires_at <= now) throw new Unauthorized('The refresh token has expired.');
  // Conditional update: of two concurrent uses of one token exactly one wins; the
  // loser is treated as the reuse it is.
  if (!(await stores.tokens.claim(row.id, now))) {
    await stores.tokens.revokeFamily(row.family_id, now);
    onFamilyRevoked(row.family_id);
    await recordAudit(stores.audit, clock, 'refresh_token_reuse', row.user_id, { family_id: row.family_id });
    throw refused;
  }
  // Families from before session_expires_at existed get their absolute end now.
  const sessionExpiresAt = row.session_expires_at ?? newSessionFamily(settings, clock).sessionExpiresAt;
  return { userId: row.user_id, family: { familyId: row.family_id, sessionExpiresAt } };
}

/** Logout: the presented token's whole family stops working. Unknown tokens are ignored. */
export async function revokeRefreshToken(
  tokens: TokenStore,
  clock: Clock,
  token: string,
): Promise<{ userId: string; familyId: string } | null> {
  const row = await tokens.findByHash(hashRefreshToken(token));
  if (!row) return null;
  await tokens.revokeFamily(row.family_id, clock.now().toISOString());
  return { userId: row.user_id, familyId: row.family_id };
}
