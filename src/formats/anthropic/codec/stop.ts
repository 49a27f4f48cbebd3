import type { StopReason } from '../../canonical/types.js';

/** Anthropic `stop_reason` → canonical (wire-formats 5.9.1). */
export function decodeStopReason(v: unknown): StopReason {
  switch (v) {
    case 'end_turn':
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
    case 'refusal':
    case 'pause_turn':
      return v;
    case 'model_context_window_exceeded':
      return 'context_window_exceeded';
    default:
      // null or a reason newer than this codec: the turn is over and nothing says otherwise.
      return 'end_turn';
  }
}

/** Canonical → Anthropic `stop_reason`. `error` only reaches here for a response that ended badly but has content. */
export function encodeStopReason(r: StopReason): string {
  switch (r) {
    case 'context_window_exceeded':
      return 'model_context_window_exceeded';
    case 'error':
      return 'end_turn';
    default:
      return r;
  }
}
