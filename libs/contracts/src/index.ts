export * from './errors.js';
export * from './assert-never.js';
export * from './rpc.js';
export * from './schemas.js';
export * from './roles.js';
export * from './identity.contract.js';
export * from './session.contract.js';
export * from './refresh-token.js';
export * from './mfa.contract.js';
export * from './policy.contract.js';
export * from './integration-events.js';
export * from './integration-events/envelope.js';
export * from './integration-events/identity.events.js';
export * from './integration-events/mfa.events.js';
export * from './integration-events/policy.events.js';
export * from './integration-events/registry.js';
export * from './asyncapi/asyncapi-document.js';
export * from './notifications.contract.js';

import { IdentityRpc } from './identity.contract.js';
import { MfaRpc } from './mfa.contract.js';
import { PolicyRpc } from './policy.contract.js';
import { SessionRpc } from './session.contract.js';
import type { ServiceName } from './rpc.js';

/** Every request/reply pattern per service (the `x-pattern` header on its Kafka request topic). */
export const PATTERNS_BY_SERVICE: Record<ServiceName, readonly string[]> = {
  identity: [...Object.values(IdentityRpc), ...Object.values(SessionRpc)].map((r) => r.pattern),
  mfa: Object.values(MfaRpc).map((r) => r.pattern),
  policy: Object.values(PolicyRpc).map((r) => r.pattern),
};
