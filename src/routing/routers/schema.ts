/**
 * Parsing, validation and serialisation of the router resource (SPEC section 3). Input may use snake_case or
 * lowerCamelCase for any field (protobuf JSON mapping); the internal form is camelCase (types.ts); `toApiJson`
 * writes the form the hosted API documents (`displayName` and `defaultRoute` camel, everything inside snake).
 * Errors carry the JSON path of the offending field in the caller's own spelling.
 */
import { z } from 'zod';
import { parseDuration } from '../../util/duration.js';
import { compileCel } from './cel-loader.js';
import type {
  MessageTemplate,
  ModelSelection,
  Route,
  Router,
  SortCriterion,
  SortDirection,
  SortMetric,
  TextGenerationConfig,
  ValidationError,
  Variant,
} from './types.js';

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const ID_MESSAGE = 'must match ^[a-z0-9][a-z0-9-]*$ (lower-case letters, digits and dashes, not starting with a dash)';
const NAME_PREFIXES = ['routers/', 'inworld/', 'router/'];

// ---------------------------------------------------------------------------------------------------------------
// Sort criteria: router form [{metric: "SORT_METRIC_PRICE", direction: "SORT_DIRECTION_ASCENDING"}] and request
// form ["price", "latency"], both accepted everywhere.

export const SORT_METRICS: readonly SortMetric[] = ['price', 'latency', 'throughput', 'intelligence', 'math', 'coding'];

function parseMetric(v: unknown): SortMetric | null {
  if (typeof v !== 'string') return null;
  const s = v.toLowerCase().replace(/^sort_metric_/, '');
  return (SORT_METRICS as readonly string[]).includes(s) ? (s as SortMetric) : null;
}

function parseDirection(v: unknown): SortDirection | undefined | null {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return null;
  const s = v.toLowerCase().replace(/^sort_direction_/, '');
  if (s === 'unspecified' || s === '') return undefined;
  if (s === 'ascending' || s === 'asc') return 'ascending';
  if (s === 'descending' || s === 'desc') return 'descending';
  return null;
}

const METRIC_MESSAGE = `must be one of ${SORT_METRICS.map((m) => `"${m}"`).join(', ')} (or SORT_METRIC_${SORT_METRICS.map((m) => m.toUpperCase()).join('/')})`;

/**
 * Reads a sort list in either form. Paths in errors are relative to the list (`[0].metric`); callers prefix them.
 * Exported for request-level `sort` (SPEC section 5).
 */
export function parseSort(value: unknown): { ok: true; sort: SortCriterion[] } | { ok: false; errors: ValidationError[] } {
  if (!Array.isArray(value)) return { ok: false, errors: [{ path: '', message: 'expected a list' }] };
  const sort: SortCriterion[] = [];
  const errors: ValidationError[] = [];
  value.forEach((entry, i) => {
    if (typeof entry === 'string') {
      const metric = parseMetric(entry);
      if (metric) sort.push({ metric });
      else errors.push({ path: `[${i}]`, message: METRIC_MESSAGE });
      return;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      errors.push({ path: `[${i}]`, message: 'expected a metric name or {metric, direction}' });
      return;
    }
    const o = entry as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'metric' && k !== 'direction') errors.push({ path: `[${i}].${k}`, message: 'unknown field' });
    const metric = parseMetric(o.metric);
    if (!metric) errors.push({ path: `[${i}].metric`, message: o.metric === undefined ? 'required' : METRIC_MESSAGE });
    const direction = parseDirection(o.direction);
    if (direction === null) errors.push({ path: `[${i}].direction`, message: 'must be SORT_DIRECTION_ASCENDING or SORT_DIRECTION_DESCENDING' });
    if (metric && direction !== null) sort.push(direction ? { metric, direction } : { metric });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sort };
}

// ---------------------------------------------------------------------------------------------------------------
// Key normalisation: every object key to camelCase, remembering how the caller spelled it.

type Spelling = Map<string, string>;

function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

interface Normalised {
  value: unknown;
  spellings: WeakMap<object, Spelling>;
  errors: Array<{ at: PathSeg[]; message: string }>;
}

type PathSeg = string | number;

