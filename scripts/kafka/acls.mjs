// The ACLs of one installation (one KAFKA_TOPIC_PREFIX) on a broker running
// StandardAuthorizer, granted or revoked as the `admin` super user.
//
// usage: node acls.mjs grant|revoke <admin.env> [topic prefix]
//
// Every binding is PREFIXED or LITERAL on names that start with the installation's
// prefix, so installations with other prefixes get nothing from it. Kafka ACLs
// match names by prefix only, so a service's namespace `<prefix><service>.` holds
// both its request topics and their `.reply` topics: the service may read and
// write both, the gateway too. A service still cannot touch another service's
// request topics, nor write another's integration topic; the gateway reads the
// integration topics and writes none, and identity reads its own and mfa's (both
// for revoked sessions). A service replies only on the request topic's own
// `.reply` topic (KafkaRequestServer), whatever the request names.
import kafkajs from 'kafkajs';
import { kafkaConnection, readEnvFile } from './client-env.mjs';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

/** The services answering requests: SERVICE_NAMES in libs/contracts (test/integration/kafka-acl.spec.ts checks each). */
const SERVICES = ['identity', 'mfa', 'policy'];

const { TOPIC, GROUP } = AclResourceTypes;
const { PREFIXED, LITERAL } = ResourcePatternTypes;
const { READ, WRITE, CREATE, DESCRIBE } = AclOperationTypes;

const allow = (principal, resourceType, resourcePatternType, resourceName, operations) =>
  operations.map((operation) => ({
    principal: `User:${principal}`,
    host: '*',
    resourceType,
    resourcePatternType,
    resourceName,
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  }));

function installationAcls(prefix) {
  return [
    // gateway: sends requests to every service and reads their replies, in groups `gateway-*`.
    ...SERVICES.flatMap((service) =>
      allow('gateway', TOPIC, PREFIXED, `${prefix}${service}.`, [CREATE, DESCRIBE, WRITE, READ]),
    ),
    ...allow('gateway', GROUP, PREFIXED, `${prefix}gateway-`, [READ]),
    // gateway: reads the integration topics (its view of revoked sessions), in groups `gateway-*`; writes none.
    ...allow('gateway', TOPIC, PREFIXED, `${prefix}auth.`, [DESCRIBE, READ]),
    // each service: its own request and reply topics, its integration topic (write only), its one group.
    ...SERVICES.flatMap((service) => [
      ...allow(service, TOPIC, PREFIXED, `${prefix}${service}.`, [CREATE, DESCRIBE, READ, WRITE]),
      ...allow(service, TOPIC, LITERAL, `${prefix}auth.${service}.events`, [CREATE, DESCRIBE, WRITE]),
      ...allow(service, GROUP, LITERAL, `${prefix}${service}`, [READ]),
      // its relay's lease: the member of this group that owns the one partition of `<service>.relay-lease` publishes.
      ...allow(service, GROUP, LITERAL, `${prefix}${service}-relay`, [READ]),
    ]),
    // identity: reads its own and mfa's integration events (a password, role or MFA change revokes the
    // user's other sessions), in its one group for that.
    ...allow('identity', TOPIC, LITERAL, `${prefix}auth.identity.events`, [READ]),
    ...allow('identity', TOPIC, LITERAL, `${prefix}auth.mfa.events`, [DESCRIBE, READ]),
    ...allow('identity', GROUP, LITERAL, `${prefix}identity-session-revocation`, [READ]),
    // notifications: reads the mfa and identity events, in its two groups (`notifications` for the mail,
    // `notifications-recipients` for the addresses), and writes its dead-letter topic; nothing else.
    ...allow('notifications', TOPIC, LITERAL, `${prefix}auth.mfa.events`, [DESCRIBE, READ]),
    ...allow('notifications', TOPIC, LITERAL, `${prefix}auth.identity.events`, [DESCRIBE, READ]),
    ...allow('notifications', TOPIC, LITERAL, `${prefix}auth.notifications.dead-letter`, [CREATE, DESCRIBE, WRITE]),
    ...allow('notifications', GROUP, LITERAL, `${prefix}notifications`, [READ]),
    ...allow('notifications', GROUP, LITERAL, `${prefix}notifications-recipients`, [READ]),
    // subscriber: reads the integration topics, in groups `subscriber-*`; nothing else.
    ...allow('subscriber', TOPIC, PREFIXED, `${prefix}auth.`, [DESCRIBE, READ]),
    ...allow('subscriber', GROUP, PREFIXED, `${prefix}subscriber-`, [READ]),
    // ops (the ops CLI): reads the integration topics like a subscriber, in groups `ops-*` of its own, and
    // describes each relay's lease group (`relay status`: who publishes); writes nothing, joins no service's group.
    ...allow('ops', TOPIC, PREFIXED, `${prefix}auth.`, [DESCRIBE, READ]),
    ...allow('ops', GROUP, PREFIXED, `${prefix}ops-`, [READ]),
    ...SERVICES.flatMap((service) => allow('ops', GROUP, LITERAL, `${prefix}${service}-relay`, [DESCRIBE])),
  ];
}

const [action, envFile, prefix = ''] = process.argv.slice(2);
if (!['grant', 'revoke'].includes(action) || !envFile) {
  console.error('usage: node acls.mjs grant|revoke <admin.env> [topic prefix]');
  process.exit(2);
}
const admin = new Kafka({
  clientId: 'kafka-local-acls',
  ...kafkaConnection(readEnvFile(envFile)),
  logLevel: logLevel.NOTHING,
  connectionTimeout: 5_000,
  retry: { retries: 5, initialRetryTime: 200 },
}).admin();
const acls = installationAcls(prefix);
try {
  await admin.connect();
  if (action === 'grant') await admin.createAcls({ acl: acls });
  else await admin.deleteAcls({ filters: acls });
  console.info(
    `kafka-local: ${action === 'grant' ? 'granted' : 'revoked'} ${acls.length} ACLs for topic prefix '${prefix}'`,
  );
} catch (error) {
  console.error(`kafka-local: ACLs not changed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
}
