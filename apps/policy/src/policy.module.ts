import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule, type PolicyConfig } from '#config';
import { PolicyRpc } from '#contracts';
import { EventStoreModule } from '#event-store';
import { healthController, integrationRelayProvider, useCaseRoute } from '#messaging';
import { SetIpAllowlistCommand } from './ip-allowlist/set-ip-allowlist.command.js';
import { SetIpAllowlistHandler } from './ip-allowlist/set-ip-allowlist.handler.js';
import { CheckLoginAddressHandler } from './login-address/check-login-address.handler.js';
import { CheckLoginAddressQuery } from './login-address/check-login-address.query.js';
import { EvaluateLoginHandler } from './login-evaluation/evaluate-login.handler.js';
import { EvaluateLoginQuery } from './login-evaluation/evaluate-login.query.js';
import { SetMfaRequirementCommand } from './mfa-requirement/set-mfa-requirement.command.js';
import { SetMfaRequirementHandler } from './mfa-requirement/set-mfa-requirement.handler.js';
import { toPolicyIntegrationEvent } from './org-policy/org-policy.public.js';
import { OrgPolicyRepository } from './org-policy/org-policy.repository.js';
import { GetPolicyHandler } from './policy-lookup/get-policy.handler.js';
import { GetPolicyQuery } from './policy-lookup/get-policy.query.js';

/** The policy service: one `org-policy-<orgId>` stream per organisation, its patterns, and its relay to `auth.policy.events`. */
@Module({})
export class PolicyModule {
  static readonly app = 'policy';

  static register(config: PolicyConfig): DynamicModule {
    return {
      module: PolicyModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        EventStoreModule.forService({
          service: 'policy',
          eventStoreUrl: config.EVENTSTORE_URL,
          dataDir: config.DATA_DIR,
        }),
      ],
      controllers: [
        healthController('policy', config),
        useCaseRoute(PolicyRpc.checkLoginAddress, CheckLoginAddressQuery),
        useCaseRoute(PolicyRpc.evaluateLogin, EvaluateLoginQuery),
        useCaseRoute(PolicyRpc.getPolicy, GetPolicyQuery),
        useCaseRoute(PolicyRpc.setIpAllowlist, SetIpAllowlistCommand),
        useCaseRoute(PolicyRpc.setMfaRequirement, SetMfaRequirementCommand),
      ],
      providers: [
        OrgPolicyRepository,
        CheckLoginAddressHandler,
        EvaluateLoginHandler,
        GetPolicyHandler,
        SetIpAllowlistHandler,
        SetMfaRequirementHandler,
        integrationRelayProvider('policy', toPolicyIntegrationEvent),
      ],
    };
  }
}
