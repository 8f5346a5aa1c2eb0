import { ADMIN_ROLE } from '#contracts';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, type Config } from '#config';
import {
  emailReservationStream,
  InvalidEmail,
  normaliseEmail,
  type NormalisedEmail,
} from '../email-reservation/email.js';
import { EmailTaken } from '../email-reservation/email-reservation.decider.js';
import { EmailReservationRepository } from '../email-reservation/email-reservation.repository.js';
import { OrganisationAlreadyExists, organisationStream } from '../organisations/organisation.decider.js';
import { OrganisationRepository } from '../organisations/organisation.repository.js';
import { checkPasswordPolicy, WeakPassword } from '../passwords/password-policy.js';
import { UserRegistration } from '../registration/user-registration.js';
import { userStream } from '../users/user.decider.js';
import { UserRepository } from '../users/user.repository.js';
import { INSTALLATION_STREAM, type InstallationState } from './installation.decider.js';
import { InstallationRepository } from './installation.repository.js';

export const BOOTSTRAP_ORGANISATION_NAME = 'Operator';

type Plan = Extract<InstallationState, { status: 'bootstrapped' }>;

/** The bootstrap cannot be done: stops the start with one line naming the problem (never a value). */
export class BootstrapFailed extends Error {
  override readonly name = 'BootstrapFailed';
}

/**
 * With `BOOTSTRAP_ADMIN_EMAIL`/`BOOTSTRAP_ADMIN_PASSWORD` set, the first start
 * creates the operating organisation (`bootstrap: true`) and its `admin`.
 *
 * Exactly once: `InstallationBootstrapped` (the ids of both, chosen then) is
 * appended at `no_stream`, so a restart and a second instance starting at the
 * same moment read the same ids. The steps after it are idempotent on those
 * ids (organisation created if absent, address reserved if not yet, admin
 * registered if absent), so a start after a crash in between completes them,
 * and a start after a complete bootstrap writes nothing: a changed
 * `BOOTSTRAP_ADMIN_PASSWORD` never resets the admin's password.
 */
@Injectable()
export class InstallationBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly installation: InstallationRepository,
    private readonly organisations: OrganisationRepository,
    private readonly reservations: EmailReservationRepository,
    private readonly users: UserRepository,
    private readonly registration: UserRegistration,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: adminPassword } = this.config;
    if (adminEmail && adminPassword) await this.bootstrap(adminEmail, adminPassword);
  }

  async bootstrap(adminEmail: string, adminPassword: string): Promise<void> {
    const { state } = await this.installation.load(INSTALLATION_STREAM);
    const chosen =
      state.status === 'bootstrapped'
        ? { plan: state, byThisStart: false }
        : await this.choose(adminEmail, adminPassword);
    const { plan } = chosen;
    const wrote = [
      await this.ensureOrganisation(plan),
      await this.ensureEmailReserved(plan),
      await this.ensureAdmin(plan, adminPassword),
    ].some(Boolean);
    const ids = `organisation ${plan.orgId}, admin ${plan.adminId}`;
    if (chosen.byThisStart) this.logger.log(`bootstrapped the installation: ${ids}`);
    else if (wrote) this.logger.log(`completed an interrupted bootstrap: ${ids}`);
    else this.logger.log(`bootstrap already done (${ids}); BOOTSTRAP_ADMIN_EMAIL/PASSWORD are not applied again`);
  }

  /** Checks the environment before the first write, so a bad value leaves nothing half done. */
  private async choose(rawEmail: string, password: string): Promise<{ plan: Plan; byThisStart: boolean }> {
    const adminEmail = validBootstrapEmail(rawEmail);
    assertBootstrapPasswordPolicy(password, adminEmail);
    const { events, state } = await this.installation.handle(INSTALLATION_STREAM, {
      type: 'BootstrapInstallation',
      data: {
        orgId: randomUUID(),
        organisationName: BOOTSTRAP_ORGANISATION_NAME,
        adminId: randomUUID(),
        adminEmail,
        now: new Date(),
      },
    });
    if (state.status !== 'bootstrapped')
      throw new Error(`${INSTALLATION_STREAM}: not bootstrapped after BootstrapInstallation`);
    // No events: another instance appended first, and its ids are the ones.
    return { plan: state, byThisStart: events.length > 0 };
  }

  private async ensureOrganisation(plan: Plan): Promise<boolean> {
    const stream = organisationStream(plan.orgId);
    if ((await this.organisations.load(stream)).state.status === 'created') return false;
    try {
      await this.organisations.handle(stream, {
        type: 'CreateOrganisation',
        data: { orgId: plan.orgId, name: plan.organisationName, now: new Date(), bootstrap: true },
      });
      return true;
    } catch (error) {
      if (error instanceof OrganisationAlreadyExists) return false; // another instance, same ids
      throw error;
    }
  }

  private async ensureEmailReserved(plan: Plan): Promise<boolean> {
    try {
      const { events } = await this.reservations.handle(emailReservationStream(plan.adminEmail), {
        type: 'ReserveEmail',
        data: { email: plan.adminEmail, userId: plan.adminId, now: new Date() },
      });
      return events.length > 0;
    } catch (error) {
      if (error instanceof EmailTaken)
        throw new BootstrapFailed("the bootstrap admin's email address belongs to another user");
      throw error;
    }
  }

  private async ensureAdmin(plan: Plan, password: string): Promise<boolean> {
    if ((await this.users.load(userStream(plan.adminId))).state.status === 'registered') return false;
    assertBootstrapPasswordPolicy(password, plan.adminEmail);
    const admin = await this.registration.prepare({ email: plan.adminEmail, password, roles: [ADMIN_ROLE] });
    try {
      await this.registration.complete(plan.adminId, admin, { orgId: plan.orgId, registeredBy: null });
      return true;
    } catch (error) {
      if (error instanceof EmailTaken) return false; // another instance registered this admin first
      throw error;
    }
  }
}

function validBootstrapEmail(raw: string): NormalisedEmail {
  try {
    return normaliseEmail(raw);
  } catch (error) {
    if (error instanceof InvalidEmail) throw new BootstrapFailed('BOOTSTRAP_ADMIN_EMAIL is not a valid email address');
    throw error;
  }
}

function assertBootstrapPasswordPolicy(password: string, email: NormalisedEmail): void {
  try {
    checkPasswordPolicy(password, { email });
  } catch (error) {
    if (error instanceof WeakPassword) throw new BootstrapFailed(`BOOTSTRAP_ADMIN_PASSWORD: ${error.message}`);
    throw error;
  }
}
