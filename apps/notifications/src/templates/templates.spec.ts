import { describe, expect, it } from 'vitest';
import type { AccountNotice } from '../notices/account-notices.js';
import { html } from './html.js';
import { renderNotice } from './templates.js';

const context = { productName: 'totp-mfa', recipientEmail: 'ann@example.com', admin: 'boss@example.com' };
const render = (notice: AccountNotice, admin: string | null = context.admin) =>
  renderNotice({ eventId: 'e1', userId: 'u1', occurredAt: '2031-03-04T05:06:07.000Z', notice }, { ...context, admin });

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };
/** What a reader sees: tags dropped, entities read, spaces collapsed. */
const wordsOf = (markup: string) =>
  markup
    .replace(/<\/?strong>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(lt|gt|quot|#39|amp);/g, (entity) => ENTITIES[entity]!)
    .replace(/\s+/g, ' ')
    .trim();

const EVERY_NOTICE: AccountNotice[] = [
  { kind: 'mfa_activated' },
  { kind: 'mfa_deactivated' },
  { kind: 'mfa_reset', adminId: 'a1', reason: 'phone lost' },
  { kind: 'recovery_codes_generated', count: 10 },
  { kind: 'recovery_code_used', remaining: 5, origin: null },
  { kind: 'codes_locked', lockedUntil: '2031-03-04T05:11:07.000Z', requiresAdminReset: false, origin: null },
  { kind: 'code_replayed', code: 'totp', locked: false, origin: null },
  { kind: 'code_replayed', code: 'recovery', locked: false, origin: null },
  { kind: 'password_changed' },
  { kind: 'password_set_by_admin', adminId: 'a1' },
  { kind: 'account_locked' },
];

describe('mail templates', () => {
  it('html escapes every interpolated value, and only nests what html itself built', () => {
    expect(html`<p>${'<b>"x" & \'y\'</b>'}</p>`.value).toBe(
      '<p>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</p>',
    );
    expect(html`<div>${[html`<i>${'<'}</i>`, '>']}</div>`.value).toBe('<div><i>&lt;</i>&gt;</div>');
  });

  it.each(EVERY_NOTICE.map((notice) => [notice.kind, notice] as const))(
    '%s: a subject, and the same words as text and as HTML, with when and for whom',
    (_kind, notice) => {
      const mail = render(notice);
      expect(mail.subject).toMatch(/^totp-mfa: \S/);
      expect(mail.text).toContain('2031-03-04 05:06 UTC');
      expect(mail.text).toContain('ann@example.com');
      expect(mail.text).toContain('If this was not you');
      const htmlWords = wordsOf(mail.html);
      for (const paragraph of mail.text.trim().split('\n\n')) expect(htmlWords).toContain(wordsOf(paragraph));
    },
  );

  it('puts what someone typed (an admin’s reason, a browser’s user agent) into HTML escaped, into text as it is', () => {
    const reset = render({ kind: 'mfa_reset', adminId: 'a1', reason: '<script>steal()</script>' });
    expect(reset.html).toContain('&lt;script&gt;steal()&lt;/script&gt;');
    expect(reset.html).not.toContain('<script>');
    expect(reset.text).toContain('The reason given: <script>steal()</script>');
    const replay = render({
      kind: 'code_replayed',
      code: 'totp',
      locked: true,
      origin: { ip: '203.0.113.9', userAgent: '"><img src=x onerror=1>' },
    });
    expect(replay.html).toContain('&quot;&gt;&lt;img src=x onerror=1&gt;');
    expect(replay.html).not.toContain('<img');
    expect(replay.text).toContain('from 203.0.113.9 with "><img src=x onerror=1>');
    expect(replay.text).toContain('Codes are locked for now');
  });

  it('names the admin by address when known, else by id', () => {
    expect(render({ kind: 'mfa_reset', adminId: 'a1', reason: 'r' }).text).toContain(
      'An administrator, boss@example.com, reset',
    );
    expect(render({ kind: 'password_set_by_admin', adminId: 'a1' }, 'a1').text).toContain('An administrator, a1, set');
  });

  it('says which kind of code was offered again', () => {
    const replayed = (code: 'totp' | 'recovery') =>
      render({ kind: 'code_replayed', code, locked: false, origin: null }).text;
    expect(replayed('totp')).toContain('A code that had already signed you in was typed again');
    expect(replayed('recovery')).toContain('A recovery code that had already signed you in was typed again');
  });

  it('warns when 2 or fewer recovery codes remain, not before', () => {
    const used = (remaining: number) => render({ kind: 'recovery_code_used', remaining, origin: null }).text;
    expect(used(3)).toContain('3 unused recovery codes remain.');
    expect(used(3)).not.toContain('Make a new set');
    expect(used(2)).toContain('2 unused recovery codes remain. Make a new set soon');
    expect(used(1)).toContain('1 unused recovery code remains. Make a new set soon');
    expect(used(0)).toContain('0 unused recovery codes remain. Make a new set soon');
  });

  it('says how long codes are locked, or that only an admin reset unlocks them', () => {
    const locked = (requiresAdminReset: boolean) =>
      render({
        kind: 'codes_locked',
        lockedUntil: requiresAdminReset ? null : '2031-03-04T05:11:07.000Z',
        requiresAdminReset,
        origin: null,
      }).text;
    expect(locked(false)).toContain('Codes are not accepted until 2031-03-04 05:11 UTC.');
    expect(locked(true)).toContain('until an administrator resets your two-step sign-in');
  });
});
