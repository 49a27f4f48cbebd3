/** Pieces of canonical content every estimator needs in the same form. */
import type { DocumentBlock, Message, ToolCallBlock } from '../canonical/types.js';

/** A tool call as the model sees it: its name and its arguments as JSON. */
export function toolCallText(b: ToolCallBlock): string {
  return `${b.name}\n${JSON.stringify(b.input ?? {})}`;
}

/** Serialised JSON of anything, never throwing (an opaque block may hold anything a decoder kept). */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Pages of a base64 PDF, from its page objects; larger than any page count we would bother to read exactly. */
const MAX_PDF_SCAN_CHARS = 16_000_000;

export function pdfPages(doc: DocumentBlock): number {
  if (doc.source.kind !== 'base64') return 1;
  const b64 = doc.source.data;
  if (b64.length > MAX_PDF_SCAN_CHARS) return Math.ceil(b64.length / 60_000);
  const text = Buffer.from(b64, 'base64').toString('latin1');
  // Page objects (`/Type /Page`), not the page tree nodes (`/Type /Pages`).
  const pages = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  // Compressed object streams hide page objects: fall back to ~45 KB of PDF per page.
  return pages > 0 ? pages : Math.max(1, Math.round((b64.length * 0.75) / 45_000));
}

/**
 * Index of the first message of the current turn: everything after the last user message that is more than tool
 * results. Anthropic keeps thinking blocks only from this point on (the tool loop in progress); earlier ones are
 * stripped before the model sees them and are not billed.
 */
export function currentTurnStart(messages: readonly Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'user' && m.content.some((b) => b.type !== 'tool_result')) return i;
  }
  return 0;
}
