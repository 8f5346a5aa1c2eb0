import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureWritableDataDir } from './data-dir.js';

/**
 * A development key kept in DATA_DIR when the environment gives none: read it,
 * or create it with `generate()`. The key is written to a private temporary
 * file (mode 0600, flushed to disk: losing it loses what it protects) and then
 * hard-linked into place, which fails if the name exists. So processes starting
 * at once on a fresh DATA_DIR all end up with whichever key was linked first,
 * and nobody ever reads a half-written file. Errors name the file, never a key.
 */
export function readOrCreateKeyFile(path: string, generate: () => string): { contents: string; created: boolean } {
  ensureWritableDataDir(dirname(path));
  const existing = readKeyFile(path);
  if (existing !== null) return { contents: existing, created: false };

  const contents = generate();
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, contents);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
      const theirs = readKeyFile(path);
      if (theirs === null) throw error;
      return { contents: theirs, created: false };
    }
    syncDirectory(dirname(path));
    return { contents, created: true };
  } catch (error) {
    throw new Error(`cannot create the development key file ${path}: ${codeOf(error) ?? 'failed'}`);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readKeyFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw new Error(`cannot read the development key file ${path}: ${codeOf(error) ?? 'failed'}`);
  }
}

/** Makes the new directory entry durable too; not every file system allows it, and then the file's own fsync must do. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
