/** The Anthropic Messages wire protocol for the simulator. */
import type { ProtocolModule } from '../protocol.js';
import { handleCountTokens, handleMessages, handleModel, handleModels, sendAnthropicError } from './handler.js';

export const anthropicProtocol: ProtocolModule = {
  name: 'anthropic',
  route(method, path) {
    if (path === '/v1/messages') return method === 'POST' ? handleMessages : undefined;
    if (path === '/v1/messages/count_tokens') return method === 'POST' ? handleCountTokens : undefined;
    if (method !== 'GET') return undefined;
    if (path === '/v1/models') return handleModels;
    if (path.startsWith('/v1/models/') && path.length > '/v1/models/'.length) return handleModel;
    return undefined;
  },
  sendError: sendAnthropicError,
};
