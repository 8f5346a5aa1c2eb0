import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PolicyRpc, type ParsedRequestOf, type PolicyView } from '#contracts';
import { answer } from '#messaging';
import { orgPolicyStream } from '../org-policy/org-policy.decider.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { toPolicyView } from '../org-policy/policy-view.js';

type SetMfaRequirementRequest = ParsedRequestOf<typeof PolicyRpc.setMfaRequirement>;

@Controller()
export class SetMfaRequirementController {
  constructor(private readonly policies: OrgPolicyRepository) {}

  @MessagePattern(PolicyRpc.setMfaRequirement.pattern)
  setMfaRequirement(@Payload() payload: unknown) {
    return answer(PolicyRpc.setMfaRequirement, payload, (request) => this.set(request));
  }

  private async set({ orgId, requiredForAll, requiredForRoles, setBy }: SetMfaRequirementRequest): Promise<PolicyView> {
    const { state } = await this.policies.handle(orgPolicyStream(orgId), {
      type: 'SetMfaRequirement',
      data: { orgId, requiredForAll, requiredForRoles, setBy, now: new Date() },
    });
    return toPolicyView(orgId, state);
  }
}
