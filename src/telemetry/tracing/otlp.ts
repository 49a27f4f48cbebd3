import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, createTraceState, trace, type Context, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { RequestRecord } from '../record.js';
import { planTrace, type SpanPlan } from './spans.js';
import { displayUrl, type OtlpTarget } from './target.js';
import { RequestTraceIds } from './id-generator.js';
import { traceIdFor } from './trace-id.js';
import { recordedParent } from './trace-context.js';

export interface Tracing {
  /** Queues a finished request's spans; returns at once (spans are built on a later turn and exported in batches). */
  exportRecord(record: RequestRecord): void;
  /** Builds whatever is queued and exports everything pending. */
  flush(): Promise<void>;
  /** Flushes, then stops; later records are ignored. */
  shutdown(): Promise<void>;
}

/** Spans of records that came in during one event-loop turn are built together on the next. */
export class OtlpTracing implements Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly ids = new RequestTraceIds();
  private pending: RequestRecord[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private closed = false;
  private buildFailures = 0;

  constructor(
    target: OtlpTarget,
    private readonly log: Logger,
  ) {
    const exporter = new OTLPTraceExporter({ url: target.url, headers: target.headers });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: target.serviceName }),
      idGenerator: this.ids,
      spanProcessors: [new BatchSpanProcessor(new ReportingExporter(exporter, log, displayUrl(target.url)))],
    });
    this.tracer = this.provider.getTracer('switchyard');
  }

  exportRecord(record: RequestRecord): void {
    if (this.closed) return;
    this.pending.push(record);
    this.scheduled ??= setImmediate(() => this.build());
  }

  // A failed export rejects the SDK's flush; ReportingExporter has logged it, and tracing must never fail the caller
  // (least of all the router's shutdown).
  async flush(): Promise<void> {
    this.build();
    await this.provider.forceFlush().catch(() => {});
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.build();
    this.closed = true;
    await this.provider.shutdown().catch(() => {});
  }

  private build(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const records = this.pending;
    this.pending = [];
    for (const record of records) {
      try {
        this.emit(record);
      } catch (err) {
        // A record the mapping cannot handle must not take the others down; say so once, not per request.
        if (this.buildFailures++ === 0) this.log.warn({ err: (err as Error).message, requestId: record.id }, 'building trace spans failed');
      }
    }
  }

  /**
   * The request span is a child of the caller's span when the request came with a valid `traceparent` (kept in the
   * record's metadata), else a root span in the trace derived from the request id. The sampler decides as usual: by
   * default (parent-based) a caller's unsampled trace exports nothing, and spans under an unsampled request span are
   * not recorded either.
   */
  private emit(record: RequestRecord): void {
    const plan = planTrace(record);
    const caller = recordedParent(record.metadata);
    let parentContext: Context = ROOT_CONTEXT;
    if (caller) {
      parentContext = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: caller.parent.traceId,
        spanId: caller.parent.spanId,
        traceFlags: caller.parent.flags & TraceFlags.SAMPLED,
        isRemote: true,
        traceState: caller.traceState === null ? undefined : createTraceState(caller.traceState),
      });
    } else {
      this.ids.next = traceIdFor(record.id);
    }
    let root;
    try {
      root = this.tracer.startSpan(plan.request.name, spanOptions(plan.request), parentContext);
    } finally {
      this.ids.next = null;
    }
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    for (const p of plan.attempts) {
      const child = this.tracer.startSpan(p.name, spanOptions(p), parent);
      if (p.error !== null) child.setStatus({ code: SpanStatusCode.ERROR, message: p.error });
      child.end(p.endMs);
    }
    if (plan.request.error !== null) root.setStatus({ code: SpanStatusCode.ERROR, message: plan.request.error });
    root.end(plan.request.endMs);
  }
}

function spanOptions(p: SpanPlan) {
  return { kind: p.kind === 'server' ? SpanKind.SERVER : SpanKind.CLIENT, startTime: p.startMs, attributes: p.attributes };
}

/**
 * Logs when exporting starts failing and when it recovers, not every failed batch: a collector that is down would
 * otherwise flood the log. Only the error message goes to the log, never the request headers (vendor keys).
 */
class ReportingExporter implements SpanExporter {
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly log: Logger,
    private readonly where: string,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS && !this.failing) {
        this.failing = true;
        this.log.warn({ endpoint: this.where, err: result.error?.message }, 'exporting trace spans failed; spans are dropped until the OTLP endpoint answers');
      } else if (result.code === ExportResultCode.SUCCESS && this.failing) {
        this.failing = false;
        this.log.info({ endpoint: this.where }, 'exporting trace spans works again');
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
