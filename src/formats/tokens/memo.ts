/**
 * Agents resend the whole conversation every turn (Claude Code: the same ~60 KB of tool definitions and system prompt,
 * plus a growing history), so remembering the count of each long string makes a turn cost only its new blocks.
 */

/** A string → count map holding at most `budget` characters of keys; the least recently used go first. */
export class CountMemo {
  private readonly map = new Map<string, number>();
  private chars = 0;
  constructor(private readonly budget: number) {}

  get(text: string): number | undefined {
    const hit = this.map.get(text);
    if (hit !== undefined) {
      // Re-insert so a string in use moves to the young end of the Map's insertion order.
      this.map.delete(text);
      this.map.set(text, hit);
    }
    return hit;
  }

  set(text: string, count: number): void {
    if (text.length > this.budget / 4) return; // one huge text must not flush everything else
    this.map.set(text, count);
    this.chars += text.length;
    for (const key of this.map.keys()) {
      if (this.chars <= this.budget) break;
      this.map.delete(key);
      this.chars -= key.length;
    }
  }

  clear(): void {
    this.map.clear();
    this.chars = 0;
  }
}
