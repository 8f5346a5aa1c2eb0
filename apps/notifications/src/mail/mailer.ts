import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { ensureWritableDataDir, type NotificationsConfig } from '#config';
import type { MailContent } from '../templates/templates.js';

export const MAILER = Symbol('MAILER');

/** One message for one person, named by the event it tells about. */
export interface OutgoingMail {
  readonly eventId: string;
  readonly to: string;
  readonly content: MailContent;
}

/** Hands a message on: to the SMTP server, or to the outbox folder. Throws when it was not accepted. */
export interface Mailer {
  /** Answers the message's Message-ID, the same for every try of the same event. */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

/**
 * The Message-ID of the mail about event `eventId`: the same whichever
 * instance, and however often, sends it, so a message sent twice (a crash
 * between the server's acceptance and the record of it) is recognisable as one
 * downstream (mail clients and archives collapse equal Message-IDs).
 */
export function messageIdOf(eventId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<${fileSafe(eventId)}.notification@${domain}>`;
}

/** The event id where it names a file or a Message-ID: itself when plain (a UUID), else its SHA-256. */
const fileSafe = (eventId: string): string =>
  /^[A-Za-z0-9_-]{1,100}$/.test(eventId) ? eventId : createHash('sha256').update(eventId).digest('hex');

/**
 * What a failed send says: nodemailer's error code and the SMTP reply code
 * (`EENVELOPE 451`), never the server's text, which may echo anything.
 */
export function describeSendFailure(error: unknown): string {
  const { code, responseCode, name } = (error ?? {}) as { code?: unknown; responseCode?: unknown; name?: unknown };
  const kind =
    typeof code === 'string' && /^[A-Z_]{2,30}$/.test(code) ? code : typeof name === 'string' ? name : 'Error';
  return typeof responseCode === 'number' ? `${kind.slice(0, 40)} ${responseCode}` : kind.slice(0, 40);
}

/** SMTP_URL set: its server; unset: `.eml` files in DATA_DIR/outbox (the embedded default). */
export function createMailer(config: NotificationsConfig): Mailer {
  return config.SMTP_URL ? new SmtpMailer(config) : new OutboxMailer(config);
}

abstract class NodemailerMailer implements Mailer {
  constructor(
    protected readonly transport: Transporter,
    private readonly from: string,
  ) {}

  async send({ eventId, to, content }: OutgoingMail): Promise<string> {
    const messageId = messageIdOf(eventId, this.from);
    const info: unknown = await this.transport.sendMail({
      from: this.from,
      to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    this.accepted(eventId, info);
    return messageId;
  }

  protected accepted(_eventId: string, _info: unknown): void {}

  close(): void {
    this.transport.close();
  }
}

class SmtpMailer extends NodemailerMailer {
  constructor(config: NotificationsConfig) {
    const timeout = config.NOTIFICATIONS_SEND_TIMEOUT_MS;
    // The URL may hold the SMTP login: it is handed to nodemailer only, never logged. Its query may set
    // nodemailer's options too (`?pool=false`). Pooled: one SMTP session carries many messages, where a
    // connection per message costs the greeting each time (servers delay it on purpose: 100 ms here).
    super(
      nodemailer.createTransport({
        url: config.SMTP_URL,
        pool: true,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      }),
      config.MAIL_FROM,
    );
  }
}

/**
 * Without SMTP: each message as an RFC 5322 file a mail client opens
 * (`DATA_DIR/outbox/<time>-<eventId>.eml`), built by nodemailer exactly as it
 * would be sent, and one line in the log (no address, no content), so someone
 * trying the product sees what would be sent.
 */
class OutboxMailer extends NodemailerMailer {
  private readonly logger = new Logger('Outbox');
  private readonly dir: string;

  constructor(config: NotificationsConfig) {
    super(nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }), config.MAIL_FROM);
    ensureWritableDataDir(config.DATA_DIR); // one clear line when it is not, as every service says it
    this.dir = join(config.DATA_DIR, 'outbox');
    mkdirSync(this.dir, { recursive: true });
  }

  protected override accepted(eventId: string, info: unknown): void {
    const message = (info as { message: Buffer }).message;
    const name = `${new Date().toISOString().replace(/[-:.]/g, '')}-${fileSafe(eventId)}.eml`;
    const partial = join(this.dir, `.${name}.partial`);
    writeFileSync(partial, message, { mode: 0o600 });
    renameSync(partial, join(this.dir, name));
    this.logger.log(`wrote ${join(this.dir, name)} (no SMTP_URL: mail is kept in the outbox)`);
  }
}
