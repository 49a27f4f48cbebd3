/**
 * Public types of the provider simulator. Everything here is re-exported from `./index.ts`.
 */

export interface SimulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** Seed for the RNG used for ids, signatures and fault probabilities. Random when omitted. */
  seed?: number;
  /** Free-form name; sent as `x-sim-label` on every response and named in generated answers. */
  label?: string;
  /** Request log bound (entries); default 10,000. */
  logLimit?: number;
  /** Request log bound (sum of stored body bytes); default 256 MiB. The oldest entries go first. */
  logBodyBytesLimit?: number;
  /**
   * OpenAI protocol: the field carrying reasoning text, `reasoning_content` (DeepSeek, xAI; the default)
   * or `reasoning` (OpenRouter, Groq, newer vLLM). A request can override it with `x-sim-reasoning-field`.
   */
  openaiReasoningField?: OpenAIReasoningField;
}

export type OpenAIReasoningField = 'reasoning_content' | 'reasoning';

/** The wire protocols served. */
export type SimProtocol = 'anthropic' | 'openai' | 'gemini';

export interface SimRequestLog {
  seq: number;
  time: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  model?: string;
  stream?: boolean;
  /** Fault kind(s) applied, joined with `+` when several combined (e.g. `latency+cut`). */
  fault?: string;
  /** The wire protocol that served the request; unset for unknown routes. */
  protocol?: SimProtocol;
  /** Set when the request was answered (or, when faulted, would have been) from a queued replay. */
  replayed?: boolean;
}

export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: unknown; id?: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string };

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface ScriptedTurn {
  content: ScriptedBlock[];
  /** Default: `tool_use` if any tool_use block, else `end_turn`. */
  stop_reason?: StopReason;
  /** Reported with `stop_reason: 'stop_sequence'`; defaults to the request's first `stop_sequences` entry. */
  stop_sequence?: string;
  /** Overrides the computed usage field by field. */
  usage?: Partial<ScriptedUsage>;
}

/**
 * Faults apply to every protocol; each renders them in its own wire shape. `errorType` takes the
 * protocol's own vocabulary (Anthropic `overloaded_error`, OpenAI `insufficient_quota`, Gemini
 * `RESOURCE_EXHAUSTED` / `API_KEY_INVALID`); Anthropic names are translated for the other two.
 */
export type FaultKind =
  /** Error response; protocol error body by default (e.g. 529 overloaded_error, 429 rate_limit_error). Gemini carries `retryAfter` as RetryInfo. */
  | { kind: 'status'; status: number; retryAfter?: number | string; body?: unknown; errorType?: string; message?: string }
  /** Delay before the response headers. */
  | { kind: 'latency'; ms: number }
  /** Stream: headers and message_start at once, first content delta after `ms`. Non-stream: headers at once, body after `ms`. */
  | { kind: 'slow_first_token'; ms: number }
  /** Stream: destroy the socket after N SSE events. Non-stream: destroy it mid-body. */
  | { kind: 'cut'; afterEvents: number }
  /** Stream: after N events send an event whose data is invalid JSON, then end. Non-stream: truncated JSON body. */
  | { kind: 'malformed'; afterEvents: number }
  /**
   * Stream: send N events, then nothing more while holding the connection open (until the client leaves or
   * `close()`). Non-stream: send the headers, then nothing. Shows whether a proxy relays events as they come.
   */
  | { kind: 'stall'; afterEvents: number }
  /** Accept the request and never answer (until `close()`). */
  | { kind: 'hang' }
  /** Destroy the socket at once, no response. */
  | { kind: 'reset' }
  /**
   * Stream: after N events send the protocol's in-stream error and end (Anthropic `event: error`
   * overloaded_error; OpenAI `data: {"error":...}` server_error, no [DONE]; Gemini `data: {"error":...}`
   * 503 UNAVAILABLE). Non-stream: the matching error status.
   */
  | { kind: 'stream_error'; afterEvents: number; errorType?: string };

export interface FaultMatch {
  model?: string;
  /** Request path without the query string, compared exactly (e.g. `/v1/messages`). */
  path?: string;
  stream?: boolean;
}

export interface FaultRule {
  fault: FaultKind;
  match?: FaultMatch;
  /** Apply to the next N matching requests; unlimited when omitted. */
  times?: number;
  /** 0..1, rolled with the seeded RNG for each matching request. */
  probability?: number;
  /** Apply to every Nth matching request only (2 = the 2nd, 4th, 6th, ...): a deterministic failure rate. */
  every?: number;
}

/**
 * A recorded response to serve verbatim (`Simulator.replay`, `POST /_sim/replay`). At most one of `json`, `sse` and
 * `raw` is given; none sends an empty body.
 */
export interface ReplayResponse {
  /** HTTP status; default 200. */
  status?: number;
  /** A JSON body, serialised the way the protocol writes its bodies (values unchanged). */
  json?: unknown;
  /**
   * Stream event payloads (what follows `data: `), framed for the protocol of the path the request arrives on:
   * Anthropic `event: <payload.type>` + `data:` lines, OpenAI `data:` lines ending with `data: [DONE]` (unless the last
   * payload is `[DONE]`), Gemini `data: ...\r\n\r\n` (`alt=sse`) or the elements of one JSON array (without it).
   * Payload text is sent as given (spacing included).
   */
  sse?: string[];
  /** Exact body bytes (a string is sent as UTF-8). A stream request gets them as SSE events split at blank lines. */
  raw?: Buffer | string;
  /** Content type; default per protocol and body kind (`text/event-stream...` for `sse`, `application/json...` else). */
  contentType?: string;
  /** Extra response headers (hop-by-hop and length headers are ignored). */
  headers?: Record<string, string>;
}

/** Which requests a queued replay answers; every field given must match. */
export interface ReplayMatch {
  /** The protocol serving the request. */
  protocol?: SimProtocol;
  /** Model id as the request names it (Gemini: from the path). */
  model?: string;
  /** Request path without the query string, compared exactly. */
  path?: string;
  stream?: boolean;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly label: string | undefined;
  /** Provider requests (control requests under `/_sim/` are not logged), oldest first. */
  readonly requests: SimRequestLog[];
  /** Queue turns (FIFO, one per generation request); with `match.model` only requests for that model take them. */
  script(turns: ScriptedTurn[], match?: { model?: string }): void;
  /**
   * Queue recorded responses (FIFO among the requests they match; one per generation request). A queued replay
   * answers before any scripted turn, after the request passed auth and validation; faults still apply, and a
   * faulted request does not use it up.
   */
  replay(responses: ReplayResponse | ReplayResponse[], match?: ReplayMatch): void;
  fault(rule: FaultRule): void;
  clearFaults(): void;
  /** Clears the request log, scripts, replays, faults and the prompt-cache memory. */
  reset(): void;
  close(): Promise<void>;
}
