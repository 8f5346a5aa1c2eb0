import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore, eventCodec } from '#event-store';
import {
  organisationDecider,
  type OrganisationCommand,
  type OrganisationEvent,
  type OrganisationState,
} from './organisation.decider.js';

export const organisationEventCodec = eventCodec<OrganisationEvent>({
  currentVersions: { OrganisationCreated: 1 },
});

/** `org-<id>` streams. */
@Injectable()
export class OrganisationRepository extends AggregateRepository<
  OrganisationCommand,
  OrganisationEvent,
  OrganisationState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: organisationDecider, ...organisationEventCodec });
  }
}
