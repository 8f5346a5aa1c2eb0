import { assertNever } from '#contracts';
import type { AccountNotice, Addressed, Origin } from '../notices/account-notices.js';
import { html, type SafeHtml } from './html.js';

/** A rendered message: the subject and the same content as plain text and as HTML. */
export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What a template may show besides the notice: who the mail is for, and the admin the notice names. */
export interface MailContext {
  readonly productName: string;
  readonly recipientEmail: string;
  /** The admin's address when known, else their id; null when the notice names no admin. */
  readonly admin: string | null;
}

/** One message's body: paragraphs, each plain text or HTML from the same parts. */
type Paragraph = readonly Part[];
type Part = string | { readonly strong: string };

const REMAINING_WARNING_AT = 2;

/**
 * Every mail the service sends, one case per notice. A mail says what happened
 * and when, and what to do if it was not the reader; it never holds a code,
 * secret or token (notices carry none).
 */
export function renderNotice({ notice, occurredAt }: Addressed, context: MailContext): MailContent {
  const { subject, paragraphs } = contentOf(notice, occurredAt, context);
  const closing: Paragraph[] = [
    [`If this was not you, contact your administrator at once.`],
    [`This message was sent by ${context.productName} to ${context.recipientEmail} about your account.`],
  ];
  const all = [...paragraphs, ...closing];
  return {
    subject: `${context.productName}: ${subject}`,
    text: all.map((paragraph) => paragraph.map(textOf).join('')).join('\n\n') + '\n',
    html: html`<!doctype html>
      <html>
        <head>
          <meta charset="utf-8" />
          <title>${subject}</title>
        </head>
        <body style="font-family: sans-serif; line-height: 1.4">
          ${all.map((paragraph) => html`<p>${paragraph.map(htmlOf)}</p> `)}
        </body>
      </html> `.value,
  };
}

function contentOf(
  notice: AccountNotice,
  occurredAt: string,
  { admin }: MailContext,
): { subject: string; paragraphs: Paragraph[] } {
  const when = formatInstant(occurredAt);
  switch (notice.kind) {
    case 'mfa_activated':
      return {
        subject: 'two-step sign-in is on',
        paragraphs: [
          [`Two-step sign-in (codes from an authenticator app) was turned on for your account on ${when}.`],
          ['Keep your recovery codes somewhere safe: each signs you in once if you lose your phone.'],
        ],
      };
    case 'mfa_deactivated':
      return {
        subject: 'two-step sign-in is off',
        paragraphs: [
          [`Two-step sign-in was turned off for your account on ${when}. Your password alone now signs you in.`],
        ],
      };
    case 'mfa_reset':
      return {
        subject: 'an administrator reset your two-step sign-in',
        paragraphs: [
          ['An administrator, ', { strong: admin ?? 'unknown' }, `, reset your two-step sign-in on ${when}.`],
          ['The reason given: ', { strong: notice.reason }],
          ['Set it up again at your next sign-in if your organisation asks you to. Your other sessions were ended.'],
        ],
      };
    case 'recovery_codes_generated':
      return {
        subject: 'new recovery codes',
        paragraphs: [
          [`A new set of ${notice.count} recovery codes was made for your account on ${when}.`],
          ['The codes you had before no longer work.'],
        ],
      };
    case 'recovery_code_used':
      return {
        subject: 'a recovery code was used',
        paragraphs: [
          [`A recovery code was used to sign in to your account on ${when}${fromOrigin(notice.origin)}.`],
          [
            `${notice.remaining} unused recovery ${notice.remaining === 1 ? 'code remains' : 'codes remain'}.`,
            ...(notice.remaining <= REMAINING_WARNING_AT
              ? [{ strong: ' Make a new set soon: when none remain, only an administrator can let you back in.' }]
              : []),
          ],
        ],
      };
    case 'codes_locked':
      return {
        subject: 'sign-in codes locked',
        paragraphs: [
          [`Too many wrong codes were typed for your account (the last on ${when}${fromOrigin(notice.origin)}).`],
          [
            notice.requiresAdminReset
              ? 'Codes are no longer accepted until an administrator resets your two-step sign-in.'
              : `Codes are not accepted until ${formatInstant(notice.lockedUntil ?? occurredAt)}.`,
          ],
          ['Someone may know your password: change it once you can sign in.'],
        ],
      };
    case 'code_replayed':
      return {
        subject: 'a code was used twice',
        paragraphs: [
          [
            `${notice.code === 'recovery' ? 'A recovery code' : 'A code'} that had already signed you in was typed again ` +
              `on ${when}${fromOrigin(notice.origin)}; it was refused.`,
          ],
          ['Someone else may have seen it, and may know your password: change your password.'],
          ...(notice.locked ? [['Codes are locked for now after too many failed tries.'] as Paragraph] : []),
        ],
      };
    case 'password_changed':
      return {
        subject: 'your password was changed',
        paragraphs: [[`The password of your account was changed on ${when}. Your other sessions were ended.`]],
      };
    case 'password_set_by_admin':
      return {
        subject: 'an administrator set your password',
        paragraphs: [
          ['An administrator, ', { strong: admin ?? 'unknown' }, `, set a new password for your account on ${when}.`],
          ['You will be asked to choose your own at your next sign-in.'],
        ],
      };
    case 'account_locked':
      return {
        subject: 'your account is locked',
        paragraphs: [
          [`Your account was locked on ${when} after too many wrong passwords.`],
          ['An administrator can unlock it or set a new password.'],
        ],
      };
    default:
      return assertNever(notice);
  }
}

const fromOrigin = (origin: Origin | null): string => {
  const parts = [origin?.ip ? `from ${origin.ip}` : '', origin?.userAgent ? `with ${origin.userAgent}` : ''];
  const said = parts.filter(Boolean).join(' ');
  return said ? ` ${said}` : '';
};

const textOf = (part: Part): string => (typeof part === 'string' ? part : part.strong);
const htmlOf = (part: Part): SafeHtml =>
  typeof part === 'string' ? html`${part}` : html`<strong>${part.strong}</strong>`;

/** `2031-03-04 05:06 UTC`: one zone for everyone, since the service knows no one's. */
function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
