import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PolicyView } from '#contracts';
import { orgPolicyStream } from '../org-policy/org-policy.events.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { toPolicyView } from '../org-policy/policy-view.js';
import { GetPolicyQuery } from './get-policy.query.js';

@QueryHandler(GetPolicyQuery)
export class GetPolicyHandler implements IQueryHandler<GetPolicyQuery> {
  constructor(private readonly policies: OrgPolicyRepository) {}

  async execute({ request: { orgId } }: GetPolicyQuery): Promise<PolicyView> {
    const { state } = await this.policies.load(orgPolicyStream(orgId));
    return toPolicyView(orgId, state);
  }
}
