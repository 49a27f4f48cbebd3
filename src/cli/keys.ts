import { createClientKey } from '../auth/index.js';
import { openStore, type Permission } from '../store/index.js';
import { resolveConfig, type CommonOptions } from './options.js';

async function withStore<T>(opts: CommonOptions, fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const { config, dataDir } = await resolveConfig(opts);
  const store = await openStore(config, dataDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function keysCreate(name: string, opts: CommonOptions & { permission?: string[] }): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error(`key name "${name}": use letters, digits, . _ - (max 64)`);
  const permissions = (opts.permission ?? []) as Permission[];
  for (const p of permissions) if (p !== 'routers:write' && p !== 'admin') throw new Error(`--permission: unknown permission "${p}" (routers:write, admin)`);
  await withStore(opts, async (store) => {
    const { key, record } = await createClientKey(store, name, permissions, 'cli');
    process.stdout.write(`Created key ${record.name} (${record.id}). It is shown only this once:\n${key}\n`);
  });
}

export async function keysList(opts: CommonOptions & { all?: boolean }): Promise<void> {
  await withStore(opts, async (store) => {
    const keys = await store.listKeys({ includeRevoked: opts.all });
    if (keys.length === 0) {
      process.stdout.write('No client keys. Create one with: npx switchyard keys create <name>\n');
      return;
    }
    const rows = keys.map((k) => [k.id, k.name, `${k.prefix}…`, k.permissions.join(',') || '-', k.source, new Date(k.createdAt).toISOString(), k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active']);
    const header = ['ID', 'NAME', 'PREFIX', 'PERMISSIONS', 'SOURCE', 'CREATED', 'STATUS'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
  });
}

export async function keysRevoke(idOrName: string, opts: CommonOptions): Promise<void> {
  await withStore(opts, async (store) => {
    const revoked = await store.revokeKey(idOrName);
    if (!revoked) throw new Error(`no active key with id or name "${idOrName}"`);
    process.stdout.write(`Revoked key ${revoked.name} (${revoked.id}).\n`);
  });
}
