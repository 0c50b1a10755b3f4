import type { Plan, Syllabus } from '../api-types';
import { formatPrice } from './chapter';
import { Layout, type Frame } from './layout';

const FALLBACK_TITLE = 'Course Companion';
const FALLBACK_DESCRIPTION = 'A course you read at your own pace, with quizzes and a daily streak.';

function StartActions() {
  return (
    <div class="actions">
      <a class="button" href="/signup">
        Start learning for free
      </a>
      <a class="button secondary" href="/signin">
        Sign in
      </a>
    </div>
  );
}

function SyllabusChapter({ chapter }: { chapter: Syllabus['chapters'][number] }) {
  const access = chapter.free ? 'Free' : `With ${chapter.required_tier}`;
  return (
    <li>
      <div class="card">
        <div>
          <h3>
            Chapter {chapter.number}: {chapter.title}
          </h3>
          <p class="muted">{chapter.summary}</p>
        </div>
        {/* Text, not colour alone, says which chapters are free. */}
        <span class={`badge ${chapter.free ? 'free' : 'premium'}`}>{access}</span>
      </div>
    </li>
  );
}

function PlanCard({ plan }: { plan: Plan }) {
  return (
    <li class="card">
      <h3>{plan.name}</h3>
      <p class="price">{formatPrice(plan)}</p>
      <p>{plan.chapters}</p>
    </li>
  );
}

/**
 * Home for someone not signed in: what the course teaches chapter by chapter, which
 * chapters are free, and what the plans cost (issue 17, item 8). Plain HTML: it needs
 * no JavaScript. Without the syllabus (the api unreachable) it still offers sign-up.
 */
export function LandingPage({ frame, syllabus }: { frame: Frame; syllabus: Syllabus | null }) {
  const title = syllabus?.title ?? FALLBACK_TITLE;
  const freeCount = syllabus?.chapters.filter((c) => c.free).length ?? 0;
  return (
    <Layout frame={frame} title={syllabus?.title ?? 'Welcome'}>
      <h1>{title}</h1>
      <p>{syllabus?.description ?? FALLBACK_DESCRIPTION}</p>
      <StartActions />
      {syllabus && (
        <>
          <section aria-labelledby="syllabus-title">
            <h2 id="syllabus-title">What you will learn</h2>
            <p>
              {syllabus.chapters.length} chapters, each with a short quiz. The first {freeCount} are free; the rest come with a paid plan.
            </p>
            <ol class="chapter-list syllabus" aria-labelledby="syllabus-title">
              {syllabus.chapters.map((chapter) => (
                <SyllabusChapter key={chapter.number} chapter={chapter} />
              ))}
            </ol>
          </section>
          <section aria-labelledby="plans-title">
            <h2 id="plans-title">Plans</h2>
            <ul class="plans">
              {syllabus.plans.map((plan) => (
                <PlanCard key={plan.tier} plan={plan} />
              ))}
            </ul>
            {/* Named apart from the top button, so each link says where it leads in a list of links. */}
            <p>
              <a class="button" href="/signup">
                Create a free account
              </a>
            </p>
          </section>
        </>
      )}
    </Layout>
  );
}
