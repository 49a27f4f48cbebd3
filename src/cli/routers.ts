/**
 * `switchyard routers apply|list|get|delete|test`. They work on the store directly (like `keys`); a running router
 * picks the changes up from the store's change marker within a second.
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { createApp } from '../app.js';
import { dryRun, type DryRunReport } from '../ingress/routers/dry-run.js';
import { buildProviders, demoProvider } from '../providers/registry.js';
import { RouterRegistry, type RegisteredRouter } from '../routing/router-registry.js';
import { loadCelFor, parseRouter } from '../routing/routers/index.js';
import { openStore } from '../store/index.js';
import { resolveConfig, type CommonOptions } from './options.js';

type Out = (text: string) => void;
const stdout: Out = (t) => process.stdout.write(t);

/** Opens the store and a registry over it (config routers validated, no timer, nothing written for them). */
async function withRegistry<T>(opts: CommonOptions, fn: (registry: RouterRegistry) => Promise<T>): Promise<T> {
  const { config, dataDir, file } = await resolveConfig(opts);
  const store = await openStore(config, dataDir);
  try {
    const registry = await RouterRegistry.open(store, { config: config.routers, configFile: file ?? 'config', refreshMs: 0, syncConfig: false });
    return await fn(registry);
  } finally {
    await store.close();
  }
}

function table(rows: string[][], out: Out): void {
  const widths = rows[0].map((_h, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) out(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
}

/** The routers in a file: JSON or YAML; one router, a list, `{routers: [...]}`, or several YAML documents. */
export async function readRouterFile(file: string): Promise<unknown[]> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read file: ${e.code ?? e.message}`);
  });
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const items: unknown[] = [];
  for (const doc of list) {
    if (doc.errors.length) {
      const e = doc.errors[0];
      throw new Error(`${file}: ${e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : ''}${e.message.split('\n')[0]}`);
    }
    const v = doc.toJS() as unknown;
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) items.push(...(v as unknown[]));
    else if (typeof v === 'object' && Object.keys(v).length === 1 && Array.isArray((v as { routers?: unknown }).routers)) items.push(...(v as { routers: unknown[] }).routers);
    else items.push(v);
  }
  if (items.length === 0) throw new Error(`${file}: no router in the file`);
  return items;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => (text += d));
    process.stdin.once('end', () => resolve(text));
    process.stdin.once('error', reject);
  });
}

function label(item: unknown, i: number, count: number): string {
  const name = item !== null && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string' ? (item as { name: string }).name : null;
  const where = count > 1 ? `[${i}]` : '';
  return name ? `${where}${where ? ' ' : ''}${name}` : where || 'router';
}

/**
 * `routers apply -f FILE`: validates every router of the file first (printing each error with its path) and writes
 * nothing unless all are valid; then creates or replaces each one.
 */
export async function routersApply(opts: CommonOptions & { file: string }, out: Out = stdout): Promise<void> {
  const items = await readRouterFile(opts.file);
  await loadCelFor(items);
  await withRegistry(opts, async (registry) => {
    const problems: string[] = [];
    items.forEach((item, i) => {
      const r = parseRouter(item);
      const name = (item as { name?: unknown } | null)?.name;
      if (r.ok && (typeof name !== 'string' || name === '')) problems.push(`${label(item, i, items.length)}: name: required ("routers/<id>")`);
      if (!r.ok) for (const e of r.errors) problems.push(`${label(item, i, items.length)}: ${e.path || '(router)'}: ${e.message}`);
      if (r.ok && registry.isConfigured(r.router.name)) problems.push(`${label(item, i, items.length)}: declared in the config file (routers:); change it there`);
    });
    if (problems.length > 0) throw new Error(`${opts.file}: invalid router${problems.length === 1 ? '' : 's'}, nothing applied:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    for (const item of items) {
      const r = await registry.apply(item);
      if (!r.ok) throw new Error(`${label(item, 0, 1)}: ${r.message}${r.status === 400 ? '\n' + r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n') : ''}`);
      const verb = r.unchanged ? 'unchanged' : r.created ? 'created' : 'updated';
      out(`${r.router.router.name} ${verb} (version ${r.router.version})\n`);
    }
  });
}

function routeSummary(r: RegisteredRouter): string {
  const n = r.router.routes.length;
  return `${n} route${n === 1 ? '' : 's'}${r.router.defaultRoute ? ' + default' : ''}`;
}

export async function routersList(opts: CommonOptions & { json?: boolean }, out: Out = stdout): Promise<void> {
  await withRegistry(opts, async (registry) => {
    const all = registry.list();
    if (opts.json) {
      out(JSON.stringify({ routers: all.map((r) => registry.apiJson(r)) }, null, 2) + '\n');
      return;
    }
    if (all.length === 0) {
      out('No routers. Create one with: npx switchyard routers apply -f router.yaml\n');
      return;
    }
    const rows = all.map((r) => [r.id, r.router.displayName ?? '-', routeSummary(r), String(r.version), r.source, r.updatedAt ? new Date(r.updatedAt).toISOString() : '-']);
    table([['ID', 'DISPLAY NAME', 'ROUTES', 'VERSION', 'SOURCE', 'UPDATED'], ...rows], out);
  });
}

export async function routersGet(id: string, opts: CommonOptions, out: Out = stdout): Promise<void> {
  await withRegistry(opts, async (registry) => {
    const r = registry.get(id);
    if (!r) throw new Error(`no router "${id}" (list them with: npx switchyard routers list)`);
    out(JSON.stringify(registry.apiJson(r), null, 2) + '\n');
  });
}

