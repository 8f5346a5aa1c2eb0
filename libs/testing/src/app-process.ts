import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root, whether this file runs from its source or from dist/. */
export const REPO_ROOT = (function findRoot(dir: string): string {
  if (existsSync(join(dir, 'package.json'))) return dir;
  const parent = dirname(dir);
  if (parent === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
  return findRoot(parent);
})(resolve(import.meta.dirname));

export interface AppProcess {
  readonly app: string;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** The exit code once it has exited, else null. */
  exitCode(): number | null;
  /** SIGTERM (a graceful shutdown: Kafka consumers leave their group), SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing cleaned up (consumers stay in their group until their session times out). */
  kill(): Promise<void>;
}

/**
 * One app (`gateway`, `identity`, `mfa`, `policy` or `standalone`) as its own
 * process from the compiled dist/ (`npm run build` first; `npm test` does).
 * The caller's KAFKA_BROKERS is not inherited: pass it in `env` to use Kafka.
 */
export function spawnApp(app: string, env: Record<string, string>): AppProcess {
  const entry = join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} not found: run \`npm run build\` first`);
  const { KAFKA_BROKERS: _notInherited, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: { ...inherited, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return {
    app,
    logs: () => output,
    exitCode: () => child.exitCode,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
