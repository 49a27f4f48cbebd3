import { CodecError } from '../canonical/codec.js';
import type { ContentBlock, Message, TextBlock, ThinkingBlock, ToolCallBlock, ToolResultBlock } from '../canonical/types.js';
import { decodeContent, decodeTextOnly } from './content-decode.js';
import { mintToolCallId } from './ids.js';
import { parseToolArguments } from './json-args.js';
import { isObj, str, type Obj } from './wire.js';

export interface DecodedMessages {
  system: TextBlock[];
  /** Role of the leading system messages when they were `developer`. */
  systemKind?: 'system' | 'developer';
  messages: Message[];
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** Reasoning text on an assistant message; vendors name it differently, some send both with the same text. */
export function reasoningText(m: Obj): string | undefined {
  const a = str(m.reasoning_content);
  if (a) return a;
  const b = str(m.reasoning);
  return b || undefined;
}

function thinking(text: string): ThinkingBlock {
  return { type: 'thinking', text, signatureOrigin: { format: 'openai' } };
}

/** Mistral reasoning parts: `{type:"thinking", thinking:[{type:"text", text}]}` (or a plain string). */
export function mistralThinkingText(part: Obj): string {
  const t = part.thinking;
  if (typeof t === 'string') return t;
  if (!Array.isArray(t)) return '';
  return t.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('');
}

function stringArguments(args: unknown): string | undefined {
  if (typeof args === 'string') return args;
  // Some clients send the arguments already parsed.
  if (isObj(args)) return JSON.stringify(args);
  return undefined;
}

function decodeToolCall(call: unknown, path: string): ContentBlock {
  if (!isObj(call)) throw new CodecError(`Invalid value for '${path}': expected a tool call object.`, path);
  if (call.type !== undefined && call.type !== 'function') return { type: 'opaque', format: 'openai', value: call };
  const fn = call.function;
  if (!isObj(fn) || typeof fn.name !== 'string' || fn.name === '') {
    throw new CodecError(`Missing required parameter: '${path}.function.name'.`, `${path}.function.name`);
  }
  const args = stringArguments(fn.arguments);
  if (fn.arguments !== undefined && args === undefined) {
    throw new CodecError(`Invalid type for '${path}.function.arguments': expected a JSON string.`, `${path}.function.arguments`);
  }
  const block: ToolCallBlock = { type: 'tool_call', id: str(call.id) || mintToolCallId(), name: fn.name, input: parseToolArguments(args) };
  const signature = isObj(call.extra_content) && isObj(call.extra_content.google) ? str(call.extra_content.google.thought_signature) : undefined;
  if (signature) {
    block.signature = signature;
    block.signatureOrigin = { format: 'gemini' };
  }
  return block;
}

function decodeAssistant(m: Obj, path: string, legacyId: string): Message {
  const content: ContentBlock[] = [];
  const reasoning = reasoningText(m);
  if (reasoning) content.push(thinking(reasoning));
  if (typeof m.content === 'string') {
    if (m.content !== '') content.push({ type: 'text', text: m.content });
  } else if (Array.isArray(m.content)) {
    m.content.forEach((part, i) => {
      if (isObj(part) && part.type === 'thinking') {
        const text = mistralThinkingText(part);
        if (text) content.push(thinking(text));
        return;
      }
      for (const block of decodeContent([part], `${path}.content[${i}]`)) content.push(block);
    });
  } else if (m.content !== null && m.content !== undefined) {
    throw new CodecError(`Invalid type for '${path}.content': expected a string, an array of content parts or null.`, `${path}.content`);
  }
  if (typeof m.refusal === 'string' && m.refusal !== '') content.push({ type: 'text', text: m.refusal });
  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    if (!Array.isArray(m.tool_calls)) throw new CodecError(`Invalid type for '${path}.tool_calls': expected an array.`, `${path}.tool_calls`);
    m.tool_calls.forEach((call, j) => content.push(decodeToolCall(call, `${path}.tool_calls[${j}]`)));
  }
  if (isObj(m.function_call)) {
    content.push(decodeToolCall({ id: legacyId, type: 'function', function: m.function_call }, `${path}.function_call`));
  }
  const msg: Message = { role: 'assistant', content };
  if (typeof m.name === 'string') msg.name = m.name;
  return msg;
}

