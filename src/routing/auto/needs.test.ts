import { describe, expect, it } from 'vitest';
import type { Request } from '../../formats/canonical/types.js';
import { needsFromRequest } from './index.js';

const base = (over: Partial<Request> = {}): Request => ({ model: 'auto', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, extensions: {}, ...over });

describe('needsFromRequest', () => {
  it('reads a plain request', () => {
    let calls = 0;
    const n = needsFromRequest(base(), () => {
      calls++;
      return 1234.4;
    });
    expect(n).toEqual({ inputTokens: 1234, tools: false, images: false, pdf: false, jsonSchema: false, thinking: false });
    expect(calls).toBe(1);
  });

  it('sees tools, tool history, images (also inside tool results), PDFs, json_schema, thinking and max_tokens', () => {
    expect(needsFromRequest(base({ tools: [{ name: 'f', inputSchema: {} }] }), () => 1).tools).toBe(true);
    const toolHistory = base({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_call', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 't', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }] },
      ],
    });
    expect(needsFromRequest(toolHistory, () => 1)).toMatchObject({ tools: true, images: true, pdf: false });
    const pdf = base({ messages: [{ role: 'user', content: [{ type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } }] }] });
    expect(needsFromRequest(pdf, () => 1).pdf).toBe(true);
    const text = base({ messages: [{ role: 'user', content: [{ type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'x' } }] }] });
    expect(needsFromRequest(text, () => 1).pdf).toBe(false);
    expect(needsFromRequest(base({ responseFormat: { type: 'json_schema', schema: {} } }), () => 1).jsonSchema).toBe(true);
    expect(needsFromRequest(base({ responseFormat: { type: 'json_object' } }), () => 1).jsonSchema).toBe(false);
    expect(needsFromRequest(base({ thinking: { type: 'enabled', budgetTokens: 1024 } }), () => 1).thinking).toBe(true);
    expect(needsFromRequest(base({ reasoningEffort: 'high' }), () => 1).thinking).toBe(true);
    expect(needsFromRequest(base({ reasoningEffort: 'none' }), () => 1).thinking).toBe(false);
    expect(needsFromRequest(base({ maxTokens: 32000 }), () => 1).maxTokens).toBe(32000);
  });

  it('treats a bad estimate as 0', () => {
    expect(needsFromRequest(base(), () => NaN).inputTokens).toBe(0);
    expect(needsFromRequest(base(), () => -5).inputTokens).toBe(0);
  });
});
