import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type Config } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController, integrationRelayProvider } from '#messaging';
import { InstallationBootstrap } from './bootstrap/installation-bootstrap.js';
import { InstallationRepository } from './bootstrap/installation.repository.js';
import { VerifyCredentialsController } from './credentials/verify-credentials.controller.js';
import { EmailReservationRepository } from './email-reservation/email-reservation.repository.js';
import { toIdentityIntegrationEvent } from './integration-events.js';
import { CreateOrganisationController } from './organisations/create-organisation.controller.js';
import { OrganisationRepository } from './organisations/organisation.repository.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { RegisterUserController } from './registration/register-user.controller.js';
import { UserRegistration } from './registration/user-registration.js';
import { GetUserController } from './users/get-user.controller.js';
import { UserRepository } from './users/user.repository.js';

@Module({})
export class IdentityModule {
  static register(config: Config): DynamicModule {
    return {
      module: IdentityModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forService({
          service: 'identity',
          eventStoreUrl: config.EVENTSTORE_URL,
          dataDir: config.DATA_DIR,
        }),
      ],
      controllers: [
        healthController('identity', config),
        VerifyCredentialsController,
        GetUserController,
        RegisterUserController,
        CreateOrganisationController,
      ],
      providers: [
        PasswordHasher,
        UserRepository,
        OrganisationRepository,
        EmailReservationRepository,
        InstallationRepository,
        UserRegistration,
        InstallationBootstrap,
        integrationRelayProvider('identity', toIdentityIntegrationEvent),
      ],
    };
  }
}
