/** What fixture-child.ts serves; the supervisor tests write their own copy beside it. */
export const VERSION = 'v1';
