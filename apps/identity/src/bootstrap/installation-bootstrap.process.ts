import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ADMIN_ROLE } from '#contracts';
import { CLOCK, CONFIG, type Clock, type IdentityConfig } from '#config';
import { InvalidEmail } from '../email-reservation/email.js';
import { EmailTaken } from '../email-reservation/email-reservation.errors.js';
import { OrganisationAlreadyExists } from '../organisations/organisation.errors.js';
import { organisationStream } from '../organisations/organisation.events.js';
import { OrganisationRepository } from '../organisations/organisation.repository.js';
import { PasswordTooCommon, WeakPassword } from '../passwords/password-policy.js';
import { RegistrationSteps, type NewUserCredentials } from '../registration/registration-steps.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import type { InstallationState } from './installation.decider.js';
import { INSTALLATION_STREAM } from './installation.events.js';
import { InstallationRepository } from './installation.repository.js';

export const BOOTSTRAP_ORGANISATION_NAME = 'Operator';

type Plan = Extract<InstallationState, { status: 'bootstrapped' }>;

/** The bootstrap cannot be done: stops the start with one line naming the problem (never a value). */
export class BootstrapFailed extends Error {
  override readonly name = 'BootstrapFailed';
}

/**
 * With `BOOTSTRAP_ADMIN_EMAIL`/`BOOTSTRAP_ADMIN_PASSWORD` set, every start runs
 * this process; the first creates the operating organisation (`bootstrap:
 * true`) and its `admin`, exactly once:
 *
 * 1. `InstallationBootstrapped` in `installation` at `no_stream`, holding the
 *    ids of the organisation and the admin, chosen now: the commit point. The
 *    environment is checked first, so a bad value writes nothing. Of two
 *    instances starting at once one appends; the other's retry decides nothing
 *    and reads the same ids.
 * 2. `OrganisationCreated` in `org-<orgId>`, unless it is there.
 * 3. The admin's address reserved for `adminId`, unless it is.
 * 4. `UserRegistered` in `user-<adminId>`, unless it is there.
 *
 * A crash before 1 leaves nothing: the next start begins again. A crash
 * between 1 and 2, 2 and 3 or 3 and 4 leaves the ids: the next start reads
 * them and does only the missing steps (each idempotent on those ids), logging
 * that it completed an interrupted bootstrap. After 4 every start writes
 * nothing: a changed `BOOTSTRAP_ADMIN_PASSWORD` is never applied (the admin
 * changes the password with `identity.change-password`, like any user).
 *
 * Run from the application's bootstrap directly, not through the CommandBus,
 * which binds its handlers in a bootstrap hook of its own.
 */
@Injectable()
export class InstallationBootstrapProcess implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @Inject(CONFIG) private readonly config: IdentityConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly installation: InstallationRepository,
    private readonly organisations: OrganisationRepository,
    private readonly users: UserRepository,
    private readonly steps: RegistrationSteps,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: adminPassword } = this.config;
    if (adminEmail && adminPassword) await this.run(adminEmail, adminPassword);
  }

  async run(adminEmail: string, adminPassword: string): Promise<void> {
    const now = this.clock.now();
    const { state } = await this.installation.load(INSTALLATION_STREAM);
    const { plan, chosenByThisRun } =
      state.status === 'bootstrapped'
        ? { plan: state, chosenByThisRun: false }
        : await this.choose({ email: adminEmail, password: adminPassword, roles: [ADMIN_ROLE] }, now);
    const createdOrganisation = await this.ensureOrganisation(plan, now);
    const registeredAdmin = await this.ensureAdmin(plan, adminPassword, now);
    const ids = `organisation ${plan.orgId}, admin ${plan.adminId}`;
    if (chosenByThisRun) this.logger.log(`bootstrapped the installation: ${ids}`);
    else if (createdOrganisation || registeredAdmin) this.logger.log(`completed an interrupted bootstrap: ${ids}`);
    else this.logger.log(`bootstrap already done (${ids}); BOOTSTRAP_ADMIN_EMAIL/PASSWORD are not applied again`);
  }

  private async choose(admin: NewUserCredentials, now: Date): Promise<{ plan: Plan; chosenByThisRun: boolean }> {
    const { email: adminEmail } = await asBootstrapFailure(() => this.steps.check(admin));
    const { events, state } = await this.installation.handle(INSTALLATION_STREAM, {
      type: 'BootstrapInstallation',
      data: {
        orgId: randomUUID(),
        organisationName: BOOTSTRAP_ORGANISATION_NAME,
        adminId: randomUUID(),
        adminEmail,
        now,
      },
    });
    if (state.status !== 'bootstrapped') {
      throw new Error(`${INSTALLATION_STREAM}: not bootstrapped after BootstrapInstallation`);
    }
    // No events: another instance appended first, and its ids are the ones.
    return { plan: state, chosenByThisRun: events.length > 0 };
  }

  private async ensureOrganisation(plan: Plan, now: Date): Promise<boolean> {
    const stream = organisationStream(plan.orgId);
    if ((await this.organisations.load(stream)).state.status === 'created') return false;
    try {
      await this.organisations.handle(stream, {
        type: 'CreateOrganisation',
        data: { orgId: plan.orgId, name: plan.organisationName, now, bootstrap: true },
      });
      return true;
    } catch (error) {
      if (error instanceof OrganisationAlreadyExists) return false; // another instance, same ids
      throw error;
    }
  }

  /** Registered once: after that, the environment's password is not even read. */
  private async ensureAdmin(plan: Plan, password: string, now: Date): Promise<boolean> {
    if ((await this.users.load(userStream(plan.adminId))).state.status === 'registered') return false;
    const admin = await asBootstrapFailure(() =>
      this.steps.prepare({ email: plan.adminEmail, password, roles: [ADMIN_ROLE] }),
    );
    const holder = await this.steps.reserveEmail(admin.email, plan.adminId, now).catch((error: unknown) => {
      if (error instanceof EmailTaken) return undefined;
      throw error;
    });
    if (holder !== plan.adminId)
      throw new BootstrapFailed("the bootstrap admin's email address belongs to another user");
    try {
      await this.steps.register(plan.adminId, admin, { orgId: plan.orgId, registeredBy: null, now });
      return true;
    } catch (error) {
      if (error instanceof EmailTaken) return false; // another instance registered this admin first
      throw error;
    }
  }
}

/** A refusal of the environment's values, as one line naming the variable (never its value). */
async function asBootstrapFailure<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof InvalidEmail) throw new BootstrapFailed('BOOTSTRAP_ADMIN_EMAIL is not a valid email address');
    if (error instanceof WeakPassword || error instanceof PasswordTooCommon) {
      throw new BootstrapFailed(`BOOTSTRAP_ADMIN_PASSWORD: ${error.message}`);
    }
    throw error;
  }
}
