import type { ContentBlock, Request, WireFormat } from './types.js';

/**
 * Block types each client format defines. A block of one of these that the canonical form could not carry (a
 * server-tool result, an extra field) is a known thing another format may knowingly drop; a type outside them is
 * something nobody here understands, and dropping it would change the request's meaning unseen.
 */
const KNOWN: Record<'anthropic' | 'openai', { names: ReadonlySet<string>; pattern?: RegExp }> = {
  anthropic: {
    names: new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'server_tool_use', 'search_result', 'container_upload', 'tool_reference']),
    // web_search_tool_result, code_execution_tool_result, mcp_tool_use, mcp_tool_result and their future siblings.
    pattern: /^[a-z0-9_]+_tool_(use|result)$/,
  },
  openai: { names: new Set(['text', 'input_text', 'image_url', 'input_image', 'input_audio', 'file', 'input_file', 'refusal', 'custom']) },
};

function typeOf(value: unknown): string | null {
  return value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string' ? (value as { type: string }).type : null;
}

/**
 * The first block type in `req` that its own format does not define, when the request is about to go to a provider of
 * another format (which would drop it). Null when there is none, or when the upstream speaks the block's format and
 * can judge it itself.
 */
export function unknownBlockTypeFor(req: Request, upstream: WireFormat): string | null {
  const check = (blocks: readonly ContentBlock[]): string | null => {
    for (const b of blocks) {
      if (b.type === 'tool_result') {
        const inner = check(b.content);
        if (inner) return inner;
      }
      if (b.type !== 'opaque' || b.format === upstream || b.format === 'gemini') continue;
      const type = typeOf(b.value);
      const known = KNOWN[b.format];
      if (type !== null && !known.names.has(type) && !known.pattern?.test(type)) return type;
    }
    return null;
  };
  for (const m of req.messages) {
    const found = check(m.content);
    if (found) return found;
  }
  return null;
}
