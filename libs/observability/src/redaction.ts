/**
 * Fields that may hold a secret wherever they appear in a logged object: a
 * password, a TOTP code or secret, a recovery code, a token. Nothing logs a
 * request or message body (that is the first rule); these paths are the
 * second, for an object someone logs by mistake: at the top and one level
 * down (a body, a reply). A level deeper would triple the cost of every line
 * (fast-redact's nested wildcards: about 11 µs a line with these paths, 32 µs
 * with a second level, 3 µs with none), for objects nobody logs.
 */
export const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'code',
  'code1',
  'code2',
  'recoveryCode',
  'recoveryCodes',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'mfaToken',
  'passwordChangeToken',
  'otpauthUri',
] as const;

/** HTTP headers that carry credentials (pino-http's `req` and `res`, should anything log them). */
const CREDENTIAL_HEADERS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export const REDACTED_PATHS: readonly string[] = [
  ...CREDENTIAL_HEADERS,
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
];

export const REDACTED = '[redacted]';
