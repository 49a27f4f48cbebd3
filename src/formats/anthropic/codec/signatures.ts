import type { SignatureOrigin } from '../../canonical/types.js';
import { unwrapSignature, wrapSignature } from '../../canonical/signature.js';

/**
 * A signature read from the Anthropic wire: a `sy1:` value is one Switchyard wrapped for a client (its origin and
 * raw signature come back out), anything else is Anthropic's own. An unwrapped empty signature (OpenAI reasoning
 * has none) is reported as absent.
 */
export function readSignature(value: string): { signature?: string; origin: SignatureOrigin } {
  const unwrapped = unwrapSignature(value);
  if (!unwrapped) return { signature: value, origin: { format: 'anthropic' } };
  return unwrapped.signature === '' ? { origin: unwrapped.origin } : { signature: unwrapped.signature, origin: unwrapped.origin };
}

export function isAnthropicOrigin(origin: SignatureOrigin | undefined): boolean {
  return origin === undefined || origin.format === 'anthropic';
}

/**
 * The signature to hand an Anthropic client for a thinking block: Anthropic's own as is, anyone else's wrapped with
 * its origin so the next request can route it back. An already wrapped value (a Switchyard upstream) is not wrapped
 * twice.
 */
export function clientSignature(origin: SignatureOrigin | undefined, signature: string | undefined): string {
  if (isAnthropicOrigin(origin)) return signature ?? '';
  if (signature !== undefined && unwrapSignature(signature)) return signature;
  return wrapSignature(origin!, signature ?? '');
}

/** Origin for a signature that arrived without one: only Gemini signs text and function-call parts. */
export function partSignatureOrigin(clientModel: string | undefined, origin?: SignatureOrigin): SignatureOrigin {
  if (origin) return origin;
  if (!clientModel) return { format: 'gemini' };
  const slash = clientModel.indexOf('/');
  return slash > 0 ? { format: 'gemini', provider: clientModel.slice(0, slash), model: clientModel.slice(slash + 1) } : { format: 'gemini', model: clientModel };
}
