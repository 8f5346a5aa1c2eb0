import { accessSync, constants, mkdirSync } from 'node:fs';

/**
 * DATA_DIR, created if missing, or the one-line start failure an operator can
 * act on. Whatever writes there first (a development key, the embedded store)
 * checks through here, so the same problem reads the same way.
 */
export function ensureWritableDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'failed';
    throw new Error(`DATA_DIR ${dataDir} is not writable: ${code}`);
  }
}
