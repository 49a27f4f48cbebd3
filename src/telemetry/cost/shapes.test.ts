/**
 * Per-provider usage shapes, end to end: every recorded answer that reports usage goes through the project's own
 * codec (the body decoder, or the stream decoder's final `finish` event, which is what the translating executor
 * records), and the cost of what it decoded must equal a hand-computed amount. Each expected usage is read off the
 * recording by hand, so a decoder that drops or double-counts a field fails here before the cost does.
 *
 * Prices are fixed per wire format (not the live catalog, whose numbers change) and chosen so every field has its
 * own rate: a count landing in the wrong field changes the cost.
 */
import { describe, expect, it } from 'vitest';
import { applyUsage } from '../../formats/anthropic/codec/usage.js';
import { codecFor } from '../../formats/index.js';
import { emptyUsage, type StreamEvent, type Usage, type WireFormat } from '../../formats/canonical/types.js';
import { decodeUsage as decodeGeminiUsage } from '../../formats/gemini/usage.js';
import { decodeUsage as decodeOpenAIUsage } from '../../formats/openai/usage.js';
import type { CatalogPrice } from '../../routing/catalog/index.js';
import { costUsd } from './index.js';
import { recordedAnswers, reportsUsage, type RecordedAnswer } from './testing/recorded.js';

/** Claude Sonnet-like: cache reads at 0.1×, 5-minute writes at 1.25×, 1-hour writes at 2× the input price. */
const ANTHROPIC: CatalogPrice = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 };
const OPENAI: CatalogPrice = { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2.5 };
/** grok-3-mini's list prices, so the cost can be checked against the `cost_in_usd_ticks` xAI itself reported. */
const XAI: CatalogPrice = { input: 0.3, output: 0.5, cacheRead: 0.075 };
/** Gemini publishes no per-token cache-write price (explicit caches are billed by storage time). */
const GEMINI: CatalogPrice = { input: 1.25, output: 10, cacheRead: 0.125 };

const PROVIDER: Record<WireFormat, string> = { anthropic: 'anthropic', openai: 'openai', gemini: 'google-ai-studio' };

function decoded(a: RecordedAnswer): Usage {
  const codec = codecFor(a.format);
  const ctx = { provider: PROVIDER[a.format], model: 'recorded' };
  if (a.body) return codec.decodeResponse(a.body, ctx).usage;
  const decoder = codec.streamDecoder(ctx);
  const events: StreamEvent[] = [];
  for (const e of a.events ?? []) events.push(...decoder.push(e.event, e.data));
  events.push(...decoder.end());
  const finish = events.find((e) => e.type === 'finish');
  if (!finish || finish.type !== 'finish') throw new Error(`${a.name}: the stream did not finish`);
  return finish.usage;
}

type Row = [name: string, usage: Usage, usd: number];

function checkAll(format: WireFormat, price: CatalogPrice, rows: Row[]): void {
  const answers = new Map(recordedAnswers(format).map((a) => [a.name, a]));
  it.each(rows)('%s', (name, usage, usd) => {
    const answer = answers.get(name);
    if (!answer) throw new Error(`no recorded answer ${name}`);
    const u = decoded(answer);
    expect(u).toEqual(usage);
    expect(costUsd(u, price)).toBe(usd);
  });
}

