/**
 * The one script, served fingerprinted from /assets and loaded with `defer`. Every page
 * works without it; it only adds: the browser's time zone on sign up, the report of a
 * chapter view once the page has loaded, the reading position as the learner scrolls (so
 * "resume" lands on the right section), and a thin reading progress bar. Kept in a module so the TypeScript build carries it along.
 */
export const script = String.raw`
(function () {
  'use strict';
  var zone = document.querySelector('input[name="timezone"][data-detect]');
  if (zone && !zone.value) {
    try { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { /* keep the default */ }
  }

  var reader = document.querySelector('[data-chapter-number]');
  if (!reader) return;
  var chapter = Number(reader.getAttribute('data-chapter-number'));
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute('content') : '';
  var headings = Array.prototype.slice.call(reader.querySelectorAll('h2[id]'));
  var saved = null;
  var timer = null;

  // keepalive: the report outlives the page when the learner navigates away at once.
  // (sendBeacon cannot carry the CSRF header.)
  function report(body) {
    return fetch('/progress/position', {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify(body)
    });
  }

  function save(anchor) {
    if (anchor === saved) return;
    saved = anchor;
    report({ chapter_number: chapter, section_anchor: anchor }).catch(function () { saved = null; });
  }

  // The view is reported once the page has loaded, off its critical path: the GET that
  // rendered it wrote nothing (issues 14 and 15), and the api writes only what changed.
  function reportView() { report({ chapter_number: chapter }).catch(function () { /* the next view reports again */ }); }
  if (document.readyState === 'complete') reportView();
  else window.addEventListener('load', reportView, { once: true });

  function current() {
    var best = null;
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top <= window.innerHeight * 0.3) best = headings[i];
    }
    return best ? best.id : null;
  }

  var bar = document.createElement('div');
  bar.className = 'reading-progress';
  bar.setAttribute('aria-hidden', 'true');
  document.body.appendChild(bar);

  function onScroll() {
    var max = document.documentElement.scrollHeight - window.innerHeight;
    bar.style.width = (max > 0 ? Math.min(100, (window.scrollY / max) * 100) : 100) + '%';
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { var a = current(); if (a) save(a); }, 1200);
  }
  window.addEventListener('scroll', onScroll, { passive: true });
  onScroll();
})();
`;
