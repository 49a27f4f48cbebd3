/** The Gemini API wire protocol for the simulator (`generateContent`, `streamGenerateContent`, `countTokens`, models). */
import type { ProtocolModule } from '../protocol.js';
import { handleModel, handleModels, handleOperation, OPERATION_PATH, sendGeminiError } from './handler.js';

export const geminiProtocol: ProtocolModule = {
  name: 'gemini',
  route(method, path) {
    if (OPERATION_PATH.test(path)) return method === 'POST' ? handleOperation : undefined;
    if (method !== 'GET') return undefined;
    if (path === '/v1beta/models') return handleModels;
    if (path.startsWith('/v1beta/models/') && path.length > '/v1beta/models/'.length && !path.includes(':')) return handleModel;
    return undefined;
  },
  owns(path) {
    return path.startsWith('/v1beta/') || (path.startsWith('/v1/models/') && path.includes(':'));
  },
  sendError: sendGeminiError,
};
