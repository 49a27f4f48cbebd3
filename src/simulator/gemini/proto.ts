/**
 * The first stage of Gemini request checking: parsing JSON into the API's protobuf messages. Like
 * Google's JSON parser it accepts lowerCamel and snake_case field names, and rejects unknown names
 * ("Invalid JSON payload received. Unknown name ..."), values of the wrong kind, lists given for
 * singular fields, and bytes that are not base64, reporting every problem with its proto path.
 * This is what makes `parameters` schemas with JSON-Schema-only keywords fail, as on the real API.
 */

type Spec =
  | { k: 'string' | 'bool' | 'int' | 'number' | 'bytes' | 'struct' | 'value' }
  | { k: 'enum'; type: string; values: readonly string[] }
  | { k: 'message'; msg: () => MessageSpec }
  | { k: 'list'; of: Spec }
  | { k: 'map'; of: Spec };

export interface MessageSpec {
  type: string;
  fields: Record<string, Spec>;
}

const STRING: Spec = { k: 'string' };
const BOOL: Spec = { k: 'bool' };
const INT: Spec = { k: 'int' };
const NUMBER: Spec = { k: 'number' };
const BYTES: Spec = { k: 'bytes' };
const STRUCT: Spec = { k: 'struct' };
const VALUE: Spec = { k: 'value' };
const msg = (m: () => MessageSpec): Spec => ({ k: 'message', msg: m });
const list = (of: Spec): Spec => ({ k: 'list', of });
const enumOf = (type: string, values: readonly string[]): Spec => ({ k: 'enum', type, values });
/** A message the simulator does not look into (built-in tools, speech config, ...). */
const OPAQUE: Spec = STRUCT;

const V1BETA = 'google.ai.generativelanguage.v1beta';

export const TYPE_VALUES = ['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL'] as const;

/** Gemini's OpenAPI-3.0-subset Schema (wire-formats 4.3): anything else is an unknown name. */
export const SCHEMA: MessageSpec = {
  type: `${V1BETA}.Schema`,
  fields: {
    type: enumOf(`${V1BETA}.Type`, TYPE_VALUES),
    format: STRING,
    title: STRING,
    description: STRING,
    nullable: BOOL,
    enum: list(STRING),
    maxItems: INT,
    minItems: INT,
    properties: { k: 'map', of: msg(() => SCHEMA) },
    required: list(STRING),
    minProperties: INT,
    maxProperties: INT,
    minLength: INT,
    maxLength: INT,
    pattern: STRING,
    example: VALUE,
    anyOf: list(msg(() => SCHEMA)),
    propertyOrdering: list(STRING),
    default: VALUE,
    items: msg(() => SCHEMA),
    minimum: NUMBER,
    maximum: NUMBER,
  },
};

const BLOB: MessageSpec = { type: `${V1BETA}.Blob`, fields: { mimeType: STRING, data: BYTES } };
const FILE_DATA: MessageSpec = { type: `${V1BETA}.FileData`, fields: { mimeType: STRING, fileUri: STRING } };

/** The `data` oneof of a Part: exactly one must be set. */
export const PART_DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] as const;

export const PART: MessageSpec = {
  type: `${V1BETA}.Part`,
  fields: {
    text: STRING,
    inlineData: msg(() => BLOB),
    fileData: msg(() => FILE_DATA),
    functionCall: msg(() => ({ type: `${V1BETA}.FunctionCall`, fields: { id: STRING, name: STRING, args: STRUCT } })),
    functionResponse: msg(() => ({
      type: `${V1BETA}.FunctionResponse`,
      fields: {
        id: STRING,
        name: STRING,
        response: STRUCT,
        parts: list(msg(() => ({ type: `${V1BETA}.FunctionResponsePart`, fields: { inlineData: msg(() => BLOB) } }))),
        willContinue: BOOL,
        scheduling: enumOf(`${V1BETA}.FunctionResponse.Scheduling`, ['SCHEDULING_UNSPECIFIED', 'SILENT', 'WHEN_IDLE', 'INTERRUPT']),
      },
    })),
    executableCode: msg(() => ({
      type: `${V1BETA}.ExecutableCode`,
      fields: { language: enumOf(`${V1BETA}.ExecutableCode.Language`, ['LANGUAGE_UNSPECIFIED', 'PYTHON']), code: STRING },
    })),
    codeExecutionResult: msg(() => ({
      type: `${V1BETA}.CodeExecutionResult`,
      fields: {
        outcome: enumOf(`${V1BETA}.CodeExecutionResult.Outcome`, ['OUTCOME_UNSPECIFIED', 'OUTCOME_OK', 'OUTCOME_FAILED', 'OUTCOME_DEADLINE_EXCEEDED']),
        output: STRING,
      },
    })),
    thought: BOOL,
    thoughtSignature: BYTES,
    videoMetadata: OPAQUE,
    mediaResolution: OPAQUE,
    partMetadata: STRUCT,
  },
};

