import type { ProviderQuirks } from '../canonical/codec.js';
import type { CacheControl, ContentBlock, DocumentBlock, Message, Request, TextBlock, ToolResultBlock } from '../canonical/types.js';
import { openaiToolName, upstreamToolCallId } from './ids.js';
import type { Obj } from './wire.js';

/** How cache markers on content parts are written, if at all. */
export type CacheMode = 'none' | 'cache_control' | 'prompt_cache_breakpoint';

export interface MessageEncodeContext {
  quirks: ProviderQuirks;
  cacheMode: CacheMode;
}

/** Claude Code's per-request billing line changes every call and would defeat the upstream's prefix cache. */
const BILLING_LINE = 'x-anthropic-billing-header:';

/** Stands in a tool message whose only content (images, files) had to move to the following user message. */
export const MOVED_CONTENT_NOTE = '[attached in the next message]';

function mark(part: Obj, cc: CacheControl | undefined, cx: MessageEncodeContext): Obj {
  if (!cc) return part;
  if (cx.cacheMode === 'cache_control') part.cache_control = cc.ttl ? { type: 'ephemeral', ttl: cc.ttl } : { type: 'ephemeral' };
  else if (cx.cacheMode === 'prompt_cache_breakpoint') part.prompt_cache_breakpoint = { mode: 'explicit' };
  return part;
}

function isMarked(part: Obj): boolean {
  return part.cache_control !== undefined || part.prompt_cache_breakpoint !== undefined;
}

