import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root: docker-compose.yml and scripts/ are there. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
/** A project of its own: a developer's `docker-compose up` (project totp-mfa) is never touched. */
export const PROJECT = 'totp-mfa-ci';
export const GATEWAY_URL = 'http://127.0.0.1:3000';
/** The images scripts/docker-images.sh builds, named as docker-compose.yml expects them by default. */
const IMAGES = ['totp-mfa:local', 'totp-mfa-kafka:local', 'totp-mfa-postgres:local'];
/** The containers with a health check: every app, Kafka and the store. */
export const HEALTH_CHECKED = ['gateway', 'identity', 'mfa', 'policy', 'notifications', 'kafka', 'postgres'] as const;
export type HealthChecked = (typeof HEALTH_CHECKED)[number];

const quietly = (command: string, args: string[]): boolean => {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
};

/**
 * Why the stack cannot run here, or undefined when it can: a Docker engine answers,
 * docker-compose is installed and the images are built (scripts/docker-engine.sh start,
 * scripts/docker-images.sh). Checked once, when the spec file loads.
 */
export function whyStackUnavailable(): string | undefined {
  if (!quietly('docker', ['info'])) return 'no Docker engine answers (scripts/docker-engine.sh start)';
  if (!quietly('docker-compose', ['version']))
    return 'docker-compose is not installed (scripts/docker-engine.sh install)';
  const missing = IMAGES.filter((image) => !quietly('docker', ['image', 'inspect', image]));
  if (missing.length > 0) return `images not built: ${missing.join(', ')} (scripts/docker-images.sh)`;
  return undefined;
}

/** The stack's secrets and admin, made fresh for each run. */
export interface StackSecrets {
  readonly dir: string;
  readonly admin: { readonly email: string; readonly password: string };
}

export function makeSecrets(): StackSecrets {
  const dir = join(ROOT, '.cache', 'compose', 'secrets');
  rmSync(dir, { recursive: true, force: true });
  const admin = { email: 'admin@example.com', password: `compose admin ${Date.now()} password` };
  execFileSync(join(ROOT, 'scripts', 'docker-secrets.sh'), [dir], {
    env: { ...process.env, TOTP_MFA_ADMIN_PASSWORD: admin.password },
    stdio: 'ignore',
    timeout: 60_000,
  });
  return { dir, admin };
}

export function composeEnv(secrets: StackSecrets): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TOTP_MFA_SECRETS: secrets.dir,
    BOOTSTRAP_ADMIN_EMAIL: secrets.admin.email,
    GATEWAY_PORT: '3000',
    COMPOSE_PROJECT_NAME: PROJECT,
  };
}

/** `docker-compose -p totp-mfa-ci <args>` from the repository root (docker-compose.yml + its override). */
export async function compose(env: NodeJS.ProcessEnv, args: string[], timeoutMs = 300_000): Promise<string> {
  try {
    const { stdout, stderr } = await run('docker-compose', ['-p', PROJECT, ...args], {
      cwd: ROOT,
      env,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`docker-compose ${args.join(' ')} failed:\n${stdout}${stderr}`.slice(0, 8_000));
  }
}

/** `docker inspect`'s health of a service's container: healthy, unhealthy, starting, or absent. */
export async function healthOf(service: HealthChecked): Promise<string> {
  try {
    const { stdout } = await run(
      'docker',
      [
        'inspect',
        '--format',
        '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}',
        `${PROJECT}_${service}_1`,
      ],
      { timeout: 20_000 },
    );
    return stdout.trim();
  } catch {
    return 'absent';
  }
}

/** Waits, up to `timeoutMs`, until every listed service's container reports healthy. */
export async function waitHealthy(services: readonly HealthChecked[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let states: string[] = [];
  while (Date.now() < deadline) {
    states = await Promise.all(services.map(async (service) => `${service}: ${await healthOf(service)}`));
    if (states.every((state) => state.endsWith(': healthy'))) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`not healthy within ${timeoutMs / 1000} s: ${states.join(', ')}`);
}
