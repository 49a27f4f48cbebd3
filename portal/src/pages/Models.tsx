import { useState } from 'react';
import { api, type CatalogModel, type Circuit } from '../api';
import { Card, Empty, ErrorBanner, PageHeader, StateBadge, TableWrap } from '../components/ui';
import { ago, compact, ms, num, perMillion, text } from '../format';
import { useLoad } from '../hooks';

/** One live statistics entry from /admin/v1/stats; names are read leniently, missing values show as "—". */
interface LiveStat {
  provider: string;
  model: string;
  ttft: number | null;
  throughput: number | null;
  samples: number | null;
  failures: number | null;
}

function pickNumber(o: Record<string, unknown>, ...names: string[]): number | null {
  for (const n of names) if (typeof o[n] === 'number') return o[n] as number;
  return null;
}

function readStats(body: unknown): LiveStat[] {
  const rows = (body as { data?: unknown[] } | null)?.data ?? [];
  return rows.map((raw) => {
    const o = raw as Record<string, unknown>;
    return {
      provider: String(o.provider ?? ''),
      model: String(o.model ?? ''),
      ttft: pickNumber(o, 'ttft_p50_ms', 'ttft_ms'),
      throughput: pickNumber(o, 'throughput_p50_tokens_per_s', 'throughput_tokens_per_s', 'throughput'),
      samples: pickNumber(o, 'samples'),
      failures: pickNumber(o, 'failures'),
    };
  });
}

const STATE_RANK: Record<string, number> = { open: 2, half_open: 1, 'half-open': 1, closed: 0 };

function worst(circuits: Circuit[]): string | null {
  if (!circuits.length) return null;
  return circuits.reduce((a, c) => ((STATE_RANK[c.state] ?? 0) > (STATE_RANK[a] ?? 0) ? c.state : a), 'closed');
}

