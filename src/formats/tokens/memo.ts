/**
 * Agents resend the whole conversation every turn (Claude Code: the same ~60 KB of tool definitions and system prompt,
 * plus a growing history), so remembering the count of each long string makes a turn cost only its new blocks.
 */

/**
 * A string → count map holding at most `budget` characters of keys, in two generations: new and looked-up texts go
 * into the young one; when it is full it becomes the old one and the previous old one is dropped. A text in use is
 * so kept for at least one generation (half the budget of later texts), and a hit costs one or two lookups, where a
 * strict least-recently-used order cost a delete and a re-insert per hit (a fifth of a large request's estimate).
 */
export class CountMemo {
  private young = new Map<string, number>();
  private old = new Map<string, number>();
  private youngChars = 0;
  constructor(private readonly budget: number) {}

  get(text: string): number | undefined {
    const young = this.young.get(text);
    if (young !== undefined) return young;
    const old = this.old.get(text);
    if (old !== undefined) this.add(text, old);
    return old;
  }

  set(text: string, count: number): void {
    if (text.length > this.budget / 4) return; // one huge text must not flush everything else
    if (this.young.has(text)) this.young.set(text, count);
    else this.add(text, count);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.youngChars = 0;
  }

  /** Into the young generation, which becomes the old one first when the text would not fit in half the budget. */
  private add(text: string, count: number): void {
    if (this.youngChars + text.length > this.budget / 2) {
      this.old = this.young;
      this.young = new Map();
      this.youngChars = 0;
    }
    this.young.set(text, count);
    this.youngChars += text.length;
  }
}
