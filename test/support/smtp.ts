import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { linkTokenIn } from './mailbox';

/** A message as the SMTP server received it. */
export interface ReceivedMail {
  readonly to: string[];
  readonly raw: string;
}

/**
 * A real SMTP server on an ephemeral port (the smtp-server package), keeping what it
 * receives, so tests read the mail the app sent through nodemailer.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        for (const wake of this.waiters.splice(0)) wake();
        callback();
      });
    },
  });

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer();
    smtp.server.listen(0, '127.0.0.1');
    await once(smtp.server.server, 'listening');
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** The first message to `address` (waits up to `timeoutMs`). */
  mailTo(address: string, timeoutMs = 10_000): Promise<ReceivedMail> {
    return this.waitFor(address, 1, timeoutMs, (found) => found[0]);
  }

  /** The latest message to `address` once it has `count` (waits up to `timeoutMs`). */
  latestTo(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail> {
    return this.waitFor(address, count, timeoutMs, (found) => found[found.length - 1]);
  }

  private async waitFor(
    address: string,
    count: number,
    timeoutMs: number,
    pick: (found: ReceivedMail[]) => ReceivedMail,
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter((m) => m.to.includes(address));
      if (found.length >= count) return pick(found);
      if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A received mail as text: quoted-printable soft breaks and escapes undone. */
export function mailText(mail: ReceivedMail): string {
  return mail.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The reset token in a password reset mail. */
export function resetTokenIn(mail: ReceivedMail): string {
  return linkTokenIn(mailText(mail), '/reset-password');
}

/** One JSON POST: status and text of the answer. */
export type JsonPost = (url: string, body: unknown) => Promise<{ status: number; text: string }>;

const fetchPost: JsonPost = async (url, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
};

/**
 * A learner signed up over HTTP as one would from their inbox: register `email`, take the
 * link the api at `apiUrl` mailed to `mail` (its SMTP_URL), finish. The api's session answer.
 * `post` sends each request (a bench sends them from a chosen local address).
 */
export async function signUpByMail<Session>(
  apiUrl: string,
  mail: TestSmtpServer,
  account: { email: string; password: string },
  post: JsonPost = fetchPost,
): Promise<Session> {
  const asked = await post(`${apiUrl}/api/v1/auth/register`, account);
  if (asked.status !== 202) throw new Error(`sign up answered ${asked.status}: ${asked.text}`);
  const token = linkTokenIn(mailText(await mail.mailTo(account.email)), '/signup/finish');
  const done = await post(`${apiUrl}/api/v1/auth/register/confirm`, { token });
  if (done.status !== 201) throw new Error(`finishing sign-up answered ${done.status}: ${done.text}`);
  return JSON.parse(done.text) as Session;
}
