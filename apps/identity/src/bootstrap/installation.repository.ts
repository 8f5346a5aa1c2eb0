import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { installationEventCodec } from './installation.codec.js';
import type { InstallationCommand } from './installation.commands.js';
import { installationDecider, type InstallationState } from './installation.decider.js';
import type { InstallationEvent } from './installation.events.js';

/** The `installation` stream. */
@Injectable()
export class InstallationRepository extends AggregateRepository<
  InstallationCommand,
  InstallationEvent,
  InstallationState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: installationDecider, codec: installationEventCodec });
  }
}
