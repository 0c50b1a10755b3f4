import type { Tier } from './tiers';

/**
 * The signed-in learner, as every authenticated request reads them: fresh from the
 * database by the access token's subject, never from a request body, so a tier change
 * applies to the very next request.
 */
export interface Learner {
  readonly id: string;
  readonly email: string;
  readonly tier: Tier;
  readonly timezone: string;
}
