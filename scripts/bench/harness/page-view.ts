/**
 * What one view of the chapter page costs the servers, as a browser running the page's
 * script sends it: the GET of the page, plus the POST the script sends once the page
 * has loaded to record the view, when the script does so (issue 14: the view is
 * recorded by that POST, no longer written by the GET). Read from the page and its
 * script, so the bench follows whichever version of the page it measures.
 */
import type { LoadRequest } from './load-generator';

export interface PageView {
  readonly requests: readonly LoadRequest[];
  /** In words, for the table and the README. */
  readonly description: string;
}

/** The page's CSRF token (for the script's POSTs). */
export function csrfTokenOf(html: string): string | undefined {
  return /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
}

/** The page's script, `/assets/<name>.<hash>.js`. */
export function scriptPathOf(html: string): string | undefined {
  return /<script[^>]*\bsrc="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
}

/** The chapter the page shows (`data-chapter-number`), which the script reports. */
export function chapterOf(html: string): number | undefined {
  const n = /\bdata-chapter-number="(\d+)"/.exec(html)?.[1];
  return n === undefined ? undefined : Number(n);
}

/**
 * Whether the script records the view when the page has loaded: it listens for the
 * window's `load` event and reports to /progress/position (the script of issue 14).
 * An older script reported only the section reached by scrolling, which a load
 * generator does not do, and left the view to the GET.
 */
export function reportsViewOnLoad(script: string): boolean {
  return /addEventListener\(\s*'load'/.test(script) && script.includes("'/progress/position'");
}

/** The requests of one view of `pagePath` by a browser holding `cookie`. */
export function pageViewOf(html: string, script: string, pagePath: string, cookie: string): PageView {
  const get: LoadRequest = { method: 'GET', path: pagePath, headers: { cookie } };
  const token = csrfTokenOf(html);
  const chapter = chapterOf(html);
  if (!reportsViewOnLoad(script) || token === undefined || chapter === undefined) {
    return { requests: [get], description: `GET ${pagePath}` };
  }
  const post: LoadRequest = {
    method: 'POST',
    path: '/progress/position',
    headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': token },
    body: JSON.stringify({ chapter_number: chapter }),
  };
  return { requests: [get, post], description: `GET ${pagePath} + POST /progress/position` };
}