function dataUri(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** A document as text when it is text, else undefined (it must travel as a file part). */
function documentText(doc: DocumentBlock): string | undefined {
  const title = doc.title ? `${doc.title}\n\n` : '';
  switch (doc.source.kind) {
    case 'text':
      return title + doc.source.data;
    case 'url':
      return `${title}Document: ${doc.source.url}`;
    case 'base64':
      return doc.source.mediaType.startsWith('text/') ? title + Buffer.from(doc.source.data, 'base64').toString('utf8') : undefined;
  }
}

function filePart(doc: DocumentBlock & { source: { kind: 'base64' } }): Obj {
  const pdf = doc.source.mediaType === 'application/pdf';
  const filename = doc.filename ?? doc.title ?? (pdf ? 'document.pdf' : 'document');
  return { type: 'file', file: { filename, file_data: dataUri(doc.source.mediaType, doc.source.data) } };
}

/** A user-side content block as an OpenAI content part; undefined for blocks an OpenAI upstream cannot take. */
function encodePart(block: ContentBlock, cx: MessageEncodeContext): Obj | undefined {
  switch (block.type) {
    case 'text':
      return block.text === '' ? undefined : mark({ type: 'text', text: block.text }, block.cacheControl, cx);
    case 'image': {
      const url = block.source.kind === 'base64' ? dataUri(block.source.mediaType, block.source.data) : block.source.url;
      const image: Obj = { url };
      if (block.detail !== undefined) image.detail = block.detail;
      return mark({ type: 'image_url', image_url: image }, block.cacheControl, cx);
    }
    case 'document': {
      const text = documentText(block);
      if (text !== undefined) return mark({ type: 'text', text }, block.cacheControl, cx);
      return mark(filePart(block as DocumentBlock & { source: { kind: 'base64' } }), block.cacheControl, cx);
    }
    case 'opaque':
      return block.format === 'openai' && typeof block.value === 'object' && block.value !== null ? { ...(block.value as Obj) } : undefined;
    default:
      return undefined;
  }
}

/** Parts → message content: a plain string where that says the same thing (or the upstream insists on it). */
function content(parts: Obj[], cx: MessageEncodeContext, joiner = '\n\n'): string | Obj[] {
  const allText = parts.every((p) => p.type === 'text');
  if (allText && (parts.length === 0 || cx.quirks.stringContentOnly || (parts.length === 1 && !isMarked(parts[0])))) {
    return parts.map((p) => p.text as string).join(joiner);
  }
  return parts;
}

function systemRole(kind: 'system' | 'developer' | undefined, cx: MessageEncodeContext): string {
  return cx.quirks.systemRole ?? kind ?? 'system';
}

function systemMessage(blocks: TextBlock[], kind: 'system' | 'developer' | undefined, cx: MessageEncodeContext): Obj | undefined {
  const kept = blocks.filter((b) => !b.text.trimStart().startsWith(BILLING_LINE) && b.text !== '');
  if (!kept.length) return undefined;
  const parts = kept.map((b) => mark({ type: 'text', text: b.text }, b.cacheControl, cx));
  const useParts = !cx.quirks.stringContentOnly && parts.some(isMarked);
  return { role: systemRole(kind, cx), content: useParts ? parts : kept.map((b) => b.text).join('\n\n') };
}

function toolMessage(result: ToolResultBlock, cx: MessageEncodeContext, moved: Obj[]): Obj {
  const texts: Obj[] = [];
  for (const b of result.content) {
    if (b.type === 'text') {
      if (b.text !== '') texts.push(mark({ type: 'text', text: b.text }, b.cacheControl, cx));
      continue;
    }
    const part = encodePart(b, cx);
    if (!part) continue;
    // Tool messages carry text only: anything else moves to the user message that follows.
    if (part.type === 'text') texts.push(part);
    else moved.push(part);
  }
  if (texts.length === 0 && moved.length) texts.push({ type: 'text', text: MOVED_CONTENT_NOTE });
  if (result.isError) {
    if (texts.length) texts[0] = { ...texts[0], text: `Error: ${texts[0].text as string}` };
    else texts.push({ type: 'text', text: 'Error' });
  }
  if (result.cacheControl && texts.length) texts[texts.length - 1] = mark({ ...texts[texts.length - 1] }, result.cacheControl, cx);
  return { role: 'tool', tool_call_id: upstreamToolCallId(result.toolCallId, cx.quirks.toolCallIdStyle), content: content(texts, cx, '\n') };
}

function userMessages(msg: Message, cx: MessageEncodeContext): Obj[] {
  const out: Obj[] = [];
  const moved: Obj[] = [];
  const parts: Obj[] = [];
  for (const b of msg.content) {
    if (b.type === 'tool_result') out.push(toolMessage(b, cx, moved));
    else {
      const part = encodePart(b, cx);
      if (part) parts.push(part);
    }
  }
  const all = [...moved, ...parts];
  if (all.length || out.length === 0) {
    const user: Obj = { role: 'user', content: content(all, cx) };
    if (msg.name !== undefined) user.name = msg.name;
    out.push(user);
  }
  return out;
}

function assistantMessage(msg: Message, cx: MessageEncodeContext): Obj {
  const texts: TextBlock[] = [];
  const toolCalls: Obj[] = [];
  const reasoning: string[] = [];
  for (const b of msg.content) {
    if (b.type === 'text') {
      if (b.text !== '') texts.push(b);
    } else if (b.type === 'tool_call') {
      toolCalls.push({
        id: upstreamToolCallId(b.id, cx.quirks.toolCallIdStyle),
        type: 'function',
        function: { name: openaiToolName(b.name), arguments: JSON.stringify(b.input) },
      });
    } else if (b.type === 'thinking') {
      if (b.text !== '') reasoning.push(b.text);
    } else if (b.type === 'opaque' && b.format === 'openai' && typeof b.value === 'object' && b.value !== null && (b.value as Obj).type === 'custom') {
      toolCalls.push({ ...(b.value as Obj) });
    }
  }
  const out: Obj = { role: 'assistant' };
  const parts = texts.map((t) => mark({ type: 'text', text: t.text }, t.cacheControl, cx));
  if (!cx.quirks.stringContentOnly && parts.some(isMarked)) out.content = parts;
  else out.content = texts.length === 0 && toolCalls.length ? null : texts.map((t) => t.text).join('');
  if (toolCalls.length) {
    out.tool_calls = toolCalls;
    // DeepSeek's thinking mode rejects a tool-call turn whose reasoning is not handed back.
    if (cx.quirks.replayReasoningContent) out[cx.quirks.reasoningField ?? 'reasoning_content'] = reasoning.join('\n\n');
  }
  if (msg.name !== undefined) out.name = msg.name;
  return out;
}

/** Canonical system prompt and messages → OpenAI `messages`. */
export function encodeMessages(req: Request, cx: MessageEncodeContext): Obj[] {
  const out: Obj[] = [];
  const system = systemMessage(req.system, req.systemKind, cx);
  if (system) out.push(system);
  for (const msg of req.messages) {
    if (msg.role === 'system') {
      const blocks = msg.content.filter((b): b is TextBlock => b.type === 'text');
      const m = systemMessage(blocks, msg.systemKind, cx);
      if (m) {
        if (msg.name !== undefined) m.name = msg.name;
        out.push(m);
      }
    } else if (msg.role === 'user') {
      out.push(...userMessages(msg, cx));
    } else {
      out.push(assistantMessage(msg, cx));
    }
  }
  return out;
}
