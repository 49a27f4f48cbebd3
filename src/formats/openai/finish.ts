import type { StopReason } from '../canonical/types.js';

/**
 * finish_reason ↔ canonical stop reason (wire-formats 5.9.1). A turn that produced tool calls is `tool_use` whatever
 * the vendor said (some report `stop`), because clients such as Claude Code end their agent loop on anything else;
 * only `length` wins over it, since the calls may then be cut off.
 */
export function decodeFinishReason(reason: unknown, hasToolCalls: boolean): StopReason {
  if (reason === 'length' || reason === 'max_tokens') return 'max_tokens';
  if (hasToolCalls) return 'tool_use';
  switch (reason) {
    case 'tool_calls':
    case 'function_call':
      // Claimed tool use without a call: saying tool_use would leave the client waiting for a tool_use block.
      return 'end_turn';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function encodeStopReason(reason: StopReason): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
