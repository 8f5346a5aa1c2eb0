/**
 * The mfa service for Nest-level specs: the real `MfaModule` over a SQLite
 * file in a temporary DATA_DIR, served on a private in-process bus (payloads
 * cross it as JSON, as over Kafka), with a clock the spec sets and a logger
 * that keeps every line for leak checks.
 */
import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { MfaRpc, type ResponseOf, type Rpc, type RpcResult } from '#contracts';
import { loadConfig, type Config } from '#config';
import { EVENT_STORE, type EventStore } from '#event-store';
import { InProcessBus, InProcessServer } from '#messaging';
import { CLOCK, type Clock } from '../clock.js';
import { MfaModule } from '../mfa.module.js';
import { generateEncryptionKey } from '../totp/secret-cipher.js';
import { codeForStep, DEFAULT_TOTP_PARAMETERS, timeStep } from '../totp/totp.js';

export class ManualClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(instant: Date): void {
    this.current = new Date(instant.getTime());
  }

  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }

  /** The TOTP step (30 s) of the current instant. */
  step(): number {
    return timeStep(this.current, DEFAULT_TOTP_PARAMETERS.period);
  }
}

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private record(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push(
      [level, message, ...rest].map((part) => (typeof part === 'string' ? part : String(part))).join(' '),
    );
  }
  log(message: unknown, ...rest: unknown[]) {
    this.record('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.record('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.record('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.record('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.record('verbose', message, rest);
  }
}

export interface MfaServiceUnderTest {
  readonly dataDir: string;
  readonly config: Config;
  readonly clock: ManualClock;
  readonly store: EventStore;
  /** Sends a payload (anything, even an invalid one) to a pattern and answers what the service answered. */
  call<R extends Rpc<z.ZodType, unknown>>(rpc: R, payload: unknown): Promise<RpcResult<ResponseOf<R>>>;
  /** Calls and unwraps a success; fails the spec with the refusal otherwise. */
  ok<R extends Rpc<z.ZodType, unknown>>(rpc: R, payload: unknown): Promise<ResponseOf<R>>;
  logs(): string;
  /** Stops the service; the DATA_DIR stays unless `removeData`. */
  close(options?: { removeData?: boolean }): Promise<void>;
}

export interface StartMfaServiceOptions {
  /** Environment on top of a fresh DATA_DIR and MFA_ENCRYPTION_KEY; `MFA_ENCRYPTION_KEY: ''` leaves it unset. */
  readonly env?: Record<string, string>;
  /** Reuse a DATA_DIR (a restart). */
  readonly dataDir?: string;
  readonly now?: Date;
}

/** A fixed instant 5 s into a 30-second step, so codes of the step before and after are both in reach. */
export const T0 = new Date('2025-06-02T10:00:05Z');

export async function startMfaService(options: StartMfaServiceOptions = {}): Promise<MfaServiceUnderTest> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mfa-spec-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    MFA_ENCRYPTION_KEY: generateEncryptionKey(),
    ...options.env,
  };
  if (env['MFA_ENCRYPTION_KEY'] === '') delete env['MFA_ENCRYPTION_KEY'];
  const config = loadConfig(env);
  const clock = new ManualClock(options.now ?? T0);
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({ imports: [MfaModule.register(config)] })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .setLogger(logger)
    .compile();
  const bus = new InProcessBus();
  const app = moduleRef.createNestMicroservice({ strategy: new InProcessServer(bus) });
  app.useLogger(logger);
  await app.listen();

  const call = async <R extends Rpc<z.ZodType, unknown>>(rpc: R, payload: unknown) =>
    (await bus.request(rpc.pattern, payload)) as RpcResult<ResponseOf<R>>;
  return {
    dataDir,
    config,
    clock,
    store: app.get<EventStore>(EVENT_STORE),
    call,
    ok: async (rpc, payload) => {
      const result = await call(rpc, payload);
      if (!result.ok) throw new Error(`${rpc.pattern} refused: ${result.error.code} (${result.error.message})`);
      return result.value;
    },
    logs: () => logger.lines.join('\n'),
    close: async ({ removeData = false } = {}) => {
      await app.close();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What the user's authenticator app shows for `step` (30 s, 6 digits, SHA-1). */
export const appCode = (secret: string, step: number): string =>
  codeForStep({ secret, step, algorithm: DEFAULT_TOTP_PARAMETERS.algorithm, digits: DEFAULT_TOTP_PARAMETERS.digits });

/** A 6-digit code that is not the code of any step in `steps` (so certainly wrong there). */
export function wrongCode(secret: string, steps: readonly number[]): string {
  const taken = new Set(steps.map((step) => appCode(secret, step)));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!taken.has(candidate)) return candidate;
  }
}

export const CONTEXT = { ip: '198.51.100.4', userAgent: 'spec-agent/1.0' } as const;

/**
 * Enrols `userId` and activates with the codes of the steps before and at the
 * clock's step; answers the secret. The clock is left where it was.
 */
export async function activeUser(
  service: MfaServiceUnderTest,
  userId: string,
  label = `${userId}@example.com`,
): Promise<{ secret: string; activationStep: number }> {
  const { secret } = await service.ok(MfaRpc.startEnrollment, { userId, label });
  const step = service.clock.step();
  await service.ok(MfaRpc.activate, { userId, code1: appCode(secret, step - 1), code2: appCode(secret, step) });
  return { secret, activationStep: step };
}
