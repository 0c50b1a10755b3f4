import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type Koa from 'koa';
import { script } from './static/enhance-script';
import { styles } from './static/styles';

/** One static file, compressed once at start-up. */
interface Asset {
  readonly url: string;
  readonly type: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip: Buffer;
  readonly brotli: Buffer;
}

/** The fingerprinted URLs pages link to. */
export interface AssetUrls {
  readonly css: string;
  readonly js: string;
}

function asset(name: string, ext: string, type: string, text: string): Asset {
  const identity = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return {
    url: `/assets/${name}.${hash}.${ext}`,
    type,
    etag: `"${hash}"`,
    identity,
    gzip: gzipSync(identity, { level: 9 }),
    brotli: brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
  };
}

/**
 * Static assets: the name carries a content hash, so they are cached for a year and
 * marked immutable (ready for a CDN); a new release has new names. Pre-compressed
 * (brotli and gzip) at start-up instead of on every request.
 */
export class StaticAssets {
  private readonly byUrl: Map<string, Asset>;
  readonly urls: AssetUrls;

  constructor() {
    const css = asset('app', 'css', 'text/css; charset=utf-8', styles);
    const js = asset('app', 'js', 'text/javascript; charset=utf-8', script);
    this.byUrl = new Map([css, js].map((a) => [a.url, a]));
    this.urls = { css: css.url, js: js.url };
  }

  middleware(): Koa.Middleware {
    return async (ctx, next) => {
      if (!ctx.path.startsWith('/assets/')) {
        await next();
        return;
      }
      const found = this.byUrl.get(ctx.path);
      if (!found || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
        await next();
        return;
      }
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.set('Vary', 'Accept-Encoding');
      ctx.set('ETag', found.etag);
      ctx.type = found.type;
      if (ctx.get('If-None-Match') === found.etag) {
        ctx.status = 304;
        return;
      }
      const encoding = ctx.acceptsEncodings('br', 'gzip', 'identity');
      if (encoding === 'br') {
        ctx.set('Content-Encoding', 'br');
        ctx.body = found.brotli;
      } else if (encoding === 'gzip') {
        ctx.set('Content-Encoding', 'gzip');
        ctx.body = found.gzip;
      } else {
        ctx.body = found.identity;
      }
    };
  }
}
