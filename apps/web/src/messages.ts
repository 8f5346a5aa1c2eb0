import { ApiError } from './api';

/** When a `Retry-After` runs out, as a person reads it: "in 5 minutes (at 14:05)". */
export function retryText(seconds: number, now = new Date()): string {
  const at = new Date(now.getTime() + seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `in ${wait} (at ${at})`;
}

/** What to tell a person about a refusal: the gateway's error codes in plain words, in one place. */
export function messageOf(error: unknown): string {
  if (!(error instanceof ApiError)) return 'The service cannot be reached. Check your connection and try again.';
  const retry = error.retryAfterSeconds;
  switch (error.code) {
    case 'invalid_credentials':
      return 'Wrong email or password.';
    case 'invalid_code':
      return 'That code is wrong or has already been used. Wait for the next code in your app and try again.';
    case 'invalid_recovery_code':
      return 'That recovery code is wrong or has already been used.';
    case 'invalid_codes':
      return 'The codes do not match. Type the code your app shows now, wait for the next one, and type it too.';
    case 'invalid_mfa_token':
      return 'Your sign-in took too long or was already completed. Sign in again.';
    case 'mfa_locked':
      return retry === null
        ? 'Your codes are locked after too many wrong attempts. Ask your administrator to reset your MFA.'
        : `Too many wrong codes. You can try again ${retryText(retry)}.`;
    case 'too_many_attempts':
      return `Too many attempts. You can try again ${retryText(retry ?? 60)}.`;
    case 'account_locked':
      return 'This account is locked after too many failed passwords. Ask your administrator to unlock it.';
    case 'ip_not_allowed':
      return 'Your organisation does not allow sign-in from this network address. Ask your administrator.';
    case 'confirmation_required':
      return 'Tick the box to confirm that your account will then be protected by your password only.';
    case 'reauthentication_required':
      return 'For this change you must have signed in within the last 15 minutes. Sign out and sign in again.';
    case 'mfa_required_for_admin':
      return 'Administration needs a sign-in with a code from your authenticator app.';
    case 'invalid_token':
      return 'Your session has ended. Sign in again.';
    case 'service_unavailable':
      return 'The service is busy. Try again in a moment.';
    default:
      return error.message;
  }
}
