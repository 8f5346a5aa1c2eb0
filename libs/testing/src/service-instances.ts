import { AssignerProtocol } from 'kafkajs';
import { INTEGRATION_TOPICS, type IntegrationEvent, type Rpc } from '#contracts';
import { ensureTopics, prefixed, requestTopic, serviceTopics } from '#messaging';
import { spawnApp, type AppProcess } from './app-process.js';
import type { KafkaClients } from './kafka-broker.js';
import {
  connectCaller,
  consumersOf,
  kafkaClientFor,
  kafkaConnectionFor,
  waitUntilAnswering,
  type Caller,
} from './kafka-caller.js';
import { startSubscriber, type Subscriber } from './kafka-subscriber.js';

export interface ServiceInstancesOptions {
  readonly service: keyof typeof INTEGRATION_TOPICS;
  /** How many processes share the service's consumer group (and its DATA_DIR, named in `env`). */
  readonly instances: number;
  /** The service's environment, its Kafka principal's settings and `DATA_DIR` included. */
  readonly env: Readonly<Record<string, string>>;
  /** The test run's broker principals (`inject('kafkaClients')`). */
  readonly kafka: KafkaClients;
  /** Names this run's caller and subscriber groups apart from other runs'. */
  readonly run: string;
  /** The service's health pattern: it answers once the service consumes requests. */
  readonly health: Rpc;
  /** The specs send bursts of requests: started only once every instance owns partitions of the request topic. */
  readonly bursts?: boolean;
  /** Which published events to keep (the broker may hold other runs'). */
  readonly keep: (event: IntegrationEvent) => boolean;
}

/**
 * Several processes of one service (dist/, so `npm run build` first) on one
 * DATA_DIR sharing its consumer group on the real broker, for the integration
 * specs of what must hold across instances: a caller driving them through the
 * message patterns as the gateway does, and a subscriber collecting what their
 * relays publish. Another process of the service on the same broker (another
 * test run) would answer some requests from its own store: the instances
 * refuse to start beside one, and `assertAlone` tells when one joins later.
 */
export class ServiceInstances {
  readonly processes: AppProcess[] = [];
  /** What the service published, every copy (at-least-once: a lease handover may publish an event again). */
  readonly published: IntegrationEvent[] = [];

  private subscriber: Subscriber | undefined;

  private constructor(
    private readonly options: ServiceInstancesOptions,
    readonly caller: Caller,
  ) {}

  /** Connects the caller and the subscriber (the service's topics created first: a subscriber may not create any). */
  static async open(options: ServiceInstancesOptions): Promise<ServiceInstances> {
    const { service, kafka, run, env } = options;
    const caller = await connectCaller(kafka.gateway, `gateway-it-${service}-${run}`, 15_000, env['DATA_DIR']);
    await ensureTopics(kafkaConnectionFor(kafka[service]), `it-${service}-setup`, serviceTopics(service));
    const instances = new ServiceInstances(options, caller);
    instances.subscriber = await startSubscriber(kafka.subscriber, {
      groupId: `subscriber-it-${service}-${run}`,
      topics: [prefixed(kafkaConnectionFor(kafka.subscriber), INTEGRATION_TOPICS[service])],
      onMessage: (message) => {
        const event = JSON.parse(message.value?.toString() ?? 'null') as IntegrationEvent;
        if (options.keep(event)) instances.published.push(event);
      },
    });
    return instances;
  }

  /** The published events, each once, in the order they were first seen. */
  distinctPublished(): IntegrationEvent[] {
    return [...new Map(this.published.map((event) => [event.eventId, event])).values()];
  }

