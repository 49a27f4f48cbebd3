/**
 * Router message templates (hosted-router-notes 1.5): `{{var}}` placeholders filled from the request's
 * `prompt_variables`, the rendered messages put in front of the caller's messages. Substitution happens only in
 * the router's templates, never in the caller's messages, and is single-pass (a value containing `{{x}}` is not
 * expanded again). A variable the caller did not send renders as the empty string (the Mustache convention) and is
 * reported in `missing`, so it can be recorded.
 */
import type { ContentBlock, Message, Request, TextBlock } from '../../formats/canonical/types.js';
import type { MessageTemplate } from './types.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

function valueText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Fills `{{name}}` placeholders; names not in `vars` become '' and are added to `missing`. */
export function fillPlaceholders(text: string, vars: Readonly<Record<string, unknown>>, missing?: Set<string>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => {
    if (!Object.hasOwn(vars, name)) {
      missing?.add(name);
      return '';
    }
    return valueText(vars[name]);
  });
}

export interface RenderedTemplates {
  messages: Message[];
  /** Placeholder names with no value in `prompt_variables`. */
  missing: string[];
}

/**
 * Renders templates to canonical messages: `system`/`developer` become system messages, `tool` a user message
 * with a tool result, assistant `tool_calls` tool-call blocks. `content` comes before `content_items`.
 */
export function renderTemplates(templates: readonly MessageTemplate[], promptVariables: Readonly<Record<string, unknown>> | null | undefined): RenderedTemplates {
  const vars = promptVariables ?? {};
  const missing = new Set<string>();
  const messages: Message[] = [];
  for (const t of templates) {
    const texts: TextBlock[] = [];
    if (t.content !== undefined && t.content !== '') texts.push({ type: 'text', text: fillPlaceholders(t.content, vars, missing) });
    for (const item of t.contentItems ?? []) texts.push({ type: 'text', text: fillPlaceholders(item.text, vars, missing) });
    switch (t.role) {
      case 'system':
      case 'developer':
        messages.push({ role: 'system', content: texts, ...(t.role === 'developer' ? { systemKind: 'developer' as const } : {}) });
        break;
      case 'user':
        messages.push({ role: 'user', content: texts });
        break;
      case 'assistant': {
        const content: ContentBlock[] = [...texts];
        for (const call of t.toolCalls ?? []) content.push({ type: 'tool_call', id: call.id, name: call.name, input: parseArgs(fillPlaceholders(call.args ?? '', vars, missing)) });
        messages.push({ role: 'assistant', content });
        break;
      }
      case 'tool':
        messages.push({ role: 'user', content: [{ type: 'tool_result', toolCallId: t.toolCallId ?? '', content: texts }] });
        break;
    }
  }
  return { messages, missing: [...missing] };
}

function parseArgs(s: string): Record<string, unknown> {
  if (s.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(s);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { arguments: s };
  }
}

/**
 * Puts rendered template messages in front of the request's own, in the order a chat transcript would have them:
 * [templates..., the caller's system prompt, the caller's messages...]. Leading system messages of that sequence
 * become the canonical `system`; a system message after a user or assistant turn stays a (mid-conversation) system
 * message. Returns a new request; the input is not modified.
 */
export function prependTemplates(req: Request, rendered: readonly Message[]): Request {
  if (rendered.length === 0) return req;
  const sequence: Message[] = [...rendered];
  if (req.system.length > 0) sequence.push({ role: 'system', content: req.system });
  sequence.push(...req.messages);
  const system: TextBlock[] = [];
  let i = 0;
  for (; i < sequence.length && sequence[i].role === 'system'; i++) {
    for (const b of sequence[i].content) if (b.type === 'text') system.push(b);
  }
  return { ...req, system, messages: sequence.slice(i) };
}
