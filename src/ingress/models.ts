import type { Services } from '../app-types.js';
import { KNOWN_MODELS } from '../routing/known-models.js';
import { authenticate } from './auth.js';
import type { RequestContext } from './context.js';
import { sendJson } from './respond.js';

interface ListedModel {
  id: string;
  name: string;
  provider: string;
  created: number;
}

/** Every model id a caller can send: bare ids Claude Code's picker understands, `provider/model` forms, aliases. */
export function listModels(svc: Services): ListedModel[] {
  const out = new Map<string, ListedModel>();
  for (const p of svc.providers.list()) {
    const known = KNOWN_MODELS[p.demo ? 'anthropic' : p.name] ?? [];
    for (const m of known) {
      const created = Math.floor(Date.parse(m.released) / 1000);
      if (!out.has(m.id)) out.set(m.id, { id: m.id, name: p.demo ? `${m.name} (demo simulator)` : m.name, provider: p.name, created });
      out.set(`${p.name}/${m.id}`, { id: `${p.name}/${m.id}`, name: `${m.name} via ${p.displayName}`, provider: p.name, created });
    }
    for (const id of p.models) out.set(`${p.name}/${id}`, { id: `${p.name}/${id}`, name: `${id} via ${p.displayName}`, provider: p.name, created: 0 });
  }
  for (const alias of Object.keys(svc.config.aliases)) {
    if (!out.has(alias)) out.set(alias, { id: alias, name: `${alias} (alias for ${svc.config.aliases[alias]})`, provider: 'alias', created: 0 });
  }
  return [...out.values()];
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
