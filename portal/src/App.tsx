import { useEffect, useState, type FormEvent } from 'react';
import { onSignedOut, restoreSession, signIn, signOut } from './api';
import { ErrorBanner } from './components/ui';
import { Link, useLocation } from './nav';
import { Keys } from './pages/Keys';
import { Models } from './pages/Models';
import { Overview } from './pages/Overview';
import { RequestDetail } from './pages/RequestDetail';
import { Requests } from './pages/Requests';
import { RouterEdit } from './pages/RouterEdit';
import { Routers } from './pages/Routers';

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/requests', 'Requests'],
  ['/routers', 'Routers'],
  ['/models', 'Models'],
  ['/keys', 'Keys'],
];

function SignIn({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
      setKey('');
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">
          <span className="logo" aria-hidden="true" /> Switchyard
        </h1>
        <p className="muted">Sign in with the admin key (auth.admin_key in the config file).</p>
        <label className="control block">
          <span>Admin key</span>
          <input type="password" name="admin_key" autoComplete="current-password" required autoFocus value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <ErrorBanner error={error} />
        <button type="submit" disabled={busy || !key}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function Page({ path }: { path: string }) {
  if (path === '/') return <Overview />;
  if (path === '/requests') return <Requests />;
  if (path.startsWith('/requests/')) return <RequestDetail id={decodeURIComponent(path.slice('/requests/'.length))} />;
  if (path === '/routers') return <Routers />;
  if (path === '/routers/new') return <RouterEdit key="new" id={null} />;
  if (path.startsWith('/routers/')) {
    const id = decodeURIComponent(path.slice('/routers/'.length));
    return <RouterEdit key={id} id={id} />;
  }
  if (path === '/models') return <Models />;
  if (path === '/keys') return <Keys />;
  return (
    <p className="empty">
      No such page. <Link to="/">Go to the overview</Link>.
    </p>
  );
}

export function App() {
  const [state, setState] = useState<'checking' | 'in' | 'out'>('checking');
  const { path } = useLocation();

  useEffect(() => {
    void restoreSession().then((ok) => setState(ok ? 'in' : 'out'));
    return onSignedOut(() => setState('out'));
  }, []);

  useEffect(() => {
    const name = NAV.find(([p]) => (p === '/' ? path === '/' : path.startsWith(p)))?.[1];
    document.title = name ? `${name} · Switchyard` : 'Switchyard';
  }, [path]);

  if (state === 'checking') return null;
  if (state === 'out') return <SignIn onDone={() => setState('in')} />;

  const section = NAV.find(([p]) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`)))?.[0];
  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="logo" aria-hidden="true" /> Switchyard
        </Link>
        <nav aria-label="Portal">
          <ul>
            {NAV.map(([p, label]) => (
              <li key={p}>
                <Link to={p} aria-current={section === p ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="secondary signout" onClick={() => void signOut().finally(() => setState('out'))}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </>
  );
}
