/**
 * The calibrated numbers of the scaled estimators. Each constant is either published by the provider (noted) or
 * fitted by least squares to the recorded cassettes in shared/fixtures/recorded (calibrate.test.ts prints the fit;
 * docs/token-counting.md has the table). Re-fit when recordings are added rather than nudging single values.
 * `textScale` multiplies the BPE-free o200k estimate of approx.ts, which is what these profiles were last fitted with.
 */
import type { Request, ThinkingBlock, RedactedThinkingBlock, Tool } from '../canonical/types.js';
import { imageSizeOf } from './image-size.js';
import { anthropicImageTokens, geminiImageTokens } from './image-tokens.js';
import { jsonText } from './content.js';
import type { Profile } from './scaled.js';

/** A tool as JSON: name, description and the schema verbatim (how Anthropic's tool prompt carries it). */
function jsonToolText(t: Tool): string {
  return `${t.name}\n${t.description ?? ''}\n${jsonText(t.inputSchema)}`;
}

// ------------------------------------------------------------------------------------------------------ Anthropic

/**
 * Claude models that keep thinking blocks of earlier turns in context (Opus 4.5 and later; assumed for every
 * model of generation 5 on). The digit guards keep dated ids (`claude-opus-4-20250514`) out.
 */
const KEEPS_ALL_THINKING = /claude-opus-4-(?:[5-9]|1\d)(?!\d)|claude-(?:opus|sonnet|haiku)-(?:[5-9]|1\d)(?!\d)/;

/** Published tool-use system prompt sizes for Claude 4 models: tool_choice auto/none vs any/tool. */
const TOOL_PREAMBLE_AUTO = 346;
const TOOL_PREAMBLE_FORCED = 313;

/**
 * Server tools' own definitions and instructions. bash/text_editor/computer are published figures; web_search is
 * fitted to the one recorded request that declares it; the rest are guesses of the same order.
 */
const SERVER_TOOL_TOKENS: Array<[RegExp, number]> = [
  [/^web_search_/, 2020],
  [/^web_fetch_/, 2020],
  [/^bash_/, 245],
  [/^text_editor_/, 700],
  [/^computer_/, 1200],
  [/^code_execution_/, 700],
];
const UNKNOWN_SERVER_TOOL = 500;

/** Redacted thinking is encrypted; its size tracks the hidden thinking at roughly this many base64 characters a token. */
const REDACTED_CHARS_PER_TOKEN = 5;

function anthropicServerTools(req: Request): number {
  const server = req.extensions.anthropic?.server_tools;
  if (!Array.isArray(server)) return 0;
  let n = 0;
  for (const s of server as Array<{ tool?: { type?: unknown } }>) {
    const type = typeof s?.tool?.type === 'string' ? s.tool.type : '';
    n += SERVER_TOOL_TOKENS.find(([re]) => re.test(type))?.[1] ?? UNKNOWN_SERVER_TOOL;
  }
  return n;
}

function anthropicOrigin(b: ThinkingBlock | RedactedThinkingBlock): boolean {
  // Anthropic encoders send only Anthropic reasoning upstream; an unlabelled block with a signature is Anthropic's.
  if (b.signatureOrigin) return b.signatureOrigin.format === 'anthropic';
  return b.type === 'redacted_thinking' || b.signature !== undefined;
}

/**
 * textScale, perMessage, perThinkingRequest and perToolCall are a weighted least-squares fit (relative error) to the
 * 13 recorded Anthropic requests; Claude 4.x text costs about what o200k says (textScale: 1.01 fitted with the real
 * o200k BPE, 0.995 with the BPE-free estimate, so 1). Tool-call ids (`toolu_` + 24
 * characters) are counted as text: parallel tool calls cost ~40 tokens a call/result pair more than their content.
 */
