import type { ComponentChildren } from 'preact';
import type { AssetUrls } from '../assets';
import type { MaintenanceBanner } from '../maintenance';

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
  /** The 48-hour maintenance notice, while one is announced and not dismissed. */
  readonly maintenance?: MaintenanceBanner;
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

/**
 * A labelled region, so screen-reader users can find it; role=status inside announces
 * it politely. Dismissing is a form POST, so it works without JavaScript.
 */
function MaintenanceNotice({ frame, banner }: { frame: Frame; banner: MaintenanceBanner }) {
  return (
    <section class="maintenance" aria-label="Planned maintenance">
      <p role="status">
        {banner.inProgress ? 'Maintenance in progress' : 'Planned maintenance'}: {banner.description}. The course may be briefly unavailable
        during this time; your progress is saved.
      </p>
      <form method="post" action="/maintenance-notice/dismiss">
        <CsrfField token={frame.csrfToken} />
        <input type="hidden" name="start" value={banner.start} />
        <input type="hidden" name="next" value={frame.path} />
        <button type="submit" class="link">
          Dismiss<span class="visually-hidden"> the maintenance notice</span>
        </button>
      </form>
    </section>
  );
}

/** The brand, the navigation for a signed-in or signed-out learner, and sign-out. */
function SiteHeader({ frame }: { frame: Frame }) {
  return (
    <header class="site-header">
      <div class="bar">
        <a class="brand" href="/">
          Course Companion
        </a>
        <nav class="site-nav" aria-label="Main">
          <ul>
            <NavLink href="/" path={frame.path}>
              Course
            </NavLink>
            {frame.signedIn && (
              <NavLink href="/progress" path={frame.path}>
                Progress
              </NavLink>
            )}
            {frame.signedIn && (
              <NavLink href="/search" path={frame.path}>
                Search
              </NavLink>
            )}
            {frame.signedIn && (
              <NavLink href="/account" path={frame.path}>
                Account
              </NavLink>
            )}
            {!frame.signedIn && (
              <NavLink href="/signin" path={frame.path}>
                Sign in
              </NavLink>
            )}
            {!frame.signedIn && (
              <NavLink href="/signup" path={frame.path}>
                Sign up
              </NavLink>
            )}
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
        <SiteHeader frame={frame} />
        {frame.maintenance && <MaintenanceNotice frame={frame} banner={frame.maintenance} />}
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
