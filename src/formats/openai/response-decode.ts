import type { ContentBlock, Response, SignatureOrigin, ToolCallBlock } from '../canonical/types.js';
import { decodeFinishReason } from './finish.js';
import { mintToolCallId, randomId, restoreToolName } from './ids.js';
import { parseToolArguments } from './json-args.js';
import { mistralThinkingText, reasoningText } from './messages-decode.js';
import { decodeUsage } from './usage.js';
import { isObj, str, type Obj } from './wire.js';

export interface DecodeContext {
  provider: string;
  model: string;
  toolNames?: readonly string[];
}

/** The Gemini thought signature its OpenAI-compatible endpoint attaches to a tool call. */
export function geminiToolSignature(call: Obj): string | undefined {
  const extra = call.extra_content;
  return isObj(extra) && isObj(extra.google) ? str(extra.google.thought_signature) || undefined : undefined;
}

export function toolCallBlock(call: Obj, ctx: DecodeContext): ToolCallBlock {
  const fn = isObj(call.function) ? call.function : {};
  const args = typeof fn.arguments === 'string' ? fn.arguments : isObj(fn.arguments) ? JSON.stringify(fn.arguments) : undefined;
  const block: ToolCallBlock = {
    type: 'tool_call',
    id: str(call.id) || mintToolCallId(),
    name: restoreToolName(str(fn.name) ?? '', ctx.toolNames),
    input: parseToolArguments(args),
  };
  const signature = geminiToolSignature(call);
  if (signature) {
    block.signature = signature;
    block.signatureOrigin = { format: 'gemini', provider: ctx.provider, model: ctx.model };
  }
  return block;
}

/** Fields only an OpenAI client can use, passed back to one by encodeResponse. */
const PASSTHROUGH = ['system_fingerprint', 'service_tier'] as const;

/**
 * An upstream chat.completion body → canonical response. Content order is reasoning, text, tool calls (wire-formats
 * 5.2); Mistral's array content (thinking and text parts) is read in its own order.
 */
export function decodeResponse(body: unknown, ctx: DecodeContext): Response {
  if (!isObj(body)) throw new Error(`provider ${ctx.provider} sent a chat completion that is not a JSON object`);
  if (isObj(body.error) && !Array.isArray(body.choices)) {
    throw new Error(`provider ${ctx.provider} answered with an error: ${str(body.error.message) ?? JSON.stringify(body.error)}`);
  }
  const choices = Array.isArray(body.choices) ? body.choices : [];
  const choice = (choices.find((c) => isObj(c) && (c.index === 0 || c.index === undefined)) ?? choices[0]) as Obj | undefined;
  const message = isObj(choice?.message) ? choice.message : {};
  const origin: SignatureOrigin = { format: 'openai', provider: ctx.provider, model: ctx.model };

  const content: ContentBlock[] = [];
  const reasoning = reasoningText(message);
  if (reasoning) content.push({ type: 'thinking', text: reasoning, signatureOrigin: origin });
  if (typeof message.content === 'string') {
    if (message.content !== '') content.push({ type: 'text', text: message.content });
  } else if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (!isObj(part)) continue;
      if (part.type === 'thinking') {
        const text = mistralThinkingText(part);
        if (text) content.push({ type: 'thinking', text, signatureOrigin: origin });
      } else if (typeof part.text === 'string' && part.text !== '') {
        content.push({ type: 'text', text: part.text });
      }
    }
  }
  const refusal = str(message.refusal);
  if (refusal) content.push({ type: 'text', text: refusal });

  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObj) : [];
  for (const call of calls) content.push(toolCallBlock(call, ctx));
  if (isObj(message.function_call)) content.push(toolCallBlock({ function: message.function_call }, ctx));

  const hasToolCalls = content.some((b) => b.type === 'tool_call');
  let stopReason = decodeFinishReason(choice?.finish_reason, hasToolCalls);
  if (refusal && !hasToolCalls && content.every((b) => b.type !== 'text' || b.text === refusal)) stopReason = 'refusal';

  const res: Response = {
    id: str(body.id) || randomId('chatcmpl-'),
    model: str(body.model) || ctx.model,
    content,
    stopReason,
    stopSequence: null,
    usage: decodeUsage(body.usage ?? (isObj(body.x_groq) ? body.x_groq.usage : undefined)),
  };
  const ext: Obj = {};
  for (const key of PASSTHROUGH) if (body[key] !== undefined && body[key] !== null) ext[key] = body[key];
  if (Array.isArray(message.annotations) && message.annotations.length) ext.annotations = message.annotations;
  if (choice && choice.logprobs !== undefined && choice.logprobs !== null) ext.logprobs = choice.logprobs;
  if (refusal) ext.refusal = refusal;
  if (Object.keys(ext).length) res.extensions = { openai: ext };
  return res;
}
