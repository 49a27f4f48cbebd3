/**
 * Live latency and throughput statistics per (provider, model), observed by this router (SPEC section 4: `latency`
 * and `throughput` rank by live p50 once enough samples exist, by the catalog prior before that).
 *
 * Each (provider, model) keeps a ring buffer of its last `window` attempts in typed arrays, so `record` is O(1) and
 * allocates nothing once the pair has been seen. Percentiles are computed on demand over the samples of the window
 * that are younger than `maxAgeMs` (sorting at most `window` numbers in a scratch buffer) and cached until the next
 * `record` for that pair or until the oldest sample they used ages out.
 *
 * - A sample counts for TTFT when the attempt succeeded and `ttftMs` is a finite number >= 0.
 * - It counts for throughput when the attempt succeeded, `outputTokens >= 8` and `generationMs > 0`; its value is
 *   outputTokens / (generationMs / 1000) tokens per second.
 * - Failed attempts occupy ring slots (the window is "the last N attempts") but never enter a percentile.
 * - p50 is the median with linear interpolation (the mean of the two middle values for an even count).
 * - A result is null until at least `minSamples` qualifying samples are in the window.
 */
import { z } from 'zod';

export interface LiveSample {
  provider: string;
  /** The model id as the provider knows it (the catalog entry's `id`). */
  model: string;
  /** Time to first token in ms; null when the attempt produced none (or the caller could not measure it). */
  ttftMs: number | null;
  outputTokens: number;
  /** Time from the first token to the end of the response, ms. */
  generationMs: number;
  ok: boolean;
  /** Epoch ms when the attempt ended. */
  at: number;
}

export interface LiveStatsOptions {
  /** Samples kept per (provider, model). Default 200. */
  window?: number;
  /** Qualifying samples needed before a percentile is reported. Default 5. */
  minSamples?: number;
  /** Samples older than this are ignored. Default 15 minutes. */
  maxAgeMs?: number;
  /** Clock (epoch ms), for tests. Default Date.now. */
  now?: () => number;
}

export interface LiveValue {
  value: number;
  samples: number;
}

export interface LiveSnapshotEntry {
  provider: string;
  model: string;
  ttftP50: number | null;
  throughputP50: number | null;
  /** Successful attempts in the window (within maxAgeMs). */
  samples: number;
  /** Failed attempts in the window (within maxAgeMs). */
  failures: number;
}

/** Output tokens a sample needs before its throughput is meaningful. */
export const MIN_THROUGHPUT_TOKENS = 8;

export const LIVE_STATS_DEFAULTS = { window: 200, minSamples: 5, maxAgeMs: 15 * 60_000 } as const;

/** The `exportWindows` format: one entry per (provider, model), samples oldest first as compact tuples. */
export interface LiveStatsExport {
  version: 1;
  windows: Array<{
    provider: string;
    model: string;
    /** [at, ttftMs | null, outputTokens, generationMs, ok (1/0)] */
    samples: Array<[number, number | null, number, number, 0 | 1]>;
  }>;
}

const finiteNonNeg = z.number().finite().nonnegative();
const exportSchema = z.object({
  version: z.literal(1),
  windows: z.array(
    z.object({
      provider: z.string().min(1),
      model: z.string().min(1),
      samples: z.array(z.tuple([z.number().finite(), finiteNonNeg.nullable(), finiteNonNeg, finiteNonNeg, z.union([z.literal(0), z.literal(1)])])),
    }),
  ),
});

