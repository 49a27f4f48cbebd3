import type { ErrorInfo, Request, Response, StreamEvent, Usage, WireFormat } from './types.js';

/** What an encoder needs to know about the upstream it writes for (per-provider data, never codec branches). */
export interface UpstreamTarget {
  provider: string;
  /** The model id as the provider knows it. */
  model: string;
  /** Output token limit of the model, when known: `maxTokens` is clamped to it. */
  maxOutputTokens?: number;
  /** Default `maxTokens` when the client gave none and the format requires one. */
  defaultMaxTokens?: number;
  quirks: ProviderQuirks;
}

/** Per-provider differences of OpenAI-compatible (and other) upstreams, as data (wire-formats section 3.6). */
export interface ProviderQuirks {
  /** Field carrying the output limit: OpenAI reasoning models want `max_completion_tokens`. Default `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Role used for system prompts. Default `system`. */
  systemRole?: 'system' | 'developer';
  /** Message content must be a string, not parts (Groq). */
  stringContentOnly?: boolean;
  /** Remove `$schema` from tool parameter schemas (Groq). */
  stripSchemaKeyword?: boolean;
  /** Tool call ids must be exactly 9 alphanumerics (Mistral). */
  toolCallIdStyle?: 'any' | 'alnum9';
  /** Where the upstream streams reasoning text: `reasoning_content` (DeepSeek, xAI) or `reasoning` (OpenRouter, Groq). */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** Prior reasoning must be replayed on assistant messages with tool calls (DeepSeek thinking mode). */
  replayReasoningContent?: boolean;
  /** How to ask for reasoning: `reasoning_effort` (OpenAI), `reasoning: {effort}` (OpenRouter), or not at all. */
  reasoningRequest?: 'reasoning_effort' | 'reasoning_object' | 'none';
  /** Upstream supports `stream_options.include_usage`. Default true. */
  streamUsage?: boolean;
  /** Upstream accepts `cache_control` markers on content parts (OpenRouter to Claude). */
  cacheControl?: boolean;
  /** Upstream rejects an empty `tools: []`. */
  omitEmptyTools?: boolean;
  /** Upstream rejects `tool_choice` (DeepSeek reasoner). */
  noToolChoice?: boolean;
  /** Upstream rejects `temperature`/`top_p` other than defaults (OpenAI reasoning models). */
  noSampling?: boolean;
  /** Maximum number of stop sequences. */
  maxStop?: number;
  /**
   * The vendor's OpenAI dialect deviates in what it sends back (content as part arrays, tool-call indices not starting
   * at 0, ...): answers are always read through the canonical form, also for OpenAI clients, instead of passed through.
   */
  normalizeResponses?: boolean;
  /** Gemini: send schemas as `parametersJsonSchema` (default) or sanitised `parameters`. */
  geminiSchemaField?: 'parametersJsonSchema' | 'parameters';
}

/** Reads an upstream stream: parsed SSE events in, canonical events out. Stateful, one per response. */
export interface StreamDecoder {
  /** `event` is the SSE event name (Anthropic), `data` the SSE data text. */
  push(event: string | undefined, data: string): StreamEvent[];
  /** The upstream stream ended; returns closing events, or an `error` event if it ended incomplete. */
  end(): StreamEvent[];
}

/** Writes a client stream: canonical events in, SSE text out. Stateful, one per response. */
export interface StreamEncoder {
  push(event: StreamEvent): string;
  /** Text to write after the last event (e.g. OpenAI `data: [DONE]`). */
  end(): string;
}

export interface ClientEncodeOptions {
  /** The model to report (`provider/model`). */
  model: string;
  /** Switchyard's `metadata` object (added to the body; in a stream, to the final event). */
  metadata?: () => Record<string, unknown>;
  /** OpenAI clients: send the usage chunk (stream_options.include_usage). */
  includeUsage?: boolean;
}

export interface Codec {
  format: WireFormat;
  decodeRequest(body: unknown): Request;
  encodeRequest(req: Request, target: UpstreamTarget): unknown;
  /**
   * `toolNames` (optional): the names of the tools the request declared, so a decoder can map back names its encoder
   * had to rewrite for the upstream (OpenAI allows 64 characters of [a-zA-Z0-9_-], Claude Code's MCP tools exceed it).
   */
  decodeResponse(body: unknown, ctx: { provider: string; model: string; toolNames?: readonly string[] }): Response;
  encodeResponse(res: Response, opts: ClientEncodeOptions): unknown;
  streamDecoder(ctx: { provider: string; model: string; estimateInput?: () => Usage; toolNames?: readonly string[] }): StreamDecoder;
  streamEncoder(opts: ClientEncodeOptions): StreamEncoder;
  /** The error body a client of this format expects. */
  encodeError(err: ErrorInfo, requestId: string): { status: number; body: unknown; headers?: Record<string, string> };
  /** Reads an upstream error response of this format. */
  decodeError(status: number, body: string, headers: Record<string, string | string[] | undefined>): ErrorInfo;
}

/** Thrown by decoders for requests that are well-formed JSON but not a valid request of the format. */
export class CodecError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'CodecError';
  }
}
