/**
 * The routers a running Switchyard knows (SPEC section 3): those declared in the config file (read-only) merged over
 * those in the store (written by the router API and the CLI). Each router is parsed and its CEL compiled once per
 * stored version; the request path only reads the in-memory map. Changes made by another process (the CLI, another
 * instance) are picked up from the store's change marker on a timer; this process's own writes apply at once.
 * The CEL engine is imported before the first router with routes is parsed, on every path a router comes in by
 * (`loadCelFor`; docs/decisions/0007-lazy-optional-modules.md).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { ConfigError } from '../config/index.js';
import type { RouterSource, Store, StoredRouter } from '../store/types.js';
import { compileRouter, ID_PATTERN, loadCelFor, parseRouter, toApiJson, type CompiledRouter, type Router, type ValidationError } from './routers/index.js';

export interface RegisteredRouter {
  /** `<id>` of `routers/<id>`. */
  id: string;
  /** The stored version (grows by one on every write); 0 for a config router not (yet) written to the store. */
  version: number;
  source: RouterSource;
  router: Router;
  /** Conditions compiled once for this version. */
  compiled: CompiledRouter;
  createdAt: number | null;
  updatedAt: number | null;
}

export type RouterWriteError =
  | { ok: false; status: 400; reason: 'invalid'; message: string; errors: ValidationError[] }
  | { ok: false; status: 404; reason: 'not_found'; message: string }
  | { ok: false; status: 409; reason: 'exists' | 'config' | 'conflict'; message: string };

export type RouterWriteResult = { ok: true; router: RegisteredRouter; created: boolean; unchanged?: boolean } | RouterWriteError;

export interface RegistryOptions {
  /** The config file's `routers:` list (SPEC section 8), exactly as the router API takes them. */
  config?: readonly unknown[];
  /** Named in the error when a config router is invalid. */
  configFile?: string;
  log?: Logger;
  /** Change-marker poll interval; 0 = no timer (one-shot tools). Default 500 ms. */
  refreshMs?: number;
  /**
   * Write the config routers to the store with source `config` (and remove config rows no longer declared), so the
   * CLI and other processes see them. The running router does this; one-shot tools do not. Default true.
   */
  syncConfig?: boolean;
}

const NAME_PREFIXES = ['routers/', 'router/', 'inworld/'];

/** `routers/<id>`, `router/<id>`, `inworld/<id>` or `<id>` → `<id>`. */
export function normaliseRouterId(idOrName: string): string {
  const id = idOrName.trim();
  for (const p of NAME_PREFIXES) if (id.startsWith(p)) return id.slice(p.length);
  return id;
}

function messageOfConfig(id: string): string {
  return `router "${id}" is declared in the config file (routers:); it is read-only through the API and the CLI. Change it in the config file and restart.`;
}

