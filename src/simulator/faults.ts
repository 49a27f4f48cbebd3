/**
 * The fault engine: an ordered list of rules; each request gets a plan combining the delays of every
 * matching delay rule (`latency`, `slow_first_token`) with at most one "terminal" fault (the first
 * matching one). Protocol modules carry the plan out in their own wire format.
 */
import type { FaultKind, FaultRule } from './types.js';
import type { Rng } from './rng.js';

export type DelayFault = Extract<FaultKind, { kind: 'latency' | 'slow_first_token' }>;
export type TerminalFault = Exclude<FaultKind, DelayFault>;

export interface FaultPlan {
  latencyMs: number;
  slowFirstTokenMs: number;
  terminal?: TerminalFault;
  /** Kinds applied, for the request log (`latency+cut`). */
  label?: string;
}

export interface FaultContext {
  model?: string;
  path: string;
  stream?: boolean;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  /** Matching requests seen so far (for `every`). */
  seen: number;
}

const NO_FAULT: FaultPlan = Object.freeze({ latencyMs: 0, slowFirstTokenMs: 0 });

export class FaultEngine {
  private rules: ActiveRule[] = [];

  constructor(private readonly rng: Rng) {}

  add(rule: FaultRule): void {
    const checked = validateFaultRule(rule);
    if (checked.times !== undefined && checked.times <= 0) return;
    this.rules.push({ rule: checked, remaining: checked.times ?? Number.POSITIVE_INFINITY, seen: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  get count(): number {
    return this.rules.length;
  }

  /** Decide the faults for one request (consumes `times`, rolls `probability`). */
  plan(ctx: FaultContext): FaultPlan {
    if (this.rules.length === 0) return NO_FAULT;
    let latencyMs = 0;
    let slowFirstTokenMs = 0;
    let terminal: TerminalFault | undefined;
    const kinds: string[] = [];
    let expired = false;
    for (const active of this.rules) {
      if (active.remaining <= 0) continue;
      const { fault, match, probability, every } = active.rule;
      const isDelay = fault.kind === 'latency' || fault.kind === 'slow_first_token';
      if (!isDelay && terminal) continue;
      if (match) {
        if (match.model !== undefined && match.model !== ctx.model) continue;
        if (match.path !== undefined && match.path !== ctx.path) continue;
        if (match.stream !== undefined && match.stream !== (ctx.stream ?? false)) continue;
      }
      if (every !== undefined && ++active.seen % every !== 0) continue;
      if (probability !== undefined && !(this.rng() < probability)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) expired = true;
      if (fault.kind === 'latency') latencyMs += fault.ms;
      else if (fault.kind === 'slow_first_token') slowFirstTokenMs += fault.ms;
      else terminal = fault;
      kinds.push(fault.kind);
    }
    if (expired) this.rules = this.rules.filter((r) => r.remaining > 0);
    if (kinds.length === 0) return NO_FAULT;
    return { latencyMs, slowFirstTokenMs, terminal, label: kinds.join('+') };
  }
}

/** Whether the terminal fault stops the request before any response is produced. */
export function preventsResponse(plan: FaultPlan): boolean {
  const k = plan.terminal?.kind;
  return k === 'status' || k === 'hang' || k === 'reset';
}

export class FaultRuleError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonNegative(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new FaultRuleError(`${what} must be a non-negative number`);
  return v;
}

/** Check a rule (from code or from the control surface); returns it or throws `FaultRuleError`. */
export function validateFaultRule(input: unknown): FaultRule {
  if (!isObject(input)) throw new FaultRuleError('fault rule must be an object');
  const f = input.fault;
  if (!isObject(f)) throw new FaultRuleError('fault rule needs a `fault` object');
  switch (f.kind) {
    case 'status':
      if (typeof f.status !== 'number' || !Number.isInteger(f.status) || f.status < 100 || f.status > 999) {
        throw new FaultRuleError('status fault needs an integer `status`');
      }
      if (f.retryAfter !== undefined && typeof f.retryAfter !== 'number' && typeof f.retryAfter !== 'string') {
        throw new FaultRuleError('retryAfter must be a number or a string');
      }
      break;
    case 'latency':
    case 'slow_first_token':
      nonNegative(f.ms, `${f.kind}.ms`);
      break;
    case 'cut':
    case 'malformed':
    case 'stream_error':
    case 'stall':
      nonNegative(f.afterEvents, `${f.kind}.afterEvents`);
      break;
    case 'hang':
    case 'reset':
      break;
    default:
      throw new FaultRuleError(`unknown fault kind ${JSON.stringify(f.kind)}`);
  }
  if (input.match !== undefined && !isObject(input.match)) throw new FaultRuleError('match must be an object');
  if (input.times !== undefined) nonNegative(input.times, 'times');
  if (input.every !== undefined && (!Number.isInteger(input.every) || (input.every as number) < 1)) throw new FaultRuleError('every must be a positive integer');
  if (input.probability !== undefined) {
    const p = nonNegative(input.probability, 'probability');
    if (p > 1) throw new FaultRuleError('probability must be within 0..1');
  }
  return input as unknown as FaultRule;
}
