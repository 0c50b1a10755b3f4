import { Layout, type Frame } from './layout';

/** The kinds of trouble a learner can meet, each with its own words and status. */
export type Trouble = 'not_found' | 'forbidden' | 'csrf' | 'rate_limited' | 'api_down' | 'internal' | 'bad_request';

const TROUBLE: Record<Trouble, { status: number; title: string; text: string }> = {
  not_found: {
    status: 404,
    title: 'Page not found',
    text: 'There is nothing at this address. It may have moved, or the link may be mistyped.',
  },
  forbidden: { status: 403, title: 'Not allowed', text: 'Your account may not open this page.' },
  csrf: {
    status: 403,
    title: 'This form has expired',
    text: 'For your safety we could not accept that form. Go back, reload the page and try again.',
  },
  rate_limited: { status: 429, title: 'Too many attempts', text: 'Please wait a minute before trying again.' },
  api_down: {
    status: 503,
    title: 'The course is taking a break',
    text: 'We cannot reach the course service right now. Your progress is safe; please try again in a minute.',
  },
  internal: {
    status: 500,
    title: 'Something went wrong',
    text: 'An unexpected error stopped this page. It has been logged; please try again.',
  },
  bad_request: { status: 400, title: 'That did not work', text: 'The request could not be understood.' },
};

export function troubleStatus(kind: Trouble): number {
  return TROUBLE[kind].status;
}

export function ErrorPage({ frame, kind, requestId }: { frame: Frame; kind: Trouble; requestId?: string }) {
  const trouble = TROUBLE[kind];
  return (
    <Layout frame={frame} title={trouble.title}>
      <h1>{trouble.title}</h1>
      <p>{trouble.text}</p>
      {requestId && <p class="muted">Reference: {requestId}</p>}
      <div class="actions">
        <a class="button" href="/">
          Go to the course
        </a>
      </div>
    </Layout>
  );
}
