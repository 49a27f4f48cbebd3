import type { ContentBlock, Response, StopReason, StreamEvent, Usage } from '../canonical/types.js';
import { emptyUsage } from '../canonical/types.js';

/**
 * Folds canonical stream events into the blocks of a Response (how the Gemini decoders share one event machine, and
 * how tests compare a stream with its unstreamed equivalent). Tool arguments are parsed once the block stops.
 */
export interface Assembled {
  id: string;
  model: string;
  content: ContentBlock[];
  stopReason: StopReason | undefined;
  usage: Usage;
  error?: Extract<StreamEvent, { type: 'error' }>['error'];
}

export function assembleEvents(events: Iterable<StreamEvent>): Assembled {
  const out: Assembled = { id: '', model: '', content: [], stopReason: undefined, usage: emptyUsage() };
  const blocks = new Map<number, ContentBlock>();
  const args = new Map<number, string>();
  for (const ev of events) {
    switch (ev.type) {
      case 'start':
        out.id = ev.id;
        out.model = ev.model;
        out.usage = ev.usage;
        break;
      case 'block_start': {
        const b = ev.block;
        let block: ContentBlock;
        if (b.type === 'text') block = { type: 'text', text: '' };
        else if (b.type === 'thinking') block = { type: 'thinking', text: '', ...(b.signatureOrigin ? { signatureOrigin: b.signatureOrigin } : {}) };
        else if (b.type === 'redacted_thinking') block = { type: 'redacted_thinking', data: b.data };
        else if (b.type === 'tool_call') {
          block = { type: 'tool_call', id: b.id, name: b.name, input: {} };
          if (b.signature !== undefined) block.signature = b.signature;
          if (b.signatureOrigin) block.signatureOrigin = b.signatureOrigin;
          args.set(ev.index, '');
        } else block = { type: 'opaque', format: b.format, value: b.value };
        blocks.set(ev.index, block);
        out.content.push(block);
        break;
      }
      case 'text_delta':
      case 'thinking_delta': {
        const block = blocks.get(ev.index);
        if (block && (block.type === 'text' || block.type === 'thinking')) block.text += ev.text;
        break;
      }
      case 'signature_delta': {
        const block = blocks.get(ev.index);
        if (block && (block.type === 'text' || block.type === 'thinking' || block.type === 'tool_call')) {
          block.signature = ev.signature;
          if (ev.signatureOrigin) block.signatureOrigin = ev.signatureOrigin;
        }
        break;
      }
      case 'tool_args_delta':
        args.set(ev.index, (args.get(ev.index) ?? '') + ev.json);
        break;
      case 'block_stop': {
        const block = blocks.get(ev.index);
        const json = args.get(ev.index);
        if (block?.type === 'tool_call' && json !== undefined) block.input = parseArgs(json);
        break;
      }
      case 'finish':
        out.stopReason = ev.stopReason;
        out.usage = ev.usage;
        break;
      case 'error':
        out.error = ev.error;
        break;
    }
  }
  return out;
}

function parseArgs(json: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function toResponse(a: Assembled): Response {
  return { id: a.id, model: a.model, content: a.content, stopReason: a.stopReason ?? 'end_turn', usage: a.usage };
}
