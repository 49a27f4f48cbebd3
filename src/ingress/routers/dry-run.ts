/**
 * The router tester (`POST /router/v1/routers/{id}:test`, `switchyard routers test`): runs a request through the
 * routing pipeline exactly as `/v1/messages` or `/v1/chat/completions` would (`planRoute` with `router/<id>`), and
 * reports the matched route, the variant, the candidate chain, the excluded candidates and the CEL inputs and
 * errors. No provider is called.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Services } from '../../app-types.js';
import { readOpenAIRequest } from '../../execution/openai-passthrough.js';
import { readAnthropicRequest, RequestValidationError } from '../../formats/anthropic/request.js';
import { CodecError } from '../../formats/canonical/codec.js';
import type { Request } from '../../formats/canonical/types.js';
import { codecFor } from '../../formats/index.js';
import { estimateInputTokens } from '../../formats/tokens/index.js';
import { hintsFromHeaders } from '../../routing/hints.js';
import { planRoute } from '../../routing/plan.js';
import { normaliseRouterId, notFoundMessage } from '../../routing/router-registry.js';
import { decide, factsFromRequest, isNoRouteMatched, type ValidationError } from '../../routing/routers/index.js';
import { takeExtensions } from '../extensions.js';

export type Api = 'anthropic' | 'openai';

export interface DryRunInput {
  /** The router id (`<id>` or `routers/<id>`). */
  id: string;
  /** `{request, api?, metadata?, headers?, key_name?}`. */
  body: unknown;
  /** The caller's key name (`request.key` in CEL) unless the body names one. */
  keyName: string | null;
}

export type DryRunResult = { ok: true; result: DryRunReport } | { ok: false; status: 400 | 404; message: string; errors?: ValidationError[] };

export interface DryRunReport {
  router: string;
  version: number;
  source: 'api' | 'config';
  api: Api;
  /** The API was guessed from the request's shape (no `api` given). */
  api_guessed: boolean;
  route_id: string | null;
  variant_id: string | null;
  /** The condition that matched; null when the default route was used or nothing matched. */
  matched_expression: string | null;
  default_route: boolean;
  /** The router's decision in one sentence. */
  reason: string | null;
  /** What `metadata.reasoning` of a real response would say (router decision plus auto selection). */
  reasoning: string | null;
  /** The attempt chain, in order. */
  candidates: Array<{ provider: string; model: string }>;
  excluded: Array<{ provider: string; model: string; reason: string }>;
  cel_inputs: Record<string, unknown>;
  cel_errors: Array<{ route_id: string; expression: string; error: string }>;
  /** Set when the real request would fail (e.g. no route matched, no configured provider): what it would answer. */
  error: { code: number; type: string; message: string } | null;
}

const BODY_FIELDS = new Set(['request', 'api', 'metadata', 'headers', 'key_name', 'keyName']);

function rec(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * Anthropic or OpenAI, from fields and shapes only one of them has; a request valid in both (plain text messages)
 * is Anthropic when it sets `max_tokens` (Anthropic requires it), else OpenAI.
 */
export function guessApi(req: Record<string, unknown>): Api {
  let anthropic = 0;
  let openai = 0;
  for (const k of ['system', 'stop_sequences', 'top_k', 'thinking', 'output_config', 'context_management', 'mcp_servers', 'container']) if (k in req) anthropic++;
  for (const k of ['max_completion_tokens', 'n', 'response_format', 'logit_bias', 'presence_penalty', 'frequency_penalty', 'stream_options', 'reasoning_effort', 'user', 'logprobs', 'parallel_tool_calls', 'modalities', 'stop', 'functions']) {
    if (k in req) openai++;
  }
  const choice = rec(req.tool_choice);
  if (typeof req.tool_choice === 'string') openai++;
  else if (choice) {
    if (['auto', 'any', 'tool'].includes(String(choice.type)) && !('function' in choice)) anthropic++;
    else openai++;
  }
  if (Array.isArray(req.tools)) {
    for (const t of req.tools) {
      const o = rec(t);
      if (!o) continue;
      if (o.type === 'function' || 'function' in o) openai++;
      else if ('input_schema' in o || typeof o.type === 'string') anthropic++;
    }
  }
  if (Array.isArray(req.messages)) {
    for (const m of req.messages) {
      const o = rec(m);
      if (!o) continue;
      if (o.role === 'system' || o.role === 'developer' || o.role === 'tool' || 'tool_calls' in o || 'tool_call_id' in o) openai++;
      if (!Array.isArray(o.content)) continue;
      for (const b of o.content) {
        const type = rec(b)?.type;
        if (type === 'image_url' || type === 'input_audio' || type === 'file' || type === 'refusal') openai++;
        else if (type === 'tool_use' || type === 'tool_result' || type === 'image' || type === 'document' || type === 'thinking' || type === 'redacted_thinking') anthropic++;
      }
    }
  }
  if (anthropic !== openai) return anthropic > openai ? 'anthropic' : 'openai';
  return 'max_tokens' in req ? 'anthropic' : 'openai';
}

/** Header map from the body's `headers` (names lower-cased; values strings or lists of strings). */
function readHeaders(v: unknown, errors: ValidationError[]): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  if (v === undefined || v === null) return out;
  const o = rec(v);
  if (!o) {
    errors.push({ path: 'headers', message: 'expected an object of header name to value' });
    return out;
  }
  for (const [k, x] of Object.entries(o)) {
    if (typeof x === 'string') out[k.toLowerCase()] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k.toLowerCase()] = String(x);
    else if (Array.isArray(x) && x.every((s) => typeof s === 'string')) out[k.toLowerCase()] = x as string[];
    else errors.push({ path: `headers.${k}`, message: 'expected a string' });
  }
  return out;
}

