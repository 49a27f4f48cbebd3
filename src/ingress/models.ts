import type { Services } from '../app-types.js';
import { toHostedModelJson } from '../routing/catalog/index.js';
import { authenticate } from './auth.js';
import type { RequestContext } from './context.js';
import { sendJson } from './respond.js';

interface ListedModel {
  id: string;
  name: string;
  provider: string;
  created: number;
}

function epoch(date: string | undefined): number {
  const t = date ? Date.parse(date) : NaN;
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/**
 * Every model name a caller can send with the configured providers: bare ids first (Claude Code's model picker only
 * shows ids starting with `claude`), then `provider/model` forms, then aliases.
 */
export function listModels(svc: Services): ListedModel[] {
  const bare = new Map<string, ListedModel>();
  const qualified = new Map<string, ListedModel>();
  for (const p of svc.providers.list()) {
    // The demo provider stands in for Anthropic: it lists the Claude models so Claude Code's picker works.
    const entries = svc.catalog.forProvider(p.demo ? 'anthropic' : p.name);
    for (const m of entries) {
      const created = epoch(m.released);
      const label = p.demo ? `${m.name} (demo simulator)` : m.name;
      if (!m.id.includes('/') && !bare.has(m.id)) bare.set(m.id, { id: m.id, name: label, provider: p.name, created });
      qualified.set(`${p.name}/${m.id}`, { id: `${p.name}/${m.id}`, name: `${label} via ${p.displayName}`, provider: p.name, created });
    }
    for (const id of p.models) if (!qualified.has(`${p.name}/${id}`)) qualified.set(`${p.name}/${id}`, { id: `${p.name}/${id}`, name: `${id} via ${p.displayName}`, provider: p.name, created: 0 });
  }
  const sortByNewest = (a: ListedModel, b: ListedModel) => b.created - a.created || a.id.localeCompare(b.id);
  const out = [...[...bare.values()].sort(sortByNewest), ...[...qualified.values()].sort(sortByNewest)];
  for (const alias of Object.keys(svc.config.aliases)) {
    if (!bare.has(alias)) out.push({ id: alias, name: `${alias} (alias for ${svc.config.aliases[alias]})`, provider: 'alias', created: 0 });
  }
  return out;
}

/** `GET /v1/models`: Anthropic page shape when the caller sends anthropic-version, OpenAI list shape otherwise. */
export async function handleModels(svc: Services, ctx: RequestContext): Promise<void> {
  if (!authenticate(svc, ctx)) return;
  const models = listModels(svc);
  ctx.status = 200;
  if (ctx.req.headers['anthropic-version']) {
    const url = new URL(ctx.req.url ?? '/', 'http://x');
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20) || 20, 1), 1000);
    const after = url.searchParams.get('after_id');
    const before = url.searchParams.get('before_id');
    let start = 0;
    let end = models.length;
    if (after) start = models.findIndex((m) => m.id === after) + 1;
    if (before) end = Math.max(models.findIndex((m) => m.id === before), 0);
    const page = before ? models.slice(Math.max(end - limit, 0), end) : models.slice(start, start + limit);
    const hasMore = before ? end - limit > 0 : start + limit < models.length;
    const data = page.map((m) => ({ type: 'model', id: m.id, display_name: m.name, created_at: new Date(m.created * 1000).toISOString() }));
    sendJson(ctx.res, 200, JSON.stringify({ data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null }), { 'x-request-id': ctx.id });
    return;
  }
  const data = models.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.provider }));
  sendJson(ctx.res, 200, JSON.stringify({ object: 'list', data }), { 'x-request-id': ctx.id });
}

/** `GET /llm/v1alpha/models`: the whole catalog in the hosted router's shape, with prices, limits and capabilities. */
export async function handleCatalog(svc: Services, ctx: RequestContext): Promise<void> {
  if (!authenticate(svc, ctx)) return;
  ctx.status = 200;
  const configured = new Set(svc.providers.list().map((p) => p.name));
  const models = svc.catalog.all().map((m) => ({ ...(toHostedModelJson(m) as Record<string, unknown>), available: configured.has(m.provider) }));
  sendJson(ctx.res, 200, JSON.stringify({ models }), { 'x-request-id': ctx.id });
}
