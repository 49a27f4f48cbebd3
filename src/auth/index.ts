export { KeyRing, generateKey, displayPrefix, hashKey, presentedKey, secretsEqual, type AuthenticatedKey } from './keys.js';
export { createClientKey, bootstrapConfigKeys } from './manage.js';
