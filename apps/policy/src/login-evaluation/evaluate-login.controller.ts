import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PolicyRpc, type LoginDecision, type ParsedRequestOf } from '#contracts';
import { answer } from '#messaging';
import { orgPolicyStream } from '../org-policy/org-policy.decider.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { evaluateLogin } from './evaluate-login.js';

@Controller()
export class EvaluateLoginController {
  constructor(private readonly policies: OrgPolicyRepository) {}

  @MessagePattern(PolicyRpc.evaluateLogin.pattern)
  evaluateLogin(@Payload() payload: unknown) {
    return answer(PolicyRpc.evaluateLogin, payload, (request) => this.evaluate(request));
  }

  private async evaluate({
    orgId,
    ...attempt
  }: ParsedRequestOf<typeof PolicyRpc.evaluateLogin>): Promise<LoginDecision> {
    const { state } = await this.policies.load(orgPolicyStream(orgId));
    return evaluateLogin(state, attempt);
  }
}
