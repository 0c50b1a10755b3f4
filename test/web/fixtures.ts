import type { Chapter } from '../../app/src/web/api-types';
import type { Frame } from '../../app/src/web/pages/layout';

/** What every page gets from the request, for rendering pages without a server. */
export function sampleFrame(overrides: Partial<Frame> = {}): Frame {
  return {
    csrfToken: 'salt.signature',
    nonce: 'n0nce',
    assets: { css: '/assets/app.abc.css', js: '/assets/app.def.js' },
    signedIn: true,
    path: '/chapters/2',
    ...overrides,
  };
}

/** Chapter 2 as the api sends it to a learner who has started it. */
export function sampleChapter(overrides: Partial<Chapter> = {}): Chapter {
  return {
    number: 2,
    slug: 'pods',
    title: 'Pods & <Services>',
    summary: 'What runs where.',
    required_tier: 'free',
    locked: false,
    state: 'in_progress',
    sections: [
      { anchor: 'what-a-pod-is', title: 'What a Pod is' },
      { anchor: 'services', title: 'Services' },
    ],
    has_quiz: true,
    markdown: 'Intro.\n\n## What a Pod is\n\nText.\n\n## Services\n\nMore.',
    previous: { number: 1, title: 'Images', locked: false },
    next: { number: 3, title: 'Config', locked: false },
    ...overrides,
  };
}
