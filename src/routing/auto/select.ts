/**
 * `model: "auto"` (SPEC section 4): filter the candidate pool to the models that can serve this request, rank them
 * by the sort criteria, and explain the choice in one sentence.
 *
 * Ranking is lexicographic over the criteria with tolerance groups:
 * - Criteria in priority order; the first decides, later ones only order models the earlier ones left tied.
 * - Scores (`intelligence`, `coding`, `math`) tie only when exactly equal. Continuous metrics (`price`, `latency`,
 *   `throughput`) tie when within 5% (TIE_TOLERANCE): models are sorted by the metric, and each tie group is
 *   anchored at its best value and takes every following model within 5% of that anchor (anchoring keeps groups
 *   well defined: "within 5%" alone is not transitive).
 * - Directions: `price` and `latency` ascending by default, the others descending; an explicit direction wins.
 * - A null score is last for its criterion in either direction; all-null models tie and the next criterion decides.
 * - After the criteria: the exact values of the criteria in order (so within a 5% group that nothing else separates,
 *   the truly better value still comes first), then the lower time to first token (live or prior; "fastest first",
 *   as for bare ids, e.g. two hosts of one model), then `provider/model` by name. The order is deterministic.
 *
 * Metrics for one (provider, model):
 * - `price`: expected USD of this request = inputTokens x input price + expected output x output price, with the
 *   long-context tier that the prompt size selects. Expected output = min(max_tokens, 1000) (1000 when max_tokens
 *   is absent): max_tokens is a ceiling, not a forecast, and a fixed cap keeps the input/output blend realistic.
 * - `latency`: live p50 time to first token from LiveStats once it has minSamples, else the catalog prior.
 * - `throughput`: live p50 output tokens/s likewise, else the catalog prior.
 *
 * Filters (hard: the provider would reject the request): prompt above the input limit or context, prompt +
 * max_tokens above the context window, max_tokens above the output limit, tools without tool use, images without
 * image input, PDFs without PDF input; plus `ignore`. Soft (applied only when at least one remaining candidate has
 * the capability, since encoders can degrade without it): structured outputs for `json_schema`, reasoning for
 * thinking.
 */
import { priceAt, type CatalogModel } from '../catalog/index.js';
import type { SortCriterion, SortDirection, SortMetric } from '../routers/index.js';
import type { LiveStats } from '../stats/index.js';
import type { AutoNeeds } from './needs.js';
import type { PoolEntry } from './pool.js';

export interface AutoOptions {
  /** Candidates the caller already restricted to configured providers (see expandPool). */
  pool: readonly PoolEntry[];
  /** Provider names, `provider/model` (id or alias), or a bare model id/alias (every host of it). */
  ignore?: readonly string[];
  /** Default (absent or empty): intelligence descending, then price ascending. */
  sort?: readonly SortCriterion[];
  needs: AutoNeeds;
  stats?: LiveStats;
}

export interface AutoRanked {
  provider: string;
  /** The catalog id (as the provider's API expects it). */
  model: string;
  /** 1-based position in the ranking. */
  rank: number;
  /** Expected USD for this request (see the module comment). */
  price: number;
  ttftMs: number;
  ttftSource: 'live' | 'prior';
  throughput: number;
  throughputSource: 'live' | 'prior';
  scores: { intelligence: number | null; coding: number | null; math: number | null };
}

export interface AutoExcluded {
  provider: string;
  model: string;
  reason: string;
}

export interface AutoResult {
  ranked: AutoRanked[];
  excluded: AutoExcluded[];
  /** One sentence for `metadata.reasoning`. */
  reasoning: string;
  /** The criteria applied, with directions resolved. */
  sort: Array<{ metric: SortMetric; direction: SortDirection }>;
}

export const AUTO_DEFAULT_SORT: readonly SortCriterion[] = Object.freeze([
  Object.freeze({ metric: 'intelligence' as const }),
  Object.freeze({ metric: 'price' as const }),
]);

/** Relative difference under which two price/latency/throughput values tie. */
export const TIE_TOLERANCE = 0.05;

/** Output tokens assumed for the blended price: min(max_tokens, this). */
export const EXPECTED_OUTPUT_TOKENS = 1000;

const DEFAULT_DIRECTION: Record<SortMetric, SortDirection> = {
  price: 'ascending',
  latency: 'ascending',
  throughput: 'descending',
  intelligence: 'descending',
  coding: 'descending',
  math: 'descending',
};

const CONTINUOUS: ReadonlySet<SortMetric> = new Set(['price', 'latency', 'throughput']);

