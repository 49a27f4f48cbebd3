import { isObj, type Obj } from './fields.js';

/**
 * Tool-schema sanitation for Gemini (wire-formats 5.9.4). Gemini's `parameters` field takes an OpenAPI-3.0 subset in
 * which any unknown keyword fails the whole request; `parametersJsonSchema` is more permissive but undocumented in
 * detail. Both get the same conservative subset so a schema that works once works on every Gemini endpoint: the
 * output only ever contains the keywords in `GEMINI_SCHEMA_KEYWORDS`, `type` is a single name, enums are non-empty
 * strings, `required` names only existing properties and objects without properties carry no `properties` key.
 * What cannot be expressed is dropped (lossy), and where the model benefits from knowing it (formats, numeric enums,
 * exclusive bounds) it is appended to the description.
 */

export type GeminiSchemaField = 'parametersJsonSchema' | 'parameters';

export interface SanitizeSchemaOptions {
  /** `parameters` spells types the OpenAPI way (`STRING`); `parametersJsonSchema` (default) the JSON Schema way. */
  field?: GeminiSchemaField;
}

/** Every keyword the sanitiser may emit (the allowlist of wire-formats 4.3). */
export const GEMINI_SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);
const STRING_FORMATS = new Set(['enum', 'date-time']);
const NUMBER_FORMATS: Record<string, ReadonlySet<string>> = { number: new Set(['float', 'double']), integer: new Set(['int32', 'int64']) };
/** Deeper schemas are cut (Gemini rejects very deep nesting, and recursion through `$ref` must end somewhere). */
const MAX_DEPTH = 32;
/** Bound on `$ref` expansions so a schema whose references fan out cannot blow up exponentially. */
const MAX_REF_EXPANSIONS = 512;

/** Marks a sub-schema that must disappear with its property (a `$ref` cycle, a `false` schema, too deep). */
const DROP = Symbol('drop');
type Cleaned = Obj | typeof DROP;

interface Ctx {
  root: Obj;
  upper: boolean;
  expansions: number;
  /** An `anyOf` was written into the output (see `sanitizeSchemaForGemini`). */
  unions: boolean;
}

/** Passes over a schema whose output has unions, at most, until one changes nothing. */
const MAX_PASSES = 4;

/**
 * Sanitises any JSON Schema (tool parameters, response schemas) into Gemini's subset. The result is a fixed point:
 * sanitising it again changes nothing. One pass gets there except where it writes an `anyOf`, whose branches a
 * second pass may still simplify (branches that constrain nothing, a type the first pass could not infer because the
 * schema declared several); such an output is passed over again until it stays the same.
 */
export function sanitizeSchemaForGemini(schema: unknown, opts: SanitizeSchemaOptions = {}): Obj {
  let ctx = newCtx(schema, opts);
  const first = clean(schema, ctx, 0, ['#']);
  let out = first === DROP ? {} : first;
  for (let pass = 1; pass < MAX_PASSES && ctx.unions; pass++) {
    ctx = newCtx(out, opts);
    const again = clean(out, ctx, 0, ['#']);
    const next = again === DROP ? {} : again;
    if (JSON.stringify(next) === JSON.stringify(out)) break;
    out = next;
  }
  return out;
}

function newCtx(schema: unknown, opts: SanitizeSchemaOptions): Ctx {
  return { root: isObj(schema) ? schema : {}, upper: opts.field === 'parameters', expansions: 0, unions: false };
}

/**
 * Parameters of a function declaration: an OBJECT schema, or `undefined` for a tool without arguments (Gemini
 * rejects `properties: {}` on an OBJECT, so no-arg tools declare no parameters at all).
 */
export function toolParametersForGemini(schema: unknown, opts: SanitizeSchemaOptions = {}): Obj | undefined {
  let out = sanitizeSchemaForGemini(schema, opts);
  if (Array.isArray(out.anyOf)) out = mergeObjectUnion(out);
  const properties = out.properties;
  if (!isObj(properties) || Object.keys(properties).length === 0) return undefined;
  const objectType = opts.field === 'parameters' ? 'OBJECT' : 'object';
  if (out.type !== objectType) out = { type: objectType, ...withoutKey(out, 'type') };
  delete out.nullable;
  return out;
}

