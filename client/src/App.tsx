import { useEffect, useLayoutEffect, useRef } from 'react';
import { Link } from './components/Link';
import { Toasts } from './components/Toasts';
import { formatChips } from './money';
import { AdminPage } from './pages/Admin';
import { HistoryPage } from './pages/History';
import { LobbyPage } from './pages/Lobby';
import { LoginPage } from './pages/Login';
import { MultiTablePage } from './pages/MultiTable';
import { TablePage } from './pages/Table';
import { WalletPage } from './pages/Wallet';
import { navigate, parseRoute, usePath, type Route } from './router';
import { useConnectionStatus } from './socket';
import { logout, session } from './store';

export function App() {
  const path = usePath();
  const route = parseRoute(path);
  useEffect(() => {
    // The multi-table page keeps the title itself: it names the tables whose turn it is.
    if (route.name === 'tables') return;
    document.title = `${titleOf(route)} · Atomic Poker`;
  }, [path]);
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <Header route={route} />
      <ConnectionBanner />
      <main id="main" className={route.name === 'table' ? 'main main-table' : route.name === 'tables' ? 'main main-table main-tables' : 'main'}>
        <Page route={route} />
      </main>
      <Toasts />
    </div>
  );
}

function titleOf(route: Route): string {
  switch (route.name) {
    case 'lobby':
      return 'Lobby';
    case 'login':
      return route.mode === 'login' ? 'Log in' : 'Sign up';
    case 'table':
      return `Table ${route.tableId}`;
    case 'tables':
      return 'Tables';
    case 'wallet':
      return 'Wallet';
    case 'admin':
      return 'Admin';
    case 'history':
      return 'Hand history';
    case 'notFound':
      return 'Not found';
  }
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'lobby':
      return <LobbyPage />;
    case 'login':
      return <LoginPage mode={route.mode} />;
    case 'table':
      return <TablePage key={route.tableId} tableId={route.tableId} />;
    case 'tables':
      return <MultiTablePage />;
    case 'wallet':
      return <WalletPage />;
    case 'admin':
      return <AdminPage />;
    case 'history':
      return <HistoryPage />;
    case 'notFound':
      return (
        <section className="panel narrow">
          <h1>Nothing here</h1>
          <p>
            That page does not exist. <Link href="/">Back to the lobby</Link>
          </p>
        </section>
      );
  }
}

function Header({ route }: { route: Route }) {
  const s = session.use();
  const nav = (href: string, label: string, active: boolean) => (
    <Link href={href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <header className="topbar">
      <Link href="/" className="brand" aria-label="Atomic Poker lobby">
        <span className="brand-mark" aria-hidden="true">♠</span>
        <span className="brand-name">Atomic<span>Poker</span></span>
      </Link>
      <nav className="nav" aria-label="Main">
        {nav('/', 'Lobby', route.name === 'lobby')}
        {s.user && nav('/hands', 'Hands', route.name === 'history')}
        {s.user?.role === 'ADMIN' && nav('/admin', 'Admin', route.name === 'admin')}
      </nav>
      <div className="topbar-right">
        {s.user ? (
          <>
            <Link href="/wallet" className="balance-pill" aria-label={`Wallet balance ${formatChips(s.balance ?? 0)} chips`} data-testid="header-balance">
              <span className="chip-icon" aria-hidden="true" />
              <span className="balance-value">{s.balance === null ? '…' : formatChips(s.balance)}</span>
            </Link>
            <span className="user-name" title={`${s.user.username} (${s.user.role === 'ADMIN' ? 'administrator' : 'player'})`}>
              <span className="avatar avatar-sm" aria-hidden="true">{s.user.username.slice(0, 2).toUpperCase()}</span>
              <span className="user-name-text">{s.user.username}</span>
            </span>
            <button className="btn btn-ghost btn-sm" onClick={() => void logout().then(() => navigate('/'))}>
              Log out
            </button>
          </>
        ) : s.loaded ? (
          <>
            <Link href="/login" className="btn btn-ghost btn-sm">Log in</Link>
            <Link href="/signup" className="btn btn-gold btn-sm">Sign up</Link>
          </>
        ) : null}
      </div>
    </header>
  );
}

/**
 * While the page is not connected. It sits in the page's flow, above the page: its height is
 * --conn-banner-h on the root while it shows, which a desktop table's felt and side panel give up
 * (styles.css), so the table stays on screen (at 1366x768 the banner pushed the page 37 px down:
 * it scrolled, the foot of the action bar below the window). A phone's table fits itself to the
 * window below its own top (--fit-h), which counts the banner.
 */
function ConnectionBanner() {
  const status = useConnectionStatus();
  const ref = useRef<HTMLDivElement>(null);
  const shown = status !== 'connected';
  useLayoutEffect(() => {
    const el = ref.current;
    if (!shown || !el) return;
    const root = document.documentElement;
    const update = () => root.style.setProperty('--conn-banner-h', `${el.offsetHeight}px`);
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => {
      observer.disconnect();
      root.style.removeProperty('--conn-banner-h');
    };
  }, [shown]);
  if (!shown) return null;
  return (
    <div className="conn-banner" ref={ref} role="status" aria-live="polite" data-testid="connection-banner">
      <span className="spinner" aria-hidden="true" />
      {status === 'reconnecting' ? 'Connection lost — reconnecting…' : 'Connecting to the server…'}
    </div>
  );
}