export function Models() {
  const [filter, setFilter] = useState('');
  const [all, setAll] = useState(false);
  const catalog = useLoad(() => api<{ models: CatalogModel[] }>('GET', '/llm/v1alpha/models'), []);
  const live = useLoad(
    async () => {
      const [stats, circuits] = await Promise.all([api<unknown>('GET', '/admin/v1/stats'), api<{ data: Circuit[] }>('GET', '/admin/v1/circuits')]);
      return { stats: readStats(stats), circuits: circuits.data };
    },
    [],
    5000,
  );

  const stats = new Map((live.data?.stats ?? []).map((s) => [`${s.provider}/${s.model}`, s]));
  const circuitsBy = new Map<string, Circuit[]>();
  for (const c of live.data?.circuits ?? []) {
    const k = `${c.provider}/${c.model}`;
    circuitsBy.set(k, [...(circuitsBy.get(k) ?? []), c]);
  }
  const f = filter.trim().toLowerCase();
  const models = (catalog.data?.models ?? []).filter((m) => (all || m.available !== false) && (!f || `${m.provider}/${m.model} ${m.displayName}`.toLowerCase().includes(f)));

  const providers = new Map<string, { closed: number; half: number; open: number }>();
  for (const c of live.data?.circuits ?? []) {
    const p = providers.get(c.provider) ?? { closed: 0, half: 0, open: 0 };
    if (c.state === 'open') p.open++;
    else if (c.state === 'closed') p.closed++;
    else p.half++;
    providers.set(c.provider, p);
  }

  return (
    <>
      <PageHeader title="Models">
        <label className="control">
          <span>Filter</span>
          <input type="search" value={filter} placeholder="provider, model or name" onChange={(e) => setFilter(e.target.value)} />
        </label>
        <label className="control inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          <span>Whole catalog (also unconfigured providers)</span>
        </label>
      </PageHeader>
      <ErrorBanner error={catalog.error ?? live.error} />
      <Card title="Circuit breakers per provider">
        {providers.size === 0 ? (
          <p className="muted">No circuit has seen traffic yet: every provider is closed (healthy).</p>
        ) : (
          <ul className="provider-circuits">
            {[...providers.entries()].map(([p, s]) => (
              <li key={p}>
                <strong>{p}</strong> <StateBadge state={s.open ? 'open' : s.half ? 'half_open' : 'closed'} />{' '}
                <span className="muted small">
                  {s.closed} closed · {s.half} half-open · {s.open} open
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={`Catalog (${models.length})`}>
        {catalog.data && models.length === 0 && <Empty>No model matches.</Empty>}
        {models.length > 0 && (
          <TableWrap label="Model catalog">
            <table className="models">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col" className="n">Context</th>
                  <th scope="col" className="n">
                    Input / output
                    <br />
                    $ per M tokens
                  </th>
                  <th scope="col" className="n">
                    Cache read / write
                    <br />
                    $ per M tokens
                  </th>
                  <th scope="col" className="n">
                    Scores: intelligence
                    <br />
                    coding · math
                  </th>
                  <th scope="col" className="n">
                    Time to first
                    <br />
                    token p50
                  </th>
                  <th scope="col" className="n">
                    Throughput
                    <br />
                    p50
                  </th>
                  <th scope="col">Circuit</th>
                </tr>
              </thead>
              <tbody>
                {models.map((m) => {
                  const k = `${m.provider}/${m.model}`;
                  const s = stats.get(k);
                  const cs = circuitsBy.get(k) ?? [];
                  const state = worst(cs);
                  return (
                    <tr key={k}>
                      <th scope="row">
                        <div>{m.displayName}</div>
                        <div className="muted small">{k}</div>
                      </th>
                      <td className="n">{compact(m.spec.contextLength)}</td>
                      <td className="n">
                        {perMillion(m.pricing.prompt)} / {perMillion(m.pricing.completion)}
                      </td>
                      <td className="n">
                        {perMillion(m.pricing.cacheRead)} / {perMillion(m.pricing.cacheWrite)}
                      </td>
                      <td className="n">
                        {num(m.scores?.intelligence)} · {num(m.scores?.coding)} · {num(m.scores?.math)}
                      </td>
                      <td className="n" title={s?.samples ? `${s.samples} samples` : `catalog prior ${ms(m.performance?.ttftMs)}`}>
                        {s?.ttft !== null && s?.ttft !== undefined ? ms(s.ttft) : <span className="muted">{ms(m.performance?.ttftMs)} prior</span>}
                      </td>
                      <td className="n">{s?.throughput !== null && s?.throughput !== undefined ? `${num(s.throughput)} tok/s` : <span className="muted">{num(m.performance?.tokensPerSecond)} prior</span>}</td>
                      <td>{state ? <StateBadge state={state} /> : <span className="muted">{m.available === false ? 'not configured' : 'no traffic'}</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Card>
      <Card title="Circuits">
        {(live.data?.circuits.length ?? 0) === 0 ? (
          <p className="muted">No circuits yet.</p>
        ) : (
          <TableWrap label="Circuits">
            <table>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Model</th>
                  <th scope="col">Key</th>
                  <th scope="col">State</th>
                  <th scope="col" className="n">Failures in a row</th>
                  <th scope="col" className="n">Window failures</th>
                  <th scope="col">Opened</th>
                  <th scope="col">Retry at</th>
                  <th scope="col">Last reason</th>
                </tr>
              </thead>
              <tbody>
                {live.data!.circuits.map((c) => (
                  <tr key={`${c.provider}/${c.model}/${c.key}`}>
                    <td>{c.provider}</td>
                    <td>{c.model}</td>
                    <td>{c.key}</td>
                    <td>
                      <StateBadge state={c.state} />
                    </td>
                    <td className="n">{num(c.consecutive_failures)}</td>
                    <td className="n">
                      {num(c.window_failures)} / {num(c.window_requests)}
                    </td>
                    <td>{ago(c.opened_at)}</td>
                    <td>{text(c.retry_at)}</td>
                    <td className="wrap">{text(c.last_reason)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Card>
    </>
  );
}