/** A root `anyOf` of objects (e.g. a discriminated union) as one object: all properties, required only if in every branch. */
function mergeObjectUnion(schema: Obj): Obj {
  const branches = (schema.anyOf as unknown[]).filter(isObj);
  const properties: Obj = {};
  let required: string[] | undefined;
  for (const b of branches) {
    if (isObj(b.properties)) for (const [k, v] of Object.entries(b.properties)) if (!(k in properties)) properties[k] = v;
    const req = Array.isArray(b.required) ? (b.required as string[]) : [];
    required = required === undefined ? [...req] : required.filter((r) => req.includes(r));
  }
  const out: Obj = { ...withoutKey(schema, 'anyOf') };
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required && required.length > 0) out.required = required;
  return out;
}

function clean(input: unknown, ctx: Ctx, depth: number, stack: readonly string[]): Cleaned {
  if (input === false) return DROP;
  if (!isObj(input)) return {};
  if (depth > MAX_DEPTH) return DROP;
  const deref = derefNode(input, ctx, stack);
  if (deref === DROP) return DROP;
  let { node } = deref;
  let refStack = deref.stack;
  if (Array.isArray(node.allOf)) {
    const merged = mergeAllOf(node, ctx, refStack);
    if (merged === DROP) return DROP;
    node = merged.node;
    // References followed inside the branches stay "open" below, so a cycle through an allOf is still a cycle.
    refStack = merged.stack;
  }

  let nullable = node.nullable === true;
  let types = typeList(node.type);
  if (types.includes('null')) {
    nullable = true;
    types = types.filter((t) => t !== 'null');
  }
  let enumValues: unknown[] | undefined = Array.isArray(node.enum) ? [...(node.enum as unknown[])] : undefined;
  if ('const' in node) {
    if (node.const === null) nullable = true;
    else enumValues = [node.const];
  }
  if (enumValues?.includes(null)) {
    nullable = true;
    enumValues = enumValues.filter((v) => v !== null);
  }
  if (types.length === 0) types = inferTypes(node, enumValues);

  const union = Array.isArray(node.anyOf) ? (node.anyOf as unknown[]) : Array.isArray(node.oneOf) ? (node.oneOf as unknown[]) : undefined;
  let out: Cleaned;
  if (union) {
    const branches: Obj[] = [];
    let dropped = 0;
    for (const b of union) {
      if (isNullSchema(b, ctx, refStack)) {
        nullable = true;
        continue;
      }
      const c = clean(b, ctx, depth + 1, refStack);
      if (c === DROP) dropped++;
      else branches.push(c);
    }
    const own = buildOwn(node, types.length === 1 ? types[0] : undefined, enumValues, ctx, depth, refStack);
    if (own === DROP) return DROP;
    if (branches.length === 0 && dropped > 0 && own.type === undefined) return DROP;
    out = combineUnion(own, branches, ctx);
  } else if (types.length > 1) {
    const annotations = pickAnnotations(node);
    const branches: Obj[] = [];
    for (const t of types) {
      const b = buildOwn(withoutAnnotations(node), t, enumValues, ctx, depth, refStack);
      if (b !== DROP) branches.push(b);
    }
    if (branches.length === 0) return DROP;
    out = branches.length === 1 ? { ...branches[0], ...annotations } : { ...annotations, anyOf: branches };
    if (branches.length > 1) ctx.unions = true;
  } else {
    out = buildOwn(node, types[0], enumValues, ctx, depth, refStack);
  }
  if (out === DROP) return DROP;
  if (nullable) out.nullable = true;
  return out;
}

