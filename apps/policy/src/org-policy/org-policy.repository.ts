import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { orgPolicyEventCodec } from './org-policy.codec.js';
import type { OrgPolicyCommand } from './org-policy.commands.js';
import { orgPolicyDecider, type OrgPolicyState } from './org-policy.decider.js';
import type { OrgPolicyEvent } from './org-policy.events.js';

/** The `org-policy-<orgId>` streams. */
@Injectable()
export class OrgPolicyRepository extends AggregateRepository<OrgPolicyCommand, OrgPolicyEvent, OrgPolicyState> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: orgPolicyDecider, codec: orgPolicyEventCodec });
  }
}