function rec(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The top-level router fields an update mask may name (camel form). */
const MASKABLE = new Set(['name', 'displayName', 'defaults', 'routes', 'defaultRoute']);
const OUTPUT_ONLY = new Set(['createTime', 'updateTime']);

/**
 * Applies an update (AIP-134) to a router's API JSON and returns the merged JSON, which the caller validates whole.
 * - `mask` null: every top-level field given in `patch` replaces the stored one; the others stay.
 * - `mask` `['*']`: `patch` replaces the router.
 * - otherwise each mask path (`display_name`, `defaults.text_generation_config`, either casing) is copied from
 *   `patch`; a masked field absent from `patch` is cleared.
 * A field set to null is cleared.
 * Keys are matched in either casing; the patch's spelling is kept so validation errors name its fields as written.
 */
export function applyUpdateMask(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
  mask: readonly string[] | null,
): { ok: true; json: Record<string, unknown> } | { ok: false; errors: ValidationError[] } {
  if (mask !== null && mask.length === 1 && mask[0] === '*') return { ok: true, json: structuredClone(patch) };
  const out = structuredClone(base);
  const keyIn = (o: Record<string, unknown>, camel: string) => Object.keys(o).find((k) => toCamel(k) === camel);
  const setIn = (o: Record<string, unknown>, key: string, value: unknown) => {
    const camel = toCamel(key);
    for (const k of Object.keys(o)) if (toCamel(k) === camel) delete o[k];
    // JSON null clears a field, as in the protobuf JSON mapping.
    if (value !== undefined && value !== null) o[key] = structuredClone(value);
  };
  if (mask === null) {
    for (const [k, v] of Object.entries(patch)) setIn(out, k, v);
    return { ok: true, json: out };
  }
  const errors: ValidationError[] = [];
  for (const path of mask) {
    const segs = path.split('.');
    if (segs.some((s) => s === '' || /[[\]*]/.test(s))) {
      errors.push({ path: 'update_mask', message: `"${path}": a mask path names fields separated by dots (e.g. display_name, defaults.text_generation_config), not list items` });
      continue;
    }
    const top = toCamel(segs[0]);
    if (OUTPUT_ONLY.has(top)) {
      errors.push({ path: 'update_mask', message: `"${path}": ${segs[0]} is output only` });
      continue;
    }
    if (!MASKABLE.has(top)) {
      errors.push({ path: 'update_mask', message: `"${path}": unknown field ${segs[0]} (name, display_name, defaults, routes, default_route)` });
      continue;
    }
    let target = out;
    let source: Record<string, unknown> | null = patch;
    let bad = false;
    for (const seg of segs.slice(0, -1)) {
      const camel = toCamel(seg);
      const from: Record<string, unknown> | null = source;
      const sourceKey: string | undefined = from ? keyIn(from, camel) : undefined;
      source = from && sourceKey !== undefined ? rec(from[sourceKey]) : null;
      const tk = keyIn(target, camel);
      let next = tk !== undefined ? target[tk] : undefined;
      if (next === undefined) {
        next = {};
        target[sourceKey ?? seg] = next;
      }
      const obj = rec(next);
      if (!obj) {
        errors.push({ path: 'update_mask', message: `"${path}": ${seg} is not an object` });
        bad = true;
        break;
      }
      target = obj;
    }
    if (bad) continue;
    const last = segs[segs.length - 1];
    const sk = source ? keyIn(source, toCamel(last)) : undefined;
    setIn(target, sk ?? last, sk !== undefined ? source![sk] : undefined);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, json: out };
}

/** `update_mask=a,b.c` → `['a', 'b.c']`; empty or absent → null. */
export function parseUpdateMask(value: string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  const paths = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return paths.length > 0 ? paths : null;
}

interface CacheEntry {
  entry: RegisteredRouter;
  /** The stored JSON, to tell a re-created router (version restarting at 1) from the cached one. */
  jsonText: string;
}

export class RouterRegistry {
  /** Store routers by id, parsed once per (id, version). */
  private stored = new Map<string, CacheEntry>();
  /** Config routers by id (they win over the store). */
  private configured = new Map<string, RegisteredRouter>();
  private merged = new Map<string, RegisteredRouter>();
  private marker = -1;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every write through this registry; a reload that overlapped one is redone. */
  private localWrites = 0;
  private reloading: Promise<void> | null = null;
  /** Called after a write through this registry, to tell the other instances (set by the app). */
  onLocalWrite: (() => void) | null = null;
  /** Set while timer refreshes fail (the store is unreachable), so the failure is logged once. */
  private refreshError: string | null = null;

  private constructor(
    private readonly store: Store,
    private readonly log: Logger | undefined,
  ) {}

  /**
   * Validates the config routers (throwing `ConfigError` naming the file and the JSON path of each problem), loads
   * the store's routers and starts the change-marker timer.
   */
  static async open(store: Store, opts: RegistryOptions = {}): Promise<RouterRegistry> {
    const reg = new RouterRegistry(store, opts.log);
    await loadCelFor(opts.config ?? []);
    reg.loadConfig(opts.config ?? [], opts.configFile ?? 'config file');
    if (opts.syncConfig !== false) await reg.syncConfig();
    await reg.reload();
    const refreshMs = opts.refreshMs ?? 500;
    if (refreshMs > 0) {
      reg.timer = setInterval(() => void reg.tick(), refreshMs);
      reg.timer.unref();
    }
    return reg;
  }

  /**
   * Replaces the config routers with a newly read config's (SIGHUP): validated first, so an invalid file changes
   * nothing; then mirrored into the store, which tells every other instance through the change feed.
   */
  async reloadConfig(list: readonly unknown[], file: string): Promise<void> {
    await loadCelFor(list);
    const previous = this.configured;
    this.configured = new Map();
    try {
      this.loadConfig(list, file);
    } catch (err) {
      this.configured = previous;
      throw err;
    }
    await this.syncConfig();
    await this.reload();
  }

  private loadConfig(list: readonly unknown[], file: string): void {
    const issues: Array<{ path: string; reason: string }> = [];
    const seen = new Map<string, number>();
    list.forEach((raw, i) => {
      const parsed = parseRouter(raw);
      if (!parsed.ok) {
        for (const e of parsed.errors) issues.push({ path: `routers[${i}]${e.path ? (e.path.startsWith('[') ? e.path : `.${e.path}`) : ''}`, reason: e.message });
        return;
      }
      const id = normaliseRouterId(parsed.router.name);
      const prev = seen.get(id);
      if (prev !== undefined) {
        issues.push({ path: `routers[${i}].name`, reason: `router id "${id}" is declared twice (also routers[${prev}])` });
        return;
      }
      seen.set(id, i);
      this.configured.set(id, { id, version: 0, source: 'config', router: parsed.router, compiled: compileRouter(parsed.router), createdAt: null, updatedAt: null });
    });
    if (issues.length > 0) throw new ConfigError(file, issues);
  }

  /** Makes the store mirror the config routers (source `config`), so the CLI and other processes see them. */
  private async syncConfig(): Promise<void> {
    this.localWrites++;
    for (const [id, entry] of this.configured) {
      const json = toApiJson(entry.router);
      const current = await this.store.getRouter(id);
      if (current && current.source === 'config' && isDeepStrictEqual(current.json, json)) {
        Object.assign(entry, { version: current.version, createdAt: current.createdAt, updatedAt: current.updatedAt });
        continue;
      }
      if (current && current.source === 'api') {
        this.log?.warn({ router: id }, `the config file declares router "${id}"; it replaces the router of the same id written through the API`);
      }
      const put = await this.store.putRouter({ id, json, source: 'config' });
      if (put.ok) Object.assign(entry, { version: put.router.version, createdAt: put.router.createdAt, updatedAt: put.router.updatedAt });
    }
    for (const r of await this.store.listRouters()) {
      if (r.source === 'config' && !this.configured.has(r.id)) await this.store.deleteRouter(r.id);
    }
  }

  /** Reads every router from the store, re-parsing only those whose version changed. */
  async reload(): Promise<void> {
    for (;;) {
      const writes = this.localWrites;
      // The marker first: a change committed while the list is read is seen again on the next tick.
      const marker = await this.store.changeMarker();
      const rows = await this.store.listRouters();
      await loadCelFor(rows.map((r) => r.json));
      if (writes !== this.localWrites) continue;
      const next = new Map<string, CacheEntry>();
      for (const row of rows) {
        const conf = this.configured.get(row.id);
        if (conf) {
          if (row.source === 'config') Object.assign(conf, { version: row.version, createdAt: row.createdAt, updatedAt: row.updatedAt });
          continue;
        }
        const cached = this.stored.get(row.id);
        const jsonText = JSON.stringify(row.json);
        if (cached && cached.entry.version === row.version && cached.jsonText === jsonText) {
          next.set(row.id, cached);
          continue;
        }
        const entry = this.fromStored(row);
        if (entry) next.set(row.id, { entry, jsonText });
      }
      this.stored = next;
      this.marker = marker;
      this.rebuild();
      return;
    }
  }

  private async tick(): Promise<void> {
    try {
      await this.refreshIfChanged();
      if (this.refreshError !== null) this.log?.info({ routers: this.merged.size }, 'router refresh works again');
      this.refreshError = null;
    } catch (err) {
      // Once per outage, not every tick: the routers last read keep serving meanwhile.
      if (this.refreshError === null) this.log?.warn({ err: (err as Error).message, routers: this.merged.size }, 'router refresh failed; serving the routers last read until the store answers again');
      this.refreshError = (err as Error).message;
    }
  }

  /** Reloads when another connection changed the store since the last look. */
  async refreshIfChanged(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      try {
        const m = await this.store.changeMarker();
        if (m !== this.marker) await this.reload();
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private fromStored(row: StoredRouter): RegisteredRouter | null {
    const parsed = parseRouter(row.json);
    if (!parsed.ok) {
      this.log?.warn({ router: row.id, errors: parsed.errors }, `stored router "${row.id}" is invalid and is ignored`);
      return null;
    }
    return { id: row.id, version: row.version, source: row.source, router: parsed.router, compiled: compileRouter(parsed.router), createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  private rebuild(): void {
    const merged = new Map<string, RegisteredRouter>();
    for (const [id, c] of this.stored) merged.set(id, c.entry);
    for (const [id, e] of this.configured) merged.set(id, e);
    this.merged = new Map([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Applies a write made through this registry at once (the change marker only reports other connections). */
  private noteStored(row: StoredRouter, router: Router): RegisteredRouter {
    const entry: RegisteredRouter = { id: row.id, version: row.version, source: row.source, router, compiled: compileRouter(router), createdAt: row.createdAt, updatedAt: row.updatedAt };
    this.stored.set(row.id, { entry, jsonText: JSON.stringify(row.json) });
    this.rebuild();
    this.onLocalWrite?.();
    return entry;
  }

  private noteDeleted(id: string): void {
    this.stored.delete(id);
    this.rebuild();
    this.onLocalWrite?.();
  }

  /** A router by `<id>`, `routers/<id>`, `router/<id>` or `inworld/<id>`. */
  get(idOrName: string): RegisteredRouter | null {
    return this.merged.get(normaliseRouterId(idOrName)) ?? null;
  }

  /** Every router, ordered by id. */
  list(): RegisteredRouter[] {
    return [...this.merged.values()];
  }

  isConfigured(id: string): boolean {
    return this.configured.has(normaliseRouterId(id));
  }

  /** The API form of a router: `toApiJson` plus the output-only `createTime`/`updateTime`. */
  apiJson(entry: RegisteredRouter): Record<string, unknown> {
    const out = toApiJson(entry.router);
    if (entry.createdAt !== null) out.createTime = new Date(entry.createdAt).toISOString();
    if (entry.updatedAt !== null) out.updateTime = new Date(entry.updatedAt).toISOString();
    return out;
  }

  /**
   * Creates a router (`POST /router/v1/routers`). The id comes from `id` (the `router_id` query parameter) and/or
   * the body's `name`; when both are given they must agree. Fails with 409 when the id exists.
   */
  async create(input: unknown, id?: string | null): Promise<RouterWriteResult> {
    const body = rec(input);
    if (!body) return invalid([{ path: '', message: 'a router must be a JSON object' }]);
    const fromName = typeof body.name === 'string' && body.name !== '' ? normaliseRouterId(body.name) : null;
    const given = id !== undefined && id !== null && id !== '' ? normaliseRouterId(id) : null;
    if (given !== null && fromName !== null && given !== fromName) {
      return invalid([{ path: 'name', message: `"${String(body.name)}" does not match router_id "${given}"` }]);
    }
    const routerIdValue = given ?? fromName;
    if (routerIdValue === null) {
      return invalid([{ path: 'name', message: 'required: give the router id as the router_id query parameter or as name ("routers/<id>")' }]);
    }
    if (!ID_PATTERN.test(routerIdValue)) {
      return invalid([{ path: given !== null && fromName === null ? 'router_id' : 'name', message: `router id "${routerIdValue}" must match ^[a-z0-9][a-z0-9-]*$` }]);
    }
    await loadCelFor([body]);
    const parsed = parseRouter({ ...body, name: `routers/${routerIdValue}` });
    if (!parsed.ok) return invalid(parsed.errors);
    if (this.configured.has(routerIdValue)) return { ok: false, status: 409, reason: 'config', message: messageOfConfig(routerIdValue) };
    this.localWrites++;
    const put = await this.store.putRouter({ id: routerIdValue, json: toApiJson(parsed.router), source: 'api' }, { expectVersion: 0 });
    if (!put.ok) {
      if (put.conflict?.source === 'config') return { ok: false, status: 409, reason: 'config', message: messageOfConfig(routerIdValue) };
      return { ok: false, status: 409, reason: 'exists', message: `router "${routerIdValue}" already exists; change it with PATCH /router/v1/routers/${routerIdValue}` };
    }
    return { ok: true, router: this.noteStored(put.router, parsed.router), created: true };
  }

  /**
   * Updates a router (`PATCH /router/v1/routers/{id}?update_mask=...`): the mask's fields (or, without a mask, the
   * fields given) change, and the result is validated as a whole. The router id cannot change.
   */
  async update(idOrName: string, patchInput: unknown, mask: readonly string[] | null): Promise<RouterWriteResult> {
    const id = normaliseRouterId(idOrName);
    const patch = rec(patchInput);
    if (!patch) return invalid([{ path: '', message: 'the body must be a JSON object (the router, or the fields to change)' }]);
    if (typeof patch.name === 'string' && normaliseRouterId(patch.name) !== id) {
      return invalid([{ path: 'name', message: `"${patch.name}" does not match the router in the path ("routers/${id}"); a router's name cannot change` }]);
    }
    if (this.configured.has(id)) return { ok: false, status: 409, reason: 'config', message: messageOfConfig(id) };
    // Optimistic concurrency: the write is based on the version read, and retried if another writer got in between.
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.getRouter(id);
      if (!current) return { ok: false, status: 404, reason: 'not_found', message: notFoundMessage(id) };
      if (current.source === 'config') return { ok: false, status: 409, reason: 'config', message: messageOfConfig(id) };
      const merged = applyUpdateMask(current.json, patch, mask);
      if (!merged.ok) return invalid(merged.errors);
      const json = { ...merged.json };
      for (const k of Object.keys(json)) if (k === 'name') delete json[k];
      await loadCelFor([json]);
      const parsed = parseRouter({ name: `routers/${id}`, ...json });
      if (!parsed.ok) return invalid(parsed.errors);
      const apiJson = toApiJson(parsed.router);
      this.localWrites++;
      const put = await this.store.putRouter({ id, json: apiJson, source: 'api' }, { expectVersion: current.version });
      if (put.ok) return { ok: true, router: this.noteStored(put.router, parsed.router), created: false };
      if (!put.conflict) return { ok: false, status: 404, reason: 'not_found', message: notFoundMessage(id) };
    }
    return { ok: false, status: 409, reason: 'conflict', message: `router "${id}" was changed by another writer while this update was applied; retry` };
  }

  /** Creates or replaces a router from its full JSON (`switchyard routers apply`). Unchanged routers are not rewritten. */
  async apply(input: unknown): Promise<RouterWriteResult> {
    const body = rec(input);
    if (!body) return invalid([{ path: '', message: 'a router must be a JSON object' }]);
    if (typeof body.name !== 'string' || body.name === '') return invalid([{ path: 'name', message: 'required: "routers/<id>"' }]);
    await loadCelFor([body]);
    const parsed = parseRouter(body);
    if (!parsed.ok) return invalid(parsed.errors);
    const id = normaliseRouterId(parsed.router.name);
    if (this.configured.has(id)) return { ok: false, status: 409, reason: 'config', message: messageOfConfig(id) };
    const json = toApiJson(parsed.router);
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.getRouter(id);
      if (current?.source === 'config') return { ok: false, status: 409, reason: 'config', message: messageOfConfig(id) };
      if (current && isDeepStrictEqual(current.json, json)) {
        const entry = this.get(id);
        const fresh = entry && entry.version === current.version ? entry : this.noteStored(current, parsed.router);
        return { ok: true, router: fresh, created: false, unchanged: true };
      }
      this.localWrites++;
      const put = await this.store.putRouter({ id, json, source: 'api' }, { expectVersion: current?.version ?? 0 });
      if (put.ok) return { ok: true, router: this.noteStored(put.router, parsed.router), created: put.router.version === 1 };
    }
    return { ok: false, status: 409, reason: 'conflict', message: `router "${id}" was changed by another writer while it was applied; retry` };
  }

  async delete(idOrName: string): Promise<{ ok: true; router: StoredRouter } | RouterWriteError> {
    const id = normaliseRouterId(idOrName);
    if (this.configured.has(id)) return { ok: false, status: 409, reason: 'config', message: messageOfConfig(id) };
    const current = await this.store.getRouter(id);
    if (current?.source === 'config') return { ok: false, status: 409, reason: 'config', message: messageOfConfig(id) };
    this.localWrites++;
    const deleted = await this.store.deleteRouter(id);
    if (!deleted) return { ok: false, status: 404, reason: 'not_found', message: notFoundMessage(id) };
    this.noteDeleted(id);
    return { ok: true, router: deleted };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function invalid(errors: ValidationError[]): RouterWriteError {
  const first = errors.slice(0, 3).map((e) => `${e.path || '(router)'}: ${e.message}`);
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return { ok: false, status: 400, reason: 'invalid', message: `invalid router: ${first.join('; ')}${more}`, errors };
}

export function notFoundMessage(id: string): string {
  return `router "${id}" does not exist. List routers with GET /router/v1/routers.`;
}
