import { useEffect, useRef, useState } from 'react';
import { api, qs, type RequestSummary } from '../api';
import { Empty, ErrorBanner, PageHeader, RANGES, rangeStart, StatusBadge, TableWrap } from '../components/ui';
import { compact, ms, servedBy, text, time, usd } from '../format';
import { useDebounced } from '../hooks';
import { Link, navigate, useLocation } from '../nav';

const FILTERS = ['q', 'model', 'provider', 'key', 'router', 'client', 'status', 'range', 'endpoint'] as const;
type Filter = (typeof FILTERS)[number];
const POLL_MS = 3000;

function routerLabel(r: RequestSummary): string {
  if (!r.router) return '—';
  const id = r.router.replace(/^routers\//, '');
  return [id, r.route_id, r.variant_id].filter(Boolean).join(' › ');
}

export function Requests() {
  const { query } = useLocation();
  const [draft, setDraft] = useState<Record<Filter, string>>(() => Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<Filter, string>);
  const filters = useDebounced(draft, 300);
  const [live, setLive] = useState(true);
  const [rows, setRows] = useState<RequestSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const generation = useRef(0);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const params = (extra: Record<string, string | null> = {}) => {
    const { range, ...rest } = filters;
    return qs({ ...rest, from: range ? rangeStart(range) : null, limit: 50, ...extra });
  };

  // The URL carries the filters, so a detail page's Back returns to the same view and views can be shared.
  useEffect(() => {
    const q = new URLSearchParams();
    for (const f of FILTERS) if (filters[f]) q.set(f, filters[f]);
    const s = q.toString();
    navigate(`/requests${s ? `?${s}` : ''}`, { replace: true });
  }, [filters]);

  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    api<{ data: RequestSummary[]; next_cursor: string | null }>('GET', `/admin/v1/requests${params()}`).then(
      (page) => {
        if (mine !== generation.current) return;
        setRows(page.data);
        setCursor(page.next_cursor);
        setError(null);
        setLoading(false);
        setFresh(new Set());
      },
      (e: Error) => {
        if (mine !== generation.current) return;
        setError(e.message);
        setLoading(false);
      },
    );
  }, [filters]);

  // Live: the first page again with the same filters; rows not seen yet go on top and are highlighted.
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      const mine = generation.current;
      api<{ data: RequestSummary[] }>('GET', `/admin/v1/requests${params()}`).then(
        (page) => {
          if (mine !== generation.current) return;
          const old = rowsRef.current;
          const known = new Set(old.map((r) => r.id));
          const added = page.data.filter((r) => !known.has(r.id));
          const updated = new Map(page.data.map((r) => [r.id, r]));
          setFresh(new Set(added.map((r) => r.id)));
          setRows([...added, ...old.map((r) => updated.get(r.id) ?? r)]);
          setError(null);
        },
        (e: Error) => mine === generation.current && setError(e.message),
      );
    }, POLL_MS);
    return () => clearInterval(t);
  });

  const more = () => {
    if (!cursor) return;
    const mine = generation.current;
    api<{ data: RequestSummary[]; next_cursor: string | null }>('GET', `/admin/v1/requests${params({ cursor })}`).then(
      (page) => {
        if (mine !== generation.current) return;
        setRows((old) => {
          const known = new Set(old.map((r) => r.id));
          return [...old, ...page.data.filter((r) => !known.has(r.id))];
        });
        setCursor(page.next_cursor);
      },
      (e: Error) => setError(e.message),
    );
  };

  const input = (f: Filter, label: string, placeholder = '') => (
    <label className="control">
      <span>{label}</span>
      <input type={f === 'q' ? 'search' : 'text'} value={draft[f]} placeholder={placeholder} onChange={(e) => setDraft({ ...draft, [f]: e.target.value })} />
    </label>
  );

  return (
    <>
      <PageHeader title="Requests">
        <label className="control inline">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} />
          <span>Live{live ? ' (every 3 s)' : ''}</span>
        </label>
      </PageHeader>
      <form className="filters" role="search" aria-label="Filter requests" onSubmit={(e) => e.preventDefault()}>
        {input('q', 'Search', 'id, model, error, metadata…')}
        {input('model', 'Model')}
        {input('provider', 'Provider')}
        {input('key', 'Key')}
        {input('router', 'Router')}
        {input('client', 'Client')}
        <label className="control">
          <span>Status</span>
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            <option value="ok">OK</option>
            <option value="error">Errors</option>
            <option value="4xx">4xx</option>
            <option value="5xx">5xx</option>
          </select>
        </label>
        <label className="control">
          <span>Time</span>
          <select value={draft.range} onChange={(e) => setDraft({ ...draft, range: e.target.value })}>
            <option value="">All time</option>
            {RANGES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span>Show</span>
          <select value={draft.endpoint} onChange={(e) => setDraft({ ...draft, endpoint: e.target.value })}>
            <option value="">Model traffic</option>
            <option value="all">Everything (API calls too)</option>
          </select>
        </label>
        {FILTERS.some((f) => draft[f]) && (
          <button type="button" className="secondary" onClick={() => setDraft(Object.fromEntries(FILTERS.map((f) => [f, ''])) as Record<Filter, string>)}>
            Clear
          </button>
        )}
      </form>
      <ErrorBanner error={error} />
      {!loading && rows.length === 0 && !error && <Empty>No requests match. Traffic appears here as it arrives.</Empty>}
      {rows.length > 0 && (
        <TableWrap label="Requests">
          <table className="requests">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Key</th>
                <th scope="col">Client</th>
                <th scope="col">Model asked → served</th>
                <th scope="col">Router</th>
                <th scope="col">Status</th>
                <th scope="col" className="n">Tokens in / out</th>
                <th scope="col" className="n">Cost</th>
                <th scope="col" className="n">Latency</th>
                <th scope="col" className="n">TTFT</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-request-id={r.id} className={fresh.has(r.id) ? 'fresh' : undefined}>
                  <td>
                    <Link to={`/requests/${encodeURIComponent(r.id)}`} title={`Request ${r.id}`}>
                      {time(r.time)}
                    </Link>
                  </td>
                  <td>{text(r.key_name)}</td>
                  <td className="clip" title={r.client ?? undefined}>
                    {text(r.client)}
                  </td>
                  <td>
                    {r.requested_model || r.model ? (
                      <>
                        <div>{text(r.requested_model)}</div>
                        {r.model && servedBy(r.provider, r.model) !== r.requested_model && <div className="muted small">→ {servedBy(r.provider, r.model)}</div>}
                      </>
                    ) : (
                      <span className="muted small">{r.endpoint}</span>
                    )}
                    {r.attempt_count > 1 && (
                      <span className="pill" title={`${r.attempt_count} attempts`}>
                        {r.attempt_count} attempts
                      </span>
                    )}
                  </td>
                  <td>{routerLabel(r)}</td>
                  <td>
                    <StatusBadge status={r.status} />
                    {r.error_class && <div className="muted small">{r.error_class}</div>}
                  </td>
                  <td className="n">{r.usage ? `${compact(r.usage.input_tokens)} / ${compact(r.usage.output_tokens)}` : '—'}</td>
                  <td className="n">{usd(r.cost_usd)}</td>
                  <td className="n">{ms(r.latency?.total_ms)}</td>
                  <td className="n">{ms(r.latency?.ttft_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {cursor && (
        <p>
          <button type="button" className="secondary" onClick={more}>
            Load older requests
          </button>
        </p>
      )}
    </>
  );
}
