/**
 * The canonical form: one representation of a request, a response and a stream of events that is a superset of
 * Anthropic Messages, OpenAI Chat Completions and Gemini generateContent. Each wire-format codec decodes to it and
 * encodes from it. Anything a format can say that the others cannot is kept (in `extensions`, `opaque` blocks,
 * signatures with their origin) so a same-family upstream still receives it and a foreign one can drop it knowingly.
 *
 * Conventions:
 * - Token counts follow Anthropic's split: `input` excludes cache reads and writes; the prompt total is
 *   input + cacheRead + cacheWrite. `output` includes reasoning tokens; `reasoning` is the part of output that was
 *   reasoning, when known.
 * - Tool arguments are objects (`input`); codecs parse/serialise JSON strings at the boundary.
 * - Block indices in streams are dense and in the order blocks start.
 */

import type { RawStrings } from '../json-scan/index.js';

export type WireFormat = 'anthropic' | 'openai' | 'gemini';

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export type ImageSource =
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'url'; url: string };

export type DocumentSource =
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'url'; url: string }
  | { kind: 'text'; mediaType: string; data: string };

/** Where a reasoning signature came from; only an upstream of the same origin can verify it. */
export interface SignatureOrigin {
  format: WireFormat;
  /** Provider name as configured (e.g. `anthropic`, `google-ai-studio`). */
  provider?: string;
  model?: string;
}

export type TextBlock = {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
  citations?: unknown[];
  /** Gemini may attach a thoughtSignature to a text part. */
  signature?: string;
  signatureOrigin?: SignatureOrigin;
};
export type ImageBlock = { type: 'image'; source: ImageSource; cacheControl?: CacheControl; detail?: string };
export type DocumentBlock = {
  type: 'document';
  source: DocumentSource;
  title?: string;
  context?: string;
  cacheControl?: CacheControl;
  filename?: string;
  /** Anthropic document `citations` config (`{enabled}`); only an Anthropic upstream can use it. */
  citations?: { enabled?: boolean };
};
export type ToolCallBlock = {
  type: 'tool_call';
  id: string;
  name: string;
  input: Record<string, unknown>;
  cacheControl?: CacheControl;
  /** Gemini thought signature attached to this function call part. */
  signature?: string;
  signatureOrigin?: SignatureOrigin;
};
export type ToolResultBlock = {
  type: 'tool_result';
  toolCallId: string;
  /** Tool name when the source format carries it (OpenAI `name`, Gemini `functionResponse.name`). */
  name?: string;
  content: Array<TextBlock | ImageBlock | DocumentBlock>;
  isError?: boolean;
  cacheControl?: CacheControl;
};
export type ThinkingBlock = {
  type: 'thinking';
  text: string;
  /** Anthropic signature or Gemini thoughtSignature; absent for OpenAI-style reasoning text. */
  signature?: string;
  signatureOrigin?: SignatureOrigin;
};
export type RedactedThinkingBlock = { type: 'redacted_thinking'; data: string; signatureOrigin?: SignatureOrigin };
/** A block only its own format understands (server tool use and results, MCP blocks, code execution...). */
export type OpaqueBlock = { type: 'opaque'; format: WireFormat; value: unknown };

export type ContentBlock = TextBlock | ImageBlock | DocumentBlock | ToolCallBlock | ToolResultBlock | ThinkingBlock | RedactedThinkingBlock | OpaqueBlock;

export interface Message {
  /** `system` is a mid-conversation system/developer message (Claude Code sends these); encoders fold it where the target cannot take it. */
  role: 'user' | 'assistant' | 'system';
  content: ContentBlock[];
  /** OpenAI `developer` vs `system`, kept for an OpenAI upstream. */
  systemKind?: 'system' | 'developer';
  name?: string;
}

