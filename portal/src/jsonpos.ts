/**
 * Where each field of a JSON text is: the server reports validation problems by path
 * (`routes[1].route.variants[0].weight`), and the editor marks the line that path starts on.
 */

export interface JsonPositions {
  /** Path (`a.b[2].c`, `` for the root) to the 1-based line its key (or, for array items, its value) is on. */
  lines: Map<string, number>;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} (line ${line}, column ${column})`);
  }
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const k = IDENT.test(key) ? key : JSON.stringify(key);
  return parent === '' ? k : `${parent}.${k}`;
}

/** Parses `text` as JSON (strictly) and records the line of every path in it. */
export function jsonPositions(text: string): JsonPositions {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const lines = new Map<string, number>();

  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, line, i - lineStart + 1);
  };
  const ws = () => {
    for (;;) {
      const c = text[i];
      if (c === '\n') {
        line++;
        lineStart = ++i;
      } else if (c === ' ' || c === '\t' || c === '\r') i++;
      else return;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n') fail('unterminated string');
      if (c === '\\') i += 2;
      else if (c === '"') break;
      else i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('invalid escape in string');
    }
  };
  const value = (path: string, keyLine: number | null): void => {
    ws();
    lines.set(path, keyLine ?? line);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a field name in double quotes');
        const kLine = line;
        const key = str();
        ws();
        if (text[i] !== ':') fail(`expected ":" after "${key}"`);
        i++;
        value(childPath(path, key), kLine);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(childPath(path, n), null);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail(c === undefined ? 'unexpected end of text' : `unexpected "${c}"`);
    i += m![0].length;
  };
  value('', null);
  ws();
  if (i < text.length) fail('unexpected text after the JSON value');
  return { lines };
}

/**
 * The line for a server-reported path: the path itself, else its nearest ancestor that exists in the text (a missing
 * field is reported at the object that lacks it). Paths use `a.b[0]`; a leading `$.` or `/` is tolerated.
 */
export function lineForPath(pos: JsonPositions, path: string): number {
  let p = path.replace(/^\$\.?/, '').replace(/^\//, '');
  for (;;) {
    const hit = pos.lines.get(p);
    if (hit !== undefined) return hit;
    if (p === '') return 1;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut <= 0 ? '' : p.slice(0, cut);
  }
}
