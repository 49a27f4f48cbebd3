import { EXTENSION_FIELDS, type Extensions } from '../formats/anthropic/request.js';

/**
 * Removes Switchyard's routing fields from a parsed request body (SPEC section 5) and returns them, `extra_body`
 * entries winning over top-level ones. The body is edited in place so it can be decoded as a plain request.
 */
export function takeExtensions(body: Record<string, unknown>): Extensions {
  const out: Extensions = {};
  const extra = body.extra_body;
  for (const field of EXTENSION_FIELDS) {
    if (!Object.hasOwn(body, field)) continue;
    if (field !== 'extra_body') out[field] = body[field];
    delete body[field];
  }
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) Object.assign(out, extra);
  return out;
}
