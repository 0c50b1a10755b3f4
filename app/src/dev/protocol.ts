/**
 * What the dev supervisor (app/src/dev.ts) and its child (app/src/dev/child.ts) say to
 * each other over the IPC channel of `child_process.fork`.
 */

/** Where one version's roles and metrics listen. */
export interface DevUrls {
  readonly api: string;
  readonly web: string;
  readonly metrics: string;
}

/** Child → supervisor. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly urls: DevUrls }
  | { readonly type: 'content-reloaded'; readonly chapters: number }
  | { readonly type: 'content-failed'; readonly error: string };

/** Supervisor → child. */
export type SupervisorMessage = { readonly type: 'reload-content' };

/** Messages are checked before use: the channel carries whatever the other process sends. */
export const isMessage = <T extends { type: string }>(value: unknown): value is T =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
