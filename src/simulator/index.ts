/**
 * Provider simulator: an HTTP server speaking the Anthropic Messages, OpenAI Chat Completions and
 * Gemini wire protocols with scripted or generated answers, realistic usage and injected faults.
 * Used by tests, the benchmark and the demo provider. This file is the module's only entry point.
 */
export { startSimulator } from './server.js';
export type {
  FaultKind,
  FaultMatch,
  FaultRule,
  OpenAIReasoningField,
  ReplayMatch,
  ReplayResponse,
  ScriptedBlock,
  ScriptedTurn,
  ScriptedUsage,
  SimProtocol,
  SimRequestLog,
  Simulator,
  SimulatorOptions,
  StopReason,
} from './types.js';
