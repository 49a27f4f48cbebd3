/**
 * Test support (not used at run time): every recorded provider answer in ../shared/fixtures/recorded that reports
 * token usage, as a JSON body or as the SSE events of a stream, in all the fixture dialects the README there lists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { WireFormat } from '../../../formats/canonical/types.js';
import { SseSplitter } from '../../../formats/sse/index.js';

export const RECORDED = path.resolve(import.meta.dirname, '../../../../../shared/fixtures/recorded');

export interface SseRecord {
  event: string | undefined;
  data: string;
}

export interface RecordedAnswer {
  /** The file name, with `#i` for the i-th interaction of a cassette. */
  name: string;
  format: WireFormat;
  body?: Record<string, unknown>;
  events?: SseRecord[];
}

/** Which cassette calls are model calls of the folder's format (cassettes also hold image downloads and the like). */
const MODEL_CALL: Record<WireFormat, RegExp> = {
  anthropic: /\/v1\/messages(\?|$)/,
  openai: /\/chat\/completions(\?|$)/,
  gemini: /:(stream)?generateContent(\?|$)/i,
};

function sseRecords(text: string): SseRecord[] {
  const splitter = new SseSplitter();
  const all = [...splitter.push(Buffer.from(text, 'utf8')), ...splitter.flush()];
  return all.filter((e) => e.hasData).map((e) => ({ event: e.event, data: e.data }));
}

/** `*.chunks.txt`: one data payload per line; Anthropic's event name is the payload's `type`. */
function chunkRecords(text: string, format: WireFormat): SseRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((data) => ({ event: format === 'anthropic' ? (JSON.parse(data) as { type: string }).type : undefined, data }));
}

function fromText(name: string, format: WireFormat, text: string): RecordedAnswer {
  try {
    return { name, format, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { name, format, events: sseRecords(text) };
  }
}

/** Both cassette dialects: VCR.py (`response.parsed_body` / `response.body.string`) and go-vcr (`response.body` text). */
function cassetteAnswers(file: string, format: WireFormat, text: string): RecordedAnswer[] {
  const doc = parseYaml(text) as { interactions: Array<{ request: Record<string, unknown>; response: Record<string, unknown> }> };
  const out: RecordedAnswer[] = [];
  doc.interactions.forEach((it, i) => {
    const res = it.response;
    const status = (res.code as number | undefined) ?? (res.status as { code: number } | undefined)?.code;
    if (status !== 200 || !MODEL_CALL[format].test(String(it.request.uri ?? it.request.url))) return;
    const name = `${file}#${i}`;
    if (res.parsed_body && typeof res.parsed_body === 'object') out.push({ name, format, body: res.parsed_body as Record<string, unknown> });
    else {
      const raw = typeof res.body === 'string' ? res.body : (res.body as { string?: unknown } | undefined)?.string;
      if (typeof raw === 'string' && raw) out.push(fromText(name, format, raw));
    }
  });
  return out;
}

/** Every successful model answer of one wire format's folder. */
export function recordedAnswers(format: WireFormat): RecordedAnswer[] {
  const dir = path.join(RECORDED, format);
  const out: RecordedAnswer[] = [];
  for (const file of readdirSync(dir).sort()) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    if (file.endsWith('.yaml')) out.push(...cassetteAnswers(file, format, text));
    else if (file.endsWith('.chunks.txt')) out.push({ name: file, format, events: chunkRecords(text, format) });
    else if (file.endsWith('.sse') || file.endsWith('_response.txt')) out.push({ name: file, format, events: sseRecords(text) });
    else if (file.endsWith('.json')) {
      const body = JSON.parse(text) as Record<string, unknown>;
      // A few vercel/ai recordings wrap several live answers: `{attempts: [{rawResponseBody}]}`.
      if (Array.isArray(body.attempts)) {
        (body.attempts as Array<{ rawResponseBody?: Record<string, unknown> }>).forEach((a, i) => {
          if (a.rawResponseBody) out.push({ name: `${file}#${i}`, format, body: a.rawResponseBody });
        });
      } else if (body.type !== 'error' && body.error === undefined) out.push({ name: file, format, body });
    }
  }
  return out;
}

const USAGE_KEY = /"(usage|usageMetadata)"\s*:\s*\{[^}]*"\w*[tT]oken/;

/** Whether the answer reports any token counts (Vertex streams carry `usageMetadata: {trafficType}` alone). */
export function reportsUsage(a: RecordedAnswer): boolean {
  if (a.body) return USAGE_KEY.test(JSON.stringify(a.body));
  return (a.events ?? []).some((e) => USAGE_KEY.test(e.data));
}
