/** The Anthropic Messages wire protocol for the simulator. */
import type { ProtocolModule } from '../protocol.js';
import { handleCountTokens, handleMessages, handleModel, handleModels, sendAnthropicError } from './handler.js';

export const anthropicProtocol: ProtocolModule = {
  name: 'anthropic',
  route(method, path, headers) {
    if (path === '/v1/messages') return method === 'POST' ? handleMessages : undefined;
    if (path === '/v1/messages/count_tokens') return method === 'POST' ? handleCountTokens : undefined;
    // `/v1/models` is shared with OpenAI: Anthropic clients always send anthropic-version.
    if (method !== 'GET' || headers['anthropic-version'] === undefined) return undefined;
    if (path === '/v1/models') return handleModels;
    if (path.startsWith('/v1/models/') && path.length > '/v1/models/'.length) return handleModel;
    return undefined;
  },
  owns(path, headers) {
    return path.startsWith('/v1/messages') || (path.startsWith('/v1/models') && headers['anthropic-version'] !== undefined);
  },
  sendError: sendAnthropicError,
};
