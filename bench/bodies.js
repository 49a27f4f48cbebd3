// Request bodies for the benchmark, serialised once into Buffers.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const MODEL = 'claude-opus-4-8';

/** ~2 KB: a short system prompt, three messages and one tool. */
export function smallBody() {
  return {
    model: MODEL,
    max_tokens: 1024,
    system:
      'You are a careful coding assistant working in a TypeScript repository. Answer briefly, prefer small diffs, ' +
      'and use the read_file tool when you need to see a file before changing it. Never invent file contents. ' +
      'The project uses strict TypeScript with ES modules, vitest for tests and eslint; keep to its style: small ' +
      'functions, no default exports, explicit return types on exported functions, and errors that name the field.',
    tools: [
      {
        name: 'read_file',
        description: 'Read a UTF-8 text file from the workspace and return its contents with line numbers.',
        input_schema: {
          type: 'object',
          properties: {
            path: { type: 'string', description: 'Path relative to the repository root' },
            offset: { type: 'integer', minimum: 0, description: 'First line to return (0-based)' },
            limit: { type: 'integer', minimum: 1, maximum: 2000, description: 'How many lines to return' },
          },
          required: ['path'],
          additionalProperties: false,
        },
      },
    ],
    messages: [
      {
        role: 'user',
        content:
          'The config loader in src/config/load.ts rejects durations like "1.5s" although the docs say they are ' +
          'accepted. Find where durations are parsed and tell me what is wrong, in two or three sentences. ' +
          'Here is the error message the user sees: "failover.timeouts.total: not a duration: 1.5s". ' +
          'The same file also handles sizes such as 32MiB and 512kb; those work fine.',
      },
      {
        role: 'assistant',
        content:
          'I will look at the duration parser first. The message suggests the regular expression only accepts ' +
          'integers before the unit, which would explain why "1.5s" fails while "2s" works. Let me read the file.',
      },
      {
        role: 'user',
        content:
          'Yes, please check src/util/duration.ts, and also whether there is a unit test covering fractional ' +
          'values. Keep the answer short; I only need the cause and the one-line fix, not a full patch.',
      },
    ],
  };
}

const ROUND_FILES = ['src/app.ts', 'src/ingress/server.ts', 'src/providers/registry.ts', 'src/telemetry/recorder.ts', 'src/store/sqlite/index.ts'];

/** A deterministic, source-code-looking tool result of about `bytes` characters, numbered like Claude Code's Read. */
function fileListing(file, bytes, seed) {
  const lines = [];
  let size = 0;
  for (let i = 1; size < bytes; i++) {
    const k = (i * 7919 + seed * 104729) % 997;
    const line =
      i % 9 === 0
        ? `  // ${file}: step ${k} keeps the request path allocation-free and hands records to the batch writer`
        : `  const v${k} = await handle${k % 13}(ctx, { id: ${k}, name: 'item-${k}', retries: ${k % 5}, timeoutMs: ${k * 10} });`;
    const numbered = `${String(i).padStart(6)}\t${line}`;
    lines.push(numbered);
    size += numbered.length + 1;
  }
  return lines.join('\n');
}

/**
 * ~200 KB, shaped like a Claude Code turn deep into a session: the real first request from
 * shared/fixtures/claude-code/p-json-bash.jsonl (24 tools, the cached three-block system prompt, the mid-conversation
 * system message), followed by Read/Bash tool rounds until the body reaches `targetBytes`.
 */
export function largeBody(repoRoot, targetBytes = 200 * 1024) {
  const fixture = path.resolve(repoRoot, '../shared/fixtures/claude-code/p-json-bash.jsonl');
  const body = JSON.parse(readFileSync(fixture, 'utf8').split('\n')[0]).body;
  // Claude Code keeps one message breakpoint on the newest user block; drop the ones in history.
  for (const m of body.messages) {
    if (Array.isArray(m.content)) for (const b of m.content) delete b.cache_control;
  }
  let round = 0;
  while (JSON.stringify(body).length < targetBytes - 6000) {
    round++;
    const id = `toolu_bench${String(round).padStart(4, '0')}`;
    const useRead = round % 3 !== 0;
    const file = ROUND_FILES[round % ROUND_FILES.length];
    body.messages.push({
      role: 'assistant',
      content: [
        { type: 'text', text: useRead ? `Let me read ${file} to see how it handles this.` : 'Let me run the tests to check the current state.' },
        useRead
          ? { type: 'tool_use', id, name: 'Read', input: { file_path: `/home/dev/project/${file}` } }
          : { type: 'tool_use', id, name: 'Bash', input: { command: 'npm test -- --reporter=dot', description: 'Run the test suite' } },
      ],
    });
    body.messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content: fileListing(file, useRead ? 9000 : 3000, round), is_error: false }],
    });
  }
  body.messages.push({
    role: 'user',
    content: [{ type: 'text', text: 'Good. Now summarise in one sentence what you found.', cache_control: { type: 'ephemeral' } }],
  });
  return body;
}

