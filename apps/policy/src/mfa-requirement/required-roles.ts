import { DomainError } from '#contracts';

export const MAX_REQUIRED_ROLES = 32;
export const MAX_ROLE_LENGTH = 64;
// Same rule as the `role` schema in libs/contracts (and the identity service's
// roles), so a user's roles and these compare as plain strings.
const ROLE_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

export class InvalidRoles extends DomainError {
  constructor(reason: string) {
    super('validation_failed', `requiredForRoles: ${reason}`, { field: 'requiredForRoles' });
  }
}

/** Trimmed, lower-case, duplicates dropped (first occurrence kept). Throws `InvalidRoles`. */
export function normaliseRequiredRoles(raw: readonly string[]): string[] {
  const roles: string[] = [];
  for (const entry of raw) {
    const role = entry.trim().toLowerCase();
    if (role.length === 0) throw new InvalidRoles('a role name is empty');
    if (role.length > MAX_ROLE_LENGTH)
      throw new InvalidRoles(`a role name is longer than ${MAX_ROLE_LENGTH} characters`);
    if (!ROLE_NAME.test(role)) {
      throw new InvalidRoles(`"${role}" is not a role name (letters, digits, '_', '.', '-')`);
    }
    if (!roles.includes(role)) roles.push(role);
  }
  if (roles.length > MAX_REQUIRED_ROLES) throw new InvalidRoles(`at most ${MAX_REQUIRED_ROLES} roles`);
  return roles;
}