export const CONTENT: MessageSpec = { type: `${V1BETA}.Content`, fields: { role: STRING, parts: list(msg(() => PART)) } };

const FUNCTION_DECLARATION: MessageSpec = {
  type: `${V1BETA}.FunctionDeclaration`,
  fields: {
    name: STRING,
    description: STRING,
    parameters: msg(() => SCHEMA),
    parametersJsonSchema: VALUE,
    response: msg(() => SCHEMA),
    responseJsonSchema: VALUE,
    behavior: enumOf(`${V1BETA}.FunctionDeclaration.Behavior`, ['UNSPECIFIED', 'BLOCKING', 'NON_BLOCKING']),
  },
};

const TOOL: MessageSpec = {
  type: `${V1BETA}.Tool`,
  fields: {
    functionDeclarations: list(msg(() => FUNCTION_DECLARATION)),
    googleSearchRetrieval: OPAQUE,
    codeExecution: OPAQUE,
    googleSearch: OPAQUE,
    urlContext: OPAQUE,
    computerUse: OPAQUE,
    fileSearch: OPAQUE,
    googleMaps: OPAQUE,
  },
};

const TOOL_CONFIG: MessageSpec = {
  type: `${V1BETA}.ToolConfig`,
  fields: {
    functionCallingConfig: msg(() => ({
      type: `${V1BETA}.FunctionCallingConfig`,
      fields: {
        mode: enumOf(`${V1BETA}.FunctionCallingConfig.Mode`, ['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']),
        allowedFunctionNames: list(STRING),
      },
    })),
    retrievalConfig: OPAQUE,
  },
};

export const THINKING_LEVELS = ['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH'] as const;

const GENERATION_CONFIG: MessageSpec = {
  type: `${V1BETA}.GenerationConfig`,
  fields: {
    stopSequences: list(STRING),
    responseMimeType: STRING,
    responseSchema: msg(() => SCHEMA),
    responseJsonSchema: VALUE,
    responseModalities: list(STRING),
    candidateCount: INT,
    maxOutputTokens: INT,
    temperature: NUMBER,
    topP: NUMBER,
    topK: INT,
    seed: INT,
    presencePenalty: NUMBER,
    frequencyPenalty: NUMBER,
    responseLogprobs: BOOL,
    logprobs: INT,
    enableEnhancedCivicAnswers: BOOL,
    speechConfig: OPAQUE,
    thinkingConfig: msg(() => ({
      type: `${V1BETA}.ThinkingConfig`,
      fields: { includeThoughts: BOOL, thinkingBudget: INT, thinkingLevel: enumOf(`${V1BETA}.ThinkingConfig.ThinkingLevel`, THINKING_LEVELS) },
    })),
    imageConfig: OPAQUE,
    mediaResolution: STRING,
  },
};

export const GENERATE_CONTENT_REQUEST: MessageSpec = {
  type: `${V1BETA}.GenerateContentRequest`,
  fields: {
    model: STRING,
    contents: list(msg(() => CONTENT)),
    tools: list(msg(() => TOOL)),
    toolConfig: msg(() => TOOL_CONFIG),
    safetySettings: list(msg(() => ({ type: `${V1BETA}.SafetySetting`, fields: { category: STRING, threshold: STRING, method: STRING } }))),
    systemInstruction: msg(() => CONTENT),
    generationConfig: msg(() => GENERATION_CONFIG),
    cachedContent: STRING,
  },
};

export const COUNT_TOKENS_REQUEST: MessageSpec = {
  type: `${V1BETA}.CountTokensRequest`,
  fields: { contents: list(msg(() => CONTENT)), generateContentRequest: msg(() => GENERATE_CONTENT_REQUEST) },
};

