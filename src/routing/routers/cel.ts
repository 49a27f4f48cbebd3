/**
 * CEL for router conditions, on @bufbuild/cel (docs/decisions/0005-cel-library.md). Expressions are parsed,
 * checked and planned once (`compileCel`, cached by expression text); the request path only runs the planned
 * program. Regular expressions are RE2 (`matches`), compiled once per pattern and cached.
 */
import { CelScalar, celEnv, celFunc, celMethod, isCelError, listType, parse, plan } from '@bufbuild/cel';
import type { CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';

/** An identifier-shaped function name; operators (`_+_`, `@in`, `!_`) are the planner's own. */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const REGEX_CACHE_MAX = 512;
const PROGRAM_CACHE_MAX = 2048;

interface Matcher {
  test(text: string): boolean;
}

const regexCache = new Map<string, Matcher>();

/** RE2 compile with a bounded cache: a router's patterns are compiled on first use, not on every request. */
function compileRegex(pattern: string): Matcher {
  let m = regexCache.get(pattern);
  if (m === undefined) {
    m = RE2JS.compile(pattern) as Matcher;
    if (regexCache.size >= REGEX_CACHE_MAX) regexCache.delete(regexCache.keys().next().value as string);
    regexCache.set(pattern, m);
  }
  return m;
}

/**
 * Functions beyond the CEL standard library:
 * - the `strings` extension (`lowerAscii`, `upperAscii`, `indexOf`, `split`, `trim`, `replace`, `join`, ...);
 * - `list.last()`: the last element (an error on an empty list); the hosted router's own examples use
 *   `messages.last().content.matches(...)`;
 * - the global form `matches(string, pattern)` the CEL spec defines next to the method form.
 */
const extraFuncs = [
  ...strings,
  celMethod('last', listType(CelScalar.DYN), [], CelScalar.DYN, function () {
    if (this.size === 0) throw new Error('last() called on an empty list');
    return this.get(this.size - 1)!;
  }),
  celFunc('matches', [CelScalar.STRING, CelScalar.STRING], CelScalar.BOOL, (text, pattern) => compileRegex(pattern).test(text)),
];

const env: CelEnv = celEnv({ funcs: extraFuncs, re2: { compile: compileRegex } });

export type CelProgram = (vars: Record<string, unknown>) => unknown;

export interface CompiledCel {
  expression: string;
  program: CelProgram;
  /** Free variables the expression reads (metadata keys, `messages`, `request`). */
  variables: ReadonlySet<string>;
  /** Fields read as `request.<field>`; `'*'` when `request` is used as a whole. */
  requestFields: ReadonlySet<string>;
}

export type CompileResult = { ok: true; compiled: CompiledCel } | { ok: false; error: string };

const programCache = new Map<string, CompileResult>();

/** Parses, checks function names and arity, and plans an expression; cached by text. Never throws. */
export function compileCel(expression: string): CompileResult {
  const cached = programCache.get(expression);
  if (cached) return cached;
  const result = compileUncached(expression);
  if (programCache.size >= PROGRAM_CACHE_MAX) programCache.delete(programCache.keys().next().value as string);
  programCache.set(expression, result);
  return result;
}

function compileUncached(expression: string): CompileResult {
  if (expression.trim() === '') return { ok: false, error: 'empty expression' };
  let parsed: ReturnType<typeof parse>;
  try {
    // The trailing newline lets a `// comment` end the expression (the parser wants one after a comment).
    parsed = parse(`${expression}\n`);
  } catch (e) {
    return { ok: false, error: firstLine((e as Error).message) };
  }
  const info = { variables: new Set<string>(), requestFields: new Set<string>(), problems: [] as string[] };
  walk(parsed.expr as unknown as AstExpr, new Set(), info);
  if (info.problems.length > 0) return { ok: false, error: info.problems[0] };
  try {
    const planned = plan(env, parsed) as (vars: Record<string, unknown>) => unknown;
    return { ok: true, compiled: { expression, program: planned, variables: info.variables, requestFields: info.requestFields } };
  } catch (e) {
    return { ok: false, error: firstLine((e as Error).message) };
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/^<input>:(\d+):(\d+): /, 'line $1, column $2: ');
}

/** Type names that appear as identifiers (`type(x) == int`), not variables. */
const TYPE_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

// The AST is cel.expr.Expr from @bufbuild/cel-spec; read structurally to avoid depending on that package directly.
interface AstExpr {
  exprKind:
    | { case: 'identExpr'; value: { name: string } }
    | { case: 'selectExpr'; value: { operand?: AstExpr; field: string; testOnly: boolean } }
    | { case: 'callExpr'; value: { target?: AstExpr; function: string; args: AstExpr[] } }
    | { case: 'listExpr'; value: { elements: AstExpr[] } }
    | { case: 'structExpr'; value: { messageName: string; entries: Array<{ keyKind: { case: string; value?: unknown }; value?: AstExpr }> } }
    | {
        case: 'comprehensionExpr';
        value: { iterVar: string; iterVar2?: string; iterRange?: AstExpr; accuVar: string; accuInit?: AstExpr; loopCondition?: AstExpr; loopStep?: AstExpr; result?: AstExpr };
      }
    | { case: 'constExpr' | undefined; value?: unknown };
}

interface WalkInfo {
  variables: Set<string>;
  requestFields: Set<string>;
  problems: string[];
}

function walk(e: AstExpr | undefined, bound: ReadonlySet<string>, info: WalkInfo): void {
  if (!e) return;
  const k = e.exprKind;
  switch (k.case) {
    case 'identExpr':
      if (!bound.has(k.value.name) && !TYPE_IDENTS.has(k.value.name)) {
        info.variables.add(k.value.name);
        if (k.value.name === 'request') info.requestFields.add('*');
      }
      return;
    case 'selectExpr': {
      const op = k.value.operand;
      if (op?.exprKind.case === 'identExpr' && op.exprKind.value.name === 'request' && !bound.has('request')) {
        info.variables.add('request');
        info.requestFields.add(k.value.field);
        return;
      }
      walk(op, bound, info);
      return;
    }
    case 'callExpr': {
      const { target, function: fn, args } = k.value;
      if (FUNCTION_NAME.test(fn)) checkFunction(fn, target !== undefined, args.length, info);
      walk(target, bound, info);
      for (const a of args) walk(a, bound, info);
      return;
    }
    case 'listExpr':
      for (const el of k.value.elements) walk(el, bound, info);
      return;
    case 'structExpr':
      if (k.value.messageName) info.problems.push(`message construction (${k.value.messageName}{...}) is not supported`);
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value as AstExpr, bound, info);
        walk(entry.value, bound, info);
      }
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      walk(c.iterRange, bound, info);
      walk(c.accuInit, bound, info);
      const inner = new Set(bound);
      inner.add(c.iterVar);
      if (c.iterVar2) inner.add(c.iterVar2);
      inner.add(c.accuVar);
      walk(c.loopCondition, inner, info);
      walk(c.loopStep, inner, info);
      const withAccu = new Set(bound);
      withAccu.add(c.accuVar);
      walk(c.result, withAccu, info);
      return;
    }
    default:
      return;
  }
}

