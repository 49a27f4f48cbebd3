import type { ErrorInfo, SignatureOrigin, StreamBlockStart, StreamEvent, Usage } from '../canonical/types.js';
import { emptyUsage } from '../canonical/types.js';
import { arrField, field, isObj, objField, strField, type Obj } from './fields.js';
import { errorFromGemini } from './errors.js';
import { decodeFinishReason, explainFinish, explainPromptBlock, FAILED_TOOL_CALL, isRefusalReason } from './finish.js';
import { mintResponseId, mintToolCallId } from './ids.js';
import { PartialArgs } from './partial-args.js';
import { decodeUsage, hasTokenCounts } from './usage.js';

export interface DecodeContext {
  provider: string;
  model: string;
  /** The prompt's estimated usage, asked for only when the first chunk carries no token counts. */
  estimateInput?: () => Usage;
}

type BlockKind = 'text' | 'thinking' | 'tool_call' | 'opaque';

interface OpenBlock {
  index: number;
  kind: BlockKind;
  signed: boolean;
}

/** Candidate members that are neither content nor the finish: kept for a Gemini client (grounding, citations...). */
const CANDIDATE_CORE = new Set(['content', 'finishReason', 'finish_reason', 'index']);
const RESPONSE_CORE = new Set(['candidates', 'usageMetadata', 'usage_metadata', 'responseId', 'response_id']);

/**
 * Turns GenerateContentResponse objects (one non-stream body, or each chunk of a stream) into canonical events.
 * Both decoders share it so a stream and the same answer unstreamed decode to the same content:
 * - consecutive text parts (and consecutive thought parts) form one block, kept open until another kind starts;
 * - a `thoughtSignature` belongs to the part it rides on; one on an empty text part (how Gemini 3 ends a streamed
 *   text) goes to the open text/thinking block, or else becomes an empty thinking block that carries it, so an
 *   Anthropic client replays it and the request encoder puts it back where it was;
 * - each complete functionCall is start + one JSON fragment + stop; Vertex partialArgs calls are rebuilt first;
 * - other parts (code execution, inline data) become opaque Gemini blocks.
 * The finish is held until `close()` so the last usageMetadata (running totals) is the one reported.
 */
export class ResponseEvents {
  private readonly origin: SignatureOrigin;
  private started = false;
  private startUsage: Usage = emptyUsage();
  private nextIndex = 0;
  private open: OpenBlock | null = null;
  private partial: { index: number; args: PartialArgs } | null = null;
  private calledTools = false;
  private contentBlocks = 0;
  private usage: Usage | undefined;
  private finishReason: string | undefined;
  private finishMessage: string | undefined;
  private blocked: { reason: string; message?: string } | undefined;
  private done = false;
  /** Non-content members of the response and candidate (last value wins). */
  readonly extras: { response: Obj; candidate: Obj } = { response: {}, candidate: {} };

  constructor(private readonly ctx: DecodeContext) {
    this.origin = { format: 'gemini', provider: ctx.provider, model: ctx.model };
  }

  chunk(body: unknown): StreamEvent[] {
    if (this.done) return [];
    const out: StreamEvent[] = [];
    if (!isObj(body)) return this.fail({ status: 502, kind: 'api_error', message: 'Gemini sent a chunk that is not a JSON object' });
    if (isObj(body.error)) return this.fail(errorFromGemini(0, body.error));
    const meta = field(body, 'usageMetadata');
    if (!this.started) this.start(body, meta, out);
    if (hasTokenCounts(meta)) this.usage = decodeUsage(meta);
    for (const [k, v] of Object.entries(body)) if (!RESPONSE_CORE.has(k)) this.extras.response[k] = v;

    const candidates = arrField(body, 'candidates');
    const candidate = candidates && isObj(candidates[0]) ? candidates[0] : undefined;
    if (candidate) {
      const parts = arrField(objField(candidate, 'content') ?? {}, 'parts') ?? [];
      for (const p of parts) if (isObj(p)) this.part(p, out);
      const reason = strField(candidate, 'finishReason');
      if (reason !== undefined) this.finishReason = reason;
      const message = strField(candidate, 'finishMessage');
      if (message !== undefined) this.finishMessage = message;
      for (const [k, v] of Object.entries(candidate)) if (!CANDIDATE_CORE.has(k)) this.extras.candidate[k] = v;
    } else {
      const feedback = objField(body, 'promptFeedback');
      const reason = feedback && strField(feedback, 'blockReason');
      if (reason) this.blocked = { reason, message: strField(feedback, 'blockReasonMessage') };
    }
    return out;
  }

  /**
   * The upstream is done. A stream must have said how it finished; a non-stream body without finishReason
   * (`assumeFinished`) is taken as complete.
   */
  close(assumeFinished = false): StreamEvent[] {
    if (this.done) return [];
    if (this.finishReason === undefined && this.blocked === undefined && !assumeFinished) {
      return this.fail({ status: 502, kind: 'api_error', message: 'Gemini stream ended early: no finishReason was received' });
    }
    const out: StreamEvent[] = [];
    if (!this.started) this.start({}, undefined, out);
    this.closeAll(out);
    const reason = this.blocked?.reason ?? this.finishReason;
    let stopReason = decodeFinishReason(reason, this.calledTools);
    if (this.blocked && !this.calledTools) {
      stopReason = 'refusal';
      if (this.contentBlocks === 0) this.explain(explainPromptBlock(this.blocked.reason, this.blocked.message), out);
    } else if (reason !== undefined && !this.calledTools && (FAILED_TOOL_CALL.has(reason) || (isRefusalReason(reason) && this.contentBlocks === 0))) {
      this.explain(explainFinish(reason, this.finishMessage), out);
    }
    out.push({ type: 'finish', stopReason, usage: this.usage ?? this.startUsage });
    this.done = true;
    return out;
  }

