import type { ContentBlock, ImageBlock, ImageSource, Request } from '../../formats/canonical/types.js';
import { textOf } from '../../formats/canonical/byte-strings.js';
import { fetchRemoteImage, RemoteFetchError, type FetchedImage, type RemoteFetchOptions } from './fetch.js';

/** More distinct remote images than this in one request are refused rather than fetched one after another. */
export const MAX_REMOTE_IMAGES = 32;
const CONCURRENCY = 4;

function isRemote(source: ImageSource): source is { kind: 'url'; url: string } {
  return source.kind === 'url' && !source.url.startsWith('data:');
}

function imageBlocks(req: Request): ImageBlock[] {
  const out: ImageBlock[] = [];
  const visit = (blocks: readonly ContentBlock[]) => {
    for (const b of blocks) {
      if (b.type === 'image') out.push(b);
      else if (b.type === 'tool_result') visit(b.content);
    }
  };
  for (const m of req.messages) visit(m.content);
  return out;
}

/** Whether the request has an image only reachable by URL (what Gemini cannot be trusted to fetch itself). */
export function hasRemoteImages(req: Request): boolean {
  return imageBlocks(req).some((b) => isRemote(b.source));
}

/**
 * A copy of `req` whose remote image URLs are replaced by the fetched bytes (base64), for an upstream that needs them
 * inline. The original request is left as it was: other candidates in the chain may take URLs. Throws
 * `RemoteFetchError` naming the first image that could not be fetched.
 */
export async function inlineRemoteImages(req: Request, opts: RemoteFetchOptions, fetch: typeof fetchRemoteImage = fetchRemoteImage): Promise<Request> {
  const urls = [...new Set(imageBlocks(req).filter((b) => isRemote(b.source)).map((b) => (b.source as { url: string }).url))];
  if (urls.length === 0) return req;
  if (urls.length > MAX_REMOTE_IMAGES) throw new RemoteFetchError('too_large', `the request links ${urls.length} remote images; at most ${MAX_REMOTE_IMAGES} are fetched`);
  const fetched = new Map<string, FetchedImage>();
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      fetched.set(url, await fetch(req.byteStrings ? textOf(url) : url, opts));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, urls.length) }, worker));
  const swap = (blocks: ContentBlock[]): ContentBlock[] =>
    blocks.map((b) => {
      if (b.type === 'image' && isRemote(b.source)) {
        const img = fetched.get(b.source.url)!;
        return { ...b, source: { kind: 'base64', mediaType: img.mediaType, data: img.data.toString('base64') } };
      }
      if (b.type === 'tool_result') return { ...b, content: swap(b.content) as typeof b.content };
      return b;
    });
  return { ...req, messages: req.messages.map((m) => ({ ...m, content: swap(m.content) })) };
}
