import type { Middleware } from 'koa';
import { AppError } from '../../errors';

/**
 * Headers every api answer carries. The api serves JSON only, so its CSP forbids
 * everything; the web role sets its own policy for pages.
 */
export function securityHeaders(opts: { hsts: boolean }): Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    ctx.set('Cross-Origin-Resource-Policy', 'same-site');
    if (opts.hsts) ctx.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    // Answers hold a learner's own data (profile, progress, tokens): no browser or shared
    // cache may keep them (ASVS 8.2.1). A route with public data may set its own.
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}

/** Paths kubelet probes reach by pod IP, with no configured Host header. */
const PROBE_PATHS = new Set(['/livez', '/readyz', '/health']);

/** Refuse requests for host names not in ALLOWED_HOSTS (`*` allows any). */
export function allowedHosts(hosts: readonly string[]): Middleware {
  const any = hosts.includes('*');
  const allowed = new Set(hosts.map((h) => h.toLowerCase()));
  return async (ctx, next) => {
    if (!any && !PROBE_PATHS.has(ctx.path) && !allowed.has(ctx.hostname.toLowerCase())) {
      throw new AppError(400, 'bad_request', 'This host name is not served here.');
    }
    await next();
  };
}
