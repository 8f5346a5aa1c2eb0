import { DomainError } from '#contracts';

export class EmailTaken extends DomainError {
  constructor() {
    super('email_taken', 'a user with this email address already exists');
  }
}
