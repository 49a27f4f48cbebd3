import type { StopReason } from '../canonical/types.js';

/**
 * finishReason ↔ canonical stop reasons (wire-formats 5.9.1). Gemini has no "tool call" reason: a turn that calls
 * functions ends with STOP, so callers pass `calledTools` and such turns always end with `tool_use` (convention 7).
 */
const REFUSAL = new Set([
  'SAFETY',
  'RECITATION',
  'LANGUAGE',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'IMAGE_OTHER',
  'MODEL_ARMOR',
]);

/** The model tried to call a function and failed; the turn ends without a call, which must be explained to the user. */
export const FAILED_TOOL_CALL = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

export function decodeFinishReason(reason: string | undefined, calledTools: boolean): StopReason {
  if (calledTools) return 'tool_use';
  if (reason === 'MAX_TOKENS') return 'max_tokens';
  if (reason !== undefined && REFUSAL.has(reason)) return 'refusal';
  return 'end_turn';
}

export function isRefusalReason(reason: string | undefined): boolean {
  return reason !== undefined && REFUSAL.has(reason);
}

export function encodeFinishReason(stop: StopReason): string {
  switch (stop) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'MAX_TOKENS';
    case 'refusal':
      return 'SAFETY';
    case 'error':
      return 'OTHER';
    default:
      return 'STOP';
  }
}

/** The text shown in place of an answer the upstream withheld or could not produce. */
export function explainFinish(reason: string, message: string | undefined): string {
  const detail = message ? `: ${message}` : '';
  if (FAILED_TOOL_CALL.has(reason)) return `[Gemini could not produce a valid function call (${reason})${detail}]`;
  return `[Gemini stopped the response (${reason})${detail}]`;
}

export function explainPromptBlock(reason: string, message: string | undefined): string {
  return `[Gemini blocked the prompt (${reason})${message ? `: ${message}` : ''}]`;
}
