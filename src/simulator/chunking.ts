/** Splitting generated output into stream-sized pieces, shared by every wire protocol. */

const WORDS_PER_DELTA = 3;
const MAX_DELTA_CHARS = 48;

/** Split text into delta-sized pieces (a few words each, leading whitespace kept, like the API). */
export function splitText(text: string): string[] {
  const words = text.match(/\s*\S+|\s+$/g);
  if (!words) return text.length > 0 ? [text] : [];
  const out: string[] = [];
  let cur = '';
  let n = 0;
  for (const w of words) {
    if (w.length > MAX_DELTA_CHARS) {
      if (cur) out.push(cur);
      cur = '';
      n = 0;
      for (const piece of splitChars(w, MAX_DELTA_CHARS)) out.push(piece);
      continue;
    }
    cur += w;
    if (++n >= WORDS_PER_DELTA || cur.length >= MAX_DELTA_CHARS) {
      out.push(cur);
      cur = '';
      n = 0;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Fixed-size pieces that never split a surrogate pair. */
export function splitChars(s: string, size: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let end = Math.min(s.length, i + size);
    if (end < s.length) {
      const c = s.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end = end - 1 > i ? end - 1 : end + 1;
    }
    out.push(s.slice(i, end));
    i = end;
  }
  return out;
}

/** Join consecutive pieces into groups of `n` (for protocols whose chunks are larger than a few words). */
export function groupPieces(pieces: string[], n: number): string[] {
  if (n <= 1) return pieces;
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i += n) out.push(pieces.slice(i, i + n).join(''));
  return out;
}
