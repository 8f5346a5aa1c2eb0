/**
 * For specs only: the policy module as the service runs it (real wiring, real
 * SQLite store in a temporary DATA_DIR), driven by calling its controllers'
 * methods with raw payloads, as the transport would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { loadConfig } from '#config';
import { PolicyModule } from './policy.module.js';

export interface RunningPolicy {
  readonly module: TestingModule;
  /** Closes the module and removes its DATA_DIR. */
  stop(): Promise<void>;
}

export async function startPolicy(): Promise<RunningPolicy> {
  const dataDir = mkdtempSync(join(tmpdir(), 'policy-spec-'));
  const module = await Test.createTestingModule({
    imports: [PolicyModule.register(loadConfig({ DATA_DIR: dataDir }))],
  }).compile();
  await module.init();
  return {
    module,
    stop: async () => {
      await module.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
