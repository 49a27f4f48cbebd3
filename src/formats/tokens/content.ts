/** Pieces of canonical content every estimator needs in the same form. */
import type { DocumentBlock, Message, Request, ToolCallBlock } from '../canonical/types.js';

/**
 * How an estimator reads a request's texts. A request translated with raw strings (json-scan/raw-strings.ts) holds
 * stand-ins where its long texts are; the estimator reads those texts through `text`, and values that may hold one
 * through `value`, instead of expanding a deep copy of the whole request first, which cost more than the estimate
 * itself on a large agent request (walking and copying every message, under load). Stand-ins are only where
 * RAW_STRING_PATHS lead: system texts, text blocks (also inside tool results), tool descriptions, and blocks a decoder
 * kept opaque. The estimate must not depend on them (byte-strings.test.ts checks it against the expanded request).
 */
export interface TextReader {
  /** The text of a string of the request. */
  text(s: string): string;
  /** A JSON value of the request with its texts in it (the value itself when it holds no stand-in). */
  value<T>(v: T): T;
}

const PLAIN: TextReader = { text: (s) => s, value: (v) => v };

/** The reader of `req`'s texts. */
export function textReader(req: Request): TextReader {
  const raw = req.rawStrings;
  return raw ? { text: (s) => raw.expandString(s), value: (v) => raw.expand(v) } : PLAIN;
}

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
