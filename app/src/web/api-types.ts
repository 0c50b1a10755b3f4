/**
 * The JSON shapes of the api role, exactly as docs/contracts.md defines them. The web
 * role never reads the database: everything it shows arrives in one of these.
 */
export type Tier = 'free' | 'premium' | 'pro' | 'team';

export interface User {
  id: string;
  email: string;
  name: string | null;
  tier: Tier;
  timezone: string;
  created_at: string;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: User;
}

export type ChapterState = 'done' | 'in_progress' | 'not_started' | 'locked';

export interface SectionRef {
  anchor: string;
  title: string;
}

export interface ChapterSummary {
  number: number;
  slug: string;
  title: string;
  summary: string;
  required_tier: Tier;
  locked: boolean;
  state: ChapterState;
  sections: SectionRef[];
  has_quiz: boolean;
}

export interface ChapterLink {
  number: number;
  title: string;
  locked: boolean;
}

export interface Chapter extends ChapterSummary {
  markdown: string;
  previous: ChapterLink | null;
  next: ChapterLink | null;
}

export interface Course {
  title: string;
  description: string;
  chapters: ChapterSummary[];
}

export interface Plan {
  tier: Tier;
  name: string;
  price_monthly: number;
  currency: string;
  chapters: string;
}

/** `GET /syllabus`: what a visitor may read before signing up. */
export interface Syllabus {
  title: string;
  description: string;
  chapters: { number: number; title: string; summary: string; required_tier: Tier; free: boolean }[];
  plans: Plan[];
}

export interface SearchResult {
  chapter_number: number;
  chapter_title: string;
  section_anchor: string;
  section_title: string;
  snippet: { text: string; highlight: boolean }[];
  url: string;
  score: number;
}

export interface SearchResponse {
  query: string;
  results: SearchResult[];
}

export type QuestionType = 'single' | 'multiple' | 'true_false' | 'short_answer';

export interface QuizQuestion {
  id: string;
  type: QuestionType;
  prompt: string;
  options?: { id: string; text: string }[];
}

export interface Quiz {
  chapter_number: number;
  title: string;
  pass_percentage: number;
  questions: QuizQuestion[];
}

export type Answer = string | string[] | boolean;

export interface AttemptResult {
  attempt_id: string;
  score: number;
  max_score: number;
  percentage: number;
  passed: boolean;
  results: { question_id: string; correct: boolean; feedback: string; explanation: string; correct_answer: unknown }[];
  best_percentage: number;
  last_percentage: number;
  next_chapter: ChapterLink | null;
}

export interface AttemptHistory {
  attempts: unknown[];
  best_percentage: number | null;
  last_percentage: number | null;
}

export interface ProgressChapter {
  number: number;
  title: string;
  state: ChapterState;
  /** The plan does not open this chapter now; a chapter finished on an earlier plan stays "done". */
  locked: boolean;
  completed_at: string | null;
  best_quiz_percentage: number | null;
  last_quiz_percentage: number | null;
}

/** The body of `POST /progress/views`: a chapter view, as the page reports it. */
export interface ChapterViewReport {
  chapter_number: number;
  /** The section in view; left out, the section already recorded for the chapter stays. */
  section_anchor?: string;
}

export interface Resume {
  chapter_number: number;
  section_anchor: string | null;
}

export interface Progress {
  overall_percentage: number;
  completed_chapters: number;
  total_chapters: number;
  chapters: ProgressChapter[];
  resume: Resume | null;
  streak: { current: number; longest: number; last_active_date: string | null; timezone: string };
}

/** The api's error body: `{ code, message, details }`. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** `GET /billing`: whether Stripe Checkout can be offered. */
export interface BillingStatus {
  checkout_enabled: boolean;
}

/** `POST /billing/checkout`, `POST /billing/portal`: a page on Stripe to send the learner to. */
export interface HostedPage {
  url: string;
}
