/**
 * Tool-call arguments arrive as JSON text that models do not always finish or get right (cut at the output limit,
 * trailing commas, double-encoded strings). Canonical tool input is an object, so this turns any such text into the
 * best object it can: the exact parse when the text is valid, else a repaired prefix, else `{}`.
 */

const MAX_REPAIR_ATTEMPTS = 64;

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A parsed value as tool input: objects as they are, a JSON string holding an object (double-encoded) unwrapped. */
function toInput(v: unknown): Record<string, unknown> | undefined {
  const obj = asObject(v);
  if (obj) return obj;
  if (typeof v === 'string') return asObject(tryParse(v));
  return undefined;
}

export function parseToolArguments(text: string | undefined | null): Record<string, unknown> {
  if (text === undefined || text === null) return {};
  const trimmed = text.trim();
  if (trimmed === '') return {};
  return toInput(tryParse(trimmed)) ?? repairJsonObject(trimmed) ?? {};
}

interface CutPoint {
  /** Keep text[0, end). */
  end: number;
  /** Open containers at that point, innermost last. */
  stack: string;
}

/**
 * Repairs truncated or slightly malformed JSON object text: removes trailing commas, closes an open string and the
 * open containers, and if that is not enough falls back to the longest prefix that ends after a complete member.
 */
export function repairJsonObject(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  const src = text.slice(start);
  const cuts: CutPoint[] = [];
  let stack = '';
  let inString = false;
  let escaped = false;
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '{' || c === '[') {
      stack += c;
      out += c;
      cuts.push({ end: out.length, stack });
    } else if (c === '}' || c === ']') {
      // A trailing comma before a closer is the commonest JSON5-ism.
      out = out.replace(/,\s*$/, '');
      stack = stack.slice(0, -1);
      out += c;
      if (stack === '') break;
    } else if (c === ',') {
      cuts.push({ end: out.length, stack });
      out += c;
    } else {
      out += c;
    }
  }

  const closers = (s: string) => [...s].reverse().map((o) => (o === '{' ? '}' : ']')).join('');
  let tail = out;
  if (inString) {
    // A dangling escape cannot be closed meaningfully; drop it before closing the string.
    if (escaped) tail = tail.slice(0, -1);
    tail += '"';
  }
  tail = tail.replace(/[,:]\s*$/, (m) => (m.startsWith(':') ? ':null' : ''));
  const first = toInput(tryParse(tail + closers(stack)));
  if (first) return first;

  let attempts = 0;
  for (let i = cuts.length - 1; i >= 0 && attempts < MAX_REPAIR_ATTEMPTS; i--, attempts++) {
    const cut = cuts[i];
    const candidate = toInput(tryParse(out.slice(0, cut.end).replace(/,\s*$/, '') + closers(cut.stack)));
    if (candidate) return candidate;
  }
  return undefined;
}
