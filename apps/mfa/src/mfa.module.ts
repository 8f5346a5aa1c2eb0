import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule, type MfaConfig } from '#config';
import { MfaRpc } from '#contracts';
import { EventStoreModule } from '#event-store';
import {
  healthController,
  integrationEventsOf,
  integrationRelayProvider,
  useCaseRoute,
  sealingKeyRingProvider,
} from '#messaging';
import { ActivateCommand } from './activation/activate.command.js';
import { ActivateHandler } from './activation/activate.handler.js';
import { DeactivateCommand } from './deactivation/deactivate.command.js';
import { DeactivateHandler } from './deactivation/deactivate.handler.js';
import { GetHistoryHandler } from './history/get-history.handler.js';
import { GetHistoryQuery } from './history/get-history.query.js';
import { RegenerateRecoveryCodesCommand } from './recovery-code-regeneration/regenerate-recovery-codes.command.js';
import { RegenerateRecoveryCodesHandler } from './recovery-code-regeneration/regenerate-recovery-codes.handler.js';
import { VerifyRecoveryCodeCommand } from './recovery-code-verification/verify-recovery-code.command.js';
import { VerifyRecoveryCodeHandler } from './recovery-code-verification/verify-recovery-code.handler.js';
import { RecoveryCodeHasher } from './recovery-codes/recovery-code-hasher.js';
import { publishedMfaEnrollment } from './mfa-enrollment/mfa-enrollment.public.js';
import { MfaEnrollmentRepository } from './mfa-enrollment/mfa-enrollment.repository.js';
import { ResetCommand } from './reset/reset.command.js';
import { ResetHandler } from './reset/reset.handler.js';
import { secretCipherProvider } from './secret-keys/secret-cipher.provider.js';
import { StartEnrollmentCommand } from './start-enrollment/start-enrollment.command.js';
import { StartEnrollmentHandler } from './start-enrollment/start-enrollment.handler.js';
import { GetStatusHandler } from './status/get-status.handler.js';
import { GetStatusQuery } from './status/get-status.query.js';
import { CodeMatcher } from './totp/code-matcher.js';
import { VerifyChallengeCommand } from './verification/verify-challenge.command.js';
import { VerifyChallengeHandler } from './verification/verify-challenge.handler.js';

/** The mfa service: one `MfaEnrollment` stream per user, its patterns, and its relay to `auth.mfa.events`. */
@Module({})
export class MfaModule {
  static readonly app = 'mfa';

  static register(config: MfaConfig): DynamicModule {
    return {
      module: MfaModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule.forService({ service: 'mfa', eventStoreUrl: config.EVENTSTORE_URL, dataDir: config.DATA_DIR }),
      ],
      controllers: [
        healthController('mfa', config),
        useCaseRoute(MfaRpc.getStatus, GetStatusQuery),
        useCaseRoute(MfaRpc.startEnrollment, StartEnrollmentCommand),
        useCaseRoute(MfaRpc.activate, ActivateCommand),
        useCaseRoute(MfaRpc.verifyChallenge, VerifyChallengeCommand),
        useCaseRoute(MfaRpc.verifyRecoveryCode, VerifyRecoveryCodeCommand),
        useCaseRoute(MfaRpc.regenerateRecoveryCodes, RegenerateRecoveryCodesCommand),
        useCaseRoute(MfaRpc.deactivate, DeactivateCommand),
        useCaseRoute(MfaRpc.reset, ResetCommand),
        useCaseRoute(MfaRpc.getHistory, GetHistoryQuery),
      ],
      providers: [
        secretCipherProvider,
        sealingKeyRingProvider('mfa', {
          privateKey: config.MFA_SEALING_PRIVATE_KEY,
          previous: config.MFA_SEALING_PREVIOUS_PRIVATE_KEYS,
          dataDir: config.DATA_DIR,
        }),
        CodeMatcher,
        RecoveryCodeHasher,
        MfaEnrollmentRepository,
        GetStatusHandler,
        StartEnrollmentHandler,
        ActivateHandler,
        VerifyChallengeHandler,
        VerifyRecoveryCodeHandler,
        RegenerateRecoveryCodesHandler,
        DeactivateHandler,
        ResetHandler,
        GetHistoryHandler,
        integrationRelayProvider('mfa', integrationEventsOf(publishedMfaEnrollment)),
      ],
    };
  }
}
