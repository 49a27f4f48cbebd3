import { randomUUID } from 'node:crypto';

/** A new client key's id (`key_` + 20 hex chars); shared by the backends so neither has to load the other. */
export function newKeyId(): string {
  return 'key_' + randomUUID().replace(/-/g, '').slice(0, 20);
}
