import { CodecError } from '../canonical/codec.js';
import type { ContentBlock, DocumentBlock, ImageBlock, Message, Request, ResponseFormat, TextBlock, Tool, ToolChoice, ToolResultBlock } from '../canonical/types.js';
import { arrField, field, isObj, numField, objField, strField, unknownMembers, type Obj } from './fields.js';
import { derivedToolCallId } from './ids.js';
import { mimeFromUrl } from './media.js';
import { decodeThinking } from './thinking.js';
import type { GeminiThinkingConfig } from './wire.js';

/**
 * A `generateContent` request body → canonical (for Gemini-format clients: tests, the simulator). The model and
 * streaming live in the URL; a `model` member is read when present. Function calls without ids get stable derived
 * ids and each functionResponse is paired with its call by id, else by name in call order. What has no canonical
 * meaning is kept in `extensions.gemini`.
 */

const KNOWN_TOP = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'model']);
const KNOWN_GENERATION = new Set([
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'stopSequences',
  'seed',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
]);

export function decodeGeminiRequest(body: unknown): Request {
  if (!isObj(body)) throw new CodecError('request body must be a JSON object');
  const contents = arrField(body, 'contents');
  if (!contents) throw new CodecError('contents: required array', 'contents');

  const req: Request = { model: (strField(body, 'model') ?? '').replace(/^models\//, ''), system: [], messages: [], stream: false, extensions: {} };
  const ext: Obj = unknownMembers(body, KNOWN_TOP) ?? {};

  const sys = field(body, 'systemInstruction');
  if (typeof sys === 'string') {
    if (sys !== '') req.system.push({ type: 'text', text: sys });
  } else if (isObj(sys)) {
    for (const p of arrField(sys, 'parts') ?? []) {
      const text = isObj(p) ? strField(p, 'text') : undefined;
      if (text !== undefined) req.system.push({ type: 'text', text });
    }
  }

  req.messages = decodeContents(contents);
  decodeTools(body, req, ext);
  decodeGenerationConfig(objField(body, 'generationConfig'), req, ext);
  if (Object.keys(ext).length > 0) req.extensions.gemini = ext;
  return req;
}

function decodeContents(contents: unknown[]): Message[] {
  const messages: Message[] = [];
  /** Calls of the latest model turn not yet answered, for pairing responses that carry no id. */
  let open: Array<{ id: string; name: string }> = [];
  contents.forEach((c, ci) => {
    if (!isObj(c)) throw new CodecError(`contents[${ci}]: expected an object`, `contents[${ci}]`);
    const role = strField(c, 'role') === 'model' ? 'assistant' : 'user';
    const parts = arrField(c, 'parts') ?? [];
    const blocks: ContentBlock[] = [];
    if (role === 'assistant') open = [];
    parts.forEach((p, pi) => {
      if (!isObj(p)) return;
      const block = decodePart(p, role, `${ci}:${pi}`, open);
      if (block) blocks.push(block);
    });
    messages.push({ role, content: blocks });
  });
  return messages;
}

function decodePart(p: Obj, role: 'user' | 'assistant', seed: string, open: Array<{ id: string; name: string }>): ContentBlock | undefined {
  const signature = strField(p, 'thoughtSignature');
  const call = objField(p, 'functionCall');
  if (call) {
    const name = strField(call, 'name') ?? '';
    const id = strField(call, 'id') ?? derivedToolCallId(`${seed}:${name}`);
    open.push({ id, name });
    const args = objField(call, 'args') ?? {};
    const block: ContentBlock = { type: 'tool_call', id, name, input: args };
    if (signature) Object.assign(block, { signature, signatureOrigin: { format: 'gemini' } });
    return block;
  }
  const response = objField(p, 'functionResponse');
  if (response) return toolResult(response, seed, open);
  const text = field(p, 'text');
  if (typeof text === 'string') {
    if (field(p, 'thought') === true || (text === '' && signature)) {
      const block: ContentBlock = { type: 'thinking', text, signatureOrigin: { format: 'gemini' } };
      if (signature) block.signature = signature;
      return block;
    }
    const block: TextBlock = { type: 'text', text };
    if (signature) Object.assign(block, { signature, signatureOrigin: { format: 'gemini' } });
    return block;
  }
  const media = mediaBlock(p);
  if (media) return media;
  if (Object.keys(p).length === 0) return undefined;
  return { type: 'opaque', format: 'gemini', value: p };
}

function toolResult(r: Obj, seed: string, open: Array<{ id: string; name: string }>): ToolResultBlock {
  const name = strField(r, 'name') ?? '';
  let id = strField(r, 'id');
  if (id === undefined) {
    const match = open.findIndex((c) => c.name === name);
    id = match >= 0 ? open[match].id : derivedToolCallId(`${seed}:response:${name}`);
  }
  const at = open.findIndex((c) => c.id === id);
  if (at >= 0) open.splice(at, 1);

  const resp = objField(r, 'response') ?? {};
  const keys = Object.keys(resp);
  let text: string;
  let isError = false;
  if (keys.length === 1 && keys[0] === 'error') {
    isError = true;
    text = asText(resp.error);
  } else if (keys.length === 1 && keys[0] === 'output') {
    text = asText(resp.output);
  } else {
    text = keys.length === 0 ? '' : JSON.stringify(resp);
  }
  const content: ToolResultBlock['content'] = text === '' ? [] : [{ type: 'text', text }];
  for (const p of arrField(r, 'parts') ?? []) {
    const media = isObj(p) ? mediaBlock(p) : undefined;
    if (media) content.push(media);
  }
  const block: ToolResultBlock = { type: 'tool_result', toolCallId: id, name, content };
  if (isError) block.isError = true;
  return block;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function mediaBlock(p: Obj): ImageBlock | DocumentBlock | undefined {
  const inline = objField(p, 'inlineData');
  if (inline) {
    const mediaType = strField(inline, 'mimeType') ?? 'application/octet-stream';
    const data = strField(inline, 'data') ?? '';
    if (mediaType.startsWith('image/')) return { type: 'image', source: { kind: 'base64', mediaType, data } };
    return { type: 'document', source: { kind: 'base64', mediaType, data } };
  }
  const file = objField(p, 'fileData');
  if (file) {
    const url = strField(file, 'fileUri') ?? '';
    const mediaType = strField(file, 'mimeType') ?? mimeFromUrl(url);
    if (mediaType?.startsWith('image/')) return { type: 'image', source: { kind: 'url', url } };
    return { type: 'document', source: { kind: 'url', url } };
  }
  return undefined;
}

function decodeTools(body: Obj, req: Request, ext: Obj): void {
  const tools: Tool[] = [];
  const otherTools: unknown[] = [];
  for (const t of arrField(body, 'tools') ?? []) {
    if (!isObj(t)) continue;
    const decls = arrField(t, 'functionDeclarations');
    if (!decls) {
      otherTools.push(t);
      continue;
    }
    for (const d of decls) {
      if (!isObj(d)) continue;
      const tool: Tool = { name: strField(d, 'name') ?? '', inputSchema: inputSchema(d) };
      const description = strField(d, 'description');
      if (description) tool.description = description;
      tools.push(tool);
    }
  }
  if (tools.length > 0) req.tools = tools;
  if (otherTools.length > 0) ext.tools = otherTools;

  const toolConfig = objField(body, 'toolConfig');
  if (!toolConfig) return;
  const fcc = objField(toolConfig, 'functionCallingConfig');
  const choice = fcc ? toolChoice(fcc) : undefined;
  if (choice) req.toolChoice = choice;
  // Whatever the canonical choice cannot say (several allowed names, VALIDATED, retrievalConfig) rides along.
  const exact = choice !== undefined && strField(fcc!, 'mode') !== 'VALIDATED' && !(choice.type === 'any' && (arrField(fcc!, 'allowedFunctionNames')?.length ?? 0) > 0);
  const rest = unknownMembers(toolConfig, new Set(['functionCallingConfig']));
  if (!exact || rest) ext.toolConfig = exact ? rest : toolConfig;
}

function toolChoice(fcc: Obj): ToolChoice | undefined {
  const mode = strField(fcc, 'mode');
  const allowed = arrField(fcc, 'allowedFunctionNames')?.filter((n): n is string => typeof n === 'string') ?? [];
  if (mode === 'AUTO') return { type: 'auto' };
  if (mode === 'NONE') return { type: 'none' };
  if (mode === 'ANY' || mode === 'VALIDATED') return allowed.length === 1 ? { type: 'tool', name: allowed[0] } : { type: 'any' };
  return undefined;
}

/** The declaration's schema as JSON Schema: `parametersJsonSchema` as is, OpenAPI `parameters` with lower-case types. */
function inputSchema(d: Obj): Record<string, unknown> {
  const json = objField(d, 'parametersJsonSchema');
  if (json) return json;
  const params = objField(d, 'parameters');
  if (params) return lowerTypes(params) as Record<string, unknown>;
  return { type: 'object', properties: {} };
}

function lowerTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerTypes);
  if (!isObj(schema)) return schema;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type' && typeof v === 'string') out[k] = v.toLowerCase();
    else if (k === 'properties' && isObj(v)) out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, lowerTypes(pv)]));
    else if (k === 'items' || k === 'anyOf') out[k] = lowerTypes(v);
    else out[k] = v;
  }
  return out;
}

