/**
 * The second stage of Gemini request checking (after `proto.ts` parsed the JSON): the semantic
 * checks the API makes that a router can trip over — empty contents/parts, roles, the function
 * call / response turn order, parallel response counts, schema references, thinking settings and
 * the Gemini 3 thought-signature rule — then the prompt size and the protocol-neutral turn request.
 */
import type { Segment } from '../implicit-cache.js';
import { countChars, tokensForChars } from '../tokens.js';
import type { TurnRequest } from '../turn.js';
import { field, PART_DATA_FIELDS, snakeCase } from './proto.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface GenerateRequest {
  body: Json;
  model: string;
  contents: Json[];
  generationConfig: Json;
  thinkingConfig: Json;
}

/** Semantic failures: `* GenerateContentRequest.<path>: <reason>` lines, or a plain sentence. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/;

export function isGemini3(model: string): boolean {
  return /^gemini-3(?:[.-]|$)/.test(model);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function parts(content: Json): Json[] {
  return list(content.parts).filter(isObject);
}

function has(part: Json, camel: string): boolean {
  const v = field(part, camel);
  return v !== undefined && v !== null;
}

/** Schema references the API resolves: `required` must name declared properties (recursively). */
function schemaProblems(schema: unknown, path: string, out: string[]): void {
  if (!isObject(schema)) return;
  const props = isObject(schema.properties) ? schema.properties : undefined;
  const type = typeof schema.type === 'string' ? schema.type.toUpperCase() : undefined;
  const en = field(schema, 'enum');
  if (Array.isArray(en) && en.length > 0 && type !== undefined && type !== 'STRING') out.push(`${path}.enum: only allowed for STRING type`);
  list(schema.required).forEach((r, i) => {
    if (typeof r === 'string' && !(props && r in props)) out.push(`${path}.required[${i}]: property is not defined`);
  });
  if (props) for (const [k, v] of Object.entries(props)) schemaProblems(v, `${path}.properties[${k}]`, out);
  schemaProblems(schema.items, `${path}.items`, out);
  list(field(schema, 'anyOf')).forEach((s, i) => schemaProblems(s, `${path}.any_of[${i}]`, out));
}

function toolProblems(tools: unknown[], out: string[]): void {
  tools.forEach((t, i) => {
    if (!isObject(t)) return;
    list(field(t, 'functionDeclarations')).forEach((d, j) => {
      if (!isObject(d)) return;
      const at = `GenerateContentRequest.tools[${i}].function_declarations[${j}]`;
      const name = d.name;
      if (typeof name !== 'string' || name === '') out.push(`${at}.name: Name cannot be empty.`);
      else if (!FUNCTION_NAME.test(name)) {
        out.push(
          `${at}.name: Invalid function name. Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length of 128.`,
        );
      }
      const params = field(d, 'parameters');
      if (params !== undefined && params !== null && field(d, 'parametersJsonSchema') !== undefined) {
        out.push(`${at}.parameters: parameters and parameters_json_schema are mutually exclusive; set only one of them.`);
      }
      schemaProblems(params, `${at}.parameters`, out);
    });
  });
}

function contentProblems(contents: unknown[], out: string[]): void {
  contents.forEach((c, i) => {
    if (!isObject(c)) return;
    const at = `GenerateContentRequest.contents[${i}]`;
    const ps = list(c.parts);
    if (ps.length === 0) {
      out.push(`${at}.parts: contents.parts must not be empty.`);
      return;
    }
    ps.forEach((p, j) => {
      if (!isObject(p)) return;
      const set = PART_DATA_FIELDS.filter((f) => has(p, f));
      if (set.length === 0) out.push(`${at}.parts[${j}].data: required oneof field 'data' must have one initialized field`);
      else if (set.length > 1) out.push(`${at}.parts[${j}].data: oneof field 'data' is already set. Cannot set '${snakeCase(set[1])}'`);
      const fc = field(p, 'functionCall');
      if (isObject(fc) && (typeof fc.name !== 'string' || fc.name === '')) out.push(`${at}.parts[${j}].function_call.name: Name cannot be empty.`);
      const fr = field(p, 'functionResponse');
      if (isObject(fr) && (typeof fr.name !== 'string' || fr.name === '')) out.push(`${at}.parts[${j}].function_response.name: Name cannot be empty.`);
    });
  });
}

