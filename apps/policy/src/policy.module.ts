import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type Config } from '#config';
import { EventStoreModule } from '#event-store';
import { healthController, integrationRelayProvider } from '#messaging';
import { toPolicyIntegrationEvent } from './integration-events.js';
import { SetIpAllowlistController } from './ip-allowlist/set-ip-allowlist.controller.js';
import { EvaluateLoginController } from './login-evaluation/evaluate-login.controller.js';
import { SetMfaRequirementController } from './mfa-requirement/set-mfa-requirement.controller.js';
import { GetPolicyController } from './org-policy/get-policy.controller.js';
import { OrgPolicyRepository } from './org-policy/org-policy.repository.js';

@Module({})
export class PolicyModule {
  static register(config: Config): DynamicModule {
    return {
      module: PolicyModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forService({
          service: 'policy',
          eventStoreUrl: config.EVENTSTORE_URL,
          dataDir: config.DATA_DIR,
        }),
      ],
      controllers: [
        healthController('policy', config),
        EvaluateLoginController,
        GetPolicyController,
        SetIpAllowlistController,
        SetMfaRequirementController,
      ],
      providers: [OrgPolicyRepository, integrationRelayProvider('policy', toPolicyIntegrationEvent)],
    };
  }
}
