import { describe, expect, it } from 'vitest';
import { fillPlaceholders, prependTemplates, renderTemplates } from './templates.js';
import { request } from './test-helpers.js';

describe('renderTemplates', () => {
  it('fills {{var}} from prompt_variables (the hosted example)', () => {
    const r = renderTemplates([{ role: 'system', content: 'You are {{agent_name}}, who loves {{item}}.' }], { agent_name: 'Ada', item: 'tea' });
    expect(r).toEqual({ messages: [{ role: 'system', content: [{ type: 'text', text: 'You are Ada, who loves tea.' }] }], missing: [] });
  });

  it('renders a missing variable as empty and reports it; tolerates spaces in the braces', () => {
    const r = renderTemplates([{ role: 'user', content: 'Hi {{ name }}, about {{topic}} and {{topic}}.' }], { name: 'Bo' });
    expect(r.messages[0].content).toEqual([{ type: 'text', text: 'Hi Bo, about  and .' }]);
    expect(r.missing).toEqual(['topic']);
    expect(renderTemplates([{ role: 'user', content: '{{x}}' }], undefined).missing).toEqual(['x']);
  });

  it('does not expand placeholders inside values; writes numbers, bools and objects as text', () => {
    expect(fillPlaceholders('{{a}}|{{b}}|{{c}}|{{d}}|{{e}}', { a: '{{b}}', b: 3, c: true, d: { k: [1] }, e: null })).toBe('{{b}}|3|true|{"k":[1]}|');
  });

  it('ignores variables that are not own properties (no prototype lookups)', () => {
    expect(fillPlaceholders('[{{constructor}}][{{toString}}]', {})).toBe('[][]');
  });

  it('maps roles and content items, tool calls and tool results', () => {
    const r = renderTemplates(
      [
        { role: 'developer', content: 'rules for {{who}}' },
        { role: 'user', contentItems: [{ text: 'part 1' }, { text: 'part {{n}}' }] },
        { role: 'assistant', content: 'calling', toolCalls: [{ id: 'c1', name: 'lookup', args: '{"q":"{{who}}"}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'result' },
      ],
      { who: 'ops', n: 2 },
    );
    expect(r.messages).toEqual([
      { role: 'system', systemKind: 'developer', content: [{ type: 'text', text: 'rules for ops' }] },
      { role: 'user', content: [{ type: 'text', text: 'part 1' }, { type: 'text', text: 'part 2' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'calling' }, { type: 'tool_call', id: 'c1', name: 'lookup', input: { q: 'ops' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'result' }] }] },
    ]);
  });
});

describe('prependTemplates', () => {
  it('puts templates before the caller: template system, then caller system, then caller messages', () => {
    const req = request({ system: [{ type: 'text', text: 'caller system {{x}}' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'caller {{x}}' }] }] });
    const { messages } = renderTemplates([{ role: 'system', content: 'router system {{x}}' }], { x: 'X' });
    const out = prependTemplates(req, messages);
    expect(out.system).toEqual([
      { type: 'text', text: 'router system X' },
      { type: 'text', text: 'caller system {{x}}' },
    ]);
    // The caller's own text is never substituted.
    expect(out.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'caller {{x}}' }] }]);
    expect(req.system).toHaveLength(1);
  });

  it('keeps transcript order when templates include turns: the caller system prompt becomes a mid-conversation system message', () => {
    const req = request({ system: [{ type: 'text', text: 'caller system' }] });
    const { messages } = renderTemplates(
      [
        { role: 'system', content: 'persona' },
        { role: 'user', content: 'example question' },
        { role: 'assistant', content: 'example answer' },
      ],
      {},
    );
    const out = prependTemplates(req, messages);
    expect(out.system).toEqual([{ type: 'text', text: 'persona' }]);
    expect(out.messages.map((m) => [m.role, m.content[0].type === 'text' ? m.content[0].text : ''])).toEqual([
      ['user', 'example question'],
      ['assistant', 'example answer'],
      ['system', 'caller system'],
      ['user', 'hello'],
    ]);
  });

  it('returns the request unchanged when there are no templates', () => {
    const req = request();
    expect(prependTemplates(req, [])).toBe(req);
  });
});