function roleOf(c: Json): string {
  return typeof c.role === 'string' && c.role !== '' ? c.role : 'user';
}

const isCall = (p: Json): boolean => has(p, 'functionCall');
const isResponse = (p: Json): boolean => has(p, 'functionResponse');

/** Turn order rules between function calls and responses (plain sentences, as the API words them). */
function turnOrderProblem(contents: Json[]): string | undefined {
  for (let i = 0; i < contents.length; i++) {
    const c = contents[i];
    const role = roleOf(c);
    if (role !== 'user' && role !== 'model') return 'Please use a valid role: user, model.';
    const ps = parts(c);
    if (role === 'model' && ps.some(isCall)) {
      const prev = contents[i - 1];
      if (!prev || roleOf(prev) !== 'user') {
        return 'Please ensure that function call turn comes immediately after a user turn or after a function response turn.';
      }
    }
    const responses = ps.filter(isResponse).length;
    if (responses > 0) {
      const prev = contents[i - 1];
      const calls = prev && roleOf(prev) === 'model' ? parts(prev).filter(isCall).length : 0;
      if (calls === 0) return 'Please ensure that function response turn comes immediately after a function call turn.';
      if (calls !== responses) {
        return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
      }
    }
  }
  return undefined;
}

/**
 * Gemini 3: in the current turn (everything after the last user message that is not only function
 * responses) the first functionCall part of every model step must carry its thought signature.
 * Older turns are not checked. The simulator cannot verify signatures, so any valid base64 passes
 * (`proto.ts` already rejected the rest), including the documented placeholders
 * `skip_thought_signature_validator` and `context_engineering_is_the_way_to_go`.
 */
function signatureProblem(model: string, contents: Json[]): string | undefined {
  if (!isGemini3(model)) return undefined;
  let start = 0;
  for (let i = contents.length - 1; i >= 0; i--) {
    const c = contents[i];
    if (roleOf(c) === 'user' && parts(c).some((p) => !isResponse(p))) {
      start = i + 1;
      break;
    }
  }
  for (let i = start; i < contents.length; i++) {
    const c = contents[i];
    if (roleOf(c) !== 'model') continue;
    const first = parts(c).find(isCall);
    if (!first) continue;
    const sig = field(first, 'thoughtSignature');
    if (typeof sig === 'string' && sig !== '') continue;
    const name = String((field(first, 'functionCall') as Json).name);
    return (
      'Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, ' +
      `and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , ` +
      `position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`
    );
  }
  return undefined;
}

function thinkingProblem(model: string, tc: Json): string | undefined {
  const budget = field(tc, 'thinkingBudget');
  const level = field(tc, 'thinkingLevel');
  if (budget !== undefined && budget !== null && level !== undefined && level !== null) {
    return 'You can only set only one of thinking budget and thinking level.';
  }
  if (typeof level === 'string' && level.toUpperCase() === 'MINIMAL' && /^gemini-3(?:\.\d+)?-pro/.test(model)) {
    return 'Thinking level MINIMAL is not supported for this model. Please retry with other thinking level.';
  }
  if (Number(budget) === 0 && /^gemini-2\.5-pro/.test(model)) return 'Budget 0 is invalid. This model only works in thinking mode.';
  return undefined;
}

function semantic(lines: string[]): string {
  return lines.map((l) => `* ${l}\n`).join('');
}

/**
 * Semantic checks of a parsed GenerateContentRequest body; `model` comes from the URL. `countOnly`
 * (countTokens) skips the checks that only generation makes (thinking settings, signatures).
 */
export function checkGenerateBody(body: Json, model: string, opts: { countOnly: boolean }): Checked<GenerateRequest> {
  const contents = list(body.contents);
  const lines: string[] = [];
  if (contents.length === 0) lines.push('GenerateContentRequest.contents: contents is not specified');
  contentProblems(contents, lines);
  toolProblems(list(body.tools), lines);
  const gc = field(body, 'generationConfig');
  const generationConfig = isObject(gc) ? gc : {};
  const max = field(generationConfig, 'maxOutputTokens');
  if (max !== undefined && max !== null && Number(max) < 0) lines.push('GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.');
  if (lines.length > 0) return { ok: false, message: semantic(lines) };
  const cs = contents as Json[];
  const tc = field(generationConfig, 'thinkingConfig');
  const thinkingConfig = isObject(tc) ? tc : {};
  const plain = turnOrderProblem(cs) ?? (opts.countOnly ? undefined : (thinkingProblem(model, thinkingConfig) ?? signatureProblem(model, cs)));
  if (plain) return { ok: false, message: plain };
  return { ok: true, value: { body, model, contents: cs, generationConfig, thinkingConfig } };
}