interface Row {
  name: string;
  provider: string;
  model: CatalogModel;
  price: number;
  ttft: number;
  ttftSource: 'live' | 'prior';
  tps: number;
  tpsSource: 'live' | 'prior';
  /** Per criterion, in sort order. */
  values: Array<number | null>;
}

type Crit = { metric: SortMetric; direction: SortDirection };

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Raw order of two values on one criterion: negative when `a` ranks first. Nulls last in either direction. */
function cmpValue(a: number | null, b: number | null, dir: SortDirection): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return dir === 'ascending' ? a - b : b - a;
}

/** Whether `v` ties with the group anchor `anchor` on this criterion. */
function ties(metric: SortMetric, anchor: number | null, v: number | null): boolean {
  if (anchor === null || v === null) return anchor === v;
  if (!CONTINUOUS.has(metric)) return anchor === v;
  return Math.abs(anchor - v) <= TIE_TOLERANCE * Math.max(Math.abs(anchor), Math.abs(v));
}

/**
 * Orders rows by criteria k.. and returns, for each adjacent pair of the result, the level that separated them:
 * k < n a criterion's tie groups, n + j the exact value of criterion j, 2n the time to first token, 2n + 1 the name.
 */
function rankFrom(rows: Row[], crits: readonly Crit[], k: number): { order: Row[]; splits: number[] } {
  const n = crits.length;
  if (k === n || rows.length <= 1) {
    const order = [...rows].sort((a, b) => {
      for (let j = 0; j < n; j++) {
        const c = cmpValue(a.values[j], b.values[j], crits[j].direction);
        if (c !== 0) return c;
      }
      return a.ttft - b.ttft || cmpStr(a.name, b.name);
    });
    const splits: number[] = [];
    for (let i = 0; i + 1 < order.length; i++) {
      const a = order[i];
      const b = order[i + 1];
      let level = a.ttft !== b.ttft ? 2 * n : 2 * n + 1;
      for (let j = 0; j < n; j++) {
        if (cmpValue(a.values[j], b.values[j], crits[j].direction) !== 0) {
          level = n + j;
          break;
        }
      }
      splits.push(level);
    }
    return { order, splits };
  }
  const { metric, direction } = crits[k];
  const sorted = [...rows].sort((a, b) => cmpValue(a.values[k], b.values[k], direction) || cmpStr(a.name, b.name));
  const order: Row[] = [];
  const splits: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    const anchor = sorted[i].values[k];
    let j = i + 1;
    while (j < sorted.length && ties(metric, anchor, sorted[j].values[k])) j++;
    const sub = rankFrom(sorted.slice(i, j), crits, k + 1);
    if (order.length > 0) splits.push(k);
    order.push(...sub.order);
    splits.push(...sub.splits);
    i = j;
  }
  return { order, splits };
}

const lower = (s: string): string => s.trim().toLowerCase();

function answersTo(m: CatalogModel, name: string): boolean {
  const q = lower(name);
  return lower(m.id) === q || (m.aliases ?? []).some((a) => lower(a) === q);
}

/**
 * Whether an `ignore` entry matches. No slash: a provider name when some candidate has that provider, else a bare
 * model id or alias. With a slash: `provider/model` when the prefix is a candidate's provider, else a bare id (such
 * as OpenRouter's `openai/gpt-5` when no `openai` provider is in the pool).
 */
function ignoredBy(e: PoolEntry, entry: string, providers: ReadonlySet<string>): boolean {
  const name = entry.trim();
  if (!name) return false;
  if (providers.has(name)) return e.provider === name;
  const slash = name.indexOf('/');
  if (slash > 0 && providers.has(name.slice(0, slash))) return e.provider === name.slice(0, slash) && answersTo(e.model, name.slice(slash + 1));
  return answersTo(e.model, name);
}

/** The hard limits; null when the model can serve the request. */
function hardReason(m: CatalogModel, needs: AutoNeeds): string | null {
  const input = needs.inputTokens;
  if (m.maxInput !== undefined && input > m.maxInput) return `input limit ${m.maxInput} < ${input} input tokens`;
  if (input > m.context) return `context ${m.context} < ${input} input tokens`;
  if (needs.maxTokens !== undefined && needs.maxTokens > m.maxOutput) return `max output ${m.maxOutput} < max_tokens ${needs.maxTokens}`;
  if (needs.maxTokens !== undefined && input + needs.maxTokens > m.context) return `context ${m.context} < ${input} input tokens + max_tokens ${needs.maxTokens}`;
  if (needs.tools && !m.capabilities.tools) return 'no tool use';
  if (needs.images && !(m.capabilities.vision || m.modalities.input.includes('image'))) return 'no image input';
  if (needs.pdf && !(m.capabilities.pdf || m.modalities.input.includes('pdf'))) return 'no PDF input';
  return null;
}

