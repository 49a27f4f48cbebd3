import type { Message, Request, SignatureOrigin, TextBlock, ToolResultBlock } from '../canonical/types.js';
import { documentPart, imagePart } from './media.js';
import { validatesThoughtSignatures } from './thinking.js';
import type { GeminiContent, GeminiPart } from './wire.js';

/**
 * Canonical messages → Gemini `contents` and `systemInstruction` parts (wire-formats 5.3, 5.7, 4.7).
 *
 * Signatures (cross-codec convention 4): only Gemini-issued signatures from the target model are sent. A Gemini
 * signature that reached a client inside a thinking block is put back on the functionCall/text part that follows
 * that block in the same turn; with nothing after it, it goes back as the signature-only empty text part it came
 * from. Thinking text itself is never sent. For Gemini 3, whose API rejects a step whose first functionCall has no
 * signature, history the model did not produce gets Google's documented placeholder signature.
 */

/** Google's documented escape hatch for function calls in history that carry no (valid) signature. */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/** Claude Code's first system block changes on every request; sending it would defeat Gemini's prefix cache. */
const BILLING_HEADER = 'x-anthropic-billing-header:';

/** Stands in for a user turn that would otherwise be empty (Gemini rejects empty parts; Vertex rejects empty text). */
export const PLACEHOLDER_TEXT = '.';

export interface EncodedContents {
  contents: GeminiContent[];
  systemParts: GeminiPart[];
}

export function encodeContents(req: Request, targetModel: string): EncodedContents {
  const systemParts: GeminiPart[] = [];
  for (const block of req.system) pushSystemText(block, systemParts);

  const names = new Map<string, string>();
  const toolMedia = new WeakSet<GeminiPart>();
  const raw: GeminiContent[] = [];
  for (const msg of req.messages) {
    if (msg.role === 'system') {
      // Gemini has no mid-conversation system turn: fold it into the system instruction (its position is lost).
      for (const block of msg.content) if (block.type === 'text') pushSystemText(block, systemParts);
      continue;
    }
    const parts = msg.role === 'assistant' ? modelParts(msg, names, targetModel) : userParts(msg, names, toolMedia);
    raw.push({ role: msg.role === 'assistant' ? 'model' : 'user', parts });
  }

  // A model turn left empty (only thinking without a usable signature) is dropped; its neighbours then merge.
  const kept: GeminiContent[] = [];
  for (const c of raw) {
    if (c.role === 'model' && c.parts.length === 0) continue;
    const prev = kept[kept.length - 1];
    if (prev && prev.role === c.role) prev.parts.push(...c.parts);
    else kept.push({ role: c.role, parts: [...c.parts] });
  }
  for (const c of kept) if (c.role === 'user') c.parts = responsesFirst(c.parts, toolMedia);
  for (const c of kept) if (c.parts.length === 0) c.parts.push({ text: PLACEHOLDER_TEXT });
  if (kept.length === 0 || kept[0].role !== 'user') kept.unshift({ role: 'user', parts: [{ text: PLACEHOLDER_TEXT }] });

  if (validatesThoughtSignatures(targetModel)) {
    for (const c of kept) {
      if (c.role !== 'model') continue;
      const firstCall = c.parts.find((p) => p.functionCall !== undefined);
      if (firstCall && firstCall.thoughtSignature === undefined) firstCall.thoughtSignature = SKIP_SIGNATURE;
    }
  }
  return { contents: kept, systemParts };
}

function pushSystemText(block: TextBlock, out: GeminiPart[]): void {
  if (block.text === '' || block.text.trimStart().startsWith(BILLING_HEADER)) return;
  out.push({ text: block.text });
}

/** A signature Gemini issued for this model: the only kind it can verify. */
function usableSignature(block: { signature?: string; signatureOrigin?: SignatureOrigin }, targetModel: string): string | undefined {
  const { signature, signatureOrigin: origin } = block;
  if (!signature || origin?.format !== 'gemini') return undefined;
  if (origin.model !== undefined && origin.model !== targetModel) return undefined;
  return signature;
}

