import { badInput } from '../errors/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks that an id argument is a UUID, so bad ids get BAD_USER_INPUT rather than a database error. */
export function requireUuid(value: string, field = 'id'): string {
  if (!UUID.test(value)) throw badInput(`${field} must be a UUID`, field);
  return value.toLowerCase();
}