// ---------------------------------------------------------------------------------------------

/** Tokens the API adds on top of the content estimate (role markers). */
const TOKENS_PER_CONTENT = 1;

export interface PromptSize {
  tokens: number;
  /** System instruction, tools, then each content: where implicit caching can cut. */
  segments: Segment[];
}

export function promptSize(req: GenerateRequest): PromptSize {
  const segments: Segment[] = [];
  const si = field(req.body, 'systemInstruction');
  if (si !== undefined && si !== null) segments.push({ chars: countChars(si), value: si });
  const tools = req.body.tools;
  if (Array.isArray(tools) && tools.length > 0) segments.push({ chars: countChars(tools), value: tools });
  for (const c of req.contents) segments.push({ chars: countChars(c.parts), value: c });
  let chars = 0;
  for (const s of segments) chars += s.chars;
  return { tokens: tokensForChars(chars) + TOKENS_PER_CONTENT * req.contents.length, segments };
}

function textOf(content: Json): string {
  const texts: string[] = [];
  const responses: string[] = [];
  for (const p of parts(content)) {
    if (typeof p.text === 'string' && p.thought !== true) texts.push(p.text);
    const fr = field(p, 'functionResponse');
    if (isObject(fr)) responses.push(JSON.stringify(fr.response ?? {}));
  }
  return (texts.length > 0 ? texts : responses).join(' ');
}

/**
 * Whether the model thinks for this request. Gemini 3 and 2.5 (except Flash-Lite) think unless the
 * budget is 0; others only when asked. Thoughts are shown only with `includeThoughts`.
 */
export function thinks(model: string, tc: Json): boolean {
  const budget = field(tc, 'thinkingBudget');
  if (budget !== undefined && budget !== null && Number(budget) === 0) return false;
  if (field(tc, 'includeThoughts') === true || (budget !== undefined && budget !== null) || field(tc, 'thinkingLevel') !== undefined) return true;
  return isGemini3(model) || (/^gemini-2\.5-/.test(model) && !model.includes('flash-lite'));
}

/** Mode ANY forces a call: of the first allowed function, or else the first declared one. */
function forcedTool(body: Json): string | undefined {
  const tc = field(body, 'toolConfig');
  const fcc = isObject(tc) ? field(tc, 'functionCallingConfig') : undefined;
  if (!isObject(fcc) || typeof fcc.mode !== 'string' || fcc.mode.toUpperCase() !== 'ANY') return undefined;
  const allowed = list(field(fcc, 'allowedFunctionNames')).find((n): n is string => typeof n === 'string');
  if (allowed) return allowed;
  for (const t of list(body.tools)) {
    if (!isObject(t)) continue;
    for (const d of list(field(t, 'functionDeclarations'))) if (isObject(d) && typeof d.name === 'string') return d.name;
  }
  return undefined;
}

export function toTurnRequest(req: GenerateRequest, label: string | undefined): TurnRequest {
  let lastUserText = '';
  for (let i = req.contents.length - 1; i >= 0; i--) {
    if (roleOf(req.contents[i]) === 'user') {
      lastUserText = textOf(req.contents[i]);
      break;
    }
  }
  const max = field(req.generationConfig, 'maxOutputTokens');
  const stops = list(field(req.generationConfig, 'stopSequences'));
  return {
    model: req.model,
    lastUserText,
    thinking: thinks(req.model, req.thinkingConfig),
    thinkingOmitted: false,
    maxTokens: max !== undefined && max !== null && Number(max) > 0 ? Number(max) : undefined,
    stopSequences: stops.filter((s): s is string => typeof s === 'string'),
    label,
    forcedTool: forcedTool(req.body),
    json: field(req.generationConfig, 'responseMimeType') === 'application/json',
  };
}

export function includeThoughts(req: GenerateRequest): boolean {
  return field(req.thinkingConfig, 'includeThoughts') === true;
}
