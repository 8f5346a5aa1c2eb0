import { DomainError, type ParsedRequestOf, type ResponseOf, type Rpc } from '#contracts';
import {
  answer as answerAsTheService,
  generateSealingKey,
  InProcessBus,
  InProcessClient,
  rawPublicKey,
  SealingKeyRing,
  ServiceClient,
  type SealingRecipients,
  type SealingService,
} from '#messaging';

type Script<R extends Rpc> = (request: ParsedRequestOf<R>) => ResponseOf<R> | Promise<ResponseOf<R>>;

/**
 * Stand-ins for the identity, mfa and policy services, scripted per pattern, for
 * specs of a caller (the gateway). They sit behind a real `ServiceClient` on an
 * in-process bus and answer through the services' own receiving edge (`answer`):
 * the payload is validated as the service would validate it, a thrown
 * `DomainError` becomes a refusal, and the client checks every scripted reply
 * against the contract, so a script cannot answer what no service could.
 * A pattern with no script is a service that does not answer: `service_unavailable`.
 */
export class FakeServices {
  private readonly scripts = new Map<string, Script<Rpc>>();
  private readonly received: {
    readonly pattern: string;
    readonly request: unknown;
    readonly actingSessionId: string | undefined;
  }[] = [];
  /** Fresh sealing keys, as the real services hold theirs: a caller must seal to them. */
  private readonly keys: Record<SealingService, SealingKeyRing> = {
    identity: new SealingKeyRing(generateSealingKey()),
    mfa: new SealingKeyRing(generateSealingKey()),
  };

  /** `bus`: the process bus to stand in for the services of a gateway started in this process. */
  constructor(private readonly bus: InProcessBus = new InProcessBus()) {}

  /** A `ServiceClient` that reaches these services (the gateway's own reaches them through `bus`). */
  client(timeoutMs = 1000): ServiceClient {
    return new ServiceClient(new InProcessClient(this.bus), timeoutMs, this.recipients());
  }

  recipients(): SealingRecipients {
    return { identity: () => this.keys.identity.current, mfa: () => this.keys.mfa.current };
  }

  /** The configuration that makes a gateway seal to these services. */
  sealingEnv(): Record<string, string> {
    const base64 = (service: SealingService) => rawPublicKey(this.keys[service].current.publicKey).toString('base64');
    return { IDENTITY_SEALING_PUBLIC_KEY: base64('identity'), MFA_SEALING_PUBLIC_KEY: base64('mfa') };
  }

  /** Answers `rpc` with this value, or with what `script` returns for each request. */
  answer<R extends Rpc>(rpc: R, reply: ResponseOf<R> | Script<R>): this {
    const script = typeof reply === 'function' ? (reply as Script<R>) : () => reply;
    if (!this.scripts.has(rpc.pattern)) {
      this.bus.handle(rpc.pattern, (payload) =>
        answerAsTheService(
          rpc,
          payload,
          (request) => {
            const actingSessionId = (payload as { meta?: { actingSessionId?: string } }).meta?.actingSessionId;
            this.received.push({ pattern: rpc.pattern, request, actingSessionId });
            return (this.scripts.get(rpc.pattern) as Script<R>)(request);
          },
          this.keys[rpc.pattern.split('.')[0] as SealingService] ?? null,
        ),
      );
    }
    this.scripts.set(rpc.pattern, script as Script<Rpc>);
    return this;
  }

  /** Answers `rpc` with this refusal. */
  refuse<R extends Rpc>(rpc: R, error: DomainError): this {
    return this.answer(rpc, () => {
      throw error;
    });
  }

  /** From now on `rpc` goes unanswered. */
  unreachable(rpc: Rpc): this {
    this.scripts.delete(rpc.pattern);
    this.bus.remove(rpc.pattern);
    return this;
  }

  /** The valid requests `rpc` received, in order, as the service parsed them. */
  requestsTo<R extends Rpc>(rpc: R): ParsedRequestOf<R>[] {
    return this.received
      .filter((call) => call.pattern === rpc.pattern)
      .map((call) => call.request as ParsedRequestOf<R>);
  }

  /** The session each valid request to `rpc` was made in (`undefined`: none), in order. */
  actingSessionsOf(rpc: Rpc): (string | undefined)[] {
    return this.received.filter((call) => call.pattern === rpc.pattern).map((call) => call.actingSessionId);
  }

  /** Every pattern called, in order. */
  patternsCalled(): string[] {
    return this.received.map((call) => call.pattern);
  }

  /** Takes every script off the bus (needed when it is the process bus). */
  close(): void {
    for (const pattern of this.scripts.keys()) this.bus.remove(pattern);
    this.scripts.clear();
  }
}
