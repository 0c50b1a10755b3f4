import type { Knex } from 'knex';
import type { Tier } from '../domain/tiers';
import {
  SqlPasswordResetStore,
  SqlSignupRequestStore,
  SqlTokenStore,
  type PasswordResetStore,
  type SignupRequestStore,
  type TokenStore,
} from './credential-stores';

export type {
  PasswordResetRow,
  PasswordResetStore,
  RefreshTokenRow,
  SignupRequestRow,
  SignupRequestStore,
  TokenStore,
} from './credential-stores';

/** A row of `users`, as the account functions read and write it. */
export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  name: string | null;
  tier: Tier;
  timezone: string;
  created_at: string;
  updated_at: string;
}

export interface AuditRow {
  id: string;
  user_id: string | null;
  event: string;
  details_json: string;
  created_at: string;
}

export interface PaymentEventRow {
  id: string;
  email: string;
  event: string;
  signed_at: number;
  received_at: string;
  outcome: 'applied' | 'duplicate' | 'superseded';
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/** Tables holding a learner's rows, keyed by `user_id`; export and deletion both walk this list. */
const OWNED_TABLES = [
  'chapter_progress',
  'chapter_positions',
  'reading_positions',
  'quiz_attempts',
  'activity_days',
  'billing_customers',
] as const;

/** What a profile or tier change may set. */
export type UserChanges = Partial<Pick<UserRow, 'name' | 'timezone' | 'tier' | 'password_hash' | 'updated_at'>>;

/** `users`, and what a learner owns across tables (export, deletion). Always the primary. */
export interface AccountStore {
  /** False when an account with this e-mail address already exists. */
  insert(row: UserRow): Promise<boolean>;
  find(where: { id: string } | { email: string }): Promise<UserRow | undefined>;
  update(id: string, changes: UserChanges): Promise<void>;
  /** Every row the learner owns, table by table, plus their payment deliveries and session metadata. */
  ownedRows(userId: string, email: string): Promise<Record<string, unknown>>;
  /** Delete the account and every row it owns, in one transaction; false when there was no such account. */
  delete(userId: string): Promise<boolean>;
}

class SqlAccountStore implements AccountStore {
  constructor(private readonly knex: Knex) {}

  /** False when an account with this e-mail address already exists. */
  async insert(row: UserRow): Promise<boolean> {
    try {
      await this.knex('users').insert(row);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async find(where: { id: string } | { email: string }): Promise<UserRow | undefined> {
    return this.knex('users').where(where).first();
  }

  async update(id: string, changes: UserChanges): Promise<void> {
    await this.knex('users').where({ id }).update(changes);
  }

  /** Every row the learner owns, table by table, plus their payment deliveries and session metadata. */
  async ownedRows(userId: string, email: string): Promise<Record<string, unknown>> {
    const data: Record<string, unknown> = {};
    for (const table of OWNED_TABLES) {
      data[table] = await this.knex(table).where({ user_id: userId });
    }
    data.payment_events = await this.knex('payment_events')
      .where({ email })
      .select('id', 'event', 'signed_at', 'received_at', 'outcome')
      .orderBy('signed_at');
    // Token metadata only: the hashes are secrets of the service, not data of the learner.
    data.sessions = await this.knex('refresh_tokens')
      .where({ user_id: userId })
      .select('family_id', 'created_at', 'expires_at', 'used_at', 'revoked_at')
      .orderBy('created_at');
    return data;
  }

  /**
   * Delete the account and every row it owns, in one transaction; false when there was
   * no such account. Foreign keys cascade, but the owned tables are also cleared
   * explicitly so a table added without a cascade cannot keep data behind.
   */
  async delete(userId: string): Promise<boolean> {
    return this.knex
      .transaction(async (trx) => {
        for (const table of [...OWNED_TABLES, 'refresh_tokens', 'password_reset_tokens'])
          await trx(table).where({ user_id: userId }).delete();
        // Payment deliveries are keyed by email (the provider's identifier): theirs go too.
        const user: { email: string } | undefined = await trx('users').where({ id: userId }).first('email');
        if (user) await trx('payment_events').where({ email: user.email }).delete();
        const deleted = await trx('users').where({ id: userId }).delete();
        if (deleted !== 1) throw new NoSuchAccount();
        return true;
      })
      .catch((err: unknown) => {
        if (err instanceof NoSuchAccount) return false;
        throw err;
      });
  }
}

class NoSuchAccount extends Error {}

/** `audit_events`. */
export interface AuditStore {
  insert(row: AuditRow): Promise<void>;
  forUser(userId: string): Promise<AuditRow[]>;
}

class SqlAuditStore implements AuditStore {
  constructor(private readonly knex: Knex) {}

  async insert(row: AuditRow): Promise<void> {
    await this.knex('audit_events').insert(row);
  }

  async forUser(userId: string): Promise<AuditRow[]> {
    return this.knex('audit_events').where({ user_id: userId }).orderBy('created_at', 'asc');
  }
}

/** `payment_events`: each delivery of the payment provider's webhook. */
export interface PaymentStore {
  /** Records the delivery as applied; false when its id was already recorded (a second delivery). */
  claim(row: Omit<PaymentEventRow, 'outcome'>): Promise<boolean>;
  /** Whether a delivery for this address signed after `signedAt` was already applied. */
  newerApplied(email: string, signedAt: number, exceptId: string): Promise<boolean>;
  markSuperseded(id: string): Promise<void>;
}

class SqlPaymentStore implements PaymentStore {
  constructor(private readonly knex: Knex) {}

  /** Records the delivery as applied; false when its id was already recorded (a second delivery). */
  async claim(row: Omit<PaymentEventRow, 'outcome'>): Promise<boolean> {
    const claimed = await this.knex('payment_events')
      .insert({ ...row, outcome: 'applied' })
      .onConflict('id')
      .ignore()
      .returning('id');
    return claimed.length > 0;
  }

  /** Whether a delivery for this address signed after `signedAt` was already applied. */
  async newerApplied(email: string, signedAt: number, exceptId: string): Promise<boolean> {
    const newer = await this.knex('payment_events')
      .where({ email, outcome: 'applied' })
      .andWhere('signed_at', '>', signedAt)
      .whereNot({ id: exceptId })
      .first('id');
    return newer !== undefined;
  }

  async markSuperseded(id: string): Promise<void> {
    await this.knex('payment_events').where({ id }).update({ outcome: 'superseded' });
  }
}

/** The account stores over one connection (the primary, or a transaction on it). */
export interface AccountStores {
  readonly accounts: AccountStore;
  readonly tokens: TokenStore;
  readonly passwordResets: PasswordResetStore;
  readonly signupRequests: SignupRequestStore;
  readonly audit: AuditStore;
  readonly payments: PaymentStore;
  /** Runs `work` in one transaction, with stores bound to it. */
  transaction<T>(work: (stores: AccountStores) => Promise<T>): Promise<T>;
}

export function accountStoresOn(knex: Knex): AccountStores {
  return {
    accounts: new SqlAccountStore(knex),
    tokens: new SqlTokenStore(knex),
    passwordResets: new SqlPasswordResetStore(knex),
    signupRequests: new SqlSignupRequestStore(knex),
    audit: new SqlAuditStore(knex),
    payments: new SqlPaymentStore(knex),
    transaction: (work) => knex.transaction((trx) => work(accountStoresOn(trx))),
  };
}
