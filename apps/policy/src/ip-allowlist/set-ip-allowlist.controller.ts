import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PolicyRpc, type ParsedRequestOf, type PolicyView } from '#contracts';
import { answer } from '#messaging';
import { orgPolicyStream } from '../org-policy/org-policy.decider.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { toPolicyView } from '../org-policy/policy-view.js';

@Controller()
export class SetIpAllowlistController {
  constructor(private readonly policies: OrgPolicyRepository) {}

  @MessagePattern(PolicyRpc.setIpAllowlist.pattern)
  setIpAllowlist(@Payload() payload: unknown) {
    return answer(PolicyRpc.setIpAllowlist, payload, (request) => this.set(request));
  }

  private async set({ orgId, cidrs, setBy }: ParsedRequestOf<typeof PolicyRpc.setIpAllowlist>): Promise<PolicyView> {
    const { state } = await this.policies.handle(orgPolicyStream(orgId), {
      type: 'SetIpAllowlist',
      data: { orgId, cidrs, setBy, now: new Date() },
    });
    return toPolicyView(orgId, state);
  }
}
