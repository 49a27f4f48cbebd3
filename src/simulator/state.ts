/** Shared, protocol-neutral state of one simulator instance. */
import { setMaxListeners } from 'node:events';
import type { ServerResponse } from 'node:http';
import { FaultEngine } from './faults.js';
import { RequestLog } from './log.js';
import { PrefixCache } from './prefix-cache.js';
import { createRng, type Rng } from './rng.js';
import { ReplayQueue } from './replay.js';
import { ScriptQueue } from './script.js';
import type { OpenAIReasoningField } from './types.js';

export interface SimStateOptions {
  seed: number;
  label?: string;
  logLimit?: number;
  logBodyBytesLimit?: number;
  openaiReasoningField?: OpenAIReasoningField;
}

export class SimState {
  readonly label: string | undefined;
  readonly openaiReasoningField: OpenAIReasoningField;
  /** Ids, request ids, signatures of generated tool calls. */
  readonly idRng: Rng;
  readonly faults: FaultEngine;
  readonly scripts = new ScriptQueue();
  /** Recorded responses to serve verbatim; taken before scripts. */
  readonly replays = new ReplayQueue();
  readonly log: RequestLog;
  readonly prefixCache = new PrefixCache();
  /** Aborted when the simulator closes; every exchange waiting (latency, hang, stall) listens, so no listener cap. */
  readonly closing = withoutListenerCap(new AbortController());
  /** Responses held open by `hang` faults. */
  readonly hung = new Set<ServerResponse>();

  constructor(opts: SimStateOptions) {
    this.label = opts.label;
    this.openaiReasoningField = opts.openaiReasoningField ?? 'reasoning_content';
    this.idRng = createRng(opts.seed ^ 0x5bd1e995);
    this.faults = new FaultEngine(createRng(opts.seed));
    this.log = new RequestLog(opts.logLimit, opts.logBodyBytesLimit);
  }

  reset(): void {
    this.log.clear();
    this.scripts.clear();
    this.replays.clear();
    this.faults.clear();
    this.prefixCache.clear();
  }
}

function withoutListenerCap(ac: AbortController): AbortController {
  setMaxListeners(0, ac.signal);
  return ac;
}
