import { api, qs, type UsageAnswer, type UsageRow } from '../api';
import { TimeChart } from '../components/charts';
import { Card, Empty, ErrorBanner, PageHeader, RANGES, rangeStart, Select, Stat, TableWrap } from '../components/ui';
import { bucketLabel, compact, ms, num, pct, usd } from '../format';
import { useLoad } from '../hooks';
import { navigate, useLocation, Link } from '../nav';

const DIMENSIONS: Array<[string, string]> = [
  ['model', 'Model'],
  ['provider', 'Provider'],
  ['key', 'Key'],
  ['router', 'Router'],
];

/** Requests without a value for the dimension (no router, or failed before a model was chosen). */
const NONE = '(none)';

/** At most this many groups get their own series; the rest are summed as "other" so charts stay readable. */
const TOP_GROUPS = 8;

interface Grouped {
  labels: string[];
  groups: string[];
  cell: (group: string, field: keyof UsageRow) => Array<number | null>;
  totals: Map<string, UsageRow>;
}

function groupRows(answer: UsageAnswer): Grouped {
  const times = [...new Set(answer.data.map((r) => r.time ?? ''))].sort();
  const totals = new Map<string, UsageRow>();
  for (const r of answer.data) {
    const g = r.group ?? NONE;
    const t = totals.get(g) ?? { ...r, group: g, requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: 0 };
    t.requests += r.requests;
    t.errors += r.errors;
    t.input_tokens += r.input_tokens;
    t.output_tokens += r.output_tokens;
    t.cache_read_tokens += r.cache_read_tokens;
    t.cache_write_tokens += r.cache_write_tokens;
    t.reasoning_tokens += r.reasoning_tokens;
    t.cost_usd = r.cost_usd === null ? t.cost_usd : (t.cost_usd ?? 0) + r.cost_usd;
    totals.set(g, t);
  }
  const ranked = [...totals.values()].sort((a, b) => b.requests - a.requests).map((t) => t.group!);
  const groups = ranked.slice(0, TOP_GROUPS);
  const index = new Map(answer.data.map((r) => [`${r.time}\u0000${r.group ?? NONE}`, r]));
  return {
    labels: times.map((t) => bucketLabel(t, answer.bucket)),
    groups,
    totals,
    cell: (group, field) => times.map((t) => (index.get(`${t}\u0000${group}`)?.[field] as number | null | undefined) ?? null),
  };
}

/** Counts are zero in a bucket without traffic; latencies are unknown there and leave a gap. */
const zeroed = (v: Array<number | null>) => v.map((x) => x ?? 0);

