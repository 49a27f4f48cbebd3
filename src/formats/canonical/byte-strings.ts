/**
 * Byte strings: a JSON body decoded as latin1 instead of UTF-8, so that each JS char of every string holds one byte
 * of the client's UTF-8 text. JSON.parse and JSON.stringify never split, merge or escape chars U+0080–U+00FF, so a
 * request decoded this way, translated, and encoded back with latin1 carries the client's exact bytes upstream —
 * without decoding UTF-8 into a two-byte string on the way in and encoding it again on the way out, which is most of
 * what a large translated body costs (docs/decisions/0012-byte-string-translation.md).
 *
 * The text inside is only right as bytes: whatever looks at what it says (routing facts, token counts, a URL to
 * fetch, a name matched against the upstream's answer) must use `textOf`, or use a request decoded as UTF-8.
 */

import { extractRawStrings, isAscii, parseInPieces, RAW_STRING_PATHS, SharedValues, type RawStrings, type ScannedObject } from '../json-scan/index.js';
import type { ContentBlock, Request } from './types.js';

/** True when every char is ASCII, i.e. the byte string and the text are the same string. */
export { isAscii };

const BACKSLASH = 0x5c;
const ESCAPE_U = Buffer.from('\\u', 'latin1');
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * True when decoding `buf` as latin1 keeps every string's bytes: no `\uXXXX` escape names a char ≥ U+0080 (that
 * char would be written back as one latin1 byte, not as its UTF-8 sequence). JSON.stringify only escapes control
 * chars, so bodies from JavaScript clients never have such escapes; clients that escape all non-ASCII text do.
 * `scan`, the body's top-level scan (`scanTopLevel` of all of `buf`), answers without reading the body again.
 */
export function decodableAsBytes(buf: Buffer, scan?: ScannedObject): boolean {
  // The validating scan of the whole body saw every escape already.
  if (scan) return !scan.nonAsciiEscape;
  for (let i = buf.indexOf(ESCAPE_U); i !== -1; i = buf.indexOf(ESCAPE_U, i + 2)) {
    let run = 0;
    while (i - run - 1 >= 0 && buf[i - run - 1] === BACKSLASH) run++;
    // An odd number of backslashes before this one: it is itself escaped (the text says `\u`, not an escape).
    if (run % 2 === 1) continue;
    const hex = buf.toString('latin1', i + 2, i + 6);
    if (!HEX4.test(hex) || Number.parseInt(hex, 16) >= 0x80) return false;
  }
  return true;
}

/** The text a byte string holds. */
export function textOf(byteString: string): string {
  return Buffer.from(byteString, 'latin1').toString('utf8');
}

/** The byte string of a text, to put into a byte-string request. */
export function byteStringOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * Marks a request decoded from byte strings. Refuses (false) when a tool name or tool call id is not ASCII: encoders
 * shorten and hash those (OpenAI's 64-char names, 40-char ids) and decoders match the upstream's names against the
 * request's, which would differ between bytes and text; such a request is decoded as text instead.
 * `raw`: the raw strings its body was parsed with, attached along with the mark.
 */
export function markByteStrings(req: Request, raw?: RawStrings): boolean {
  if (req.tools?.some((t) => !isAscii(t.name))) return false;
  for (const m of req.messages) if (!asciiIds(m.content)) return false;
  req.byteStrings = true;
  if (raw) req.rawStrings = raw;
  return true;
}

function asciiIds(blocks: readonly ContentBlock[]): boolean {
  for (const b of blocks) {
    if (b.type === 'tool_call' && !(isAscii(b.id) && isAscii(b.name))) return false;
    if (b.type === 'tool_result' && !(isAscii(b.toolCallId) && asciiIds(b.content))) return false;
  }
  return true;
}

/** A `tools` value of at least this many bytes is parsed once per distinct bytes and shared (see SharedValues). */
export const SHARED_TOOLS_MIN_BYTES = 4096;

/** Tool definitions as byte strings, by their bytes: agents send the same ones every turn. */
const sharedTools = new SharedValues(4 << 20);

/**
 * The JSON body of a request to translate, which the ingress has already validated (`top`: its top-level scan). As
 * text (UTF-8) unless `bytes`; with `bytes`, as byte strings whose long texts stay raw (json-scan/raw-strings.ts):
 * `raw` goes on the decoded request through `markByteStrings(request, raw)`. With `bytes`, a large `tools` value is
 * the one parsed for the last request that sent the same bytes, deep-frozen: code that translates must not change it.
 */
export function parseBodyToTranslate(
  buf: Buffer,
  format: 'anthropic' | 'openai',
  bytes: boolean,
  top: ScannedObject,
  sharedToolsMinBytes = SHARED_TOOLS_MIN_BYTES,
): { body: Record<string, unknown>; raw?: RawStrings } {
  if (!bytes) return { body: parseInPieces(buf, 'utf8', top) as Record<string, unknown> };
  const tools = top.get('tools');
  const shared = tools && tools.valueEnd - tools.valueStart >= sharedToolsMinBytes ? tools : undefined;
  const extracted = extractRawStrings(buf, RAW_STRING_PATHS[format], undefined, shared && { start: shared.valueStart, end: shared.valueEnd, text: '[]' }, top.longStrings);
  if (!extracted) return { body: parseInPieces(buf, 'latin1', top) as Record<string, unknown> };
  const body = parseInPieces(extracted.skeleton, 'latin1') as Record<string, unknown>;
  if (shared) body.tools = sharedTools.get(buf, shared.valueStart, shared.valueEnd);
  return { body, raw: extracted.raw };
}
