import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type Config } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController, integrationRelayProvider } from '#messaging';
import { ActivateController } from './activation/activate.controller.js';
import { CLOCK, systemClock } from './clock.js';
import { DeactivateController } from './deactivation/deactivate.controller.js';
import { StartEnrollmentController } from './enrollment/start-enrollment.controller.js';
import { GetHistoryController } from './history/get-history.controller.js';
import { toIntegrationEvent } from './public-events/integration-event.js';
import { ResetController } from './reset/reset.controller.js';
import { secretCipherProvider } from './secret-keys/secret-cipher.provider.js';
import { GetStatusController } from './status/get-status.controller.js';
import { VerifyChallengeController } from './verification/verify-challenge.controller.js';
import { CodeMatcher } from './write-model/code-matcher.js';
import { MfaEnrollments } from './write-model/mfa-enrollments.js';

/** The mfa service: one `MfaEnrollment` stream per user, its patterns, and its relay to `auth.mfa.events`. */
@Module({})
export class MfaModule {
  static register(config: Config): DynamicModule {
    return {
      module: MfaModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forService({ service: 'mfa', eventStoreUrl: config.EVENTSTORE_URL, dataDir: config.DATA_DIR }),
      ],
      controllers: [
        healthController('mfa', config),
        GetStatusController,
        StartEnrollmentController,
        ActivateController,
        VerifyChallengeController,
        DeactivateController,
        ResetController,
        GetHistoryController,
      ],
      providers: [
        { provide: CLOCK, useValue: systemClock },
        secretCipherProvider,
        CodeMatcher,
        MfaEnrollments,
        integrationRelayProvider('mfa', toIntegrationEvent),
      ],
    };
  }
}
