import { useEffect, useRef, useState, type FormEvent } from 'react';
import { RUN_OUT_STREET_MS_MAX, SHOWDOWN_HOLD_MS_MAX, type LobbyTable, type ReconcileReport } from '@protocol';
import { ApiError, api, errorText, newIdempotencyKey, query, type AdminAction, type AdminTransfer, type AdminUser, type Page } from '../api';
import { formatChips } from '../money';
import { toast } from '../store';
import { useLobbyTables } from '../lobbyFeed';
import { RequireUser } from './RequireUser';

type Tab = 'users' | 'ledger' | 'reconcile' | 'tables' | 'audit';
const TAB_LABEL: Record<Tab, string> = { users: 'Users & chips', ledger: 'Ledger', reconcile: 'Reconcile', tables: 'Tables', audit: 'Audit trail' };

export function AdminPage() {
  const [tab, setTab] = useState<Tab>('users');
  const [ledgerUser, setLedgerUser] = useState<number | null>(null);
  return (
    <RequireUser admin>
      {() => (
        <div className="admin">
          <h1>Back office</h1>
          <div className="tabs tabs-wide" role="tablist" aria-label="Admin sections">
            {(Object.keys(TAB_LABEL) as Tab[]).map((t) => (
              <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>
                {TAB_LABEL[t]}
              </button>
            ))}
          </div>
          {tab === 'users' && <UsersTab onLedger={(id) => { setLedgerUser(id); setTab('ledger'); }} />}
          {tab === 'ledger' && <LedgerTab initialUserId={ledgerUser} />}
          {tab === 'reconcile' && <ReconcileTab />}
          {tab === 'tables' && <TablesTab />}
          {tab === 'audit' && <AuditTab />}
        </div>
      )}
    </RequireUser>
  );
}

function UsersTab({ onLedger }: { onLedger: (userId: number) => void }) {
  const [search, setSearch] = useState('');
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [selected, setSelected] = useState<AdminUser | null>(null);
  /** Bumped by every Adjust click, so that a second click on the same user brings the form back into view. */
  const [picked, setPicked] = useState(0);
  const load = async (text: string) => {
    try {
      const page = await api<Page<AdminUser>>('GET', `/api/admin/users${query({ search: text, limit: 50 })}`);
      setUsers(page.items);
    } catch (e) {
      toast(errorText(e), 'error');
    }
  };
  useEffect(() => {
    const timer = setTimeout(() => void load(search), 200);
    return () => clearTimeout(timer);
  }, [search]);
  return (
    <div className="page-grid users-grid">
      <section className="panel">
        <label className="field">
          <span className="field-label">Search users</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="username" name="user-search" />
        </label>
        <div className="table-scroll">
          <table className="data-table" aria-label="Users">
            <thead><tr><th>User</th><th>Role</th><th className="num">Wallet</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {(users ?? []).map((u) => (
                <tr key={u.id} className={selected?.id === u.id ? 'selected' : ''}>
                  <td>{u.username} <span className="muted small">#{u.id}{u.isBot ? ' · bot' : ''}</span></td>
                  <td>{u.role === 'ADMIN' ? <span className="badge badge-admin">Admin</span> : 'Player'}</td>
                  <td className="num">{formatChips(u.walletBalance)}</td>
                  <td>
                    <div className="row gap-sm wrap cell-buttons">
                      <button className="btn btn-ghost btn-sm" onClick={() => { setSelected(u); setPicked((n) => n + 1); }} aria-label={`Adjust chips of ${u.username}`}>Adjust</button>
                      <button className="btn btn-ghost btn-sm" onClick={() => onLedger(u.id)} aria-label={`Ledger of ${u.username}`}>Ledger</button>
                    </div>
                  </td>
                </tr>
              ))}
              {users?.length === 0 && <tr><td colSpan={4} className="muted">No users match.</td></tr>}
            </tbody>
          </table>
        </div>
      </section>
      {selected ? <AdjustForm key={selected.id} user={selected} picked={picked} onDone={() => void load(search)} /> : <section className="panel muted">Pick a user to adjust their chips.</section>}
    </div>
  );
}

