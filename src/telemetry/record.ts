/** Everything Switchyard remembers about one request. Written off the hot path in batches. */
export interface AttemptRecord {
  provider: string;
  model: string;
  status: number | null;
  success: boolean;
  errorClass: string | null;
  error: string | null;
  ttftMs: number | null;
  durationMs: number;
}

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface RequestRecord {
  id: string;
  /** Unix epoch milliseconds when the request arrived. */
  time: number;
  keyName: string | null;
  api: 'anthropic' | 'openai';
  endpoint: string;
  client: string | null;
  requestedModel: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  errorClass: string | null;
  error: string | null;
  stream: boolean;
  stopReason: string | null;
  usage: TokenUsage | null;
  ttftMs: number | null;
  overheadMs: number | null;
  durationMs: number;
  attempts: AttemptRecord[];
}

export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
}
