import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the caller turns a written clients folder into (kafka-broker.ts: `brokerFromClientsDir`). */
export type BrokerFromClients<Broker> = (clientsDir: string, release: () => Promise<void>) => Broker;

/**
 * The repo's own Kafka image (docker/kafka, built by scripts/docker-images.sh) as a
 * Testcontainers broker, secured like scripts/kafka-local.sh's: the secrets
 * scripts/docker-secrets.sh makes (a throw-away CA, the broker's certificate for
 * 127.0.0.1, a password per principal), the ACLs of scripts/kafka/acls.mjs, and a
 * clients folder like the script's. On the host's network, bound to 127.0.0.1 on a
 * free port, so the address it advertises is the one clients dial. Testcontainers'
 * reaper is left off: its image comes from a registry; `release` removes the container.
 */
export async function startKafkaImage<Broker>(
  image: string,
  root: string,
  toBroker: BrokerFromClients<Broker>,
): Promise<Broker> {
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  const { GenericContainer, Wait } = await import('testcontainers');
  mkdirSync(join(root, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, '.cache', 'kafka-image-'));
  const secrets = join(dir, 'secrets');
  const clients = join(dir, 'clients');
  try {
    await run(join(root, 'scripts', 'docker-secrets.sh'), [secrets], { timeout: 60_000 });
    const principals = readdirSync(join(secrets, 'kafka'))
      .filter((file) => file.endsWith('.password'))
      .map((file) => file.slice(0, -'.password'.length));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const container = await new GenericContainer(image)
      .withNetworkMode('host')
      .withEnvironment({
        KAFKA_LISTEN_HOST: '127.0.0.1',
        KAFKA_ADVERTISED_HOST: '127.0.0.1',
        KAFKA_PORT: String(port),
        KAFKA_CONTROLLER_PORT: String(controllerPort),
      })
      .withBindMounts([
        { source: join(secrets, 'kafka', 'ca.pem'), target: '/run/secrets/kafka-ca.pem', mode: 'ro' },
        { source: join(secrets, 'kafka', 'broker.pem'), target: '/run/secrets/kafka-broker.pem', mode: 'ro' },
        ...principals.map((principal) => ({
          source: join(secrets, 'kafka', `${principal}.password`),
          target: `/run/secrets/kafka-${principal}.password`,
          mode: 'ro' as const,
        })),
      ])
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000)
      .start();
    const release = once(async () => {
      await container.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    try {
      mkdirSync(clients, { mode: 0o700 });
      for (const principal of principals) {
        writeFileSync(
          join(clients, `${principal}.env`),
          [
            `# Written by libs/testing startKafkaImage: ${image}, as principal ${principal}.`,
            `KAFKA_BROKERS=127.0.0.1:${port}`,
            `KAFKA_SSL_CA_FILE=${join(secrets, 'kafka', 'ca.pem')}`,
            'KAFKA_SASL_MECHANISM=scram-sha-512',
            `KAFKA_SASL_USERNAME=${principal}`,
            `KAFKA_SASL_PASSWORD_FILE=${join(secrets, 'kafka', `${principal}.password`)}`,
            '',
          ].join('\n'),
          { mode: 0o600 },
        );
      }
      const admin = { ...process.env, KAFKA_CLIENT_ENV_FILE: join(clients, 'admin.env') };
      await run('node', [join(root, 'scripts', 'kafka', 'wait-ready.mjs'), `127.0.0.1:${port}`, '60000'], {
        env: admin,
        timeout: 70_000,
      });
      await run('node', [join(root, 'scripts', 'kafka', 'acls.mjs'), 'grant', join(clients, 'admin.env'), ''], {
        timeout: 60_000,
      });
      return toBroker(clients, release);
    } catch (error) {
      await release();
      throw error;
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A port nothing listens on right now, on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}
