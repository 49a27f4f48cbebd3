import { api, type Attempt, type RequestDetail as Detail, type Routing } from '../api';
import { Waterfall, type Span } from '../components/charts';
import { Card, ErrorBanner, PageHeader, StatusBadge, TableWrap } from '../components/ui';
import { ms, num, servedBy, text, time, usd } from '../format';
import { useLoad } from '../hooks';
import { Link } from '../nav';

/** The routing decision as sentences, for when the record has no `reasoning` of its own. */
function decisionInWords(r: Detail): string[] {
  const out: string[] = [];
  const d = r.routing;
  const served = r.model ? servedBy(r.provider, r.model) : null;
  const asked = r.requested_model ?? 'an unknown model';
  if (d?.reasoning) out.push(d.reasoning);
  else if (d?.kind === 'router' && d.router) {
    out.push(`Router ${d.router} chose route ${d.route_id ?? '?'}${d.matched_expression ? ` because ${d.matched_expression} was true` : ' (the default route)'}, variant ${d.variant_id ?? '?'}.`);
  } else if (d?.kind === 'auto') out.push(`auto ranked ${d.auto?.ranked.length ?? 0} candidate models by ${d.auto?.sort.join(', then ') || 'its default sort'}.`);
  else out.push(`The request asked for ${asked}.`);
  if (d?.candidates?.length) out.push(`Attempt chain: ${d.candidates.map((c) => `${c.provider}/${c.model}`).join(' → ')}.`);
  const failed = r.attempts.filter((a) => !a.success);
  if (served && failed.length) out.push(`${failed.length} attempt${failed.length > 1 ? 's' : ''} failed (${failed.map((a) => `${a.provider}: ${a.error_class ?? a.status ?? 'error'}`).join('; ')}), then ${served} answered.`);
  else if (served) out.push(`${served} answered on the first attempt.`);
  else if (r.status >= 400) out.push(`No attempt succeeded: ${r.error ?? `status ${r.status}`}.`);
  return out;
}

function attemptRows(r: Detail): Span[] {
  return r.attempts.map((a: Attempt, n) => {
    const start = a.start_ms ?? 0;
    const end = start + a.duration_ms;
    const label = `#${n + 1} ${servedBy(a.provider, a.model)}`;
    if (!a.success) {
      const skipped = a.status === null && a.duration_ms === 0;
      return { label, segments: [{ kind: skipped ? 'skipped (circuit open)' : 'failed', from: start, to: end }] };
    }
    if (a.ttft_ms === null) return { label, segments: [{ kind: 'generating', from: start, to: end }] };
    return {
      label,
      segments: [
        { kind: 'waiting for first token', from: start, to: start + a.ttft_ms },
        { kind: 'generating', from: start + a.ttft_ms, to: end },
      ],
    };
  });
}

/**
 * The request's time line: router overhead, time spent on attempts that failed (failover), the answering attempt's
 * wait for its first token, and generation up to the end.
 */
function latencyRows(r: Detail): Span[] {
  const l = r.latency;
  if (!l || l.total_ms === null) return [];
  const overhead = l.overhead_ms ?? 0;
  const answered = r.attempts.findLast((a) => a.success);
  const answerStart = answered?.start_ms ?? overhead;
  const segs = [{ kind: 'router overhead', from: 0, to: overhead }];
  if (answerStart > overhead + 0.01) segs.push({ kind: 'failed attempts (failover)', from: overhead, to: answerStart });
  if (l.ttft_ms !== null) segs.push({ kind: 'waiting for first token', from: answerStart, to: answerStart + l.ttft_ms });
  if (l.generation_ms !== null) segs.push({ kind: 'generating', from: Math.max(l.total_ms - l.generation_ms, 0), to: l.total_ms });
  return [{ label: 'request', segments: segs }];
}

