import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { settledStep, startSystem, totpAt, waitForStepAfter, type RunningSystem } from '#testing';
import { checkScreen, launchChromium, personBrowser, scanQrCode } from './browser.js';

/**
 * The seed's story in a real browser (Debian's Chromium), against the system
 * in its one-process default exactly as `npm start` runs it: every screen is
 * checked with axe-core and photographed (test-output/screenshots/), codes come
 * from the repository's TOTP oracle fed with the secret read from the QR code
 * on the page, and the app runs under its own Content-Security-Policy.
 */
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };
const ALICE = { email: 'alice@example.com', password: 'alice-chose-this-one', roles: 'billing' };
const BOB = { email: 'bob@example.com', password: 'bob-chose-this-one', roles: 'accounting' };
const SET_BY_ADMIN = 'a temporary password';

type Person = Awaited<ReturnType<typeof personBrowser>>;

/** The secret of the otpauth:// URI, checked against what the page shows as text (grouped by four). */
async function secretFromQrCode(page: Page, account: string): Promise<string> {
  const uri = new URL(await scanQrCode(page));
  expect(uri.protocol).toBe('otpauth:');
  expect(decodeURIComponent(uri.pathname)).toContain(account);
  const secret = uri.searchParams.get('secret')!;
  expect((await page.getByTestId('secret').textContent())?.replace(/\s/g, '')).toBe(secret);
  await expect
    .poll(() => page.getByRole('link', { name: /authenticator app on this device/ }).getAttribute('href'))
    .toMatch(/^otpauth:\/\/totp\//);
  return secret;
}

/** Types the codes of two consecutive steps (the previous and the current one) and saves: that step. */
async function activateWithCodes(page: Page, secret: string): Promise<number> {
  const step = await settledStep();
  await page.getByLabel('Current code').fill(totpAt(secret, step - 1));
  await page.getByLabel('Next code').fill(totpAt(secret, step));
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Two-step sign-in is on.' }).count()).toBe(1);
  return step;
}

async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code from your authenticator app').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
const alertText = (page: Page) => page.getByRole('alert').filter({ hasText: /\S/ }).first().textContent();

describe('the web app in Chromium (embedded system)', () => {
  let system: RunningSystem;
  let browser: Browser;
  let admin: Person;
  let alice: Person;
  let bob: Person;
  let aliceStep = 0;
  let aliceSecret = '';
  let bobRecoveryCodes: string[] = [];
  const userIds: Record<string, string> = {};

  beforeAll(async () => {
    [system, browser] = await Promise.all([
      startSystem({
        mode: 'embedded',
        env: {
          BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
          BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
          LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
          TOTP_ISSUER: 'Acme Books',
        },
      }),
      launchChromium(),
    ]);
    admin = await personBrowser(browser, system.baseUrl);
    alice = await personBrowser(browser, system.baseUrl);
    bob = await personBrowser(browser, system.baseUrl, { width: 360, userAgent: 'Bob phone (360 px)' });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop({ removeData: true });
  });

  it('walks the bootstrap admin through MFA set-up at the first sign-in, then signs in with a code', async () => {
    const { page } = admin;
    await page.goto('/');
    await heading(page, 'Sign in');
    await checkScreen(page, '01-sign-in');
    // Keyboard only: Tab past the skip link to the email field, type, Tab, type, Enter; the focus is visible.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    expect(await alertText(page)).toBe('Wrong email or password.');
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(ADMIN.email);

    await signInWithPassword(page, ADMIN.email, ADMIN.password);
    await heading(page, 'Set up two-step sign-in');
    const secret = await secretFromQrCode(page, ADMIN.email);
    await expect.poll(() => page.locator('.facts').first().textContent()).toContain('Acme Books');
    await checkScreen(page, '02-mfa-set-up');
    const step = await activateWithCodes(page, secret);
    await page.getByRole('button', { name: 'Continue to sign in' }).click();

    await signInWithPassword(page, ADMIN.email, ADMIN.password);
    await enterCode(page, totpAt(secret, step + 1));
    await heading(page, 'My Profile');
    expect(await page.getByTestId('mfa-status').textContent()).toBe('On');
  });

  it('keeps no token where a script could read it: the refresh token is an HttpOnly cookie for /v1/auth, a reload signs in from it', async () => {
    const { page, context } = admin;
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({
        name: '__Secure-refresh_token',
        path: '/v1/auth',
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
      }),
    ]);
    expect(
      await page.evaluate(() => ({
        cookie: document.cookie,
        local: window.localStorage.length,
        session: window.sessionStorage.length,
      })),
    ).toEqual({ cookie: '', local: 0, session: 0 });

    await page.reload();
    await heading(page, 'My Profile');
    expect(await page.getByRole('link', { name: 'Password Policies' }).count()).toBe(1);
  });

  it('lets the admin set the IP allow-list, validating entries as typed and warning before shutting out their own address', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Password Policies' }).click();
    await heading(page, 'Password Policies');
    await expect.poll(() => page.getByTestId('my-address').textContent()).toContain('127.0.0.1');

    await page.getByRole('button', { name: 'Add an address or range' }).click();
    const first = page.getByLabel('Address or range 1');
    await first.fill('10.0.0.300/8');
    expect(await first.getAttribute('aria-invalid')).toBe('true');
    await first.fill('10.0.0.0/8');
    expect(await first.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Add an address or range' }).click();
    await page.getByLabel('Address or range 2').fill('2001:db8::/32');
    await page.getByRole('alert').filter({ hasText: 'does not include your own address (127.0.0.1)' }).waitFor();
    await checkScreen(page, '08-password-policies-warning');

    await page.getByRole('button', { name: 'Save allow-list' }).click();
    await page.getByRole('alert').filter({ hasText: 'Confirm that you mean to shut out your own address' }).waitFor();
    await page.getByRole('button', { name: 'Add an address or range' }).click();
    await page.getByLabel('Address or range 3').fill('127.0.0.0/8');
    expect(await page.getByText('does not include your own address').count()).toBe(0);
    await page.getByRole('button', { name: 'Save allow-list' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved: sign-in only from these addresses.' }).waitFor();
    expect(await page.getByLabel('Address or range 2').inputValue()).toBe('2001:db8::/32');
  });

  it('lets the admin make MFA mandatory for chosen roles', async () => {
    const { page } = admin;
    await page.getByRole('radio', { name: 'People with these roles' }).check();
    await page.getByLabel('Roles', { exact: true }).fill('accounting');
    await page.getByRole('button', { name: 'Save requirement' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Saved\. People it now applies to/ })
      .waitFor();
    await checkScreen(page, '09-password-policies');
  });

  it('lets the admin add users and find them in the searchable list', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Users' }).click();
    await heading(page, 'Users');
    for (const person of [ALICE, BOB]) {
      await page.getByLabel('Email', { exact: true }).fill(person.email);
      await page.getByLabel('Temporary password').fill(SET_BY_ADMIN);
      await page.getByLabel('Roles', { exact: true }).fill(person.roles);
      await page.getByRole('button', { name: 'Add user' }).click();
      const created = page.getByTestId('created-user').filter({ hasText: person.email });
      userIds[person.email] = (await created.getAttribute('href'))!.split('/').pop()!;
    }
    await page.getByRole('cell', { name: BOB.email }).waitFor();
    await page.getByLabel('Search by email').fill('ALICE');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').first().textContent()).toContain('billingOffNo');
    await checkScreen(page, '10-admin-users');
  });

  it('has a person replace the password an admin set, activate MFA from the QR code, and shows the recovery codes once', async () => {
    const { page } = alice;
    await page.goto('/profile');
    await heading(page, 'Sign in');
    await signInWithPassword(page, ALICE.email, SET_BY_ADMIN);
    await heading(page, 'Choose your own password');
    await checkScreen(page, '03-password-change-required');
    await page.getByLabel('Current password').fill(SET_BY_ADMIN);
    await page.getByLabel('New password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed. Sign in with your new password.' }).waitFor();

    await signInWithPassword(page, ALICE.email, ALICE.password);
    await heading(page, 'My Profile');
    expect(await page.getByTestId('mfa-status').textContent()).toBe('Off');
    await page.getByRole('button', { name: 'Activate two-step sign-in' }).click();
    const secret = await secretFromQrCode(page, ALICE.email);
    aliceSecret = secret;
    aliceStep = await activateWithCodes(page, secret);
    const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/i);
    expect(await page.getByRole('link', { name: 'Download' }).getAttribute('download')).toBe(
      'totp-mfa-recovery-codes.txt',
    );
    await expect.poll(() => page.getByTestId('mfa-status').textContent()).toBe('On');
    await checkScreen(page, '04-recovery-codes');
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByTestId('mfa-status').textContent()).toBe('On');
    expect(await page.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0);
  });

  it('signs the person out and back in with a code; a code used before is refused', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading(page, 'Sign in');
    await signInWithPassword(page, ALICE.email, ALICE.password);
    await heading(page, 'Enter your code');
    await enterCode(page, totpAt(aliceSecret, aliceStep));
    expect(await alertText(page)).toBe(
      'That code is wrong or has already been used. Wait for the next code in your app and try again.',
    );
    await checkScreen(page, '05-sign-in-code-refused');
    await enterCode(page, totpAt(aliceSecret, aliceStep + 1));
    await heading(page, 'My Profile');
    aliceStep += 1;
  });

  it('walks a person whom the policy requires MFA into set-up, and signs them in with a recovery code', async () => {
    const { page } = bob;
    await page.goto('/');
    await signInWithPassword(page, BOB.email, SET_BY_ADMIN);
    await page.getByLabel('Current password').fill(SET_BY_ADMIN);
    await page.getByLabel('New password').fill(BOB.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    await signInWithPassword(page, BOB.email, BOB.password);
    await heading(page, 'Set up two-step sign-in');
    const secret = await secretFromQrCode(page, BOB.email);
    await activateWithCodes(page, secret);
    bobRecoveryCodes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
    await page.getByRole('button', { name: 'Continue to sign in' }).click();

    await signInWithPassword(page, BOB.email, BOB.password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code', { exact: true }).fill(bobRecoveryCodes[0]!);
    await checkScreen(page, '06-sign-in-recovery-code');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await heading(page, 'My Profile');
    await expect.poll(() => page.locator('.facts').first().textContent()).toContain('Recovery codes left9');
    // Usable at 360 px: nothing wider than the screen (a wide table scrolls inside its own region).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await checkScreen(page, '07-my-profile-360px');
  });

  it("lets the admin reset a person's MFA with a required reason, shown in the user's MFA history", async () => {
    const { page } = admin;
    await page.goto(`/admin/users/${userIds[BOB.email]}`);
    await heading(page, BOB.email);
    const reason = page.getByLabel('Reason for the reset');
    await page.getByRole('button', { name: 'Reset MFA' }).click();
    expect(await reason.evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
    expect(await page.getByTestId('user-mfa-status').textContent()).toBe('On');

    await reason.fill('phone lost');
    await page.getByRole('button', { name: 'Reset MFA' }).click();
    await page.getByRole('status').filter({ hasText: 'MFA reset.' }).waitFor();
    await expect.poll(() => page.getByTestId('user-mfa-status').textContent()).toBe('Off');
    await expect
      .poll(async () => (await page.locator('.timeline li').allTextContents()).at(-1))
      .toContain(`Reset by an administrator: “phone lost”by ${ADMIN.email}`);
    const timeline = await page.locator('.timeline li').allTextContents();
    expect(timeline.join('\n')).toMatch(
      /Signed in with a recovery code \(9 left\)the userfrom 127\.0\.0\.1 \(Bob phone/,
    );
    await checkScreen(page, '11-admin-user-mfa-history');
  });

  it('walks the person whose MFA was reset through set-up again at the next sign-in, and tells when a lock ends', async () => {
    const { page } = bob;
    // The reset ends the person's sessions as identity reacts to its event: within a moment.
    await expect
      .poll(async () => (await page.reload(), await page.getByRole('heading', { level: 1 }).textContent()), {
        timeout: 15_000,
        interval: 500,
      })
      .toBe('Sign in');
    await signInWithPassword(page, BOB.email, BOB.password);
    await heading(page, 'Set up two-step sign-in');
    const secret = await secretFromQrCode(page, BOB.email);
    const step = await activateWithCodes(page, secret);
    await page.getByRole('button', { name: 'Continue to sign in' }).click();

    await signInWithPassword(page, BOB.email, BOB.password);
    const wrong = totpAt(secret, step + 1) === '000000' ? '111111' : '000000';
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    for (let attempt = 1; attempt <= 6 && !/Too many/.test((await alert.allTextContents()).join('')); attempt++) {
      await enterCode(page, wrong);
      await alert.first().waitFor();
    }
    expect(await alertText(page)).toMatch(/^Too many wrong codes\. You can try again in \d+ minutes \(at \d\d:\d\d/);
  });

  it('lists the sessions and signs another one out', async () => {
    const phone = await personBrowser(browser, system.baseUrl, { userAgent: 'Alice phone' });
    await phone.page.goto('/');
    await signInWithPassword(phone.page, ALICE.email, ALICE.password);
    await waitForStepAfter(aliceStep - 1);
    await enterCode(phone.page, totpAt(aliceSecret, aliceStep + 1));
    await heading(phone.page, 'My Profile');
    aliceStep += 1;

    const { page } = alice;
    await page.reload();
    await heading(page, 'My Profile');
    const rows = page.getByRole('region', { name: 'Where you are signed in' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await checkScreen(page, '12-sessions');
    await rows.filter({ hasText: 'Alice phone' }).getByRole('button', { name: 'Sign out this session' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('This device');

    await phone.page.reload();
    await heading(phone.page, 'Sign in');
    await phone.context.close();
  });

  it('refuses to deactivate MFA without the tick, and deactivates with it', async () => {
    const { page } = alice;
    await page.getByLabel('Current code').fill(totpAt(aliceSecret, aliceStep + 1));
    await page.getByRole('button', { name: 'Deactivate' }).click();
    expect(await alertText(page)).toContain('Tick the box to confirm');
    expect(await page.getByTestId('mfa-status').textContent()).toBe('On');
    await checkScreen(page, '13-deactivate-refused');

    await waitForStepAfter(aliceStep - 1);
    await page.getByLabel('Current code').fill(totpAt(aliceSecret, aliceStep + 1));
    await page.getByLabel('I understand my account will be protected by my password only').check();
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(() => page.getByTestId('mfa-status').textContent()).toBe('Off');
  });

  it('changes the password, and signs in with the new one', async () => {
    const { page } = alice;
    await page.getByLabel('Current password').fill(ALICE.password);
    await page.getByLabel('New password').fill('alice-changed-it-again');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInWithPassword(page, ALICE.email, ALICE.password);
    expect(await alertText(page)).toBe('Wrong email or password.');
    await signInWithPassword(page, ALICE.email, 'alice-changed-it-again');
    await heading(page, 'My Profile');
  });

  it('tells a person when the allow-list refuses their address', async () => {
    await admin.page.getByRole('link', { name: 'Password Policies' }).click();
    await heading(admin.page, 'Password Policies');
    for (const index of [3, 1]) {
      await admin.page.getByRole('button', { name: `Remove address or range ${index}` }).click();
    }
    await admin.page.getByLabel('I understand: save a list that shuts out my own address').check();
    await admin.page.getByRole('button', { name: 'Save allow-list' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Saved: sign-in only from these addresses.' }).waitFor();

    const { page } = alice;
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInWithPassword(page, ALICE.email, 'alice-changed-it-again');
    expect(await alertText(page)).toBe(
      'Your organisation does not allow sign-in from this network address. Ask your administrator.',
    );
  });

  it('ran every screen under its Content-Security-Policy without a violation', () => {
    expect([...admin.problems, ...alice.problems, ...bob.problems]).toEqual([]);
  });
});
