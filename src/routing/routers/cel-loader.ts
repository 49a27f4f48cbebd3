/**
 * The CEL engine (`@bufbuild/cel` and `@bufbuild/re2`, ~15 MB of memory once imported) is loaded only when some
 * router has a condition to compile: most deployments have no router with routes, or none at all
 * (docs/decisions/0007-lazy-optional-modules.md). Whoever parses or compiles a router awaits `loadCelFor(inputs)`
 * (or `loadCel()`) first; compiling and evaluating stay synchronous after that. Routers reach a process through the
 * config file, the store (the change feed and its poll), the router API and the CLI: each of those paths in
 * router-registry.ts and cli/routers.ts awaits the load before it parses.
 */
import type * as CelModule from './cel.js';

export type { CompiledCel, CompileResult, CelOutcome, CelProgram } from './cel.js';

let cel: typeof CelModule | null = null;
let loading: Promise<typeof CelModule> | null = null;

/** Imports the CEL engine once; later calls resolve at once. */
export async function loadCel(): Promise<void> {
  if (cel) return;
  loading ??= import('./cel.js').then((m) => (cel = m));
  await loading;
}

/** Whether the CEL engine has been imported (tests assert a plain start never does). */
export function isCelLoaded(): boolean {
  return cel !== null;
}

/**
 * Whether a router in either casing may hold CEL: every entry of `routes` carries a condition (a router with only a
 * `defaultRoute` has none). Decided from the raw input, before validation, so it never under-approximates: a router
 * whose `routes` is a non-empty array of anything loads CEL, and validation then reports what is wrong with it.
 */
export function routerNeedsCel(input: unknown): boolean {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false;
  const routes = (input as { routes?: unknown }).routes;
  return Array.isArray(routes) && routes.length > 0;
}

/** Loads CEL when any of these router inputs (raw JSON, either casing) needs it. */
export async function loadCelFor(inputs: Iterable<unknown>): Promise<void> {
  if (cel) return;
  for (const input of inputs) {
    if (routerNeedsCel(input)) return loadCel();
  }
}

function engine(): typeof CelModule {
  if (!cel) throw new Error('the CEL engine is not loaded: await loadCel() (or loadCelFor(routers)) before parsing or compiling a router with routes');
  return cel;
}

/** `compileCel` of cel.ts; CEL must be loaded (see above). Never throws otherwise. */
export function compileCel(expression: string): CelModule.CompileResult {
  return engine().compileCel(expression);
}

/** `evalCondition` of cel.ts; only compiled conditions reach it, so CEL is loaded. */
export function evalCondition(compiled: CelModule.CompiledCel, vars: Record<string, unknown>): CelModule.CelOutcome {
  return engine().evalCondition(compiled, vars);
}
