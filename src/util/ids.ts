import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
let pool = randomBytes(4096);
let offset = 0;

function randomChars(n: number): string {
  if (offset + n > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHABET[pool[offset++] % 62];
  return out;
}

/** Time-ordered request id: `req_` + 9 chars of base36 time + 14 random chars. */
export function newRequestId(): string {
  return 'req_' + Date.now().toString(36).padStart(9, '0') + randomChars(14);
}
