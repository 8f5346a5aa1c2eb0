import { DomainError } from '#contracts';

/** A user id is generated per registration, so meeting an existing one is a defect, not a user error. */
export class UserAlreadyExists extends DomainError {
  constructor() {
    super('internal_error', 'user id already in use');
  }
}

export class UserNotFound extends DomainError {
  constructor() {
    super('not_found', 'user not found');
  }
}

/** One answer for an unknown email and a wrong password, so neither tells which addresses are registered. */
export class InvalidCredentials extends DomainError {
  constructor() {
    super('invalid_credentials', 'email or password is incorrect');
  }
}

/** The acting admin is not an admin of the organisation the request names, as identity knows them now. */
export class NotAnAdmin extends DomainError {
  constructor() {
    super('forbidden', 'requires the admin role');
  }
}

/** So that no admin removes the last admin of an organisation by mistake: another admin changes an admin's roles. */
export class OwnRolesUnchangeable extends DomainError {
  constructor() {
    super('forbidden', 'an admin cannot change their own roles');
  }
}
