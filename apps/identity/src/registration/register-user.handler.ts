import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { UserView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { OrganisationNotFound } from '../organisations/organisation.errors.js';
import { organisationStream } from '../organisations/organisation.events.js';
import { OrganisationRepository } from '../organisations/organisation.repository.js';
import { RegisterUserCommand } from './register-user.command.js';
import { RegistrationSteps } from './registration-steps.js';

/**
 * `identity.register-user`, a process over two streams:
 *
 * 1. No write: the organisation exists; the address, password policy and roles
 *    pass; the password is hashed. A refusal leaves nothing behind.
 * 2. The address is reserved for a new user id, or for the id an earlier
 *    registration of it reserved before it stopped (adopted).
 * 3. `UserRegistered` in `user-<id>` at `no_stream`: the commit point. From here
 *    the user exists and signs in.
 *
 * A crash between 2 and 3 leaves a reservation whose user stream is empty: the
 * address signs in as an unknown one, and the next registration of it (the
 * client's retry or anyone's) adopts the reserved id in step 2 and completes
 * it in step 3. Nothing is cleaned up, and nothing else can be half done.
 */
@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler implements ICommandHandler<RegisterUserCommand> {
  constructor(
    private readonly organisations: OrganisationRepository,
    private readonly steps: RegistrationSteps,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: RegisterUserCommand): Promise<UserView> {
    const now = this.clock.now();
    const { orgId, registeredBy } = request;
    const organisation = await this.organisations.load(organisationStream(orgId));
    if (organisation.state.status !== 'created') throw new OrganisationNotFound();
    const user = await this.steps.prepare(request);
    const userId = await this.steps.reserveEmail(user.email, randomUUID(), now);
    return this.steps.register(userId, user, { orgId, registeredBy, now });
  }
}