function toolResultContent(blocks: ContentBlock[]): ToolResultBlock['content'] {
  return blocks.filter((b): b is ToolResultBlock['content'][number] => b.type === 'text' || b.type === 'image' || b.type === 'document');
}

/**
 * OpenAI messages → canonical. Leading system/developer messages become the system prompt; later ones stay in place
 * as system-role messages. Consecutive tool (and legacy function) messages become one user turn of tool results, and
 * a user message right after them joins that turn, which is the shape Anthropic requires.
 */
export function decodeMessages(raw: unknown): DecodedMessages {
  if (!Array.isArray(raw)) throw new CodecError(`Invalid type for 'messages': expected an array of messages.`, 'messages');
  if (raw.length === 0) throw new CodecError(`Invalid 'messages': empty array. Expected an array with minimum length 1.`, 'messages');
  const out: DecodedMessages = { system: [], messages: [] };
  let leading = true;
  /** The user turn that collected the latest run of tool results, still open to one following user message. */
  let toolTurn: Message | null = null;
  const namesById = new Map<string, string>();
  /** Legacy function calls without ids, by name, oldest first, until a function message answers them. */
  const legacyCalls = new Map<string, string[]>();

  raw.forEach((m, i) => {
    const path = `messages[${i}]`;
    if (!isObj(m)) throw new CodecError(`Invalid type for '${path}': expected an object.`, path);
    const role = m.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw new CodecError(`Invalid value for '${path}.role': expected one of system, developer, user, assistant, tool.`, `${path}.role`);
    }
    if (role === 'system' || role === 'developer') {
      const blocks = decodeTextOnly(m.content, `${path}.content`);
      toolTurn = null;
      if (leading) {
        out.system.push(...blocks);
        if (role === 'developer') out.systemKind = 'developer';
        return;
      }
      const msg: Message = { role: 'system', content: blocks, systemKind: role };
      if (typeof m.name === 'string') msg.name = m.name;
      out.messages.push(msg);
      return;
    }
    leading = false;
    if (role === 'assistant') {
      toolTurn = null;
      const msg = decodeAssistant(m, path, `call_legacy_${i}`);
      for (const b of msg.content) {
        if (b.type !== 'tool_call') continue;
        namesById.set(b.id, b.name);
        if (isObj(m.function_call) && b.id === `call_legacy_${i}`) legacyCalls.set(b.name, [...(legacyCalls.get(b.name) ?? []), b.id]);
      }
      out.messages.push(msg);
      return;
    }
    if (role === 'tool' || role === 'function') {
      let id: string | undefined;
      let name = str(m.name);
      if (role === 'tool') {
        id = str(m.tool_call_id);
        if (!id) throw new CodecError(`Missing required parameter: '${path}.tool_call_id'.`, `${path}.tool_call_id`);
        name ??= namesById.get(id);
      } else {
        if (!name) throw new CodecError(`Missing required parameter: '${path}.name'.`, `${path}.name`);
        id = legacyCalls.get(name)?.shift() ?? `call_legacy_${i}`;
      }
      const block: ToolResultBlock = { type: 'tool_result', toolCallId: id, content: toolResultContent(decodeContent(m.content, `${path}.content`)) };
      if (name !== undefined) block.name = name;
      if (!toolTurn) {
        toolTurn = { role: 'user', content: [] };
        out.messages.push(toolTurn);
      }
      toolTurn.content.push(block);
      return;
    }
    const content = decodeContent(m.content, `${path}.content`);
    if (toolTurn) {
      toolTurn.content.push(...content);
      if (typeof m.name === 'string') toolTurn.name = m.name;
      toolTurn = null;
      return;
    }
    const msg: Message = { role: 'user', content };
    if (typeof m.name === 'string') msg.name = m.name;
    out.messages.push(msg);
  });
  return out;
}
