import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PolicyRpc, ResponseOf } from '#contracts';
import { addressAllowed } from '../login-evaluation/evaluate-login.js';
import { orgPolicyStream } from '../org-policy/org-policy.events.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { CheckLoginAddressQuery } from './check-login-address.query.js';

/**
 * `policy.check-login-address`: the allow-list alone, asked before a password
 * is checked, so that an address outside it is refused whatever the password
 * (the identity service records the attempt as a failure).
 */
@QueryHandler(CheckLoginAddressQuery)
export class CheckLoginAddressHandler implements IQueryHandler<CheckLoginAddressQuery> {
  constructor(private readonly policies: OrgPolicyRepository) {}

  async execute({
    request: { orgId, ip },
  }: CheckLoginAddressQuery): Promise<ResponseOf<typeof PolicyRpc.checkLoginAddress>> {
    const { state } = await this.policies.load(orgPolicyStream(orgId));
    return { allowed: addressAllowed(state, ip) };
  }
}
