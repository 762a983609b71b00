import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, errorText, newIdempotencyKey, query, type Page, type PurchaseRange, type WalletHistoryItem, type WalletResponse } from '../api';
import { Link } from '../components/Link';
import { formatChips, formatUsd, parseDollarsToCents } from '../money';
import { session, toast } from '../store';
import { RequireUser } from './RequireUser';

const KIND_LABEL: Record<string, string> = {
  BUY_CHIPS: 'Chip purchase', BUY_IN: 'Buy-in', TOP_UP: 'Top-up', CASH_OUT: 'Cash-out', ADJUST: 'Adjustment', WALLET_TRANSFER: 'Transfer',
};
const QUICK = ['10', '25', '50', '100'];

export function WalletPage() {
  return <RequireUser>{() => <Wallet />}</RequireUser>;
}

function Wallet() {
  const { balance } = session.use();
  const [seats, setSeats] = useState<WalletResponse['seats']>([]);
  const [history, setHistory] = useState<WalletHistoryItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);
  // The server's purchase range and rate (GET /api/wallet); until it answers, the form checks only the amount's shape.
  const [range, setRange] = useState<PurchaseRange | null>(null);

  const loadPage = async (from: string | null) => {
    setLoading(true);
    try {
      const page = await api<Page<WalletHistoryItem>>('GET', `/api/wallet/history${query({ limit: 10, cursor: from })}`);
      setHistory((h) => (from ? [...h, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      toast(errorText(e), 'error');
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void api<WalletResponse>('GET', '/api/wallet').then((w) => {
      setSeats(w.seats);
      if (w.purchase) setRange(w.purchase);
      session.set((s) => ({ ...s, balance: w.balance }));
    });
    void loadPage(null);
  }, [reload]);

  return (
    <div className="page-grid">
      <section className="panel balance-card">
        <h1>Wallet</h1>
        <div className="big-balance" data-testid="wallet-balance">
          <span className="chip-icon lg" aria-hidden="true" />
          {balance === null ? '…' : formatChips(balance)} <span className="muted">chips</span>
        </div>
        {seats.length > 0 && (
          <p className="muted small">
            At the tables:{' '}
            {seats.map((s, i) => (
              <span key={s.seatSessionId}>{i > 0 && ', '}<Link href={`/table/${s.tableId}`}>table {s.tableId}</Link> ({formatChips(s.stack)})</span>
            ))}
          </p>
        )}
        <BuyChips range={range} onBought={() => setReload((n) => n + 1)} />
      </section>
      <section className="panel">
        <h2>History</h2>
        <div className="table-scroll">
          <table className="data-table" aria-label="Wallet history">
            <thead>
              <tr><th>When</th><th>What</th><th className="num">Amount</th><th className="num">Balance</th></tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.transferId}>
                  <td className="nowrap">{new Date(h.createdAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}</td>
                  <td>{KIND_LABEL[h.kind] ?? h.kind}{h.tableId ? ` · table ${h.tableId}` : ''}{h.reason ? <span className="muted small"> — {h.reason}</span> : null}</td>
                  <td className={`num ${h.amount >= 0 ? 'pos' : 'neg'}`}>{h.amount >= 0 ? '+' : ''}{formatChips(h.amount)}</td>
                  <td className="num">{formatChips(h.balanceAfter)}</td>
                </tr>
              ))}
              {history.length === 0 && !loading && (
                <tr><td colSpan={4} className="muted">Nothing yet — buy some chips to get started.</td></tr>
              )}
            </tbody>
          </table>
        </div>
        {cursor && (
          <button className="btn btn-ghost btn-sm" disabled={loading} onClick={() => void loadPage(cursor)}>{loading ? 'Loading…' : 'Load more'}</button>
        )}
      </section>
      <ChangePassword />
    </div>
  );
}

