import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '#config';
import type { PolicyView } from '#contracts';
import { orgPolicyStream } from '../org-policy/org-policy.events.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { toPolicyView } from '../org-policy/policy-view.js';
import { SetMfaRequirementCommand } from './set-mfa-requirement.command.js';

@CommandHandler(SetMfaRequirementCommand)
export class SetMfaRequirementHandler implements ICommandHandler<SetMfaRequirementCommand> {
  constructor(
    private readonly policies: OrgPolicyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: SetMfaRequirementCommand): Promise<PolicyView> {
    const { orgId, requiredForAll, requiredForRoles, setBy } = request;
    const { state } = await this.policies.handle(orgPolicyStream(orgId), {
      type: 'SetMfaRequirement',
      data: { orgId, requiredForAll, requiredForRoles, setBy, now: this.clock.now() },
    });
    return toPolicyView(orgId, state);
  }
}
