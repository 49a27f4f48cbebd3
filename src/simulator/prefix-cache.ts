/**
 * Memory of prompt prefixes written to the (simulated) provider cache: a bounded set of prefix
 * hashes with insertion-order eviction. Protocols decide what a prefix and its hash are.
 */
export class PrefixCache {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 100_000) {}

  has(hash: string): boolean {
    return this.seen.has(hash);
  }

  add(hash: string): void {
    if (this.seen.has(hash)) return;
    this.seen.add(hash);
    if (this.seen.size > this.limit) {
      const oldest = this.seen.values().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
  }

  clear(): void {
    this.seen.clear();
  }
}
