import { useState, type FormEvent } from 'react';
import { api, qs, type KeyInfo, type UsageAnswer } from '../api';
import { TimeChart } from '../components/charts';
import { Card, ErrorBanner, PageHeader, TableWrap } from '../components/ui';
import { ago, bucketLabel, compact, num, text, usd } from '../format';
import { useLoad } from '../hooks';
import { Link } from '../nav';

interface Created {
  id: string;
  name: string;
  key: string;
}

function NewKey({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [routersWrite, setRoutersWrite] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const k = await api<Created>('POST', '/admin/v1/keys', { name: name.trim(), permissions: routersWrite ? ['routers:write'] : [] });
      setCreated(k);
      setCopied(false);
      setName('');
      setRoutersWrite(false);
      onCreated();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Create a key">
      <form className="row" onSubmit={submit}>
        <label className="control">
          <span>Name</span>
          <input type="text" required value={name} placeholder="ci, alice-laptop…" maxLength={64} title="Letters, digits, . _ - (starting with a letter or digit)" onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="control inline">
          <input type="checkbox" checked={routersWrite} onChange={(e) => setRoutersWrite(e.target.checked)} />
          <span>May change routers (routers:write)</span>
        </label>
        <button type="submit" disabled={busy || !name.trim()}>
          Create key
        </button>
      </form>
      <ErrorBanner error={error} />
      {created && (
        <div className="banner ok created-key" role="status">
          <p>
            Key <strong>{created.name}</strong> created. Copy it now: it is shown only this once and stored only as a hash.
          </p>
          <div className="row">
            <code className="secret" data-testid="new-key">
              {created.key}
            </code>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(created.key).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="secondary" onClick={() => setCreated(null)}>
              Done, hide it
            </button>
          </div>
        </div>
      )}
    </Card>
  );
}

export function Keys() {
  const keys = useLoad(() => api<{ data: KeyInfo[] }>('GET', '/admin/v1/keys'), [], 15_000);
  const usage = useLoad(() => api<UsageAnswer>('GET', `/admin/v1/usage${qs({ group_by: 'key', from: new Date(Date.now() - 7 * 86_400_000).toISOString() })}`), [], 30_000);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);

  const revoke = async (k: KeyInfo) => {
    setError(null);
    try {
      await api('DELETE', `/admin/v1/keys/${encodeURIComponent(k.id)}`);
      setConfirm(null);
      keys.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const list = (keys.data?.data ?? []).filter((k) => showRevoked || !k.revoked_at);
  const u = usage.data;
  const times = [...new Set((u?.data ?? []).map((r) => r.time ?? ''))].sort();
  const groups = [...new Set((u?.data ?? []).map((r) => r.group ?? '(none)'))];
  const cell = new Map((u?.data ?? []).map((r) => [`${r.time}\u0000${r.group ?? '(none)'}`, r]));

  return (
    <>
      <PageHeader title="Keys">
        <label className="control inline">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
          <span>Show revoked keys</span>
        </label>
      </PageHeader>
      <NewKey onCreated={keys.reload} />
      <ErrorBanner error={keys.error ?? error} />
      <Card title="Client keys">
        <TableWrap label="Client keys">
          <table className="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Permissions</th>
                <th scope="col">Source</th>
                <th scope="col">Created</th>
                <th scope="col" className="n">Requests (30 d)</th>
                <th scope="col" className="n">Tokens (30 d)</th>
                <th scope="col" className="n">Cost (30 d)</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.id} data-key-name={k.name} className={k.revoked_at ? 'revoked' : undefined}>
                  <th scope="row">
                    <Link to={`/requests?key=${encodeURIComponent(k.name)}`}>{k.name}</Link>
                  </th>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{k.permissions.length ? k.permissions.join(', ') : 'client'}</td>
                  <td>{k.source}</td>
                  <td>{ago(k.created_at)}</td>
                  <td className="n">{num(k.usage?.requests_30d)}</td>
                  <td className="n">{compact(k.usage?.tokens_30d)}</td>
                  <td className="n">{usd(k.usage?.cost_usd_30d)}</td>
                  <td>{ago(k.usage?.last_used_at)}</td>
                  <td className="actions">
                    {k.revoked_at ? (
                      <span className="badge bad">revoked {ago(k.revoked_at)}</span>
                    ) : k.source === 'config' ? (
                      <span className="muted small">from the config file</span>
                    ) : confirm === k.id ? (
                      <>
                        <button type="button" className="danger" onClick={() => void revoke(k)}>
                          Revoke {k.name}
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirm(null)}>
                          Cancel
                        </button>
                      </>
                    ) : (
                      <button type="button" className="secondary" onClick={() => setConfirm(k.id)}>
                        Revoke…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
              {keys.data && list.length === 0 && (
                <tr>
                  <td colSpan={10} className="muted">
                    No keys yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {u && u.totals.requests > 0 && (
        <Card title="Requests by key (last 7 days)">
          <TimeChart kind="bar" stacked title="Requests by key" labels={times.map((t) => bucketLabel(t, u.bucket))} series={groups.map((g) => ({ label: g, values: times.map((t) => cell.get(`${t}\u0000${g}`)?.requests ?? 0) }))} />
          <p className="muted small">
            {text(String(num(u.totals.requests)))} requests, {usd(u.totals.cost_usd)} in the last 7 days.
          </p>
        </Card>
      )}
    </>
  );
}
