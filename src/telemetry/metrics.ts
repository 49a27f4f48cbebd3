import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitBreakers } from '../execution/breakers/index.js';
import type { RequestRecord } from './record.js';

/** What the metrics read from the record queue when scraped (the Recorder). */
export interface RecordQueueState {
  readonly depth: number;
  readonly dropped: number;
  readonly rejected: number;
  readonly written: number;
  readonly enabled: boolean;
}

const STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Prometheus metrics. Request-level figures are taken from each finished record (never on the hot path of a stream);
 * circuit states and the record queue are read when scraped. Labels never carry keys: only provider, model, status.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'api' | 'endpoint' | 'provider' | 'model' | 'status'>;
  private readonly attempts: Counter<'provider' | 'model' | 'outcome'>;
  private readonly failovers: Counter<'provider' | 'model'>;
  private readonly tokens: Counter<'provider' | 'model' | 'kind'>;
  private readonly cost: Counter<'provider' | 'model'>;
  private readonly duration: Histogram<'api' | 'provider'>;
  private readonly ttft: Histogram<'provider' | 'model'>;
  private readonly overhead: Histogram<'api'>;

  constructor(breakers: CircuitBreakers, records: RecordQueueState) {
    collectDefaultMetrics({ register: this.registry });
    const r = [this.registry];
    this.requests = new Counter({ name: 'switchyard_requests_total', help: 'Requests by surface, endpoint, serving provider and model, and HTTP status', labelNames: ['api', 'endpoint', 'provider', 'model', 'status'], registers: r });
    this.attempts = new Counter({ name: 'switchyard_attempts_total', help: 'Upstream attempts by provider, model and outcome', labelNames: ['provider', 'model', 'outcome'], registers: r });
    this.failovers = new Counter({ name: 'switchyard_failovers_total', help: 'Requests answered after at least one failed attempt, by the provider that answered', labelNames: ['provider', 'model'], registers: r });
    this.tokens = new Counter({ name: 'switchyard_tokens_total', help: 'Tokens by provider, model and kind (input, output, cache_read, cache_write, reasoning)', labelNames: ['provider', 'model', 'kind'], registers: r });
    this.cost = new Counter({ name: 'switchyard_cost_usd_total', help: 'Spend in USD from catalog prices, by the provider and model that answered', labelNames: ['provider', 'model'], registers: r });
    this.duration = new Histogram({ name: 'switchyard_request_duration_seconds', help: 'Total request duration', labelNames: ['api', 'provider'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300], registers: r });
    this.ttft = new Histogram({ name: 'switchyard_time_to_first_token_seconds', help: 'Upstream time to first token', labelNames: ['provider', 'model'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32], registers: r });
    this.overhead = new Histogram({ name: 'switchyard_router_overhead_seconds', help: 'Router time before the first upstream request was sent', labelNames: ['api'], buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05], registers: r });
    new Gauge({
      name: 'switchyard_circuit_state',
      help: 'Circuit breaker state per provider, model and key index: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider', 'model', 'key'],
      registers: r,
      collect() {
        this.reset();
        for (const b of breakers.snapshot()) this.set({ provider: b.provider, model: b.model, key: b.key }, STATE_VALUE[b.state]);
      },
    });
    new Gauge({
      name: 'switchyard_record_queue_depth',
      help: 'Request records waiting to be written',
      registers: r,
      collect() {
        this.set(records.depth);
      },
    });
    new Gauge({
      name: 'switchyard_records_enabled',
      help: 'Whether request records are kept (telemetry.records.enabled, switched by a config reload): 1 or 0',
      registers: r,
      collect() {
        this.set(records.enabled ? 1 : 0);
      },
    });
    new Counter({
      name: 'switchyard_records_written_total',
      help: 'Request records written to the store',
      registers: r,
      collect() {
        this.reset();
        this.inc(records.written);
      },
    });
    new Counter({
      name: 'switchyard_records_dropped_total',
      help: 'Request records dropped: the record queue was full (telemetry.records.queue_limit) or the store refused the record itself',
      registers: r,
      collect() {
        this.reset();
        this.inc(records.dropped + records.rejected);
      },
    });
  }

  observe(rec: RequestRecord): void {
    const provider = rec.provider ?? 'none';
    const model = rec.model ?? 'none';
    this.requests.inc({ api: rec.api, endpoint: rec.endpoint, provider, model, status: String(rec.status) });
    this.duration.observe({ api: rec.api, provider }, rec.durationMs / 1000);
    if (rec.overheadMs !== null) this.overhead.observe({ api: rec.api }, rec.overheadMs / 1000);
    for (const a of rec.attempts) {
      this.attempts.inc({ provider: a.provider, model: a.model, outcome: a.success ? 'success' : (a.errorClass ?? 'error') });
      if (a.success && a.ttftMs !== null) this.ttft.observe({ provider: a.provider, model: a.model }, a.ttftMs / 1000);
    }
    if (rec.attempts.length > 1 && rec.attempts.at(-1)?.success) this.failovers.inc({ provider, model });
    if (rec.costUsd) this.cost.inc({ provider, model }, rec.costUsd);
    if (rec.usage) {
      const u = rec.usage;
      for (const [kind, n] of [['input', u.input], ['output', u.output], ['cache_read', u.cacheRead], ['cache_write', u.cacheWrite], ['reasoning', u.reasoning]] as const) {
        if (n > 0) this.tokens.inc({ provider, model, kind }, n);
      }
    }
  }
}
