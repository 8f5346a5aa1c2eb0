import { AssignerProtocol, type Kafka } from 'kafkajs';
import { prefixed, relayLeaseGroup, relayLeaseTopic, type KafkaConnection } from '#messaging';
import type { ServiceName } from '../audited-services.js';

/** Who publishes a service's events, as the broker's view of the relay group `<service>-relay` says. */
export type LeaseHolder =
  | {
      readonly known: true;
      readonly holder: { clientId: string; host: string; memberId: string } | null;
      readonly members: number;
      readonly groupState: string;
    }
  | { readonly known: false; readonly reason: string };

/**
 * Describes the group (the `ops` principal may; `subscriber` may not): the
 * member assigned the lease topic's one partition holds the lease (relay-lease.ts).
 */
export async function leaseHoldersOf(
  kafka: Kafka,
  connection: KafkaConnection,
  services: readonly ServiceName[],
): Promise<Map<ServiceName, LeaseHolder>> {
  const holders = new Map<ServiceName, LeaseHolder>();
  // A refusal (the subscriber may not describe the groups) is an answer, not a reason to retry for seconds.
  const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 100 } });
  try {
    await admin.connect();
    for (const service of services) {
      const group = prefixed(connection, relayLeaseGroup(service));
      const topic = prefixed(connection, relayLeaseTopic(service));
      try {
        const { groups } = await admin.describeGroups([group]);
        const described = groups[0] as (typeof groups)[number] & { errorCode?: number };
        if (!described || (described.errorCode ?? 0) !== 0) {
          const code = described?.errorCode;
          // 30: GROUP_AUTHORIZATION_FAILED.
          holders.set(service, {
            known: false,
            reason: code === 30 ? 'not authorized to describe the group' : `the broker answered error ${code ?? '?'}`,
          });
          continue;
        }
        const holder = described.members.find((member) => {
          if (member.memberAssignment.length === 0) return false;
          const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
          return (assignment?.assignment[topic] ?? []).includes(0);
        });
        holders.set(service, {
          known: true,
          holder: holder ? { clientId: holder.clientId, host: holder.clientHost, memberId: holder.memberId } : null,
          members: described.members.length,
          groupState: described.state,
        });
      } catch (error) {
        holders.set(service, { known: false, reason: reasonOf(error) });
      }
    }
  } catch (error) {
    for (const service of services) holders.set(service, { known: false, reason: reasonOf(error) });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return holders;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // kafkajs reports a refused FindCoordinator for a group (GROUP_AUTHORIZATION_FAILED) as not finding its coordinator.
  return /authoriz|group coordinator/i.test(message) ? `not authorized to describe the group (${message})` : message;
}
