/**
 * What one view of the chapter page costs the servers, as a browser with the
 * enhancement script sends it: the GET of the page, plus the POST the page's script
 * sends after load to record the view, when the page carries one (issue 14: the view
 * is recorded by a POST, no longer written by the GET). Read from the page itself, so
 * the bench follows the page rather than a copy of it.
 */
import type { LoadRequest } from './load-generator';

export interface PageView {
  readonly requests: readonly LoadRequest[];
  /** In words, for the table and the README. */
  readonly description: string;
}

/** The page's CSRF token (for the enhancement script's POSTs). */
export function csrfTokenOf(html: string): string | undefined {
  return /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
}

/**
 * The view beacon: an element carrying `data-record-view="<path>"` (the POST the script
 * sends after load; its body is the element's `data-record-body`, JSON, or `{}`).
 */
export function viewBeaconOf(html: string): { path: string; body: string } | undefined {
  const tag = /<[^>]*\bdata-record-view="([^"]+)"[^>]*>/.exec(html);
  if (!tag) return undefined;
  const body = /\bdata-record-body="([^"]*)"/.exec(tag[0])?.[1]?.replace(/&quot;/g, '"') ?? '{}';
  return { path: tag[1].replace(/&amp;/g, '&'), body };
}

/** The requests of one view of `pagePath` by a browser holding `cookie`. */
export function pageViewOf(html: string, pagePath: string, cookie: string): PageView {
  const get: LoadRequest = { method: 'GET', path: pagePath, headers: { cookie } };
  const beacon = viewBeaconOf(html);
  const token = csrfTokenOf(html);
  if (!beacon || !token) return { requests: [get], description: `GET ${pagePath} (the GET records the view itself)` };
  const post: LoadRequest = {
    method: 'POST',
    path: beacon.path,
    headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': token },
    body: beacon.body,
  };
  return { requests: [get, post], description: `GET ${pagePath} + POST ${beacon.path}` };
}
