/**
 * Estimates for providers whose tokenizer is not public (Anthropic) or not shipped offline (Gemini), and for the
 * rest: every piece of text is estimated in o200k tokens without the BPE (approx.ts) and scaled by the family's
 * ratio, then the family's framing
 * overheads (per request, message, tool...) are added, and images, documents and replayed reasoning are priced by
 * the family's own rules. The numbers of each profile are fitted to recorded traffic (see profiles.ts).
 */
import type { ContentBlock, ImageBlock, DocumentBlock, Request, ThinkingBlock, RedactedThinkingBlock, Tool } from '../canonical/types.js';
import { currentTurnStart, jsonText, pdfPages, textReader, toolCallText, type TextReader } from './content.js';
import { approxTokens } from './approx.js';
import { ToolsCounts } from './tools-memo.js';

export interface Profile {
  /** Family tokens per (estimated) o200k token of ordinary text. */
  textScale: number;
  perRequest: number;
  perMessage: number;
  perToolCall: number;
  perToolResult: number;
  /** The model sees tool-call ids (Anthropic renders `toolu_...` in both the call and its result). */
  countsToolIds: boolean;
  /**
   * Function calls and JSON results reach the model without JSON punctuation (Gemini renders them in its own compact
   * syntax), so only their names, keys and values are counted.
   */
  terseJson: boolean;
  perTool: number;
  /** A tool definition as the provider's prompt renders it (providers render schemas more tersely than JSON). */
  toolText(t: Tool): string;
  /** Fixed cost of declaring any tools at all (a tool-use preamble the provider adds), by tool choice. */
  toolsPreamble(req: Request): number;
  /** Provider-side tools (web search...) that are not in `req.tools`. */
  serverTools(req: Request): number;
  /** When extended thinking is on (a thinking preamble). */
  perThinkingRequest: number;
  image(req: Request, block: ImageBlock): number;
  perPdfPage: number;
  /** Tokens of a replayed reasoning block (0 when the provider strips it); `current` = in the tool loop in progress. */
  reasoning(req: Request, block: ThinkingBlock | RedactedThinkingBlock, current: boolean, scaled: (s: string) => number): number;
  /** Tokens of a reasoning signature attached to a text or tool-call block. */
  signature(req: Request, block: { signature?: string; signatureOrigin?: { format: string } }): number;
  /** Whether an opaque block of this format reaches this family's upstream (others are dropped by encoders). */
  opaqueFormat: string | undefined;
}

/** The o200k estimate of each profile's last tool list. */
const toolsCounts = new ToolsCounts();

export function estimateScaled(req: Request, p: Profile): number {
  let raw = 0; // estimated o200k tokens of text, scaled once at the end
  let fixed = p.perRequest;
  const o200k = approxTokens;
  const scaled = (s: string): number => Math.ceil(o200k(s) * p.textScale);
  const t = textReader(req);

  for (const b of req.system) raw += o200k(t.text(b.text));
  const tools = req.tools ?? [];
  if (tools.length > 0) {
    // One text for all definitions: an agent's tools are tens of kilobytes, counted (or sampled) and memoised once.
    fixed += p.toolsPreamble(req) + p.perTool * tools.length;
    const read = tools.map((x) => t.value(x));
    raw += toolsCounts.get(p, read, () => o200k(read.map((x) => p.toolText(x)).join('\n')));
  }
  fixed += p.serverTools(req);
  // A structured-output schema reaches the model too (Anthropic output_format, Gemini responseJsonSchema).
  if (req.responseFormat?.type === 'json_schema') raw += o200k(jsonText(req.responseFormat.schema));
  if (req.thinking && req.thinking.type !== 'disabled') fixed += p.perThinkingRequest;

  const turn = currentTurnStart(req.messages);
  req.messages.forEach((m, i) => {
    fixed += p.perMessage;
    for (const b of m.content) {
      const r = block(req, b, i >= turn, p, t, o200k, scaled);
      raw += r.raw;
      fixed += r.fixed;
    }
  });
  return Math.ceil(raw * p.textScale + fixed);
}

function block(
  req: Request,
  b: ContentBlock,
  current: boolean,
  p: Profile,
  t: TextReader,
  o200k: (s: string) => number,
  scaled: (s: string) => number,
): { raw: number; fixed: number } {
  switch (b.type) {
    case 'text':
      return { raw: o200k(t.text(b.text)), fixed: p.signature(req, b) };
    case 'image':
      return { raw: 0, fixed: p.image(req, b) };
    case 'document':
      return document(b, p, o200k);
    case 'tool_call':
      return {
        raw: o200k(p.terseJson ? `${b.name} ${terse(jsonText(b.input))}` : toolCallText(b)) + (p.countsToolIds ? o200k(b.id) : 0),
        fixed: p.perToolCall + p.signature(req, b),
      };
    case 'tool_result': {
      let raw = p.countsToolIds ? o200k(b.toolCallId) : 0;
      let fixed = p.perToolResult;
      for (const c of b.content) {
        const text = c.type === 'text' && p.terseJson ? t.text(c.text) : undefined;
        if (text !== undefined && isJsonObject(text)) {
          raw += o200k(terse(text));
          continue;
        }
        const r = block(req, c, current, p, t, o200k, scaled);
        raw += r.raw;
        fixed += r.fixed;
      }
      return { raw, fixed };
    }
    case 'thinking':
    case 'redacted_thinking':
      return { raw: 0, fixed: p.reasoning(req, b, current, scaled) };
    case 'opaque':
      return { raw: b.format === p.opaqueFormat ? o200k(jsonText(t.value(b.value))) : 0, fixed: 0 };
  }
}

function document(b: DocumentBlock, p: Profile, o200k: (s: string) => number): { raw: number; fixed: number } {
  const title = (b.title ?? '') + (b.context ?? '');
  if (b.source.kind === 'text') return { raw: o200k(b.source.data) + o200k(title), fixed: 0 };
  return { raw: o200k(title), fixed: pdfPages(b) * p.perPdfPage };
}

/** JSON with its punctuation blanked out: what remains are the keys and values a compact rendering shows. */
function terse(json: string): string {
  return json.replace(/[{}[\]":,]+/g, ' ').trim();
}

/** Parsing is skipped for big texts: counted with their punctuation they are merely overestimated a little. */
const MAX_JSON_CHECK_CHARS = 50_000;

function isJsonObject(text: string): boolean {
  if (text.length > MAX_JSON_CHECK_CHARS || !text.startsWith('{') || !text.endsWith('}')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
