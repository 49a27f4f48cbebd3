/**
 * An agent sends the same tool definitions every turn (Claude Code: 24 tools, ~60 KB). When they are the shared,
 * deep-frozen ones of a translated request (SharedValues), telling them equal to the last list counted (`sameJson`)
 * costs a few comparisons, where rendering them and counting the text costs ~150 µs (OpenAI's TypeScript namespace,
 * Gemini's schema words) or hashing a ~60 KB text for the count memo.
 */
import type { Tool } from '../canonical/types.js';
import { deepFreeze, isDeeplyFrozen, sameJson } from '../json-scan/index.js';

/** The count of each key's last tool list, kept with a frozen copy of the tools. */
export class ToolsCounts {
  private readonly byKey = new Map<unknown, { tools: readonly Tool[]; count: number }>();

  /** `count()` of `tools`, or the count kept for `key` when `tools` are the same JSON as the list it was made from. */
  get(key: unknown, tools: readonly Tool[], count: () => number): number {
    if (!tools.every((t) => isDeeplyFrozen(t.inputSchema))) return count();
    const kept = this.byKey.get(key);
    if (kept && sameJson(tools, kept.tools)) return kept.count;
    const n = count();
    // A copy to freeze: the request's own objects (a cache_control, say) stay its own.
    const copy = tools.map((t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, k === 'inputSchema' || v === null || typeof v !== 'object' ? v : structuredClone(v)])) as unknown as Tool);
    this.byKey.set(key, { tools: deepFreeze(copy), count: n });
    return n;
  }
}
