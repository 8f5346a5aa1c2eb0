import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityRpc, SessionRpc } from '#contracts';
import { ConfigModule, type IdentityConfig } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController, integrationRelayProvider, useCaseRoute, sealingKeyRingProvider } from '#messaging';
import { InstallationBootstrapProcess } from './bootstrap/installation-bootstrap.process.js';
import { InstallationRepository } from './bootstrap/installation.repository.js';
import { VerifyCredentialsHandler } from './credentials/verify-credentials.handler.js';
import { SignInUsers } from './credentials/sign-in-users.js';
import { VerifyCredentialsCommand } from './credentials/verify-credentials.command.js';
import { EmailReservationRepository } from './email-reservation/email-reservation.repository.js';
import { identityIntegrationEvent } from './identity.public.js';
import { FindLoginOrganisationHandler } from './login-organisation/find-login-organisation.handler.js';
import { FindLoginOrganisationQuery } from './login-organisation/find-login-organisation.query.js';
import { RevokeOtherSessionsProcess } from './credential-change-revocation/revoke-other-sessions.process.js';
import { EndSessionCommand } from './logout/end-session.command.js';
import { EndSessionHandler } from './logout/end-session.handler.js';
import { ListSessionsHandler } from './session-list/list-sessions.handler.js';
import { ListSessionsQuery } from './session-list/list-sessions.query.js';
import { RefreshSessionCommand } from './session-refresh/refresh-session.command.js';
import { RefreshSessionHandler } from './session-refresh/refresh-session.handler.js';
import { RevokeSessionCommand } from './session-revocation/revoke-session.command.js';
import { RevokeSessionHandler } from './session-revocation/revoke-session.handler.js';
import { StartSessionCommand } from './session-start/start-session.command.js';
import { StartSessionHandler } from './session-start/start-session.handler.js';
import { SessionRepository } from './sessions/session.repository.js';
import { UserSessionsRepository } from './user-sessions/user-sessions.repository.js';
import { CreateOrganisationCommand } from './organisation-creation/create-organisation.command.js';
import { CreateOrganisationHandler } from './organisation-creation/create-organisation.handler.js';
import { OrganisationRepository } from './organisations/organisation.repository.js';
import { ChangePasswordCommand } from './password-change/change-password.command.js';
import { ChangePasswordHandler } from './password-change/change-password.handler.js';
import { SetPasswordCommand } from './password-reset/set-password.command.js';
import { SetPasswordHandler } from './password-reset/set-password.handler.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { RegisterUserCommand } from './registration/register-user.command.js';
import { RegisterUserHandler } from './registration/register-user.handler.js';
import { RegistrationSteps } from './registration/registration-steps.js';
import { GetUserHandler } from './user-lookup/get-user.handler.js';
import { GetUserQuery } from './user-lookup/get-user.query.js';
import { ChangeRolesCommand } from './role-change/change-roles.command.js';
import { ChangeRolesHandler } from './role-change/change-roles.handler.js';
import { DescribeUserHandler } from './user-account/describe-user.handler.js';
import { DescribeUserQuery } from './user-account/describe-user.query.js';
import { UserDirectory } from './user-directory/user-directory.js';
import { ListUsersHandler } from './user-list/list-users.handler.js';
import { ListUsersQuery } from './user-list/list-users.query.js';
import { UnlockUserCommand } from './unlock/unlock-user.command.js';
import { UnlockUserHandler } from './unlock/unlock-user.handler.js';
import { UnregisteredAddressRepository } from './unregistered-address/unregistered-address.repository.js';
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
        useCaseRoute(IdentityRpc.findLoginOrganisation, FindLoginOrganisationQuery),
        useCaseRoute(IdentityRpc.verifyCredentials, VerifyCredentialsCommand),
        useCaseRoute(IdentityRpc.getUser, GetUserQuery),
        useCaseRoute(IdentityRpc.registerUser, RegisterUserCommand),
        useCaseRoute(IdentityRpc.createOrganisation, CreateOrganisationCommand),
        useCaseRoute(IdentityRpc.changePassword, ChangePasswordCommand),
        useCaseRoute(IdentityRpc.unlockUser, UnlockUserCommand),
        useCaseRoute(IdentityRpc.setPassword, SetPasswordCommand),
        useCaseRoute(IdentityRpc.changeRoles, ChangeRolesCommand),
        useCaseRoute(IdentityRpc.listUsers, ListUsersQuery),
        useCaseRoute(IdentityRpc.describeUser, DescribeUserQuery),
        useCaseRoute(SessionRpc.startSession, StartSessionCommand),
        useCaseRoute(SessionRpc.refreshSession, RefreshSessionCommand),
        useCaseRoute(SessionRpc.endSession, EndSessionCommand),
        useCaseRoute(SessionRpc.revokeSession, RevokeSessionCommand),
        useCaseRoute(SessionRpc.listSessions, ListSessionsQuery),
      ],
      providers: [
        PasswordHasher,
        sealingKeyRingProvider('identity', {
          privateKey: config.IDENTITY_SEALING_PRIVATE_KEY,
          previous: config.IDENTITY_SEALING_PREVIOUS_PRIVATE_KEYS,
          dataDir: config.DATA_DIR,
        }),
        UserRepository,
        UnregisteredAddressRepository,
        OrganisationRepository,
        EmailReservationRepository,
        InstallationRepository,
        RegistrationSteps,
        SignInUsers,
        FindLoginOrganisationHandler,
        VerifyCredentialsHandler,
        GetUserHandler,
        RegisterUserHandler,
        CreateOrganisationHandler,
        ChangePasswordHandler,
        UnlockUserHandler,
        SetPasswordHandler,
        ChangeRolesHandler,
        UserDirectory,
        ListUsersHandler,
        DescribeUserHandler,
        InstallationBootstrapProcess,
        SessionRepository,
        UserSessionsRepository,
        StartSessionHandler,
        RefreshSessionHandler,
        EndSessionHandler,
        RevokeSessionHandler,
        ListSessionsHandler,
        RevokeOtherSessionsProcess,
        integrationRelayProvider('identity', identityIntegrationEvent),
      ],
    };
  }
}
