import { useEffect, useMemo, useState } from 'react';
import type { LobbyTable, TableNotice } from '@protocol';
import { Link } from '../components/Link';
import '../components/table-flow.css';
import { formatChips } from '../money';
import { openTables, tablesHref, TABLES_OPEN_MAX, useRememberedTables, withTable } from '../multiTable';
import { navigate } from '../router';
import { getSocket, send } from '../socket';
import { session, toast } from '../store';
import { useLobbyTables } from '../lobbyFeed';

type Stakes = 'all' | 'micro' | 'low' | 'high';
const STAKES_LABEL: Record<Stakes, string> = { all: 'All stakes', micro: 'Micro (BB ≤ 2)', low: 'Low (BB 3–10)', high: 'High (BB > 10)' };

function stakesOf(t: LobbyTable): Stakes {
  if (t.bigBlind <= 2) return 'micro';
  if (t.bigBlind <= 10) return 'low';
  return 'high';
}

/** A seat held for you at a table whose waiting list you joined: off to that table to take it. */
function useSeatOffers(): void {
  useEffect(() => {
    const socket = getSocket();
    const onNotice = (notice: TableNotice) => {
      if (notice.kind !== 'seat_offered') return;
      toast(notice.message, 'success');
      navigate(`/table/${notice.tableId}?sit=1`);
    };
    socket.on('table:notice', onNotice);
    return () => {
      socket.off('table:notice', onNotice);
    };
  }, []);
}

/** Joins the waiting list of a full table, then shows the table (where the held seat is offered). */
async function joinWaitlist(t: LobbyTable): Promise<void> {
  const ack = await send<'table:waitlist_join', { position: number }>('table:waitlist_join', { tableId: t.id });
  if (ack.ok) {
    toast(`You are #${ack.position} on the waiting list for ${t.name}.`, 'success');
    return navigate(`/table/${t.id}`);
  }
  if (ack.error.code === 'waitlist/seat_free') return navigate(`/table/${t.id}?sit=1`);
  if (ack.error.code === 'waitlist/already_waiting' || ack.error.code === 'table/already_seated') return navigate(`/table/${t.id}`);
  toast(ack.error.message, 'error');
}