/** Linear-interpolation percentile of an ascending array (p in [0, 1]). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const idx = Math.min(Math.max(p, 0), 1) * (n - 1);
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (idx - lo);
}

const TTFT = 0;
const THROUGHPUT = 1;
type Metric = typeof TTFT | typeof THROUGHPUT;

class Window {
  readonly at: Float64Array;
  /** NaN = no TTFT. */
  readonly ttft: Float64Array;
  readonly out: Float64Array;
  readonly gen: Float64Array;
  readonly ok: Uint8Array;
  /** Next slot to write. */
  next = 0;
  size = 0;
  // Cached p50 per metric: valid flag, value (NaN = null), sample count, and when it must be recomputed.
  readonly cacheValid = new Uint8Array(2);
  readonly cacheValue = new Float64Array(2);
  readonly cacheCount = new Float64Array(2);
  readonly cacheExpires = new Float64Array(2);

  constructor(
    readonly provider: string,
    readonly model: string,
    capacity: number,
  ) {
    this.at = new Float64Array(capacity);
    this.ttft = new Float64Array(capacity);
    this.out = new Float64Array(capacity);
    this.gen = new Float64Array(capacity);
    this.ok = new Uint8Array(capacity);
  }

  push(at: number, ttft: number, out: number, gen: number, ok: boolean): void {
    const i = this.next;
    this.at[i] = at;
    this.ttft[i] = ttft;
    this.out[i] = out;
    this.gen[i] = gen;
    this.ok[i] = ok ? 1 : 0;
    this.next = i + 1 === this.at.length ? 0 : i + 1;
    if (this.size < this.at.length) this.size++;
    this.cacheValid[0] = 0;
    this.cacheValid[1] = 0;
  }

  /** Slot indices oldest first. */
  slot(k: number): number {
    const cap = this.at.length;
    const start = this.size < cap ? 0 : this.next;
    const i = start + k;
    return i >= cap ? i - cap : i;
  }
}

export class LiveStats {
  readonly #window: number;
  readonly #minSamples: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #byProvider = new Map<string, Map<string, Window>>();
  readonly #scratch: Float64Array;

  constructor(opts: LiveStatsOptions = {}) {
    const int = (v: number | undefined, d: number, min: number): number => (v !== undefined && Number.isFinite(v) ? Math.max(min, Math.floor(v)) : d);
    this.#window = int(opts.window, LIVE_STATS_DEFAULTS.window, 1);
    this.#minSamples = int(opts.minSamples, LIVE_STATS_DEFAULTS.minSamples, 1);
    this.#maxAgeMs = opts.maxAgeMs !== undefined && opts.maxAgeMs > 0 ? opts.maxAgeMs : LIVE_STATS_DEFAULTS.maxAgeMs;
    this.#now = opts.now ?? Date.now;
    this.#scratch = new Float64Array(this.#window);
  }

