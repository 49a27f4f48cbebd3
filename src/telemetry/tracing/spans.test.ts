import { describe, expect, it } from 'vitest';
import type { AttemptRecord, RequestRecord } from '../record.js';
import { planTrace } from './spans.js';

const T0 = 1_700_000_000_000;

function record(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'req_test',
    time: T0,
    keyId: 'key_1',
    keyName: 'team-a',
    api: 'anthropic',
    endpoint: 'messages',
    client: 'claude-cli/2.0',
    requestedModel: 'claude-sonnet-4-6',
    model: 'claude-sonnet-4-6',
    provider: 'anthropic',
    status: 200,
    errorClass: null,
    error: null,
    stream: true,
    stopReason: 'end_turn',
    usage: { input: 10, output: 50, cacheRead: 1000, cacheWrite: 200, cacheWrite1h: 200, reasoning: 20 },
    costUsd: 0.0123,
    overheadMs: 2,
    ttftMs: 300,
    generationMs: 500,
    durationMs: 1000,
    attempts: [],
    routing: null,
    metadata: null,
    bodies: null,
    ...over,
  };
}

function attempt(over: Partial<AttemptRecord> = {}): AttemptRecord {
  return { provider: 'anthropic', model: 'claude-sonnet-4-6', status: 200, success: true, errorClass: null, error: null, ttftMs: 290, durationMs: 400, ...over };
}

describe('planTrace', () => {
  it('counts cached input in gen_ai.usage.input_tokens and keeps the parts apart', () => {
    const { request } = planTrace(record());
    expect(request.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 1210,
      'gen_ai.usage.output_tokens': 50,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.cache_creation.input_tokens': 200,
      'gen_ai.usage.reasoning.output_tokens': 20,
      'switchyard.usage.input_uncached_tokens': 10,
      'switchyard.usage.cache_write_1h_tokens': 200,
      'switchyard.cost_usd': 0.0123,
      'user_agent.original': 'claude-cli/2.0',
    });
  });

  it('names non-chat endpoints by the endpoint and leaves out the GenAI operation', () => {
    const { request } = planTrace(record({ endpoint: 'count_tokens', usage: null }));
    expect(request.name).toBe('count_tokens');
    expect(request.attributes['gen_ai.operation.name']).toBeUndefined();
    expect(request.attributes['gen_ai.request.stream']).toBeUndefined();
  });

  it('maps preset provider names to the GenAI well-known values', () => {
    const { request } = planTrace(record({ provider: 'google-ai-studio', attempts: [attempt({ provider: 'xai' })] }));
    expect(request.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.system': 'gcp.gemini', 'switchyard.provider': 'google-ai-studio' });
    const { attempts } = planTrace(record({ attempts: [attempt({ provider: 'xai' }), attempt({ provider: 'my-vllm' })] }));
    expect(attempts.map((a) => a.attributes['gen_ai.provider.name'])).toEqual(['x_ai', 'my-vllm']);
  });

  it('places attempts at their start offsets, overlapping when hedged', () => {
    const { attempts } = planTrace(record({ attempts: [attempt({ startMs: 2, durationMs: 600, success: false, status: null, errorClass: 'hedged_loser' }), attempt({ startMs: 250, durationMs: 700 })] }));
    expect(attempts.map((a) => [a.startMs - T0, a.endMs - T0])).toEqual([
      [2, 602],
      [250, 950],
    ]);
  });

  it('lays attempts without a start offset back to back after the router overhead', () => {
    const { attempts } = planTrace(record({ overheadMs: 5, attempts: [attempt({ durationMs: 100, success: false, status: 529, errorClass: 'overloaded' }), attempt({ durationMs: 300 })] }));
    expect(attempts.map((a) => [a.startMs - T0, a.endMs - T0])).toEqual([
      [5, 105],
      [105, 405],
    ]);
  });

  it('keeps attempts within the request when rounding overshoots it', () => {
    const { request, attempts } = planTrace(record({ durationMs: 400.2, attempts: [attempt({ startMs: 0.5, durationMs: 399.9 })] }));
    expect(attempts[0].endMs).toBe(request.endMs);
  });

  it('gives a failed attempt error.type and an error status; a winner none', () => {
    const { attempts } = planTrace(
      record({
        attempts: [
          attempt({ success: false, status: 529, errorClass: 'overloaded', error: 'Overloaded', keyId: 'key1' }),
          attempt({ success: false, status: null, errorClass: null, error: null }),
          attempt({ keyId: 'key0' }),
        ],
      }),
    );
    expect(attempts[0]).toMatchObject({ name: 'chat claude-sonnet-4-6', kind: 'client', error: 'Overloaded' });
    expect(attempts[0].attributes).toMatchObject({ 'error.type': 'overloaded', 'http.response.status_code': 529, 'switchyard.provider.key_id': 'key1' });
    expect(attempts[0].attributes['gen_ai.response.model']).toBeUndefined();
    expect(attempts[1].attributes['error.type']).toBe('_OTHER');
    expect(attempts[2].error).toBeNull();
    expect(attempts[2].attributes['error.type']).toBeUndefined();
    expect(attempts[2].attributes['gen_ai.response.model']).toBe('claude-sonnet-4-6');
  });

  it('gives a failed request error.type from its error class, else its status', () => {
    expect(planTrace(record({ status: 502, errorClass: 'all_failed', error: 'every provider failed' })).request).toMatchObject({ error: 'every provider failed', attributes: { 'error.type': 'all_failed' } });
    expect(planTrace(record({ status: 404, errorClass: null })).request).toMatchObject({ error: 'HTTP 404', attributes: { 'error.type': '404' } });
    expect(planTrace(record({ error: 'x'.repeat(2000), errorClass: 'upstream_error', status: 500 })).request.error!.length).toBeLessThan(510);
  });
});
