/**
 * Conformance of the simulator's Anthropic output with real recorded API responses.
 *
 * From every recorded stream (`*.chunks.txt`, raw SSE `basic_response.txt`, SSE bodies in the VCR
 * cassettes) and every recorded non-stream `Message` body, this derives:
 *  - the event grammar: first/last event, event-to-event transitions (pings aside), where pings occur,
 *    which delta types each block type carries and which delta always closes a block type;
 *  - the shape of each object kind: fields seen, their JSON value types, fields always present, and
 *    (from raw JSON only) field order.
 * It then drives the simulator through text / tool_use / thinking / redacted thinking / cache_control
 * scenarios (streaming and not) and checks its output against what was derived.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSimulator, type ScriptedTurn, type Simulator } from '../index.js';
import { AUTH_HEADERS, parseSse } from '../test-support.js';
import { shapeViolations as compareShapes, Shapes, type Obj } from '../test-shapes.js';
// The recorded responses live in the shared folder beside the repository (as in CI).
const DIR = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/fixtures/recorded/anthropic');

// ---------------------------------------------------------------------------------------------
// Loading recordings

interface Recorded {
  streams: Array<{ name: string; events: Obj[] }>;
  messages: Array<{ name: string; body: Obj; ordered: boolean }>;
  errors: Array<{ name: string; body: Obj }>;
  requests: Array<{ name: string; body: Obj }>;
}

function sseToEvents(text: string, name: string): Obj[] {
  return parseSse(text).map((e) => {
    const data = JSON.parse(e.data) as Obj;
    if (e.event !== null && e.event !== data.type) throw new Error(`${name}: event ${e.event} carries type ${String(data.type)}`);
    return data;
  });
}

function loadRecorded(): Recorded {
  const r: Recorded = { streams: [], messages: [], errors: [], requests: [] };
  for (const f of readdirSync(DIR).sort()) {
    const text = readFileSync(join(DIR, f), 'utf8');
    if (f.endsWith('.chunks.txt')) {
      const events = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Obj);
      r.streams.push({ name: f, events });
    } else if (f.endsWith('basic_response.txt')) {
      r.streams.push({ name: f, events: sseToEvents(text, f) });
    } else if (f.endsWith('.json')) {
      const body = JSON.parse(text) as Obj;
      if (body.type === 'message') r.messages.push({ name: f, body, ordered: true });
      else if (body.type === 'error') r.errors.push({ name: f, body });
    } else if (f.endsWith('.yaml')) {
      const doc = parseYaml(text) as { interactions: Array<{ request: Obj; response: Obj }> };
      doc.interactions.forEach((it, i) => {
        const name = `${f}#${i}`;
        const res = it.response as { status: { code: number }; parsed_body?: Obj; body?: { string?: string } };
        const reqBody = it.request.parsed_body as Obj | undefined;
        const uri = String(it.request.uri);
        if (res.status.code === 200 && reqBody && new URL(uri).pathname === '/v1/messages') r.requests.push({ name, body: reqBody });
        if (res.body?.string) r.streams.push({ name, events: sseToEvents(res.body.string, name) });
        else if (res.parsed_body?.type === 'message') r.messages.push({ name, body: res.parsed_body, ordered: false });
        else if (res.parsed_body?.type === 'error') r.errors.push({ name, body: res.parsed_body });
      });
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Shapes: which fields each object kind has

function observeMessage(shapes: Shapes, prefix: string, m: Obj, ordered: boolean): void {
  shapes.observe(`${prefix}message`, m, ordered);
  const usage = m.usage as Obj | undefined;
  if (usage) {
    shapes.observe(`${prefix}usage`, usage, ordered);
    if (usage.cache_creation) shapes.observe(`${prefix}usage.cache_creation`, usage.cache_creation as Obj, ordered);
  }
  for (const b of (m.content as Obj[]) ?? []) shapes.observe(`${prefix}block:${String(b.type)}`, b, ordered);
}

function observeStream(shapes: Shapes, events: Obj[], ordered = true): void {
  for (const e of events) {
    shapes.observe(`event:${String(e.type)}`, e, ordered);
    if (e.type === 'message_start') observeMessage(shapes, 'stream.', e.message as Obj, ordered);
    if (e.type === 'content_block_start') {
      const b = e.content_block as Obj;
      shapes.observe(`stream.block:${String(b.type)}`, b, ordered);
    }
    if (e.type === 'content_block_delta') {
      const d = e.delta as Obj;
      shapes.observe(`delta:${String(d.type)}`, d, ordered);
    }
    if (e.type === 'message_delta') {
      shapes.observe('message_delta.delta', e.delta as Obj, ordered);
      shapes.observe('message_delta.usage', e.usage as Obj, ordered);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Grammar

interface Grammar {
  first: Set<string>;
  last: Set<string>;
  transitions: Set<string>;
  pingAfter: Set<string>;
  deltasByBlock: Map<string, Set<string>>;
  closingDelta: Map<string, string | null>;
}

/** Structural checks every stream must pass (dense indices, one open block at a time, order). */
function structuralViolations(events: Obj[]): string[] {
  const v: string[] = [];
  if (events[0]?.type !== 'message_start') v.push('first event is not message_start');
  if (events[events.length - 1]?.type !== 'message_stop') v.push('last event is not message_stop');
  let next = 0;
  let open: number | null = null;
  let sawMessageDelta = false;
  let sawStop = false;
  events.forEach((e, i) => {
    const at = `#${i} ${String(e.type)}`;
    if (sawStop) v.push(`${at} after message_stop`);
    switch (e.type) {
      case 'message_start':
        if (i !== 0) v.push(`${at}: second message_start`);
        break;
      case 'ping':
        break;
      case 'content_block_start':
        if (sawMessageDelta) v.push(`${at}: block after message_delta`);
        if (open !== null) v.push(`${at}: block ${open} still open`);
        if (e.index !== next) v.push(`${at}: index ${String(e.index)}, expected ${next}`);
        open = e.index as number;
        break;
      case 'content_block_delta':
        if (e.index !== open) v.push(`${at}: delta for ${String(e.index)} while ${String(open)} open`);
        break;
      case 'content_block_stop':
        if (e.index !== open) v.push(`${at}: stop for ${String(e.index)} while ${String(open)} open`);
        open = null;
        next++;
        break;
      case 'message_delta':
        if (open !== null) v.push(`${at}: block ${open} still open`);
        sawMessageDelta = true;
        break;
      case 'message_stop':
        if (!sawMessageDelta) v.push(`${at}: no message_delta before message_stop`);
        sawStop = true;
        break;
      default:
        v.push(`${at}: unknown event type`);
    }
  });
  return v;
}

