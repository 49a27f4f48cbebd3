import type { ClientEncodeOptions } from '../../canonical/codec.js';
import { emptyUsage, type Response, type StopReason } from '../../canonical/types.js';
import { decodeBlock } from './blocks-decode.js';
import { encodeClientBlocks } from './blocks-encode.js';
import { messageId } from './ids.js';
import { decodeStopReason, encodeStopReason } from './stop.js';
import { applyUsage, CANONICAL_USAGE_FIELDS, encodeUsage } from './usage.js';
import { expectObject, fail, given, isObject, optionalString, type Json } from './wire.js';

const MESSAGE_FIELDS = new Set(['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'usage']);

/**
 * `extensions.anthropic` of a response: the Message's Anthropic-only top-level fields (`stop_details`, `container`,
 * `context_management`...) as they are, plus `usage`: the Anthropic-only usage fields (`service_tier`,
 * `server_tool_use`, `inference_geo`...), merged back into `usage` for an Anthropic client.
 */
export function decodeResponse(body: unknown, ctx: { provider: string; model: string }): Response {
  const b = expectObject(body, 'response');
  if (!Array.isArray(b.content)) fail('content', 'expected an array of content blocks');
  const res: Response = {
    id: optionalString(b.id, 'id') ?? '',
    model: optionalString(b.model, 'model') ?? ctx.model,
    content: b.content.map((c, i) => decodeBlock(c, `content.${i}`)),
    stopReason: decodeStopReason(b.stop_reason),
    stopSequence: typeof b.stop_sequence === 'string' ? b.stop_sequence : null,
    usage: applyUsage(emptyUsage(), b.usage),
  };
  const ext: Json = {};
  for (const [k, v] of Object.entries(b)) if (!MESSAGE_FIELDS.has(k) && v !== undefined) ext[k] = v;
  if (isObject(b.usage)) {
    const usageExtra: Json = {};
    for (const [k, v] of Object.entries(b.usage)) if (!CANONICAL_USAGE_FIELDS.includes(k) && given(v)) usageExtra[k] = v;
    if (Object.keys(usageExtra).length) ext.usage = usageExtra;
  }
  if (Object.keys(ext).length) res.extensions = { anthropic: ext };
  return res;
}

/**
 * The stop reason an Anthropic client must see: Claude Code continues its agent loop only on `tool_use`, so it is
 * reported exactly when the answer holds tool_use blocks (an upstream that said `stop` with tool calls, or `tool_use`
 * without any, would otherwise end or hang the loop).
 */
export function clientStopReason(reason: StopReason, hasToolUse: boolean): string {
  if (reason === 'tool_use' && !hasToolUse) return 'end_turn';
  if (reason === 'end_turn' && hasToolUse) return 'tool_use';
  return encodeStopReason(reason);
}

export function encodeResponse(res: Response, opts: ClientEncodeOptions): Json {
  const { usage: usageExtra, ...top } = res.extensions?.anthropic ?? {};
  const content = res.content.flatMap((b) => encodeClientBlocks(b, opts.model));
  const body: Json = {
    ...top,
    id: messageId(res.id),
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: clientStopReason(res.stopReason, content.some((b) => b.type === 'tool_use')),
    stop_sequence: res.stopSequence ?? null,
    usage: encodeUsage(res.usage, isObject(usageExtra) ? usageExtra : undefined),
  };
  if (opts.metadata) body.metadata = opts.metadata();
  return body;
}
