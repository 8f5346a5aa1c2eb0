import type { Request, Response } from 'express';
import { DomainError } from '#contracts';

/**
 * Browser sessions: a request carrying `X-Session-Transport: cookie` keeps the
 * refresh token in an `HttpOnly; Secure; SameSite=Strict` cookie scoped to
 * `/v1/auth` instead of the answer's body, so no script of the page can read
 * it. API clients that leave the header out use the body, as before.
 */
export const SESSION_TRANSPORT_HEADER = 'x-session-transport';
/** `__Secure-`: a browser keeps it only when it came with `Secure` (from a secure origin, loopback included). */
export const REFRESH_COOKIE = '__Secure-refresh_token';
/** Sent only to sign-in, refresh and logout: never to the rest of the API, never to the app's pages. */
export const REFRESH_COOKIE_PATH = '/v1/auth';

export const usesCookieTransport = (request: Request): boolean =>
  request.headers[SESSION_TRANSPORT_HEADER] === 'cookie';

/**
 * CSRF: a cookie is sent whoever made the page that asks, so a request that
 * opts into it must come from a page of this origin. Two checks, either of
 * which stops a cross-site form or fetch: the custom header (a form cannot send
 * one, and a cross-origin fetch with one needs a CORS preflight this gateway
 * never grants), and the browser's own word on where the request came from —
 * `Sec-Fetch-Site` when sent, `Origin` when sent, and at least one of them.
 */
export function assertSameOrigin(request: Request): void {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const sameSite = site === undefined || site === 'same-origin';
  const sameOrigin = origin === undefined || hostOf(origin) === request.headers.host;
  if ((site === undefined && origin === undefined) || !sameSite || !sameOrigin) {
    throw new DomainError('forbidden', 'a cookie-authenticated request must come from this origin');
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** The refresh token of the session cookie, if the request has one. */
export function refreshCookieOf(request: Request): string | undefined {
  // One cookie of a known name whose value needs no decoding (`<uuid>.<base64url>`): no parser needed.
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === REFRESH_COOKIE) return value.join('=');
  }
  return undefined;
}

export function setRefreshCookie(response: Response, refreshToken: string, maxAgeSeconds: number): void {
  response.cookie(REFRESH_COOKIE, refreshToken, { ...COOKIE_ATTRIBUTES, maxAge: maxAgeSeconds * 1000 });
}

export function clearRefreshCookie(response: Response): void {
  response.clearCookie(REFRESH_COOKIE, COOKIE_ATTRIBUTES);
}

const COOKIE_ATTRIBUTES = {
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  path: REFRESH_COOKIE_PATH,
  encode: String,
} as const;
