/**
 * The contract between the protocol-neutral server and one wire protocol module
 * (`anthropic/` now; OpenAI Chat Completions and Gemini are meant to be siblings).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Exchange } from './http.js';

export type Handler = (x: Exchange) => Promise<void> | void;

export interface ProtocolModule {
  readonly name: string;
  /**
   * The handler for a request, or undefined when the route is not this protocol's. Headers are
   * passed so protocols sharing a path (e.g. `GET /v1/models`) can tell their clients apart.
   */
  route(method: string, path: string, headers: IncomingHttpHeaders): Handler | undefined;
  /** Send an error in this protocol's shape (used by the server for unknown routes and oversize bodies). */
  sendError(x: Exchange, status: number, message?: string): void;
}
