/**
 * Conformance of the simulator's Chat Completions output with recorded API traffic.
 *
 * From every recorded stream (`*.chunks.txt`, raw `*.sse`, SSE bodies in the VCR cassettes) and every
 * recorded `chat.completion` / error body, this derives:
 *  - the shape of each object kind (completion, choice, message, tool call, usage and its details,
 *    chunk, chunk choice, delta, delta tool call, error): fields seen, JSON types, fields always present
 *    in OpenAI's own responses (vendors vary), and field order (raw JSON only);
 *  - which key combinations a `delta` and a streamed tool call take;
 *  - the stream grammar OpenAI follows (checked on the first-party recordings, then on the simulator):
 *    one envelope, the role only in the first chunk, one finish chunk with an empty delta, usage only in
 *    a final `choices: []` chunk (earlier chunks carry `usage: null` or no usage key), tool-call deltas
 *    opening with id/type/name at indices 0, 1, ...
 * It then drives the simulator through text / tool calls / parallel tool calls / reasoning / usage
 * scenarios and replays the recorded request bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSimulator, type ScriptedTurn, type Simulator } from '../index.js';
import { OPENAI_HEADERS, sseJson } from '../test-support.js';
import { shapeViolations, Shapes, type Obj } from '../test-shapes.js';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/fixtures/recorded/openai');

// ---------------------------------------------------------------------------------------------
// Loading recordings

interface Stream {
  name: string;
  chunks: Obj[];
  /** Raw SSE text when the recording kept it. */
  raw?: string;
}

interface Recorded {
  streams: Stream[];
  completions: Array<{ name: string; body: Obj; ordered: boolean }>;
  errors: Array<{ name: string; body: Obj; ordered: boolean }>;
  requests: Array<{ name: string; body: Obj; status: number; response?: Obj }>;
}

/** OpenAI's own models (other recordings are OpenAI-compatible vendors: DeepSeek, xAI, Groq, ...). */
function firstParty(model: unknown): boolean {
  return typeof model === 'string' && /^(gpt-|o\d)/.test(model);
}

