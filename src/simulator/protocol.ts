/**
 * The contract between the protocol-neutral server and one wire protocol module
 * (`anthropic/`, `openai/`, `gemini/`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Exchange } from './http.js';
import type { SimProtocol } from './types.js';

export type Handler = (x: Exchange) => Promise<void> | void;

export interface ProtocolModule {
  readonly name: SimProtocol;
  /**
   * The handler for a request, or undefined when the route is not this protocol's. Headers are
   * passed so protocols sharing a path (e.g. `GET /v1/models`) can tell their clients apart.
   */
  route(method: string, path: string, headers: IncomingHttpHeaders): Handler | undefined;
  /**
   * Whether a path belongs to this protocol's URL space even when no handler matches (wrong method,
   * unknown operation), so the server answers 404/405/413 in the shape that client expects.
   */
  owns(path: string, headers: IncomingHttpHeaders): boolean;
  /** Send an error in this protocol's shape (used by the server for unknown routes and oversize bodies). */
  sendError(x: Exchange, status: number, message?: string): void;
}