  get options(): { window: number; minSamples: number; maxAgeMs: number } {
    return { window: this.#window, minSamples: this.#minSamples, maxAgeMs: this.#maxAgeMs };
  }

  /** Adds one attempt. O(1); allocates only the first time a (provider, model) pair is seen. Malformed samples are dropped. */
  record(s: LiveSample): void {
    if (!Number.isFinite(s.at)) return;
    const ttft = s.ttftMs !== null && Number.isFinite(s.ttftMs) && s.ttftMs >= 0 ? s.ttftMs : NaN;
    const out = Number.isFinite(s.outputTokens) && s.outputTokens > 0 ? s.outputTokens : 0;
    const gen = Number.isFinite(s.generationMs) && s.generationMs > 0 ? s.generationMs : 0;
    this.#windowFor(s.provider, s.model, true)!.push(s.at, ttft, out, gen, s.ok === true);
  }

  /** Median time to first token (ms) of the successful samples in the window; null until minSamples of them. */
  ttftP50(provider: string, model: string): LiveValue | null {
    return this.#p50(this.#windowFor(provider, model, false), TTFT);
  }

  /** Median output tokens/s over generation time (samples with >= 8 output tokens); null until minSamples of them. */
  throughputP50(provider: string, model: string): LiveValue | null {
    return this.#p50(this.#windowFor(provider, model, false), THROUGHPUT);
  }

  /** Every (provider, model) seen, sorted by provider then model. */
  snapshot(): LiveSnapshotEntry[] {
    const out: LiveSnapshotEntry[] = [];
    const cutoff = this.#now() - this.#maxAgeMs;
    for (const models of this.#byProvider.values()) {
      for (const w of models.values()) {
        let samples = 0;
        let failures = 0;
        for (let k = 0; k < w.size; k++) {
          const i = w.slot(k);
          if (w.at[i] < cutoff) continue;
          if (w.ok[i]) samples++;
          else failures++;
        }
        out.push({
          provider: w.provider,
          model: w.model,
          ttftP50: this.#p50(w, TTFT)?.value ?? null,
          throughputP50: this.#p50(w, THROUGHPUT)?.value ?? null,
          samples,
          failures,
        });
      }
    }
    return out.sort((a, b) => cmpStr(a.provider, b.provider) || cmpStr(a.model, b.model));
  }

  /** The raw windows (oldest sample first), for sharing across instances. JSON-safe. */
  exportWindows(): LiveStatsExport {
    const windows: LiveStatsExport['windows'] = [];
    for (const models of this.#byProvider.values()) {
      for (const w of models.values()) {
        const samples: LiveStatsExport['windows'][number]['samples'] = [];
        for (let k = 0; k < w.size; k++) {
          const i = w.slot(k);
          samples.push([w.at[i], Number.isNaN(w.ttft[i]) ? null : w.ttft[i], w.out[i], w.gen[i], w.ok[i] ? 1 : 0]);
        }
        windows.push({ provider: w.provider, model: w.model, samples });
      }
    }
    return { version: 1, windows };
  }

  /**
   * Merges windows exported by another instance (or an earlier export of this one): per (provider, model) the union
   * of both sample sets without exact duplicates, ordered by time, keeping the newest `window`. Throws on a malformed
   * export (nothing is changed then).
   */
  importWindows(data: unknown): void {
    const parsed = exportSchema.safeParse(data);
    if (!parsed.success) throw new Error(`invalid live statistics export: ${z.prettifyError(parsed.error)}`);
    for (const imported of parsed.data.windows) {
      const existing = this.#windowFor(imported.provider, imported.model, false);
      const all: Array<[number, number | null, number, number, 0 | 1]> = existing ? this.#exportOne(existing) : [];
      const seen = new Set(all.map((t) => t.join(',')));
      for (const t of imported.samples) {
        const key = t.join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        all.push(t);
      }
      all.sort((a, b) => a[0] - b[0]);
      const w = new Window(imported.provider, imported.model, this.#window);
      for (const t of all.slice(-this.#window)) w.push(t[0], t[1] ?? NaN, t[2], t[3], t[4] === 1);
      let models = this.#byProvider.get(imported.provider);
      if (!models) this.#byProvider.set(imported.provider, (models = new Map()));
      models.set(imported.model, w);
    }
  }

  #exportOne(w: Window): Array<[number, number | null, number, number, 0 | 1]> {
    const out: Array<[number, number | null, number, number, 0 | 1]> = [];
    for (let k = 0; k < w.size; k++) {
      const i = w.slot(k);
      out.push([w.at[i], Number.isNaN(w.ttft[i]) ? null : w.ttft[i], w.out[i], w.gen[i], w.ok[i] ? 1 : 0]);
    }
    return out;
  }

  #windowFor(provider: string, model: string, create: boolean): Window | undefined {
    let models = this.#byProvider.get(provider);
    if (!models) {
      if (!create) return undefined;
      this.#byProvider.set(provider, (models = new Map()));
    }
    let w = models.get(model);
    if (!w && create) models.set(model, (w = new Window(provider, model, this.#window)));
    return w;
  }

  #p50(w: Window | undefined, metric: Metric): LiveValue | null {
    if (!w) return null;
    const now = this.#now();
    if (w.cacheValid[metric] && now < w.cacheExpires[metric]) {
      return Number.isNaN(w.cacheValue[metric]) ? null : { value: w.cacheValue[metric], samples: w.cacheCount[metric] };
    }
    const cutoff = now - this.#maxAgeMs;
    const buf = this.#scratch;
    let n = 0;
    let oldest = Infinity;
    for (let k = 0; k < w.size; k++) {
      const i = w.slot(k);
      if (!w.ok[i] || w.at[i] < cutoff) continue;
      let v: number;
      if (metric === TTFT) {
        v = w.ttft[i];
        if (Number.isNaN(v)) continue;
      } else {
        if (w.out[i] < MIN_THROUGHPUT_TOKENS || w.gen[i] <= 0) continue;
        v = w.out[i] / (w.gen[i] / 1000);
      }
      buf[n++] = v;
      if (w.at[i] < oldest) oldest = w.at[i];
    }
    w.cacheValid[metric] = 1;
    if (n < this.#minSamples) {
      // Too few samples: time passing only removes samples, so this stays null until the next record.
      w.cacheValue[metric] = NaN;
      w.cacheCount[metric] = n;
      w.cacheExpires[metric] = Infinity;
      return null;
    }
    const sorted = buf.subarray(0, n).sort();
    const value = percentileSorted(sorted, 0.5);
    w.cacheValue[metric] = value;
    w.cacheCount[metric] = n;
    // The result changes once the oldest sample used falls out of the age window.
    w.cacheExpires[metric] = oldest + this.#maxAgeMs;
    return { value, samples: n };
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
