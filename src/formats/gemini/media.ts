import type { DocumentSource, ImageSource } from '../canonical/types.js';
import type { GeminiPart } from './wire.js';

/**
 * Images and documents as Gemini parts (wire-formats 5.9.5). Base64 data becomes `inlineData`; a URL becomes
 * `fileData.fileUri`, which Gemini resolves for its own Files API and (model permitting) public URLs. The router
 * inlines remote images itself before encoding when it can fetch them; whatever still reaches here as a URL goes as
 * fileData. `data:` URLs are always inlined.
 */

const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

export function mimeFromUrl(url: string): string | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not an absolute URL: look at the text as it is
  }
  const m = /\.([a-z0-9]+)$/i.exec(path);
  return m ? MIME_BY_EXTENSION[m[1].toLowerCase()] : undefined;
}

function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const m = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1] ?? 'application/octet-stream', data: m[3] } : null;
}

function urlPart(url: string, fallbackMime?: string): GeminiPart {
  const inline = parseDataUrl(url);
  if (inline) return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  const mimeType = mimeFromUrl(url) ?? fallbackMime;
  return { fileData: mimeType ? { mimeType, fileUri: url } : { fileUri: url } };
}

export function imagePart(source: ImageSource): GeminiPart {
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  return urlPart(source.url);
}

export function documentPart(source: DocumentSource, title?: string): GeminiPart {
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  if (source.kind === 'url') return urlPart(source.url, 'application/pdf');
  return { text: title ? `${title}\n\n${source.data}` : source.data };
}
