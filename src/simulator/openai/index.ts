/** The OpenAI Chat Completions wire protocol for the simulator (served under `/v1`, the base URL OpenAI SDKs use). */
import type { ProtocolModule } from '../protocol.js';
import { handleChat, handleModel, handleModels, sendOpenAIError } from './handler.js';

export const openaiProtocol: ProtocolModule = {
  name: 'openai',
  route(method, path) {
    if (path === '/v1/chat/completions') return method === 'POST' ? handleChat : undefined;
    if (method !== 'GET') return undefined;
    if (path === '/v1/models') return handleModels;
    if (path.startsWith('/v1/models/') && path.length > '/v1/models/'.length) return handleModel;
    return undefined;
  },
  owns(path) {
    // `/v1/models/{model}:generateContent` is Gemini's (its stable v1 surface)
    if (path.includes(':')) return false;
    return path.startsWith('/v1/chat/') || path.startsWith('/v1/models') || path.startsWith('/v1/completions') || path.startsWith('/v1/responses');
  },
  sendError: sendOpenAIError,
};