// Streams: Anthropic's message_delta usage is cumulative and wins over message_start's (anthropic-mcp: 1250 input at
// the end, 589 at the start); OpenAI-format streams report usage in the last chunk (Groq also in `x_groq`); Gemini
// repeats running totals and the last chunk with counts wins. Anthropic `output_tokens` already include thinking.
const ANTHROPIC_ROWS: Row[] = [
  // 51 in × $3/M + 1699 out (139 reasoning) × $15/M = 0.025638
  ['anthropic--anthropic-claude-opus-5-reasoning-high.1.json', { input: 51, output: 1699, cacheRead: 0, cacheWrite: 0, reasoning: 139 }, 0.025638],
  // 69 in × $3/M + 33 out × $15/M = 0.000702
  ['anthropic--anthropic-clear-thinking.1.json', { input: 69, output: 33, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000702],
  // 804 in × $3/M + 29 out × $15/M = 0.002847
  ['anthropic--anthropic-issue-15652-json-tool-parallel.chunks.txt', { input: 804, output: 29, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.002847],
  // 3 in × $3/M + 18639 cache read × $0.3/M + 1 out × $15/M = 0.0056157
  ['anthropic--anthropic-issue-5942-cache-read.chunks.txt', { input: 3, output: 1, cacheRead: 18639, cacheWrite: 0, reasoning: 0 }, 0.0056157],
  // 3 in × $3/M + 18639 cache write × $3.75/M + 1 out × $15/M = 0.06992025
  ['anthropic--anthropic-issue-5942-cache-write.chunks.txt', { input: 3, output: 1, cacheRead: 0, cacheWrite: 18639, reasoning: 0 }, 0.06992025],
  // 313 in × $3/M + 305 out × $15/M = 0.005514
  ['anthropic--anthropic-json-output-format.1.chunks.txt', { input: 313, output: 305, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.005514],
  // 849 in × $3/M + 47 out × $15/M = 0.003252
  ['anthropic--anthropic-json-tool.1.chunks.txt', { input: 849, output: 47, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.003252],
  // 1151 in × $3/M + 87 out × $15/M = 0.004758
  ['anthropic--anthropic-json-tool.1.json', { input: 1151, output: 87, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.004758],
  // 1250 in × $3/M + 83 out × $15/M = 0.004995
  ['anthropic--anthropic-mcp.1.chunks.txt', { input: 1250, output: 83, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.004995],
  // 12 in × $3/M + 30 out × $15/M = 0.000486
  ['anthropic--anthropic-text.chunks.txt', { input: 12, output: 30, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000486],
  // 12 in × $3/M + 29 out × $15/M = 0.000471
  ['anthropic--anthropic-text.json', { input: 12, output: 29, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000471],
  // 565 in × $3/M + 48 out × $15/M = 0.002415
  ['anthropic--anthropic-tool-no-args.chunks.txt', { input: 565, output: 48, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.002415],
  // 4234 in × $3/M + 462 out × $15/M = 0.019632
  ['anthropic--anthropic-web-fetch-tool.1.json', { input: 4234, output: 462, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.019632],
  // 15665 in × $3/M + 795 out × $15/M = 0.05892
  ['anthropic--anthropic-web-search-tool.1.chunks.txt', { input: 15665, output: 795, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.05892],
  // 27118 in × $3/M + 600 out × $15/M = 0.090354
  ['anthropic--anthropic-web-search-tool.1.json', { input: 27118, output: 600, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.090354],
  // 11 in × $3/M + 6 out × $15/M = 0.000123
  ['anthropic--basic_response.txt', { input: 11, output: 6, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000123],
  // 3 in × $3/M + 1111 cache read × $0.3/M + 406 out × $15/M = 0.0064323
  ['anthropic--test_anthropic_cache_real_api.yaml#0', { input: 3, output: 406, cacheRead: 1111, cacheWrite: 0, reasoning: 0 }, 0.0064323],
  // 3 in × $3/M + 1111 cache read × $0.3/M + 418 cache write × $3.75/M + 33 out × $15/M = 0.0024048
  ['anthropic--test_anthropic_cache_real_api.yaml#1', { input: 3, output: 33, cacheRead: 1111, cacheWrite: 418, reasoning: 0 }, 0.0024048],
  // 43 in × $3/M + 321 out × $15/M = 0.004944
  ['anthropic--test_anthropic_model_thinking_part.yaml#0', { input: 43, output: 321, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.004944],
  // 354 in × $3/M + 525 out × $15/M = 0.008937
  ['anthropic--test_anthropic_model_thinking_part.yaml#1', { input: 354, output: 525, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.008937],
  // 92 in × $3/M + 196 out × $15/M = 0.003216
  ['anthropic--test_anthropic_model_thinking_part_redacted.yaml#0', { input: 92, output: 196, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.003216],
  // 168 in × $3/M + 232 out × $15/M = 0.003984
  ['anthropic--test_anthropic_model_thinking_part_redacted.yaml#1', { input: 168, output: 232, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.003984],
  // 43 in × $3/M + 282 out × $15/M = 0.004359
  ['anthropic--test_anthropic_model_thinking_part_stream.yaml#0', { input: 43, output: 282, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.004359],
  // 22397 in × $3/M + 637 out × $15/M = 0.076746
  ['anthropic--test_anthropic_model_web_search_tool_stream.yaml#0', { input: 22397, output: 637, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.076746],
  // 398 in × $3/M + 155 out × $15/M = 0.003519
  ['anthropic--test_anthropic_tool_with_thinking.yaml#0', { input: 398, output: 155, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.003519],
  // 566 in × $3/M + 126 out × $15/M = 0.003588
  ['anthropic--test_anthropic_tool_with_thinking.yaml#1', { input: 566, output: 126, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.003588],
  // 296 in × $3/M + 91 out × $15/M = 0.002253
  ['anthropic--test_image_url_input.yaml#0', { input: 296, output: 91, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.002253],
  // 423 in × $3/M + 202 out × $15/M = 0.004299
  ['anthropic--test_multiple_parallel_tool_calls.yaml#0', { input: 423, output: 202, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.004299],
  // 771 in × $3/M + 77 out × $15/M = 0.003468
  ['anthropic--test_multiple_parallel_tool_calls.yaml#1', { input: 771, output: 77, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.003468],
];

// `prompt_tokens` includes cached tokens and cache writes, `completion_tokens` includes reasoning.
const OPENAI_ROWS: Row[] = [
  // 66 in × $2/M + 256 cache read × $0.5/M + 65 out (58 reasoning) × $8/M = 0.00078
  ['openai--cerebras-structured-output-tools.1.json', { input: 66, output: 65, cacheRead: 256, cacheWrite: 0, reasoning: 58 }, 0.00078],
  // 8 in × $2/M + 377 out (320 reasoning) × $8/M = 0.003032
  ['openai--chat-basic.yaml#0', { input: 8, output: 377, cacheRead: 0, cacheWrite: 0, reasoning: 320 }, 0.003032],
  // 12 in × $2/M + 100 out (100 reasoning) × $8/M = 0.000824
  ['openai--chat-detailed-usage.yaml#0', { input: 12, output: 100, cacheRead: 0, cacheWrite: 0, reasoning: 100 }, 0.000824],
  // 22 in × $2/M + 719 out (704 reasoning) × $8/M = 0.005796
  ['openai--chat-image-to-text.yaml#0', { input: 22, output: 719, cacheRead: 0, cacheWrite: 0, reasoning: 704 }, 0.005796],
  // 21 in × $2/M + 280 out (256 reasoning) × $8/M = 0.002282
  ['openai--chat-json-mode.yaml#0', { input: 21, output: 280, cacheRead: 0, cacheWrite: 0, reasoning: 256 }, 0.002282],
  // 2245 in × $2/M + 100 out (100 reasoning) × $8/M = 0.00529
  ['openai--chat-multimodal.yaml#0', { input: 2245, output: 100, cacheRead: 0, cacheWrite: 0, reasoning: 100 }, 0.00529],
  // 50 in × $2/M + 526 out (512 reasoning) × $8/M = 0.004308
  ['openai--chat-multiturn.yaml#0', { input: 50, output: 526, cacheRead: 0, cacheWrite: 0, reasoning: 512 }, 0.004308],
  // 162 in × $2/M + 219 out (192 reasoning) × $8/M = 0.002076
  ['openai--chat-parallel-tools.yaml#0', { input: 162, output: 219, cacheRead: 0, cacheWrite: 0, reasoning: 192 }, 0.002076],
  // 27 in × $2/M + 267 out (192 reasoning) × $8/M = 0.00219
  ['openai--chat-reasoning.yaml#0', { input: 27, output: 267, cacheRead: 0, cacheWrite: 0, reasoning: 192 }, 0.00219],
  // 12 in × $2/M + 100 out (100 reasoning) × $8/M = 0.000824
  ['openai--chat-streaming-detailed-usage.yaml#0', { input: 12, output: 100, cacheRead: 0, cacheWrite: 0, reasoning: 100 }, 0.000824],
  // 162 in × $2/M + 287 out (256 reasoning) × $8/M = 0.00262
  ['openai--chat-tools.yaml#0', { input: 162, output: 287, cacheRead: 0, cacheWrite: 0, reasoning: 256 }, 0.00262],
  // 26 in × $2/M + 22 out × $8/M = 0.000228
  ['openai--chat-web-search.yaml#0', { input: 26, output: 22, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000228],
  // 18 in × $2/M + 219 out (205 reasoning) × $8/M = 0.001788
  ['openai--deepseek-reasoning.chunks.txt', { input: 18, output: 219, cacheRead: 0, cacheWrite: 0, reasoning: 205 }, 0.001788],
  // 18 in × $2/M + 345 out (315 reasoning) × $8/M = 0.002796
  ['openai--deepseek-reasoning.json', { input: 18, output: 345, cacheRead: 0, cacheWrite: 0, reasoning: 315 }, 0.002796],
  // 19 in × $2/M + 320 cache read × $0.5/M + 83 out (39 reasoning) × $8/M = 0.000862
  ['openai--deepseek-tool-call.chunks.txt', { input: 19, output: 83, cacheRead: 320, cacheWrite: 0, reasoning: 39 }, 0.000862],
  // 17 in × $2/M + 649 out (570 reasoning) × $8/M = 0.005226
  ['openai--groq-reasoning.json', { input: 17, output: 649, cacheRead: 0, cacheWrite: 0, reasoning: 570 }, 0.005226],
  // 210 in × $2/M + 15 out × $8/M = 0.00054
  ['openai--groq-tool-call.chunks.txt', { input: 210, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00054],
  // 218 in × $2/M + 15 out × $8/M = 0.000556
  ['openai--groq-tool-call.json', { input: 218, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000556],
  // 86 in × $2/M + 2 out × $8/M = 0.000188
  ['openai--issue-15789-step-2.chunks.txt', { input: 86, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000188],
  // 72 in × $2/M + 4 out × $8/M = 0.000176
  ['openai--issue-8132-long-tool-call-id.json', { input: 72, output: 4, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000176],
  // 10 in × $2/M + 46 out × $8/M = 0.000388
  ['openai--mistral-reasoning.chunks.txt', { input: 10, output: 46, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000388],
  // 10122 in × $2/M + 1 out × $8/M = 0.020252
  ['openai--openai-chat-cached-input-tokens-11178.json#0', { input: 10122, output: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.020252],
  // 138 in × $2/M + 9984 cache read × $0.5/M + 1 out × $8/M = 0.005276
  ['openai--openai-chat-cached-input-tokens-11178.json#1', { input: 138, output: 1, cacheRead: 9984, cacheWrite: 0, reasoning: 0 }, 0.005276],
  // 16 in × $2/M + 300 out × $8/M = 0.002432
  ['openai--openai-text.chunks.txt', { input: 16, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.002432],
  // 16 in × $2/M + 363 out × $8/M = 0.002936
  ['openai--openai-text.json', { input: 16, output: 363, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.002936],
  // 8 in × $2/M + 4012 cache write × $2.5/M + 4 out × $8/M = 0.010078
  ['openai--test_openai_chat_prompt_cache_e2e.yaml#0', { input: 8, output: 4, cacheRead: 0, cacheWrite: 4012, reasoning: 0 }, 0.010078],
  // 8 in × $2/M + 4012 cache read × $0.5/M + 4 out × $8/M = 0.002054
  ['openai--test_openai_chat_prompt_cache_e2e.yaml#1', { input: 8, output: 4, cacheRead: 4012, cacheWrite: 0, reasoning: 0 }, 0.002054],
  // 577 in × $2/M + 2320 out (1792 reasoning) × $8/M = 0.019714
  ['openai--test_openai_model_thinking_part.yaml#1', { input: 577, output: 2320, cacheRead: 0, cacheWrite: 0, reasoning: 1792 }, 0.019714],
  // 53 in × $2/M + 15 out × $8/M = 0.000226
  ['openai--test_run_stream_sync_streams_real_model.yaml#0', { input: 53, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000226],
  // 78 in × $2/M + 9 out × $8/M = 0.000228
  ['openai--test_run_stream_sync_streams_real_model.yaml#1', { input: 78, output: 9, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000228],
];

// xAI's `completion_tokens` leaves reasoning out (total = prompt + completion + reasoning), so output adds it back.
// xAI's own bill agrees: cost_in_usd_ticks 1497500 and 1777000, in units of 1e-10 USD.
const XAI_ROWS: Row[] = [
  // 1 in × $0.3/M + 306 cache read × $0.075/M + 253 out (227 reasoning) × $0.5/M = 0.00014975
  ['openai--xai-tool-call.chunks.txt', { input: 1, output: 253, cacheRead: 306, cacheWrite: 0, reasoning: 227 }, 0.00014975],
  // 63 in × $0.3/M + 244 cache read × $0.075/M + 281 out (255 reasoning) × $0.5/M = 0.0001777
  ['openai--xai-tool-call.json', { input: 63, output: 281, cacheRead: 244, cacheWrite: 0, reasoning: 255 }, 0.0001777],
];

// `promptTokenCount` includes cached content; tool-use prompt tokens come on top and are billed as input;
// `candidatesTokenCount` leaves thoughts out, so output = candidates + thoughts.
const GEMINI_ROWS: Row[] = [
  // 312 in (23 prompt + 289 tool-use prompt) × $1.25/M + 35 out × $10/M = 0.00074
  ['gemini--google-code-execution-multiple-results.json', { input: 312, output: 35, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00074],
  // 9 in × $1.25/M + 287 out (258 reasoning) × $10/M = 0.00288125
  ['gemini--google-reasoning-gemini3.json', { input: 9, output: 287, cacheRead: 0, cacheWrite: 0, reasoning: 258 }, 0.00288125],
  // 9 in × $1.25/M + 285 out (256 reasoning) × $10/M = 0.00286125
  ['gemini--google-reasoning.chunks.txt', { input: 9, output: 285, cacheRead: 0, cacheWrite: 0, reasoning: 256 }, 0.00286125],
  // 249 in × $1.25/M + 241 out (183 reasoning) × $10/M = 0.00272125
  ['gemini--google-stream-no-args-tool-call.chunks.txt', { input: 249, output: 241, cacheRead: 0, cacheWrite: 0, reasoning: 183 }, 0.00272125],
  // 9 in × $1.25/M + 208 out (185 reasoning) × $10/M = 0.00209125
  ['gemini--google-text.chunks.txt', { input: 9, output: 208, cacheRead: 0, cacheWrite: 0, reasoning: 185 }, 0.00209125],
  // 9 in × $1.25/M + 272 out (244 reasoning) × $10/M = 0.00273125
  ['gemini--google-text.json', { input: 9, output: 272, cacheRead: 0, cacheWrite: 0, reasoning: 244 }, 0.00273125],
  // 29 in × $1.25/M + 819 out (804 reasoning) × $10/M = 0.00822625
  ['gemini--google-tool-call-gemini3.chunks.txt', { input: 29, output: 819, cacheRead: 0, cacheWrite: 0, reasoning: 804 }, 0.00822625],
  // 29 in × $1.25/M + 908 out (893 reasoning) × $10/M = 0.00911625
  ['gemini--google-tool-call.json', { input: 29, output: 908, cacheRead: 0, cacheWrite: 0, reasoning: 893 }, 0.00911625],
  // 31 in × $1.25/M + 1710 out (1026 reasoning) × $10/M = 0.01713875
  ['gemini--google-vertex-stream-tool-call-arguments-nested.1.chunks.txt', { input: 31, output: 1710, cacheRead: 0, cacheWrite: 0, reasoning: 1026 }, 0.01713875],
  // 83 in × $1.25/M + 220 out (190 reasoning) × $10/M = 0.00230375
  ['gemini--test_google_instructions_only_with_tool_calls.yaml#0', { input: 83, output: 220, cacheRead: 0, cacheWrite: 0, reasoning: 190 }, 0.00230375],
  // 348 in × $1.25/M + 50 out (40 reasoning) × $10/M = 0.000935
  ['gemini--test_google_instructions_only_with_tool_calls.yaml#1', { input: 348, output: 50, cacheRead: 0, cacheWrite: 0, reasoning: 40 }, 0.000935],
  // 415 in × $1.25/M + 115 out (105 reasoning) × $10/M = 0.00166875
  ['gemini--test_google_instructions_only_with_tool_calls.yaml#2', { input: 415, output: 115, cacheRead: 0, cacheWrite: 0, reasoning: 105 }, 0.00166875],
  // 546 in × $1.25/M + 116 out (106 reasoning) × $10/M = 0.0018425
  ['gemini--test_google_instructions_only_with_tool_calls.yaml#3', { input: 546, output: 116, cacheRead: 0, cacheWrite: 0, reasoning: 106 }, 0.0018425],
  // 679 in × $1.25/M + 300 out (235 reasoning) × $10/M = 0.00384875
  ['gemini--test_google_instructions_only_with_tool_calls.yaml#4', { input: 679, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 235 }, 0.00384875],
  // 1817 in × $1.25/M + 5 out × $10/M = 0.00232125
  ['gemini--test_google_model_image_url_input.yaml#1', { input: 1817, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00232125],
  // 52 in × $1.25/M + 5 out × $10/M = 0.000115
  ['gemini--test_google_model_iter_stream.yaml#0', { input: 52, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.000115],
  // 64 in × $1.25/M + 5 out × $10/M = 0.00013
  ['gemini--test_google_model_iter_stream.yaml#1', { input: 64, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00013],
  // 79 in × $1.25/M + 12 out × $10/M = 0.00021875
  ['gemini--test_google_model_iter_stream.yaml#2', { input: 79, output: 12, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00021875],
  // 15 in × $1.25/M + 5 out × $10/M = 0.00006875
  ['gemini--test_google_model_max_tokens.yaml#0', { input: 15, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00006875],
  // 29 in × $1.25/M + 1737 out (1001 reasoning) × $10/M = 0.01740625
  ['gemini--test_google_model_thinking_part.yaml#0', { input: 29, output: 1737, cacheRead: 0, cacheWrite: 0, reasoning: 1001 }, 0.01740625],
  // 1280 in × $1.25/M + 2073 out (1115 reasoning) × $10/M = 0.02233
  ['gemini--test_google_model_thinking_part.yaml#1', { input: 1280, output: 2073, cacheRead: 0, cacheWrite: 0, reasoning: 1115 }, 0.02233],
  // 34 in × $1.25/M + 1256 out (787 reasoning) × $10/M = 0.0126025
  ['gemini--test_google_model_thinking_part_iter.yaml#0', { input: 34, output: 1256, cacheRead: 0, cacheWrite: 0, reasoning: 787 }, 0.0126025],
  // 136 in (17 prompt + 119 tool-use prompt) × $1.25/M + 414 out (213 reasoning) × $10/M = 0.00431
  ['gemini--test_google_model_web_search_tool.yaml#0', { input: 136, output: 414, cacheRead: 0, cacheWrite: 0, reasoning: 213 }, 0.00431],
  // 495 in (209 prompt + 286 tool-use prompt) × $1.25/M + 337 out (131 reasoning) × $10/M = 0.00398875
  ['gemini--test_google_model_web_search_tool.yaml#1', { input: 495, output: 337, cacheRead: 0, cacheWrite: 0, reasoning: 131 }, 0.00398875],
  // 119 in (17 prompt + 102 tool-use prompt) × $1.25/M + 653 out (412 reasoning) × $10/M = 0.00667875
  ['gemini--test_google_model_web_search_tool_stream.yaml#0', { input: 119, output: 653, cacheRead: 0, cacheWrite: 0, reasoning: 412 }, 0.00667875],
  // 568 in (249 prompt + 319 tool-use prompt) × $1.25/M + 541 out (301 reasoning) × $10/M = 0.00612
  ['gemini--test_google_model_web_search_tool_stream.yaml#1', { input: 568, output: 541, cacheRead: 0, cacheWrite: 0, reasoning: 301 }, 0.00612],
  // 29 in × $1.25/M + 212 out (202 reasoning) × $10/M = 0.00215625
  ['gemini--test_google_streaming_tool_call_thought_signature.yaml#0', { input: 29, output: 212, cacheRead: 0, cacheWrite: 0, reasoning: 202 }, 0.00215625],
  // 257 in × $1.25/M + 8 out × $10/M = 0.00040125
  ['gemini--test_google_streaming_tool_call_thought_signature.yaml#1', { input: 257, output: 8, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00040125],
  // 33 in × $1.25/M + 5 out × $10/M = 0.00009125
  ['gemini--test_google_tool_output.yaml#0', { input: 33, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00009125],
  // 47 in × $1.25/M + 8 out × $10/M = 0.00013875
  ['gemini--test_google_tool_output.yaml#1', { input: 47, output: 8, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 0.00013875],
];

describe('recorded Anthropic usage', () => checkAll('anthropic', ANTHROPIC, ANTHROPIC_ROWS));
describe('recorded OpenAI-format usage (OpenAI, DeepSeek, Groq, Mistral, Cerebras)', () => checkAll('openai', OPENAI, OPENAI_ROWS));
describe('recorded xAI usage', () => checkAll('openai', XAI, XAI_ROWS));
describe('recorded Gemini usage', () => checkAll('gemini', GEMINI, GEMINI_ROWS));

describe('coverage of the recordings', () => {
  it.each(['anthropic', 'openai', 'gemini'] as const)('every %s recording that reports usage has a hand-computed row', (format) => {
    const rows = [...ANTHROPIC_ROWS, ...OPENAI_ROWS, ...XAI_ROWS, ...GEMINI_ROWS].map((r) => r[0]);
    const reporting = recordedAnswers(format).filter(reportsUsage).map((a) => a.name);
    expect(reporting.length).toBeGreaterThan(0);
    expect(reporting.filter((n) => !rows.includes(n))).toEqual([]);
  });
});

/** Shapes no recording shows, written after the providers' documented usage objects. */
describe('hand-written usage shapes', () => {
  it('Anthropic 1-hour cache writes are billed at the 1-hour price (non-stream)', () => {
    const u = applyUsage(emptyUsage(), {
      input_tokens: 50,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 10_000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      output_tokens: 400,
    });
    expect(u).toEqual({ input: 50, output: 400, cacheRead: 10_000, cacheWrite: 3000, cacheWrite1h: 2000, reasoning: 0 });
    // 50 in × $3/M + 10000 cache read × $0.3/M + 1000 cache write 5m × $3.75/M + 2000 cache write 1h × $6/M
    // + 400 out × $15/M = (150 + 3000 + 3750 + 12000 + 6000) / 1e6 = 0.0249
    expect(costUsd(u, ANTHROPIC)).toBe(0.0249);
  });

  it('Anthropic 1-hour cache writes of message_start survive the cumulative message_delta (stream)', () => {
    const start = {
      type: 'message_start',
      message: {
        id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-6', stop_reason: null, stop_sequence: null,
        usage: { input_tokens: 50, cache_creation_input_tokens: 3000, cache_read_input_tokens: 10_000, cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 }, output_tokens: 1 },
      },
    };
    const events = [
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } },
      { type: 'content_block_stop', index: 0 },
      // The delta repeats the cumulative counts but not the cache_creation breakdown.
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 50, cache_creation_input_tokens: 3000, cache_read_input_tokens: 10_000, output_tokens: 400 } },
      { type: 'message_stop' },
    ];
    const u = decoded({ name: 'hand-written', format: 'anthropic', events: events.map((e) => ({ event: e.type, data: JSON.stringify(e) })) });
    expect(u).toEqual({ input: 50, output: 400, cacheRead: 10_000, cacheWrite: 3000, cacheWrite1h: 2000, reasoning: 0 });
    // As above: 0.0249
    expect(costUsd(u, ANTHROPIC)).toBe(0.0249);
  });

  it('DeepSeek prompt_cache_hit_tokens without prompt_tokens_details', () => {
    const u = decodeOpenAIUsage({
      prompt_tokens: 1000, completion_tokens: 300, total_tokens: 1300, prompt_cache_hit_tokens: 800, prompt_cache_miss_tokens: 200,
      completion_tokens_details: { reasoning_tokens: 120 },
    });
    expect(u).toEqual({ input: 200, output: 300, cacheRead: 800, cacheWrite: 0, reasoning: 120 });
    // 200 in × $2/M + 800 cache read × $0.5/M + 300 out (120 reasoning) × $8/M = (400 + 400 + 2400) / 1e6 = 0.0032
    expect(costUsd(u, OPENAI)).toBe(0.0032);
  });

  it('Anthropic counts relayed in an OpenAI-format body (OpenRouter, LiteLLM)', () => {
    const u = decodeOpenAIUsage({ prompt_tokens: 5000, completion_tokens: 100, total_tokens: 5100, cache_read_input_tokens: 3000, cache_creation_input_tokens: 1500 });
    expect(u).toEqual({ input: 500, output: 100, cacheRead: 3000, cacheWrite: 1500, reasoning: 0 });
    // 500 in × $2/M + 3000 cache read × $0.5/M + 1500 cache write × $2.5/M + 100 out × $8/M
    // = (1000 + 1500 + 3750 + 800) / 1e6 = 0.00705
    expect(costUsd(u, OPENAI)).toBe(0.00705);
  });

  it('Groq cached tokens at a price without a cache discount are billed as input, once', () => {
    const u = decodeOpenAIUsage({ prompt_tokens: 2000, completion_tokens: 50, total_tokens: 2050, prompt_tokens_details: { cached_tokens: 1536 } });
    expect(u).toEqual({ input: 464, output: 50, cacheRead: 1536, cacheWrite: 0, reasoning: 0 });
    // (464 in + 1536 cache read) × $0.59/M + 50 out × $0.79/M = (1180 + 39.5) / 1e6 = 0.0012195
    expect(costUsd(u, { input: 0.59, output: 0.79 })).toBe(0.0012195);
  });

  it('Gemini cachedContentTokenCount is part of promptTokenCount', () => {
    const u = decodeGeminiUsage({ promptTokenCount: 12_000, cachedContentTokenCount: 10_000, candidatesTokenCount: 300, thoughtsTokenCount: 700, totalTokenCount: 13_000 });
    expect(u).toEqual({ input: 2000, output: 1000, cacheRead: 10_000, cacheWrite: 0, reasoning: 700 });
    // 2000 in × $1.25/M + 10000 cache read × $0.125/M + 1000 out (700 thoughts) × $10/M = (2500 + 1250 + 10000) / 1e6
    // = 0.01375
    expect(costUsd(u, GEMINI)).toBe(0.01375);
  });

  it('Gemini long-context tier: the threshold counts cached prompt tokens too', () => {
    const u = decodeGeminiUsage({ promptTokenCount: 250_000, cachedContentTokenCount: 100_000, candidatesTokenCount: 1000, thoughtsTokenCount: 1000, totalTokenCount: 252_000 });
    expect(u).toEqual({ input: 150_000, output: 2000, cacheRead: 100_000, cacheWrite: 0, reasoning: 1000 });
    const tiered: CatalogPrice = { ...GEMINI, tiers: [{ threshold: 200_000, input: 2.5, output: 15, cacheRead: 0.25 }] };
    // prompt 150000 + 100000 = 250000 > 200000, so every token is at the tier's price:
    // 150000 in × $2.5/M + 100000 cache read × $0.25/M + 2000 out × $15/M = (375000 + 25000 + 30000) / 1e6 = 0.43
    expect(costUsd(u, tiered)).toBe(0.43);
  });
});
