/**
 * OpenAI prompt tokens, counted the way Chat Completions renders a conversation, with a text counter the caller
 * chooses (the model's own BPE for `count_tokens`, the BPE-free estimate on the request path): each
 * message is `<|start|>role<|message|>content<|end|>` (3 tokens of framing + content), the reply is primed with
 * 3 more (OpenAI cookbook), tool definitions are a TypeScript namespace in the system prompt, images are priced by
 * size. What the OpenAI encoders drop (thinking, signatures, foreign opaque blocks) costs nothing.
 */
import type { ContentBlock, Message, Request, Tool } from '../canonical/types.js';
import { jsonText, pdfPages, textReader, toolCallText, type TextReader } from './content.js';
import { imageSizeOf } from './image-size.js';
import { openAiImageTokens } from './image-tokens.js';
import { renderOpenAiTools } from './openai-tools.js';
import { ToolsCounts } from './tools-memo.js';

const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
const PER_NAME = 1;
/** Framing of the tools block in the system prompt, beyond the rendered namespace (gpt-4o-mini recordings). */
const TOOLS_FRAMING = 9;
/**
 * Reasoning models (gpt-5, o-series) speak the channelled "harmony" format: declaring tools adds instructions about
 * the commentary channel (fitted: gpt-5-nano bills 82 more for one tool than gpt-4o's rendering predicts), and each
 * past assistant message names its channel (`<|channel|>final`, 2 tokens; o3-mini and gpt-5-nano recordings).
 */
const REASONING_TOOLS_FRAMING = TOOLS_FRAMING + 82;
const REASONING_ASSISTANT_CHANNEL = 2;
/** An assistant tool call's framing (recipient, constraint) beyond its name and JSON arguments. */
const PER_TOOL_CALL = 6;
/** A structured-output schema's framing beyond its JSON (no recording; an estimate). */
const RESPONSE_SCHEMA_FRAMING = 12;
/** A PDF page: its extracted text plus the page image; a rough figure (no recorded PDF to fit it to). */
const PER_PDF_PAGE = 1000;

const REASONING_MODEL = /^(?:gpt-5|o[1-9](?:$|[-.]))/;
/** Search models report only the content tokens of the prompt (a recorded gpt-4o-mini-search-preview call). */
const SEARCH_MODEL = /-search-(?:preview|api)/;

function modelTail(model: string): string {
  const id = model.toLowerCase();
  return id.slice(id.lastIndexOf('/') + 1);
}

/** The count of each counter's (`countKey`'s) last rendered tool list. */
const sharedToolsTokens = new ToolsCounts();

function toolsTokens(tools: readonly Tool[], count: (s: string) => number, countKey: string | undefined): number {
  if (countKey === undefined) return count(renderOpenAiTools(tools));
  return sharedToolsTokens.get(countKey, tools, () => count(renderOpenAiTools(tools)));
}

/**
 * `count` gives the tokens of a text in the model's encoding (exact or estimated); `countKey` names that counter
 * (the same key, the same counts) so that an unchanged tool list is counted once.
 */
export function estimateOpenAi(req: Request, count: (s: string) => number, countKey?: string): number {
  const t = textReader(req);
  const model = modelTail(req.model);
  const reasoning = REASONING_MODEL.test(model);
  const framing = SEARCH_MODEL.test(model) ? 0 : PER_MESSAGE;
  const names = toolNames(req.messages);

  let total = framing === 0 ? 0 : REPLY_PRIMING;
  if (req.system.length > 0) total += framing + count(req.system.map((b) => t.text(b.text)).join('\n'));
  for (const m of req.messages) {
    const rest: ContentBlock[] = [];
    for (const b of m.content) {
      if (b.type !== 'tool_result') {
        rest.push(b);
        continue;
      }
      // Each tool result travels as its own message, authored by `functions.<name>` instead of a role.
      const name = b.name ?? names.get(b.toolCallId);
      total += framing + blocksTokens(req, b.content, count, t) + (name ? count(`functions.${name}`) - 1 : 0);
    }
    if (rest.length === 0 && m.content.length > 0) continue;
    total += framing + blocksTokens(req, rest, count, t);
    if (m.name) total += PER_NAME + count(m.name);
    if (reasoning && m.role === 'assistant') total += REASONING_ASSISTANT_CHANNEL;
  }
  // Definitions are sent (and billed) even with tool_choice none.
  if (req.tools && req.tools.length > 0) {
    total += (reasoning ? REASONING_TOOLS_FRAMING : TOOLS_FRAMING) + toolsTokens(req.tools.map((x) => t.value(x)), count, countKey);
  }
  const rf = req.responseFormat;
  if (rf?.type === 'json_schema') total += RESPONSE_SCHEMA_FRAMING + count(`${rf.name ?? ''}\n${rf.description ?? ''}\n${jsonText(rf.schema)}`);
  return total;
}

function toolNames(messages: readonly Message[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) for (const b of m.content) if (b.type === 'tool_call') names.set(b.id, b.name);
  return names;
}

function blocksTokens(req: Request, blocks: readonly ContentBlock[], count: (s: string) => number, t: TextReader): number {
  let n = 0;
  for (const b of blocks) {
    switch (b.type) {
      case 'text':
        n += count(t.text(b.text));
        break;
      case 'image':
        n += openAiImageTokens(req.model, imageSizeOf(b.source), b.detail);
        break;
      case 'document':
        n += b.source.kind === 'text' ? count(b.source.data) : pdfPages(b) * PER_PDF_PAGE;
        break;
      case 'tool_call':
        n += PER_TOOL_CALL + count(toolCallText(b));
        break;
      case 'tool_result':
        // Only reached for results nested where a format allows it; top-level ones are separate messages.
        n += PER_MESSAGE + blocksTokens(req, b.content, count, t);
        break;
      case 'opaque':
        if (b.format === 'openai') n += count(jsonText(t.value(b.value)));
        break;
      default:
        // thinking / redacted_thinking: OpenAI encoders drop them.
        break;
    }
  }
  return n;
}
