import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { claudeResult, runClaude } from '../helpers/claude.js';

/** A three-turn agent task: write a file, append to it, then answer. */
function scriptTask(sim: Simulator, model: string): void {
  sim.script(
    [
      { content: [{ type: 'text', text: 'I will create the file.' }, { type: 'tool_use', name: 'Bash', input: { command: "printf 'one' > notes.txt", description: 'Create notes.txt' } }] },
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: "printf ' two' >> notes.txt", description: 'Append to notes.txt' } }] },
      { content: [{ type: 'text', text: 'notes.txt now says: one two' }] },
    ],
    { model },
  );
}

describe('Claude Code through the router to translated upstreams', () => {
  let h: Harness;
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0 });
    h = await startHarness(
      {
        providers: {
          openai: { api_key: 'sk-openai-e2e-0001', base_url: `${sim.url}/v1` },
          'google-ai-studio': { api_key: 'gemini-e2e-0001', base_url: sim.url },
        },
        // Claude Code's default model slot redirected to an OpenAI-format model, no --model flag needed.
        aliases: { 'claude-opus-4-8': 'openai/gpt-5.1' },
      },
      { sim },
    );
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
  });
  beforeEach(() => sim.reset());

  const cases = [
    { name: 'OpenAI-format upstream via an alias of the default model', args: [], model: 'gpt-5.1', path: '/v1/chat/completions' },
    { name: '--model openai/<id>', args: ['--model', 'openai/gpt-5.1'], model: 'gpt-5.1', path: '/v1/chat/completions' },
    { name: '--model google-ai-studio/<id> (Gemini 3: thought signatures must come back)', args: ['--model', 'google-ai-studio/gemini-3-pro-preview'], model: 'gemini-3-pro-preview', path: '/v1beta/models/gemini-3-pro-preview:streamGenerateContent' },
  ];

  it.each(cases)('$name: a multi-turn tool-using task completes', async ({ args, model, path: upstreamPath }) => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sy-claude-tr-'));
    scriptTask(sim, model);
    const res = await runClaude(['-p', 'create notes.txt with one, then append two', '--output-format', 'json', '--allowedTools', 'Bash,Write,Edit,Read', ...args], cwd, h.url, h.key);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const result = claudeResult(res.stdout);
    expect(result.is_error, result.result).toBe(false);
    expect(result.result).toContain('notes.txt now says: one two');
    expect(readFileSync(path.join(cwd, 'notes.txt'), 'utf8')).toBe('one two');

    const turns = sim.requests.filter((r) => r.path.startsWith(upstreamPath));
    expect(turns.length).toBe(3);
    const third = JSON.parse(turns[2].body.toString()) as Record<string, unknown>;
    if (upstreamPath.includes('chat')) {
      const toolMessages = (third.messages as Array<{ role: string }>).filter((m) => m.role === 'tool');
      expect(toolMessages.length).toBe(2);
    } else {
      const contents = third.contents as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
      expect(contents.flatMap((c) => c.parts).filter((p) => p.functionResponse).length).toBe(2);
      // Each model turn's first function call carries the signature Gemini issued, not the validator escape hatch.
      const firstCalls = contents.filter((c) => c.role === 'model').map((c) => c.parts.find((p) => p.functionCall));
      expect(firstCalls.length).toBe(2);
      for (const call of firstCalls) {
        expect(typeof call?.thoughtSignature).toBe('string');
        expect(call?.thoughtSignature).not.toBe('skip_thought_signature_validator');
      }
    }
  }, 180_000);
});
