import type { ContentBlock, Request } from '../../formats/canonical/types.js';
import { isThinking } from '../routers/index.js';

/** What a request needs from a model, for auto's capability and context filters. */
export interface AutoNeeds {
  /** Estimated prompt tokens (system, messages, tools). */
  inputTokens: number;
  /** The caller's `max_tokens`, when given. */
  maxTokens?: number;
  /** Tools are defined, or the conversation holds tool calls or results. */
  tools: boolean;
  /** An image appears in a message or a tool result. */
  images: boolean;
  /** A PDF document appears (base64 `application/pdf`, or a URL document, which Anthropic reads as PDF). */
  pdf: boolean;
  /** `response_format: json_schema` (structured outputs); `json_object` needs nothing special. */
  jsonSchema: boolean;
  /** Extended thinking or a reasoning effort other than `none` was asked for. */
  thinking: boolean;
}

function scan(blocks: readonly ContentBlock[], found: { images: boolean; pdf: boolean; toolBlocks: boolean }): void {
  for (const b of blocks) {
    if (b.type === 'image') found.images = true;
    else if (b.type === 'document') {
      if (b.source.kind === 'url' || (b.source.kind === 'base64' && b.source.mediaType.toLowerCase() === 'application/pdf')) found.pdf = true;
    } else if (b.type === 'tool_call') found.toolBlocks = true;
    else if (b.type === 'tool_result') {
      found.toolBlocks = true;
      scan(b.content, found);
    }
  }
}

/** Derives auto's needs from a canonical request. `estimateInputTokens` is called once. */
export function needsFromRequest(req: Request, estimateInputTokens: (req: Request) => number): AutoNeeds {
  const found = { images: false, pdf: false, toolBlocks: false };
  for (const m of req.messages) scan(m.content, found);
  const estimate = estimateInputTokens(req);
  const needs: AutoNeeds = {
    inputTokens: Number.isFinite(estimate) && estimate > 0 ? Math.round(estimate) : 0,
    tools: (req.tools?.length ?? 0) > 0 || found.toolBlocks,
    images: found.images,
    pdf: found.pdf,
    jsonSchema: req.responseFormat?.type === 'json_schema',
    thinking: isThinking(req),
  };
  if (req.maxTokens !== undefined && Number.isFinite(req.maxTokens) && req.maxTokens > 0) needs.maxTokens = req.maxTokens;
  return needs;
}
