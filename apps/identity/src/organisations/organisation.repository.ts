import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { organisationEventCodec } from './organisation.codec.js';
import type { OrganisationCommand } from './organisation.commands.js';
import { organisationDecider, type OrganisationState } from './organisation.decider.js';
import type { OrganisationEvent } from './organisation.events.js';

/** `org-<id>` streams. */
@Injectable()
export class OrganisationRepository extends AggregateRepository<
  OrganisationCommand,
  OrganisationEvent,
  OrganisationState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: organisationDecider, codec: organisationEventCodec });
  }
}