function walkGrammar(events: Obj[], g: Grammar, learn: boolean): string[] {
  const v: string[] = [];
  const check = (set: Set<string>, item: string, what: string): void => {
    if (learn) set.add(item);
    else if (!set.has(item)) v.push(`${what} ${item} never seen in recordings`);
  };
  check(g.first, String(events[0]?.type), 'first event');
  check(g.last, String(events[events.length - 1]?.type), 'last event');
  let prev: string | null = null;
  let prevAny: string | null = null;
  const blockType = new Map<number, string>();
  const lastDelta = new Map<number, string | null>();
  for (const e of events) {
    const t = String(e.type);
    if (t === 'ping') {
      check(g.pingAfter, String(prevAny), 'ping after');
    } else {
      if (prev !== null) check(g.transitions, `${prev} -> ${t}`, 'transition');
      prev = t;
    }
    prevAny = t;
    if (t === 'content_block_start') {
      blockType.set(e.index as number, String((e.content_block as Obj).type));
      lastDelta.set(e.index as number, null);
    }
    if (t === 'content_block_delta') {
      const bt = blockType.get(e.index as number) ?? '?';
      const dt = String((e.delta as Obj).type);
      let set = g.deltasByBlock.get(bt);
      if (!set) {
        set = new Set();
        if (learn) g.deltasByBlock.set(bt, set);
      }
      check(set, dt, `delta type for ${bt} block:`);
      lastDelta.set(e.index as number, dt);
    }
    if (t === 'content_block_stop') {
      const bt = blockType.get(e.index as number) ?? '?';
      const ld = lastDelta.get(e.index as number) ?? null;
      if (learn) {
        // remember the closing delta type while it is the same in every recording
        if (!g.closingDelta.has(bt)) g.closingDelta.set(bt, ld);
        else if (g.closingDelta.get(bt) !== ld) g.closingDelta.set(bt, '*');
      } else {
        const want = g.closingDelta.get(bt);
        if (want !== undefined && want !== '*' && want !== ld) v.push(`${bt} block closed after ${String(ld)}, recordings always close after ${String(want)}`);
      }
    }
  }
  return v;
}

