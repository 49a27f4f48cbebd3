import { useEffect, useState } from 'react';
import { api, ApiError, qs, type UsageAnswer, type ValidationIssue } from '../api';
import { TimeChart } from '../components/charts';
import { JsonEditor } from '../components/JsonEditor';
import { Card, Empty, ErrorBanner, PageHeader, RANGES, rangeStart, Select, TableWrap } from '../components/ui';
import { bucketLabel, compact, num, pct, text, usd } from '../format';
import { useLoad } from '../hooks';
import { jsonPositions } from '../jsonpos';
import { navigate } from '../nav';
import { routerId, type RouterJson } from './Routers';

const TEMPLATE = {
  name: 'routers/my-router',
  displayName: 'My router',
  routes: [
    {
      route: { route_id: 'premium', variants: [{ variant: { variant_id: 'best', model_id: 'auto', model_selection: { sort: ['intelligence', 'price'] } }, weight: 100 }] },
      condition: { cel_expression: 'tier == "pro"' },
    },
  ],
  defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'cheap', model_id: 'auto', model_selection: { sort: ['price', 'latency'] } }, weight: 100 }] },
};

const SAMPLE_REQUEST = { max_tokens: 256, messages: [{ role: 'user', content: 'Where is my refund?' }] };

interface TestAnswer {
  router: string;
  version: number;
  api: string;
  api_guessed: boolean;
  route_id: string | null;
  variant_id: string | null;
  matched_expression: string | null;
  default_route: boolean;
  reason: string | null;
  candidates: Array<{ provider: string; model: string }>;
  excluded: Array<{ provider: string; model: string; reason: string }>;
  cel_errors: Array<{ route_id: string; expression: string; error: string }>;
  error: { code: number; type: string; message: string } | null;
}

function editable(json: RouterJson): string {
  const { createTime: _c, updateTime: _u, ...rest } = json;
  return JSON.stringify(rest, null, 2);
}