interface Decoded {
  req: Request;
  extensions: Record<string, unknown>;
}

/** Reads and decodes the request as the live endpoint would (same checks, same extension handling). */
function decodeRequest(api: Api, request: Record<string, unknown>, model: string): { ok: true; value: Decoded } | { ok: false; message: string } {
  const body = { ...request, model };
  const buf = Buffer.from(JSON.stringify(body));
  try {
    // count_tokens rules for Anthropic: max_tokens is optional in a dry run.
    const view = api === 'anthropic' ? readAnthropicRequest(buf, { forCount: true }) : readOpenAIRequest(buf);
    const parsed = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    takeExtensions(parsed);
    if (api === 'anthropic') {
      const userId = rec(parsed.metadata)?.user_id;
      parsed.metadata = typeof userId === 'string' ? { user_id: userId } : undefined;
    } else {
      delete parsed.metadata;
    }
    return { ok: true, value: { req: codecFor(api).decodeRequest(parsed), extensions: { ...view.extensions } } };
  } catch (e) {
    if (e instanceof RequestValidationError || e instanceof CodecError) return { ok: false, message: e.message };
    throw e;
  }
}

export function dryRun(svc: Services, input: DryRunInput): DryRunResult {
  const entry = svc.routers.get(input.id);
  if (!entry) return { ok: false, status: 404, message: notFoundMessage(normaliseRouterId(input.id)) };
  const body = rec(input.body);
  if (!body) return { ok: false, status: 400, message: 'the body must be a JSON object: {"request": {...}, "api"?, "metadata"?, "headers"?}' };

  const errors: ValidationError[] = [];
  for (const k of Object.keys(body)) if (!BODY_FIELDS.has(k)) errors.push({ path: k, message: 'unknown field (request, api, metadata, headers, key_name)' });
  const request = rec(body.request);
  if (!request) errors.push({ path: 'request', message: 'required: the Anthropic Messages or OpenAI Chat Completions request to route' });
  if (body.api !== undefined && body.api !== 'anthropic' && body.api !== 'openai') errors.push({ path: 'api', message: 'must be "anthropic" or "openai"' });
  if (body.metadata !== undefined && !rec(body.metadata)) errors.push({ path: 'metadata', message: 'expected an object (CEL variables)' });
  const keyField = body.key_name ?? body.keyName;
  if (keyField !== undefined && typeof keyField !== 'string') errors.push({ path: 'key_name', message: 'expected a string' });
  const headers = readHeaders(body.headers, errors);
  if (errors.length > 0 || !request) return { ok: false, status: 400, message: `invalid test request: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors };

  const guessed = body.api === undefined;
  const api: Api = guessed ? guessApi(request) : (body.api as Api);
  const model = `router/${entry.id}`;
  const decoded = decodeRequest(api, request, model);
  if (!decoded.ok) {
    const message = `request (read as ${api === 'anthropic' ? 'an Anthropic Messages' : 'an OpenAI Chat Completions'} request${guessed ? ', guessed from its shape; set "api" to choose' : ''}): ${decoded.message}`;
    return { ok: false, status: 400, message, errors: [{ path: 'request', message: decoded.message }] };
  }
  const { req } = decoded.value;
  const extensions = decoded.value.extensions;
  const extra = rec(body.metadata);
  if (extra) extensions.metadata = { ...(rec(extensions.metadata) ?? {}), ...extra };
  const keyName = typeof keyField === 'string' ? keyField : input.keyName;

  const report: DryRunReport = {
    router: entry.router.name,
    version: entry.version,
    source: entry.source,
    api,
    api_guessed: guessed,
    route_id: null,
    variant_id: null,
    matched_expression: null,
    default_route: false,
    reason: null,
    reasoning: null,
    candidates: [],
    excluded: [],
    cel_inputs: {},
    cel_errors: [],
    error: null,
  };
  const planned = planRoute(svc, { api, model, req, extensions, headers, keyName, explain: true });
  if (planned.ok) {
    const { plan } = planned;
    const r = plan.router;
    if (r) {
      Object.assign(report, {
        route_id: r.routeId,
        variant_id: r.variantId,
        matched_expression: r.matchedExpression,
        default_route: r.routeId !== null && r.matchedExpression === null,
        reason: r.reason,
        cel_inputs: r.inputs,
        cel_errors: r.celErrors.map((e) => ({ route_id: e.routeId, expression: e.expression, error: e.error })),
      });
    }
    report.reasoning = plan.reasoning;
    report.candidates = plan.candidates.map((c) => ({ provider: c.provider.name, model: c.model }));
    report.excluded = plan.excluded.map((e) => ({ provider: e.provider, model: e.model, reason: e.reason }));
    return { ok: true, result: report };
  }

  // The request would fail; show what the router decided up to that point (the same facts the plan used).
  report.error = { code: planned.status, type: planned.type, message: planned.message };
  const hints = hintsFromHeaders(headers);
  const metadata = { ...hints.metadata, ...(rec(hints.route.metadata) ?? {}), ...(rec(extensions.metadata) ?? {}) };
  const facts = factsFromRequest({ api, request: req, metadata, headers: headers as Record<string, string | string[] | undefined>, keyName, estimateInputTokens: (r) => estimateInputTokens(r, 'generic') });
  const decision = decide(entry.compiled, facts, { explain: true });
  report.cel_inputs = decision.inputs;
  report.cel_errors = decision.celErrors.map((e) => ({ route_id: e.routeId, expression: e.expression, error: e.error }));
  if (!isNoRouteMatched(decision)) {
    Object.assign(report, {
      route_id: decision.routeId,
      variant_id: decision.variantId,
      matched_expression: decision.matchedExpression,
      default_route: decision.isDefault,
      reason: decision.reason,
    });
  }
  return { ok: true, result: report };
}
