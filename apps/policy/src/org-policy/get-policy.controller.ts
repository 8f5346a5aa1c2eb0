import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PolicyRpc, type ParsedRequestOf, type PolicyView } from '#contracts';
import { answer } from '#messaging';
import { orgPolicyStream } from './org-policy.decider.js';
import { OrgPolicyRepository } from './org-policy.repository.js';
import { toPolicyView } from './policy-view.js';

@Controller()
export class GetPolicyController {
  constructor(private readonly policies: OrgPolicyRepository) {}

  @MessagePattern(PolicyRpc.getPolicy.pattern)
  getPolicy(@Payload() payload: unknown) {
    return answer(PolicyRpc.getPolicy, payload, (request) => this.find(request));
  }

  private async find({ orgId }: ParsedRequestOf<typeof PolicyRpc.getPolicy>): Promise<PolicyView> {
    const { state } = await this.policies.load(orgPolicyStream(orgId));
    return toPolicyView(orgId, state);
  }
}