export async function routersDelete(id: string, opts: CommonOptions, out: Out = stdout): Promise<void> {
  await withRegistry(opts, async (registry) => {
    const r = await registry.delete(id);
    if (!r.ok) throw new Error(r.reason === 'not_found' ? `no router "${id}" (list them with: npx switchyard routers list)` : r.message);
    out(`routers/${r.router.id} deleted\n`);
  });
}

/** `--metadata k=v`: values that read as JSON numbers or booleans become those (as a typed JSON body would send). */
export function parseMetadataPairs(pairs: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--metadata "${pair}": expected key=value`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    out[key] = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}

function parseHeaderPairs(pairs: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const c = pair.indexOf(':');
    const e = pair.indexOf('=');
    const at = c > 0 && (e < 0 || c < e) ? c : e;
    if (at <= 0) throw new Error(`--header "${pair}": expected name: value`);
    out[pair.slice(0, at).trim().toLowerCase()] = pair.slice(at + 1).trim();
  }
  return out;
}

export function formatReport(r: DryRunReport): string {
  const lines: string[] = [];
  lines.push(`Router:     ${r.router} (version ${r.version}${r.source === 'config' ? ', from the config file' : ''})`);
  lines.push(`API:        ${r.api}${r.api_guessed ? ' (guessed from the request; use --api to choose)' : ''}`);
  if (r.route_id === null) lines.push('Route:      none');
  else lines.push(`Route:      ${r.route_id} ${r.default_route ? '(default route: no condition matched)' : `(matched ${r.matched_expression})`}`);
  lines.push(`Variant:    ${r.variant_id ?? 'none'}`);
  if (r.reasoning ?? r.reason) lines.push(`Reasoning:  ${r.reasoning ?? r.reason}`);
  if (r.error) lines.push(`Result:     the request would fail with ${r.error.code} ${r.error.type}: ${r.error.message}`);
  lines.push('Candidates (tried in this order):');
  if (r.candidates.length === 0) lines.push('  (none)');
  r.candidates.forEach((c, i) => lines.push(`  ${i + 1}. ${c.provider}/${c.model}`));
  if (r.excluded.length > 0) {
    lines.push('Excluded:');
    for (const e of r.excluded) lines.push(`  - ${e.provider ? `${e.provider}/` : ''}${e.model}: ${e.reason}`);
  }
  if (r.cel_errors.length > 0) {
    lines.push('CEL errors (each counted as false):');
    for (const e of r.cel_errors) lines.push(`  - route ${e.route_id}: ${e.expression}: ${e.error}`);
  }
  lines.push('CEL inputs:');
  lines.push(
    JSON.stringify(r.cel_inputs, null, 2)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  return lines.join('\n') + '\n';
}

/**
 * `routers test <id> -f request.json`: the dry run of `POST /router/v1/routers/{id}:test`, offline. The routing
 * services are built by `createApp` itself (same providers, catalog, aliases and routers as `start`), without
 * listening and without the demo simulator (a stand-in demo provider is used when no provider is configured, as
 * `start` would); no provider is called.
 */
export async function routersTest(
  id: string,
  opts: CommonOptions & { file: string; metadata?: string[]; header?: string[]; api?: string; key?: string; json?: boolean },
  out: Out = stdout,
): Promise<void> {
  const { config, dataDir, file } = await resolveConfig(opts);
  const text = opts.file === '-' ? await readStdin() : await readFile(opts.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${opts.file}: cannot read file: ${e.code ?? e.message}`);
  });
  const docs = parseAllDocuments(text);
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc || doc.errors.length) throw new Error(`${opts.file}: ${doc?.errors[0]?.message.split('\n')[0] ?? 'empty file'}`);
  let request = doc.toJS() as unknown;
  // A file holding a whole test body ({request, api, metadata, headers}) is accepted too.
  const wrapped = request !== null && typeof request === 'object' && 'request' in request && !('messages' in request) ? (request as Record<string, unknown>) : null;
  if (wrapped) request = wrapped.request;
  if (opts.api !== undefined && opts.api !== 'anthropic' && opts.api !== 'openai') throw new Error(`--api: "${opts.api}" (anthropic or openai)`);

  const body: Record<string, unknown> = { ...(wrapped ?? {}), request };
  const metadata = { ...((wrapped?.metadata as Record<string, unknown> | undefined) ?? {}), ...parseMetadataPairs(opts.metadata) };
  if (Object.keys(metadata).length > 0) body.metadata = metadata;
  const headers = { ...((wrapped?.headers as Record<string, string> | undefined) ?? {}), ...parseHeaderPairs(opts.header) };
  if (Object.keys(headers).length > 0) body.headers = headers;
  if (opts.api) body.api = opts.api;

  const providers = buildProviders(config, process.env);
  const app = await createApp({
    config,
    dataDir,
    configFile: file ?? undefined,
    logger: pino({ level: 'silent' }),
    // Same providers as `start`; with none, the demo provider stands in (never called: nothing listens on it).
    providers: providers.length > 0 ? providers : [demoProvider('http://127.0.0.1:9')],
    demoWhenEmpty: false,
  });
  try {
    const r = dryRun(app.services, { id, body, keyName: opts.key ?? null });
    if (!r.ok) throw new Error(`${r.message}${r.errors ? '\n' + r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n') : ''}`);
    out(opts.json ? JSON.stringify(r.result, null, 2) + '\n' : formatReport(r.result));
  } finally {
    await app.close(0);
  }
}
