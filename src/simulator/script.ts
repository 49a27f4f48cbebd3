/** FIFO queues of scripted turns, one shared queue plus one per model. */
import type { ScriptedTurn } from './types.js';

export class ScriptQueue {
  private readonly any: ScriptedTurn[] = [];
  private readonly byModel = new Map<string, ScriptedTurn[]>();

  add(turns: ScriptedTurn[], match?: { model?: string }): void {
    const model = match?.model;
    if (model === undefined) {
      this.any.push(...turns);
      return;
    }
    let q = this.byModel.get(model);
    if (!q) this.byModel.set(model, (q = []));
    q.push(...turns);
  }

  /** The turn the next request for `model` gets, consumed unless `peek`. Model queue first, then the shared one. */
  take(model: string | undefined, peek = false): ScriptedTurn | undefined {
    const q = model !== undefined ? this.byModel.get(model) : undefined;
    const from = q && q.length > 0 ? q : this.any.length > 0 ? this.any : undefined;
    if (!from) return undefined;
    return peek ? from[0] : from.shift();
  }

  get size(): number {
    let n = this.any.length;
    for (const q of this.byModel.values()) n += q.length;
    return n;
  }

  clear(): void {
    this.any.length = 0;
    this.byModel.clear();
  }
}

export class ScriptError extends Error {}

const STOP_REASONS = new Set(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check scripted turns (from code or the control surface); returns them or throws `ScriptError`. */
export function validateTurns(input: unknown): ScriptedTurn[] {
  if (!Array.isArray(input)) throw new ScriptError('turns must be an array');
  input.forEach((t: unknown, i) => {
    if (!isObj(t) || !Array.isArray(t.content)) throw new ScriptError(`turns[${i}].content must be an array`);
    t.content.forEach((b: unknown, j) => {
      const where = `turns[${i}].content[${j}]`;
      if (!isObj(b)) throw new ScriptError(`${where} must be an object`);
      switch (b.type) {
        case 'text':
          if (typeof b.text !== 'string') throw new ScriptError(`${where}.text must be a string`);
          break;
        case 'tool_use':
          if (typeof b.name !== 'string' || b.name === '') throw new ScriptError(`${where}.name must be a non-empty string`);
          if (b.id !== undefined && (typeof b.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(b.id))) {
            throw new ScriptError(`${where}.id must match ^[A-Za-z0-9_-]+$`);
          }
          break;
        case 'thinking':
          if (typeof b.thinking !== 'string') throw new ScriptError(`${where}.thinking must be a string`);
          if (b.signature !== undefined && typeof b.signature !== 'string') throw new ScriptError(`${where}.signature must be a string`);
          break;
        case 'redacted_thinking':
          if (typeof b.data !== 'string') throw new ScriptError(`${where}.data must be a string`);
          break;
        default:
          throw new ScriptError(`${where}.type ${JSON.stringify(b.type)} is not text, tool_use, thinking or redacted_thinking`);
      }
    });
    if (t.stop_reason !== undefined && !STOP_REASONS.has(t.stop_reason as string)) {
      throw new ScriptError(`turns[${i}].stop_reason is not one of ${[...STOP_REASONS].join(', ')}`);
    }
    if (t.usage !== undefined) {
      if (!isObj(t.usage)) throw new ScriptError(`turns[${i}].usage must be an object`);
      for (const [k, v] of Object.entries(t.usage)) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ScriptError(`turns[${i}].usage.${k} must be a non-negative integer`);
      }
    }
  });
  return input as ScriptedTurn[];
}
