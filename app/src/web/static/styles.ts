/**
 * The one stylesheet, served fingerprinted from /assets. Kept in a module (not a .css
 * file) so the TypeScript build carries it into the image with no copy step.
 * Colours meet WCAG AA contrast in both schemes; focus is always visible.
 */
export const styles = String.raw`
:root {
  color-scheme: light dark;
  --bg: #ffffff; --surface: #f4f5f7; --text: #1b1d22; --muted: #4a5060; --border: #c9ced8;
  --accent: #1f5fbf; --accent-text: #ffffff; --ok: #1d6b38; --warn: #8a4b00; --bad: #a3222a;
  --mark: #ffe58a; --mark-text: #1b1d22; --focus: #c2410c;
  --radius: 8px; --measure: 70ch;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.55; font-size: 100%;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14161b; --surface: #1e2128; --text: #e8eaef; --muted: #b3b9c6; --border: #3b404c;
    --accent: #8ab4ff; --accent-text: #0d1117; --ok: #6fd39a; --warn: #f2b35e; --bad: #ff8f8f;
    --mark: #6b5300; --mark-text: #fff6d6; --focus: #ffb86b;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--accent); color: var(--accent-text);
  padding: 0.5rem 1rem; border-radius: var(--radius); z-index: 10; }
.skip-link:focus { top: 0.5rem; }
.site-header { border-bottom: 1px solid var(--border); background: var(--surface); }
.site-header .bar { max-width: 72rem; margin: 0 auto; padding: 0.5rem 1rem; display: flex; flex-wrap: wrap;
  gap: 0.5rem 1.25rem; align-items: center; }
.brand { font-weight: 700; font-size: 1.1rem; color: var(--text); text-decoration: none; margin-right: auto; }
.site-nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0; padding: 0; }
.site-nav a { display: inline-block; padding: 0.35rem 0.1rem; }
.site-nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.header-search { display: flex; gap: 0.25rem; }
.header-search input { width: 10rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
main:focus { outline: none; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: 0.75rem 0 1rem; }
h2 { font-size: 1.35rem; margin-top: 2rem; }
p, li { max-width: var(--measure); }
.muted { color: var(--muted); }
.flash { max-width: 72rem; margin: 0.75rem auto 0; padding: 0 1rem; }
.maintenance { max-width: 72rem; margin: 0.75rem auto 0; padding: 0.6rem 0.9rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1rem;
  align-items: baseline; justify-content: space-between; border-left: 4px solid var(--warn); background: var(--surface); border-radius: var(--radius); }
.maintenance p { margin: 0; }
.flash p { margin: 0; padding: 0.6rem 0.9rem; border-left: 4px solid var(--ok); background: var(--surface); border-radius: var(--radius); }
.button, button { display: inline-block; font: inherit; font-weight: 600; padding: 0.55rem 1.1rem; border-radius: var(--radius);
  border: 2px solid var(--accent); background: var(--accent); color: var(--accent-text); cursor: pointer;
  text-decoration: none; min-height: 44px; }
.button.secondary, button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); color: var(--bg); }
button.link { background: none; border: none; color: var(--accent); padding: 0.35rem 0.1rem; text-decoration: underline;
  font-weight: 400; min-height: 0; }
form.inline { display: inline; }
label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
.hint { color: var(--muted); font-size: 0.92rem; margin: 0.1rem 0 0.3rem; }
input[type="text"], input[type="email"], input[type="password"], input[type="search"], select {
  font: inherit; width: 100%; max-width: 28rem; padding: 0.5rem 0.6rem; border: 2px solid var(--border);
  border-radius: var(--radius); background: var(--bg); color: var(--text); min-height: 44px; }
input[aria-invalid="true"] { border-color: var(--bad); }
.field-error { color: var(--bad); font-weight: 600; margin: 0.25rem 0 0; }
.error-summary { border: 3px solid var(--bad); border-radius: var(--radius); padding: 0.75rem 1rem; margin: 1rem 0; }
.error-summary h2 { margin: 0 0 0.5rem; font-size: 1.1rem; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 1rem 1.25rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin: 1.5rem 0; }
.chapter-list { list-style: none; padding: 0; display: grid; gap: 0.75rem; }
.chapter-list li { max-width: none; }
.chapter-list .card { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem 1rem; }
.chapter-list h3 { margin: 0 0 0.25rem; font-size: 1.1rem; }
.chapter-list p { margin: 0; }
.badge { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 999px; font-size: 0.85rem; font-weight: 700;
  border: 2px solid currentColor; white-space: nowrap; align-self: flex-start; }
.badge.done { color: var(--ok); } .badge.in_progress { color: var(--accent); }
.badge.not_started { color: var(--muted); } .badge.locked { color: var(--warn); }
.badge.free { color: var(--ok); } .badge.premium { color: var(--warn); }
.meter { margin: 0.5rem 0 1rem; }
.meter progress { width: 100%; max-width: 28rem; height: 0.9rem; accent-color: var(--accent); }
.reader { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.5rem; }
@media (min-width: 60rem) { .reader { grid-template-columns: 15rem minmax(0, 1fr); } .toc { position: sticky; top: 1rem; align-self: start; } }
.toc ol { padding-left: 1.2rem; margin: 0.25rem 0; }
.toc h2 { font-size: 1rem; margin: 0; }
.chapter-body pre { overflow-x: auto; background: var(--surface); border: 1px solid var(--border); padding: 0.75rem; border-radius: var(--radius); }
.chapter-body code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.chapter-body table { border-collapse: collapse; display: block; overflow-x: auto; }
.chapter-body th, .chapter-body td { border: 1px solid var(--border); padding: 0.35rem 0.6rem; }
.chapter-body img { max-width: 100%; height: auto; }
.chapter-body h2 { scroll-margin-top: 1rem; }
.pager { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 1rem; margin-top: 2rem; padding-top: 1rem;
  border-top: 1px solid var(--border); }
.pager ul { list-style: none; padding: 0; margin: 0; display: contents; }
.plans { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 1rem; }
.plans .price { font-size: 1.4rem; font-weight: 700; margin: 0.25rem 0; }
.results { list-style: none; padding: 0; }
.results li { margin: 0 0 1.25rem; }
.results h3 { font-size: 1.1rem; margin: 0 0 0.25rem; }
mark { background: var(--mark); color: var(--mark-text); padding: 0 0.1em; border-radius: 2px; }
fieldset { border: 1px solid var(--border); border-radius: var(--radius); margin: 0 0 1rem; padding: 0.75rem 1rem 1rem; }
legend { font-weight: 700; padding: 0 0.25rem; max-width: 100%; }
.choice { display: flex; gap: 0.5rem; align-items: flex-start; margin: 0.4rem 0; font-weight: 400; }
.choice input { width: 1.25rem; height: 1.25rem; margin-top: 0.15rem; flex: none; }
.result { border-left: 5px solid var(--border); padding: 0.5rem 1rem; margin: 0 0 1rem; background: var(--surface); border-radius: var(--radius); }
.result.correct { border-left-color: var(--ok); } .result.incorrect { border-left-color: var(--bad); }
.result h3 { margin: 0 0 0.25rem; font-size: 1.05rem; }
.verdict.correct { color: var(--ok); } .verdict.incorrect { color: var(--bad); }
table.data { border-collapse: collapse; width: 100%; }
table.data th, table.data td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--border); vertical-align: top; }
.table-wrap { overflow-x: auto; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 1rem; padding: 0; list-style: none; }
.stats .figure { font-size: 1.8rem; font-weight: 700; display: block; }
.danger-zone { border-color: var(--bad); }
.site-footer { border-top: 1px solid var(--border); color: var(--muted); font-size: 0.9rem; }
.site-footer p { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.reading-progress { position: fixed; top: 0; left: 0; height: 4px; background: var(--accent); width: 0; z-index: 5; }
@media (max-width: 30rem) { h1 { font-size: 1.5rem; } .header-search input { width: 100%; } .header-search { width: 100%; } }
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
`;