export function LobbyPage() {
  const tables = useLobbyTables();
  useSeatOffers();
  const user = session.use().user;
  const openSet = useRememberedTables();
  const [variant, setVariant] = useState<'all' | 'NLHE' | 'PLO'>('all');
  const [stakes, setStakes] = useState<Stakes>('all');
  const [hideFull, setHideFull] = useState(false);

  const shown = useMemo(
    () =>
      (tables ?? [])
        .filter((t) => t.status === 'OPEN')
        .filter((t) => variant === 'all' || t.variant === variant)
        .filter((t) => stakes === 'all' || stakesOf(t) === stakes)
        .filter((t) => !hideFull || t.seatsTaken < t.maxSeats),
    [tables, variant, stakes, hideFull],
  );
  const playersOnline = (tables ?? []).reduce((n, t) => n + t.seatsTaken, 0);

  return (
    <div className="lobby">
      <section className="hero">
        <div>
          <h1>Cash games</h1>
          <p className="muted">
            {tables === null ? 'Loading tables…' : `${shown.length} of ${tables.length} tables · ${playersOnline} players seated`}
          </p>
        </div>
        {user && openSet.length > 0 && (
          <div className="hero-cta">
            <Link href={tablesHref(openSet)} className="btn btn-gold" data-testid="my-tables">
              Back to your {openSet.length === 1 ? 'table' : `${openSet.length} tables`}
            </Link>
          </div>
        )}
        {!user && (
          <div className="hero-cta">
            <Link href="/signup" className="btn btn-gold">Sign up to play</Link>
            <span className="muted small">or pick a table and watch</span>
          </div>
        )}
      </section>
      <div className="filters" role="group" aria-label="Table filters">
        <div className="segmented" role="radiogroup" aria-label="Variant">
          {(['all', 'NLHE', 'PLO'] as const).map((v) => (
            <button key={v} role="radio" aria-checked={variant === v} className={variant === v ? 'seg active' : 'seg'} onClick={() => setVariant(v)}>
              {v === 'all' ? 'All games' : v === 'NLHE' ? "Hold'em" : 'Omaha'}
            </button>
          ))}
        </div>
        <label className="select-wrap">
          <span className="sr-only">Stakes</span>
          <select value={stakes} onChange={(e) => setStakes(e.target.value as Stakes)} aria-label="Stakes">
            {(Object.keys(STAKES_LABEL) as Stakes[]).map((s) => (
              <option key={s} value={s}>{STAKES_LABEL[s]}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={hideFull} onChange={(e) => setHideFull(e.target.checked)} />
          <span>Hide full tables</span>
        </label>
      </div>
      <div className="table-list" role="table" aria-label="Tables">
        <div className="table-row table-head" role="row">
          <span role="columnheader">Table</span>
          <span role="columnheader">Game</span>
          <span role="columnheader">Blinds</span>
          <span role="columnheader">Buy-in</span>
          <span role="columnheader">Players</span>
          <span role="columnheader">Watching</span>
          <span role="columnheader">Avg pot</span>
          <span role="columnheader">Hands/h</span>
          <span role="columnheader"><span className="sr-only">Actions</span></span>
        </div>
        {tables === null && <div className="table-empty">Loading…</div>}
        {tables !== null && shown.length === 0 && <div className="table-empty">No tables match these filters.</div>}
        {shown.map((t) => (
          <LobbyRow key={t.id} table={t} loggedIn={user !== null} openSet={openSet} />
        ))}
      </div>
    </div>
  );
}

/**
 * An amount in a lobby column, in thousands (K) or millions (M) when the larger of its pair is
 * 10,000 or more ("25K/50K", "1M–5M"): written out, "25,000/50,000" ran into the buy-in column.
 * The written-out amounts are the cell's title.
 */
function lobbyChips(chips: number, largest: number): string {
  if (largest < 10_000 || chips < 1_000) return formatChips(chips);
  if (chips < 1_000_000) return `${trimmed(chips / 1_000)}K`;
  return `${trimmed(chips / 1_000_000)}M`;
}

function trimmed(n: number): string {
  return n.toFixed(2).replace(/\.?0+$/, '');
}

/** Puts the table beside the ones this window already has open (the multi-table page). */
function addToOpenTables(openSet: readonly number[], t: LobbyTable): void {
  const added = withTable(openSet, t.id);
  if (!added.ok) return toast(added.reason, 'warning');
  openTables(added.ids);
}

function LobbyRow({ table: t, loggedIn, openSet }: { table: LobbyTable; loggedIn: boolean; openSet: readonly number[] }) {
  const full = t.seatsTaken >= t.maxSeats;
  const isOpen = openSet.includes(t.id);
  const play = () => navigate(loggedIn ? `/table/${t.id}?sit=1` : `/login?next=${encodeURIComponent(`/table/${t.id}?sit=1`)}`);
  const wait = () => (loggedIn ? void joinWaitlist(t) : navigate(`/login?next=${encodeURIComponent(`/table/${t.id}`)}`));
  return (
    <div className="table-row" role="row" data-testid={`lobby-row-${t.id}`}>
      <span role="cell" className="cell-name">
        <strong>{t.name}</strong>
        {loggedIn && (
          <button
            className="btn btn-chip add-table-chip" onClick={() => addToOpenTables(openSet, t)} data-testid={`add-table-${t.id}`}
            aria-label={isOpen ? `Open ${t.name} in your tables` : `Add ${t.name} to your tables`}
            title={isOpen ? 'Already open in this window' : `Play it beside your other tables, up to ${TABLES_OPEN_MAX} in one window`}
          >
            {isOpen ? '✓ Open' : '+ Add'}
          </button>
        )}
      </span>
      <span role="cell"><span className={`badge badge-${t.variant.toLowerCase()}`}>{t.variant === 'NLHE' ? "NL Hold'em" : 'PL Omaha'}</span></span>
      <span role="cell" className="cell-stat" data-label="Blinds" title={`${formatChips(t.smallBlind)}/${formatChips(t.bigBlind)}`}>{lobbyChips(t.smallBlind, t.bigBlind)}/{lobbyChips(t.bigBlind, t.bigBlind)}{t.ante > 0 ? ` (${lobbyChips(t.ante, t.bigBlind)})` : ''}</span>
      <span role="cell" className="cell-stat" data-label="Buy-in" title={`${formatChips(t.minBuyIn)}–${formatChips(t.maxBuyIn)}`}>{lobbyChips(t.minBuyIn, t.maxBuyIn)}–{lobbyChips(t.maxBuyIn, t.maxBuyIn)}</span>
      <span role="cell" className="cell-stat" data-label="Players">
        <span className="seat-dots" aria-label={`${t.seatsTaken} of ${t.maxSeats} seats taken`}>
          {Array.from({ length: t.maxSeats }, (_, i) => (
            <span key={i} className={i < t.seatsTaken ? 'dot on' : 'dot'} aria-hidden="true" />
          ))}
        </span>
        <span className="seat-count">{t.seatsTaken}/{t.maxSeats}</span>
        {t.waiting > 0 && <span className="lobby-waiting" data-testid={`lobby-waiting-${t.id}`}>{t.waiting} waiting</span>}
      </span>
      <span role="cell" className="cell-stat" data-label="Watching">{t.spectators}</span>
      <span role="cell" className="cell-stat" data-label="Avg pot">{formatChips(t.averagePot)}</span>
      <span role="cell" className="cell-stat" data-label="Hands/h">{t.handsPerHour}</span>
      <span role="cell" className="cell-actions">
        {full ? (
          <button className="btn btn-gold btn-sm" onClick={wait} aria-label={`Join the waiting list at ${t.name}`}>Wait list</button>
        ) : (
          <button className="btn btn-gold btn-sm" onClick={play} aria-label={`Play at ${t.name}`}>Play</button>
        )}
        <Link href={`/table/${t.id}`} className="btn btn-ghost btn-sm" aria-label={`Watch ${t.name}`}>Watch</Link>
      </span>
    </div>
  );
}
