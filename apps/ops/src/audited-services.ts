/**
 * What the ops CLI knows of each service's stored events, taken from the
 * services themselves: each aggregate's stream names, codec (decode, lifting
 * old versions) and decider (`evolve`, to replay), and each service's public
 * forms (the allow-lists its relay publishes): the only view of an event the
 * CLI ever prints. Nothing here decides what is secret; the services' own
 * `.public.ts` files do.
 */
import type { DomainEvent, EventCodec } from '#event-store';
import { integrationEventsOf, type IntegrationEventMapping } from '#messaging';
import { INSTALLATION_STREAM } from '../../identity/src/bootstrap/installation.events.js';
import { installationEventCodec } from '../../identity/src/bootstrap/installation.codec.js';
import { installationDecider } from '../../identity/src/bootstrap/installation.decider.js';
import { emailReservationEventCodec } from '../../identity/src/email-reservation/email-reservation.codec.js';
import { emailReservationDecider } from '../../identity/src/email-reservation/email-reservation.decider.js';
import { identityIntegrationEvent } from '../../identity/src/identity.public.js';
import { organisationEventCodec } from '../../identity/src/organisations/organisation.codec.js';
import { organisationDecider } from '../../identity/src/organisations/organisation.decider.js';
import { sessionEventCodec } from '../../identity/src/sessions/session.codec.js';
import { sessionDecider } from '../../identity/src/sessions/session.decider.js';
import { SESSION_STREAM_PREFIX } from '../../identity/src/sessions/session.events.js';
import { unregisteredAddressEventCodec } from '../../identity/src/unregistered-address/unregistered-address.codec.js';
import { unregisteredAddressDecider } from '../../identity/src/unregistered-address/unregistered-address.decider.js';
import { userSessionsEventCodec } from '../../identity/src/user-sessions/user-sessions.codec.js';
import { userSessionsDecider } from '../../identity/src/user-sessions/user-sessions.decider.js';
import { userSessionsStream } from '../../identity/src/user-sessions/user-sessions.events.js';
import { userEventCodec } from '../../identity/src/users/user.codec.js';
import { userDecider } from '../../identity/src/users/user.decider.js';
import { USER_STREAM_PREFIX } from '../../identity/src/users/user.events.js';
import { mfaEnrollmentCodec } from '../../mfa/src/mfa-enrollment/mfa-enrollment.codec.js';
import { mfaEnrollmentDecider } from '../../mfa/src/mfa-enrollment/mfa-enrollment.decider.js';
import { MFA_STREAM_PREFIX, type MfaEnrollmentEvent } from '../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { publishedMfaEnrollment } from '../../mfa/src/mfa-enrollment/mfa-enrollment.public.js';
import type { MfaEnrollmentState } from '../../mfa/src/mfa-enrollment/mfa-enrollment.state.js';
import { orgPolicyEventCodec } from '../../policy/src/org-policy/org-policy.codec.js';
import { orgPolicyDecider } from '../../policy/src/org-policy/org-policy.decider.js';
import { orgPolicyStream } from '../../policy/src/org-policy/org-policy.events.js';
import { toPolicyIntegrationEvent } from '../../policy/src/org-policy/org-policy.public.js';
import { mfaInvariantBreaks } from './audit/mfa-invariants.js';

export type ServiceName = 'identity' | 'mfa' | 'policy';

/** The state-independent part of a decider: what a replay needs. */
export interface Replay<Event extends DomainEvent, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
}

/** One aggregate's streams, as stored by its service. */
export interface AuditedAggregate<Event extends DomainEvent = DomainEvent, State = unknown> {
  readonly name: string;
  readonly service: ServiceName;
  /** `mfa-` for `mfa-<userId>`; an exact name when `exact`. */
  readonly stream: string;
  readonly exact?: boolean;
  readonly codec: EventCodec<Event>;
  readonly replay: Replay<Event, State>;
  /** What the aggregate's rules forbid that its events still show, checked on the state before `event`. */
  invariantBreaks?(state: State, event: Event): string[];
}

const aggregate = <Event extends DomainEvent, State>(definition: AuditedAggregate<Event, State>): AuditedAggregate =>
  definition as unknown as AuditedAggregate;

export const AUDITED_AGGREGATES: readonly AuditedAggregate[] = [
  aggregate({
    name: 'user',
    service: 'identity',
    stream: USER_STREAM_PREFIX,
    codec: userEventCodec,
    replay: userDecider,
  }),
  aggregate({
    name: 'organisation',
    service: 'identity',
    stream: 'org-',
    codec: organisationEventCodec,
    replay: organisationDecider,
  }),
  aggregate({
    name: 'session',
    service: 'identity',
    stream: SESSION_STREAM_PREFIX,
    codec: sessionEventCodec,
    replay: sessionDecider(),
  }),
  aggregate({
    name: 'user sessions',
    service: 'identity',
    stream: userSessionsStream(''),
    codec: userSessionsEventCodec,
    replay: userSessionsDecider,
  }),
  aggregate({
    name: 'email reservation',
    service: 'identity',
    stream: 'email-',
    codec: emailReservationEventCodec,
    replay: emailReservationDecider,
  }),
  aggregate({
    name: 'unregistered address',
    service: 'identity',
    stream: 'unregistered_address-',
    codec: unregisteredAddressEventCodec,
    replay: unregisteredAddressDecider,
  }),
  aggregate({
    name: 'installation',
    service: 'identity',
    stream: INSTALLATION_STREAM,
    exact: true,
    codec: installationEventCodec,
    replay: installationDecider,
  }),
  aggregate<MfaEnrollmentEvent, MfaEnrollmentState>({
    name: 'MFA enrollment',
    service: 'mfa',
    stream: MFA_STREAM_PREFIX,
    codec: mfaEnrollmentCodec,
    // evolve does not depend on the lock-out settings (the decider records the standing on each failure).
    replay: mfaEnrollmentDecider(),
    invariantBreaks: mfaInvariantBreaks,
  }),
  aggregate({
    name: 'organisation policy',
    service: 'policy',
    stream: orgPolicyStream(''),
    codec: orgPolicyEventCodec,
    replay: orgPolicyDecider,
  }),
];

export const SERVICES: readonly ServiceName[] = ['identity', 'mfa', 'policy'];

/** What each service publishes, i.e. the public form of each of its events (null: never leaves the service). */
export const PUBLIC_FORMS: Readonly<Record<ServiceName, IntegrationEventMapping>> = {
  identity: identityIntegrationEvent,
  mfa: integrationEventsOf(publishedMfaEnrollment),
  policy: toPolicyIntegrationEvent,
};

/**
 * The aggregate a stream belongs to: the longest matching name, so that
 * `org-policy-…` (policy) is not taken for `org-…` (identity) on a store the
 * services share. Undefined: not an aggregate stream (snapshots, relay
 * checkpoints), checked for revisions and its chain only.
 */
export function aggregateOf(stream: string, among: readonly AuditedAggregate[] = AUDITED_AGGREGATES) {
  let found: AuditedAggregate | undefined;
  for (const candidate of among) {
    const matches = candidate.exact ? stream === candidate.stream : stream.startsWith(candidate.stream);
    if (matches && (!found || candidate.stream.length > found.stream.length)) found = candidate;
  }
  return found;
}