/** Headers Claude Code sends (minus the key, which the caller adds). */
export const CLAUDE_CODE_HEADERS = {
  'anthropic-version': '2023-06-01',
  'anthropic-beta':
    'claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27,prompt-caching-scope-2026-01-05,mid-conversation-system-2026-04-07,effort-2025-11-24',
  'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)',
  'x-app': 'cli',
  'content-type': 'application/json',
};

export const SDK_HEADERS = {
  'anthropic-version': '2023-06-01',
  'user-agent': 'switchyard-bench',
  'content-type': 'application/json',
};

/**
 * The same content as an OpenAI Chat Completions request: the system prompt (blocks joined) as the first message,
 * Anthropic tools as function tools with the same JSON Schema, tool_use blocks as `tool_calls` and tool_result
 * blocks as `tool` messages; cache_control, metadata, thinking and context_management have no OpenAI equivalent
 * and are left out (thinking becomes `reasoning_effort`).
 */
export function toOpenAI(body) {
  const text = (content) => (typeof content === 'string' ? content : content.filter((b) => b.type === 'text').map((b) => b.text).join('\n'));
  const messages = [];
  if (body.system) messages.push({ role: 'system', content: text(body.system) });
  for (const m of body.messages) {
    if (typeof m.content === 'string') {
      messages.push({ role: m.role, content: m.content });
    } else if (m.role === 'assistant') {
      const calls = m.content.filter((b) => b.type === 'tool_use');
      messages.push({
        role: 'assistant',
        content: text(m.content) || null,
        ...(calls.length ? { tool_calls: calls.map((b) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input) } })) } : {}),
      });
    } else {
      for (const b of m.content) {
        if (b.type === 'tool_result') messages.push({ role: 'tool', tool_call_id: b.tool_use_id, content: typeof b.content === 'string' ? b.content : text(b.content) });
      }
      const parts = m.content.filter((b) => b.type === 'text').map((b) => ({ type: 'text', text: b.text }));
      if (parts.length) messages.push({ role: m.role, content: parts.length === 1 ? parts[0].text : parts });
    }
  }
  return {
    model: body.model,
    max_completion_tokens: body.max_tokens,
    ...(body.thinking ? { reasoning_effort: body.output_config?.effort ?? 'medium' } : {}),
    messages,
    tools: body.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } })),
  };
}

/** Headers the OpenAI JS SDK sends (minus the key). */
export const OPENAI_SDK_HEADERS = {
  'user-agent': 'OpenAI/JS 6.49.0',
  'x-stainless-lang': 'js',
  'x-stainless-package-version': '6.49.0',
  'content-type': 'application/json',
};

/**
 * {small: {false: Buffer, true: Buffer}, large: {...}} keyed by the stream flag, and each kind's headers.
 * `openai: true` gives the same content as OpenAI Chat Completions requests (streams ask for the usage chunk,
 * as agent clients do); `model` replaces the model, `extra` adds top-level fields (e.g. `models` for failover).
 */
export function buildBodies(repoRoot, { openai = false, model, extra } = {}) {
  const out = {};
  for (const [kind, make, headers] of [
    ['small', smallBody, SDK_HEADERS],
    ['large', () => largeBody(repoRoot), CLAUDE_CODE_HEADERS],
  ]) {
    let b = make();
    if (model) b.model = model;
    if (openai) b = toOpenAI(b);
    Object.assign(b, extra);
    if (openai) {
      out[kind] = {
        headers: OPENAI_SDK_HEADERS,
        false: Buffer.from(JSON.stringify(b)),
        true: Buffer.from(JSON.stringify({ ...b, stream: true, stream_options: { include_usage: true } })),
      };
    } else {
      out[kind] = { headers, false: Buffer.from(JSON.stringify({ ...b, stream: false })), true: Buffer.from(JSON.stringify({ ...b, stream: true })) };
    }
  }
  return out;
}