/** Changing the password ends every other session (and their open tables' sockets reconnect as logged out). */
function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next.length < 8) return setError('The new password must be at least 8 characters.');
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      toast('Password changed. Your other sessions were logged out.', 'success');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel">
      <form className="password-form" onSubmit={submit} noValidate aria-label="Change password">
        <h2>Change password</h2>
        <label className="field">
          <span className="field-label">Current password</span>
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">New password (8 to 200 characters)</span>
          <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        {error && <span className="field-error" role="alert">{error}</span>}
        <button className="btn btn-ghost btn-block" type="submit" disabled={busy}>{busy ? 'Saving…' : 'Change password'}</button>
      </form>
    </section>
  );
}

/**
 * Why the typed amount cannot be bought, or null when it can: USD, whole cents, more than $0.
 * The server's configured range is its to say (purchase/out_of_range names it).
 */
export function amountProblem(text: string, cents: number | null, range: PurchaseRange | null): string | null {
  const plain = text.trim().replace(/^\$/, '');
  if (plain === '') return 'Enter an amount in dollars.';
  if (plain.startsWith('-') || cents === 0) return 'The amount must be more than $0.';
  if (/^[\d,]*\.\d{3,}$/.test(plain)) return 'At most two decimals (whole cents).';
  if (cents === null) return 'Dollars and cents only, like 20 or 12.50.';
  if (range && (cents < range.minCents || cents > range.maxCents)) {
    return `Buy between ${formatUsd(range.minCents)} and ${formatUsd(range.maxCents)} at a time.`; // the server's words for its refusal
  }
  if (range && (cents * range.chipsPerUsd) % 100 !== 0) return `That buys a fraction of a chip (${range.chipsPerUsd} chips a dollar).`;
  return null;
}

function BuyChips({ range, onBought }: { range: PurchaseRange | null; onBought: () => void }) {
  const [dollars, setDollars] = useState('20');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The key is kept until the purchase succeeds, so a retry cannot buy twice.
  const [key, setKey] = useState(() => newIdempotencyKey('buy'));
  const cents = parseDollarsToCents(dollars);
  const problem = amountProblem(dollars, cents, range);
  const chipsPerUsd = range?.chipsPerUsd ?? null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (problem !== null || cents === null) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ chips: number; formatted: string; balance: number }>('POST', '/api/wallet/buy-chips', { amountCents: cents, idempotencyKey: key });
      session.set((s) => ({ ...s, balance: r.balance }));
      toast(`Bought ${formatChips(r.chips)} chips for ${formatUsd(cents)}.`, 'success');
      setKey(newIdempotencyKey('buy'));
      onBought();
    } catch (e) {
      // The server's message names its range when it refuses the amount (purchase/out_of_range).
      setError(e instanceof ApiError ? e.message : errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="buy-form" onSubmit={submit} noValidate>
      <h2>Buy chips</h2>
      <div className="quick-amounts" role="group" aria-label="Quick amounts">
        {QUICK.map((q) => (
          <button type="button" key={q} className={dollars === q ? 'btn btn-chip active' : 'btn btn-chip'} onClick={() => setDollars(q)}>{formatUsd(Number(q) * 100)}</button>
        ))}
      </div>
      <label className="field">
        <span className="field-label">Amount (USD)</span>
        <span className="input-prefix"><span aria-hidden="true">$</span>
          <input name="dollars" inputMode="decimal" value={dollars} onChange={(e) => { setDollars(e.target.value); setError(null); setKey(newIdempotencyKey('buy')); }} aria-invalid={error || problem ? true : undefined} aria-describedby="buy-hint" />
        </span>
        <span className={problem ? 'field-error' : 'field-hint'} id="buy-hint" data-testid="buy-hint">
          {problem ?? (cents !== null && chipsPerUsd !== null ? `${formatUsd(cents)} buys ${formatChips(Math.floor((cents * chipsPerUsd) / 100))} chips` : '')}
        </span>
        {error && <span className="field-error" role="alert">{error}</span>}
      </label>
      {/* Disabled with the reason beside it: a button that read "Buy for $0.00" looked like it would buy. */}
      <button className="btn btn-gold btn-block" type="submit" disabled={busy || problem !== null} aria-describedby="buy-hint">
        {busy ? 'Processing…' : problem ? 'Buy chips' : `Buy for ${formatUsd(cents!)}`}
      </button>
      <p className="muted small">Simulated card payment — no real money moves.</p>
    </form>
  );
}
