import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore, eventCodec } from '#event-store';
import {
  installationDecider,
  type InstallationCommand,
  type InstallationEvent,
  type InstallationState,
} from './installation.decider.js';

export const installationEventCodec = eventCodec<InstallationEvent>({
  currentVersions: { InstallationBootstrapped: 1 },
});

/** The `installation` stream. */
@Injectable()
export class InstallationRepository extends AggregateRepository<
  InstallationCommand,
  InstallationEvent,
  InstallationState
> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: installationDecider, ...installationEventCodec });
  }
}
