/**
 * Runs CEL conformance cases against a CEL library through a small adapter, so candidate libraries can be compared
 * on the same data (docs/decisions/0005-cel-library.md). Only `@bufbuild/cel` is a dependency; other candidates are
 * loaded with a dynamic import and skipped when not installed.
 */
import type { CelCase, Expect } from './cases.js';

export type Outcome = { kind: 'value'; value: unknown } | { kind: 'error'; message: string } | { kind: 'compileError'; message: string };

export interface CelAdapter {
  name: string;
  /** Parses (and prepares) once; throws on a compile error. */
  compile(expr: string): (vars: Record<string, unknown>) => Outcome;
  /** Renders a value the library returned in the harness's notation (see cases.ts). */
  render(value: unknown): string;
}

export interface CaseResult {
  case: CelCase;
  pass: boolean;
  got: string;
}

export function runCase(adapter: CelAdapter, c: CelCase): CaseResult {
  let outcome: Outcome;
  try {
    const fn = adapter.compile(c.expr);
    outcome = fn(c.vars ?? {});
  } catch (e) {
    outcome = { kind: 'compileError', message: (e as Error).message };
  }
  const got = describe(adapter, outcome);
  return { case: c, pass: matches(adapter, c.expect, outcome), got };
}

function describe(adapter: CelAdapter, o: Outcome): string {
  if (o.kind === 'value') {
    try {
      return adapter.render(o.value);
    } catch (e) {
      return `<unrenderable: ${(e as Error).message}>`;
    }
  }
  return `${o.kind}: ${o.message.split('\n')[0]}`;
}

function matches(adapter: CelAdapter, expect: Expect, o: Outcome): boolean {
  if (typeof expect === 'string') return o.kind === 'value' && describe(adapter, o) === expect;
  if ('compileError' in expect) return o.kind === 'compileError';
  return o.kind === 'error' || o.kind === 'compileError';
}

export function runAll(adapter: CelAdapter, cases: CelCase[]): { results: CaseResult[]; passed: number; total: number } {
  const results = cases.map((c) => runCase(adapter, c));
  return { results, passed: results.filter((r) => r.pass).length, total: results.length };
}

// ---- rendering shared by adapters ----

export function renderDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

export function renderBytes(b: Uint8Array): string {
  return `b"${[...b].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('')}"`;
}

export function renderMap(entries: Array<[string, string]>): string {
  return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
}

// ---- adapters ----

/** Converts harness variables (bigint = int, number = double, objects = maps) for @bufbuild/cel: plain values work as they are. */
export async function bufbuildAdapter(): Promise<CelAdapter> {
  const cel = await import('@bufbuild/cel');
  const { strings } = await import('@bufbuild/cel/ext');
  const env = cel.celEnv({ funcs: strings });
  const render = (v: unknown): string => {
    if (typeof v === 'bigint') return String(v);
    if (cel.isCelUint(v)) return `${v.value}u`;
    if (typeof v === 'number') return renderDouble(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'boolean') return String(v);
    if (v === null) return 'null';
    if (v instanceof Uint8Array) return renderBytes(v);
    if (cel.isCelList(v)) return `[${[...v].map(render).join(', ')}]`;
    if (cel.isCelMap(v)) return renderMap([...v.entries()].map(([k, x]) => [render(k), render(x)]));
    if (cel.isCelType(v)) return `type(${v.name})`;
    const t = (v as { $typeName?: string }).$typeName;
    if (t) return `${t}(${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x))})`;
    throw new Error(`unknown value ${String(v)}`);
  };
  return {
    name: '@bufbuild/cel',
    compile(expr) {
      const planned = cel.plan(env, cel.parse(expr));
      return (vars) => {
        const r = planned(vars as never);
        return cel.isCelError(r) ? { kind: 'error', message: r.message } : { kind: 'value', value: r };
      };
    },
    render,
  };
}

/** Switchyard's own wrapper (cel.ts): @bufbuild/cel plus write-time checks, `last()`, global `matches`, trailing comments. */
export async function switchyardAdapter(): Promise<CelAdapter> {
  const { compileCel } = await import('../cel.js');
  const cel = await import('@bufbuild/cel');
  const base = await bufbuildAdapter();
  return {
    name: 'switchyard (cel.ts)',
    compile(expr) {
      const c = compileCel(expr);
      if (!c.ok) throw new Error(c.error);
      return (vars) => {
        const r = c.compiled.program(vars);
        return cel.isCelError(r) ? { kind: 'error', message: r.message } : { kind: 'value', value: r };
      };
    },
    render: base.render,
  };
}

/** @marcbachmann/cel-js, when installed (it is not a dependency: `npm i --no-save @marcbachmann/cel-js` to compare). */
export async function marcbachmannAdapter(): Promise<CelAdapter | null> {
  const spec = '@marcbachmann/cel-js';
  let lib: {
    Environment: new (opts: Record<string, unknown>) => {
      parse(expr: string): (ctx: Record<string, unknown>) => unknown;
    };
  };
  try {
    lib = (await import(spec)) as typeof lib;
  } catch {
    return null;
  }
  const env = new lib.Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
  const render = (v: unknown): string => {
    if (typeof v === 'bigint') return String(v);
    if (typeof v === 'number') return renderDouble(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'boolean') return String(v);
    if (v === null) return 'null';
    if (v instanceof Uint8Array) return renderBytes(v);
    if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`;
    if (v instanceof Map) return renderMap([...v.entries()].map(([k, x]) => [render(k), render(x)]));
    if (v instanceof Date) return `timestamp(${JSON.stringify(v.toISOString())})`;
    const ctor = (v as object).constructor?.name;
    if (ctor === 'UnsignedInt') return `${(v as { value: bigint }).value}u`;
    if (ctor === 'Object') return renderMap(Object.entries(v as object).map(([k, x]) => [JSON.stringify(k), render(x)]));
    return `${ctor}(${String(v)})`;
  };
  return {
    name: '@marcbachmann/cel-js',
    compile(expr) {
      const fn = env.parse(expr);
      return (vars) => {
        try {
          return { kind: 'value', value: fn(vars) };
        } catch (e) {
          return { kind: 'error', message: (e as Error).message };
        }
      };
    },
    render,
  };
}
