import type { ContentBlock, DocumentBlock, ImageBlock, OpaqueBlock, TextBlock, ToolResultBlock } from '../../canonical/types.js';
import { readSignature } from './signatures.js';
import { decodeCacheControl, expectObject, expectString, extraKeys, fail, given, isObject, optionalBoolean, optionalString, type Json } from './wire.js';

/**
 * Anthropic content blocks → canonical blocks, for requests (client messages) and responses (upstream content).
 *
 * A block of a known type whose fields the canonical form can carry completely becomes that canonical block. Any
 * other block (server-tool blocks, MCP blocks, `search_result`, Files-API sources, fields the canonical form has no
 * place for) becomes an `opaque` block holding the original JSON: exact for an Anthropic upstream, dropped by the
 * others. Only shapes that are invalid for their declared type raise a CodecError.
 */

const TEXT_KEYS = ['type', 'text', 'cache_control', 'citations'] as const;
const IMAGE_KEYS = ['type', 'source', 'cache_control'] as const;
const DOCUMENT_KEYS = ['type', 'source', 'title', 'context', 'cache_control', 'citations'] as const;
const TOOL_USE_KEYS = ['type', 'id', 'name', 'input', 'cache_control', 'caller'] as const;
const TOOL_RESULT_KEYS = ['type', 'tool_use_id', 'content', 'is_error', 'cache_control'] as const;
const THINKING_KEYS = ['type', 'thinking', 'signature'] as const;
const REDACTED_KEYS = ['type', 'data'] as const;

export function opaque(value: unknown): OpaqueBlock {
  return { type: 'opaque', format: 'anthropic', value };
}

export function decodeBlock(raw: unknown, path: string): ContentBlock {
  const b = expectObject(raw, path);
  if (typeof b.type !== 'string' || b.type === '') fail(`${path}.type`, `expected a block type string, got ${JSON.stringify(b.type)}`);
  switch (b.type) {
    case 'text':
      return decodeText(b, path);
    case 'image':
      return decodeImage(b, path);
    case 'document':
      return decodeDocument(b, path);
    case 'tool_use':
      return decodeToolUse(b, path);
    case 'tool_result':
      return decodeToolResult(b, path);
    case 'thinking': {
      const thinking = expectString(b.thinking, `${path}.thinking`);
      const signature = optionalString(b.signature, `${path}.signature`);
      if (extraKeys(b, THINKING_KEYS).length) return opaque(b);
      const sig = readSignature(signature ?? '');
      return { type: 'thinking', text: thinking, ...(sig.signature !== undefined && sig.signature !== '' ? { signature: sig.signature } : {}), signatureOrigin: sig.origin };
    }
    case 'redacted_thinking': {
      const data = expectString(b.data, `${path}.data`);
      if (extraKeys(b, REDACTED_KEYS).length) return opaque(b);
      return { type: 'redacted_thinking', data, signatureOrigin: { format: 'anthropic' } };
    }
    default:
      return opaque(b);
  }
}

function decodeText(b: Json, path: string): TextBlock | OpaqueBlock {
  const text = expectString(b.text, `${path}.text`);
  const cacheControl = decodeCacheControl(b.cache_control, `${path}.cache_control`);
  if (given(b.citations) && !Array.isArray(b.citations)) fail(`${path}.citations`, 'expected an array');
  if (extraKeys(b, TEXT_KEYS).length) return opaque(b);
  const out: TextBlock = { type: 'text', text };
  if (cacheControl) out.cacheControl = cacheControl;
  if (Array.isArray(b.citations) && b.citations.length > 0) out.citations = b.citations;
  return out;
}

function decodeImage(b: Json, path: string): ImageBlock | OpaqueBlock {
  const source = expectObject(b.source, `${path}.source`);
  const cacheControl = decodeCacheControl(b.cache_control, `${path}.cache_control`);
  if (extraKeys(b, IMAGE_KEYS).length) return opaque(b);
  let out: ImageBlock;
  if (source.type === 'base64' && !extraKeys(source, ['type', 'media_type', 'data']).length) {
    out = { type: 'image', source: { kind: 'base64', mediaType: expectString(source.media_type, `${path}.source.media_type`), data: expectString(source.data, `${path}.source.data`) } };
  } else if (source.type === 'url' && !extraKeys(source, ['type', 'url']).length) {
    out = { type: 'image', source: { kind: 'url', url: expectString(source.url, `${path}.source.url`) } };
  } else {
    return opaque(b);
  }
  if (cacheControl) out.cacheControl = cacheControl;
  return out;
}

