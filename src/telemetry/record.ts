/** Everything Switchyard remembers about one request. Written off the hot path in batches. */
export interface AttemptRecord {
  provider: string;
  model: string;
  status: number | null;
  success: boolean;
  errorClass: string | null;
  error: string | null;
  /** Upstream time to first token, measured from this attempt's start. */
  ttftMs: number | null;
  durationMs: number;
  /** Which of the provider's keys was used, by position (`key0`, `key1`, ...); never the key itself. */
  keyId?: string | null;
  /** When the attempt started, in ms after the request arrived (the waterfall's x offset). */
  startMs?: number;
  /** Tokens this attempt was billed for (the answering attempt; null when none are known). */
  usage?: TokenUsage | null;
  costUsd?: number | null;
}

export interface TokenUsage {
  /** Input tokens billed at the plain input price (cache reads and writes excluded). */
  input: number;
  /** Output tokens, reasoning included. */
  output: number;
  cacheRead: number;
  /** All cache-write tokens; `cacheWrite1h` of them at the 1-hour price. */
  cacheWrite: number;
  cacheWrite1h?: number;
  /** Of `output`, how many were reasoning/thinking tokens. */
  reasoning: number;
}

/** A candidate `auto` ranked, or one it (or the plan) passed over and why. */
export interface RankedCandidate {
  provider: string;
  model: string;
  rank: number;
  priceUsd: number;
  ttftMs: number;
  throughput: number;
  intelligence: number | null;
}

export interface PassedOver {
  provider: string;
  model: string;
  reason: string;
}

/** How the router chose the models it tried. */
export interface RoutingDecision {
  /** `model`: a concrete model (or alias); `auto`; `router`; `fallbacks`: a `models` list. */
  kind: 'model' | 'auto' | 'router' | 'fallbacks';
  router: string | null;
  routeId: string | null;
  variantId: string | null;
  /** The CEL condition that matched (null: the default route, or no router). */
  matchedExpression: string | null;
  celErrors: Array<{ routeId: string; expression: string; error: string }>;
  /** One sentence, as in the response's `metadata.reasoning`. */
  reasoning: string | null;
  /** The auto ranking (sort criteria and the ranked candidates), when `auto` chose. */
  auto: { sort: string[]; ranked: RankedCandidate[] } | null;
  /** The attempt chain in order. */
  candidates: Array<{ provider: string; model: string }>;
  /** Candidates left out, with the reason (auto filters, `ignore`, provider preferences, ...). */
  passedOver: PassedOver[];
}

export interface RequestRecord {
  id: string;
  /** Unix epoch milliseconds when the request arrived. */
  time: number;
  /** The client key's id and name (never the key). */
  keyId: string | null;
  keyName: string | null;
  api: 'anthropic' | 'openai';
  endpoint: string;
  client: string | null;
  requestedModel: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  errorClass: string | null;
  error: string | null;
  stream: boolean;
  stopReason: string | null;
  usage: TokenUsage | null;
  /** USD from catalog prices; null when no usage is known. */
  costUsd: number | null;
  /** Latency breakdown: router time before the first upstream byte was sent, upstream TTFT, generation, total. */
  overheadMs: number | null;
  ttftMs: number | null;
  generationMs: number | null;
  durationMs: number;
  attempts: AttemptRecord[];
  routing: RoutingDecision | null;
  /** The request's `metadata` (CEL variables, `x-switchyard-metadata`) and user id, as strings. */
  metadata: Record<string, string> | null;
  /** Request and response bodies, when `telemetry.records.bodies` is on; secrets redacted. */
  bodies: { request: string | null; response: string | null } | null;
}

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
}
