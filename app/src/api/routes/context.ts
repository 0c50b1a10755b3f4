import type { ApiContext } from '../app';
import type { AccountContext } from '../../domain/accounts';

/** What the account functions need, cut from the api's dependencies. */
export function accountContext(deps: ApiContext): AccountContext {
  return {
    stores: deps.stores,
    clock: deps.clock,
    accessTokens: deps.accessTokens,
    sessions: deps.sessions,
    passwordCost: deps.config.passwordHashCost,
    mailer: deps.mailer,
    passwordReset: { minutes: deps.config.passwordResetMinutes, pageUrl: `${deps.config.publicWebUrl}/reset-password` },
    signUp: {
      hours: deps.config.signupLinkHours,
      pageUrl: `${deps.config.publicWebUrl}/signup/finish`,
      signInUrl: `${deps.config.publicWebUrl}/signin`,
      forgotPasswordUrl: `${deps.config.publicWebUrl}/forgot-password`,
    },
    tokens: {
      secretKey: deps.config.secretKey,
      accessTokenExpireMinutes: deps.config.accessTokenExpireMinutes,
      refreshTokenExpireDays: deps.config.refreshTokenExpireDays,
      sessionAbsoluteDays: deps.config.sessionAbsoluteDays,
    },
  };
}
