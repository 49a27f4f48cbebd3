/**
 * Secret redaction for stored bodies (SPEC section 7: bodies are always redacted). Two nets: the exact secrets this
 * router knows (provider keys, the admin key, the presented client key), and patterns for credentials it does not
 * know (other vendors' key formats, bearer tokens, JSON fields whose name says they hold a secret).
 */
const KEY_PATTERNS: readonly RegExp[] = [
  /\bsk-(?:ant-|proj-|or-|sy-)?[A-Za-z0-9_-]{16,}/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\b(?:gsk|xai|fw|csk)[_-][A-Za-z0-9]{20,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{12,}/gi,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
];

const SECRET_FIELD = /("(?:[a-z_-]*(?:api[_-]?key|apikey|secret|password|passwd|token|authorization|credential)[a-z_-]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

export const REDACTED = '[redacted]';

export class Redactor {
  private readonly known: string[];

  /** `secrets`: exact values to remove wherever they appear (shorter than 8 characters are ignored as too generic). */
  constructor(secrets: Iterable<string>) {
    this.known = [...new Set([...secrets].filter((s) => s.length >= 8))].sort((a, b) => b.length - a.length);
  }

  redact(text: string, extra: readonly string[] = []): string {
    let out = text;
    for (const s of [...extra.filter((e) => e.length >= 8), ...this.known]) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    for (const p of KEY_PATTERNS) out = out.replace(p, REDACTED);
    return out.replace(SECRET_FIELD, `$1"${REDACTED}"`);
  }
}

/** The captured bytes as text, cut at `limit` bytes with a marker saying how much was left out. */
export function bodyText(buf: Buffer, limit: number): string {
  if (buf.length <= limit) return buf.toString('utf8');
  return `${buf.subarray(0, limit).toString('utf8')}\n[… ${buf.length - limit} more bytes not stored]`;
}