export function Overview() {
  const { query } = useLocation();
  const range = query.get('range') ?? '24h';
  const by = query.get('by') ?? 'model';
  const set = (k: string, v: string) => {
    const q = new URLSearchParams(query);
    q.set(k, v);
    navigate(`/?${q}`, { replace: true });
  };

  const load = useLoad(
    async () => {
      const from = rangeStart(range);
      const [all, grouped] = await Promise.all([
        api<UsageAnswer>('GET', `/admin/v1/usage${qs({ from, group_by: 'none' })}`),
        api<UsageAnswer>('GET', `/admin/v1/usage${qs({ from, group_by: by })}`),
      ]);
      return { all, grouped };
    },
    [range, by],
    10_000,
  );

  const all = load.data?.all;
  const g = load.data ? groupRows(load.data.grouped) : null;
  const t = all?.totals;
  const labels = all ? [...new Set(all.data.map((r) => r.time ?? ''))].sort().map((x) => bucketLabel(x, all.bucket)) : [];
  const field = (f: keyof UsageRow) => (all ? [...all.data].sort((a, b) => (a.time ?? '').localeCompare(b.time ?? '')).map((r) => r[f] as number | null) : []);
  const dimLabel = DIMENSIONS.find(([d]) => d === by)?.[1] ?? by;

  return (
    <>
      <PageHeader title="Overview">
        <Select label="Time range" value={range} options={RANGES} onChange={(v) => set('range', v)} />
        <Select label="Break down by" value={by} options={DIMENSIONS} onChange={(v) => set('by', v)} />
        <button type="button" onClick={load.reload} disabled={load.loading}>
          Refresh
        </button>
      </PageHeader>
      <ErrorBanner error={load.error} />
      {t && (
        <div className="stats">
          <Stat label="Requests" value={num(t.requests)} sub={`${num(t.errors)} errors`} />
          <Stat label="Error rate" value={pct(t.errors, t.requests)} />
          <Stat label="Tokens" value={compact(t.input_tokens + t.output_tokens)} sub={`${compact(t.input_tokens)} in · ${compact(t.output_tokens)} out · ${compact(t.cache_read_tokens)} cached`} />
          <Stat label="Cost" value={usd(t.cost_usd)} />
          <Stat label="Latency p50" value={ms(t.latency_p50_ms)} sub={`p95 ${ms(t.latency_p95_ms)}`} />
          <Stat label="Time to first token p50" value={ms(t.ttft_p50_ms)} sub={`p95 ${ms(t.ttft_p95_ms)}`} />
        </div>
      )}
      {all && all.totals.requests === 0 && <Empty>No requests in this range yet. Send one to the router and it appears here within seconds.</Empty>}
      {g && all && all.totals.requests > 0 && (
        <>
          <div className="chart-grid">
            <TimeChart title={`Requests by ${dimLabel.toLowerCase()}`} kind="bar" stacked labels={g.labels} series={g.groups.map((x) => ({ label: x, values: zeroed(g.cell(x, 'requests')) }))} />
            <TimeChart title={`Cost by ${dimLabel.toLowerCase()}`} kind="bar" stacked format={usd} labels={g.labels} series={g.groups.map((x) => ({ label: x, values: zeroed(g.cell(x, 'cost_usd')) }))} />
            <TimeChart title="Errors" kind="bar" labels={labels} series={[{ label: 'errors', values: zeroed(field('errors')), color: '#d64545' }]} />
            <TimeChart
              title="Tokens"
              kind="bar"
              stacked
              format={compact}
              labels={labels}
              series={[
                { label: 'input', values: zeroed(field('input_tokens')) },
                { label: 'output', values: zeroed(field('output_tokens')) },
                { label: 'cache read', values: zeroed(field('cache_read_tokens')) },
              ]}
            />
            <TimeChart
              title="Latency and time to first token (all traffic)"
              kind="line"
              format={ms}
              labels={labels}
              series={[
                { label: 'latency p50', values: field('latency_p50_ms') },
                { label: 'latency p95', values: field('latency_p95_ms') },
                { label: 'TTFT p50', values: field('ttft_p50_ms') },
                { label: 'TTFT p95', values: field('ttft_p95_ms') },
              ]}
            />
            <TimeChart title={`Latency p95 by ${dimLabel.toLowerCase()}`} kind="line" format={ms} labels={g.labels} series={g.groups.map((x) => ({ label: x, values: g.cell(x, 'latency_p95_ms') }))} />
            <TimeChart title={`TTFT p50 by ${dimLabel.toLowerCase()}`} kind="line" format={ms} labels={g.labels} series={g.groups.map((x) => ({ label: x, values: g.cell(x, 'ttft_p50_ms') }))} />
          </div>
          <Card title={`By ${dimLabel.toLowerCase()}`}>
            <TableWrap label={`Usage by ${dimLabel.toLowerCase()}`}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{dimLabel}</th>
                    <th scope="col" className="n">Requests</th>
                    <th scope="col" className="n">Errors</th>
                    <th scope="col" className="n">Error rate</th>
                    <th scope="col" className="n">Input tokens</th>
                    <th scope="col" className="n">Output tokens</th>
                    <th scope="col" className="n">Cost</th>
                    <th scope="col" className="n">Share of cost</th>
                  </tr>
                </thead>
                <tbody>
                  {[...g.totals.values()]
                    .sort((a, b) => b.requests - a.requests)
                    .map((r) => (
                      <tr key={r.group}>
                        <th scope="row">
                          {r.group === NONE ? <span className="muted">(none)</span> : <Link to={`/requests?${new URLSearchParams({ [by]: r.group ?? '' })}`}>{r.group}</Link>}
                        </th>
                        <td className="n">{num(r.requests)}</td>
                        <td className="n">{num(r.errors)}</td>
                        <td className="n">{pct(r.errors, r.requests)}</td>
                        <td className="n">{num(r.input_tokens)}</td>
                        <td className="n">{num(r.output_tokens)}</td>
                        <td className="n">{usd(r.cost_usd)}</td>
                        <td className="n">{t?.cost_usd ? pct(r.cost_usd ?? 0, t.cost_usd) : '—'}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </TableWrap>
          </Card>
        </>
      )}
    </>
  );
}
