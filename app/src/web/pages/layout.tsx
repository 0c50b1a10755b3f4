import type { ComponentChildren } from 'preact';
import type { AssetUrls } from '../assets';

/** What every page needs from the request, besides its own data. */
export interface Frame {
  readonly csrfToken: string;
  readonly nonce: string;
  readonly assets: AssetUrls;
  readonly signedIn: boolean;
  /** The request path, to mark the current navigation link. */
  readonly path: string;
  /** A one-line confirmation after a redirect ("Chapter marked complete."). */
  readonly flash?: string;
}

/** Every form posts this hidden field; the server refuses a POST without a valid one. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

function NavLink({ href, path, children }: { href: string; path: string; children: ComponentChildren }) {
  const current = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
  return (
    <li>
      <a href={href} aria-current={current ? 'page' : undefined}>
        {children}
      </a>
    </li>
  );
}

export function Layout({ frame, title, children }: { frame: Frame; title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="csrf-token" content={frame.csrfToken} />
        <title>{`${title} · Course Companion`}</title>
        <link rel="stylesheet" href={frame.assets.css} />
        <script src={frame.assets.js} defer nonce={frame.nonce}></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              Course Companion
            </a>
            <nav class="site-nav" aria-label="Main">
              <ul>
                <NavLink href="/" path={frame.path}>Course</NavLink>
                {frame.signedIn && <NavLink href="/progress" path={frame.path}>Progress</NavLink>}
                {frame.signedIn && <NavLink href="/search" path={frame.path}>Search</NavLink>}
                {frame.signedIn && <NavLink href="/account" path={frame.path}>Account</NavLink>}
                {!frame.signedIn && <NavLink href="/signin" path={frame.path}>Sign in</NavLink>}
                {!frame.signedIn && <NavLink href="/signup" path={frame.path}>Sign up</NavLink>}
              </ul>
            </nav>
            {frame.signedIn && (
              <form class="inline" method="post" action="/signout">
                <CsrfField token={frame.csrfToken} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            )}
          </div>
        </header>
        {frame.flash && (
          <div class="flash" role="status">
            <p>{frame.flash}</p>
          </div>
        )}
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <p>Course Companion: learn at your own pace. Your progress is saved as you read.</p>
        </footer>
      </body>
    </html>
  );
}
