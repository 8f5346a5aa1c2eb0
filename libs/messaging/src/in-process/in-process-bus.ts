type RequestHandler = (data: unknown) => Promise<unknown>;
type EventHandler = (data: unknown) => Promise<void>;

/**
 * The in-process stand-in for Kafka when `KAFKA_BROKERS` is unset: patterns
 * route to the handlers the services registered. Payloads cross it as JSON,
 * exactly as over Kafka, so nothing can depend on sharing object references.
 */
export class InProcessBus {
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly eventHandlers = new Map<string, EventHandler[]>();

  handle(pattern: string, handler: RequestHandler): void {
    if (this.requestHandlers.has(pattern)) throw new Error(`pattern ${pattern} is already handled in this process`);
    this.requestHandlers.set(pattern, handler);
  }

  subscribe(pattern: string, handler: EventHandler): void {
    this.eventHandlers.set(pattern, [...(this.eventHandlers.get(pattern) ?? []), handler]);
  }

  /** Takes back one `subscribe` (a service that stops; others on the same pattern keep theirs). */
  unsubscribe(pattern: string, handler: EventHandler): void {
    const remaining = (this.eventHandlers.get(pattern) ?? []).filter((subscribed) => subscribed !== handler);
    if (remaining.length > 0) this.eventHandlers.set(pattern, remaining);
    else this.eventHandlers.delete(pattern);
  }

  remove(pattern: string): void {
    this.requestHandlers.delete(pattern);
    this.eventHandlers.delete(pattern);
  }

  async request(pattern: string, data: unknown): Promise<unknown> {
    const handler = this.requestHandlers.get(pattern);
    if (!handler) throw new Error(`no handler for ${pattern}`);
    return asJson(await handler(asJson(data)));
  }

  async emit(pattern: string, data: unknown): Promise<void> {
    await Promise.all((this.eventHandlers.get(pattern) ?? []).map((handler) => handler(asJson(data))));
  }
}

const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** The bus every in-process server and client of this process shares. */
export const processBus = new InProcessBus();
