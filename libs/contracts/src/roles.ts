import { DomainError } from './errors.js';

/** Roles are free strings; `admin` is the one the gateway gives powers to. */
export const ADMIN_ROLE = 'admin';
export const MAX_ROLES = 32;
export const MAX_ROLE_LENGTH = 64;
/** One rule everywhere (identity's user roles, policy's `requiredForRoles`), so they compare as plain strings. */
export const ROLE_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

export class InvalidRoles extends DomainError {
  constructor(field: string, reason: string) {
    super('validation_failed', `${field}: ${reason}`, { field });
  }
}

/** Trimmed, lower-case, duplicates dropped (first occurrence kept), at most `MAX_ROLES`. Throws `InvalidRoles`. */
export function normaliseRoles(raw: readonly string[], field = 'roles'): string[] {
  const roles: string[] = [];
  for (const entry of raw) {
    const role = entry.trim().toLowerCase();
    if (role.length === 0) throw new InvalidRoles(field, 'a role name is empty');
    if (role.length > MAX_ROLE_LENGTH) {
      throw new InvalidRoles(field, `a role name is longer than ${MAX_ROLE_LENGTH} characters`);
    }
    if (!ROLE_NAME.test(role)) {
      throw new InvalidRoles(field, `"${role}" is not a role name (letters, digits, '_', '.', '-')`);
    }
    if (!roles.includes(role)) roles.push(role);
  }
  if (roles.length > MAX_ROLES) throw new InvalidRoles(field, `at most ${MAX_ROLES} roles`);
  return roles;
}

export const sameRoles = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((role) => b.includes(role));
