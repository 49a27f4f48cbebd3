import type { CatalogPrice, PriceTier } from '../../routing/catalog/index.js';
import type { TokenUsage } from '../record.js';

/**
 * Costs are kept as whole ticks of 1e-10 USD: the finest unit a provider bills in (xAI reports `cost_in_usd_ticks`
 * of exactly this size), fine enough that a single token of the cheapest model is not rounded away, and integral so
 * the costs of several attempts add up without float noise.
 */
export const TICKS_PER_USD = 1e10;

/** Prices are per million tokens: tokens × price is micro-USD, and one micro-USD is 1e4 ticks. */
const TICKS_PER_MICRO_USD = TICKS_PER_USD / 1e6;

function count(x: number | undefined): number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0;
}

/** The highest tier whose threshold the prompt exceeds; the whole request is then billed at that tier's prices. */
function tierFor(tiers: readonly PriceTier[] | undefined, promptTokens: number): PriceTier | undefined {
  let tier: PriceTier | undefined;
  if (tiers) for (const t of tiers) if (promptTokens > t.threshold && (!tier || t.threshold > tier.threshold)) tier = t;
  return tier;
}

/** The cost of `usage` at `price`, in whole ticks (see TICKS_PER_USD). */
export function costTicks(usage: TokenUsage, price: CatalogPrice): number {
  const input = count(usage.input);
  const output = count(usage.output);
  const cacheRead = count(usage.cacheRead);
  const cacheWrite = count(usage.cacheWrite);
  // 1-hour writes are a part of cacheWrite; a decoder reporting more than the whole cannot be right, so the whole wins.
  const cacheWrite1h = Math.min(count(usage.cacheWrite1h), cacheWrite);

  // Long-context tiers look at the whole prompt the model read, cached or not (Anthropic, Gemini and OpenAI all do).
  const tier = tierFor(price.tiers, input + cacheRead + cacheWrite);
  const inputPrice = tier?.input ?? price.input;
  const outputPrice = tier?.output ?? price.output;
  // A cache price the catalog lacks means the provider publishes no cache discount or surcharge: such providers bill
  // cached tokens (when they report any) as ordinary prompt tokens, and since `input` excludes them they must be
  // billed here, at the input price, or the cost would come out low.
  const cacheReadPrice = tier?.cacheRead ?? price.cacheRead ?? inputPrice;
  const cacheWritePrice = tier?.cacheWrite ?? price.cacheWrite ?? inputPrice;
  // The catalog lists a 1-hour price only where it differs from the 5-minute one.
  const cacheWrite1hPrice = tier?.cacheWrite1h ?? price.cacheWrite1h ?? cacheWritePrice;

  // Reasoning tokens are inside `output` and the catalog has no separate reasoning price, so they are not added again.
  const micro =
    input * inputPrice +
    output * outputPrice +
    cacheRead * cacheReadPrice +
    (cacheWrite - cacheWrite1h) * cacheWritePrice +
    cacheWrite1h * cacheWrite1hPrice;
  return Math.round(micro * TICKS_PER_MICRO_USD);
}

/**
 * USD for `usage` at `price` (USD per million tokens), rounded to 1e-10 USD. `usage.input` excludes cache reads and
 * writes, `usage.output` includes reasoning, `usage.cacheWrite1h` is the part of `cacheWrite` with a 1-hour TTL.
 * Counts that are negative or not finite count as 0.
 */
export function costUsd(usage: TokenUsage, price: CatalogPrice): number {
  return costTicks(usage, price) / TICKS_PER_USD;
}
