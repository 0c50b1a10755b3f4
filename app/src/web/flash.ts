/**
 * One-line confirmations shown on the page a POST redirects to. The cookie carries
 * only a key from this list, never text, so nothing a visitor sets can be shown.
 */
export const FLASH_MESSAGES = {
  'signed-up': 'Welcome! Your account is ready.',
  'signed-up-utc': 'Welcome! Your account is ready. Your days count in UTC until you choose your time zone on your account page.',
  'signed-in': 'You are signed in.',
  'signed-out': 'You are signed out.',
  'chapter-complete': 'Chapter marked complete. Nicely done.',
  'place-saved': 'Your place is saved: "Resume" brings you back here.',
  'timezone-saved': 'Time zone saved.',
  'account-deleted': 'Your account and all its data have been deleted.',
  'password-changed': 'Password changed. You are signed out everywhere else.',
  'password-reset': 'Password changed. Sign in with your new password.',
  'signed-out-everywhere': 'You are signed out on every browser and device.',
} as const;

export type FlashKey = keyof typeof FLASH_MESSAGES;

export function flashMessage(key: string | undefined): string | undefined {
  return key && Object.prototype.hasOwnProperty.call(FLASH_MESSAGES, key) ? FLASH_MESSAGES[key as FlashKey] : undefined;
}