function decodeGenerationConfig(gc: Obj | undefined, req: Request, ext: Obj): void {
  if (!gc) return;
  const maxTokens = numField(gc, 'maxOutputTokens');
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = numField(gc, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = numField(gc, 'topP');
  if (topP !== undefined) req.topP = topP;
  const topK = numField(gc, 'topK');
  if (topK !== undefined) req.topK = topK;
  const stop = arrField(gc, 'stopSequences')?.filter((s): s is string => typeof s === 'string');
  if (stop && stop.length > 0) req.stop = stop;
  const seed = numField(gc, 'seed');
  if (seed !== undefined) req.seed = seed;
  const format = responseFormat(gc);
  if (format) req.responseFormat = format;
  const thinking = objField(gc, 'thinkingConfig');
  if (thinking) Object.assign(req, decodeThinking(thinkingConfig(thinking)));
  const rest = unknownMembers(gc, KNOWN_GENERATION);
  if (rest) ext.generationConfig = rest;
}

function thinkingConfig(o: Obj): GeminiThinkingConfig {
  const out: GeminiThinkingConfig = {};
  const budget = numField(o, 'thinkingBudget');
  if (budget !== undefined) out.thinkingBudget = budget;
  const level = strField(o, 'thinkingLevel');
  if (level !== undefined) out.thinkingLevel = level.toUpperCase() as GeminiThinkingConfig['thinkingLevel'];
  const include = field(o, 'includeThoughts');
  if (typeof include === 'boolean') out.includeThoughts = include;
  return out;
}

function responseFormat(gc: Obj): ResponseFormat | undefined {
  const mime = strField(gc, 'responseMimeType');
  const schema = objField(gc, 'responseJsonSchema') ?? lowerSchema(objField(gc, 'responseSchema'));
  if (schema) return { type: 'json_schema', schema };
  if (mime === 'application/json') return { type: 'json_object' };
  return undefined;
}

function lowerSchema(schema: Obj | undefined): Record<string, unknown> | undefined {
  return schema ? (lowerTypes(schema) as Record<string, unknown>) : undefined;
}