/** Follows `$ref` chains (siblings of a `$ref` are kept and win over the target); a cycle is `DROP`. */
function derefNode(node: Obj, ctx: Ctx, stack: readonly string[]): { node: Obj; stack: readonly string[] } | typeof DROP {
  let current = node;
  let st = stack;
  while (typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (st.includes(ref)) return DROP;
    if (++ctx.expansions > MAX_REF_EXPANSIONS) return DROP;
    const siblings = withoutKey(current, '$ref');
    const target = resolvePointer(ctx.root, ref);
    if (target === false) return DROP;
    // An external or dangling reference means "some value": keep what the siblings say about it.
    if (!isObj(target)) return { node: siblings, stack: st };
    current = { ...target, ...siblings };
    st = [...st, ref];
  }
  return { node: current, stack: st };
}

function resolvePointer(root: Obj, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObj(cur)) cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    else return undefined;
  }
  return cur;
}

/** `allOf` as one schema: properties merged (a property in several branches becomes their own `allOf`), required united. */
function mergeAllOf(node: Obj, ctx: Ctx, stack: readonly string[]): { node: Obj; stack: readonly string[] } | typeof DROP {
  const out: Obj = withoutKey(node, 'allOf');
  let open: readonly string[] = stack;
  for (const branch of node.allOf as unknown[]) {
    if (branch === true || !isObj(branch)) {
      if (branch === false) return DROP;
      continue;
    }
    const d = derefNode(branch, ctx, stack);
    if (d === DROP) return DROP;
    let b = d.node;
    open = [...new Set([...open, ...d.stack])];
    if (Array.isArray(b.allOf)) {
      const inner = mergeAllOf(b, ctx, d.stack);
      if (inner === DROP) return DROP;
      b = inner.node;
      open = [...new Set([...open, ...inner.stack])];
    }
    for (const [k, v] of Object.entries(b)) {
      if (k === 'properties' && isObj(v)) {
        const props: Obj = isObj(out.properties) ? { ...out.properties } : {};
        for (const [pk, pv] of Object.entries(v)) props[pk] = pk in props ? { allOf: [props[pk], pv] } : pv;
        out.properties = props;
      } else if (k === 'required' && Array.isArray(v)) {
        const req = Array.isArray(out.required) ? (out.required as unknown[]) : [];
        out.required = [...new Set([...req, ...v])];
      } else if (!(k in out)) {
        out[k] = v;
      }
    }
  }
  return { node: out, stack: open };
}

function typeList(type: unknown): string[] {
  const list = Array.isArray(type) ? type : type === undefined ? [] : [type];
  const out: string[] = [];
  for (const t of list) {
    if (typeof t !== 'string') continue;
    const lower = t.toLowerCase();
    if ((TYPES.has(lower) || lower === 'null') && !out.includes(lower)) out.push(lower);
  }
  return out;
}

function inferTypes(node: Obj, enumValues: unknown[] | undefined): string[] {
  if (isObj(node.properties)) return ['object'];
  if (node.items !== undefined || Array.isArray(node.prefixItems)) return ['array'];
  if (enumValues && enumValues.length > 0 && enumValues.every((v) => typeof v === 'string')) return ['string'];
  return [];
}

function isNullSchema(schema: unknown, ctx: Ctx, stack: readonly string[]): boolean {
  if (!isObj(schema)) return false;
  const d = derefNode(schema, { ...ctx }, stack);
  if (d === DROP) return false;
  const n = d.node;
  if (n.const === null) return true;
  if (Array.isArray(n.enum) && n.enum.length > 0 && n.enum.every((v) => v === null)) return true;
  const types = typeList(n.type);
  return types.length === 1 && types[0] === 'null';
}

const ANNOTATIONS = ['title', 'description', 'default', 'example'] as const;

function pickAnnotations(node: Obj): Obj {
  const out: Obj = {};
  if (typeof node.title === 'string') out.title = node.title;
  if (typeof node.description === 'string') out.description = node.description;
  if ('default' in node && node.default !== undefined) out.default = node.default;
  if ('example' in node && node.example !== undefined) out.example = node.example;
  return out;
}

function withoutAnnotations(node: Obj): Obj {
  const out = { ...node };
  for (const k of ANNOTATIONS) delete out[k];
  return out;
}

