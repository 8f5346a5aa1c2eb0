import { DomainError } from '#contracts';

export class InvalidOrganisationName extends DomainError {
  constructor(reason: string) {
    super('validation_failed', `organisation name ${reason}`, { field: 'name' });
  }
}

/** Organisation ids are generated per creation, so meeting an existing one is a defect. */
export class OrganisationAlreadyExists extends DomainError {
  constructor() {
    super('internal_error', 'organisation id already in use');
  }
}

export class OrganisationNotFound extends DomainError {
  constructor() {
    super('not_found', 'organisation not found');
  }
}

export class NotAllowedToCreateOrganisations extends DomainError {
  constructor() {
    super('forbidden', 'only administrators of the operating organisation may create organisations');
  }
}
