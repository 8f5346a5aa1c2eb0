import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore, eventCodec } from '#event-store';
import {
  orgPolicyDecider,
  type OrgPolicyCommand,
  type OrgPolicyEvent,
  type OrgPolicyState,
} from './org-policy.decider.js';

export const orgPolicyEventCodec = eventCodec<OrgPolicyEvent>({
  currentVersions: { IpAllowlistSet: 1, MfaRequirementSet: 1 },
});

/** `org-policy-<orgId>` streams; an organisation without events has the default policy. */
@Injectable()
export class OrgPolicyRepository extends AggregateRepository<OrgPolicyCommand, OrgPolicyEvent, OrgPolicyState> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: orgPolicyDecider, ...orgPolicyEventCodec });
  }
}
