import { DomainError } from '#contracts';

/**
 * One answer for a refresh token that is unknown, spent, expired or of a
 * revoked session: the client signs in again. Which it was is in the events.
 */
export class InvalidRefreshToken extends DomainError {
  constructor() {
    super('invalid_refresh_token', 'the refresh token is invalid, expired or revoked; sign in again');
  }
}

/** Also another user's session: ids of other people's sessions do not exist for this user. */
export class SessionNotFound extends DomainError {
  constructor() {
    super('not_found', 'no such session');
  }
}

/** Session ids are generated per sign-in: meeting an existing one is a defect. */
export class SessionAlreadyExists extends DomainError {
  constructor() {
    super('internal_error', 'session id already in use');
  }
}
