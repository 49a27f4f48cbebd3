/**
 * Provider simulator: an HTTP server speaking provider wire protocols (Anthropic Messages today)
 * with scripted or generated answers, realistic usage and injected faults. Used by tests, the
 * benchmark and the demo provider. This file is the module's only entry point.
 */
export { startSimulator } from './server.js';
export type {
  FaultKind,
  FaultMatch,
  FaultRule,
  ScriptedBlock,
  ScriptedTurn,
  ScriptedUsage,
  SimRequestLog,
  Simulator,
  SimulatorOptions,
  StopReason,
} from './types.js';