export interface Tool {
  name: string;
  description?: string;
  /** JSON Schema of the input, as given by the client. */
  inputSchema: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice =
  | { type: 'auto'; disableParallel?: boolean }
  | { type: 'any'; disableParallel?: boolean }
  | { type: 'none' }
  | { type: 'tool'; name: string; disableParallel?: boolean };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface Thinking {
  type: 'enabled' | 'adaptive' | 'disabled';
  budgetTokens?: number;
  display?: 'summarized' | 'omitted';
}

export interface Request {
  model: string;
  system: TextBlock[];
  /** OpenAI role the leading system prompt came in (`developer` vs `system`), kept for an OpenAI upstream. */
  systemKind?: 'system' | 'developer';
  messages: Message[];
  /** Absent when the client did not say (OpenAI); encoders for formats that require it fill a model default. */
  maxTokens?: number;
  stream: boolean;
  /** The OpenAI client asked for `stream_options.include_usage`. */
  includeUsage?: boolean;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  tools?: Tool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  thinking?: Thinking;
  reasoningEffort?: ReasoningEffort;
  /** Anthropic metadata.user_id / OpenAI user or safety_identifier. */
  user?: string;
  /** Top-level Anthropic cache_control (automatic caching). */
  cacheControl?: CacheControl;
  /**
   * Fields of the source format with no canonical meaning, by format, passed on only to an upstream of the same
   * format (e.g. Anthropic `context_management`, `service_tier`; OpenAI `logprobs`, `prompt_cache_key`).
   */
  extensions: Partial<Record<WireFormat, Record<string, unknown>>>;
  /**
   * The strings hold UTF-8 bytes, one per char (decoded as latin1, see byte-strings.ts): encode the upstream body
   * with latin1, and use `textOf` on any string whose meaning matters.
   */
  byteStrings?: boolean;
  /**
   * With `byteStrings`: the long texts are stand-ins for the client's bytes (json-scan/raw-strings.ts). Encoders move
   * them like any text; the upstream body is serialised with `stringifyWithRawStrings`, and whatever needs the texts
   * themselves (a token estimate) reads `rawStrings.expand(request)`.
   */
  rawStrings?: RawStrings;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn' | 'context_window_exceeded' | 'error';

export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Part of cacheWrite with a 1-hour TTL (Anthropic). */
  cacheWrite1h?: number;
  reasoning: number;
}

export interface Response {
  id: string;
  model: string;
  content: ContentBlock[];
  stopReason: StopReason;
  stopSequence?: string | null;
  usage: Usage;
  /** Fields of the source format passed on only to a client of the same format. */
  extensions?: Partial<Record<WireFormat, Record<string, unknown>>>;
}

/** A block as it starts in a stream: its kind and the fields known up front. */
export type StreamBlockStart =
  | { type: 'text' }
  | { type: 'thinking'; signatureOrigin?: SignatureOrigin }
  | { type: 'redacted_thinking'; data: string }
  /** `signatureOrigin`: who issued `signature` (optional; Gemini decoders set it so client encoders can wrap it). */
  | { type: 'tool_call'; id: string; name: string; signature?: string; signatureOrigin?: SignatureOrigin }
  | { type: 'opaque'; format: WireFormat; value: unknown };

export type StreamEvent =
  /** Always first. `usage` carries the (possibly estimated) input counts. */
  | { type: 'start'; id: string; model: string; usage: Usage }
  | { type: 'block_start'; index: number; block: StreamBlockStart }
  | { type: 'text_delta'; index: number; text: string }
  | { type: 'thinking_delta'; index: number; text: string }
  /** `signatureOrigin` (optional): who issued the signature, for blocks whose start did not say (Gemini text blocks). */
  | { type: 'signature_delta'; index: number; signature: string; signatureOrigin?: SignatureOrigin }
  /** A fragment of the tool call's JSON arguments; fragments concatenate to the full JSON text. */
  | { type: 'tool_args_delta'; index: number; json: string }
  | { type: 'block_stop'; index: number }
  /** Last event of a complete message, with the exact final usage. */
  | { type: 'finish'; stopReason: StopReason; stopSequence?: string | null; usage: Usage }
  /** The upstream failed mid-stream; no `finish` follows. */
  | { type: 'error'; error: ErrorInfo };

export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  | 'billing'
  | 'api_error'
  | 'overloaded'
  | 'timeout';

export interface ErrorInfo {
  status: number;
  kind: ErrorKind;
  message: string;
  /** Seconds, when the upstream said. */
  retryAfter?: number;
  /** Retrying the same request cannot succeed (e.g. a translation or quota problem). */
  noRetry?: boolean;
}

export function emptyUsage(): Usage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
}
