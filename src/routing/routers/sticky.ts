/**
 * Variant choice inside a route.
 *
 * Without a user: one draw by weight (`random()` in [0, 1), cumulative over the variants in order).
 *
 * With a user: weighted rendezvous hashing (highest random weight, in its "exponential race" form). Every variant
 * gets a score `-ln(u) / weight`, where `u` in (0, 1) comes from a stable 64-bit hash (SHA-256, first 53 bits) of
 * router name, route id, variant id and user; the lowest score wins. `-ln(u)` is exponentially distributed, so
 * variant i wins with probability `w_i / sum(w)`: exactly the weights.
 *
 * Why it moves as few users as possible:
 * - Each user's score for a variant depends only on that variant's own id and weight. Unchanged weights move
 *   nobody; reordering variants in the JSON or renaming the route's other variants moves nobody.
 * - Raising one variant's weight only lowers that variant's scores, so users can only move *to* it; lowering one
 *   only moves users *away* from it. With two variants (the A/B case) the users that move are exactly the weight
 *   change: 50/50 -> 60/40 moves the 10% whose score ratio falls between 1 and 1.5, and nobody else.
 * - Adding a variant with weight w moves only users *into* it (w% of them); removing one moves only its own users.
 * - A cumulative-bucket scheme (user hashed to 0..99, variants owning consecutive ranges) matches that for two
 *   variants but not beyond: moving weight between the first and the last variant shifts every range in between
 *   (40/30/30 -> 30/30/40 moves 20% of users instead of ~13%), and inserting a variant in the middle reshuffles
 *   everyone after it. The exponential race is the P-MinHash coupling, which is Pareto-optimal among stateless
 *   schemes; moving strictly the minimum in every multi-variant case would need stored per-user assignments.
 */
import { createHash } from 'node:crypto';

export interface Weighted {
  id: string;
  weight: number;
}

const TWO_POW_53 = 2 ** 53;

/** A uniform number in (0, 1) from a stable 64-bit hash of the parts (SHA-256, first 53 bits used). */
export function stableUniform(...parts: string[]): number {
  const h = createHash('sha256');
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) h.update('\u0000');
    h.update(parts[i]);
  }
  const d = h.digest();
  const hi = d.readUInt32BE(0);
  const lo = d.readUInt32BE(4);
  const top53 = hi * 2 ** 21 + (lo >>> 11);
  return (top53 + 0.5) / TWO_POW_53;
}

/** Index of the sticky choice for `user` (weighted rendezvous hashing); -1 when no variant has weight. */
export function stickyIndex(items: readonly Weighted[], scope: readonly string[], user: string): number {
  let best = -1;
  let bestScore = Infinity;
  for (let i = 0; i < items.length; i++) {
    const w = items[i].weight;
    if (!(w > 0)) continue;
    const score = -Math.log(stableUniform(...scope, items[i].id, user)) / w;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

/** Index drawn by weight with `r` in [0, 1); -1 when no variant has weight. */
export function weightedIndex(items: readonly Weighted[], r: number): number {
  let total = 0;
  for (const it of items) if (it.weight > 0) total += it.weight;
  if (total <= 0) return -1;
  let x = r * total;
  let last = -1;
  for (let i = 0; i < items.length; i++) {
    const w = items[i].weight;
    if (!(w > 0)) continue;
    last = i;
    if (x < w) return i;
    x -= w;
  }
  return last;
}
