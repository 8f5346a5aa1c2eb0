/**
 * A service for Nest-level specs, as it runs: its real module over a SQLite
 * file in a temporary DATA_DIR, served on a private in-process bus (payloads
 * cross it as JSON, as over Kafka), with a clock the spec moves and a logger
 * that keeps every line for leak checks. Every answer is checked against the
 * pattern's contract, as the gateway checks it, and requests are sealed and
 * framed as the gateway sends them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { z } from 'zod';
import { CLOCK, loadConfig, type AppName, type ConfigOf } from '#config';
import type { Rpc, RpcResult } from '#contracts';
import { EVENT_STORE, type EventStore } from '#event-store';
import { frameRequest, InProcessBus, InProcessServer, SEALING_KEY_RING, type SealingKeyRing } from '#messaging';
import { CollectingLogger } from './collecting-logger.js';
import { ManualClock } from './manual-clock.js';

/** What every service module offers: which app it is, and its wiring for that app's configuration. */
export interface ServiceModule<App extends AppName = AppName> {
  readonly app: App;
  register(config: ConfigOf<App>): DynamicModule;
}

export interface ServiceUnderTest<App extends AppName = AppName> {
  readonly dataDir: string;
  readonly config: ConfigOf<App>;
  readonly clock: ManualClock;
  readonly store: EventStore;
  readonly logger: CollectingLogger;
  readonly app: INestMicroservice;
  /** Sends a payload (anything, even an invalid one) to a pattern and answers what the service answered. */
  call<R extends Rpc>(rpc: R, payload: unknown, options?: CallOptions): Promise<RpcResult<z.output<R['response']>>>;
  /** Calls and unwraps a success; fails the spec with the refusal otherwise. */
  ok<R extends Rpc>(rpc: R, payload: unknown): Promise<z.output<R['response']>>;
  get<T>(token: Type<T> | symbol | string): T;
  /** Everything logged so far. */
  logs(): string;
  /** Stops the service; the DATA_DIR stays unless `removeData` (a restart reuses it). */
  close(options?: { removeData?: boolean }): Promise<void>;
}

export interface CallOptions {
  /** How long the caller waits: the request's deadline. Negative: a request already too late. */
  readonly timeoutMs?: number;
  /** The session the request is made in (the gateway's `actingSessionId`). */
  readonly actingSessionId?: string;
}

export interface StartServiceUnderTestOptions {
  /** Environment on top of a fresh DATA_DIR. */
  readonly env?: Record<string, string>;
  /** Reuse a DATA_DIR (a restart). */
  readonly dataDir?: string;
  /** Where the clock starts; default: now. */
  readonly now?: Date;
}

/** Generous: a spec's request may wait on argon2 and a busy machine; only a hang should pass it. */
const REQUEST_TIMEOUT_MS = 60_000;

export async function startServiceUnderTest<App extends AppName>(
  service: ServiceModule<App>,
  options: StartServiceUnderTestOptions = {},
): Promise<ServiceUnderTest<App>> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'service-spec-'));
  const config = loadConfig(service.app, { DATA_DIR: dataDir, ...options.env });
  const clock = new ManualClock(options.now ?? new Date());
  const logger = new CollectingLogger();
  const moduleRef = await Test.createTestingModule({ imports: [service.register(config)] })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .setLogger(logger)
    .compile();
  const bus = new InProcessBus();
  const app = moduleRef.createNestMicroservice({ strategy: new InProcessServer(bus) });
  app.useLogger(logger);
  try {
    await app.listen();
  } catch (error) {
    await app.close().catch(() => undefined);
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  // Requests are framed and sealed as the gateway frames them, to the keys the service holds.
  const keys = heldKeys(app);
  const recipients = keys ? { identity: () => keys.current, mfa: () => keys.current } : {};
  const call = async <R extends Rpc>(
    rpc: R,
    payload: unknown,
    { timeoutMs = REQUEST_TIMEOUT_MS, actingSessionId }: CallOptions = {},
  ) => {
    const framed = frameRequest(rpc, payload, {
      recipients,
      timeoutMs,
      ...(actingSessionId ? { actingSessionId } : {}),
    });
    const reply = framed.openReply(await bus.request(rpc.pattern, framed.envelope));
    const checked = rpc.result.safeParse(reply);
    if (!checked.success) {
      throw new Error(`${rpc.pattern} answered outside its contract: ${checked.error.message}`);
    }
    // The reply as sent (not as parsed), so a spec also sees fields the contract would drop.
    return reply as RpcResult<z.output<R['response']>>;
  };
  return {
    dataDir,
    config,
    clock,
    logger,
    app,
    store: app.get<EventStore>(EVENT_STORE),
    call,
    ok: async (rpc, payload) => {
      const result = await call(rpc, payload);
      if (!result.ok) throw new Error(`${rpc.pattern} refused: ${result.error.code} (${result.error.message})`);
      return result.value;
    },
    get: (token) => app.get(token),
    logs: () => logger.text(),
    close: async ({ removeData = false } = {}) => {
      await app.close();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The service's sealing keys; policy holds none (nothing is sealed to it). */
function heldKeys(app: INestMicroservice): SealingKeyRing | null {
  try {
    return app.get<SealingKeyRing>(SEALING_KEY_RING, { strict: false });
  } catch {
    return null;
  }
}
