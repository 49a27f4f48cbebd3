import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClientKey, hashKey } from '../auth/index.js';
import type { Store } from '../store/index.js';

/** Reads a key kept in `<data-dir>/<file>` if it is still an active key of the store. */
export async function readStoredKey(store: Store, dataDir: string, file: string): Promise<string | null> {
  const key = await readFile(path.join(dataDir, file), 'utf8').then((s) => s.trim(), () => null);
  if (!key) return null;
  const secret = await store.secret();
  return (await store.listKeys()).some((k) => k.hash === hashKey(secret, key)) ? key : null;
}

/** Creates a client key and keeps its plaintext in `<data-dir>/<file>` (mode 0600) for later local use. */
export async function createStoredKey(store: Store, dataDir: string, file: string, name: string): Promise<string> {
  const { key } = await createClientKey(store, name, [], 'local');
  const target = path.join(dataDir, file);
  await writeFile(target, key + '\n', { mode: 0o600 });
  await chmod(target, 0o600);
  return key;
}

/**
 * For the no-configuration quick start: a client key named `local` whose plaintext is kept in `<data-dir>/local-key`
 * so `start` can print it every time and `switchyard claude` can use it. Only made while no other client key exists;
 * with keys in the config or made by the CLI, nothing is written.
 */
export async function ensureLocalKey(store: Store, dataDir: string): Promise<string | null> {
  const existing = await readStoredKey(store, dataDir, 'local-key');
  if (existing) return existing;
  if ((await store.listKeys()).some((k) => k.name !== 'local')) return null;
  return createStoredKey(store, dataDir, 'local-key', 'local');
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * For the no-configuration quick start: with no `auth.admin_key` and a loopback-only listener, an admin key kept in
 * `<data-dir>/admin-key` (mode 0600), so the portal can be signed in to on a fresh machine. Returns null (and writes
 * nothing) when an admin key is configured or the router is exposed beyond this machine — there the operator must
 * choose one.
 */
export async function ensureLocalAdminKey(dataDir: string, host: string, configured: string | undefined): Promise<string | null> {
  if (configured !== undefined || !LOOPBACK_HOSTS.has(host)) return null;
  const target = path.join(dataDir, 'admin-key');
  const existing = await readFile(target, 'utf8').then((s) => s.trim(), () => '');
  if (existing.length >= 16) return existing;
  const key = `sk-sy-admin-${randomBytes(24).toString('base64url')}`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(target, key + '\n', { mode: 0o600 });
  await chmod(target, 0o600);
  return key;
}
