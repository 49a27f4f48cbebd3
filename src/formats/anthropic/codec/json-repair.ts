/**
 * Tool input JSON → object (convention 2): JSON.parse, else the text completed as a truncated JSON text (a stream cut
 * by max_tokens mid-argument), else `{}`. A value that is not an object also becomes `{}`.
 */
export function parseToolInput(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  for (const candidate of [trimmed, ...completions(trimmed)]) {
    try {
      const v = JSON.parse(candidate) as unknown;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    } catch {
      // try the next candidate
    }
  }
  return {};
}

/**
 * Ways to complete a truncated JSON text: close the open string and containers as they are, or first cut the
 * innermost container back to its last complete member (for a cut inside a key, a literal or after a `:`).
 */
export function completions(text: string): string[] {
  const open: Array<{ closer: string; lastComma: number; start: number }> = [];
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') open.push({ closer: ch === '{' ? '}' : ']', lastComma: -1, start: i });
    else if (ch === '}' || ch === ']') {
      if (open.pop()?.closer !== ch) return [];
    } else if (ch === ',' && open.length) open[open.length - 1].lastComma = i;
  }
  if (!open.length) return [];
  const closers = (stack: typeof open) => stack.map((o) => o.closer).reverse().join('');
  const out: string[] = [];
  const asIs = inString ? text + (escaped ? '\\"' : '"') : text;
  out.push(asIs.replace(/\s*,\s*$/, '') + closers(open));
  const inner = open[open.length - 1];
  const cut = inner.lastComma >= 0 ? inner.lastComma : inner.start + 1;
  out.push(text.slice(0, cut) + closers(open));
  return out;
}
