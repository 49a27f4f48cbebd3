import type { RequestRecord } from '../../src/telemetry/record.js';

/** The smallest valid record (a count_tokens request with no upstream attempt), for tests that build records by hand. */
export function minimalRecord(id: string): RequestRecord {
  return {
    id,
    time: Date.now(),
    keyId: null,
    keyName: null,
    api: 'anthropic',
    endpoint: 'count_tokens',
    client: null,
    requestedModel: 'claude-sonnet-4-6',
    model: null,
    provider: null,
    status: 200,
    errorClass: null,
    error: null,
    stream: false,
    stopReason: null,
    usage: null,
    costUsd: null,
    overheadMs: null,
    ttftMs: null,
    generationMs: null,
    durationMs: 3,
    attempts: [],
    routing: null,
    metadata: null,
    bodies: null,
  };
}
