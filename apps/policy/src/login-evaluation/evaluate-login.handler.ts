import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LoginDecision } from '#contracts';
import { orgPolicyStream } from '../org-policy/org-policy.events.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { evaluateLogin } from './evaluate-login.js';
import { EvaluateLoginQuery } from './evaluate-login.query.js';

@QueryHandler(EvaluateLoginQuery)
export class EvaluateLoginHandler implements IQueryHandler<EvaluateLoginQuery> {
  constructor(private readonly policies: OrgPolicyRepository) {}

  async execute({ request: { orgId, ...attempt } }: EvaluateLoginQuery): Promise<LoginDecision> {
    const { state } = await this.policies.load(orgPolicyStream(orgId));
    return evaluateLogin(state, attempt);
  }
}
