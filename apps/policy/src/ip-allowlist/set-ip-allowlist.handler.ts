import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '#config';
import type { PolicyView } from '#contracts';
import { orgPolicyStream } from '../org-policy/org-policy.events.js';
import { OrgPolicyRepository } from '../org-policy/org-policy.repository.js';
import { toPolicyView } from '../org-policy/policy-view.js';
import { SetIpAllowlistCommand } from './set-ip-allowlist.command.js';

@CommandHandler(SetIpAllowlistCommand)
export class SetIpAllowlistHandler implements ICommandHandler<SetIpAllowlistCommand> {
  constructor(
    private readonly policies: OrgPolicyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { orgId, cidrs, setBy } }: SetIpAllowlistCommand): Promise<PolicyView> {
    const { state } = await this.policies.handle(orgPolicyStream(orgId), {
      type: 'SetIpAllowlist',
      data: { orgId, cidrs, setBy, now: this.clock.now() },
    });
    return toPolicyView(orgId, state);
  }
}
