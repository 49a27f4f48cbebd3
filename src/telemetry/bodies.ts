import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestRecord } from './record.js';
import type { Redactor} from './redact.js';
import { bodyText } from './redact.js';

/**
 * Optional capture of request and response bodies into the record (`telemetry.records.bodies`, off by default).
 * The response is collected by tapping what the handler writes to the client, so every executor (passthrough,
 * translated, streaming, errors) is covered without each of them knowing; streams stay streams — the tap only keeps
 * a bounded copy. Everything stored goes through the redactor.
 */
export class BodyCapture {
  constructor(
    private readonly redactor: Redactor,
    private readonly limit: number,
  ) {}

  /** Starts keeping a copy of what is written to `res`, up to the limit. */
  tap(res: ServerResponse): Buffer[] {
    const chunks: Buffer[] = [];
    let kept = 0;
    const keep = (chunk: unknown) => {
      // Keep one byte past the limit so bodyText can tell the body was cut.
      if (kept > this.limit || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      chunks.push(buf);
      kept += buf.length;
    };
    const write = res.write;
    const end = res.end;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      keep(chunk);
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      keep(chunk);
      return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as ServerResponse['end'];
    return chunks;
  }

  /** Puts the redacted bodies on the record; the presented client key is removed too. */
  fill(record: RequestRecord, request: Buffer | null, response: Buffer[] | null, headers: IncomingHttpHeaders): void {
    const presented = presentedKeys(headers);
    const text = (buf: Buffer) => this.redactor.redact(bodyText(buf, this.limit), presented);
    record.bodies = {
      request: request ? text(request) : null,
      response: response && response.length > 0 ? text(Buffer.concat(response)) : null,
    };
  }
}

function presentedKeys(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) out.push(auth.slice(7).trim());
  for (const h of ['x-api-key', 'x-goog-api-key'] as const) {
    const v = headers[h];
    if (typeof v === 'string') out.push(v.trim());
  }
  return out;
}