  fail(error: ErrorInfo): StreamEvent[] {
    if (this.done) return [];
    this.done = true;
    return [{ type: 'error', error }];
  }

  private start(body: Obj, meta: unknown, out: StreamEvent[]): void {
    this.started = true;
    // The start carries input counts only; output arrives with the finish.
    this.startUsage = hasTokenCounts(meta) ? { ...decodeUsage(meta), output: 0, reasoning: 0 } : (this.ctx.estimateInput?.() ?? emptyUsage());
    out.push({ type: 'start', id: strField(body, 'responseId') ?? mintResponseId(), model: this.ctx.model, usage: this.startUsage });
  }

  private part(p: Obj, out: StreamEvent[]): void {
    const signature = strField(p, 'thoughtSignature');
    const call = objField(p, 'functionCall');
    if (call) return this.functionCall(call, signature, out);
    const text = field(p, 'text');
    if (typeof text === 'string') {
      this.finishPartial(out);
      const kind = field(p, 'thought') === true ? 'thinking' : 'text';
      if (text === '') {
        if (signature) this.attachSignature(signature, out, kind === 'thinking');
        return;
      }
      if (this.open?.kind !== kind || (signature !== undefined && this.open.signed)) {
        this.closeOpen(out);
        this.startBlock(kind === 'thinking' ? { type: 'thinking', signatureOrigin: this.origin } : { type: 'text' }, out);
      }
      const index = this.open!.index;
      out.push(kind === 'thinking' ? { type: 'thinking_delta', index, text } : { type: 'text_delta', index, text });
      if (signature) this.sign(signature, out);
      return;
    }
    const data = Object.keys(p).filter((k) => k !== 'thoughtSignature' && k !== 'thought_signature' && k !== 'thought');
    if (data.length === 0) {
      if (signature) this.attachSignature(signature, out);
      return;
    }
    this.closeAll(out);
    const index = this.startBlock({ type: 'opaque', format: 'gemini', value: p }, out);
    out.push({ type: 'block_stop', index });
    this.open = null;
  }

  private functionCall(call: Obj, signature: string | undefined, out: StreamEvent[]): void {
    const name = strField(call, 'name');
    const willContinue = field(call, 'willContinue') === true;
    const partialArgs = arrField(call, 'partialArgs');
    const args = objField(call, 'args');
    if (this.partial && name === undefined) {
      if (partialArgs) this.partial.args.apply(partialArgs);
      if (args) Object.assign(this.partial.args.args, args);
      if (!willContinue) this.finishPartial(out);
      return;
    }
    if (name === undefined) {
      // A continuation with no call in progress carries nothing attributable, except possibly a signature.
      if (signature) this.attachSignature(signature, out);
      return;
    }
    this.closeAll(out);
    const block: StreamBlockStart = { type: 'tool_call', id: mintToolCallId(), name };
    if (signature) {
      block.signature = signature;
      block.signatureOrigin = this.origin;
    }
    const index = this.startBlock(block, out);
    this.calledTools = true;
    if (willContinue) {
      this.partial = { index, args: new PartialArgs(args) };
      if (partialArgs) this.partial.args.apply(partialArgs);
      return;
    }
    out.push({ type: 'tool_args_delta', index, json: JSON.stringify(args ?? {}) });
    out.push({ type: 'block_stop', index });
    this.open = null;
  }

  private finishPartial(out: StreamEvent[]): void {
    if (!this.partial) return;
    const { index, args } = this.partial;
    out.push({ type: 'tool_args_delta', index, json: JSON.stringify(args.args) });
    out.push({ type: 'block_stop', index });
    this.partial = null;
    this.open = null;
  }

  /**
   * A signature that arrived without content of its own belongs to the open text or thinking block (only a thinking
   * block when the part says `thought: true`); with no such block it gets an empty thinking block of its own.
   */
  private attachSignature(signature: string, out: StreamEvent[], thoughtOnly = false): void {
    this.finishPartial(out);
    const open = this.open;
    if (open && !open.signed && (open.kind === 'thinking' || (open.kind === 'text' && !thoughtOnly))) {
      this.sign(signature, out);
      return;
    }
    this.closeOpen(out);
    this.startBlock({ type: 'thinking', signatureOrigin: this.origin }, out);
    this.sign(signature, out);
    this.closeOpen(out);
  }

  private sign(signature: string, out: StreamEvent[]): void {
    const open = this.open!;
    out.push({ type: 'signature_delta', index: open.index, signature, signatureOrigin: this.origin });
    open.signed = true;
  }

  private startBlock(block: StreamBlockStart, out: StreamEvent[]): number {
    const index = this.nextIndex++;
    out.push({ type: 'block_start', index, block });
    this.open = { index, kind: block.type as BlockKind, signed: block.type === 'tool_call' && block.signature !== undefined };
    this.contentBlocks++;
    return index;
  }

  private closeOpen(out: StreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: 'block_stop', index: this.open.index });
    this.open = null;
  }

  private closeAll(out: StreamEvent[]): void {
    this.finishPartial(out);
    this.closeOpen(out);
  }

  private explain(text: string, out: StreamEvent[]): void {
    const index = this.startBlock({ type: 'text' }, out);
    out.push({ type: 'text_delta', index, text });
    this.closeOpen(out);
  }
}