function Tester({ id }: { id: string }) {
  const [request, setRequest] = useState(JSON.stringify(SAMPLE_REQUEST, null, 2));
  const [metadata, setMetadata] = useState('{\n  "tier": "pro"\n}');
  const [userAgent, setUserAgent] = useState('');
  const [apiKind, setApiKind] = useState<'' | 'anthropic' | 'openai'>('');
  const [answer, setAnswer] = useState<TestAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [issues, setIssues] = useState<ValidationIssue[]>([]);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setError(null);
    setIssues([]);
    let req: unknown;
    let meta: unknown;
    try {
      req = JSON.parse(request);
      meta = metadata.trim() ? JSON.parse(metadata) : undefined;
    } catch (e) {
      setError(`Not valid JSON: ${(e as Error).message}`);
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, unknown> = { request: req };
      if (meta !== undefined) body.metadata = meta;
      if (userAgent) body.headers = { 'user-agent': userAgent };
      if (apiKind) body.api = apiKind;
      setAnswer(await api<TestAnswer>('POST', `/router/v1/routers/${encodeURIComponent(id)}:test`, body));
    } catch (e) {
      setAnswer(null);
      setError((e as Error).message);
      if (e instanceof ApiError) setIssues(e.issues);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Tester (dry run: no provider is called)">
      <div className="tester-inputs">
        <JsonEditor label="Request (Anthropic Messages or OpenAI Chat Completions body)" value={request} onChange={setRequest} rows={10} issues={issues.filter((i) => i.path.startsWith('request')).map((i) => ({ ...i, path: i.path.replace(/^request\.?/, '') }))} />
        <JsonEditor label="Metadata (CEL variables)" value={metadata} onChange={setMetadata} rows={4} />
        <div className="row">
          <label className="control">
            <span>User-Agent header</span>
            <input type="text" value={userAgent} placeholder="claude-cli/2.1.0" onChange={(e) => setUserAgent(e.target.value)} />
          </label>
          <Select
            label="API"
            value={apiKind}
            options={[
              ['', 'Guess from the body'],
              ['anthropic', 'Anthropic'],
              ['openai', 'OpenAI'],
            ]}
            onChange={setApiKind}
          />
          <button type="button" onClick={run} disabled={busy}>
            Run test
          </button>
        </div>
      </div>
      <ErrorBanner error={error} />
      {answer && (
        <div className="test-result" data-testid="test-result" aria-live="polite">
          <dl className="facts">
            <dt>Route</dt>
            <dd data-testid="test-route">
              {text(answer.route_id)}
              {answer.default_route ? ' (default route)' : ''}
            </dd>
            <dt>Variant</dt>
            <dd data-testid="test-variant">{text(answer.variant_id)}</dd>
            <dt>Matched</dt>
            <dd>{answer.matched_expression ? <code>{answer.matched_expression}</code> : '—'}</dd>
            <dt>API</dt>
            <dd>
              {answer.api}
              {answer.api_guessed ? ' (guessed)' : ''}
            </dd>
            <dt>Router version</dt>
            <dd>{answer.version}</dd>
          </dl>
          {answer.reason && <p className="prose">{answer.reason}</p>}
          {answer.error && (
            <div className="banner error" role="status">
              The request would fail: {answer.error.message}
            </div>
          )}
          <h3>Model chain</h3>
          {answer.candidates.length ? (
            <ol className="chain" data-testid="test-chain">
              {answer.candidates.map((c, n) => (
                <li key={n}>
                  {c.provider}/{c.model}
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted">No candidate.</p>
          )}
          {answer.excluded.length > 0 && (
            <details>
              <summary>Excluded ({answer.excluded.length})</summary>
              <ul>
                {answer.excluded.map((x, n) => (
                  <li key={n}>
                    {x.provider}/{x.model}: {x.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {answer.cel_errors.length > 0 && (
            <>
              <h3>CEL errors (counted as false)</h3>
              <ul>
                {answer.cel_errors.map((e, n) => (
                  <li key={n}>
                    route {e.route_id}: <code>{e.expression}</code> — {e.error}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </Card>
  );
}

function Traffic({ id }: { id: string }) {
  const [range, setRange] = useState('24h');
  const load = useLoad(() => api<UsageAnswer>('GET', `/admin/v1/usage${qs({ router: id, group_by: 'variant', from: rangeStart(range) })}`), [id, range], 15_000);
  const a = load.data;
  const byVariant = new Map<string, { route: string; variant: string; requests: number; errors: number; tokens: number; cost: number | null }>();
  for (const r of a?.data ?? []) {
    const parts = (r.group ?? '').split('/');
    const key = r.group ?? '(none)';
    const v = byVariant.get(key) ?? { route: parts.at(-2) ?? '—', variant: parts.at(-1) || '—', requests: 0, errors: 0, tokens: 0, cost: null };
    v.requests += r.requests;
    v.errors += r.errors;
    v.tokens += r.input_tokens + r.output_tokens;
    if (r.cost_usd !== null) v.cost = (v.cost ?? 0) + r.cost_usd;
    byVariant.set(key, v);
  }
  const times = [...new Set((a?.data ?? []).map((r) => r.time ?? ''))].sort();
  const groups = [...byVariant.keys()];
  const cell = new Map((a?.data ?? []).map((r) => [`${r.time}\u0000${r.group ?? '(none)'}`, r]));
  return (
    <Card title="Traffic and cost per route and variant" actions={<Select label="Range" value={range} options={RANGES} onChange={setRange} />}>
      <ErrorBanner error={load.error} />
      {a && a.totals.requests === 0 && <Empty>No traffic through this router in the range.</Empty>}
      {a && a.totals.requests > 0 && (
        <>
          <TimeChart
            title="Requests by variant"
            kind="bar"
            stacked
            labels={times.map((t) => bucketLabel(t, a.bucket))}
            series={groups.map((g) => ({ label: `${byVariant.get(g)!.route} › ${byVariant.get(g)!.variant}`, values: times.map((t) => cell.get(`${t}\u0000${g}`)?.requests ?? 0) }))}
          />
          <TableWrap label="Traffic per variant">
            <table>
              <thead>
                <tr>
                  <th scope="col">Route</th>
                  <th scope="col">Variant</th>
                  <th scope="col" className="n">Requests</th>
                  <th scope="col" className="n">Share</th>
                  <th scope="col" className="n">Errors</th>
                  <th scope="col" className="n">Tokens</th>
                  <th scope="col" className="n">Cost</th>
                </tr>
              </thead>
              <tbody>
                {[...byVariant.values()].map((v) => (
                  <tr key={`${v.route}/${v.variant}`}>
                    <td>{v.route}</td>
                    <td>{v.variant}</td>
                    <td className="n">{num(v.requests)}</td>
                    <td className="n">{pct(v.requests, a.totals.requests)}</td>
                    <td className="n">{num(v.errors)}</td>
                    <td className="n">{compact(v.tokens)}</td>
                    <td className="n">{usd(v.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </Card>
  );
}

export function RouterEdit({ id }: { id: string | null }) {
  const isNew = id === null;
  const [textValue, setText] = useState(isNew ? JSON.stringify(TEMPLATE, null, 2) : '');
  const [saved, setSaved] = useState<string | null>(null);
  const [issues, setIssues] = useState<ValidationIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const load = useLoad(async () => (isNew ? null : api<RouterJson>('GET', `/router/v1/routers/${encodeURIComponent(id)}`)), [id]);

  useEffect(() => {
    if (load.data) {
      const t = editable(load.data);
      setText(t);
      setSaved(t);
    }
  }, [load.data]);

  let syntaxOk = true;
  try {
    jsonPositions(textValue);
  } catch {
    syntaxOk = false;
  }

  const save = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    setIssues([]);
    try {
      const body = JSON.parse(textValue) as Record<string, unknown>;
      if (isNew) {
        const op = await api<{ response: RouterJson }>('POST', '/router/v1/routers', body);
        navigate(`/routers/${encodeURIComponent(routerId(op.response.name))}`, { replace: true });
      } else {
        const op = await api<{ response: RouterJson; metadata?: { version?: number } }>('PATCH', `/router/v1/routers/${encodeURIComponent(id)}?update_mask=*`, body);
        const t = editable(op.response);
        setText(t);
        setSaved(t);
        setNotice(`Saved${op.metadata?.version ? ` (version ${op.metadata.version})` : ''}. Requests use it from now on.`);
      }
    } catch (e) {
      if (e instanceof ApiError && e.issues.length) {
        setIssues(e.issues);
        setError(`The router is not valid: ${e.issues.length} problem${e.issues.length > 1 ? 's' : ''}, marked in the editor.`);
      } else setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!id) return;
    setBusy(true);
    try {
      await api('DELETE', `/router/v1/routers/${encodeURIComponent(id)}`);
      navigate('/routers');
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const dirty = saved !== null && saved !== textValue;
  return (
    <>
      <PageHeader title={isNew ? 'New router' : `Router ${id}`}>
        {!isNew && (
          <p className="muted small">
            Use it with <code>{`"model": "router/${id}"`}</code>
          </p>
        )}
      </PageHeader>
      <ErrorBanner error={load.error} />
      <div className={isNew ? 'editor-layout single' : 'editor-layout'}>
        <Card title="Definition">
          <JsonEditor label="Router JSON (Tab indents; Esc then Tab leaves the editor)" value={textValue} onChange={setText} issues={issues} rows={26} />
          <ErrorBanner error={error} />
          {notice && (
            <div className="banner ok" role="status">
              {notice}
            </div>
          )}
          <div className="row">
            <button type="button" onClick={save} disabled={busy || !syntaxOk || (!isNew && !dirty)}>
              {isNew ? 'Create router' : 'Save changes'}
            </button>
            {!isNew && dirty && (
              <button type="button" className="secondary" onClick={() => saved !== null && (setText(saved), setIssues([]))}>
                Discard changes
              </button>
            )}
            {!isNew &&
              (confirmDelete ? (
                <>
                  <button type="button" className="danger" onClick={remove} disabled={busy}>
                    Delete {id} for good
                  </button>
                  <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
                    Keep it
                  </button>
                </>
              ) : (
                <button type="button" className="secondary" onClick={() => setConfirmDelete(true)}>
                  Delete…
                </button>
              ))}
          </div>
        </Card>
        {!isNew && id && (
          <div>
            {dirty && <p className="banner info">The tester runs the saved version; save to test your edits.</p>}
            <Tester id={id} />
          </div>
        )}
      </div>
      {!isNew && id && <Traffic id={id} />}
    </>
  );
}
