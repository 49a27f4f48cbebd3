import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * Random span ids, and for the next root span the trace id set just before starting it. The SDK asks its id
 * generator for a root span's trace id synchronously inside `startSpan`, so setting it right before is race-free.
 */
export class RequestTraceIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  next: string | null = null;

  generateTraceId(): string {
    return this.next ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}
