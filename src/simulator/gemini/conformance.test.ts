/**
 * Conformance of the simulator's Gemini output with recorded API traffic.
 *
 * From every recorded stream (`*.chunks.txt`, raw `alt=sse` bodies in the VCR cassettes) and every
 * recorded `GenerateContentResponse` / error body, this derives:
 *  - the shape of each object kind (response, candidate, content, part, functionCall, usageMetadata,
 *    token details, error): fields seen, JSON types, fields always present in Gemini Developer API
 *    responses (Vertex recordings vary), field order (raw JSON only);
 *  - which key combinations a part takes (`text`, `text+thought`, `functionCall+thoughtSignature`, ...);
 *  - the stream grammar: one candidate with role `model` per chunk, usage on every chunk, a stable
 *    modelVersion/responseId, finishReason only on the last chunk, growing candidate counts, final
 *    totals = prompt + candidates + thoughts (+ tool-use prompt);
 *  - Gemini 3 thought-signature placement: on the first functionCall part only, or else on the last part;
 *  - the SSE framing: `data: <json>\r\n\r\n` with the endpoint's own JSON spacing.
 * It then drives the simulator through text / function calls / parallel calls / thoughts / max-tokens
 * scenarios on Gemini 3, 2.5 and 2.0 models and replays the recorded request bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSimulator, type ScriptedTurn, type Simulator } from '../index.js';
import { GEMINI_HEADERS } from '../test-support.js';
import { shapeViolations, Shapes, type Obj } from '../test-shapes.js';
import { googleJson } from './encode.js';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/fixtures/recorded/gemini');

// ---------------------------------------------------------------------------------------------
// Loading recordings

interface Stream {
  name: string;
  chunks: Obj[];
  raw?: string;
}

interface Recorded {
  streams: Stream[];
  responses: Array<{ name: string; body: Obj; ordered: boolean }>;
  errors: Array<{ name: string; body: Obj }>;
  requests: Array<{ name: string; path: string; body: Obj }>;
}

/** Events of a raw `alt=sse` body: `data: <json>` separated by CRLF blank lines. */
function sseEvents(raw: string): string[] {
  return raw.split('\r\n\r\n').filter((e) => e.trim() !== '');
}

function loadRecorded(): Recorded {
  const r: Recorded = { streams: [], responses: [], errors: [], requests: [] };
  for (const f of readdirSync(DIR).sort()) {
    const text = readFileSync(join(DIR, f), 'utf8');
    if (f.endsWith('.chunks.txt')) {
      r.streams.push({ name: f, chunks: text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Obj) });
    } else if (f.endsWith('.json')) {
      const body = JSON.parse(text) as Obj;
      if (body.error) r.errors.push({ name: f, body });
      else r.responses.push({ name: f, body, ordered: true });
    } else if (f.endsWith('.yaml')) {
      const doc = parseYaml(text) as { interactions: Obj[] };
      doc.interactions.forEach((it, i) => {
        const name = `${f}#${i}`;
        const req = it.request as Obj;
        const res = it.response as Obj;
        const url = new URL(String(req.uri));
        // cassettes also hold the download of an input image: only Gemini API calls count
        if (!/^\/v1(beta)?\/models\//.test(url.pathname)) return;
        if ((res.status as Obj).code === 200) r.requests.push({ name, path: `${url.pathname}${url.search}`, body: req.parsed_body as Obj });
        const raw = (res.body as Obj | undefined)?.string as string | undefined;
        if (raw) r.streams.push({ name, chunks: sseEvents(raw).map((e) => JSON.parse(e.slice('data: '.length)) as Obj), raw });
        else if (res.parsed_body) r.responses.push({ name, body: res.parsed_body as Obj, ordered: false });
      });
    }
  }
  return r;
}

/** Gemini Developer API output (Vertex adds createTime/trafficType and orders content differently). */
function developerApi(o: Obj): boolean {
  return !('createTime' in o);
}

// ---------------------------------------------------------------------------------------------
// Shapes and part key combinations

function keySet(o: Obj): string {
  return Object.keys(o).sort().join(',');
}

