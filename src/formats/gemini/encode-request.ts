import type { UpstreamTarget } from '../canonical/codec.js';
import type { Request, ResponseFormat, ToolChoice } from '../canonical/types.js';
import { deepFreeze, isDeeplyFrozen } from '../json-scan/index.js';
import { encodeContents } from './contents.js';
import { isObj, type Obj } from './fields.js';
import { sanitizeSchemaForGemini, toolParametersForGemini, type GeminiSchemaField } from './schema.js';
import { encodeThinking } from './thinking.js';
import type { GeminiFunctionCallingConfig, GeminiFunctionDeclaration, GeminiGenerationConfig, GeminiRequest, GeminiTool } from './wire.js';

/**
 * Sanitised tool schemas of shared, deep-frozen input schemas (an agent's tools, parsed once: SharedValues), by
 * schema and field: rewriting 24 tool schemas for Gemini is ~50 µs per request otherwise. The results are frozen too,
 * since every request with those tools gets the same objects.
 */
const sanitisedShared = new WeakMap<object, Partial<Record<GeminiSchemaField, Obj | undefined>>>();

function parametersFor(schema: Obj, field: GeminiSchemaField): Obj | undefined {
  if (!isDeeplyFrozen(schema)) return toolParametersForGemini(schema, { field });
  let byField = sanitisedShared.get(schema);
  if (!byField) sanitisedShared.set(schema, (byField = {}));
  if (!Object.hasOwn(byField, field)) byField[field] = deepFreeze(toolParametersForGemini(schema, { field }));
  return byField[field];
}

/** Gemini accepts at most five stop sequences. */
const MAX_STOP_SEQUENCES = 5;

/**
 * A canonical request as a `generateContent` body (wire-formats 5.3 / 5.7). The model and streaming are part of the
 * URL, not the body. Canonical fields without a Gemini counterpart (user id, cache markers, parallel-call control)
 * are dropped; Gemini-only fields from a Gemini-format source travel in `extensions.gemini`.
 */
export function encodeGeminiRequest(req: Request, target: UpstreamTarget): GeminiRequest {
  const { contents, systemParts } = encodeContents(req, target.model);
  const body: GeminiRequest = { contents };
  if (systemParts.length > 0) body.systemInstruction = { parts: systemParts };

  const field: GeminiSchemaField = target.quirks.geminiSchemaField ?? 'parametersJsonSchema';
  const declarations = (req.tools ?? []).map((t) => {
    const decl: GeminiFunctionDeclaration = { name: t.name };
    if (t.description) decl.description = t.description;
    const params = parametersFor(t.inputSchema, field);
    if (params) decl[field] = params;
    return decl;
  });
  if (declarations.length > 0) {
    body.tools = [{ functionDeclarations: declarations }];
    if (req.toolChoice) body.toolConfig = { functionCallingConfig: functionCallingConfig(req.toolChoice) };
  }

  const generationConfig = encodeGenerationConfig(req, target, field);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;

  applyExtensions(body, req.extensions.gemini);
  return body;
}

function functionCallingConfig(choice: ToolChoice): GeminiFunctionCallingConfig {
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'any':
      return { mode: 'ANY' };
    case 'none':
      return { mode: 'NONE' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

function encodeGenerationConfig(req: Request, target: UpstreamTarget, field: GeminiSchemaField): GeminiGenerationConfig {
  const out: GeminiGenerationConfig = {};
  let maxTokens = req.maxTokens ?? target.defaultMaxTokens;
  if (maxTokens !== undefined && target.maxOutputTokens !== undefined) maxTokens = Math.min(maxTokens, target.maxOutputTokens);
  if (maxTokens !== undefined && maxTokens > 0) out.maxOutputTokens = Math.floor(maxTokens);
  if (!target.quirks.noSampling) {
    if (req.temperature !== undefined) out.temperature = clamp(req.temperature, 0, 2);
    if (req.topP !== undefined) out.topP = clamp(req.topP, 0, 1);
    if (req.topK !== undefined && req.topK >= 1) out.topK = Math.round(req.topK);
  }
  const stop = (req.stop ?? []).filter((s) => s !== '').slice(0, Math.min(target.quirks.maxStop ?? MAX_STOP_SEQUENCES, MAX_STOP_SEQUENCES));
  if (stop.length > 0) out.stopSequences = stop;
  if (req.seed !== undefined && Number.isInteger(req.seed)) out.seed = req.seed;
  if (req.responseFormat) Object.assign(out, responseFormat(req.responseFormat, field));
  const thinking = encodeThinking(req, target.model, out.maxOutputTokens);
  if (thinking) out.thinkingConfig = thinking;
  return out;
}

function responseFormat(format: ResponseFormat, field: GeminiSchemaField): GeminiGenerationConfig {
  if (format.type === 'text') return {};
  if (format.type === 'json_object') return { responseMimeType: 'application/json' };
  // responseJsonSchema takes JSON Schema ($defs/$ref included); only the meta-schema pointer is noise. The legacy
  // path (providers configured for `parameters`) takes the same OpenAPI subset as tool parameters.
  if (field === 'parameters') return { responseMimeType: 'application/json', responseSchema: sanitizeSchemaForGemini(format.schema, { field }) };
  const schema: Obj = { ...format.schema };
  delete schema.$schema;
  return { responseMimeType: 'application/json', responseJsonSchema: schema };
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(Math.max(v, min), max);
}

/**
 * Gemini-only fields of a Gemini-format source (safetySettings, cachedContent, server tools, responseModalities...).
 * What the canonical request says wins; extensions fill the rest.
 */
function applyExtensions(body: GeminiRequest, ext: Record<string, unknown> | undefined): void {
  if (!ext) return;
  for (const [key, value] of Object.entries(ext)) {
    if (key === 'contents' || key === 'systemInstruction' || value === undefined) continue;
    if (key === 'tools' && Array.isArray(value)) {
      // Function declarations come from the canonical tools; other tools (googleSearch, codeExecution...) are added.
      const extra = value.filter((t): t is GeminiTool => isObj(t) && t.functionDeclarations === undefined);
      if (extra.length > 0) body.tools = [...(body.tools ?? []), ...extra];
    } else if (isObj(value) && isObj(body[key])) {
      body[key] = deepMerge(value, body[key] as Obj);
    } else if (!(key in body)) {
      body[key] = value;
    }
  }
  const fcc = body.toolConfig?.functionCallingConfig;
  if (fcc && fcc.mode !== 'ANY' && fcc.allowedFunctionNames !== undefined) delete fcc.allowedFunctionNames;
  if (body.toolConfig && !body.tools?.some((t) => t.functionDeclarations !== undefined)) delete body.toolConfig.functionCallingConfig;
  if (body.toolConfig && Object.keys(body.toolConfig).length === 0) delete body.toolConfig;
}

/** `over` wins on every key it has; nested objects merge. */
function deepMerge(under: Obj, over: Obj): Obj {
  const out: Obj = { ...under };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}
