/**
 * Test helper (not part of the public API): learning the shape of JSON objects from recorded
 * provider traffic — fields seen, their JSON types, fields always present, field order — and
 * checking the simulator's objects against it. Used by the protocol conformance tests.
 */

export type Obj = Record<string, unknown>;

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export interface Shape {
  count: number;
  fields: Map<string, { count: number; types: Set<string> }>;
  orders: string[][];
  /** Observations that count for "always present" (e.g. only the first-party provider's). */
  strictCount: number;
  strictFields: Map<string, number>;
}

export class Shapes {
  readonly byKind = new Map<string, Shape>();

  /**
   * Record one object of a kind. `ordered`: its key order is the wire order. `strict`: it counts
   * for "always present" (vendor variants can be observed for field types without it).
   */
  observe(kind: string, obj: Obj, ordered = true, strict = true): void {
    let s = this.byKind.get(kind);
    if (!s) this.byKind.set(kind, (s = { count: 0, fields: new Map(), orders: [], strictCount: 0, strictFields: new Map() }));
    s.count++;
    if (strict) s.strictCount++;
    for (const [k, v] of Object.entries(obj)) {
      let f = s.fields.get(k);
      if (!f) s.fields.set(k, (f = { count: 0, types: new Set() }));
      f.count++;
      f.types.add(jsonType(v));
      if (strict) s.strictFields.set(k, (s.strictFields.get(k) ?? 0) + 1);
    }
    if (ordered) s.orders.push(Object.keys(obj));
  }

  /** Fields present in every strict observation of the kind. */
  always(kind: string): string[] {
    const s = this.byKind.get(kind);
    if (!s || s.strictCount === 0) return [];
    return [...s.strictFields].filter(([, n]) => n === s.strictCount).map(([k]) => k);
  }
}

/**
 * Differences between the simulator's shapes and the recorded ones: kinds or fields never recorded,
 * JSON types never recorded, fields always recorded but missing, and key orders matching no
 * recording. `mapKind` lets a kind fall back to a recorded counterpart.
 */
export function shapeViolations(rec: Shapes, sim: Shapes, mapKind: (kind: string) => string = (k) => k): string[] {
  const v: string[] = [];
  for (const [kind, s] of sim.byKind) {
    const rk = rec.byKind.has(kind) ? kind : mapKind(kind);
    const r = rec.byKind.get(rk);
    if (!r) {
      v.push(`${kind}: never seen in recordings`);
      continue;
    }
    for (const [field, f] of s.fields) {
      const rf = r.fields.get(field);
      if (!rf) {
        v.push(`${kind}.${field}: field never seen in recordings`);
        continue;
      }
      for (const t of f.types) if (!rf.types.has(t)) v.push(`${kind}.${field}: type ${t}, recordings have ${[...rf.types].join('|')}`);
    }
    const simAlways = new Set(sim.always(kind));
    for (const field of rec.always(rk)) if (!simAlways.has(field)) v.push(`${kind}.${field}: always present in recordings, missing here`);
    if (r.orders.length > 0) {
      for (const order of s.orders) {
        if (order.length === 0) continue;
        const fits = r.orders.some((ro) => {
          const filtered = ro.filter((k) => order.includes(k));
          const mine = order.filter((k) => ro.includes(k));
          return filtered.length > 0 && filtered.join(',') === mine.join(',');
        });
        if (!fits) v.push(`${kind}: field order ${order.join(',')} matches no recording`);
      }
    }
  }
  return [...new Set(v)];
}