interface Combos {
  part: Set<string>;
  functionCall: Set<string>;
}

function observeResponse(shapes: Shapes, combos: Combos | undefined, body: Obj, ordered: boolean, learn: boolean): string[] {
  const v: string[] = [];
  const check = (set: Set<string>, item: string, what: string): void => {
    if (learn) set.add(item);
    else if (!set.has(item)) v.push(`${what} {${item}} never seen in recordings`);
  };
  const strict = developerApi(body);
  shapes.observe('response', body, ordered, strict);
  for (const c of (body.candidates as Obj[] | undefined) ?? []) {
    shapes.observe('candidate', c, ordered, strict);
    const content = c.content as Obj;
    shapes.observe('content', content, ordered, strict);
    for (const p of (content.parts as Obj[] | undefined) ?? []) {
      shapes.observe('part', p, ordered, strict);
      if (combos) check(combos.part, keySet(p), 'part');
      if (p.functionCall) {
        shapes.observe('functionCall', p.functionCall as Obj, ordered, strict);
        if (combos) check(combos.functionCall, keySet(p.functionCall as Obj), 'functionCall');
      }
    }
  }
  const u = body.usageMetadata as Obj | undefined;
  if (u) {
    shapes.observe('usageMetadata', u, ordered, strict);
    for (const d of (u.promptTokensDetails as Obj[] | undefined) ?? []) shapes.observe('tokensDetails', d, ordered, strict);
    for (const d of (u.cacheTokensDetails as Obj[] | undefined) ?? []) shapes.observe('tokensDetails', d, ordered, strict);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Grammar

function count(u: Obj, key: string): number {
  return typeof u[key] === 'number' ? (u[key] as number) : 0;
}

function totalsViolation(u: Obj, at: string): string[] {
  const sum = count(u, 'promptTokenCount') + count(u, 'candidatesTokenCount') + count(u, 'thoughtsTokenCount') + count(u, 'toolUsePromptTokenCount');
  return u.totalTokenCount === sum ? [] : [`${at}: totalTokenCount ${String(u.totalTokenCount)} != ${sum}`];
}

function candidateOf(body: Obj): Obj {
  return (body.candidates as Obj[])[0];
}

function partsOf(body: Obj): Obj[] {
  return ((candidateOf(body).content as Obj).parts as Obj[] | undefined) ?? [];
}

function streamViolations(chunks: Obj[]): string[] {
  const v: string[] = [];
  let candidates = 0;
  chunks.forEach((ch, i) => {
    const at = `#${i}`;
    const cands = ch.candidates as Obj[] | undefined;
    if (!cands || cands.length !== 1) v.push(`${at}: not exactly one candidate`);
    else if ((cands[0].content as Obj).role !== 'model') v.push(`${at}: content role is not model`);
    if (ch.modelVersion !== chunks[0].modelVersion || ch.responseId !== chunks[0].responseId) v.push(`${at}: modelVersion/responseId changed`);
    const u = ch.usageMetadata as Obj | undefined;
    if (!u) v.push(`${at}: no usageMetadata`);
    else {
      if (count(u, 'candidatesTokenCount') < candidates) v.push(`${at}: candidatesTokenCount went down`);
      candidates = count(u, 'candidatesTokenCount');
    }
    const last = i === chunks.length - 1;
    if (cands?.[0]?.finishReason !== undefined && !last) v.push(`${at}: finishReason before the last chunk`);
    if (last && cands?.[0]?.finishReason === undefined) v.push(`${at}: last chunk without finishReason`);
    for (const p of (cands?.[0]?.content as Obj | undefined)?.parts as Obj[] | undefined ?? []) {
      if (p.functionCall && typeof (p.functionCall as Obj).name !== 'string') v.push(`${at}: functionCall without a name (split call)`);
    }
  });
  const finalUsage = chunks[chunks.length - 1]?.usageMetadata as Obj | undefined;
  if (finalUsage) v.push(...totalsViolation(finalUsage, 'final usage'));
  return v;
}

/**
 * Gemini 3: the first functionCall part carries the signature and later ones do not; an answer without
 * calls has it on its last part when the model thought (thoughtsTokenCount), and none otherwise.
 */
function signatureViolations(parts: Obj[], usage: Obj): string[] {
  const calls = parts.filter((p) => p.functionCall);
  if (calls.length > 0) {
    const v: string[] = [];
    if (typeof calls[0].thoughtSignature !== 'string') v.push('first functionCall part has no thoughtSignature');
    if (calls.slice(1).some((p) => 'thoughtSignature' in p)) v.push('a later functionCall part has a thoughtSignature');
    return v;
  }
  if (parts.some((p) => p.executableCode)) return [];
  if (count(usage, 'thoughtsTokenCount') === 0) return parts.some((p) => 'thoughtSignature' in p) ? ['a signature without thoughts'] : [];
  return typeof parts[parts.length - 1]?.thoughtSignature === 'string' ? [] : ['last part of a non-call response has no thoughtSignature'];
}

const lastUsage = (chunks: Obj[]): Obj => chunks[chunks.length - 1].usageMetadata as Obj;

function framingViolations(raw: string): string[] {
  const v: string[] = [];
  if (!raw.endsWith('\r\n\r\n')) v.push('body does not end with CRLF CRLF');
  for (const e of sseEvents(raw)) {
    if (!e.startsWith('data: ')) {
      v.push(`event without data: ${e.slice(0, 30)}`);
      continue;
    }
    const payload = e.slice('data: '.length);
    if (payload !== googleJson(JSON.parse(payload))) v.push(`payload spacing differs from the endpoint's: ${payload.slice(0, 60)}`);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------

const recorded = loadRecorded();
const recShapes = new Shapes();
const combos: Combos = { part: new Set(), functionCall: new Set() };
for (const s of recorded.streams) for (const ch of s.chunks) observeResponse(recShapes, combos, ch, true, true);
for (const r of recorded.responses) observeResponse(recShapes, combos, r.body, r.ordered, true);
for (const e of recorded.errors) {
  recShapes.observe('error', e.body);
  recShapes.observe('error.error', e.body.error as Obj);
}
const devStreams = recorded.streams.filter((s) => developerApi(s.chunks[0]));
const isGemini3 = (m: unknown): boolean => typeof m === 'string' && m.startsWith('gemini-3');

describe('recorded Gemini fixtures', () => {
  it('are all loaded', () => {
    expect(recorded.streams.length).toBeGreaterThanOrEqual(9);
    expect(devStreams.length).toBeGreaterThanOrEqual(7);
    expect(recorded.responses.length).toBeGreaterThanOrEqual(12);
    expect(recorded.errors.length).toBe(2);
    expect(recorded.requests.length).toBeGreaterThanOrEqual(15);
  });

  it('Developer API streams satisfy the stream grammar; responses the totals rule (sanity check of the checkers)', () => {
    for (const s of devStreams) expect(streamViolations(s.chunks), s.name).toEqual([]);
    for (const r of recorded.responses) expect(totalsViolation(r.body.usageMetadata as Obj, r.name), r.name).toEqual([]);
  });

  it('Gemini 3 recordings follow the signature placement rule', () => {
    let checked = 0;
    for (const s of devStreams.filter((x) => isGemini3(x.chunks[0].modelVersion))) {
      expect(signatureViolations(s.chunks.flatMap(partsOf), lastUsage(s.chunks)), s.name).toEqual([]);
      checked++;
    }
    for (const r of recorded.responses.filter((x) => isGemini3(x.body.modelVersion))) {
      expect(signatureViolations(partsOf(r.body), r.body.usageMetadata as Obj), r.name).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('raw SSE bodies use data: <json> CRLF CRLF with the endpoint JSON spacing', () => {
    const raws = recorded.streams.filter((s) => s.raw !== undefined);
    expect(raws.length).toBeGreaterThanOrEqual(4);
    for (const s of raws) expect(framingViolations(s.raw!), s.name).toEqual([]);
  });

  it('yield the expected derived facts', () => {
    for (const k of ['text', 'text,thought', 'text,thoughtSignature', 'functionCall,thoughtSignature', 'functionCall']) expect(combos.part).toContain(k);
    expect(recShapes.always('usageMetadata')).toEqual(expect.arrayContaining(['promptTokenCount', 'totalTokenCount']));
    expect(recShapes.always('response')).toEqual(expect.arrayContaining(['candidates', 'modelVersion', 'responseId']));
    expect(recShapes.always('error.error')).toEqual(['code', 'message', 'status']);
  });

  it('the checkers reject broken output (they can fail)', () => {
    const good = devStreams.find((s) => s.name.includes('google-text'))!.chunks;
    const early = good.map((c, i) => (i === 0 ? { ...c, candidates: [{ ...candidateOf(c), finishReason: 'STOP' }] } : c));
    expect(streamViolations(early)).toContain('#0: finishReason before the last chunk');
    const badTotal = good.map((c) => ({ ...c, usageMetadata: { ...(c.usageMetadata as Obj), totalTokenCount: 1 } }));
    expect(streamViolations(badTotal).some((x) => x.includes('totalTokenCount'))).toBe(true);
    expect(signatureViolations([{ functionCall: { name: 'a' } }, { functionCall: { name: 'b' }, thoughtSignature: 'x' }], {}).length).toBe(2);
    expect(signatureViolations([{ text: 'a', thoughtSignature: 'x' }, { text: 'b' }], { thoughtsTokenCount: 5 })).toHaveLength(1);
    expect(framingViolations('data: {"a":1}\r\n\r\n')).toHaveLength(1);
    const shapes = new Shapes();
    expect(observeResponse(shapes, combos, { candidates: [{ content: { parts: [{ text: 'x', thought: true, thoughtSignature: 's' }], role: 'model' } }] }, true, false)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Driving the simulator

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 17 });
});
afterAll(async () => {
  await sim.close();
});

async function call(model: string, body: Obj, stream: boolean): Promise<{ status: number; text: string }> {
  const path = stream ? `/v1beta/models/${model}:streamGenerateContent?alt=sse` : `/v1beta/models/${model}:generateContent`;
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: GEMINI_HEADERS, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const BASE = { contents: [{ role: 'user', parts: [{ text: 'What is the weather in Paris and in Rome?' }] }] };
const THOUGHTS = { generationConfig: { thinkingConfig: { includeThoughts: true } } };
const LONG_TEXT =
  'Here are the basic steps for safely crossing the street: wait for the walk signal, look both ways, ' +
  'make eye contact with drivers, and keep looking while you cross. Avoid distractions like phones.';
const WEATHER_ARGS = { city: 'Paris', days: [1, 2], units: { t: 'C' } };

interface Scenario {
  name: string;
  models: string[];
  turn?: ScriptedTurn;
  body?: Obj;
}

const ALL = ['gemini-3-pro-preview', 'gemini-2.5-flash', 'gemini-2.0-flash'];
const SCENARIOS: Scenario[] = [
  { name: 'generated text', models: ALL },
  { name: 'scripted long text', models: ALL, turn: { content: [{ type: 'text', text: LONG_TEXT }] } },
  {
    name: 'text then function call',
    models: ALL,
    turn: { content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', name: 'get_weather', input: WEATHER_ARGS }] },
  },
  { name: 'function call without arguments', models: ALL, turn: { content: [{ type: 'tool_use', name: 'list_files', input: {} }] } },
  {
    name: 'parallel function calls',
    models: ALL,
    turn: {
      content: [
        { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', name: 'get_weather', input: { city: 'Rome' } },
        { type: 'tool_use', name: 'get_time', input: { tz: 'Europe/Rome' } },
      ],
    },
  },
  { name: 'generated thoughts shown', models: ['gemini-3-pro-preview', 'gemini-2.5-pro'], body: THOUGHTS },
  {
    name: 'scripted thoughts then function call',
    models: ['gemini-3-pro-preview', 'gemini-2.5-flash'],
    body: THOUGHTS,
    turn: { content: [{ type: 'thinking', thinking: 'I should call the weather tool for both cities.' }, { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } }] },
  },
  { name: 'max output tokens', models: ['gemini-2.5-flash', 'gemini-2.0-flash'], body: { generationConfig: { maxOutputTokens: 3 } } },
];

interface Collected {
  name: string;
  model: string;
  chunks: Obj[];
  response: Obj;
}

describe('simulator output conforms to the recordings', () => {
  const collected: Collected[] = [];

  for (const sc of SCENARIOS) {
    it(`${sc.name}: stream grammar, framing, parts and fields; response fields`, async () => {
      for (const model of sc.models) {
        if (sc.turn) sim.script([sc.turn]);
        const s = await call(model, { ...BASE, ...sc.body }, true);
        expect(s.status, s.text).toBe(200);
        expect(framingViolations(s.text)).toEqual([]);
        const chunks = sseEvents(s.text).map((e) => JSON.parse(e.slice('data: '.length)) as Obj);
        expect(streamViolations(chunks), model).toEqual([]);
        const shapes = new Shapes();
        for (const ch of chunks) expect(observeResponse(shapes, combos, ch, true, false), model).toEqual([]);
        expect(shapeViolations(recShapes, shapes), model).toEqual([]);

        if (sc.turn) sim.script([sc.turn]);
        const j = await call(model, { ...BASE, ...sc.body }, false);
        expect(j.status, j.text).toBe(200);
        expect(j.text.startsWith('{\n  "candidates": [')).toBe(true);
        const response = JSON.parse(j.text) as Obj;
        const jshapes = new Shapes();
        expect(observeResponse(jshapes, combos, response, true, false), model).toEqual([]);
        expect(shapeViolations(recShapes, jshapes), model).toEqual([]);
        expect(totalsViolation(response.usageMetadata as Obj, model)).toEqual([]);
        if (isGemini3(model)) {
          expect(signatureViolations(chunks.flatMap(partsOf), lastUsage(chunks)), `${model} stream`).toEqual([]);
          expect(signatureViolations(partsOf(response), response.usageMetadata as Obj), model).toEqual([]);
        }
        collected.push({ name: sc.name, model, chunks, response });
      }
    });
  }

  const get = (name: string, model: string): Collected => collected.find((c) => c.name === name && c.model === model)!;
  const streamParts = (c: Collected): Obj[] => c.chunks.flatMap(partsOf);

  it('text streams in several chunks that add up to the text; usage grows', () => {
    for (const model of ALL) {
      const c = get('scripted long text', model);
      const texts = c.chunks.map((ch) => partsOf(ch).map((p) => p.text ?? '').join(''));
      expect(texts.filter((t) => t !== '').length).toBeGreaterThan(2);
      expect(texts.join('')).toBe(LONG_TEXT);
      expect(partsOf(c.response).map((p) => p.text).join('')).toBe(LONG_TEXT);
      expect(candidateOf(c.response).finishReason).toBe('STOP');
    }
    expect(partsOf(get('generated text', 'gemini-2.0-flash').response)).toEqual([{ text: 'Simulated reply from gemini-2.0-flash: What is the weather in Paris and in Rome?' }]);
  });

  it('function calls arrive whole, one per chunk, in order, with STOP; a finishMessage in the response', () => {
    for (const model of ALL) {
      const c = get('parallel function calls', model);
      const callChunks = c.chunks.filter((ch) => partsOf(ch).some((p) => p.functionCall));
      expect(callChunks).toHaveLength(3);
      expect(streamParts(c).filter((p) => p.functionCall).map((p) => p.functionCall)).toEqual([
        { name: 'get_weather', args: { city: 'Paris' } },
        { name: 'get_weather', args: { city: 'Rome' } },
        { name: 'get_time', args: { tz: 'Europe/Rome' } },
      ]);
      expect(candidateOf(c.response)).toMatchObject({ finishReason: 'STOP', finishMessage: 'Model generated function call(s).' });
      const one = get('text then function call', model);
      expect(partsOf(one.response).map((p) => Object.keys(p)[0])).toEqual(['text', 'functionCall']);
      expect((partsOf(one.response)[1].functionCall as Obj).args).toEqual(WEATHER_ARGS);
      expect(partsOf(get('function call without arguments', model).response)[0].functionCall).toEqual({ name: 'list_files', args: {} });
    }
    // Gemini 2.0 does not think: no signatures at all
    expect(JSON.stringify(get('parallel function calls', 'gemini-2.0-flash').response)).not.toContain('thoughtSignature');
  });

  it('thoughts: thought parts when includeThoughts, counted as thoughtsTokenCount; the signature goes on the answer', () => {
    for (const model of ['gemini-3-pro-preview', 'gemini-2.5-pro']) {
      const c = get('generated thoughts shown', model);
      const parts = partsOf(c.response);
      expect(parts[0]).toEqual({ text: expect.stringContaining('The user wrote:') as unknown, thought: true });
      expect(typeof parts[parts.length - 1].thoughtSignature).toBe('string');
      expect((c.response.usageMetadata as Obj).thoughtsTokenCount).toBeGreaterThan(0);
      expect(c.chunks.some((ch) => partsOf(ch).some((p) => p.thought === true))).toBe(true);
    }
    const tool = get('scripted thoughts then function call', 'gemini-2.5-flash');
    expect(partsOf(tool.response)).toEqual([
      { text: 'I should call the weather tool for both cities.', thought: true },
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: expect.any(String) as unknown },
    ]);
    // without includeThoughts, Gemini 3 still thinks (billed) but shows no thought parts
    const hidden = get('generated text', 'gemini-3-pro-preview');
    expect(partsOf(hidden.response).some((p) => p.thought)).toBe(false);
    expect((hidden.response.usageMetadata as Obj).thoughtsTokenCount).toBeGreaterThan(0);
  });

  it('maxOutputTokens ends with MAX_TOKENS', () => {
    for (const model of ['gemini-2.5-flash', 'gemini-2.0-flash']) {
      const c = get('max output tokens', model);
      expect(candidateOf(c.response).finishReason).toBe('MAX_TOKENS');
      expect(candidateOf(c.chunks[c.chunks.length - 1]).finishReason).toBe('MAX_TOKENS');
    }
  });

  it('replays every recorded successful request and answers with conforming output', async () => {
    for (const r of recorded.requests) {
      const res = await fetch(`${sim.url}${r.path}`, { method: 'POST', headers: GEMINI_HEADERS, body: JSON.stringify(r.body) });
      const text = await res.text();
      expect(res.status, `${r.name}: ${text}`).toBe(200);
      const shapes = new Shapes();
      if (r.path.includes(':streamGenerateContent')) {
        expect(framingViolations(text), r.name).toEqual([]);
        const chunks = sseEvents(text).map((e) => JSON.parse(e.slice('data: '.length)) as Obj);
        expect(streamViolations(chunks), r.name).toEqual([]);
        for (const ch of chunks) expect(observeResponse(shapes, combos, ch, true, false), r.name).toEqual([]);
      } else {
        expect(observeResponse(shapes, combos, JSON.parse(text) as Obj, true, false), r.name).toEqual([]);
      }
      expect(shapeViolations(recShapes, shapes), r.name).toEqual([]);
    }
  });

  it('error bodies have the recorded error shape', async () => {
    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 34 }, times: 1 });
    const bodies = [await call('gemini-2.5-flash', BASE, false), await call('gemini-2.5-flash', { contents: [] }, false)];
    const shapes = new Shapes();
    for (const b of bodies) {
      const body = JSON.parse(b.text) as Obj;
      shapes.observe('error', body);
      shapes.observe('error.error', body.error as Obj);
    }
    expect(shapeViolations(recShapes, shapes)).toEqual([]);
    const details = ((JSON.parse(bodies[0].text) as Obj).error as Obj).details as Obj[];
    const recordedDetails = ((recorded.errors.find((e) => e.name.includes('429'))!.body.error as Obj).details as Obj[]).map((d) => d['@type']);
    expect(details.map((d) => d['@type'])).toEqual(recordedDetails);
    expect(details.find((d) => String(d['@type']).endsWith('RetryInfo'))).toEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34s' });
  });
});
