import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the sink accepted, parsed (`mailparser`). */
export interface ReceivedMail {
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The message as it came over the wire. */
  readonly raw: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`: an `SMTP_URL`. */
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Per recipient address: how many more times to refuse it (451, try later). */
  readonly refusals: Map<string, number>;
  /** Every refused recipient address, once per refusal. */
  readonly refused: string[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (`smtp-server`, no TLS, no login) that
 * keeps what it accepts: the mail sink of the notifications specs and
 * benchmark. It refuses a recipient with 451 as often as `refusals` says.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const refusals = new Map<string, number>();
  const refused: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // Its default looks the client's name up in the DNS before it greets (it also waits 100 ms for early talkers).
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      const left = refusals.get(address.address) ?? 0;
      if (left <= 0) return callback();
      refusals.set(address.address, left - 1);
      refused.push(address.address);
      callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((mail) => {
            received.push({
              messageId: mail.messageId ?? '',
              to: (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              raw: raw.toString('utf8'),
            });
            callback();
          })
          .catch(callback);
      });
    },
  });
  // A client killed mid-session (the specs kill the service) resets its connection: smtp-server reports it
  // as the server's 'error', which unheard would end the test process. The sink only keeps what it accepted.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refusals,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