function loadRecorded(): Recorded {
  const r: Recorded = { streams: [], completions: [], errors: [], requests: [] };
  const addBody = (name: string, body: Obj, ordered: boolean): void => {
    if (body.object === 'chat.completion') r.completions.push({ name, body, ordered });
    else if (body.error) r.errors.push({ name, body, ordered });
  };
  for (const f of readdirSync(DIR).sort()) {
    const text = readFileSync(join(DIR, f), 'utf8');
    if (f.endsWith('.chunks.txt')) {
      r.streams.push({ name: f, chunks: text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Obj) });
    } else if (f.endsWith('.sse')) {
      r.streams.push({ name: f, chunks: sseJson(text), raw: text });
    } else if (f.endsWith('.json')) {
      addBody(f, JSON.parse(text) as Obj, true);
    } else if (f.endsWith('.yaml')) {
      const doc = parseYaml(text) as { interactions: Obj[] };
      doc.interactions.forEach((it, i) => {
        const name = `${f}#${i}`;
        const req = it.request as Obj;
        const res = it.response as Obj;
        const url = String(req.url ?? req.uri);
        if (!url.endsWith('/chat/completions')) return;
        // go-vcr (envoy) cassettes keep bodies as text; VCR.py (pydantic) ones as parsed YAML or raw SSE
        const goVcr = 'url' in req;
        const reqBody = goVcr ? (JSON.parse(String(req.body)) as Obj) : (req.parsed_body as Obj);
        const status = goVcr ? Number(res.code) : Number((res.status as Obj).code);
        const rawBody = goVcr ? String(res.body) : ((res.body as Obj | undefined)?.string as string | undefined);
        let response: Obj | undefined;
        if (rawBody !== undefined && rawBody.startsWith('data:')) {
          r.streams.push({ name, chunks: sseJson(rawBody), raw: rawBody });
        } else {
          // go-vcr bodies are re-indented with sorted keys, VCR.py ones re-rendered as YAML: no wire order
          response = goVcr ? (JSON.parse(String(res.body)) as Obj) : (res.parsed_body as Obj);
          addBody(name, response, false);
        }
        r.requests.push({ name, body: reqBody, status, response });
      });
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Shapes and delta key combinations

function observeUsage(shapes: Shapes, usage: Obj, ordered: boolean, strict: boolean): void {
  shapes.observe('usage', usage, ordered, strict);
  if (usage.prompt_tokens_details) shapes.observe('usage.prompt_tokens_details', usage.prompt_tokens_details as Obj, ordered, strict);
  if (usage.completion_tokens_details) shapes.observe('usage.completion_tokens_details', usage.completion_tokens_details as Obj, ordered, strict);
}

function observeCompletion(shapes: Shapes, body: Obj, ordered: boolean): void {
  const strict = firstParty(body.model);
  shapes.observe('completion', body, ordered, strict);
  for (const c of body.choices as Obj[]) {
    shapes.observe('completion.choice', c, ordered, strict);
    const m = c.message as Obj;
    shapes.observe('completion.message', m, ordered, strict);
    for (const tc of (m.tool_calls as Obj[] | undefined) ?? []) {
      shapes.observe('completion.tool_call', tc, ordered, strict);
      shapes.observe('completion.tool_call.function', tc.function as Obj, ordered, strict);
    }
  }
  if (body.usage) observeUsage(shapes, body.usage as Obj, ordered, strict);
}

function keySet(o: Obj): string {
  return Object.keys(o).sort().join(',');
}

interface Combos {
  delta: Set<string>;
  toolCall: Set<string>;
  toolFunction: Set<string>;
}

function observeStream(shapes: Shapes, combos: Combos | undefined, chunks: Obj[], learn: boolean): string[] {
  const v: string[] = [];
  const check = (set: Set<string>, item: string, what: string): void => {
    if (learn) set.add(item);
    else if (!set.has(item)) v.push(`${what} {${item}} never seen in recordings`);
  };
  for (const ch of chunks) {
    const strict = firstParty(ch.model);
    shapes.observe('chunk', ch, true, strict);
    if (ch.usage) observeUsage(shapes, ch.usage as Obj, true, strict);
    for (const c of ch.choices as Obj[]) {
      shapes.observe('chunk.choice', c, true, strict);
      const d = c.delta as Obj;
      shapes.observe('delta', d, true, strict);
      if (combos) check(combos.delta, keySet(d), 'delta');
      for (const tc of (d.tool_calls as Obj[] | undefined) ?? []) {
        shapes.observe('delta.tool_call', tc, true, strict);
        shapes.observe('delta.tool_call.function', tc.function as Obj, true, strict);
        if (combos) {
          check(combos.toolCall, keySet(tc), 'tool call delta');
          check(combos.toolFunction, keySet(tc.function as Obj), 'tool call function delta');
        }
      }
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Stream grammar

function grammarViolations(chunks: Obj[], raw?: string): string[] {
  const v: string[] = [];
  if (chunks.length === 0) return ['empty stream'];
  const env = (c: Obj): string => `${String(c.id)}|${String(c.created)}|${String(c.model)}|${String(c.object)}`;
  let finishAt = -1;
  const seenIndex = new Set<number>();
  let maxIndex = -1;
  chunks.forEach((c, i) => {
    const at = `#${i}`;
    if (env(c) !== env(chunks[0])) v.push(`${at}: envelope differs from the first chunk`);
    if (c.object !== 'chat.completion.chunk') v.push(`${at}: object ${String(c.object)}`);
    const choices = c.choices as Obj[];
    if (choices.length === 0) {
      if (i !== chunks.length - 1) v.push(`${at}: empty choices before the end`);
      if (!c.usage) v.push(`${at}: empty choices without usage`);
      return;
    }
    if (c.usage !== null && c.usage !== undefined) v.push(`${at}: usage on a chunk with choices`);
    if (finishAt >= 0) v.push(`${at}: chunk with choices after the finish chunk`);
    const choice = choices[0];
    if (choice.index !== 0) v.push(`${at}: choice index ${String(choice.index)}`);
    const d = choice.delta as Obj;
    if (i === 0 && d.role !== 'assistant') v.push(`${at}: first delta has no assistant role`);
    if (i > 0 && 'role' in d) v.push(`${at}: role after the first chunk`);
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      finishAt = i;
      if (Object.keys(d).length > 0) v.push(`${at}: finish chunk with a non-empty delta`);
    }
    for (const tc of (d.tool_calls as Obj[] | undefined) ?? []) {
      const idx = tc.index as number;
      const fn = tc.function as Obj;
      if (!seenIndex.has(idx)) {
        if (idx !== maxIndex + 1) v.push(`${at}: new tool call index ${idx}, expected ${maxIndex + 1}`);
        if (typeof tc.id !== 'string' || tc.type !== 'function' || typeof fn.name !== 'string') v.push(`${at}: tool call ${idx} opens without id/type/name`);
        seenIndex.add(idx);
        maxIndex = Math.max(maxIndex, idx);
      } else {
        if ('id' in tc || 'type' in tc || 'name' in fn) v.push(`${at}: tool call ${idx} repeats id/type/name`);
        if (idx !== maxIndex) v.push(`${at}: arguments for tool call ${idx} after ${maxIndex} opened`);
      }
    }
  });
  if (finishAt < 0) v.push('no finish chunk');
  if (raw !== undefined) {
    const events = raw.split('\n\n').filter((e) => e.trim() !== '');
    for (const e of events) if (!/^data: \S/.test(e) || e.includes('\n')) v.push(`event not a single data line: ${e.slice(0, 40)}`);
    if (events[events.length - 1] !== 'data: [DONE]') v.push('stream does not end with data: [DONE]');
  }
  return v;
}

// ---------------------------------------------------------------------------------------------

const recorded = loadRecorded();
const recShapes = new Shapes();
const combos: Combos = { delta: new Set(), toolCall: new Set(), toolFunction: new Set() };
for (const s of recorded.streams) observeStream(recShapes, combos, s.chunks, true);
for (const c of recorded.completions) observeCompletion(recShapes, c.body, c.ordered);
for (const e of recorded.errors) {
  recShapes.observe('error', e.body, e.ordered);
  recShapes.observe('error.error', e.body.error as Obj, e.ordered);
}
const firstPartyStreams = recorded.streams.filter((s) => firstParty(s.chunks[0]?.model));

describe('recorded OpenAI fixtures', () => {
  it('are all loaded', () => {
    expect(recorded.streams.length).toBeGreaterThanOrEqual(12);
    expect(firstPartyStreams.length).toBeGreaterThanOrEqual(5);
    expect(recorded.completions.length).toBeGreaterThanOrEqual(15);
    expect(recorded.errors.length).toBeGreaterThanOrEqual(4);
    expect(recorded.requests.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(15);
  });

  it('first-party streams all satisfy the stream grammar (sanity check of the checker)', () => {
    for (const s of firstPartyStreams) expect(grammarViolations(s.chunks, s.raw), s.name).toEqual([]);
  });

  it('yield the expected derived facts', () => {
    expect(recShapes.always('chunk')).toEqual(expect.arrayContaining(['id', 'object', 'created', 'model', 'choices']));
    expect(recShapes.always('completion.choice')).toEqual(expect.arrayContaining(['index', 'message', 'finish_reason']));
    expect(recShapes.always('usage')).toEqual(expect.arrayContaining(['prompt_tokens', 'completion_tokens', 'total_tokens']));
    expect(combos.delta).toContain('content');
    expect(combos.delta).toContain('reasoning_content');
    expect(combos.delta).toContain('content,refusal,role');
    expect(combos.toolCall).toEqual(new Set(['function,id,index,type', 'function,index']));
    expect(recShapes.byKind.get('delta')?.fields.get('reasoning_content')?.types).toEqual(new Set(['string', 'null']));
  });

  it('the checkers reject broken streams (they can fail)', () => {
    const good = firstPartyStreams.find((s) => s.name.includes('test_run_stream_sync'))!.chunks;
    const noRole = good.map((c, i) => (i === 0 ? { ...c, choices: [{ ...(c.choices as Obj[])[0], delta: { content: '' } }] } : c));
    expect(grammarViolations(noRole)).toContain('#0: first delta has no assistant role');
    const usageFirst = [good[good.length - 1], ...good.slice(0, -1)];
    expect(grammarViolations(usageFirst).length).toBeGreaterThan(0);
    const reopened = good.map((c) => {
      const d = (c.choices as Obj[])[0]?.delta as Obj | undefined;
      const tcs = d?.tool_calls as Obj[] | undefined;
      if (!tcs || 'id' in tcs[0]) return c;
      return { ...c, choices: [{ ...(c.choices as Obj[])[0], delta: { tool_calls: [{ ...tcs[0], id: 'call_x', type: 'function' }] } }] };
    });
    expect(grammarViolations(reopened).some((x) => x.includes('repeats id/type/name'))).toBe(true);
    const shapes = new Shapes();
    const extra = good.map((c) => ({ ...c, surprise: 1 }));
    expect(observeStream(shapes, combos, [{ ...good[1], choices: [{ index: 0, delta: { content: 'x', role: 'assistant', tool_calls: [] } }] }], false).length).toBe(1);
    observeStream(shapes, undefined, extra, false);
    expect(shapeViolations(recShapes, shapes).some((x) => x.includes('surprise'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Driving the simulator

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 42 });
});
afterAll(async () => {
  await sim.close();
});

async function call(body: Obj): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: OPENAI_HEADERS, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const BASE = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the weather in Paris and in Rome?' }] };
const LONG_TEXT =
  'Here are the basic steps for safely crossing the street: wait for the walk signal, look both ways, ' +
  'make eye contact with drivers, and keep looking while you cross. Avoid distractions like phones.';
const WEATHER_INPUT = { city: 'Paris', days: [1, 2], units: { t: 'C' }, note: 'unicode ✓ "quoted"' };

interface Scenario {
  name: string;
  turn?: ScriptedTurn;
  body?: Obj;
}

const SCENARIOS: Scenario[] = [
  { name: 'generated text' },
  { name: 'scripted long text', turn: { content: [{ type: 'text', text: LONG_TEXT }] } },
  {
    name: 'text then tool call',
    turn: { content: [{ type: 'text', text: 'Let me check the weather.' }, { type: 'tool_use', name: 'get_weather', input: WEATHER_INPUT }] },
  },
  { name: 'tool call only, empty input', turn: { content: [{ type: 'tool_use', name: 'list_files', input: {} }] } },
  {
    name: 'parallel tool calls',
    turn: {
      content: [
        { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', name: 'get_weather', input: { city: 'Rome' } },
        { type: 'tool_use', name: 'get_time', input: { tz: 'Europe/Rome' } },
      ],
    },
  },
  {
    name: 'reasoning then text',
    turn: { content: [{ type: 'thinking', thinking: 'The user wants two cities. I will answer briefly.', signature: 'c2ln' }, { type: 'text', text: 'Sunny in both.' }] },
  },
  {
    name: 'reasoning then tool call',
    turn: { content: [{ type: 'thinking', thinking: 'I need the tool for this.' }, { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } }] },
  },
  { name: 'generated reasoning (reasoning_effort)', body: { reasoning_effort: 'high' } },
  { name: 'max tokens (length)', body: { max_completion_tokens: 3 } },
  { name: 'redacted thinking is dropped', turn: { content: [{ type: 'redacted_thinking', data: 'EmwKAhgB' }, { type: 'text', text: 'Done.' }] } },
];

interface Collected {
  name: string;
  includeUsage: boolean;
  chunks: Obj[];
  completion: Obj;
}

describe('simulator output conforms to the recordings', () => {
  const collected: Collected[] = [];

  for (const sc of SCENARIOS) {
    it(`${sc.name}: stream grammar, delta combinations and fields; completion fields`, async () => {
      for (const includeUsage of [true, false]) {
        if (sc.turn) sim.script([sc.turn]);
        const body: Obj = { ...BASE, ...sc.body, stream: true };
        if (includeUsage) body.stream_options = { include_usage: true };
        const r = await call(body);
        expect(r.status, r.text).toBe(200);
        const chunks = sseJson(r.text);
        expect(grammarViolations(chunks, r.text)).toEqual([]);
        const shapes = new Shapes();
        expect(observeStream(shapes, combos, chunks, false)).toEqual([]);
        expect(shapeViolations(recShapes, shapes)).toEqual([]);
        expect('usage' in chunks[0]).toBe(includeUsage);

        if (sc.turn) sim.script([sc.turn]);
        const j = await call({ ...BASE, ...sc.body });
        expect(j.status, j.text).toBe(200);
        const completion = JSON.parse(j.text) as Obj;
        const jshapes = new Shapes();
        observeCompletion(jshapes, completion, true);
        expect(shapeViolations(recShapes, jshapes)).toEqual([]);
        collected.push({ name: sc.name, includeUsage, chunks, completion });
      }
    });
  }

  const get = (name: string, includeUsage = true): Collected => collected.find((c) => c.name === name && c.includeUsage === includeUsage)!;
  const deltas = (c: Collected): Obj[] => c.chunks.flatMap((ch) => (ch.choices as Obj[]).map((x) => x.delta as Obj));
  const message = (c: Collected): Obj => ((c.completion.choices as Obj[])[0].message as Obj);
  const finish = (c: Collected): unknown => (c.chunks.find((ch) => (ch.choices as Obj[])[0]?.finish_reason) ?.choices as Obj[])[0].finish_reason;

  it('text streams in several content deltas that add up to the text', () => {
    const c = get('scripted long text');
    const texts = deltas(c).map((d) => d.content).filter((t): t is string => typeof t === 'string' && t !== '');
    expect(texts.length).toBeGreaterThan(5);
    expect(texts.join('')).toBe(LONG_TEXT);
    expect(message(c).content).toBe(LONG_TEXT);
    expect(finish(c)).toBe('stop');
    const gen = get('generated text');
    expect(message(gen).content).toBe('Simulated reply from gpt-4o-mini: What is the weather in Paris and in Rome?');
  });

  it('a tool call streams as id/type/name with arguments "" then several argument fragments', () => {
    const c = get('text then tool call');
    const calls = deltas(c).flatMap((d) => (d.tool_calls as Obj[] | undefined) ?? []);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls[0].id).toMatch(/^call_[0-9A-Za-z]{24}$/);
    const frags = calls.slice(1).map((x) => (x.function as Obj).arguments as string);
    expect(frags.length).toBeGreaterThan(3);
    expect(JSON.parse(frags.join(''))).toEqual(WEATHER_INPUT);
    expect(finish(c)).toBe('tool_calls');
    const m = message(c);
    expect(m.content).toBe('Let me check the weather.');
    const tc = (m.tool_calls as Obj[])[0];
    expect(tc).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse((tc.function as Obj).arguments as string)).toEqual(WEATHER_INPUT);
    const only = get('tool call only, empty input');
    expect(deltas(only)[0]).toMatchObject({ role: 'assistant', content: null, tool_calls: [{ index: 0, function: { name: 'list_files', arguments: '' } }] });
    expect(message(only).content).toBeNull();
    expect(((message(only).tool_calls as Obj[])[0].function as Obj).arguments).toBe('{}');
  });

  it('parallel tool calls get indices 0..n-1, distinct ids, and each one its own arguments', () => {
    const c = get('parallel tool calls');
    const byIndex = new Map<number, { id?: string; name?: string; args: string }>();
    for (const tc of deltas(c).flatMap((d) => (d.tool_calls as Obj[] | undefined) ?? [])) {
      const e = byIndex.get(tc.index as number) ?? { args: '' };
      if (tc.id) e.id = tc.id as string;
      const fn = tc.function as Obj;
      if (fn.name) e.name = fn.name as string;
      e.args += fn.arguments as string;
      byIndex.set(tc.index as number, e);
    }
    expect([...byIndex.keys()]).toEqual([0, 1, 2]);
    expect(new Set([...byIndex.values()].map((e) => e.id)).size).toBe(3);
    expect([...byIndex.values()].map((e) => [e.name, JSON.parse(e.args) as unknown])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Rome' }],
      ['get_time', { tz: 'Europe/Rome' }],
    ]);
    expect((message(c).tool_calls as Obj[]).map((t) => (t.function as Obj).name)).toEqual(['get_weather', 'get_weather', 'get_time']);
  });

  it('thinking becomes reasoning_content (stream and message) and counts as reasoning tokens', () => {
    const c = get('reasoning then text');
    const ds = deltas(c);
    expect(ds[0]).toEqual({ role: 'assistant', content: null, reasoning_content: '' });
    const reasoning = ds.map((d) => d.reasoning_content).filter((t): t is string => typeof t === 'string').join('');
    expect(reasoning).toBe('The user wants two cities. I will answer briefly.');
    expect(message(c)).toMatchObject({ content: 'Sunny in both.', reasoning_content: 'The user wants two cities. I will answer briefly.' });
    const usage = c.chunks[c.chunks.length - 1].usage as Obj;
    expect((usage.completion_tokens_details as Obj).reasoning_tokens).toBeGreaterThan(0);
    expect((usage.completion_tokens_details as Obj).reasoning_tokens as number).toBeLessThan(usage.completion_tokens as number);
    const gen = get('generated reasoning (reasoning_effort)');
    expect(typeof message(gen).reasoning_content).toBe('string');
    expect(JSON.stringify(c.completion)).not.toContain('c2ln');
    const withTool = get('reasoning then tool call');
    expect(finish(withTool)).toBe('tool_calls');
    expect(message(get('redacted thinking is dropped'))).not.toHaveProperty('reasoning_content');
  });

  it('usage: only in the final empty-choices chunk with include_usage; consistent totals; length finish', () => {
    for (const c of collected) {
      const last = c.chunks[c.chunks.length - 1];
      if (c.includeUsage) {
        expect(last.choices).toEqual([]);
        const u = last.usage as Obj;
        expect(u.total_tokens).toBe((u.prompt_tokens as number) + (u.completion_tokens as number));
        expect(u.prompt_tokens).toBe((c.completion.usage as Obj).prompt_tokens);
      } else {
        expect(c.chunks.every((ch) => (ch.choices as Obj[]).length === 1 && !('usage' in ch))).toBe(true);
      }
    }
    expect(finish(get('max tokens (length)'))).toBe('length');
  });

  it('replays every recorded successful request body and answers with conforming output', async () => {
    for (const r of recorded.requests.filter((x) => x.status === 200)) {
      for (const stream of [true, false]) {
        const body: Obj = { ...r.body, stream };
        if (!stream) delete body.stream_options;
        const res = await call(body);
        expect(res.status, `${r.name}: ${res.text}`).toBe(200);
        const shapes = new Shapes();
        if (stream) {
          const chunks = sseJson(res.text);
          expect(grammarViolations(chunks, res.text), r.name).toEqual([]);
          expect(observeStream(shapes, combos, chunks, false), r.name).toEqual([]);
        } else {
          observeCompletion(shapes, JSON.parse(res.text) as Obj, true);
        }
        expect(shapeViolations(recShapes, shapes), r.name).toEqual([]);
      }
    }
  });

  it('answers the recorded bad request with the recorded error', async () => {
    const bad = recorded.requests.find((r) => r.name.startsWith('openai--chat-bad-request'))!;
    const res = await call(bad.body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual(bad.response);
  });

  it('error bodies have the recorded error shape and order', async () => {
    sim.fault({ fault: { kind: 'status', status: 503 }, times: 1 });
    const bodies = [await call(BASE), await call({ model: 'gpt-4o', messages: [] }), await call({ messages: BASE.messages })];
    const shapes = new Shapes();
    for (const b of bodies) {
      const body = JSON.parse(b.text) as Obj;
      shapes.observe('error', body);
      shapes.observe('error.error', body.error as Obj);
    }
    expect(shapeViolations(recShapes, shapes)).toEqual([]);
  });
});
