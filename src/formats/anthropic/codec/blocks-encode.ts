import type { ContentBlock, DocumentBlock, ImageBlock, SignatureOrigin, TextBlock, ThinkingBlock } from '../../canonical/types.js';
import { sanitizeToolId } from './ids.js';
import { clientSignature, isAnthropicOrigin, partSignatureOrigin } from './signatures.js';
import { compact, encodeCacheControl, type Json } from './wire.js';

/** Canonical blocks → Anthropic content blocks, towards an Anthropic upstream (requests) or client (responses). */

/** Where a thinking block's signature comes from when the decoder did not say: a signature means Anthropic, none means OpenAI-style reasoning text. */
export function thinkingOrigin(b: ThinkingBlock): SignatureOrigin {
  return b.signatureOrigin ?? (b.signature ? { format: 'anthropic' } : { format: 'openai' });
}

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

function encodeImageSource(s: ImageBlock['source']): Json {
  if (s.kind === 'base64') return { type: 'base64', media_type: s.mediaType, data: s.data };
  // OpenAI clients inline images as data URLs; Anthropic wants them as base64 sources.
  const m = DATA_URL.exec(s.url);
  if (m) return { type: 'base64', media_type: m[1], data: m[2] };
  return { type: 'url', url: s.url };
}

function encodeDocumentSource(s: DocumentBlock['source']): Json {
  switch (s.kind) {
    case 'base64': {
      return { type: 'base64', media_type: s.mediaType, data: s.data };
    }
    case 'text':
      return { type: 'text', media_type: s.mediaType, data: s.data };
    case 'url': {
      const m = DATA_URL.exec(s.url);
      return m ? { type: 'base64', media_type: m[1], data: m[2] } : { type: 'url', url: s.url };
    }
  }
}

function encodeText(b: TextBlock, withCitations: boolean): Json {
  return compact({ type: 'text', text: b.text, cache_control: encodeCacheControl(b.cacheControl), citations: withCitations && b.citations?.length ? b.citations : undefined });
}

function encodeDocument(b: DocumentBlock): Json {
  return compact({
    type: 'document',
    source: encodeDocumentSource(b.source),
    // Anthropic has no file name; it is the natural title of a document that has none.
    title: b.title ?? b.filename,
    context: b.context,
    citations: b.citations,
    cache_control: encodeCacheControl(b.cacheControl),
  });
}

export interface UpstreamBlockOptions {
  /** The request came from an Anthropic client: its citations are Anthropic-shaped. */
  sameFormat: boolean;
}

/**
 * One block towards an Anthropic upstream, or null when it has to be dropped: empty text (400 "text content blocks
 * must be non-empty"), reasoning whose signature Anthropic cannot verify, and other formats' opaque blocks.
 */
export function encodeUpstreamBlock(b: ContentBlock, o: UpstreamBlockOptions): Json | null {
  switch (b.type) {
    case 'text':
      // Anthropic rejects empty text blocks, and whitespace-only ones in most positions; an Anthropic client's own
      // blocks are left for Anthropic to judge.
      return b.text === '' || (!o.sameFormat && !/\S/.test(b.text)) ? null : encodeText(b, o.sameFormat);
    case 'image':
      return compact({ type: 'image', source: encodeImageSource(b.source), cache_control: encodeCacheControl(b.cacheControl) });
    case 'document':
      return encodeDocument(b);
    case 'tool_call':
      return compact({ type: 'tool_use', id: sanitizeToolId(b.id), name: b.name, input: b.input, cache_control: encodeCacheControl(b.cacheControl) });
    case 'tool_result': {
      const content = b.content.map((c) => encodeUpstreamBlock(c, o)).filter((c): c is Json => c !== null);
      return compact({
        type: 'tool_result',
        tool_use_id: sanitizeToolId(b.toolCallId),
        content: content.length ? content : undefined,
        is_error: b.isError,
        cache_control: encodeCacheControl(b.cacheControl),
      });
    }
    case 'thinking':
      if (!b.signature || !isAnthropicOrigin(thinkingOrigin(b))) return null;
      return { type: 'thinking', thinking: b.text, signature: b.signature };
    case 'redacted_thinking':
      return isAnthropicOrigin(b.signatureOrigin) ? { type: 'redacted_thinking', data: b.data } : null;
    case 'opaque':
      return b.format === 'anthropic' ? (b.value as Json) : null;
  }
}

/** The thinking block that carries a text/tool-call signature to an Anthropic client (convention 4). */
export function signatureCarrier(origin: SignatureOrigin, signature: string): Json {
  return { type: 'thinking', thinking: '', signature: clientSignature(origin, signature) };
}

/**
 * One canonical response block → the Anthropic client blocks it becomes (none, one, or a signature-carrying thinking
 * block followed by the block). `clientModel` (`provider/model`) names the origin of part signatures that came
 * without one.
 */
export function encodeClientBlocks(b: ContentBlock, clientModel: string | undefined): Json[] {
  switch (b.type) {
    case 'text': {
      const out: Json[] = [];
      if (b.signature && !isAnthropicOrigin(b.signatureOrigin ?? { format: 'gemini' })) out.push(signatureCarrier(partSignatureOrigin(clientModel, b.signatureOrigin), b.signature));
      if (b.text !== '') out.push(compact({ type: 'text', text: b.text, citations: b.citations?.length ? b.citations : undefined }));
      return out;
    }
    case 'thinking':
      return [{ type: 'thinking', thinking: b.text, signature: clientSignature(thinkingOrigin(b), b.signature) }];
    case 'redacted_thinking':
      return [{ type: 'redacted_thinking', data: b.data }];
    case 'tool_call': {
      const out: Json[] = [];
      if (b.signature && !isAnthropicOrigin(b.signatureOrigin ?? { format: 'gemini' })) out.push(signatureCarrier(partSignatureOrigin(clientModel, b.signatureOrigin), b.signature));
      out.push({ type: 'tool_use', id: sanitizeToolId(b.id), name: b.name, input: b.input });
      return out;
    }
    case 'opaque':
      return b.format === 'anthropic' ? [b.value as Json] : [];
    default:
      // Images, documents and tool results are request-only content.
      return [];
  }
}
