import type { Middleware } from 'koa';
import { CLIENT_ADDRESS_HEADER, CLIENT_ADDRESS_SIGNATURE_HEADER, peerAddressResolver, verifiedClientAddress } from '../../client-address';
import type { ApiState } from '../state';

export interface ClientAddressOptions {
  /** TRUSTED_PROXIES: whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
  /** CLIENT_ADDRESS_SECRET: the web role's signed visitor address is believed. */
  readonly clientAddressSecret?: string;
}

/**
 * Sets `ctx.state.clientAddress`, the address rate limits and the audit log count a
 * request under: the visitor's, as the web role signed it, else the peer's through the
 * trusted proxies only. Koa's own `app.proxy` stays off: it would also believe
 * X-Forwarded-Host, which bypassed ALLOWED_HOSTS (issue 15).
 */
export function clientAddress(options: ClientAddressOptions): Middleware<ApiState> {
  const peer = peerAddressResolver(options.trustedProxies);
  const secret = options.clientAddressSecret;
  return async (ctx, next) => {
    const signed = secret ? verifiedClientAddress(secret, ctx.get(CLIENT_ADDRESS_HEADER), ctx.get(CLIENT_ADDRESS_SIGNATURE_HEADER)) : null;
    ctx.state.clientAddress = signed ?? peer(ctx.req);
    await next();
  };
}