  /**
   * Starts the instances at once (they also race to create development keys and
   * to bootstrap) and waits until every one has joined the group (owning
   * partitions of the request topic, for bursts).
   */
  async start(): Promise<void> {
    const { service, instances, env, kafka, health, bursts = false } = this.options;
    const started = Array.from({ length: instances }, () => spawnApp(service, env));
    this.processes.push(...started);
    try {
      await waitUntilAnswering(() => this.caller.services.call(health, {}), 90_000);
      await waitUntilAnswering(async () => {
        await this.assertAlone();
        const consumers = await consumersOf(kafka.admin, service);
        if (consumers < instances)
          throw new Error(`${consumers} of ${instances} instances joined the "${service}" group`);
        if (bursts) await this.requestOwners();
      }, 60_000);
    } catch (error) {
      const output = started
        .map((instance) => instance.logs())
        .join('\n')
        .slice(-3000);
      throw new Error(`${service} did not start: ${(error as Error).message}\n--- ${service} output ---\n${output}`);
    }
  }

  /** Stops every instance started so far (`start` again for a restart on the same store). */
  async stopInstances(): Promise<void> {
    await Promise.all(this.processes.map((instance) => instance.stop()));
  }

  async close(): Promise<void> {
    await this.stopInstances();
    await this.subscriber?.close();
    await this.caller.close();
  }

  logs(): string {
    return this.processes.map((instance) => instance.logs()).join('\n');
  }

  /** Throws when more processes than ours consume the service's requests: their answers are not ours. */
  async assertAlone(): Promise<void> {
    const { service, instances, kafka } = this.options;
    const consumers = await consumersOf(kafka.admin, service);
    if (consumers > instances) {
      throw new Error(
        `${consumers} processes consume the "${service}" group: another ${service} service (another test run?) ` +
          'answers some requests from its own store; stop it and run again',
      );
    }
  }

  /**
   * How many instances were handed requests while `burst` ran: the request
   * topic's partitions whose end moved, mapped to their owner (the same before
   * and after, so no rebalance moved them meanwhile). The caller's producer
   * spreads unkeyed requests over the partitions round robin.
   */
  async instancesReached(burst: () => Promise<void>): Promise<number> {
    const topic = this.requestTopic();
    const admin = kafkaClientFor(
      this.options.kafka.admin,
      `it-${this.options.service}-spread-${this.options.run}`,
    ).admin();
    await admin.connect();
    try {
      const ends = async () =>
        new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high]));
      const owners = await this.requestOwners();
      const before = await ends();
      await burst();
      const after = await ends();
      const ownersAfter = await this.requestOwners();
      if (JSON.stringify([...ownersAfter]) !== JSON.stringify([...owners])) {
        throw new Error(`the "${this.options.service}" group rebalanced during the burst`);
      }
      const reached = new Set<string>();
      for (const [partition, high] of after) {
        if (high !== before.get(partition)) reached.add(owners.get(`${topic}/${partition}`)!);
      }
      return reached.size;
    } finally {
      await admin.disconnect();
    }
  }

  private requestTopic(): string {
    return prefixed(kafkaConnectionFor(this.options.kafka.admin), requestTopic(this.options.service));
  }

  /**
   * The owner of each partition of the request topic, once the group is
   * stable with every instance owning some: counting members is not
   * enough, since a member that has joined holds nothing until the rebalance
   * completes, and a burst sent meanwhile goes to the other instance alone.
   */
  private async requestOwners(): Promise<Map<string, string>> {
    const { kafka, service, run } = this.options;
    const admin = kafkaClientFor(kafka.admin, `it-${service}-owners-${run}`).admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([prefixed(kafkaConnectionFor(kafka.admin), service)]);
      const group = groups[0];
      if (group?.state !== 'Stable') throw new Error(`the "${service}" group is ${group?.state ?? 'missing'}`);
      const owners = new Map<string, string>();
      for (const member of group.members) {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment;
        const topic = this.requestTopic();
        const partitions = assignment?.[topic] ?? [];
        if (partitions.length === 0) throw new Error(`${member.memberId} owns no partition of ${topic} yet`);
        for (const partition of partitions) owners.set(`${topic}/${partition}`, member.memberId);
      }
      return owners;
    } finally {
      await admin.disconnect();
    }
  }
}
