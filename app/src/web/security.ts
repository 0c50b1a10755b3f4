import { randomBytesFromPool } from './random-pool';
import type Koa from 'koa';

export interface SecurityHeaderOptions {
  /** Send HSTS: only meaningful when the site is served over HTTPS. */
  readonly hsts: boolean;
  /** Staging: keep search engines out. */
  readonly noIndex: boolean;
}

// The page policy, with NONCE where each response's own nonce goes.
const CSP_TEMPLATE = [
  "default-src 'self'",
  "script-src 'self' 'nonce-NONCE'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  // Chrome applies form-action to the redirect after a POST too (MDN, CSP form-action):
  // the "Buy" and "Manage subscription" forms end on Stripe's Checkout and portal pages.
  "form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
  "frame-ancestors 'none'",
].join('; ');
const [CSP_BEFORE_NONCE, CSP_AFTER_NONCE] = CSP_TEMPLATE.split('NONCE');

/**
 * The same headers the api sends (nosniff, frame DENY, HSTS, Referrer-Policy), plus a
 * strict Content-Security-Policy for pages: scripts only from this origin or carrying
 * this response's nonce, no inline styles, no plugins, forms post only here. The nonce
 * is in `ctx.state.nonce` for the layout.
 */
export function securityHeaders(options: SecurityHeaderOptions): Koa.Middleware {
  // Everything but the nonce is the same for every response: built once.
  const fixed = Object.entries({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...(options.hsts ? { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' } : {}),
    ...(options.noIndex ? { 'X-Robots-Tag': 'noindex, nofollow' } : {}),
  });
  return async (ctx, next) => {
    const nonce = randomBytesFromPool(16).toString('base64');
    ctx.state.nonce = nonce;
    ctx.set('Content-Security-Policy', CSP_BEFORE_NONCE + nonce + CSP_AFTER_NONCE);
    for (const [name, value] of fixed) ctx.set(name, value);
    await next();
  };
}

/** Refuse requests for host names this deployment does not serve (DNS rebinding, cache poisoning). */
export function allowedHosts(hosts: readonly string[]): Koa.Middleware {
  const any = hosts.includes('*');
  const allowed = new Set(hosts.map((h) => h.toLowerCase()));
  return async (ctx, next) => {
    if (any || allowed.has(ctx.hostname.toLowerCase())) {
      await next();
      return;
    }
    ctx.status = 400;
    ctx.type = 'text/plain';
    ctx.body = 'Unknown host.';
  };
}