function decodeDocument(b: Json, path: string): DocumentBlock | OpaqueBlock {
  const source = expectObject(b.source, `${path}.source`);
  const cacheControl = decodeCacheControl(b.cache_control, `${path}.cache_control`);
  const title = optionalString(b.title, `${path}.title`);
  const context = optionalString(b.context, `${path}.context`);
  if (extraKeys(b, DOCUMENT_KEYS).length) return opaque(b);
  let out: DocumentBlock;
  if ((source.type === 'base64' || source.type === 'text') && !extraKeys(source, ['type', 'media_type', 'data']).length) {
    const mediaType = expectString(source.media_type, `${path}.source.media_type`);
    const data = expectString(source.data, `${path}.source.data`);
    out = { type: 'document', source: { kind: source.type, mediaType, data } };
  } else if (source.type === 'url' && !extraKeys(source, ['type', 'url']).length) {
    out = { type: 'document', source: { kind: 'url', url: expectString(source.url, `${path}.source.url`) } };
  } else {
    return opaque(b);
  }
  if (given(b.citations)) {
    const c = expectObject(b.citations, `${path}.citations`);
    if (extraKeys(c, ['enabled']).length) return opaque(b);
    const enabled = optionalBoolean(c.enabled, `${path}.citations.enabled`);
    out.citations = enabled === undefined ? {} : { enabled };
  }
  if (title !== undefined) out.title = title;
  if (context !== undefined) out.context = context;
  if (cacheControl) out.cacheControl = cacheControl;
  return out;
}

function decodeToolUse(b: Json, path: string): ContentBlock {
  const id = expectString(b.id, `${path}.id`);
  const name = expectString(b.name, `${path}.name`);
  const input = given(b.input) ? expectObject(b.input, `${path}.input`) : {};
  const cacheControl = decodeCacheControl(b.cache_control, `${path}.cache_control`);
  // `caller: {type:"direct"}` is the default the newest API echoes on every tool_use; any other caller
  // (programmatic tool calling) is Anthropic-only.
  const directCaller = !given(b.caller) || (isObject(b.caller) && b.caller.type === 'direct' && Object.keys(b.caller).length === 1);
  if (!directCaller || extraKeys(b, TOOL_USE_KEYS).length) return opaque(b);
  return { type: 'tool_call', id, name, input, ...(cacheControl ? { cacheControl } : {}) };
}

function decodeToolResult(b: Json, path: string): ToolResultBlock | OpaqueBlock {
  const toolCallId = expectString(b.tool_use_id, `${path}.tool_use_id`);
  const isError = optionalBoolean(b.is_error, `${path}.is_error`);
  const cacheControl = decodeCacheControl(b.cache_control, `${path}.cache_control`);
  if (extraKeys(b, TOOL_RESULT_KEYS).length) return opaque(b);
  const content: ToolResultBlock['content'] = [];
  if (typeof b.content === 'string') {
    if (b.content !== '') content.push({ type: 'text', text: b.content });
  } else if (Array.isArray(b.content)) {
    for (let i = 0; i < b.content.length; i++) {
      const inner = decodeBlock(b.content[i], `${path}.content.${i}`);
      // search_result, tool_reference and the like make the whole result Anthropic-only.
      if (inner.type !== 'text' && inner.type !== 'image' && inner.type !== 'document') return opaque(b);
      content.push(inner);
    }
  } else if (given(b.content)) {
    fail(`${path}.content`, 'expected a string or an array of content blocks');
  }
  const out: ToolResultBlock = { type: 'tool_result', toolCallId, content };
  if (isError !== undefined) out.isError = isError;
  if (cacheControl) out.cacheControl = cacheControl;
  return out;
}

/** `content` of a message: a string is shorthand for one text block (an empty string for none). */
export function decodeContent(raw: unknown, path: string): ContentBlock[] {
  if (typeof raw === 'string') return raw === '' ? [] : [{ type: 'text', text: raw }];
  if (!Array.isArray(raw)) fail(path, 'expected a string or an array of content blocks');
  return raw.map((b, i) => decodeBlock(b, `${path}.${i}`));
}