function AdjustForm({ user, picked, onDone }: { user: AdminUser; picked: number; onDone: () => void }) {
  const sectionRef = useRef<HTMLElement>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  // On a phone the form opens below the users list, off screen: bring it up and into the amount.
  useEffect(() => {
    sectionRef.current?.scrollIntoView({ block: 'nearest' });
    amountRef.current?.focus({ preventScroll: true });
  }, [picked]);
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<{ amount?: string; reason?: string; form?: string }>({});
  const [result, setResult] = useState<{ transferId: string; balance: number; entry: AdminTransfer | null } | null>(null);
  /**
   * The key of the request last sent, with what it asked: a retry of the same request (its
   * answer lost) reuses the key, so the server answers it with the first result; any other
   * user, amount or reason is a new request with a new key (docs/http-api.md, Idempotency).
   */
  const sent = useRef<{ content: string; key: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const amount = /^-?\d{1,15}$/.test(amountText.trim()) ? Number(amountText.trim()) : NaN;

  const review = (event: FormEvent) => {
    event.preventDefault();
    const next: typeof errors = {};
    if (!Number.isSafeInteger(amount) || amount === 0) next.amount = 'A whole, non-zero number of chips (negative to debit).';
    if (reason.trim().length === 0) next.reason = 'An adjustment needs a reason.';
    setErrors(next);
    if (Object.keys(next).length === 0) setConfirming(true);
  };
  const confirm = async () => {
    setBusy(true);
    const content = JSON.stringify([user.id, amount, reason.trim()]);
    if (sent.current?.content !== content) sent.current = { content, key: newIdempotencyKey('adjust') };
    try {
      const r = await api<{ transferId: string; balance: number }>('POST', '/api/admin/adjustments', { userId: user.id, amount, reason: reason.trim(), idempotencyKey: sent.current.key });
      const ledger = await api<Page<AdminTransfer>>('GET', `/api/admin/ledger${query({ userId: user.id, kind: 'ADJUST', limit: 5 })}`).catch(() => null);
      setResult({ transferId: r.transferId, balance: r.balance, entry: ledger?.items.find((t) => t.transferId === r.transferId) ?? null });
      // Posted: the amount is cleared, so the same adjustment is not posted twice by a second click.
      setAmountText('');
      toast(`Adjusted ${user.username} by ${formatChips(amount)}.`, 'success');
      // Done: the same adjustment asked again is a second adjustment.
      sent.current = null;
      setConfirming(false);
      onDone();
    } catch (e) {
      setErrors({ form: e instanceof ApiError ? e.message : errorText(e) });
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="adjust-title" ref={sectionRef} data-testid="adjust-form">
      <h2 id="adjust-title">Adjust chips — {user.username}</h2>
      {/* The newest answer's balance: the user row the form was opened with is stale after the first adjustment. */}
      <p className="muted small">Wallet: <span data-testid="adjust-wallet">{formatChips(result?.balance ?? user.walletBalance)}</span> chips</p>
      <form onSubmit={review} noValidate>
        <label className="field">
          <span className="field-label">Amount (chips; negative to debit)</span>
          <input name="amount" ref={amountRef} inputMode="numeric" value={amountText} onChange={(e) => { setAmountText(e.target.value); setConfirming(false); }} aria-invalid={errors.amount ? true : undefined} />
          {errors.amount && <span className="field-error" role="alert">{errors.amount}</span>}
        </label>
        <label className="field">
          <span className="field-label">Reason</span>
          <input name="reason" value={reason} maxLength={500} onChange={(e) => { setReason(e.target.value); setConfirming(false); }} aria-invalid={errors.reason ? true : undefined} />
          {errors.reason && <span className="field-error" role="alert">{errors.reason}</span>}
        </label>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        {!confirming ? (
          <button className="btn btn-gold" type="submit">Review adjustment</button>
        ) : (
          <div className="confirm-box" role="alertdialog" aria-label="Confirm adjustment">
            <p>
              {amount > 0 ? 'Credit' : 'Debit'} <strong>{formatChips(Math.abs(amount))}</strong> chips {amount > 0 ? 'to' : 'from'} <strong>{user.username}</strong> — “{reason.trim()}”?
            </p>
            <div className="row gap">
              <button type="button" className="btn btn-ghost" onClick={() => setConfirming(false)}>Cancel</button>
              <button type="button" className="btn btn-danger" onClick={() => void confirm()} disabled={busy}>{busy ? 'Posting…' : 'Confirm adjustment'}</button>
            </div>
          </div>
        )}
      </form>
      {result && (
        <div className="result-box" data-testid="adjust-result">
          <p><strong>Done.</strong> Transfer #{result.transferId}; new balance {formatChips(result.balance)}.</p>
          {result.entry && <TransferEntries t={result.entry} />}
        </div>
      )}
    </section>
  );
}

function TransferEntries({ t }: { t: AdminTransfer }) {
  return (
    <ul className="entries">
      {t.entries.map((e, i) => (
        <li key={i}><span className="mono">{e.accountCode}</span> <span className={e.side === 'CREDIT' ? 'pos' : 'neg'}>{e.side === 'CREDIT' ? '+' : '−'}{formatChips(e.amount)}</span></li>
      ))}
    </ul>
  );
}

const KINDS = ['', 'BUY_CHIPS', 'BUY_IN', 'TOP_UP', 'CASH_OUT', 'SETTLE_HAND', 'ADJUST', 'WALLET_TRANSFER'];

function LedgerTab({ initialUserId }: { initialUserId: number | null }) {
  const [userId, setUserId] = useState(initialUserId ? String(initialUserId) : '');
  const [accountCode, setAccountCode] = useState('');
  const [tableId, setTableId] = useState('');
  const [kind, setKind] = useState('');
  const [items, setItems] = useState<AdminTransfer[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (from: string | null) => {
    try {
      const page = await api<Page<AdminTransfer>>('GET', `/api/admin/ledger${query({ userId: userId.trim(), accountCode: accountCode.trim(), tableId: tableId.trim(), kind, cursor: from, limit: 20 })}`);
      setItems((list) => (from ? [...list, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => void load(null), []);
  return (
    <section className="panel">
      <form className="row gap wrap" onSubmit={(e) => { e.preventDefault(); void load(null); }}>
        <label className="field compact"><span className="field-label">User id</span><input value={userId} onChange={(e) => setUserId(e.target.value.replace(/[^\d]/g, ''))} inputMode="numeric" /></label>
        <label className="field compact"><span className="field-label">Account</span><input value={accountCode} onChange={(e) => setAccountCode(e.target.value)} placeholder="wallet:12" /></label>
        <label className="field compact"><span className="field-label">Table id</span><input value={tableId} onChange={(e) => setTableId(e.target.value.replace(/[^\d]/g, ''))} inputMode="numeric" /></label>
        <label className="field compact"><span className="field-label">Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value)}>{KINDS.map((k) => <option key={k} value={k}>{k || 'Any'}</option>)}</select>
        </label>
        <button className="btn btn-gold btn-sm" type="submit">Filter</button>
      </form>
      {error && <p className="form-error">{error}</p>}
      <div className="table-scroll">
        {/* On a phone each row is a card of label and value (.stack-on-phone): five columns do not fit. */}
        <table className="data-table stack-on-phone" role="table" aria-label="Ledger transfers">
          <thead><tr role="row"><th role="columnheader">#</th><th role="columnheader">When</th><th role="columnheader">Kind</th><th role="columnheader">By / reason</th><th role="columnheader">Entries</th></tr></thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.transferId} role="row">
                <td role="cell" data-label="#" className="mono nowrap">{t.transferId}</td>
                <td role="cell" data-label="When" className="nowrap">{new Date(t.createdAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' })}</td>
                <td role="cell" data-label="Kind"><span className="badge">{t.kind}</span>{t.tableId ? <span className="muted small"> t{t.tableId}</span> : null}</td>
                <td role="cell" data-label="By / reason">{t.actorUsername ?? '—'}{t.reason ? <span className="muted small"> — {t.reason}</span> : null}</td>
                <td role="cell" data-label="Entries"><TransferEntries t={t} /></td>
              </tr>
            ))}
            {items.length === 0 && <tr role="row"><td role="cell" colSpan={5} className="muted">No transfers.</td></tr>}
          </tbody>
        </table>
      </div>
      {cursor && <button className="btn btn-ghost btn-sm" onClick={() => void load(cursor)}>Load more</button>}
    </section>
  );
}

const ACTIONS: Record<string, string> = { 'chips.adjust': 'Chip adjustment', 'table.create': 'Table created', 'table.close': 'Table closed' };

/** An audit row's details as a sentence; an action this client does not know shows its JSON. */
function actionDetails(a: AdminAction): string {
  const d = (a.details ?? {}) as Record<string, unknown>;
  if (a.action === 'chips.adjust') {
    const amount = Number(d.amount);
    return `${amount > 0 ? '+' : ''}${formatChips(amount)} chips (transfer #${String(d.transferId)}) — “${String(d.reason ?? '')}”`;
  }
  if (a.action === 'table.create') {
    const buyIn = `buy-in ${formatChips(Number(d.minBuyIn))}–${formatChips(Number(d.maxBuyIn))}`;
    // What was asked beyond the defaults: an ante, a time to act, a rake.
    const extra = [
      Number(d.ante) > 0 ? `ante ${formatChips(Number(d.ante))}` : null,
      typeof d.actionTimeoutMs === 'number' ? `${d.actionTimeoutMs / 1000} s to act` : null,
      Number(d.rakeBps) > 0 ? `rake ${Number(d.rakeBps) / 100}% capped at ${formatChips(Number(d.rakeCap))}` : null,
    ].filter((x) => x !== null);
    return `${String(d.name)}: ${String(d.variant)} ${String(d.smallBlind)}/${String(d.bigBlind)}, ${String(d.maxSeats)} seats, ${buyIn}${extra.map((x) => `, ${x}`).join('')}`;
  }
  if (a.action === 'table.close') return d.now === true ? 'At once, the live hand voided' : 'At the end of the hand';
  return JSON.stringify(a.details);
}

/** The admins' audit trail (GET /api/admin/actions): newest first, a page at a time. */
function AuditTab() {
  const [action, setAction] = useState('');
  const [items, setItems] = useState<AdminAction[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const load = async (from: string | null) => {
    setLoading(true);
    try {
      const page = await api<Page<AdminAction>>('GET', `/api/admin/actions${query({ action, cursor: from, limit: 20 })}`);
      setItems((list) => (from ? [...list, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null), [action]);
  return (
    <section className="panel">
      <div className="row gap wrap">
        <label className="field compact"><span className="field-label">Action</span>
          <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">Any</option>
            {Object.entries(ACTIONS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        <button className="btn btn-ghost btn-sm" onClick={() => void load(null)} disabled={loading}>Refresh</button>
      </div>
      {error && <p className="form-error">{error}</p>}
      <div className="table-scroll">
        <table className="data-table stack-on-phone" role="table" aria-label="Audit trail">
          <thead><tr role="row"><th role="columnheader">When</th><th role="columnheader">Who</th><th role="columnheader">What</th><th role="columnheader">Of</th><th role="columnheader">Details</th></tr></thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} role="row">
                <td role="cell" data-label="When" className="nowrap">{new Date(a.createdAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' })}</td>
                <td role="cell" data-label="Who">{a.adminUsername}</td>
                <td role="cell" data-label="What"><span className="badge">{ACTIONS[a.action] ?? a.action}</span></td>
                <td role="cell" data-label="Of" className="nowrap">{a.targetType} #{a.targetId}</td>
                <td role="cell" data-label="Details">{actionDetails(a)}</td>
              </tr>
            ))}
            {items.length === 0 && !loading && <tr role="row"><td role="cell" colSpan={5} className="muted">No admin actions.</td></tr>}
          </tbody>
        </table>
      </div>
      {cursor && <button className="btn btn-ghost btn-sm" onClick={() => void load(cursor)} disabled={loading}>Load more</button>}
    </section>
  );
}

/** A chip sum of the report; BigInt, as the ledger keeps it (no float ever adds chips). */
function chipsOf(value: string | undefined): bigint {
  return /^-?\d+$/.test(value ?? '') ? BigInt(value!) : 0n;
}

const bigChipFormat = new Intl.NumberFormat('en-US');
const formatBigChips = (n: bigint): string => bigChipFormat.format(n);

/**
 * Where the chips are (wallets, seats, pots of hands in play, rake) against where they came
 * from (chips sold, admins' net adjustments): each sum read from its own accounts by the
 * server, so the two totals agree only when the ledger does.
 */
function reconcileSums(report: ReconcileReport) {
  const wallets = chipsOf(report.chipsInWallets);
  const tables = chipsOf(report.chipsOnTables);
  const pots = chipsOf(report.chipsInPots);
  const rake = chipsOf(report.rakeCollected);
  const sold = chipsOf(report.chipsSold);
  const adjustments = chipsOf(report.chipsAdjusted);
  return { wallets, tables, pots, rake, sold, adjustments, inPlay: wallets + tables + pots + rake };
}

function ReconcileTab() {
  const [report, setReport] = useState<ReconcileReport | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      setReport((await api<{ report: ReconcileReport }>('GET', '/api/admin/reconcile')).report);
    } catch (e) {
      toast(errorText(e), 'error');
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => void run(), []);
  const sums = report ? reconcileSums(report) : null;
  return (
    <section className="panel">
      <div className="row gap">
        <button className="btn btn-gold btn-sm" onClick={() => void run()} disabled={busy}>{busy ? 'Checking…' : 'Run reconcile'}</button>
        {report && <span className={report.ok ? 'status-ok' : 'status-bad'} data-testid="reconcile-status">{report.ok ? '✓ Ledger balanced' : `✗ ${report.violations.length} violation(s)`}</span>}
      </div>
      {report && report.violations.length > 0 && <ul>{report.violations.map((v, i) => <li key={i} className="neg">{v.message}</li>)}</ul>}
      {report && sums && (
        <>
          <h3 className="facts-title">Where the chips are</h3>
          <dl className="facts" data-testid="reconcile-chips">
            <Fact label="In wallets" value={formatBigChips(sums.wallets)} />
            <Fact label="On tables" value={formatBigChips(sums.tables)} />
            <Fact label="In pots (hands in play)" value={formatBigChips(sums.pots)} />
            <Fact label="Rake collected" value={formatBigChips(sums.rake)} />
            <Fact label="Total (wallets + tables + pots + rake)" value={formatBigChips(sums.inPlay)} testId="reconcile-in-play" />
          </dl>
          <h3 className="facts-title">Where they came from</h3>
          <dl className="facts" data-testid="reconcile-sources">
            <Fact label="Chips sold" value={formatBigChips(sums.sold)} />
            <Fact label="Admin adjustments (net)" value={`${sums.adjustments > 0n ? '+' : ''}${formatBigChips(sums.adjustments)}`} testId="reconcile-adjustments" />
            <Fact label="Total (sold + adjustments)" value={formatBigChips(sums.sold + sums.adjustments)} />
            <Fact label="All balances sum to (must be 0)" value={formatBigChips(chipsOf(report.totalBalance))} testId="reconcile-total-balance" />
          </dl>
          <h3 className="facts-title">The run</h3>
          <dl className="facts" data-testid="reconcile-run">
            <Fact label="Checked at" value={new Date(report.checkedAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' })} />
            <Fact label="Mode" value={report.mode === 'incremental' ? 'Incremental' : 'Full'} />
            <Fact label="Took" value={`${report.durationMs} ms`} />
            <Fact label="Accounts" value={report.accounts.toLocaleString()} />
            <Fact label="Transfers" value={report.transfers.toLocaleString()} />
            <Fact label="Entries" value={report.entries.toLocaleString()} />
          </dl>
        </>
      )}
    </section>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return <div><dt>{label}</dt><dd data-testid={testId}>{value}</dd></div>;
}

function TablesTab() {
  // The lobby's live feed: seat counts follow sits and leaves without a reload.
  const tables = useLobbyTables();
  const [closing, setClosing] = useState<LobbyTable | null>(null);
  return (
    <div className="page-grid">
      <section className="panel">
        <h2>Tables</h2>
        <div className="table-scroll">
          <table className="data-table" aria-label="Tables">
            <thead><tr><th>Name</th><th>Game</th><th>Seats</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {(tables ?? []).map((t) => (
                <tr key={t.id} data-testid={`admin-table-${t.id}`}>
                  <td>{t.name}</td><td>{t.variant} {t.smallBlind}/{t.bigBlind}</td><td data-testid="admin-table-seats">{t.seatsTaken}/{t.maxSeats}</td>
                  {/* A table leaves the list once closed: CLOSED here is a close still finishing. */}
                  <td>{t.status === 'OPEN' ? 'Open' : 'Closing'}</td>
                  <td>
                    <button className="btn btn-danger btn-sm" onClick={() => setClosing(t)} aria-label={`${t.status === 'OPEN' ? 'Close' : 'Close now'} ${t.name}`}>
                      {t.status === 'OPEN' ? 'Close' : 'Close now'}
                    </button>
                  </td>
                </tr>
              ))}
              {tables?.length === 0 && <tr><td colSpan={5} className="muted">No tables.</td></tr>}
            </tbody>
          </table>
        </div>
        {closing && <CloseTableBox key={closing.id} table={closing} onDone={() => setClosing(null)} />}
      </section>
      <NewTableForm />
    </div>
  );
}

/** What the server allows (server/http/lobby.ts createTableSchema, docs/http-api.md). */
const TABLE_NAME_LENGTH_MAX = 64;
const TABLE_SEATS_MIN = 2;
const TABLE_SEATS_MAX = 10;
/** Chips are whole numbers; 15 digits stay below 2^53 - 1. */
const CHIPS_TEXT = /^\d{1,15}$/;

const BLANK_TABLE = {
  name: '', variant: 'NLHE', maxSeats: '6', smallBlind: '1', bigBlind: '2', ante: '', minBuyIn: '40', maxBuyIn: '200',
  actionTimeoutS: '', rakePercent: '', rakeCap: '', showdownHoldMs: '', runOutStreetMs: '',
};
/** POST /api/admin/tables' limits (server/http/lobby.ts): the time to act, in seconds here. */
const ACTION_TIMEOUT_S_MIN = 5;
const ACTION_TIMEOUT_S_MAX = 300;
type TableForm = typeof BLANK_TABLE;
type TableField = Exclude<keyof TableForm, 'variant'>;
type TableErrors = Partial<Record<TableField | 'form', string>>;

/** Each field's rule, said as the admin reads it: the client's refusal, and a server refusal of that field. */
const TABLE_FIELD_RULES: Record<TableField, string> = {
  name: `A name of 1 to ${TABLE_NAME_LENGTH_MAX} characters, on one line.`,
  maxSeats: `A whole number of seats from ${TABLE_SEATS_MIN} to ${TABLE_SEATS_MAX}.`,
  smallBlind: 'A whole number of chips, 1 or more.',
  bigBlind: 'A whole number of chips, at least the small blind.',
  ante: 'A whole number of chips, or blank for none.',
  minBuyIn: 'A whole number of chips, more than the big blind and the ante.',
  maxBuyIn: 'A whole number of chips, at least the minimum buy-in.',
  actionTimeoutS: `Whole seconds from ${ACTION_TIMEOUT_S_MIN} to ${ACTION_TIMEOUT_S_MAX}, or blank for the server's 20.`,
  rakePercent: 'A percentage from 0 to 100, at most two decimals (5 or 2.5), or blank for no rake.',
  rakeCap: 'With a rake: a whole number of chips, 1 or more (a cap of 0 would take nothing).',
  showdownHoldMs: `Whole milliseconds from 0 to ${SHOWDOWN_HOLD_MS_MAX}, or blank for the server's setting.`,
  runOutStreetMs: `Whole milliseconds from 0 to ${RUN_OUT_STREET_MS_MAX}, or blank for the server's setting.`,
};

/**
 * The create request from the form, or the fields it cannot send, each with its rule: the
 * server's limits checked here first, so that the admin reads a sentence, not a schema path.
 */
function tableRequest(form: TableForm): { body: Record<string, unknown> } | { errors: TableErrors } {
  const errors: TableErrors = {};
  const name = form.name.trim();
  // One line: no control character, nor the line and paragraph separators.
  if (name.length === 0 || name.length > TABLE_NAME_LENGTH_MAX || /[\p{Cc}\u2028\u2029]/u.test(name)) errors.name = TABLE_FIELD_RULES.name;
  const chips = (k: 'maxSeats' | 'smallBlind' | 'bigBlind' | 'minBuyIn' | 'maxBuyIn' | 'ante' | 'rakeCap') => (CHIPS_TEXT.test(form[k].trim()) ? Number(form[k].trim()) : NaN);
  const [seats, small, big, minBuyIn, maxBuyIn] = [chips('maxSeats'), chips('smallBlind'), chips('bigBlind'), chips('minBuyIn'), chips('maxBuyIn')];
  // Blank: no ante, the server's time to act, no rake.
  const ante = form.ante.trim() === '' ? 0 : chips('ante');
  if (Number.isNaN(ante)) errors.ante = TABLE_FIELD_RULES.ante;
  const timeout = form.actionTimeoutS.trim();
  const seconds = /^\d{1,3}$/.test(timeout) ? Number(timeout) : NaN;
  if (timeout !== '' && !(seconds >= ACTION_TIMEOUT_S_MIN && seconds <= ACTION_TIMEOUT_S_MAX)) errors.actionTimeoutS = TABLE_FIELD_RULES.actionTimeoutS;
  const rakeBps = form.rakePercent.trim() === '' ? 0 : percentToBps(form.rakePercent.trim());
  if (rakeBps === null) errors.rakePercent = TABLE_FIELD_RULES.rakePercent;
  const rakeCap = form.rakeCap.trim() === '' ? NaN : chips('rakeCap');
  if (rakeBps !== null && rakeBps > 0 && !(rakeCap >= 1)) errors.rakeCap = TABLE_FIELD_RULES.rakeCap;
  if (!(seats >= TABLE_SEATS_MIN && seats <= TABLE_SEATS_MAX)) errors.maxSeats = TABLE_FIELD_RULES.maxSeats;
  if (!(small >= 1)) errors.smallBlind = TABLE_FIELD_RULES.smallBlind;
  if (!(big >= 1 && (Number.isNaN(small) || big >= small))) errors.bigBlind = TABLE_FIELD_RULES.bigBlind;
  if (!(minBuyIn >= 1 && (Number.isNaN(big) || minBuyIn > big + (Number.isNaN(ante) ? 0 : ante)))) errors.minBuyIn = TABLE_FIELD_RULES.minBuyIn;
  if (!(maxBuyIn >= 1 && (Number.isNaN(minBuyIn) || maxBuyIn >= minBuyIn))) errors.maxBuyIn = TABLE_FIELD_RULES.maxBuyIn;
  const timing = timingFields(form.showdownHoldMs, form.runOutStreetMs);
  if ('field' in timing) errors[timing.field] = TABLE_FIELD_RULES[timing.field];
  if (Object.keys(errors).length > 0 || 'field' in timing) return { errors };
  return {
    body: {
      name, variant: form.variant, maxSeats: seats, smallBlind: small, bigBlind: big, minBuyIn, maxBuyIn, ...timing,
      ...(ante > 0 ? { ante } : {}),
      ...(timeout !== '' ? { actionTimeoutMs: seconds * 1000 } : {}),
      ...(rakeBps !== null && rakeBps > 0 ? { rakeBps, rakeCap } : {}),
    },
  };
}

/**
 * A refusal of the server, placed on its field: a schema message is "<field>: <what>"; the
 * name's own rules (invisible or control characters, a taken name) are readable as they come,
 * any other field's is its rule.
 */
function tableErrorsOf(error: unknown): TableErrors {
  const text = errorText(error);
  if (error instanceof ApiError && error.code === 'request/invalid' && /name exists/.test(text)) return { name: 'A table with that name exists (names are unique, whatever their case).' };
  const match = /^(\w+): (.+)$/s.exec(text);
  // The API's names of the two fields the form asks in other units.
  const field = ({ actionTimeoutMs: 'actionTimeoutS', rakeBps: 'rakePercent' } as Record<string, TableField>)[match?.[1] ?? ''] ?? (match?.[1] as TableField | undefined);
  if (!match || !field || !(field in TABLE_FIELD_RULES)) return { form: text };
  const what = match[2]!.replace(/\.$/, '');
  if (field === 'name' && what.startsWith('must ')) return { name: `The name ${what}.` };
  if (field === 'name' && what.startsWith('spaces ')) return { name: `In a name, ${what}.` };
  return { [field]: TABLE_FIELD_RULES[field] };
}

function NewTableForm() {
  // The two timings left blank: the table follows the server's settings.
  const [form, setForm] = useState(BLANK_TABLE);
  const [errors, setErrors] = useState<TableErrors>({});
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Set before the first await: a double-click's second submit sees it even before the re-render.
  const inFlight = useRef(false);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current) return;
    const request = tableRequest(form);
    setCreated(null);
    if ('errors' in request) return setErrors(request.errors);
    inFlight.current = true;
    setBusy(true);
    try {
      const r = await api<{ table: LobbyTable }>('POST', '/api/admin/tables', request.body);
      setErrors({});
      setForm(BLANK_TABLE);
      setCreated(`Created ${r.table.name} (table ${r.table.id}).`);
    } catch (e) {
      setErrors(tableErrorsOf(e));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  const field = (k: TableField, label: string, placeholder?: string) => (
    <label className="field compact">
      <span className="field-label">{label}</span>
      <input
        name={k} value={form[k]} placeholder={placeholder} inputMode={k === 'name' ? 'text' : k === 'rakePercent' ? 'decimal' : 'numeric'} maxLength={k === 'name' ? TABLE_NAME_LENGTH_MAX : undefined}
        onChange={(e) => { setForm({ ...form, [k]: e.target.value }); setCreated(null); }} aria-invalid={errors[k] ? true : undefined}
      />
      {errors[k] && <span className="field-error" role="alert">{errors[k]}</span>}
    </label>
  );
  return (
    <section className="panel">
      <h2>New table</h2>
      <form className="form-grid" onSubmit={create} noValidate aria-label="New table">
        {field('name', 'Name')}
        <label className="field compact"><span className="field-label">Game</span>
          <select value={form.variant} onChange={(e) => setForm({ ...form, variant: e.target.value })}><option value="NLHE">NL Hold'em</option><option value="PLO">PL Omaha</option></select>
        </label>
        {field('maxSeats', `Seats (${TABLE_SEATS_MIN}–${TABLE_SEATS_MAX})`)}
        {field('smallBlind', 'Small blind')}
        {field('bigBlind', 'Big blind')}
        {field('ante', 'Ante', 'none')}
        {field('minBuyIn', 'Min buy-in')}
        {field('maxBuyIn', 'Max buy-in')}
        {field('actionTimeoutS', `Time to act, s (${ACTION_TIMEOUT_S_MIN}–${ACTION_TIMEOUT_S_MAX})`, 'server default')}
        {field('rakePercent', 'Rake, % of the pot', 'no rake')}
        {field('rakeCap', 'Rake cap, chips a hand')}
        {field('showdownHoldMs', `Showdown hold, ms (0–${SHOWDOWN_HOLD_MS_MAX})`, 'server default')}
        {field('runOutStreetMs', `All-in run-out, ms a street (0–${RUN_OUT_STREET_MS_MAX})`, 'server default')}
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        {created && <p className="status-ok" role="status" data-testid="table-created">{created}</p>}
        <button className="btn btn-gold" type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create table'}</button>
      </form>
    </section>
  );
}

/**
 * The two closes the server has (POST /api/admin/tables/:id/close): at the end of the hand,
 * or at once with the live hand voided (`now`). A table already closing at the end of its
 * hand can still be closed at once (the server takes that escalation once).
 */
function CloseTableBox({ table, onDone }: { table: LobbyTable; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const pending = table.status !== 'OPEN';
  const close = async (now: boolean) => {
    setBusy(true);
    try {
      const r = await api<{ pending: boolean }>('POST', `/api/admin/tables/${table.id}/close`, now ? { now: true } : {});
      toast(r.pending ? `${table.name} closes at the end of the hand.` : `${table.name} is closed; its players were cashed out.`, 'info');
      onDone();
    } catch (e) {
      toast(errorText(e), 'error');
      setBusy(false);
    }
  };
  return (
    <div className="confirm-box" role="alertdialog" aria-label={`Close ${table.name}`}>
      <p><strong>Close {table.name}?</strong> No one can sit down from now on, and every player is cashed out to their wallet.</p>
      <ul className="small">
        {!pending && <li><strong>At the end of the hand</strong>: the hand being played finishes and is paid as usual; then the table closes.</li>}
        <li><strong>Now, voiding the hand</strong>: the hand being played is called off and every stack goes back to what it was before it; the table closes at once.</li>
      </ul>
      <div className="row gap wrap">
        <button type="button" className="btn btn-ghost" onClick={onDone} disabled={busy}>Cancel</button>
        {!pending && <button type="button" className="btn btn-danger" onClick={() => void close(false)} disabled={busy}>Close at the end of the hand</button>}
        <button type="button" className="btn btn-danger" onClick={() => void close(true)} disabled={busy}>Close now, voiding the hand</button>
      </div>
    </div>
  );
}

/**
 * The table's own showdown hold and run-out pace from the form: a blank field is left out
 * (the server's setting); anything but whole milliseconds in range is refused here with the
 * same rule the server applies (the field is named).
 */
/** "5" or "2.5" or "0.25" percent as basis points (500, 250, 25), without a float; null when not such a percentage of 0 to 100. */
function percentToBps(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const bps = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bps <= 10_000 ? bps : null;
}

function timingFields(hold: string, street: string): { showdownHoldMs?: number; runOutStreetMs?: number } | { field: 'showdownHoldMs' | 'runOutStreetMs' } {
  const fields: { showdownHoldMs?: number; runOutStreetMs?: number } = {};
  for (const [key, text, max] of [
    ['showdownHoldMs', hold, SHOWDOWN_HOLD_MS_MAX],
    ['runOutStreetMs', street, RUN_OUT_STREET_MS_MAX],
  ] as const) {
    if (text.trim() === '') continue;
    const ms = Number(text);
    if (!/^\d+$/.test(text.trim()) || ms > max) return { field: key };
    fields[key] = ms;
  }
  return fields;
}
