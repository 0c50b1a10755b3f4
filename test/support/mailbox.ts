import type { Mailer, MailMessage } from '../../app/src/mailer';

/**
 * The mail an in-process api sent, kept in memory (a real Mailer, not a mock of anything
 * the app reads): tests follow the links in it as a learner would. Passes each message on
 * to `next` too, when the test also wants it delivered (test/support/smtp.ts).
 */
export class TestMailbox implements Mailer {
  readonly sent: MailMessage[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly next?: Mailer) {}

  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
    for (const wake of this.waiters.splice(0)) wake();
    await this.next?.send(message);
  }

  close(): void {
    this.next?.close();
  }

  /** Every message to `address` so far, oldest first. */
  to(address: string): MailMessage[] {
    return this.sent.filter((m) => m.to === address.toLowerCase());
  }

  /** The latest message to `address` once there are at least `count` (waits up to `timeoutMs`). */
  async latestTo(address: string, count = 1, timeoutMs = 10_000): Promise<MailMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.to(address);
      if (messages.length >= count) return messages[messages.length - 1];
      if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

/** The token of the `path?token=…` link in a mail's text. */
export function linkTokenIn(text: string, path: string): string {
  const match = new RegExp(`${path.replace(/[/.?]/g, '\\$&')}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[1];
}

/** The token of the "finish signing up" link in a sign-up mail. */
export const signupTokenIn = (text: string): string => linkTokenIn(text, '/signup/finish');
