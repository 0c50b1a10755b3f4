import type { Knex } from 'knex';

/** A row of `refresh_tokens`: the token itself is kept only as its hash. */
export interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  expires_at: string;
  /** When the sign-in this family belongs to ends, however often it rotates; null on old rows. */
  session_expires_at: string | null;
  used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** A row of `password_reset_tokens`: the token itself is kept only as its hash. */
export interface PasswordResetRow {
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

/** `refresh_tokens`. A family is one sign-in: every token rotated from one password entry. */
export interface TokenStore {
  insert(row: RefreshTokenRow): Promise<void>;
  findByHash(tokenHash: string): Promise<RefreshTokenRow | undefined>;
  revokeFamily(familyId: string, at: string): Promise<void>;
  /** Revokes every live family of the user but `exceptFamily`; returns the families revoked. */
  revokeUserFamilies(userId: string, at: string, exceptFamily?: string): Promise<string[]>;
  /** Whether the family was revoked (sign-out, reuse, password change). */
  familyRevoked(familyId: string): Promise<boolean>;
  /** Marks the token used unless it already was: of two concurrent uses exactly one gets true. */
  claim(id: string, at: string): Promise<boolean>;
}

export class SqlTokenStore implements TokenStore {
  constructor(private readonly knex: Knex) {}

  async insert(row: RefreshTokenRow): Promise<void> {
    await this.knex('refresh_tokens').insert(row);
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    return this.knex('refresh_tokens').where({ token_hash: tokenHash }).first();
  }

  async revokeFamily(familyId: string, at: string): Promise<void> {
    await this.knex('refresh_tokens').where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: at });
  }

  async revokeUserFamilies(userId: string, at: string, exceptFamily?: string): Promise<string[]> {
    const live = this.knex('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at');
    if (exceptFamily) live.whereNot({ family_id: exceptFamily });
    const families: { family_id: string }[] = await live.clone().distinct('family_id');
    if (families.length > 0) await live.update({ revoked_at: at });
    return families.map((f) => f.family_id);
  }

  async familyRevoked(familyId: string): Promise<boolean> {
    const row = await this.knex('refresh_tokens').where({ family_id: familyId }).whereNotNull('revoked_at').first('id');
    return row !== undefined;
  }

  /** Marks the token used unless it already was: of two concurrent uses exactly one gets true. */
  async claim(id: string, at: string): Promise<boolean> {
    return (await this.knex('refresh_tokens').where({ id }).whereNull('used_at').update({ used_at: at })) === 1;
  }
}

/** `password_reset_tokens`. */
export interface PasswordResetStore {
  insert(row: PasswordResetRow): Promise<void>;
  /**
   * Spends the token if it exists, is unused and unexpired at `at`; returns its owner.
   * Of two concurrent uses exactly one gets the owner.
   */
  spend(tokenHash: string, at: string): Promise<string | null>;
  /** Spends every outstanding link of the user (after a reset or a password change). */
  spendAllForUser(userId: string, at: string): Promise<void>;
}

export class SqlPasswordResetStore implements PasswordResetStore {
  constructor(private readonly knex: Knex) {}

  async insert(row: PasswordResetRow): Promise<void> {
    await this.knex('password_reset_tokens').insert(row);
  }

  async spend(tokenHash: string, at: string): Promise<string | null> {
    const row: PasswordResetRow | undefined = await this.knex('password_reset_tokens').where({ token_hash: tokenHash }).first();
    if (!row || row.used_at || row.expires_at <= at) return null;
    const claimed = await this.knex('password_reset_tokens').where({ id: row.id }).whereNull('used_at').update({ used_at: at });
    return claimed === 1 ? row.user_id : null;
  }

  async spendAllForUser(userId: string, at: string): Promise<void> {
    await this.knex('password_reset_tokens').where({ user_id: userId }).whereNull('used_at').update({ used_at: at });
  }
}

/** A row of `signup_requests`: a sign-up waiting for its mailed link; the token is kept only as its hash. */
export interface SignupRequestRow {
  id: string;
  email: string;
  password_hash: string;
  name: string | null;
  timezone: string;
  token_hash: string;
  expires_at: string;
  created_at: string;
}

/** `signup_requests`. */
export interface SignupRequestStore {
  /** Removes every request expired at `at`, whatever its address, so the table stays small. */
  purgeExpired(at: string): Promise<void>;
  insert(row: SignupRequestRow): Promise<void>;
  /**
   * Takes the request if its token exists and is unexpired at `at`, removing it and every
   * other request for the same address; null otherwise. Of two concurrent uses exactly one
   * gets the row.
   */
  spend(tokenHash: string, at: string): Promise<SignupRequestRow | null>;
}

export class SqlSignupRequestStore implements SignupRequestStore {
  constructor(private readonly knex: Knex) {}

  async purgeExpired(at: string): Promise<void> {
    await this.knex('signup_requests').where('expires_at', '<=', at).delete();
  }

  async insert(row: SignupRequestRow): Promise<void> {
    await this.knex('signup_requests').insert(row);
  }

  async spend(tokenHash: string, at: string): Promise<SignupRequestRow | null> {
    const row: SignupRequestRow | undefined = await this.knex('signup_requests').where({ token_hash: tokenHash }).first();
    if (!row || row.expires_at <= at) return null;
    if ((await this.knex('signup_requests').where({ id: row.id }).delete()) !== 1) return null;
    await this.knex('signup_requests').where({ email: row.email }).delete();
    return row;
  }
}
