import { randomBytes } from 'node:crypto';
import { cloneElement, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Frame } from './pages/layout';

/** A page as the browser receives it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any page component's props
export function renderPage(page: VNode<any>): string {
  return `<!DOCTYPE html>${renderToString(page)}`;
}

/** The parts of a page that differ on every response, whoever reads it. */
type Hole = 'csrfToken' | 'nonce';
const HOLES: readonly Hole[] = ['csrfToken', 'nonce'];
// Hole values go in unescaped, so only what needs no escaping anywhere in HTML:
// base64 and base64url text, and the dot between a CSRF token's salt and signature.
const INSERTABLE = /^[A-Za-z0-9+/=_.-]{1,200}$/;

type Part = Buffer | Hole;
/** Strings from this length on are keyed by id (see longStringsById). */
const LONG_STRING = 256;
type PageVNode = VNode<{ frame: Frame }>;

/**
 * Pages that many learners see alike (a chapter, its upgrade panel), rendered once per
 * distinct set of props and kept as UTF-8 pieces around the per-response values.
 *
 * Rendering the chapter page and encoding it as UTF-8 was the largest cost of a page
 * view in the web role, yet only the CSP nonce and the CSRF token differ between two
 * learners at the same point of the same chapter. So the page is rendered with markers
 * in their place and split at the markers; each response joins the cached pieces with
 * its own values.
 *
 * The key is the page component and every prop but those two values, so a prop added
 * to a page later is part of the key without anyone having to remember it. Pages are
 * pure functions of their props. Before a template is kept, it is checked against a
 * direct render of the same page: a page that does anything with a hole's value other
 * than print it is rendered directly every time instead.
 */
export class PageTemplates {
  private readonly templates = new Map<string, readonly Part[] | 'render directly'>();
  private readonly componentIds = new WeakMap<object, number>();
  private nextComponentId = 0;
  private readonly markers: Record<Hole, string>;
  private readonly markerPattern: RegExp;
  /** Random per instance, so no prop or content can contain a marker by chance. */
  private readonly markerPrefix = `cc-${randomBytes(8).toString('hex')}`;

  constructor(private readonly capacity = 256) {
    this.markers = { csrfToken: `${this.markerPrefix}-csrf`, nonce: `${this.markerPrefix}-nonce` };
    this.markerPattern = new RegExp(`(${this.markers.csrfToken}|${this.markers.nonce})`);
  }

  /** How many templates are kept. */
  get size(): number {
    return this.templates.size;
  }

  /** `<!DOCTYPE html>` and the page, as UTF-8. */
  render(page: PageVNode): Buffer {
    const frame = page.props.frame;
    if (!HOLES.every((hole) => INSERTABLE.test(frame[hole]))) return Buffer.from(renderPage(page));
    const key = this.keyOf(page);
    let template = this.templates.get(key);
    if (template === undefined) {
      template = this.compile(page);
      if (this.templates.size >= this.capacity) this.templates.delete(this.templates.keys().next().value!);
    } else {
      // Least recently used goes first: a hit moves to the back.
      this.templates.delete(key);
    }
    this.templates.set(key, template);
    if (template === 'render directly') return Buffer.from(renderPage(page));
    return Buffer.concat(template.map((part) => (typeof part === 'string' ? Buffer.from(frame[part], 'latin1') : part)));
  }

  private keyOf(page: PageVNode): string {
    let componentId = this.componentIds.get(page.type as object);
    if (componentId === undefined) {
      componentId = this.nextComponentId++;
      this.componentIds.set(page.type as object, componentId);
    }
    const withoutHoles = { ...page.props, frame: { ...page.props.frame, csrfToken: '', nonce: '' } };
    return `${componentId}:${JSON.stringify(withoutHoles, this.longStringsById)}`;
  }

  /**
   * A long string (a chapter's HTML) stands in the key for an id of its text: copied
   * into every key, it cost more than rendering the page. The same string object comes
   * back on every view from ChapterHtmlCache, and V8 keeps a string's hash with it, so
   * finding its id is one lookup. Ids are never reused, so forgetting them (when there
   * are too many) only costs a fresh render.
   */
  private readonly longStringIds = new Map<string, number>();
  private nextLongStringId = 0;
  private readonly longStringsById = (_key: string, value: unknown): unknown => {
    if (typeof value !== 'string' || value.length < LONG_STRING) return value;
    let id = this.longStringIds.get(value);
    if (id === undefined) {
      if (this.longStringIds.size >= this.capacity * 4) this.longStringIds.clear();
      id = this.nextLongStringId++;
      this.longStringIds.set(value, id);
    }
    return `${this.markerPrefix}-long-${id}`;
  };

  private compile(page: PageVNode): readonly Part[] | 'render directly' {
    // The key is JSON: a prop JSON cannot tell apart (a function, a Date) could differ
    // between two pages of the same key, so such a page is never shared.
    if (!isJsonData(page.props)) return 'render directly';
    const marked = cloneElement<{ frame: Frame }>(page, { frame: { ...page.props.frame, ...this.markers } });
    const pieces = renderPage(marked).split(this.markerPattern);
    const parts: Part[] = pieces.map((piece, index) => {
      if (index % 2 === 0) return Buffer.from(piece, 'utf8');
      return piece === this.markers.csrfToken ? 'csrfToken' : 'nonce';
    });
    const joined = parts.map((part) => (typeof part === 'string' ? page.props.frame[part] : part.toString('utf8'))).join('');
    return joined === renderPage(page) ? parts : 'render directly';
  }
}

/** Whether JSON.stringify keeps everything of `value` that could change a render. */
function isJsonData(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonData);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isJsonData);
  return false;
}
