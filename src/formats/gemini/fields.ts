/**
 * Reading untrusted Gemini JSON. Google's REST surface is proto3 JSON, which accepts both the lowerCamelCase and the
 * original snake_case field names (`thoughtSignature` / `thought_signature`); Python SDK recordings use the latter,
 * so every structural read goes through `field`. User data (function args, schemas, response objects) is never
 * renamed.
 */
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toSnake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function toCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Snake-case spellings of the structural names `field` is asked for: a fixed set of literals, so it stays small. */
const snakeOf = new Map<string, string>();

export function field(o: Obj, camel: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  // Most optional fields are absent: the regex per miss was ~2 % of a small Gemini request's CPU.
  let snake = snakeOf.get(camel);
  if (snake === undefined) {
    snake = toSnake(camel);
    if (snakeOf.size < 512) snakeOf.set(camel, snake);
  }
  return o[snake];
}

export function strField(o: Obj, camel: string): string | undefined {
  const v = field(o, camel);
  return typeof v === 'string' ? v : undefined;
}

export function numField(o: Obj, camel: string): number | undefined {
  const v = field(o, camel);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function objField(o: Obj, camel: string): Obj | undefined {
  const v = field(o, camel);
  return isObj(v) ? v : undefined;
}

export function arrField(o: Obj, camel: string): unknown[] | undefined {
  const v = field(o, camel);
  return Array.isArray(v) ? v : undefined;
}

/** The members of `o` whose (camel-cased) name is not in `known`, keyed by their camelCase name. */
export function unknownMembers(o: Obj, known: ReadonlySet<string>): Obj | undefined {
  let out: Obj | undefined;
  for (const [k, v] of Object.entries(o)) {
    const camel = toCamel(k);
    if (known.has(camel) || v === undefined) continue;
    (out ??= {})[camel] = v;
  }
  return out;
}