function withoutKey(o: Obj, key: string): Obj {
  const out = { ...o };
  delete out[key];
  return out;
}

/**
 * The schema's own keywords for one type (or none). `hints` collects what Gemini cannot express but the model should
 * know; they end up in the description.
 */
function buildOwn(node: Obj, type: string | undefined, enumValues: unknown[] | undefined, ctx: Ctx, depth: number, stack: readonly string[]): Cleaned {
  const out: Obj = {};
  const hints: string[] = [];
  if (type) out.type = ctx.upper ? type.toUpperCase() : type;
  if (typeof node.title === 'string') out.title = node.title;
  if (typeof node.description === 'string') out.description = node.description;

  if (enumValues !== undefined) {
    const stringsOnly = enumValues.every((v) => typeof v === 'string');
    if (stringsOnly && (type === undefined || type === 'string')) {
      const values = [...new Set(enumValues as string[])].filter((v) => v !== '');
      if (values.length > 0) {
        out.enum = values;
        if (!type) out.type = ctx.upper ? 'STRING' : 'string';
      }
    } else if (enumValues.length > 0) {
      hints.push(`allowed values: ${enumValues.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  }

  const fmt = typeof node.format === 'string' ? node.format : undefined;
  if (fmt !== undefined) {
    const keep = type === 'string' ? STRING_FORMATS.has(fmt) : type !== undefined && (NUMBER_FORMATS[type]?.has(fmt) ?? false);
    if (keep) out.format = fmt;
    else hints.push(`format: ${fmt}`);
  }

  const anyType = type === undefined;
  if (anyType || type === 'string') {
    if (typeof node.pattern === 'string') out.pattern = node.pattern;
    copyCount(node, out, 'minLength');
    copyCount(node, out, 'maxLength');
  }
  if (anyType || type === 'number' || type === 'integer') numericBounds(node, out, type === 'integer', hints);
  if (anyType || type === 'array') {
    const items = arrayItems(node);
    if (items !== undefined) {
      const c = clean(items, ctx, depth + 1, stack);
      if (c === DROP) return DROP;
      out.items = c;
    }
    copyCount(node, out, 'minItems');
    copyCount(node, out, 'maxItems');
  }
  if (anyType || type === 'object') {
    if (isObj(node.properties)) {
      const props: Obj = {};
      for (const [name, sub] of Object.entries(node.properties)) {
        const c = clean(sub === true ? {} : sub, ctx, depth + 1, stack);
        if (c !== DROP) props[name] = c;
      }
      const names = Object.keys(props);
      if (names.length > 0) {
        out.properties = props;
        const required = Array.isArray(node.required) ? [...new Set(node.required.filter((r): r is string => typeof r === 'string' && r in props))] : [];
        if (required.length > 0) out.required = required;
        if (Array.isArray(node.propertyOrdering)) {
          const ordering = node.propertyOrdering.filter((p): p is string => typeof p === 'string' && p in props);
          if (ordering.length > 0) out.propertyOrdering = ordering;
        }
      }
    }
    copyCount(node, out, 'minProperties');
    copyCount(node, out, 'maxProperties');
  }
  if ('default' in node && node.default !== undefined) out.default = node.default;
  if ('example' in node && node.example !== undefined) out.example = node.example;
  if (hints.length > 0) {
    const note = `(${hints.join('; ')})`;
    out.description = typeof out.description === 'string' && out.description !== '' ? `${out.description} ${note}` : note;
  }
  return out;
}

/** `items` as one schema: draft-7 tuples and 2020-12 `prefixItems` become a union of their element schemas. */
function arrayItems(node: Obj): unknown {
  if (Array.isArray(node.items)) return node.items.length === 1 ? node.items[0] : { anyOf: node.items };
  if (node.items !== undefined) return node.items;
  if (Array.isArray(node.prefixItems) && node.prefixItems.length > 0) return node.prefixItems.length === 1 ? node.prefixItems[0] : { anyOf: node.prefixItems };
  return undefined;
}

function copyCount(from: Obj, to: Obj, key: string): void {
  const v = from[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) to[key] = v;
}

/** minimum/maximum, with exclusive bounds made inclusive: exact for integers, noted in the description otherwise. */
function numericBounds(node: Obj, out: Obj, integer: boolean, hints: string[]): void {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  let min = num(node.minimum);
  let max = num(node.maximum);
  // Draft 4 spelled exclusiveness as a boolean next to minimum/maximum.
  let exMin = node.exclusiveMinimum === true ? min : num(node.exclusiveMinimum);
  let exMax = node.exclusiveMaximum === true ? max : num(node.exclusiveMaximum);
  if (node.exclusiveMinimum === true) min = undefined;
  if (node.exclusiveMaximum === true) max = undefined;
  if (exMin !== undefined) {
    const inclusive = integer ? Math.floor(exMin) + 1 : exMin;
    if (min === undefined || inclusive > min) {
      min = inclusive;
      if (!integer) hints.push(`must be greater than ${exMin}`);
    }
    exMin = undefined;
  }
  if (exMax !== undefined) {
    const inclusive = integer ? Math.ceil(exMax) - 1 : exMax;
    if (max === undefined || inclusive < max) {
      max = inclusive;
      if (!integer) hints.push(`must be less than ${exMax}`);
    }
    exMax = undefined;
  }
  if (min !== undefined) out.minimum = min;
  if (max !== undefined) out.maximum = max;
}

/** A union next to the schema's own keywords: a single branch is inlined, string enums are merged into one enum. */
function combineUnion(own: Obj, branches: Obj[], ctx: Ctx): Obj {
  if (branches.length === 0) return own;
  const annotations = pickAnnotations(own);
  const enumMerge = mergeStringEnums(branches);
  if (own.type !== undefined) {
    // The schema states its own type; branches may only narrow it (typically enum alternatives).
    if (enumMerge && (own.type === 'string' || own.type === 'STRING')) return { ...own, enum: enumMerge };
    const only = branches.length === 1 ? branches[0] : undefined;
    if (only && only.anyOf === undefined && (only.type === undefined || only.type === own.type)) return keepForType({ ...only, ...own }, String(own.type).toLowerCase());
    return own;
  }
  if (enumMerge) return { type: ctx.upper ? 'STRING' : 'string', ...withoutKey(own, 'type'), enum: enumMerge };
  if (branches.length === 1) return { ...branches[0], ...annotations };
  ctx.unions = true;
  return { ...own, anyOf: branches };
}

const TYPE_KEYWORDS: Record<string, readonly string[]> = {
  string: ['pattern', 'minLength', 'maxLength', 'enum'],
  number: ['minimum', 'maximum'],
  integer: ['minimum', 'maximum'],
  array: ['items', 'minItems', 'maxItems'],
  object: ['properties', 'required', 'propertyOrdering', 'minProperties', 'maxProperties'],
};

/** Removes keywords that belong to other types than `type` (what `buildOwn` would not have read for it). */
function keepForType(schema: Obj, type: string): Obj {
  const allowed = TYPE_KEYWORDS[type] ?? [];
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) {
    const foreign = Object.entries(TYPE_KEYWORDS).some(([t, keys]) => t !== type && keys.includes(k)) && !allowed.includes(k);
    if (k === 'format' && !(type === 'string' ? STRING_FORMATS.has(v as string) : (NUMBER_FORMATS[type]?.has(v as string) ?? false))) continue;
    if (!foreign) out[k] = v;
  }
  return out;
}

/** The values of branches that are all plain string enums (`{type: string, enum}` plus annotations), or undefined. */
function mergeStringEnums(branches: Obj[]): string[] | undefined {
  const values: string[] = [];
  for (const b of branches) {
    if (!Array.isArray(b.enum) || (b.type !== 'string' && b.type !== 'STRING')) return undefined;
    if (Object.keys(b).some((k) => k !== 'type' && k !== 'enum' && k !== 'description' && k !== 'title')) return undefined;
    for (const v of b.enum as string[]) if (!values.includes(v)) values.push(v);
  }
  return values.length > 0 ? values : undefined;
}
