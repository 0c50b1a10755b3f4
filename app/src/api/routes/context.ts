import type { ApiContext } from '../app';
import type { AccountContext } from '../../domain/accounts';

/** What the account functions need, cut from the api's dependencies. */
export function accountContext(deps: ApiContext): AccountContext {
  return {
    stores: deps.stores,
    clock: deps.clock,
    accessTokens: deps.accessTokens,
    tokens: {
      secretKey: deps.config.secretKey,
      accessTokenExpireMinutes: deps.config.accessTokenExpireMinutes,
      refreshTokenExpireDays: deps.config.refreshTokenExpireDays,
    },
  };
}
