import { field, isObj, strField, type Obj } from './fields.js';

/**
 * Vertex AI can stream a function call's arguments (`streamFunctionCallArguments`): the call starts with its name and
 * `willContinue: true`, then chunks carry `partialArgs: [{jsonPath: "$.a.b[0]", stringValue | numberValue |
 * boolValue | nullValue, willContinue}]`, and a functionCall without `willContinue` ends it. A string value continues
 * over several partial args while its previous piece said `willContinue`. This rebuilds the argument object; the
 * decoder emits it as one JSON fragment when the call ends (keys in order of first appearance).
 */
export class PartialArgs {
  readonly args: Obj;
  /** Paths whose string value is still being streamed. */
  private readonly open = new Set<string>();

  constructor(initial?: Obj) {
    this.args = initial ? structuredClone(initial) : {};
  }

  apply(partials: unknown[]): void {
    for (const p of partials) {
      if (!isObj(p)) continue;
      const path = strField(p, 'jsonPath');
      if (path === undefined) continue;
      const segments = parseJsonPath(path);
      if (segments === null || segments.length === 0) continue;
      const continues = field(p, 'willContinue') === true;
      const str = field(p, 'stringValue');
      if (typeof str === 'string') {
        const current = getPath(this.args, segments);
        const value = this.open.has(path) && typeof current === 'string' ? current + str : str;
        setPath(this.args, segments, value);
        if (continues) this.open.add(path);
        else this.open.delete(path);
        continue;
      }
      this.open.delete(path);
      const value = scalarValue(p);
      if (value !== undefined) setPath(this.args, segments, value.v);
    }
  }
}

function scalarValue(p: Obj): { v: unknown } | undefined {
  const num = field(p, 'numberValue');
  if (typeof num === 'number') return { v: num };
  const bool = field(p, 'boolValue');
  if (typeof bool === 'boolean') return { v: bool };
  if (field(p, 'nullValue') !== undefined) return { v: null };
  // structValue / listValue (protobuf Value spellings) carry whole JSON values.
  for (const k of ['structValue', 'listValue']) {
    const v = field(p, k);
    if (v !== undefined) return { v };
  }
  return undefined;
}

/** `$.a.b[0]['c d']` → ['a', 'b', 0, 'c d']; null if the path is not one this parser understands. */
export function parseJsonPath(path: string): Array<string | number> | null {
  if (!path.startsWith('$')) return null;
  const out: Array<string | number> = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i + 1) return null;
      out.push(path.slice(i + 1, j));
      i = j;
    } else if (c === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        let j = i + 2;
        let key = '';
        while (j < path.length && path[j] !== q) {
          if (path[j] === '\\' && j + 1 < path.length) j++;
          key += path[j];
          j++;
        }
        if (path[j + 1] !== ']') return null;
        out.push(key);
        i = j + 2;
      } else {
        const end = path.indexOf(']', i);
        if (end < 0) return null;
        const n = Number(path.slice(i + 1, end));
        if (!Number.isInteger(n) || n < 0) return null;
        out.push(n);
        i = end + 1;
      }
    } else {
      return null;
    }
  }
  return out;
}

function getPath(root: Obj, segments: Array<string | number>): unknown {
  let cur: unknown = root;
  for (const s of segments) {
    if (typeof s === 'number' ? !Array.isArray(cur) : !isObj(cur)) return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

function setPath(root: Obj, segments: Array<string | number>, value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i];
    const wantArray = typeof segments[i + 1] === 'number';
    let next = cur[s];
    if (wantArray ? !Array.isArray(next) : !isObj(next)) {
      next = wantArray ? [] : {};
      cur[s] = next;
    }
    cur = next as Record<string | number, unknown>;
  }
  const last = segments[segments.length - 1];
  if (Array.isArray(cur) && typeof last === 'number') {
    // Fill holes so the JSON text never contains sparse-array nulls in unexpected places.
    while (cur.length < last) cur.push(null);
  }
  cur[last] = value;
}
