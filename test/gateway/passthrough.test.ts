import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/claude-code');

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ aliases: { auto: 'anthropic/claude-sonnet-4-5', 'inworld/my-router': 'anthropic/claude-opus-4-6' } });
});
afterAll(async () => h.close());
beforeEach(() => h.sim.reset());

interface FixtureLine {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

const DROP = new Set(['authorization', 'x-api-key', 'host', 'content-length', 'connection', 'accept-encoding']);

function fixtureLines(): Array<{ file: string; line: FixtureLine }> {
  const out: Array<{ file: string; line: FixtureLine }> = [];
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl'))) {
    for (const text of readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter(Boolean)) {
      const line = JSON.parse(text) as FixtureLine;
      // The recordings also hold the CLI's blocked egress attempts (CONNECT to other hosts): not requests to us.
      if ((line.method === 'GET' || line.method === 'POST') && line.path) out.push({ file, line });
    }
  }
  return out;
}

describe('Claude Code requests replayed through the router', () => {
  const lines = fixtureLines();
  it('has fixtures to replay', () => {
    expect(lines.filter((l) => l.line.method === 'POST').length).toBeGreaterThan(20);
  });

  it.each(lines.map((l, i) => [`${l.file}#${i}`, l.line] as const))('%s is accepted and forwarded byte-identical apart from model', async (_name, line) => {
    const headers: Record<string, string> = { authorization: `Bearer ${h.key}` };
    for (const [k, v] of Object.entries(line.headers)) if (!DROP.has(k)) headers[k] = v;
    const qs = new URLSearchParams(line.query).toString();
    const url = `${h.url}${line.path}${qs ? `?${qs}` : ''}`;
    if (line.method === 'GET') {
      const r = await fetch(url, { headers });
      expect(r.status).toBe(200);
      const list = (await r.json()) as { data: Array<{ id: string }> };
      expect(list.data.some((m) => m.id.startsWith('claude'))).toBe(true);
      return;
    }
    const sent = Buffer.from(JSON.stringify(line.body));
    const r = await fetch(url, { method: 'POST', headers, body: sent });
    const text = await r.text();
    expect(r.status, text.slice(0, 300)).toBe(200);
    const forwarded = h.sim.requests.at(-1)!;
    const model = (line.body as { model: string }).model;
    const upstreamModel = model === 'auto' ? 'claude-sonnet-4-5' : model === 'inworld/my-router' ? 'claude-opus-4-6' : model;
    const expected = sent.toString('utf8').replace(`"model":${JSON.stringify(model)}`, `"model":${JSON.stringify(upstreamModel)}`);
    expect(forwarded.body.toString('utf8') === expected, 'forwarded body differs from the sent body').toBe(true);
    expect(forwarded.query).toBe(qs);
    if (line.headers['anthropic-beta']) expect(forwarded.headers['anthropic-beta']).toBe(line.headers['anthropic-beta']);
    expect(forwarded.headers['anthropic-version']).toBe(line.headers['anthropic-version']);
    expect(forwarded.headers['x-api-key']).toBe('sk-ant-test-provider-key-0001');
    expect(forwarded.headers['authorization']).toBeUndefined();
  });
});

describe('the body is edited, never re-serialised', () => {
  it('removes extension fields and non-user_id metadata, keeping every other byte (whitespace, escapes, key order)', async () => {
    const body =
      '{\n  "extra_body": {"models": ["anthropic/claude-haiku-4-5"]},\n  "model" : "claude-sonnet-4-5",\n' +
      '  "max_tokens": 64,\n  "messages": [{"role": "user", "content": "caf\\u00e9 \\ud83d\\ude00 1.0e2"}],\n' +
      '  "metadata": {"user_id": "u-1", "tier": "gold"},\n  "fallback": {"ttft_timeout": "1.5s"},\n  "temperature": 1.0\n}';
    const r = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json' }, body });
    expect(r.status).toBe(200);
    const got = h.sim.requests.at(-1)!.body.toString('utf8');
    expect(got).toBe(
      '{\n  "model" : "claude-sonnet-4-5",\n' +
        '  "max_tokens": 64,\n  "messages": [{"role": "user", "content": "caf\\u00e9 \\ud83d\\ude00 1.0e2"}],\n' +
        '  "metadata": {"user_id":"u-1"},\n  "temperature": 1.0\n}',
    );
  });

  it('passes SSE events through byte for byte except model in message_start and metadata in the final message_delta', async () => {
    const turn = { content: [{ type: 'text' as const, text: 'Alpha beta gamma delta epsilon zeta.' }, { type: 'tool_use' as const, id: 'toolu_01FixedIdForTheTest000', name: 'calc', input: { expr: '6*7' } }] };
    const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    h.sim.script([turn]);
    const direct = await (await fetch(`${h.sim.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'x', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body })).text();
    h.sim.script([turn]);
    const routed = await (await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': h.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body })).text();
    const events = (s: string) => s.split('\n\n').filter(Boolean);
    const d = events(direct);
    const rt = events(routed);
    expect(rt.length).toBe(d.length);
    for (let i = 0; i < d.length; i++) {
      const type = /^event: (\w+)/.exec(d[i])?.[1];
      if (type === 'message_start') {
        const a = JSON.parse(d[i].split('data: ')[1]) as { message: Record<string, unknown> };
        const b = JSON.parse(rt[i].split('data: ')[1]) as { message: Record<string, unknown> };
        expect(b.message.model).toBe('anthropic/claude-sonnet-4-5');
        expect({ ...b.message, model: null, id: null }).toEqual({ ...a.message, model: null, id: null });
      } else if (type === 'message_delta') {
        const a = JSON.parse(d[i].split('data: ')[1]) as Record<string, unknown>;
        const b = JSON.parse(rt[i].split('data: ')[1]) as Record<string, unknown> & { metadata: { attempts: unknown[] } };
        expect(b.metadata.attempts).toHaveLength(1);
        const { metadata: _m, ...rest } = b;
        expect(rest).toEqual(a);
      } else {
        expect(rt[i]).toBe(d[i]);
      }
    }
  });
});
