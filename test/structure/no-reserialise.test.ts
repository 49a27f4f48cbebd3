import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
// @ts-expect-error plain JS shared with the benchmark, no type declarations
import { largeBody, toOpenAI } from '../../bench/bodies.js';

/**
 * Regression guard for the passthrough fast path (issue 9), checked structurally rather than by timing:
 * 1. a passthrough request's body is never parsed and re-serialised: while it is served, no JSON.parse sees a string
 *    and no JSON.stringify produces one anywhere near the body's size, and no Buffer.toString decodes it whole;
 * 2. streams are never buffered whole: with an upstream that sends the first events and then stalls with the
 *    connection open, the client still receives the first text delta (a buffering proxy would wait forever).
 * The simulator runs in its own process so its own parsing of the body does not count.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIG = 20_000;

let simProc: ChildProcess;
let simUrl: string;
let h: Harness;

beforeAll(async () => {
  simProc = spawn(process.execPath, ['--input-type=module', '-e', `import { startSimulator } from ${JSON.stringify(path.join(ROOT, 'dist/simulator/index.js'))}; const s = await startSimulator({ port: 0, logBodyBytesLimit: 1024 }); console.log(s.url);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  simUrl = await new Promise<string>((resolve, reject) => {
    simProc.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    simProc.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  h = await startHarness(
    {
      providers: { openai: { api_key: 'sk-openai-guard-0001', base_url: `${simUrl}/v1` } },
      failover: { timeouts: { idle: 60_000, ttft: 60_000 } },
    },
    { sim: { url: simUrl } as Simulator },
  );
});
afterAll(async () => {
  await h?.close();
  simProc?.kill();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fetch(`${simUrl}/_sim/faults/clear`, { method: 'POST' });
});

const anthropicBody = largeBody(ROOT) as Record<string, unknown>;
const openaiBody = toOpenAI(anthropicBody) as Record<string, unknown>;

function request(pathname: string, body: Record<string, unknown>, model: string, stream: boolean): { bytes: string; send: () => Promise<Response> } {
  const bytes = JSON.stringify({ ...body, model, stream, ...(pathname.includes('chat') && stream ? { stream_options: { include_usage: true } } : {}) });
  expect(bytes.length).toBeGreaterThan(150_000);
  return { bytes, send: () => fetch(`${h.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': h.key, authorization: `Bearer ${h.key}` },
    body: bytes,
  }) };
}

function watchWholeBodyHandling() {
  const parse = vi.spyOn(JSON, 'parse');
  const stringify = vi.spyOn(JSON, 'stringify');
  const toString = vi.spyOn(Buffer.prototype, 'toString');
  return () => ({
    parsed: parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > BIG).length,
    stringified: stringify.mock.results.filter((r) => r.type === 'return' && typeof r.value === 'string' && r.value.length > BIG).length,
    // toString(encoding, start, end) over a small range of the body (e.g. the model name) is fine; decoding most of it is not.
    decoded: toString.mock.calls.filter((args, i) => {
      const buf = toString.mock.contexts[i] as Buffer;
      const start = typeof args[1] === 'number' ? args[1] : 0;
      const end = typeof args[2] === 'number' ? Math.min(args[2], buf.length) : buf.length;
      return end - start > BIG;
    }).length,
  });
}

describe('passthrough never re-serialises the body', () => {
  it.each([
    ['Anthropic → Anthropic', '/v1/messages', 'anthropic/claude-opus-4-8', false],
    ['Anthropic → Anthropic, stream', '/v1/messages', 'anthropic/claude-opus-4-8', true],
    ['OpenAI → OpenAI', '/v1/chat/completions', 'openai/gpt-5.1', false],
    ['OpenAI → OpenAI, stream', '/v1/chat/completions', 'openai/gpt-5.1', true],
  ] as const)('%s', async (_name, pathname, model, stream) => {
    const body = pathname.includes('chat') ? openaiBody : anthropicBody;
    const req = request(pathname, body, model, stream);
    const seen = watchWholeBodyHandling();
    const res = await req.send();
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(200);
    await h.flush();
    expect(seen()).toEqual({ parsed: 0, stringified: 0, decoded: 0 });
  });

  it('the guard itself sees a translated request parse its body (so it can fail)', async () => {
    const req = request('/v1/messages', anthropicBody, 'openai/gpt-5.1', false);
    const seen = watchWholeBodyHandling();
    const res = await req.send();
    expect(res.status).toBe(200);
    await res.text();
    expect(seen().parsed).toBeGreaterThan(0);
  });
});

describe('streams are relayed as they come, never buffered whole', () => {
  async function firstDeltaWhileUpstreamStalls(pathname: string, body: Record<string, unknown>, model: string, afterEvents: number, delta: string): Promise<string> {
    const fault = await fetch(`${simUrl}/_sim/fault`, { method: 'POST', body: JSON.stringify({ fault: { kind: 'stall', afterEvents }, match: { stream: true } }) });
    expect(fault.status).toBe(200);
    const controller = new AbortController();
    const res = await fetch(`${h.url}${pathname}`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': h.key, authorization: `Bearer ${h.key}` },
      body: JSON.stringify({ ...body, model, stream: true, messages: [{ role: 'user', content: 'Tell me a long story.' }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let seen = '';
    // The upstream never finishes, so this loop ends only if the delta arrives while it is stalled.
    while (!seen.includes(delta)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before a delta: ${seen}`);
      seen += Buffer.from(value).toString();
    }
    controller.abort();
    return seen;
  }

  it('Anthropic passthrough', async () => {
    const seen = await firstDeltaWhileUpstreamStalls('/v1/messages', { max_tokens: 200 }, 'anthropic/claude-opus-4-8', 4, '"text_delta"');
    expect(seen).not.toContain('message_stop');
  });

  it('OpenAI passthrough', async () => {
    const seen = await firstDeltaWhileUpstreamStalls('/v1/chat/completions', { max_completion_tokens: 200 }, 'openai/gpt-5.1', 3, '"content":"');
    expect(seen).not.toContain('[DONE]');
  });

  it('translated (Anthropic client, OpenAI upstream)', async () => {
    const seen = await firstDeltaWhileUpstreamStalls('/v1/messages', { max_tokens: 200 }, 'openai/gpt-5.1', 3, '"text_delta"');
    expect(seen).not.toContain('message_stop');
  });
});