// ---------------------------------------------------------------------------------------------

export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A field read that accepts both JSON spellings proto parsers accept (`thinkingConfig`, `thinking_config`). */
export function field(obj: Record<string, unknown>, camel: string): unknown {
  const v = obj[camel];
  return v !== undefined ? v : obj[snakeCase(camel)];
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

export function isBase64(s: string): boolean {
  return BASE64.test(s);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarType(k: string): string {
  return k === 'string' ? 'TYPE_STRING' : k === 'bool' ? 'TYPE_BOOL' : k === 'int' ? 'TYPE_INT32' : k === 'number' ? 'TYPE_FLOAT' : 'TYPE_BYTES';
}

/** Parse-stage errors, in the API's wording. Empty when the JSON fits the message. */
export function parseMessage(value: unknown, spec: MessageSpec): string[] {
  const errors: string[] = [];
  walkMessage(value, spec, '', errors);
  return errors;
}

const MAX_ERRORS = 50;

function at(path: string): string {
  return path === '' ? '' : ` at '${path}'`;
}

function walkMessage(value: unknown, spec: MessageSpec, path: string, errors: string[]): void {
  if (!isObj(value)) {
    errors.push(`Invalid value${at(path)} (type.googleapis.com/${spec.type}), ${show(value)}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (errors.length >= MAX_ERRORS) return;
    const name = camelCase(key);
    const s = spec.fields[name];
    if (!s) {
      errors.push(`Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${at(path)}: Cannot find field.`);
      continue;
    }
    if (v === null) continue;
    const p = path === '' ? snakeCase(name) : `${path}.${snakeCase(name)}`;
    if (Array.isArray(v) && s.k !== 'list' && s.k !== 'value') {
      errors.push(`Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${at(path)}: Proto field is not repeating, cannot start list.`);
      continue;
    }
    walkValue(v, s, p, errors);
  }
}

function walkValue(v: unknown, s: Spec, p: string, errors: string[]): void {
  switch (s.k) {
    case 'string':
      if (typeof v !== 'string') errors.push(`Invalid value at '${p}' (TYPE_STRING), ${show(v)}`);
      return;
    case 'bool':
      if (typeof v !== 'boolean') errors.push(`Invalid value at '${p}' (TYPE_BOOL), ${show(v)}`);
      return;
    case 'int':
      if (!(typeof v === 'number' && Number.isInteger(v)) && !(typeof v === 'string' && /^-?\d+$/.test(v))) {
        errors.push(`Invalid value at '${p}' (${scalarType(s.k)}), ${show(v)}`);
      }
      return;
    case 'number':
      if (typeof v !== 'number' && !(typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))) {
        errors.push(`Invalid value at '${p}' (${scalarType(s.k)}), ${show(v)}`);
      }
      return;
    case 'bytes':
      if (typeof v !== 'string') errors.push(`Invalid value at '${p}' (TYPE_BYTES), ${show(v)}`);
      else if (!isBase64(v)) errors.push(`Invalid value at '${p}' (TYPE_BYTES), Base64 decoding failed for ${show(v)}`);
      return;
    case 'struct':
      if (!isObj(v)) errors.push(`Invalid value at '${p}' (type.googleapis.com/google.protobuf.Struct), ${show(v)}`);
      return;
    case 'value':
      return;
    case 'enum': {
      const ok =
        (typeof v === 'string' && s.values.includes(v.toUpperCase())) || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < s.values.length);
      if (!ok) errors.push(`Invalid value at '${p}' (type.googleapis.com/${s.type}), ${show(v)}`);
      return;
    }
    case 'message':
      walkMessage(v, s.msg(), p, errors);
      return;
    case 'list':
      if (!Array.isArray(v)) {
        walkValue(v, s.of, p, errors);
        return;
      }
      v.forEach((item: unknown, i) => {
        if (item !== null && errors.length < MAX_ERRORS) walkValue(item, s.of, `${p}[${i}]`, errors);
      });
      return;
    case 'map':
      if (!isObj(v)) {
        errors.push(`Invalid value at '${p}' (type.googleapis.com/google.protobuf.Struct), ${show(v)}`);
        return;
      }
      Object.values(v).forEach((item, i) => {
        if (item !== null && errors.length < MAX_ERRORS) walkValue(item, s.of, `${p}[${i}].value`, errors);
      });
      return;
  }
}
