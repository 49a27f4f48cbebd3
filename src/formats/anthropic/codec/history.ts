import type { Message, TextBlock } from '../../canonical/types.js';
import { encodeUpstreamBlock, type UpstreamBlockOptions } from './blocks-encode.js';
import type { Json } from './wire.js';

export interface WireMessage {
  role: 'user' | 'assistant' | 'system';
  content: Json[];
}

export interface History {
  /** Text blocks of the top-level `system`. */
  system: Json[];
  messages: WireMessage[];
}

/**
 * Canonical conversation → Anthropic `system` + `messages`, shaped the way the Messages API insists on:
 * - no empty text blocks and no empty turns; consecutive turns of one role merged into one;
 * - every `tool_result` answering the previous assistant turn's `tool_use` blocks sits in the very next user turn,
 *   first in its content and in the order of the calls (results found in a later user turn are moved up);
 * - mid-conversation system messages stay in place for an Anthropic client's request (`role: "system"` is an
 *   Anthropic message role behind the mid-conversation-system beta) and are appended to the top-level system prompt
 *   for any other client, losing their position.
 */
export function buildHistory(system: TextBlock[], messages: Message[], o: UpstreamBlockOptions): History {
  const sys = system.map((b) => encodeUpstreamBlock(b, o)).filter((b): b is Json => b !== null);
  let out: WireMessage[] = [];
  for (const m of messages) {
    const content = m.content.map((b) => encodeUpstreamBlock(b, o)).filter((b): b is Json => b !== null);
    if (m.role === 'system') {
      const text = content.filter((b) => b.type === 'text');
      if (!o.sameFormat) {
        sys.push(...text);
        continue;
      }
      if (text.length) out.push({ role: 'system', content: text });
      continue;
    }
    if (content.length) out.push({ role: m.role, content });
  }
  out = mergeSameRole(out);
  if (moveToolResults(out)) out = mergeSameRole(out.filter((m) => m.content.length > 0));
  orderToolResults(out);
  return { system: sys, messages: out };
}

function mergeSameRole(msgs: WireMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const m of msgs) {
    const prev = out[out.length - 1];
    if (prev && prev.role === m.role) prev.content = [...prev.content, ...m.content];
    else out.push({ role: m.role, content: [...m.content] });
  }
  return out;
}

function toolUseIds(m: WireMessage): string[] {
  return m.content.filter((b) => b.type === 'tool_use').map((b) => b.id as string);
}

function isResultFor(b: Json, id: string): boolean {
  return b.type === 'tool_result' && b.tool_use_id === id;
}

/** Moves results that arrived in a later user turn into the turn right after their calls. Returns whether anything moved. */
function moveToolResults(msgs: WireMessage[]): boolean {
  let moved = false;
  for (let i = 0; i < msgs.length; i++) {
    if (msgs[i].role !== 'assistant') continue;
    const ids = toolUseIds(msgs[i]);
    if (!ids.length) continue;
    for (const id of ids) {
      const next = msgs[i + 1]?.role === 'user' ? msgs[i + 1] : undefined;
      if (next?.content.some((b) => isResultFor(b, id))) continue;
      for (let k = i + 2; k < msgs.length; k++) {
        if (msgs[k].role !== 'user') continue;
        const at = msgs[k].content.findIndex((b) => isResultFor(b, id));
        if (at < 0) continue;
        const [result] = msgs[k].content.splice(at, 1);
        let target = msgs[i + 1];
        if (target?.role !== 'user') {
          target = { role: 'user', content: [] };
          msgs.splice(i + 1, 0, target);
        }
        target.content.push(result);
        moved = true;
        break;
      }
    }
  }
  return moved;
}

/** Tool results first in each user turn, those answering the previous turn's calls in call order. */
function orderToolResults(msgs: WireMessage[]): void {
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m.role !== 'user' || !m.content.some((b) => b.type === 'tool_result')) continue;
    const ids = i > 0 && msgs[i - 1].role === 'assistant' ? toolUseIds(msgs[i - 1]) : [];
    const rank = (b: Json): number => {
      const at = ids.indexOf(b.tool_use_id as string);
      return at < 0 ? ids.length : at;
    };
    const results = m.content.filter((b) => b.type === 'tool_result');
    const others = m.content.filter((b) => b.type !== 'tool_result');
    // Array.prototype.sort is stable: results for unknown ids keep their relative order after the known ones.
    results.sort((a, b) => rank(a) - rank(b));
    m.content = [...results, ...others];
  }
}