/** Expected USD of this request on this model. */
export function expectedPrice(m: CatalogModel, needs: Pick<AutoNeeds, 'inputTokens' | 'maxTokens'>): number {
  const input = Math.max(0, needs.inputTokens);
  const output = Math.min(needs.maxTokens ?? EXPECTED_OUTPUT_TOKENS, EXPECTED_OUTPUT_TOKENS);
  const p = priceAt(m, input);
  return (input * p.input + output * p.output) / 1_000_000;
}

function metricValue(r: Omit<Row, 'values'>, metric: SortMetric): number | null {
  switch (metric) {
    case 'price':
      return r.price;
    case 'latency':
      return r.ttft;
    case 'throughput':
      return r.tps;
    default:
      return r.model.scores[metric];
  }
}

/** Ranks the pool for `auto`. Pure apart from reading `stats`. */
export function selectAuto(opts: AutoOptions): AutoResult {
  const crits: Crit[] = (opts.sort && opts.sort.length > 0 ? opts.sort : AUTO_DEFAULT_SORT).map((c) => ({ metric: c.metric, direction: c.direction ?? DEFAULT_DIRECTION[c.metric] }));
  const needs = opts.needs;
  const excluded: AutoExcluded[] = [];
  const providers = new Set(opts.pool.map((e) => e.provider));
  const ignore = opts.ignore ?? [];

  // Dedupe, ignore, hard limits.
  const seen = new Set<string>();
  let fit: PoolEntry[] = [];
  for (const e of opts.pool) {
    const key = `${e.provider}/${e.model.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (ignore.some((i) => ignoredBy(e, i, providers))) {
      excluded.push({ provider: e.provider, model: e.model.id, reason: 'ignored' });
      continue;
    }
    const reason = hardReason(e.model, needs);
    if (reason) excluded.push({ provider: e.provider, model: e.model.id, reason });
    else fit.push(e);
  }
  // Soft preferences: only when some candidate can honour them.
  const soft: Array<{ wanted: boolean; has: (m: CatalogModel) => boolean; label: string; reason: string }> = [
    { wanted: needs.jsonSchema, has: (m) => m.capabilities.jsonSchema, label: 'structured outputs', reason: 'no structured outputs (json_schema requested and other candidates have them)' },
    { wanted: needs.thinking, has: (m) => m.capabilities.reasoning, label: 'reasoning', reason: 'no reasoning (thinking requested and other candidates support it)' },
  ];
  const preferred: string[] = [];
  for (const { wanted, has, label, reason } of soft) {
    if (!wanted || !fit.some((e) => has(e.model)) || fit.every((e) => has(e.model))) continue;
    preferred.push(label);
    fit = fit.filter((e) => {
      if (has(e.model)) return true;
      excluded.push({ provider: e.provider, model: e.model.id, reason });
      return false;
    });
  }

  const rows: Row[] = fit.map((e) => {
    const liveTtft = opts.stats?.ttftP50(e.provider, e.model.id) ?? null;
    const liveTps = opts.stats?.throughputP50(e.provider, e.model.id) ?? null;
    const base = {
      name: `${e.provider}/${e.model.id}`,
      provider: e.provider,
      model: e.model,
      price: expectedPrice(e.model, needs),
      ttft: liveTtft ? liveTtft.value : e.model.priors.ttftMs,
      ttftSource: liveTtft ? ('live' as const) : ('prior' as const),
      tps: liveTps ? liveTps.value : e.model.priors.tokensPerSecond,
      tpsSource: liveTps ? ('live' as const) : ('prior' as const),
    };
    return { ...base, values: crits.map((c) => metricValue(base, c.metric)) };
  });

  const { order, splits } = rankFrom(rows, crits, 0);
  const ranked: AutoRanked[] = order.map((r, i) => ({
    provider: r.provider,
    model: r.model.id,
    rank: i + 1,
    price: r.price,
    ttftMs: r.ttft,
    ttftSource: r.ttftSource,
    throughput: r.tps,
    throughputSource: r.tpsSource,
    scores: { intelligence: r.model.scores.intelligence, coding: r.model.scores.coding, math: r.model.scores.math },
  }));
  return { ranked, excluded, reasoning: explain(order, splits, crits, needs, excluded, preferred), sort: crits };
}

// ----- the reasoning sentence -----------------------------------------------------------------------------------

function usd(v: number): string {
  if (v === 0) return '$0';
  const decimals = Math.min(12, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(v)))));
  return `$${v.toFixed(decimals).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1')}`;
}

function tokensLabel(n: number): string {
  if (n < 1000) return `${n}-token`;
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k-token`;
  return `${Math.round(n / 1000)}k-token`;
}

const METRIC_NOUN: Record<SortMetric, string> = {
  price: 'expected price',
  latency: 'time to first token',
  throughput: 'throughput',
  intelligence: 'intelligence score',
  coding: 'coding score',
  math: 'math score',
};

function valueText(r: Row, metric: SortMetric, short = false): string {
  switch (metric) {
    case 'price':
      return short ? usd(r.price) : `${usd(r.price)} for this request`;
    case 'latency':
      return `${Math.round(r.ttft)} ms ${r.ttftSource === 'live' ? 'live p50' : 'catalog prior'}`;
    case 'throughput':
      return `${Math.round(r.tps)} tokens/s ${r.tpsSource === 'live' ? 'live p50' : 'catalog prior'}`;
    default: {
      const s = r.model.scores[metric];
      return s === null ? 'unknown' : String(s);
    }
  }
}

function best(c: Crit): string {
  const high = c.direction === 'descending';
  if (c.metric === 'latency') return high ? 'the slowest time to first token' : 'the fastest time to first token';
  if (c.metric === 'price') return high ? 'the highest expected price' : 'the lowest expected price';
  return `the ${high ? 'highest' : 'lowest'} ${METRIC_NOUN[c.metric]}`;
}

/** What the ranked models have in common: "support tools and a 182k-token prompt". Verb agrees with `count`. */
function fitPhrase(count: number, needs: AutoNeeds, preferred: string[]): string {
  const reqs: string[] = [];
  if (needs.tools) reqs.push('tools');
  if (needs.images) reqs.push('image input');
  if (needs.pdf) reqs.push('PDF input');
  reqs.push(...preferred);
  reqs.push(`a ${tokensLabel(needs.inputTokens)} prompt${needs.maxTokens !== undefined ? ` with max_tokens ${needs.maxTokens}` : ''}`);
  return `${count === 1 ? 'supports' : 'support'} ${joinAnd(reqs)}`;
}

function joinAnd(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

function exclusionKind(reason: string): string {
  if (reason.startsWith('context ')) return 'context too small';
  if (reason.startsWith('input limit ')) return 'input limit too small';
  if (reason.startsWith('max output ')) return 'output limit below max_tokens';
  return reason.replace(/ \(.*\)$/, '');
}

function exclusionSummary(excluded: AutoExcluded[]): string {
  const kinds = new Map<string, number>();
  for (const e of excluded) {
    const kind = exclusionKind(e.reason);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${k}: ${n}`).join(', ');
}

function explain(order: Row[], splits: number[], crits: Crit[], needs: AutoNeeds, excluded: AutoExcluded[], preferred: string[]): string {
  const n = crits.length;
  if (order.length === 0) {
    if (excluded.length === 0) return 'No model to pick from: the candidate pool is empty (no configured provider serves the requested models).';
    return `No model can serve this request: all ${excluded.length} candidates were excluded (${exclusionSummary(excluded)}).`;
  }
  const w = order[0];
  if (order.length === 1) return `Picked ${w.name}, the only candidate that ${fitPhrase(1, needs, preferred)}.`;
  const among = `among ${order.length} models that ${fitPhrase(order.length, needs, preferred)}`;
  const level = splits[0];
  const runnerUp = order[1];
  if (level < n) {
    const c = crits[level];
    const tieNote = level === 0 ? '' : `; it ties with ${runnerUp.name} on ${joinAnd(crits.slice(0, level).map((t) => `${t.metric} (${valueText(w, t.metric)})`))}`;
    const later = level === 0 && n > 1 ? `; ${joinAnd(crits.slice(1).map((t) => t.metric))} broke no tie` : '';
    return `Picked ${w.name} for ${best(c)} (${valueText(w, c.metric)}) ${among}${tieNote}${later}.`;
  }
  if (level < 2 * n) {
    const c = crits[level - n];
    return `Picked ${w.name} for ${best(c)} (${valueText(w, c.metric, true)} vs ${valueText(runnerUp, c.metric, true)} for ${runnerUp.name}, inside the ${TIE_TOLERANCE * 100}% tie margin and not separated by any other criterion) ${among}.`;
  }
  const tied = joinAnd(crits.map((t) => t.metric));
  if (level === 2 * n) {
    return `Picked ${w.name} ${among}: it ties with ${runnerUp.name} on ${tied} and has the faster time to first token (${valueText(w, 'latency')} vs ${valueText(runnerUp, 'latency')}).`;
  }
  return `Picked ${w.name} ${among}: it ties with ${runnerUp.name} on ${tied} and time to first token, so the name decided.`;
}
