import type { Knex } from 'knex';
import * as initial from './0001_initial';
import * as course from './0002_course';
import * as paymentEvents from './0003_payment_events';
import * as chapterPositions from './0004_chapter_positions';
import * as learning from './0005_learning';
import * as accountSecurity from './0006_account_security';
import * as billingCustomers from './0008_billing_customers';
import * as signupRequests from './0009_signup_requests';

// Migrations are listed in code rather than discovered on disk, so the same list
// works under ts-jest, tsx and the compiled image, whatever the file extension.
const migrations: Record<string, Knex.Migration> = {
  '0001_initial': initial,
  '0002_course': course,
  '0003_payment_events': paymentEvents,
  '0004_chapter_positions': chapterPositions,
  '0005_learning': learning,
  '0006_account_security': accountSecurity,
  '0008_billing_customers': billingCustomers,
  '0009_signup_requests': signupRequests,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
