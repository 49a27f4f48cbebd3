import type { Catalog } from '../../routing/catalog/index.js';
import type { RequestRecord, TokenUsage } from '../record.js';
import { costTicks, TICKS_PER_USD } from './cost.js';

/** Endpoints whose upstream call is not billed although it reports tokens (Anthropic's count_tokens is free). */
const UNBILLED_ENDPOINTS: ReadonlySet<string> = new Set(['count_tokens']);

/**
 * Fills `costUsd` of every attempt that carries usage, and of the record: the sum of the attempts' costs, or, when
 * no attempt carries usage, `record.usage` priced by the record's provider and model. A cost is null when its model
 * has no catalog entry (a config-declared model without prices is in the catalog at 0, so it costs 0, not null). The
 * record's sum leaves unpriced attempts out and is null only when nothing could be priced: a known part of the spend
 * says more than none. Runs once per finished request, off the hot path.
 */
export function priceRecord(record: RequestRecord, catalog: Catalog): void {
  const free = UNBILLED_ENDPOINTS.has(record.endpoint);
  let ticks = 0;
  let priced = false;
  let carried = false;
  for (const a of record.attempts) {
    if (!a.usage) continue;
    carried = true;
    const t = free ? 0 : ticksFor(catalog, a.provider, a.model, a.usage);
    a.costUsd = t === null ? null : t / TICKS_PER_USD;
    if (t === null) continue;
    ticks += t;
    priced = true;
  }
  if (carried) {
    record.costUsd = priced ? ticks / TICKS_PER_USD : null;
  } else if (!record.usage || !record.provider || !record.model) {
    record.costUsd = null;
  } else {
    const t = free ? 0 : ticksFor(catalog, record.provider, servedModelId(record.provider, record.model), record.usage);
    record.costUsd = t === null ? null : t / TICKS_PER_USD;
  }
}

function ticksFor(catalog: Catalog, provider: string, model: string, usage: TokenUsage): number | null {
  const entry = catalog.get(provider, model);
  return entry ? costTicks(usage, entry.price) : null;
}

/** The record names the served model `provider/model`; the catalog wants the provider's own id. */
function servedModelId(provider: string, model: string): string {
  return model.length > provider.length && model.charCodeAt(provider.length) === 47 /* '/' */ && model.startsWith(provider) ? model.slice(provider.length + 1) : model;
}
