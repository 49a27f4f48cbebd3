/**
 * Percentiles as PostgreSQL's `percentile_cont` computes them: position `p * (n - 1)` in the sorted values, linear
 * interpolation between the two order statistics around it. SQLite has no percentile function: its query fetches the
 * order statistics at `floor(p * (n - 1))` and the next one (see `sqliteOrderStatistics`), and this interpolates.
 */
export function interpolatePercentile(p: number, n: number, lo: number | null, hi: number | null): number | null {
  if (n <= 0 || lo === null) return null;
  const idx = p * (n - 1);
  const frac = idx - Math.floor(idx);
  if (frac === 0 || hi === null) return lo;
  return lo + (hi - lo) * frac;
}

/**
 * SQL aggregate expressions (over a `ranked` row set with a 0-based `<rank>` and the partition's `<count>` of non-null
 * values) that pick the order statistics `interpolatePercentile` needs, as `<alias>_lo` and `<alias>_hi`. `p` is a
 * constant from code, never input.
 */
export function sqliteOrderStatistics(p: number, column: string, rank: string, count: string, alias: string): string {
  const lo = `CAST(${p} * (${count} - 1) AS INTEGER)`;
  return `MAX(CASE WHEN ${rank} = ${lo} THEN ${column} END) AS ${alias}_lo, MAX(CASE WHEN ${rank} = ${lo} + 1 THEN ${column} END) AS ${alias}_hi`;
}