function modelParts(msg: Message, names: Map<string, string>, targetModel: string): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let pending: string | undefined;
  const flushPending = () => {
    if (pending !== undefined) parts.push({ text: '', thoughtSignature: pending });
    pending = undefined;
  };
  const sign = (part: GeminiPart, own: string | undefined) => {
    if (own !== undefined) {
      flushPending();
      part.thoughtSignature = own;
    } else if (pending !== undefined) {
      part.thoughtSignature = pending;
      pending = undefined;
    }
  };
  for (const block of msg.content) {
    switch (block.type) {
      case 'thinking': {
        const sig = usableSignature(block, targetModel);
        if (sig !== undefined) {
          flushPending();
          pending = sig;
        }
        break;
      }
      case 'text': {
        const own = usableSignature(block, targetModel);
        if (block.text === '' && own === undefined) break;
        const part: GeminiPart = { text: block.text };
        sign(part, own);
        parts.push(part);
        break;
      }
      case 'tool_call': {
        names.set(block.id, block.name);
        const part: GeminiPart = { functionCall: { id: block.id, name: block.name, args: block.input ?? {} } };
        sign(part, usableSignature(block, targetModel));
        parts.push(part);
        break;
      }
      case 'opaque':
        if (block.format === 'gemini' && isPart(block.value)) {
          flushPending();
          parts.push(block.value);
        }
        break;
      case 'image':
        flushPending();
        parts.push(imagePart(block.source));
        break;
      case 'document':
        flushPending();
        parts.push(documentPart(block.source, block.title));
        break;
      default:
        // redacted_thinking (Anthropic-only) and tool results (never in a model turn) have no Gemini form.
        break;
    }
  }
  flushPending();
  return parts;
}

function userParts(msg: Message, names: Map<string, string>, toolMedia: WeakSet<GeminiPart>): GeminiPart[] {
  const responses: GeminiPart[] = [];
  const media: GeminiPart[] = [];
  const rest: GeminiPart[] = [];
  for (const block of msg.content) {
    switch (block.type) {
      case 'tool_result': {
        const { part, attachments } = functionResponse(block, names);
        responses.push(part);
        for (const a of attachments) {
          toolMedia.add(a);
          media.push(a);
        }
        break;
      }
      case 'text':
        if (block.text !== '') rest.push({ text: block.text });
        break;
      case 'image':
        rest.push(imagePart(block.source));
        break;
      case 'document':
        rest.push(documentPart(block.source, block.title));
        break;
      case 'opaque':
        if (block.format === 'gemini' && isPart(block.value)) rest.push(block.value);
        break;
      default:
        break;
    }
  }
  return [...responses, ...media, ...rest];
}

/**
 * A tool result as a functionResponse. Gemini needs the function's name, recovered from the call with the same id
 * earlier in the conversation. Text goes in `{output}` (or `{error}` for a failed tool); images and binary documents
 * follow the turn's responses as inline parts.
 */
function functionResponse(block: ToolResultBlock, names: Map<string, string>): { part: GeminiPart; attachments: GeminiPart[] } {
  const name = names.get(block.toolCallId) ?? block.name ?? 'unknown_function';
  const texts: string[] = [];
  const attachments: GeminiPart[] = [];
  for (const c of block.content) {
    if (c.type === 'text') texts.push(c.text);
    else if (c.type === 'image') attachments.push(imagePart(c.source));
    else if (c.source.kind === 'text') texts.push(c.source.data);
    else attachments.push(documentPart(c.source, c.title));
  }
  const text = texts.join('\n');
  const response = block.isError ? { error: text } : { output: text };
  return { part: { functionResponse: { id: block.toolCallId, name, response } }, attachments };
}

/** All functionResponse parts first (Gemini pairs them with the previous turn's calls), then their media, then the rest. */
function responsesFirst(parts: GeminiPart[], toolMedia: WeakSet<GeminiPart>): GeminiPart[] {
  const responses = parts.filter((p) => p.functionResponse !== undefined);
  if (responses.length === 0) return parts;
  const media = parts.filter((p) => toolMedia.has(p));
  const rest = parts.filter((p) => p.functionResponse === undefined && !toolMedia.has(p));
  return [...responses, ...media, ...rest];
}

function isPart(v: unknown): v is GeminiPart {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0;
}