/** Unknown functions and wrong arity are found when the router is written, not on the first request that hits them. */
function checkFunction(name: string, isMethod: boolean, argc: number, info: WalkInfo): void {
  if (name === 'has' && !isMethod) {
    info.problems.push('has() takes a field selection, e.g. has(request.headers.x) or has(user.plan)');
    return;
  }
  const group = env.funcs.find(name);
  if (!group) {
    info.problems.push(`unknown function '${name}'`);
    return;
  }
  const overloads = [...group];
  if (!overloads.some((f) => (f.target !== undefined) === isMethod && f.arguments.length === argc)) {
    const forms = [...new Set(overloads.map((f) => `${f.target ? 'x.' : ''}${name}(${f.arguments.length} argument${f.arguments.length === 1 ? '' : 's'})`))];
    info.problems.push(`no overload of '${name}' takes ${isMethod ? 'a receiver and ' : ''}${argc} argument${argc === 1 ? '' : 's'} (have: ${forms.join(', ')})`);
  }
}

export type CelOutcome = { ok: true; value: boolean } | { ok: false; error: string };

/** Runs a compiled condition. Anything but a bool, or an evaluation error, is an error (the route counts as false). */
export function evalCondition(compiled: CompiledCel, vars: Record<string, unknown>): CelOutcome {
  let r: unknown;
  try {
    r = compiled.program(vars);
  } catch (e) {
    return { ok: false, error: firstLine((e as Error).message) };
  }
  if (isCelError(r)) return { ok: false, error: firstLine(r.message) };
  if (typeof r !== 'boolean') return { ok: false, error: `condition evaluated to ${describeValue(r)}, not a bool` };
  return { ok: true, value: r };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `int ${v}`;
  if (typeof v === 'number') return `double ${v}`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return typeof v === 'object' ? 'a list or map' : typeof v;
}