function RoutingCard({ r }: { r: Detail }) {
  const d: Routing | null = r.routing;
  return (
    <Card title="Routing decision">
      <div className="prose" data-testid="decision">
        {decisionInWords(r).map((s, n) => (
          <p key={n}>{s}</p>
        ))}
      </div>
      <dl className="facts">
        <dt>Asked for</dt>
        <dd>{text(r.requested_model)}</dd>
        <dt>Kind</dt>
        <dd>{text(d?.kind)}</dd>
        <dt>Router</dt>
        <dd>{d?.router ? <Link to={`/routers/${encodeURIComponent(d.router.replace(/^routers\//, ''))}`}>{d.router}</Link> : '—'}</dd>
        <dt>Route / variant</dt>
        <dd>{d?.route_id || d?.variant_id ? `${d.route_id ?? '—'} / ${d.variant_id ?? '—'}` : '—'}</dd>
        <dt>Matched condition</dt>
        <dd>{d?.matched_expression ? <code>{d.matched_expression}</code> : '—'}</dd>
      </dl>
      {d?.cel_errors && d.cel_errors.length > 0 && (
        <>
          <h3>CEL errors (counted as false)</h3>
          <ul>
            {d.cel_errors.map((e, n) => (
              <li key={n}>
                route {e.route_id}: <code>{e.expression}</code> — {e.error}
              </li>
            ))}
          </ul>
        </>
      )}
      {d?.auto && d.auto.ranked.length > 0 && (
        <>
          <h3>auto ranking ({d.auto.sort.join(', ')})</h3>
          <TableWrap label="auto ranking">
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Model</th>
                  <th scope="col" className="n">Expected price</th>
                  <th scope="col" className="n">TTFT</th>
                  <th scope="col" className="n">Throughput</th>
                  <th scope="col" className="n">Intelligence</th>
                </tr>
              </thead>
              <tbody>
                {d.auto.ranked.map((c) => (
                  <tr key={`${c.provider}/${c.model}`}>
                    <td>{c.rank}</td>
                    <td>
                      {c.provider}/{c.model}
                    </td>
                    <td className="n">{usd(c.price_usd)}</td>
                    <td className="n">{ms(c.ttft_ms)}</td>
                    <td className="n">{c.throughput === null ? '—' : `${num(c.throughput)} tok/s`}</td>
                    <td className="n">{num(c.intelligence)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
      {d?.passed_over && d.passed_over.length > 0 && (
        <>
          <h3>Passed over</h3>
          <ul>
            {d.passed_over.map((p, n) => (
              <li key={n}>
                {p.provider}/{p.model}: {p.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

function pretty(body: string | null): string {
  if (body === null) return '(not captured)';
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function RequestDetail({ id }: { id: string }) {
  const load = useLoad(() => api<Detail>('GET', `/admin/v1/requests/${encodeURIComponent(id)}`), [id]);
  const r = load.data;
  return (
    <>
      <PageHeader title="Request">
        <Link to="/requests" className="button secondary">
          ← All requests
        </Link>
      </PageHeader>
      <ErrorBanner error={load.error} />
      {r && (
        <>
          <Card>
            <dl className="facts wide">
              <dt>Id</dt>
              <dd>
                <code>{r.id}</code>
              </dd>
              <dt>Time</dt>
              <dd>{time(r.time)}</dd>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={r.status} /> {r.error_class && <code>{r.error_class}</code>} {r.error && <span className="error-text">{r.error}</span>}
              </dd>
              <dt>Served by</dt>
              <dd>{servedBy(r.provider, r.model)}</dd>
              <dt>Key</dt>
              <dd>{text(r.key_name)}</dd>
              <dt>Client</dt>
              <dd>{text(r.client)}</dd>
              <dt>API</dt>
              <dd>
                {r.api} {r.endpoint} {r.stream ? '(stream)' : ''}
              </dd>
              <dt>Stop reason</dt>
              <dd>{text(r.stop_reason)}</dd>
            </dl>
          </Card>
          <RoutingCard r={r} />
          <Card title={`Attempts (${r.attempts.length})`}>
            {r.attempts.length > 0 && <Waterfall title="Attempt timeline" rows={attemptRows(r)} />}
            <TableWrap label="Attempts">
              <table className="attempts">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Model</th>
                    <th scope="col">Key</th>
                    <th scope="col">Status</th>
                    <th scope="col">Error</th>
                    <th scope="col" className="n">Start</th>
                    <th scope="col" className="n">TTFT</th>
                    <th scope="col" className="n">Duration</th>
                    <th scope="col" className="n">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  {r.attempts.map((a, n) => (
                    <tr key={n} className={a.success ? 'attempt ok' : 'attempt failed'}>
                      <td>{n + 1}</td>
                      <td>{a.provider}</td>
                      <td>{a.model}</td>
                      <td>{text(a.key_id)}</td>
                      <td>
                        <StatusBadge status={a.status} /> {a.success ? 'answered' : 'failed'}
                      </td>
                      <td className="wrap">{a.error_class || a.error ? `${a.error_class ?? ''}${a.error ? `: ${a.error}` : ''}` : '—'}</td>
                      <td className="n">{ms(a.start_ms)}</td>
                      <td className="n">{ms(a.ttft_ms)}</td>
                      <td className="n">{ms(a.duration_ms)}</td>
                      <td className="n">{usd(a.cost_usd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </Card>
          <div className="two-col">
            <Card title="Latency">
              {latencyRows(r).length > 0 && <Waterfall title="Latency breakdown" rows={latencyRows(r)} />}
              <dl className="facts">
                <dt>Router overhead</dt>
                <dd>{ms(r.latency?.overhead_ms)}</dd>
                <dt>Time to first token</dt>
                <dd>{ms(r.latency?.ttft_ms)}</dd>
                <dt>Generation</dt>
                <dd>{ms(r.latency?.generation_ms)}</dd>
                <dt>Total</dt>
                <dd>{ms(r.latency?.total_ms)}</dd>
              </dl>
            </Card>
            <Card title="Tokens and cost">
              <dl className="facts">
                <dt>Input</dt>
                <dd>{num(r.usage?.input_tokens)}</dd>
                <dt>Output</dt>
                <dd>{num(r.usage?.output_tokens)}</dd>
                <dt>Cache read</dt>
                <dd>{num(r.usage?.cache_read_tokens)}</dd>
                <dt>Cache write</dt>
                <dd>{num(r.usage?.cache_write_tokens)}</dd>
                <dt>Reasoning</dt>
                <dd>{num(r.usage?.reasoning_tokens)}</dd>
                <dt>Cost</dt>
                <dd>{usd(r.cost_usd)}</dd>
              </dl>
            </Card>
          </div>
          <Card title="Metadata">
            {r.metadata && Object.keys(r.metadata).length > 0 ? (
              <dl className="facts">
                {Object.entries(r.metadata).map(([k, v]) => (
                  <div key={k} className="fact-row">
                    <dt>{k}</dt>
                    <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="muted">No metadata.</p>
            )}
          </Card>
          <Card title="Bodies">
            {r.bodies ? (
              <div className="two-col">
                <div>
                  <h3>Request</h3>
                  <pre className="body" tabIndex={0}>
                    {pretty(r.bodies.request)}
                  </pre>
                </div>
                <div>
                  <h3>Response</h3>
                  <pre className="body" tabIndex={0}>
                    {pretty(r.bodies.response)}
                  </pre>
                </div>
              </div>
            ) : (
              <p className="muted">Not captured. Turn on telemetry.records.bodies in the config to keep request and response bodies (redacted).</p>
            )}
          </Card>
        </>
      )}
    </>
  );
}