function newGrammar(): Grammar {
  return { first: new Set(), last: new Set(), transitions: new Set(), pingAfter: new Set(), deltasByBlock: new Map(), closingDelta: new Map() };
}

// ---------------------------------------------------------------------------------------------
// Comparing simulator shapes against recorded shapes

/** Kinds never streamed in the recordings are compared with their non-stream counterpart. */
function shapeViolations(rec: Shapes, sim: Shapes): string[] {
  return compareShapes(rec, sim, (kind) => kind.replace(/^stream\.block:/, 'json.block:'));
}

// ---------------------------------------------------------------------------------------------

const recorded = loadRecorded();
const recShapes = new Shapes();
const grammar = newGrammar();
for (const s of recorded.streams) {
  observeStream(recShapes, s.events);
  walkGrammar(s.events, grammar, true);
}
for (const m of recorded.messages) observeMessage(recShapes, 'json.', m.body, m.ordered);
for (const e of recorded.errors) {
  recShapes.observe('error', e.body, false);
  recShapes.observe('error.error', e.body.error as Obj, false);
}

describe('recorded Anthropic fixtures', () => {
  it('are all loaded', () => {
    expect(recorded.streams.length).toBeGreaterThanOrEqual(12);
    expect(recorded.messages.length).toBeGreaterThanOrEqual(12);
    expect(recorded.errors.length).toBeGreaterThanOrEqual(3);
    expect(recorded.requests.length).toBeGreaterThanOrEqual(8);
  });

  it('all satisfy the structural stream grammar (sanity check of the checker)', () => {
    for (const s of recorded.streams) expect(structuralViolations(s.events), s.name).toEqual([]);
  });

  it('yield the expected derived grammar', () => {
    expect([...grammar.first]).toEqual(['message_start']);
    expect([...grammar.last]).toEqual(['message_stop']);
    expect(grammar.transitions.has('message_start -> content_block_start')).toBe(true);
    expect(grammar.deltasByBlock.get('tool_use')).toEqual(new Set(['input_json_delta']));
    expect(grammar.closingDelta.get('thinking')).toBe('signature_delta');
    expect(recShapes.always('json.usage')).toEqual(
      expect.arrayContaining(['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']),
    );
  });

  it('the checker rejects a broken stream (it can fail)', () => {
    const good = recorded.streams.find((s) => s.name.includes('anthropic-text.chunks'))!.events;
    const skipped = good.filter((e) => e.type !== 'content_block_stop');
    expect(structuralViolations(skipped).length).toBeGreaterThan(0);
    const pingFirst = [good[0], { type: 'ping' }, ...good.slice(1).filter((e) => e.type !== 'ping')];
    expect(walkGrammar(pingFirst, grammar, false)).toContain('ping after message_start never seen in recordings');
    const wrongDelta = good.map((e) =>
      e.type === 'content_block_delta' ? { ...e, delta: { type: 'input_json_delta', partial_json: '' } } : e,
    );
    expect(walkGrammar(wrongDelta, grammar, false).length).toBeGreaterThan(0);
    const extraField = good.map((e) => (e.type === 'message_stop' ? { ...e, surprise: 1 } : e));
    const shapes = new Shapes();
    observeStream(shapes, extraField);
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
  const res = await fetch(`${sim.url}/v1/messages?beta=true`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

async function streamEvents(body: Obj): Promise<Obj[]> {
  const r = await call({ ...body, stream: true });
  expect(r.status, r.text).toBe(200);
  return sseToEvents(r.text, 'simulator');
}

async function jsonMessage(body: Obj): Promise<Obj> {
  const r = await call({ ...body, stream: false });
  expect(r.status, r.text).toBe(200);
  return JSON.parse(r.text) as Obj;
}

const BASE = { model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'How do I cross the street safely?' }] };

const LONG_TEXT =
  'Here are the basic steps for safely crossing the street: wait for the walk signal, look both ways, ' +
  'make eye contact with drivers, and keep looking while you cross. Avoid distractions like phones.';

interface Scenario {
  name: string;
  turn?: ScriptedTurn;
  body?: Obj;
}

const SCENARIOS: Scenario[] = [
  { name: 'generated text' },
  { name: 'scripted long text', turn: { content: [{ type: 'text', text: LONG_TEXT }] } },
  {
    name: 'text then tool_use',
    turn: { content: [{ type: 'text', text: 'Let me check the weather.' }, { type: 'tool_use', name: 'get_weather', input: { city: 'Paris', days: [1, 2], units: { t: 'C' } } }] },
  },
  { name: 'tool_use only, empty input', turn: { content: [{ type: 'tool_use', name: 'updateIssueList', input: {} }] } },
  {
    name: 'parallel tool_use',
    turn: {
      content: [
        { type: 'tool_use', name: 'lookup', input: { name: 'Alice' } },
        { type: 'tool_use', name: 'lookup', input: { name: 'Bob' } },
      ],
    },
  },
  { name: 'generated thinking (enabled)', body: { thinking: { type: 'enabled', budget_tokens: 1024 } } },
  { name: 'generated thinking (adaptive)', body: { thinking: { type: 'adaptive' } } },
  {
    name: 'scripted thinking + text',
    turn: { content: [{ type: 'thinking', thinking: 'The user asks about safety. Keep it short.', signature: 'EqQBCkYIBxgCKkB' }, { type: 'text', text: 'Look both ways.' }] },
  },
  {
    name: 'thinking + tool_use (signature generated)',
    turn: { content: [{ type: 'thinking', thinking: 'I need the tool.' }, { type: 'tool_use', name: 'calc', input: { expr: '6*7' } }] },
  },
  { name: 'redacted thinking', turn: { content: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT' }, { type: 'text', text: 'Done.' }] } },
  { name: 'max_tokens stop', body: { max_tokens: 3 } },
  {
    name: 'cache_control system + tools',
    body: {
      system: [{ type: 'text', text: 'You are a careful assistant. '.repeat(20), cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'calc', description: 'Arithmetic', input_schema: { type: 'object', properties: { expr: { type: 'string' } } }, cache_control: { type: 'ephemeral', ttl: '1h' } }],
    },
  },
  { name: 'top-level automatic cache_control', body: { cache_control: { type: 'ephemeral', ttl: '5m' }, system: 'Be brief.' } },
];

describe('simulator output conforms to the recordings', () => {
  const simShapes = new Shapes();
  const collected: Array<{ name: string; events: Obj[] }> = [];

  for (const sc of SCENARIOS) {
    it(`${sc.name}: stream grammar and fields`, async () => {
      // each scenario twice, so cache_control scenarios cover both cache creation and cache read
      for (let round = 0; round < 2; round++) {
        if (sc.turn) sim.script([sc.turn]);
        const events = await streamEvents({ ...BASE, ...sc.body });
        expect(structuralViolations(events)).toEqual([]);
        expect(walkGrammar(events, grammar, false)).toEqual([]);
        const shapes = new Shapes();
        observeStream(shapes, events);
        expect(shapeViolations(recShapes, shapes)).toEqual([]);
        observeStream(simShapes, events);
        collected.push({ name: sc.name, events });

        if (sc.turn) sim.script([sc.turn]);
        const msg = await jsonMessage({ ...BASE, ...sc.body });
        const jshapes = new Shapes();
        observeMessage(jshapes, 'json.', msg, true);
        expect(shapeViolations(recShapes, jshapes)).toEqual([]);
        observeMessage(simShapes, 'json.', msg, true);
      }
    });
  }

  it('covers the block and delta kinds it should', () => {
    const kinds = [...simShapes.byKind.keys()];
    for (const k of [
      'stream.block:text',
      'stream.block:tool_use',
      'stream.block:thinking',
      'stream.block:redacted_thinking',
      'delta:text_delta',
      'delta:input_json_delta',
      'delta:thinking_delta',
      'delta:signature_delta',
      'json.block:text',
      'json.block:tool_use',
      'json.block:thinking',
      'json.block:redacted_thinking',
    ]) {
      expect(kinds).toContain(k);
    }
  });

  it('text is split into several text_deltas and tool input into input_json_delta fragments starting with ""', () => {
    const long = collected.find((c) => c.name === 'scripted long text')!.events;
    const texts = long.filter((e) => (e.delta as Obj | undefined)?.type === 'text_delta').map((e) => (e.delta as Obj).text as string);
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join('')).toBe(LONG_TEXT);
    const tool = collected.find((c) => c.name === 'text then tool_use')!.events;
    const frags = tool.filter((e) => (e.delta as Obj | undefined)?.type === 'input_json_delta').map((e) => (e.delta as Obj).partial_json as string);
    expect(frags[0]).toBe('');
    expect(frags.length).toBeGreaterThan(2);
    expect(JSON.parse(frags.join(''))).toEqual({ city: 'Paris', days: [1, 2], units: { t: 'C' } });
    const empty = collected.find((c) => c.name === 'tool_use only, empty input')!.events;
    const emptyFrags = empty.filter((e) => (e.delta as Obj | undefined)?.type === 'input_json_delta').map((e) => (e.delta as Obj).partial_json);
    expect(emptyFrags).toEqual(['']);
  });

  it('cache_control requests create the cache first and read it after, with the 5m/1h split', () => {
    const runs = collected.filter((c) => c.name === 'cache_control system + tools');
    const usage = (events: Obj[]): Obj => ((events[0].message as Obj).usage as Obj);
    const first = usage(runs[0].events);
    const second = usage(runs[1].events);
    expect(first.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(first.cache_read_input_tokens).toBe(0);
    const cc = first.cache_creation as Obj;
    expect(cc.ephemeral_1h_input_tokens).toBeGreaterThan(0);
    expect(cc.ephemeral_5m_input_tokens).toBeGreaterThan(0);
    expect((cc.ephemeral_1h_input_tokens as number) + (cc.ephemeral_5m_input_tokens as number)).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBe(0);
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
  });

  it('replays every recorded request body and answers with a conforming message', async () => {
    for (const r of recorded.requests) {
      for (const stream of [true, false]) {
        const res = await call({ ...r.body, stream });
        expect(res.status, `${r.name}: ${res.text}`).toBe(200);
        if (stream) {
          const events = sseToEvents(res.text, r.name);
          expect(structuralViolations(events), r.name).toEqual([]);
          expect(walkGrammar(events, grammar, false), r.name).toEqual([]);
          const shapes = new Shapes();
          observeStream(shapes, events);
          expect(shapeViolations(recShapes, shapes), r.name).toEqual([]);
        } else {
          const shapes = new Shapes();
          observeMessage(shapes, 'json.', JSON.parse(res.text) as Obj, true);
          expect(shapeViolations(recShapes, shapes), r.name).toEqual([]);
        }
      }
    }
  });

  it('error bodies have the recorded error shape', async () => {
    sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    const bodies = [
      await call(BASE),
      await call({ model: 'x', messages: [] }),
      { text: await (await fetch(`${sim.url}/v1/messages`, { method: 'POST', body: '{}' })).text() },
    ];
    const shapes = new Shapes();
    for (const b of bodies) {
      const body = JSON.parse(b.text) as Obj;
      shapes.observe('error', body, false);
      shapes.observe('error.error', body.error as Obj, false);
    }
    expect(shapeViolations(recShapes, shapes)).toEqual([]);
  });
});
