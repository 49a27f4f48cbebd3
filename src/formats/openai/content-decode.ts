import { CodecError } from '../canonical/codec.js';
import type { ContentBlock, DocumentBlock, ImageBlock, TextBlock } from '../canonical/types.js';
import { isObj, str, type Obj } from './wire.js';

/** Splits `data:<media type>[;params];base64,<data>`; undefined for anything else (including non-base64 data URIs). */
export function parseDataUri(uri: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]*)((?:;[^;,]*)*);base64,/i.exec(uri);
  if (!m) return undefined;
  return { mediaType: m[1] || 'application/octet-stream', data: uri.slice(m[0].length) };
}

function textBlock(text: string, part?: Obj): TextBlock {
  const block: TextBlock = { type: 'text', text };
  // OpenAI's explicit prompt-cache breakpoint is the same idea as an Anthropic cache_control marker.
  if (part && (isObj(part.prompt_cache_breakpoint) || isObj(part.cache_control))) block.cacheControl = { type: 'ephemeral' };
  if (part && isObj(part.cache_control) && (part.cache_control.ttl === '5m' || part.cache_control.ttl === '1h')) {
    block.cacheControl = { type: 'ephemeral', ttl: part.cache_control.ttl };
  }
  return block;
}

function imageBlock(part: Obj, path: string): ImageBlock {
  const image = part.image_url;
  const url = isObj(image) ? str(image.url) : str(image);
  if (url === undefined) throw new CodecError(`Invalid value for '${path}.image_url': expected an object with a string 'url'.`, `${path}.image_url`);
  const data = parseDataUri(url);
  const block: ImageBlock = { type: 'image', source: data ? { kind: 'base64', mediaType: data.mediaType, data: data.data } : { kind: 'url', url } };
  if (isObj(image) && typeof image.detail === 'string') block.detail = image.detail;
  return block;
}

function fileBlock(part: Obj): DocumentBlock | undefined {
  const file = part.file;
  if (!isObj(file)) return undefined;
  const fileData = str(file.file_data);
  const filename = str(file.filename);
  if (fileData === undefined) return undefined;
  const uri = parseDataUri(fileData);
  const isPdf = uri ? uri.mediaType.toLowerCase() === 'application/pdf' : filename?.toLowerCase().endsWith('.pdf') === true;
  if (!isPdf) return undefined;
  const block: DocumentBlock = { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: uri ? uri.data : fileData } };
  if (filename !== undefined) block.filename = filename;
  return block;
}

/**
 * One content part of a user/system/tool message. Parts only OpenAI understands (audio, file ids, non-PDF files,
 * types newer than this codec) are kept as opaque blocks for an OpenAI upstream.
 */
export function decodePart(part: unknown, path: string): ContentBlock {
  if (!isObj(part) || typeof part.type !== 'string') {
    throw new CodecError(`Invalid value for '${path}': expected a content part object with a string 'type'.`, path);
  }
  switch (part.type) {
    case 'text':
    case 'input_text': {
      if (typeof part.text !== 'string') throw new CodecError(`Invalid value for '${path}.text': expected a string.`, `${path}.text`);
      return textBlock(part.text, part);
    }
    case 'image_url':
      return imageBlock(part, path);
    case 'file':
      return fileBlock(part) ?? { type: 'opaque', format: 'openai', value: part };
    case 'refusal':
      return { type: 'text', text: str(part.refusal) ?? '' };
    default:
      return { type: 'opaque', format: 'openai', value: part };
  }
}

/** `content` of a user or tool message: a string or an array of parts. Empty text is dropped (Anthropic rejects it). */
export function decodeContent(content: unknown, path: string): ContentBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw new CodecError(`Invalid type for '${path}': expected a string or an array of content parts.`, path);
  const out: ContentBlock[] = [];
  content.forEach((part, i) => {
    const block = decodePart(part, `${path}[${i}]`);
    if (block.type === 'text' && block.text === '') return;
    out.push(block);
  });
  return out;
}

/** `content` of a system or developer message: text only. */
export function decodeTextOnly(content: unknown, path: string): TextBlock[] {
  if (Array.isArray(content)) {
    content.forEach((part, i) => {
      if (isObj(part) && part.type !== 'text' && part.type !== 'input_text') {
        throw new CodecError(`Invalid value for '${path}[${i}]': only text content parts are allowed in this message.`, `${path}[${i}]`);
      }
    });
  }
  return decodeContent(content, path) as TextBlock[];
}
