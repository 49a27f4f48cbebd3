import type { ClientEncodeOptions } from '../canonical/codec.js';
import type { Response } from '../canonical/types.js';
import { encodeStopReason } from './finish.js';
import { randomId } from './ids.js';
import { encodeUsage } from './usage.js';
import { isObj, type Obj } from './wire.js';

export function completionId(id: string | undefined): string {
  if (!id) return randomId('chatcmpl-');
  return id.startsWith('chatcmpl-') ? id : `chatcmpl-${id}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Canonical response → a standard `chat.completion` for an OpenAI client. Thinking text goes out as the de-facto
 * `reasoning_content` field; signatures, redacted thinking and blocks of other formats are dropped.
 */
export function encodeResponse(res: Response, opts: ClientEncodeOptions): Obj {
  const ext = res.extensions?.openai ?? {};
  const refusal = typeof ext.refusal === 'string' ? ext.refusal : undefined;
  let text = '';
  let refusalSeen = false;
  const reasoning: string[] = [];
  const toolCalls: Obj[] = [];
  for (const b of res.content) {
    if (b.type === 'text') {
      // The refusal travels in its own field when it came from an OpenAI upstream.
      if (refusal !== undefined && !refusalSeen && b.text === refusal) refusalSeen = true;
      else text += b.text;
    } else if (b.type === 'thinking') {
      if (b.text !== '') reasoning.push(b.text);
    } else if (b.type === 'tool_call') {
      toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } });
    }
  }
  const message: Obj = {
    role: 'assistant',
    content: text === '' && (toolCalls.length > 0 || refusalSeen) ? null : text,
    refusal: refusalSeen ? refusal : null,
  };
  if (reasoning.length) message.reasoning_content = reasoning.join('\n\n');
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (Array.isArray(ext.annotations)) message.annotations = ext.annotations;

  const finish = refusalSeen && res.stopReason === 'refusal' ? 'stop' : encodeStopReason(res.stopReason);
  const body: Obj = {
    id: completionId(res.id),
    object: 'chat.completion',
    created: nowSeconds(),
    model: opts.model,
    choices: [{ index: 0, message, logprobs: isObj(ext.logprobs) ? ext.logprobs : null, finish_reason: finish }],
    usage: encodeUsage(res.usage),
  };
  if (typeof ext.system_fingerprint === 'string') body.system_fingerprint = ext.system_fingerprint;
  if (typeof ext.service_tier === 'string') body.service_tier = ext.service_tier;
  if (opts.metadata) body.metadata = opts.metadata();
  return body;
}