export const ANTHROPIC: Profile = {
  textScale: 1,
  perRequest: 0,
  perMessage: 7.5,
  perToolCall: 3,
  perToolResult: 5,
  countsToolIds: true,
  terseJson: false,
  perTool: 0,
  toolText: jsonToolText,
  toolsPreamble: (req) => (req.toolChoice?.type === 'any' || req.toolChoice?.type === 'tool' ? TOOL_PREAMBLE_FORCED : TOOL_PREAMBLE_AUTO),
  serverTools: anthropicServerTools,
  perThinkingRequest: 28,
  image: (_req, b) => anthropicImageTokens(imageSizeOf(b.source)),
  // Published range 1,500-3,000 per page (text plus page image); the middle of it.
  perPdfPage: 2000,
  reasoning(req, b, current, scaled) {
    if (!anthropicOrigin(b)) return 0;
    if (!current && !KEEPS_ALL_THINKING.test(req.model)) return 0;
    return b.type === 'thinking' ? scaled(b.text) : Math.ceil(b.data.length / REDACTED_CHARS_PER_TOKEN);
  },
  signature: () => 0,
  opaqueFormat: 'anthropic',
};

// --------------------------------------------------------------------------------------------------------- Gemini

/**
 * Gemini bills a function declaration at little more than its words: name, description, and each parameter's name,
 * type, description and enum values (gemini-2.0-flash: two one-parameter tools with descriptions cost ~30 tokens).
 */
function terseToolText(t: Tool): string {
  const words: string[] = [t.name, t.description ?? ''];
  schemaWords(t.inputSchema, words, 0);
  return words.filter((w) => w !== '').join('\n');
}

function schemaWords(schema: unknown, out: string[], depth: number): void {
  if (depth > 12 || typeof schema !== 'object' || schema === null) return;
  const s = schema as Record<string, unknown>;
  if (typeof s.type === 'string' && depth > 0) out.push(s.type.toLowerCase());
  if (typeof s.description === 'string' && depth > 0) out.push(s.description);
  if (Array.isArray(s.enum)) out.push(s.enum.map(String).join(' '));
  if (s.properties && typeof s.properties === 'object') {
    for (const [name, sub] of Object.entries(s.properties as Record<string, unknown>)) {
      out.push(name);
      schemaWords(sub, out, depth + 1);
    }
  }
  if (s.items) schemaWords(s.items, out, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(s[key])) for (const sub of s[key] as unknown[]) schemaWords(sub, out, depth + 1);
}

/**
 * A replayed Gemini thought signature is billed as the thinking it encrypts, so its length predicts its cost.
 * gemini-3-flash: the four recorded replays carry 5.1-5.9 signature characters per thought token (each replay's
 * prompt growth against the thoughtsTokenCount of the response that issued it); 5.17 is the least-squares slope.
 * gemini-3-pro packs fewer tokens per character; its divisor is fitted to the two pro recordings that replay one.
 */
const SIGNATURE_CHARS_PER_TOKEN = 5.17;
const PRO_SIGNATURE_CHARS_PER_TOKEN = 8;

function geminiSignatureTokens(model: string, signature: string | undefined): number {
  if (!signature) return 0;
  const perToken = /gemini-[\d.]+-pro/.test(model) ? PRO_SIGNATURE_CHARS_PER_TOKEN : SIGNATURE_CHARS_PER_TOKEN;
  return Math.round(signature.length / perToken);
}

/**
 * Gemini 2.5 and later add a function-calling preamble when any function is declared (fitted: ~15 tokens; 2.0 adds
 * none). Gemini 3 with forced calling (mode ANY) adds more instructions; fitted to the one recorded forced-mode
 * conversation (5 requests of gemini-3-flash-preview).
 */
const GEMINI_TOOLS_PREAMBLE = 15;
const GEMINI3_FORCED_TOOLS_EXTRA = 35;

function geminiToolsPreamble(req: Request): number {
  const model = req.model.toLowerCase();
  if (/gemini-(?:1|2\.0)/.test(model)) return 0;
  const forced = req.toolChoice?.type === 'any' || req.toolChoice?.type === 'tool';
  return GEMINI_TOOLS_PREAMBLE + (forced && GEMINI_3_MODEL.test(model) ? GEMINI3_FORCED_TOOLS_EXTRA : 0);
}

