import { createClientKey } from '../auth/index.js';
import { keyLimitsSchema, LIMIT_NAMES, type KeyLimitsInput } from '../limits/index.js';
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

/** `--limit requests_per_minute=60 --limit usd_per_day=5 --limit tokens_per_minute=none` → checked limits. */
export function parseLimitOptions(pairs: readonly string[], base: KeyLimitsInput = {}): KeyLimitsInput {
  const out: Record<string, number | null> = { ...base };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const raw = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!(LIMIT_NAMES as readonly string[]).includes(name)) throw new Error(`--limit ${pair}: unknown limit "${name}" (${LIMIT_NAMES.join(', ')})`);
    if (raw === 'none' || raw === 'null') out[name] = null;
    else if (raw !== '' && Number.isFinite(Number(raw))) out[name] = Number(raw);
    else throw new Error(`--limit ${pair}: expected ${name}=<number> or ${name}=none`);
  }
  const parsed = keyLimitsSchema.safeParse(out);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--limit ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function describeLimits(limits: KeyLimitsInput | null | undefined): string {
  const entries = Object.entries(limits ?? {}).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? 'none of its own' : entries.map(([k, v]) => `${k}=${v === null ? 'none' : String(v)}`).join(' ');
}

export async function keysLimits(idOrName: string, opts: CommonOptions & { limit?: string[]; clear?: boolean }): Promise<void> {
  await withStore(opts, async (store) => {
    const current = (await store.listKeys()).filter((k) => k.id === idOrName || k.name === idOrName).at(-1);
    if (!current) throw new Error(`no active key with id or name "${idOrName}"`);
    if (!opts.clear && !opts.limit?.length) {
      process.stdout.write(`Key ${current.name} (${current.id}) limits: ${describeLimits(current.limits)}\n`);
      return;
    }
    const next = opts.clear ? null : parseLimitOptions(opts.limit ?? [], current.limits ?? {});
    const updated = await store.setKeyLimits(current.id, next);
    if (!updated) throw new Error(`no active key with id or name "${idOrName}"`);
    process.stdout.write(`Key ${updated.name} (${updated.id}) limits: ${describeLimits(updated.limits)}\n`);
  });
}

export async function keysCreate(name: string, opts: CommonOptions & { permission?: string[]; limit?: string[] }): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error(`key name "${name}": use letters, digits, . _ - (max 64)`);
  const permissions = (opts.permission ?? []) as Permission[];
  for (const p of permissions) if (p !== 'routers:write' && p !== 'admin') throw new Error(`--permission: unknown permission "${p}" (routers:write, admin)`);
  const limits = opts.limit?.length ? parseLimitOptions(opts.limit) : null;
  await withStore(opts, async (store) => {
    const { key, record } = await createClientKey(store, name, permissions, 'cli', limits);
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
