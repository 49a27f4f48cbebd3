/**
 * OpenAI does not bill tool definitions as the JSON the client sent: the model sees them rendered as a TypeScript
 * namespace in the system prompt (`namespace functions { // desc \n type name = (_: { prop: string, }) => any; }`).
 * Counting that rendering instead of the JSON is what gets the estimate within a few tokens of `prompt_tokens`.
 * The rendering is the widely reverse-engineered one; JSON Schema features beyond it (anyOf, $ref, const...) are
 * rendered the way TypeScript would spell them, which is close enough for counting.
 */
import type { Tool } from '../canonical/types.js';

type Schema = Record<string, unknown>;

const MAX_DEPTH = 12;

export function renderOpenAiTools(tools: readonly Tool[]): string {
  const lines = ['namespace functions {', ''];
  for (const t of tools) lines.push(renderFunction(t), '');
  lines.push('} // namespace functions');
  return lines.join('\n');
}

/** One function of the namespace: its description as a comment and its signature as a TypeScript type. */
export function renderFunction(t: Tool): string {
  const lines: string[] = [];
  if (t.description) lines.push(comment(t.description, ''));
  if (properties(t.inputSchema).length > 0) {
    lines.push(`type ${t.name} = (_: {`, renderProperties(t.inputSchema, 0), '}) => any;');
  } else {
    lines.push(`type ${t.name} = () => any;`);
  }
  return lines.join('\n');
}

function properties(schema: Schema): Array<[string, Schema]> {
  const p = schema.properties;
  if (!p || typeof p !== 'object' || Array.isArray(p)) return [];
  return Object.entries(p as Record<string, unknown>).map(([k, v]) => [k, isSchema(v) ? v : {}]);
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function comment(text: string, indent: string): string {
  return text
    .split('\n')
    .map((l) => `${indent}// ${l}`)
    .join('\n');
}

function renderProperties(schema: Schema, depth: number): string {
  const indent = ' '.repeat(depth * 2);
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  const out: string[] = [];
  for (const [name, prop] of properties(schema)) {
    if (typeof prop.description === 'string' && prop.description) out.push(comment(prop.description, indent));
    const opt = required.includes(name) ? '' : '?';
    out.push(`${indent}${name}${opt}: ${renderType(prop, depth)},`);
  }
  return out.join('\n');
}

function literal(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function renderType(schema: Schema, depth: number): string {
  if (depth > MAX_DEPTH) return 'any';
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ') || 'never';
  if ('const' in schema) return literal(schema.const);
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return union.map((s) => (isSchema(s) ? renderType(s, depth) : 'any')).join(' | ');
  if (Array.isArray(schema.allOf)) return schema.allOf.map((s) => (isSchema(s) ? renderType(s, depth) : 'any')).join(' & ');
  const type = schema.type;
  if (Array.isArray(type)) return type.map((t) => renderType({ ...schema, type: t }, depth)).join(' | ');
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return isSchema(schema.items) ? `${wrap(renderType(schema.items, depth))}[]` : 'any[]';
    case 'object':
      if (properties(schema).length === 0) return 'object';
      return ['{', renderProperties(schema, depth + 1), `${' '.repeat(depth * 2)}}`].join('\n');
    default:
      return properties(schema).length > 0 ? renderType({ ...schema, type: 'object' }, depth) : 'any';
  }
}

function wrap(t: string): string {
  return t.includes(' | ') || t.includes(' & ') ? `(${t})` : t;
}
