import type { Knex } from 'knex';

/** A row of `billing_customers`: which Stripe customer pays for which learner. */
export interface BillingCustomerRow {
  user_id: string;
  customer_id: string;
  created_at: string;
}

/** `billing_customers`. Always the primary: a customer made a moment ago must be found. */
export interface BillingStore {
  customerOf(userId: string): Promise<string | undefined>;
  userOf(customerId: string): Promise<string | undefined>;
  /**
   * Links the customer unless the learner already has one; returns the learner's customer
   * either way, so of two checkouts racing in both use the one that was stored first.
   */
  link(row: BillingCustomerRow): Promise<string>;
}

export class SqlBillingStore implements BillingStore {
  constructor(private readonly knex: Knex) {}

  async customerOf(userId: string): Promise<string | undefined> {
    const row: Pick<BillingCustomerRow, 'customer_id'> | undefined = await this.knex('billing_customers')
      .where({ user_id: userId })
      .first('customer_id');
    return row?.customer_id;
  }

  async userOf(customerId: string): Promise<string | undefined> {
    const row: Pick<BillingCustomerRow, 'user_id'> | undefined = await this.knex('billing_customers')
      .where({ customer_id: customerId })
      .first('user_id');
    return row?.user_id;
  }

  async link(row: BillingCustomerRow): Promise<string> {
    await this.knex('billing_customers').insert(row).onConflict('user_id').ignore();
    return (await this.customerOf(row.user_id)) ?? row.customer_id;
  }
}
