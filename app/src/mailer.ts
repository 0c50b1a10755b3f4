import nodemailer from 'nodemailer';
import type { Logger } from './observability/logger';

/** One plain-text message to one learner. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Where the app's mail goes: SMTP when SMTP_URL is set, the log otherwise (development). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * Mail through an SMTP server with nodemailer. The URL carries host, port, credentials
 * and TLS (`smtps://` for implicit TLS; `smtp://` upgrades with STARTTLS when offered);
 * see https://nodemailer.com/smtp/#connection-url. One pooled transport per process.
 */
export function smtpMailer(url: string, from: string): Mailer {
  const query = url.includes('?') ? '&' : '?';
  const transport = nodemailer.createTransport(`${url}${query}pool=true`);
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}

/** Development: the message is printed to the log instead of sent, link included. */
export function logMailer(logger: Logger): Mailer {
  return {
    async send(message) {
      logger.info({ mail: { to: message.to, subject: message.subject } }, `mail (not sent: SMTP_URL is unset)\n${message.text}`);
    },
    close: () => undefined,
  };
}
