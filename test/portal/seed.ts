import type { AttemptRecord, RequestRecord } from '../../src/telemetry/record.js';

/**
 * Past traffic for the portal's screenshots and multi-bucket charts: `count` model requests spread over the last
 * `hours`, deterministic (seeded), with realistic token counts, latencies, catalog-priced costs, a router with two
 * routes, and a few failovers and errors. Ids start with `req_seed_`.
 */
const MODELS = [
  { provider: 'anthropic', model: 'claude-sonnet-4-6', input: 3, output: 15, ttft: 700, tps: 70, weight: 5 },
  { provider: 'anthropic', model: 'claude-haiku-4-5', input: 1, output: 5, ttft: 380, tps: 140, weight: 4 },
  { provider: 'anthropic', model: 'claude-opus-4-6', input: 5, output: 25, ttft: 1300, tps: 45, weight: 2 },
  { provider: 'backup', model: 'claude-sonnet-4-6', input: 3, output: 15, ttft: 900, tps: 60, weight: 1 },
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function seedRecords(opts: { count: number; hours: number; now: number; keys: Array<{ id: string; name: string }> }): RequestRecord[] {
  const rand = rng(42);
  const pick = <T extends { weight: number }>(xs: T[]): T => {
    let r = rand() * xs.reduce((n, x) => n + x.weight, 0);
    for (const x of xs) if ((r -= x.weight) < 0) return x;
    return xs[xs.length - 1];
  };
  const out: RequestRecord[] = [];
  for (let i = 0; i < opts.count; i++) {
    // Busier towards the present, so the charts have a shape.
    const age = Math.pow(rand(), 1.4) * opts.hours * 3_600_000;
    const time = Math.round(opts.now - 60_000 - age);
    const routed = rand() < 0.3;
    const m = routed ? (rand() < 0.6 ? MODELS[1] : MODELS[2]) : pick(MODELS);
    const key = opts.keys[Math.floor(rand() * opts.keys.length)];
    const input = Math.round(400 + rand() * 6000);
    const output = Math.round(40 + rand() * 900);
    const cacheRead = rand() < 0.4 ? Math.round(rand() * 20_000) : 0;
    const overhead = 0.3 + rand() * 1.5;
    const ttft = m.ttft * (0.6 + rand() * 0.9);
    const generation = (output / m.tps) * 1000 * (0.8 + rand() * 0.5);
    const failedOver = rand() < 0.06;
    const failed = !failedOver && rand() < 0.03;
    const attempts: AttemptRecord[] = [];
    let start = overhead;
    if (failedOver) {
      const d = 200 + rand() * 600;
      attempts.push({ provider: m.provider, model: m.model, status: 529, success: false, errorClass: 'overloaded_error', error: 'Overloaded', ttftMs: null, durationMs: d, startMs: start, keyId: 'key0' });
      start += d;
    }
    const provider = failedOver ? (m.provider === 'backup' ? 'anthropic' : 'backup') : m.provider;
    const cost = failed ? null : (input * m.input + output * m.output + cacheRead * m.input * 0.1) / 1_000_000;
    attempts.push(
      failed
        ? { provider, model: m.model, status: 500, success: false, errorClass: 'api_error', error: 'Internal server error', ttftMs: null, durationMs: 300, startMs: start, keyId: 'key0' }
        : { provider, model: m.model, status: 200, success: true, errorClass: null, error: null, ttftMs: ttft, durationMs: ttft + generation, startMs: start, keyId: 'key0', costUsd: cost },
    );
    const total = failed ? start + 300 : start + ttft + generation;
    const route = m === MODELS[2] ? 'complex' : 'simple';
    out.push({
      id: `req_seed_${String(i).padStart(4, '0')}`,
      time,
      keyId: key.id,
      keyName: key.name,
      api: rand() < 0.7 ? 'anthropic' : 'openai',
      endpoint: 'messages',
      client: rand() < 0.6 ? 'claude-cli/2.1.197 (external, cli)' : 'OpenAI/JS 6.49.0',
      requestedModel: routed ? 'router/support' : `${m.provider}/${m.model}`,
      model: failed ? null : `${provider}/${m.model}`,
      provider: failed ? null : provider,
      status: failed ? 500 : 200,
      errorClass: failed ? 'api_error' : null,
      error: failed ? 'Internal server error' : null,
      stream: rand() < 0.7,
      stopReason: failed ? null : 'end_turn',
      usage: failed ? null : { input, output, cacheRead, cacheWrite: 0, reasoning: 0 },
      costUsd: cost,
      overheadMs: overhead,
      ttftMs: failed ? null : ttft,
      generationMs: failed ? null : generation,
      durationMs: total,
      attempts,
      routing: routed
        ? {
            kind: 'router',
            router: 'routers/support',
            routeId: route,
            variantId: route === 'complex' ? 'opus' : 'haiku',
            matchedExpression: route === 'complex' ? 'complexity == "high"' : null,
            celErrors: [],
            reasoning: `Router "support": route "${route}" ${route === 'complex' ? 'matched complexity == "high"' : 'is the default'}.`,
            auto: null,
            candidates: [{ provider: m.provider, model: m.model }],
            passedOver: [],
          }
        : null,
      metadata: routed ? { complexity: route === 'complex' ? 'high' : 'low' } : null,
      bodies: null,
    });
  }
  return out;
}
