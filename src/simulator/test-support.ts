/**
 * Helpers shared by the simulator's tests (not part of the public API): SSE parsing and a raw
 * HTTP request helper that exposes timings and socket errors.
 */
import { request } from 'node:http';

export interface SseEvent {
  event: string | null;
  data: string;
}

/** Parse SSE text into events (`event:` + `data:` lines, blank-line separated). */
export function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const raw of text.split(/\r?\n\r?\n/)) {
    if (raw.trim() === '') continue;
    let event: string | null = null;
    const data: string[] = [];
    for (const line of raw.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    out.push({ event, data: data.join('\n') });
  }
  return out;
}

export const AUTH_HEADERS = {
  'x-api-key': 'sk-test',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
} as const;

export const OPENAI_HEADERS = { authorization: 'Bearer sk-test', 'content-type': 'application/json' } as const;

export const GEMINI_HEADERS = { 'x-goog-api-key': 'test-key', 'content-type': 'application/json' } as const;

/** The JSON payloads of an OpenAI-style stream (`data:` lines), without the `[DONE]` sentinel. */
export function sseJson(text: string): Array<Record<string, unknown>> {
  return parseSse(text)
    .map((e) => e.data)
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

export interface RawResult {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  /** ms from sending until the response headers arrived */
  headersAt?: number;
  /** [ms since send, chunk text] for each body chunk */
  chunks: Array<[number, string]>;
  body: string;
  /** set when the request or response failed (reset, cut, timeout) */
  error?: string;
  ended: boolean;
}

/** POST (or GET) with node:http, recording chunk timings and how the exchange ended. */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const result: RawResult = { chunks: [], body: '', ended: false };
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      result.body = result.chunks.map((c) => c[1]).join('');
      resolve(result);
    };
    const req = request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: false }, (res) => {
      result.status = res.statusCode;
      result.headers = res.headers;
      result.headersAt = performance.now() - t0;
      res.setEncoding('utf8');
      res.on('data', (c: string) => result.chunks.push([performance.now() - t0, c]));
      res.on('end', () => {
        result.ended = true;
        finish();
      });
      res.on('error', (e) => {
        result.error = e.message;
        finish();
      });
      res.on('aborted', () => {
        result.error ??= 'aborted';
      });
      res.on('close', () => {
        if (!result.ended) result.error ??= 'closed before end';
        finish();
      });
    });
    const timer = setTimeout(() => {
      result.error = 'timeout';
      req.destroy();
      finish();
    }, opts.timeoutMs ?? 10_000);
    req.on('error', (e) => {
      result.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
      finish();
    });
    req.end(opts.body);
  });
}