/**
 * Fitted like the Anthropic profile to the 21 recorded Gemini requests: text costs about what o200k says, content
 * turns little, function calls and responses little beyond their names, keys and values. With the real o200k BPE the
 * fit was textScale 0.98 (used: 1.0) and 3 per turn; the BPE-free estimate overcounts the short chat texts of these
 * recordings by ~5 %, and the joint least-squares fit of both with it is 0.97 and 1 per turn (2 per turn and 0.93
 * fit as well, but would scale large, text-dominated prompts down further than o200k says).
 */
export const GEMINI: Profile = {
  textScale: 0.97,
  perRequest: 0,
  perMessage: 1,
  perToolCall: 0,
  perToolResult: 0,
  countsToolIds: false,
  terseJson: true,
  perTool: 0,
  toolText: terseToolText,
  toolsPreamble: geminiToolsPreamble,
  serverTools: () => 0,
  perThinkingRequest: 0,
  image: (req, b) => geminiImageTokens(req.model, imageSizeOf(b.source)),
  // Gemini renders each PDF page as one image.
  perPdfPage: 258,
  reasoning(req, b) {
    if (b.type !== 'thinking' || b.signatureOrigin?.format !== 'gemini') return 0;
    return geminiSignatureTokens(req.model, b.signature);
  },
  signature: (req, b) => (b.signatureOrigin?.format === 'gemini' ? geminiSignatureTokens(req.model, b.signature) : 0),
  opaqueFormat: 'gemini',
};

/**
 * Gemini 3 renders each function call and function response more verbosely than 2.x: ~10.5 tokens a part beyond
 * its thought signature in the recorded gemini-3-flash conversation (four turns agree within a token), against ~2.5
 * for the terse content, so 8 of framing each.
 */
export const GEMINI_3: Profile = { ...GEMINI, perToolCall: 8, perToolResult: 8 };

// -------------------------------------------------------------------------------------------------------- Generic

/**
 * Open-weight and other OpenAI-compatible models (Llama, Qwen, DeepSeek, Mistral...): vocabularies of 100-150 k
 * tokens that split English and code slightly finer than o200k. Not fitted (no recordings carry both request and
 * usage); deliberately on the high side so a context meter errs towards full.
 */
export const GENERIC: Profile = {
  textScale: 1.1,
  perRequest: 3,
  perMessage: 4,
  perToolCall: 8,
  perToolResult: 4,
  countsToolIds: false,
  terseJson: false,
  perTool: 10,
  toolText: jsonToolText,
  toolsPreamble: () => 20,
  serverTools: () => 0,
  perThinkingRequest: 0,
  // Vision models of this kind mostly resize to ~1 megapixel tiles; OpenAI's default figure is as good a guess.
  image: () => 765,
  perPdfPage: 1000,
  reasoning: () => 0,
  signature: () => 0,
  opaqueFormat: undefined,
};

const GEMINI_3_MODEL = /gemini-(?:[3-9]|\d\d)/;

/** The profile of a scaled family for a model (Gemini 3 differs from Gemini 2.x in how it frames function parts). */
export function profileFor(family: 'anthropic' | 'gemini' | 'generic', model: string): Profile {
  if (family === 'anthropic') return ANTHROPIC;
  if (family === 'gemini') return GEMINI_3_MODEL.test(model.toLowerCase()) ? GEMINI_3 : GEMINI;
  return GENERIC;
}

// --------------------------------------------------------------------------------------------------------- OpenAI

/**
 * The request path's OpenAI estimate: openai.ts's framing (exact, from the cookbook and the recordings) around the
 * BPE-free text estimate of approx.ts, times this. o200k: least squares on relative error over the recorded OpenAI
 * requests (calibrate.test.ts). cl100k has no recording: the ratio of cl100k to o200k tokens over this repository's
 * docs and sources and the shared reference texts (English prose, Markdown, TypeScript, JSON).
 */
export const OPENAI_TEXT_SCALE: Readonly<Record<'openai-o200k' | 'openai-cl100k', number>> = {
  // Least squares: 1.005.
  'openai-o200k': 1,
  // scripts/fit-token-approx.mjs prints the ratio: 0.994.
  'openai-cl100k': 0.99,
};
