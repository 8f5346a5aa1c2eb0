/**
 * For specs only: the identity module as the service runs it (real wiring,
 * real SQLite store in a temporary DATA_DIR), driven by calling its
 * controllers' methods with raw payloads, as the transport would.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { loadConfig } from '#config';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '#event-store';
import { IdentityModule } from './identity.module.js';

export function temporaryDataDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'identity-spec-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Everything logged, one string per call, to check what the logs must never hold. */
export class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...parts: unknown[]) => this.collect(parts);
  error = (...parts: unknown[]) => this.collect(parts);
  warn = (...parts: unknown[]) => this.collect(parts);
  debug = (...parts: unknown[]) => this.collect(parts);
  verbose = (...parts: unknown[]) => this.collect(parts);

  private collect(parts: unknown[]): void {
    this.lines.push(
      parts.map((part) => (part instanceof Error ? `${part.message}\n${part.stack}` : String(part))).join(' '),
    );
  }
}

export interface IdentityStartOptions {
  readonly env?: Record<string, string>;
  readonly logger?: LoggerService;
  /** false: compiled but not initialised (no module-init or bootstrap hooks ran). */
  readonly init?: boolean;
}

export async function startIdentity(dataDir: string, options: IdentityStartOptions = {}): Promise<TestingModule> {
  const config = loadConfig({ DATA_DIR: dataDir, ...options.env });
  const builder = Test.createTestingModule({ imports: [IdentityModule.register(config)] });
  if (options.logger) builder.setLogger(options.logger);
  const moduleRef = await builder.compile();
  try {
    if (options.init ?? true) await moduleRef.init();
  } catch (error) {
    await moduleRef.close();
    throw error;
  }
  return moduleRef;
}

/** Every event of the module's store, in global order, up to now. */
export async function allEvents(moduleRef: TestingModule): Promise<RecordedEvent[]> {
  const store = moduleRef.get<EventStore>(EVENT_STORE);
  const marker = randomUUID();
  await store.append(`spec_marker-${marker}`, [{ id: marker, type: 'SpecMarker', data: {} }], 'no_stream');
  return new Promise((resolve, reject) => {
    const events: RecordedEvent[] = [];
    const subscription = store.subscribeToAll(
      {},
      {
        onEvent: (event) => {
          if (event.id !== marker) {
            events.push(event);
            return;
          }
          void subscription.close();
          resolve(events);
        },
        onError: reject,
      },
    );
  });
}

export const countByType = (events: readonly RecordedEvent[], type: string): number =>
  events.filter((event) => event.type === type).length;

export const OPERATOR = { email: 'operator@example.org', password: 'operator long password' } as const;
export const OPERATOR_ENV = { BOOTSTRAP_ADMIN_EMAIL: OPERATOR.email, BOOTSTRAP_ADMIN_PASSWORD: OPERATOR.password };
