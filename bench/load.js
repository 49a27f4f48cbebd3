// Closed-loop load generator: `concurrency` workers on a keep-alive undici Pool, each sending the same pre-serialised
// body back to back until the duration is over. Latencies go into preallocated arrays; percentiles come from a sort.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const CAPACITY = 1 << 20; // latency samples per cell; more requests are counted but not sampled

export function createPool(url, concurrency) {
  return new Pool(url, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}

/** How a complete stream ends, per client protocol (a provider error inside a stream never matches). */
const STREAM_END = {
  anthropic: /event: *message_stop\r?\ndata: *\{[^\n]*"type": *"message_stop"[^\n]*\}\r?\n\r?\n$/,
  openai: /\ndata: *\[DONE\]\r?\n\r?\n$/,
  gemini: /"finishReason": *"[A-Z_]+"[^\n]*\}\r?\n\r?\n$/,
};
/** Bytes of a stream's end kept for that check: Gemini's last chunk carries finishReason before ~500 bytes of usage. */
const TAIL = { anthropic: 512, openai: 512, gemini: 2048 };
const END_NAME = { anthropic: 'message_stop', openai: 'data: [DONE]', gemini: 'a finishReason chunk' };

/** Whether the end of a stream (`tail`: its last bytes, or all of it) shows a complete answer in `protocol`. */
export function streamComplete(protocol, tail) {
  return STREAM_END[protocol].test(tail);
}

/**
 * Runs one closed loop. opts: {pool, path, headers, body: Buffer, stream, protocol (of the answer, default
 * anthropic), concurrency, durationMs, classify?: (responseHeaders, bodyText) => group name}.
 * Returns {count, errors, firstError, elapsedMs, latency: Float64Array (sorted; time to the last byte, TTLB), ttfb:
 * Float64Array (sorted, stream only; time to the first body byte), groups: {name: latencies (sorted)} of the
 * successful requests (with classify, which keeps whole bodies)}.
 */
export async function runLoad({ pool, path, headers, body, stream, protocol = 'anthropic', concurrency, durationMs, classify }) {
  const latency = new Float64Array(CAPACITY);
  const ttfb = new Float64Array(stream ? CAPACITY : 0);
  let count = 0;
  let errors = 0;
  let firstError;
  const groups = {};
  const keep = TAIL[protocol];
  const start = performance.now();
  const deadline = start + durationMs;
  const fail = (msg) => {
    errors++;
    firstError ??= msg;
  };

  async function once() {
    const t0 = performance.now();
    const res = await pool.request({ path, method: 'POST', headers, body });
    let first = -1;
    let bytes = 0;
    let tail = Buffer.alloc(0);
    const chunks = [];
    for await (const chunk of res.body) {
      if (first < 0) first = performance.now();
      bytes += chunk.length;
      if (classify) chunks.push(chunk);
      if (stream) tail = tail.length + chunk.length <= keep ? Buffer.concat([tail, chunk]) : Buffer.concat([tail, chunk]).subarray(-keep);
    }
    const t1 = performance.now();
    if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}`);
    if (bytes === 0) return fail('empty body');
    if (stream && !streamComplete(protocol, tail.toString('utf8'))) {
      return fail(`stream did not end with ${END_NAME[protocol]}: ...${JSON.stringify(tail.toString('utf8').slice(-120))}`);
    }
    if (count < CAPACITY) {
      latency[count] = t1 - t0;
      if (stream) ttfb[count] = first - t0;
      if (classify) (groups[classify(res.headers, Buffer.concat(chunks).toString('utf8'))] ??= []).push(t1 - t0);
    }
    count++;
  }

  async function worker() {
    while (performance.now() < deadline) {
      try {
        await once();
      } catch (err) {
        fail(err.code ? `${err.code}: ${err.message}` : String(err.message ?? err));
        await new Promise((r) => setTimeout(r, 10)); // do not spin on a dead server
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  const n = Math.min(count, CAPACITY);
  return {
    count,
    errors,
    firstError,
    elapsedMs,
    latency: latency.subarray(0, n).sort(),
    ttfb: stream ? ttfb.subarray(0, n).sort() : ttfb,
    groups: Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, Float64Array.from(v).sort()])),
  };
}

/** Nearest-rank percentile of a sorted array (NaN when empty). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
