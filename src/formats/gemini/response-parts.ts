import type { ContentBlock, SignatureOrigin } from '../canonical/types.js';
import type { GeminiPart } from './wire.js';

/**
 * Canonical response blocks as Gemini response parts (for Gemini-format clients). Thought blocks are marked
 * `thought: true` even when empty, so a signature-only thinking block stays distinct from the text before it.
 * Signatures issued by another format are not handed to a Gemini client.
 */
export function responseParts(content: ContentBlock[]): GeminiPart[] {
  const parts: GeminiPart[] = [];
  for (const b of content) {
    switch (b.type) {
      case 'text': {
        const sig = geminiSignature(b.signature, b.signatureOrigin);
        if (b.text === '' && sig === undefined) break;
        parts.push(sig === undefined ? { text: b.text } : { text: b.text, thoughtSignature: sig });
        break;
      }
      case 'thinking': {
        const sig = geminiSignature(b.signature, b.signatureOrigin);
        if (b.text === '' && sig === undefined) break;
        const part: GeminiPart = { text: b.text, thought: true };
        if (sig !== undefined) part.thoughtSignature = sig;
        parts.push(part);
        break;
      }
      case 'tool_call': {
        const part: GeminiPart = { functionCall: { name: b.name, args: b.input } };
        const sig = geminiSignature(b.signature, b.signatureOrigin);
        if (sig !== undefined) part.thoughtSignature = sig;
        parts.push(part);
        break;
      }
      case 'opaque':
        if (b.format === 'gemini' && typeof b.value === 'object' && b.value !== null) parts.push(b.value as GeminiPart);
        break;
      default:
        break;
    }
  }
  return parts;
}

export function geminiSignature(signature: string | undefined, origin: SignatureOrigin | undefined): string | undefined {
  return signature !== undefined && (origin === undefined || origin.format === 'gemini') ? signature : undefined;
}
