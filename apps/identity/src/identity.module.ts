import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityRpc } from '#contracts';
import { ConfigModule, type IdentityConfig } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController, integrationRelayProvider, useCaseRoute, sealingKeyRingProvider } from '#messaging';
import { InstallationBootstrapProcess } from './bootstrap/installation-bootstrap.process.js';
import { InstallationRepository } from './bootstrap/installation.repository.js';
import { VerifyCredentialsHandler } from './credentials/verify-credentials.handler.js';
import { VerifyCredentialsQuery } from './credentials/verify-credentials.query.js';
import { EmailReservationRepository } from './email-reservation/email-reservation.repository.js';
import { identityIntegrationEvent } from './identity.public.js';
import { CreateOrganisationCommand } from './organisation-creation/create-organisation.command.js';
import { CreateOrganisationHandler } from './organisation-creation/create-organisation.handler.js';
import { OrganisationRepository } from './organisations/organisation.repository.js';
import { ChangePasswordCommand } from './password-change/change-password.command.js';
import { ChangePasswordHandler } from './password-change/change-password.handler.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { RegisterUserCommand } from './registration/register-user.command.js';
import { RegisterUserHandler } from './registration/register-user.handler.js';
import { RegistrationSteps } from './registration/registration-steps.js';
import { GetUserHandler } from './user-lookup/get-user.handler.js';
import { GetUserQuery } from './user-lookup/get-user.query.js';
import { UserRepository } from './users/user.repository.js';

/** The identity service: users, organisations and their credentials, its patterns, and its relay to `auth.identity.events`. */
@Module({})
export class IdentityModule {
  static readonly app = 'identity';

  static register(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule.forService({
          service: 'identity',
          eventStoreUrl: config.EVENTSTORE_URL,
          dataDir: config.DATA_DIR,
        }),
      ],
      controllers: [
        healthController('identity', config),
        useCaseRoute(IdentityRpc.verifyCredentials, VerifyCredentialsQuery),
        useCaseRoute(IdentityRpc.getUser, GetUserQuery),
        useCaseRoute(IdentityRpc.registerUser, RegisterUserCommand),
        useCaseRoute(IdentityRpc.createOrganisation, CreateOrganisationCommand),
        useCaseRoute(IdentityRpc.changePassword, ChangePasswordCommand),
      ],
      providers: [
        PasswordHasher,
        sealingKeyRingProvider('identity', {
          privateKey: config.IDENTITY_SEALING_PRIVATE_KEY,
          previous: config.IDENTITY_SEALING_PREVIOUS_PRIVATE_KEYS,
          dataDir: config.DATA_DIR,
        }),
        UserRepository,
        OrganisationRepository,
        EmailReservationRepository,
        InstallationRepository,
        RegistrationSteps,
        VerifyCredentialsHandler,
        GetUserHandler,
        RegisterUserHandler,
        CreateOrganisationHandler,
        ChangePasswordHandler,
        InstallationBootstrapProcess,
        integrationRelayProvider('identity', identityIntegrationEvent),
      ],
    };
  }
}
