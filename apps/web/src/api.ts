/**
 * The one client of the gateway's REST API. The access token lives in this
 * module's memory only; the refresh token is the gateway's HttpOnly session
 * cookie (asked for with `X-Session-Transport: cookie`), so a page reload
 * refreshes from the cookie and no script can read either token from storage.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from `Retry-After` (a lock, a throttle), when the gateway sent one. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

export type MfaStatus = 'inactive' | 'pending' | 'active';

export interface Me {
  id: string;
  email: string;
  orgId: string;
  roles: string[];
  mfa: { status: MfaStatus; activatedAt: string | null; recoveryCodesRemaining?: number | null };
}

export type LoginAnswer =
  | { status: 'authenticated'; accessToken: string; expiresIn: number }
  | { status: 'mfa_required'; mfaToken: string; expiresIn: number }
  | { status: 'mfa_enrollment_required'; accessToken: string; expiresIn: number }
  | { status: 'password_change_required'; passwordChangeToken: string; expiresIn: number };

export interface Enrollment {
  secret: string;
  otpauthUri: string;
  qrCode: string;
}

export interface Activation {
  status: 'active';
  activatedAt: string;
  recoveryCodes?: string[];
}

export interface Session {
  id: string;
  startedAt: string;
  lastRefreshedAt: string | null;
  ip: string;
  userAgent: string;
  expiresAt: string;
  current: boolean;
}

export interface UserSummary {
  id: string;
  email: string;
  roles: string[];
  mfa: { status: MfaStatus };
  locked: boolean;
}

export interface MfaEvent {
  type: string;
  revision: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface Policy {
  ipAllowlist: string[];
  mfa: { requiredForAll: boolean; requiredForRoles: string[] };
}

const COOKIE_TRANSPORT = { 'X-Session-Transport': 'cookie' };

/** The token of the current step: a full session's access token, or an enrolment-only or password-change token. */
let accessToken: string | null = null;

async function request<T>(method: string, path: string, body?: unknown, token = accessToken): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (path.startsWith('/v1/auth/')) Object.assign(headers, COOKIE_TRANSPORT);
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    const retryAfter = response.headers.get('Retry-After');
    throw new ApiError(
      response.status,
      String(answer['error'] ?? 'internal_error'),
      String(answer['message'] ?? response.statusText),
      retryAfter === null ? null : Number(retryAfter),
    );
  }
  return answer as T;
}

/** A call with the access token; an expired one is refreshed from the session cookie once, then retried. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await request<T>(method, path, body);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'invalid_token' && (await restoreSession()))) throw error;
    return request<T>(method, path, body);
  }
}

/** A new access token from the session cookie: true when there is a session to go on with. */
export async function restoreSession(): Promise<boolean> {
  try {
    accessToken = (await request<{ accessToken: string }>('POST', '/v1/auth/refresh', undefined, null)).accessToken;
    return true;
  } catch {
    accessToken = null;
    return false;
  }
}

export const hasAccessToken = (): boolean => accessToken !== null;

export async function signIn(email: string, password: string): Promise<LoginAnswer> {
  const answer = await request<LoginAnswer>('POST', '/v1/auth/login', { email, password }, null);
  adopt(answer);
  return answer;
}

export async function signInWithCode(
  mfaToken: string,
  second: { code: string } | { recoveryCode: string },
): Promise<LoginAnswer> {
  const answer = await request<LoginAnswer>('POST', '/v1/auth/login/mfa', { mfaToken, ...second }, null);
  adopt(answer);
  return answer;
}

function adopt(answer: LoginAnswer): void {
  if (answer.status === 'authenticated' || answer.status === 'mfa_enrollment_required') {
    accessToken = answer.accessToken;
  }
}

export async function signOut(): Promise<void> {
  accessToken = null;
  await request<void>('POST', '/v1/auth/logout', undefined, null);
}

/** Forgets an enrolment-only token (its only use, the set-up, is done). */
export function forgetToken(): void {
  accessToken = null;
}

export const api = {
  me: () => call<Me>('GET', '/v1/me'),
  myAddress: () => call<{ ip: string }>('GET', '/v1/me/address'),
  startEnrollment: () => call<Enrollment>('POST', '/v1/me/mfa/enrollment'),
  activate: (code1: string, code2: string) => call<Activation>('POST', '/v1/me/mfa/activation', { code1, code2 }),
  deactivate: (code: string, confirm: boolean) => call<unknown>('POST', '/v1/me/mfa/deactivation', { code, confirm }),
  sessions: () => call<{ sessions: Session[] }>('GET', '/v1/me/sessions'),
  endSession: (id: string) => call<void>('DELETE', `/v1/me/sessions/${encodeURIComponent(id)}`),
  /** With the access token, or the `passwordChangeToken` of a sign-in that must change the password first. */
  changePassword: (body: { currentPassword: string; newPassword: string; code?: string }, token?: string) =>
    token ? request<unknown>('POST', '/v1/me/password', body, token) : call<unknown>('POST', '/v1/me/password', body),
  users: (query: string, cursor: string | null) =>
    call<{ users: UserSummary[]; nextCursor: string | null }>(
      'GET',
      `/v1/admin/users?${new URLSearchParams({ query, limit: '20', ...(cursor ? { cursor } : {}) })}`,
    ),
  user: (id: string) => call<UserSummary>('GET', `/v1/admin/users/${encodeURIComponent(id)}`),
  createUser: (body: { email: string; password: string; roles: string[] }) =>
    call<{ id: string; email: string; roles: string[] }>('POST', '/v1/admin/users', body),
  mfaEvents: (id: string, fromRevision?: number) =>
    call<{ events: MfaEvent[]; nextRevision: number | null }>(
      'GET',
      `/v1/admin/users/${encodeURIComponent(id)}/mfa/events${fromRevision === undefined ? '' : `?fromRevision=${fromRevision}`}`,
    ),
  resetMfa: (id: string, reason: string) =>
    call<unknown>('POST', `/v1/admin/users/${encodeURIComponent(id)}/mfa/reset`, { reason }),
  unlock: (id: string, reason: string) =>
    call<unknown>('POST', `/v1/admin/users/${encodeURIComponent(id)}/unlock`, { reason }),
  policy: () => call<Policy>('GET', '/v1/admin/policies'),
  setIpAllowlist: (cidrs: string[]) => call<Policy>('PUT', '/v1/admin/policies/ip-allowlist', { cidrs }),
  setMfaRequirement: (requiredForAll: boolean, requiredForRoles: string[]) =>
    call<Policy>('PUT', '/v1/admin/policies/mfa', { requiredForAll, requiredForRoles }),
};
