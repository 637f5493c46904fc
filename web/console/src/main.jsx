import 'uplot/dist/uPlot.min.css';
import './app.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { APIError, session, setCSRF, whenSignedOut } from './api.js';
import { Overview } from './pages/overview.jsx';
import { Catalog } from './pages/catalog.jsx';
import { Tenants, TenantDetail } from './pages/tenants.jsx';
import { Users } from './pages/users.jsx';
import { Usage } from './pages/usage.jsx';
import { Feedback } from './pages/feedback.jsx';
import { Invoices, InvoiceDetail, InvoicePreview } from './pages/invoices.jsx';
import { Marketplace } from './pages/marketplace.jsx';
import { APILog, APILogEntry } from './pages/apilog.jsx';
import { Jobs } from './pages/jobs.jsx';
import { base, Link } from './router.jsx';

const nav = [
  { path: '/', label: 'Overview' },
  { path: '/catalog', label: 'Catalog' },
  { path: '/tenants', label: 'Tenants' },
  { path: '/users', label: 'Users' },
  { path: '/usage', label: 'Usage' },
  { path: '/feedback', label: 'Feedback' },
  { path: '/invoices', label: 'Invoices' },
  { path: '/marketplace', label: 'Marketplace' },
  { path: '/apilog', label: 'API log' },
  { path: '/jobs', label: 'Jobs' },
];

// route is the console path after /console ("/", "/tenants/ID") and its query.
function current() {
  const p = location.pathname.startsWith(base) ? location.pathname.slice(base.length) || '/' : '/';
  return { path: p, query: new URLSearchParams(location.search) };
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useEffect(() => first.current && first.current.focus(), []);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    setBusy(true);
    setError('');
    try {
      const s = await session.signIn(f.get('saas_id').trim(), f.get('api_key').trim(), f.get('secret_key'));
      e.target.reset();
      onSignedIn(s);
    } catch (err) {
      setError(err instanceof APIError ? err.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title" class="card">
        <h1 id="signin-title">Sign in to the saasplane console</h1>
        <p class="hint">Use an API key of your SaaS: the secret is checked once and never kept in the browser.</p>
        <label for="saas_id">SaaS id</label>
        <input id="saas_id" name="saas_id" ref={first} required autocomplete="username" spellcheck={false} />
        <label for="api_key">API key</label>
        <input id="api_key" name="api_key" required autocomplete="off" spellcheck={false} />
        <label for="secret_key">Secret key</label>
        <input id="secret_key" name="secret_key" type="password" required autocomplete="current-password" />
        {error && (
          <p class="error" role="alert" id="signin-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function Page({ route, sess }) {
  const p = route.path;
  if (p === '/' || p === '') return <Overview />;
  if (p === '/catalog') return <Catalog />;
  if (p === '/tenants') return <Tenants query={route.query} />;
  if (p.startsWith('/tenants/')) return <TenantDetail id={decodeURIComponent(p.slice('/tenants/'.length))} />;
  if (p === '/users') return <Users query={route.query} />;
  if (p === '/usage') return <Usage query={route.query} />;
  if (p === '/feedback') return <Feedback />;
  if (p === '/invoices') return <Invoices query={route.query} />;
  if (p === '/invoices/preview') return <InvoicePreview query={route.query} />;
  if (p.startsWith('/invoices/')) return <InvoiceDetail id={decodeURIComponent(p.slice('/invoices/'.length))} />;
  if (p === '/marketplace') return <Marketplace />;
  if (p === '/apilog') return <APILog query={route.query} />;
  if (p === '/jobs') return <Jobs />;
  if (p.startsWith('/apilog/')) return <APILogEntry id={decodeURIComponent(p.slice('/apilog/'.length))} />;
  return (
    <section>
      <h1 tabIndex={-1}>Not found</h1>
      <p>
        No console page at {p}. <Link to="/">Go to the overview</Link>.
      </p>
    </section>
  );
}

function Shell({ sess, onSignOut }) {
  const [route, setRoute] = useState(current());
  const main = useRef(null);
  useEffect(() => {
    const on = () => setRoute(current());
    window.addEventListener('popstate', on);
    window.addEventListener('console:navigate', on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener('console:navigate', on);
    };
  }, []);
  // Move the focus to the new page's heading, as a page load would.
  useEffect(() => {
    const h = main.current && main.current.querySelector('h1');
    if (h) {
      h.setAttribute('tabindex', '-1');
      h.focus({ preventScroll: true });
    }
    const label = nav.find((n) => n.path === route.path || (n.path !== '/' && route.path.startsWith(n.path)));
    document.title = `${label ? label.label : 'Console'} · ${sess.saas_name || sess.saas_id} · saasplane`;
  }, [route.path]);
  const active = (n) => (n.path === '/' ? route.path === '/' : route.path === n.path || route.path.startsWith(n.path + '/'));
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">saasplane</span>
        <span class="saas" title={sess.saas_id}>
          <span class="visually-hidden">SaaS: </span>
          <strong data-testid="saas-name">{sess.saas_name || sess.saas_id}</strong>
        </span>
        <span class="key">
          API key <code>{sess.api_key}</code>
        </span>
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="side" aria-label="Console">
        <ul>
          {nav.map((n) => (
            <li>
              <Link to={n.path} aria-current={active(n) ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} key={route.path}>
        <Page route={route} sess={sess} />
      </main>
    </div>
  );
}

function App() {
  const [state, setState] = useState({ loading: true, sess: null, notice: '' });
  useEffect(() => {
    whenSignedOut(() => {
      setCSRF('');
      setState({ loading: false, sess: null, notice: 'Your session ended: sign in again.' });
    });
    session
      .current()
      .then((s) => {
        setCSRF(s.csrf_token);
        setState({ loading: false, sess: s, notice: '' });
      })
      .catch(() => setState({ loading: false, sess: null, notice: '' }));
  }, []);
  if (state.loading) return <p class="loading">Loading the console…</p>;
  if (!state.sess)
    return (
      <>
        {state.notice && (
          <p class="notice" role="status">
            {state.notice}
          </p>
        )}
        <SignIn
          onSignedIn={(s) => {
            setCSRF(s.csrf_token);
            setState({ loading: false, sess: s, notice: '' });
          }}
        />
      </>
    );
  return (
    <Shell
      sess={state.sess}
      onSignOut={async () => {
        try {
          await session.signOut();
        } catch {
          // Signed out already: the cookie is gone or expired.
        }
        setCSRF('');
        history.replaceState(null, '', base + '/');
        setState({ loading: false, sess: null, notice: 'You are signed out.' });
      }}
    />
  );
}

render(<App />, document.getElementById('app'));