function normaliseKeys(input: unknown): Normalised {
  const spellings = new WeakMap<object, Spelling>();
  const errors: Normalised['errors'] = [];
  const visit = (v: unknown, at: PathSeg[]): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => visit(x, [...at, i]));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    const spelled: Spelling = new Map();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const camel = toCamel(k);
      if (spelled.has(camel)) {
        errors.push({ at: [...at, camel], message: `given twice, as "${spelled.get(camel)}" and "${k}"` });
        continue;
      }
      spelled.set(camel, k);
      out[camel] = visit(x, [...at, camel]);
    }
    spellings.set(out, spelled);
    return out;
  };
  const value = visit(input, []);
  return { value, spellings, errors };
}

/** The caller's spelling of a camel path: their key where they wrote one, else the style their siblings use. */
function renderPath(root: unknown, at: readonly PathSeg[], spellings: WeakMap<object, Spelling>): string {
  let out = '';
  let node: unknown = root;
  for (const seg of at) {
    if (typeof seg === 'number') {
      out += `[${seg}]`;
      node = Array.isArray(node) ? node[seg] : undefined;
      continue;
    }
    const spelled = node !== null && typeof node === 'object' ? spellings.get(node as object) : undefined;
    const key = spelled?.get(seg) ?? guessSpelling(seg, spelled, out === '');
    out += out === '' ? key : `.${key}`;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function toSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** API-form spelling (the hosted docs' mix) unless the caller's sibling keys show a style. */
function guessSpelling(camel: string, siblings: Spelling | undefined, topLevel: boolean): string {
  if (siblings) {
    for (const written of siblings.values()) {
      if (written.includes('_')) return toSnake(camel);
      if (/[A-Z]/.test(written)) return camel;
    }
  }
  return topLevel ? camel : toSnake(camel);
}

// ---------------------------------------------------------------------------------------------------------------
// Structure (zod, on the camel-keyed form).

const id = z.string().regex(ID_PATTERN, ID_MESSAGE);
const stringList = z.array(z.string().min(1));

const sortSchema = z.unknown().transform((v, ctx) => {
  const r = parseSort(v);
  if (r.ok) return r.sort;
  for (const e of r.errors) {
    ctx.addIssue({ code: 'custom', message: e.message, path: pathFromRelative(e.path) });
  }
  return z.NEVER;
});

function pathFromRelative(p: string): PathSeg[] {
  const out: PathSeg[] = [];
  for (const m of p.matchAll(/\[(\d+)\]|\.?([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]);
  return out;
}

const REASONING_EFFORTS = ['unspecified', 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;

const textGenerationConfigSchema = z
  .strictObject({
    maxTokens: z.number().int().min(1).optional(),
    maxNewTokens: z.number().int().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().gt(0).max(1).optional(),
    repetitionPenalty: z.number().gt(0).optional(),
    frequencyPenalty: z.number().min(-2).max(2).optional(),
    presencePenalty: z.number().min(-2).max(2).optional(),
    stopSequences: z.array(z.string()).optional(),
    seed: z.number().int().optional(),
    logitBias: z
      .array(
        z.strictObject({
          tokenId: z.union([z.string().regex(/^\d+$/, 'must be a token id (digits)'), z.number().int().min(0)]).transform(String),
          biasValue: z.number().min(-100).max(100),
        }),
      )
      .optional(),
    reasoning: z
      .strictObject({
        effort: z
          .string()
          .transform((s) => s.toLowerCase().replace(/^(reasoning_)?effort_/, ''))
          .pipe(z.enum(REASONING_EFFORTS, { error: `must be one of ${REASONING_EFFORTS.join(', ')}` }))
          .optional(),
        maxTokens: z.number().int().min(0).optional(),
        exclude: z.boolean().optional(),
      })
      .optional(),
  })
  .transform((c, ctx): TextGenerationConfig => {
    const { maxNewTokens, ...rest } = c;
    if (maxNewTokens !== undefined) {
      if (rest.maxTokens !== undefined && rest.maxTokens !== maxNewTokens) {
        ctx.addIssue({ code: 'custom', message: 'max_new_tokens is an alias of max_tokens; give one of them', path: ['maxNewTokens'] });
      }
      rest.maxTokens ??= maxNewTokens;
    }
    return rest;
  });

const templateSchema = z
  .strictObject({
    role: z
      .string()
      .transform((s) => s.toLowerCase().replace(/^role_/, ''))
      .pipe(z.enum(['system', 'developer', 'user', 'assistant', 'tool'], { error: 'must be system, developer, user, assistant or tool' })),
    content: z.string().optional(),
    contentItems: z.array(z.strictObject({ text: z.string() })).optional(),
    toolCalls: z.array(z.strictObject({ id: z.string().min(1), name: z.string().min(1), args: z.string().optional() })).optional(),
    toolCallId: z.string().optional(),
    compression: z.strictObject({ aggressiveness: z.number().min(0).max(1).optional() }).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.content === undefined && !t.contentItems?.length && !t.toolCalls?.length) {
      ctx.addIssue({ code: 'custom', message: 'a template needs content, content_items or tool_calls', path: ['content'] });
    }
    if (t.role === 'tool' && !t.toolCallId) ctx.addIssue({ code: 'custom', message: 'a tool template needs tool_call_id', path: ['toolCallId'] });
  });

const modelSelectionSchema = z.strictObject({
  models: stringList.optional(),
  sort: sortSchema.optional(),
  ignore: stringList.optional(),
  provider: z.strictObject({ order: stringList.optional(), allowFallbacks: z.boolean().optional() }).optional(),
});

/** A duration such as "800ms" or "1.5s", or a number of milliseconds. */
const durationValue = z.union([z.string(), z.number()]).refine(
  (v) => {
    try {
      parseDuration(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a duration such as "800ms" or "1.5s"' },
);

const variantSchema = z.strictObject({
  variantId: id,
  modelId: z.string().min(1).optional(),
  modelSelection: modelSelectionSchema.optional(),
  textGenerationConfig: textGenerationConfigSchema.optional(),
  messageTemplates: z.array(templateSchema).optional(),
  webSearch: z
    .strictObject({ engine: z.string().optional(), maxResults: z.number().int().min(1).max(20).optional(), maxSteps: z.number().int().min(1).max(5).optional() })
    .optional(),
  webSearchOptions: z.strictObject({ searchContextSize: z.enum(['low', 'medium', 'high']).optional() }).optional(),
  compression: z.strictObject({ aggressiveness: z.number().min(0).max(1).optional() }).optional(),
  /** Switchyard extension: the request-level `fallback` settings for requests this variant serves. */
  fallback: z
    .strictObject({
      hedgeAfter: durationValue.optional(),
      ttftTimeout: durationValue.optional(),
      idleTimeout: durationValue.optional(),
      timeout: durationValue.optional(),
      maxAttempts: z.number().int().min(1).max(20).optional(),
    })
    .optional(),
});

const routeSchema = z.strictObject({
  routeId: id,
  variants: z
    .array(z.strictObject({ variant: variantSchema, weight: z.number().int('must be a whole number').min(0).max(100) }))
    .min(1, 'a route needs at least one variant'),
});

const routerSchema = z.strictObject({
  name: z.string().min(1),
  displayName: z.string().optional(),
  defaults: z.strictObject({ textGenerationConfig: textGenerationConfigSchema.optional(), messageTemplates: z.array(templateSchema).optional() }).optional(),
  routes: z.array(z.strictObject({ route: routeSchema, condition: z.strictObject({ celExpression: z.string() }) })).default([]),
  defaultRoute: routeSchema.optional(),
  // Output-only fields a store may add; accepted so a GET result can be written back, and dropped.
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// Cross-field rules, run on the camel-keyed value whatever its structural errors (so one answer lists them all).

function rec(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function semanticErrors(root: Record<string, unknown>, render: (at: PathSeg[]) => string): Array<{ at: PathSeg[]; message: string }> {
  const out: Array<{ at: PathSeg[]; message: string }> = [];
  const routeIds = new Map<string, string>();

  const checkRoute = (route: Record<string, unknown>, at: PathSeg[]) => {
    const routeId = route.routeId;
    if (typeof routeId === 'string' && ID_PATTERN.test(routeId)) {
      const prev = routeIds.get(routeId);
      if (prev !== undefined) out.push({ at: [...at, 'routeId'], message: `duplicate route id "${routeId}" (also at ${prev})` });
      else routeIds.set(routeId, render([...at, 'routeId']));
    }
    const variants = route.variants;
    if (!Array.isArray(variants)) return;
    const variantIds = new Set<string>();
    let sum = 0;
    let allWeights = true;
    variants.forEach((entry, j) => {
      const e = rec(entry);
      if (!e) return;
      if (typeof e.weight === 'number') sum += e.weight;
      else allWeights = false;
      const v = rec(e.variant);
      if (!v) return;
      const vat = [...at, 'variants', j, 'variant'];
      if (typeof v.variantId === 'string') {
        if (variantIds.has(v.variantId)) out.push({ at: [...vat, 'variantId'], message: `duplicate variant id "${v.variantId}" in this route` });
        variantIds.add(v.variantId);
      }
      if (v.modelId === undefined && v.modelSelection === undefined) {
        out.push({ at: [...vat, 'modelId'], message: 'a variant needs model_id or model_selection' });
      }
      if (v.webSearch !== undefined && v.webSearchOptions !== undefined) {
        out.push({ at: [...vat, 'webSearchOptions'], message: 'web_search and web_search_options are mutually exclusive' });
      }
    });
    if (allWeights && variants.length > 0 && Math.abs(sum - 100) > 1e-9) {
      out.push({ at: [...at, 'variants'], message: `variant weights sum to ${sum}; they must sum to exactly 100` });
    }
  };

  const routes = root.routes;
  if (Array.isArray(routes)) {
    routes.forEach((r, i) => {
      const cr = rec(r);
      if (!cr) return;
      const route = rec(cr.route);
      if (route) checkRoute(route, ['routes', i, 'route']);
      const cond = rec(cr.condition);
      if (cond && typeof cond.celExpression === 'string') {
        const c = compileCel(cond.celExpression);
        if (!c.ok) out.push({ at: ['routes', i, 'condition', 'celExpression'], message: `invalid CEL: ${c.error}` });
      }
    });
  }
  const def = rec(root.defaultRoute);
  if (def) checkRoute(def, ['defaultRoute']);
  if ((!Array.isArray(routes) || routes.length === 0) && root.defaultRoute === undefined) {
    out.push({ at: ['routes'], message: 'a router needs at least one route or a defaultRoute' });
  }
  return out;
}

/** Document order: array indices numerically, object keys in the order the caller wrote them. */
function comparePaths(root: unknown, a: readonly PathSeg[], b: readonly PathSeg[]): number {
  let node: unknown = root;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y) {
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      const keys = rec(node) ? Object.keys(node as object) : [];
      const rank = (k: PathSeg) => {
        const r = keys.indexOf(String(k));
        return r < 0 ? keys.length : r;
      };
      return rank(x) - rank(y) || String(x).localeCompare(String(y));
    }
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[x as string] : undefined;
  }
  return a.length - b.length;
}

/** Zod messages, made shorter and closer to the API's wording. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const received = /received (\w+)/.exec(issue.message)?.[1];
    if (received === 'undefined') return 'required';
    if (issue.expected === 'int') return 'must be a whole number';
    return `expected ${issue.expected === 'int' ? 'a whole number' : issue.expected}${received ? `, got ${received}` : ''}`;
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && /^Too (small|big)/.test(issue.message)) {
    const small = issue.code === 'too_small';
    const bound = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
    const inclusive = (issue as { inclusive?: boolean }).inclusive !== false;
    if (issue.origin === 'number') return `must be ${small ? '>' : '<'}${inclusive ? '=' : ''} ${bound}`;
    if (issue.origin === 'string' && small && bound === 1) return 'must not be empty';
    if (issue.origin === 'array') return `needs ${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

/** Single-variant routes may omit the weight (it can only be 100). */
function defaultSingleWeights(root: Record<string, unknown>): void {
  const fix = (route: unknown) => {
    const r = rec(route);
    if (!r || !Array.isArray(r.variants) || r.variants.length !== 1) return;
    const e = rec(r.variants[0]);
    if (e && e.weight === undefined) e.weight = 100;
  };
  if (Array.isArray(root.routes)) for (const cr of root.routes) fix(rec(cr)?.route);
  fix(root.defaultRoute);
}

function normaliseName(name: string): { id: string; name: string } {
  let id = name;
  for (const p of NAME_PREFIXES) if (id.startsWith(p)) id = id.slice(p.length);
  return { id, name: `routers/${id}` };
}

export type ParseResult = { ok: true; router: Router } | { ok: false; errors: ValidationError[] };

/**
 * Validates a router resource in either casing and returns its internal form. `name` may be `routers/<id>` (the
 * API form), a bare `<id>`, or `inworld/<id>`; it is stored as `routers/<id>`. A router with routes has CEL conditions
 * to check: await `loadCelFor([input])` (cel-loader.ts) first.
 */
export function parseRouter(input: unknown): ParseResult {
  if (!rec(input)) return { ok: false, errors: [{ path: '', message: 'a router must be a JSON object' }] };
  const norm = normaliseKeys(input);
  const root = norm.value as Record<string, unknown>;
  defaultSingleWeights(root);
  const found: Array<{ at: PathSeg[]; message: string }> = [...norm.errors];

  if (typeof root.name === 'string') {
    const { id } = normaliseName(root.name);
    if (!ID_PATTERN.test(id)) found.push({ at: ['name'], message: `router id "${id}" ${ID_MESSAGE}` });
  }

  const parsed = routerSchema.safeParse(root);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) found.push({ at: [...(issue.path as PathSeg[]), k], message: 'unknown field' });
      } else {
        found.push({ at: issue.path as PathSeg[], message: issueMessage(issue) });
      }
    }
  }
  found.push(...semanticErrors(root, (at) => renderPath(root, at, norm.spellings)));

  if (found.length > 0) {
    found.sort((a, b) => comparePaths(root, a.at, b.at));
    const seen = new Set<string>();
    const errors: ValidationError[] = [];
    for (const f of found) {
      const e = { path: renderPath(root, f.at, norm.spellings), message: f.message };
      const key = `${e.path}\u0000${e.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        errors.push(e);
      }
    }
    return { ok: false, errors };
  }
  if (!parsed.success) throw new Error('unreachable: structural errors without messages');
  const v = parsed.data;
  const router: Router = {
    name: normaliseName(v.name).name,
    ...(v.displayName !== undefined ? { displayName: v.displayName } : {}),
    ...(v.defaults !== undefined ? { defaults: stripUndefined(v.defaults) } : {}),
    routes: v.routes.map((r) => ({ route: cleanRoute(r.route), condition: { celExpression: r.condition.celExpression } })),
    ...(v.defaultRoute !== undefined ? { defaultRoute: cleanRoute(v.defaultRoute) } : {}),
  };
  return { ok: true, router };
}

/** The router id (`routers/<id>` → `<id>`). */
export function routerId(router: Pick<Router, 'name'>): string {
  return normaliseName(router.name).id;
}

type ParsedRoute = z.output<typeof routeSchema>;

function cleanRoute(r: ParsedRoute): Route {
  return {
    routeId: r.routeId,
    variants: r.variants.map((e) => ({ variant: stripUndefined(e.variant) as Variant, weight: e.weight })),
  };
}

function stripUndefined<T>(v: T): T {
  if (Array.isArray(v)) return v.map(stripUndefined) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = stripUndefined(x);
  return out as T;
}

// ---------------------------------------------------------------------------------------------------------------
// API form.

function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[toSnake(k)] = snakeKeys(x);
  return out;
}

function apiSort(sort: SortCriterion[]): unknown[] {
  return sort.map((s) => ({
    metric: `SORT_METRIC_${s.metric.toUpperCase()}`,
    ...(s.direction ? { direction: `SORT_DIRECTION_${s.direction.toUpperCase()}` } : {}),
  }));
}

function apiModelSelection(ms: ModelSelection): unknown {
  const { sort, ...rest } = ms;
  return { ...(snakeKeys(rest) as object), ...(sort ? { sort: apiSort(sort) } : {}) };
}

function apiVariant(v: Variant): unknown {
  const { modelSelection, textGenerationConfig, messageTemplates, ...rest } = v;
  return {
    ...(snakeKeys(rest) as object),
    ...(modelSelection ? { model_selection: apiModelSelection(modelSelection) } : {}),
    ...(textGenerationConfig ? { text_generation_config: snakeKeys(textGenerationConfig) } : {}),
    ...(messageTemplates ? { message_templates: apiTemplates(messageTemplates) } : {}),
  };
}

function apiTemplates(ts: MessageTemplate[]): unknown {
  return snakeKeys(ts);
}

function apiRoute(r: Route): unknown {
  return { route_id: r.routeId, variants: r.variants.map((e) => ({ variant: apiVariant(e.variant), weight: e.weight })) };
}

/** The API form: `name`, `displayName`, `defaults`, `routes`, `defaultRoute`, inner fields snake_case (hosted-router-notes 3.1). */
export function toApiJson(router: Router): Record<string, unknown> {
  const out: Record<string, unknown> = { name: router.name };
  if (router.displayName !== undefined) out.displayName = router.displayName;
  if (router.defaults) {
    const d: Record<string, unknown> = {};
    if (router.defaults.textGenerationConfig) d.text_generation_config = snakeKeys(router.defaults.textGenerationConfig);
    if (router.defaults.messageTemplates) d.message_templates = apiTemplates(router.defaults.messageTemplates);
    out.defaults = d;
  }
  out.routes = router.routes.map((r) => ({ route: apiRoute(r.route), condition: { cel_expression: r.condition.celExpression } }));
  if (router.defaultRoute) out.defaultRoute = apiRoute(router.defaultRoute);
  return out;
}
