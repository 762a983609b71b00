import { memo, useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { Dialog } from '../components/Dialog';
import { Link } from '../components/Link';
import { NotifyToggle } from '../components/NotifyToggle';
import { OpenTableButton, TableTabs } from '../components/TableTabs';
import '../multi-table.css';
import { parseTableIds, rememberOpenTables, showTables } from '../multiTable';
import { useSearch } from '../router';
import { send } from '../socket';
import { refreshBalance, session, toast } from '../store';
import { useTurnCue, type TableTurn } from '../turnCue';
import { MuteToggle, TablePage } from './Table';

// Several tables in one window (`/tables?ids=1,2`): each a full table page in
// compact mode, as tiles (two side by side, three or four in a grid) or, on a
// phone, one at a time under a strip of tabs. The page speaks for all of them:
// the tab title and the notifications name the table(s) whose turn it is, and
// the tile and tab that need you are highlighted.

/**
 * The phone layout (one table at a time), upright or on its side; the same breakpoints as the single
 * table's phone layouts. On its side two tiles, one above the other, left the action bar off screen.
 */
const PHONE_QUERY = '(max-width: 640px), (orientation: landscape) and (max-height: 500px)';
/** Keys that act at a table (ActionBar): f c r a and the arrows. */
const TABLE_KEYS = new Set(['f', 'c', 'r', 'a', 'arrowup', 'arrowdown', 'arrowleft', 'arrowright']);

function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (l) => {
      const m = window.matchMedia(query);
      m.addEventListener('change', l);
      return () => m.removeEventListener('change', l);
    },
    () => window.matchMedia(query).matches,
  );
}

/**
 * Every action bar listens for the table keys on the window, so with two tables to act
 * at one key press would act at both. While more than one action bar is up the keys are
 * stopped before they reach them (the buttons still work); with one, they pass.
 */
function useKeysForOneTable(): void {
  useEffect(() => {
    let told = false;
    const onKey = (event: KeyboardEvent) => {
      if (!TABLE_KEYS.has(event.key.toLowerCase()) || event.metaKey || event.ctrlKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      if (document.querySelectorAll('[data-testid=action-bar]').length < 2) return;
      event.stopImmediatePropagation();
      if (told) return;
      told = true;
      toast('Two tables need you: the keys are off until only one does. Use the buttons.', 'info');
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);
}

/** A tile re-renders on its own table's frames, not when another tile reports its turn. */
const TableTile = memo(TablePage);

function placeholderTurn(tableId: number): TableTurn {
  return { tableId, name: `Table ${tableId}`, myTurn: false, seated: false };
}

export function MultiTablePage() {
  const search = useSearch();
  const ids = useMemo(() => parseTableIds(search), [search]);
  const user = session.use().user;
  const phone = useMediaQuery(PHONE_QUERY);
  const [reported, setReported] = useState<Record<number, TableTurn>>({});
  const [picked, setPicked] = useState<number | null>(null);
  const [closing, setClosing] = useState<TableTurn | null>(null);

  useEffect(() => rememberOpenTables(ids), [ids]);
  useKeysForOneTable();

  const turns = ids.map((id) => reported[id] ?? placeholderTurn(id));
  const active = picked !== null && ids.includes(picked) ? picked : ids[0] ?? null;

  const select = useCallback(
    (tableId: number) => {
      setPicked(tableId);
      if (phone) window.scrollTo(0, 0);
      else document.getElementById(`tile-${tableId}`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    },
    [phone],
  );
  useTurnCue(turns, ids.length === 1 ? `${turns[0]!.name} · Atomic Poker` : `${ids.length} tables · Atomic Poker`, select);

  const onTurn = useCallback((turn: TableTurn) => setReported((all) => ({ ...all, [turn.tableId]: turn })), []);
  const close = (tableId: number) => showTables(ids.filter((id) => id !== tableId));
  const askClose = (tableId: number) => {
    const turn = reported[tableId];
    if (turn?.seated) setClosing(turn);
    else close(tableId);
  };

  if (ids.length === 0) {
    return (
      <section className="panel narrow">
        <h1>No tables open</h1>
        <p>Pick tables to play side by side in this window, or go back to the lobby.</p>
        <div className="multi-empty-actions">
          {user && <OpenTableButton open={[]} onPick={showTables} />}
          <Link href="/" className="btn btn-gold">Back to the lobby</Link>
        </div>
      </section>
    );
  }

  return (
    <div className={`multi-table multi-${ids.length}`} data-testid="multi-table">
      <div className="multi-bar">
        <Link href="/" className="back-link" aria-label="Back to the lobby">‹ Lobby</Link>
        <TableTabs turns={turns} active={phone ? active : null} onSelect={select} onClose={askClose} />
        <div className="multi-bar-controls">
          {user && <OpenTableButton open={ids} onPick={showTables} />}
          <NotifyToggle />
          <MuteToggle />
        </div>
      </div>
      <div className="tiles">
        {ids.map((id) => {
          const turn = reported[id];
          const shown = !phone || id === active;
          return (
            <section
              key={id} id={`tile-${id}`} aria-label={turn?.name ?? `Table ${id}`} data-testid={`table-tile-${id}`} data-turn={turn?.myTurn ? 'yes' : 'no'}
              className={`tile${turn?.myTurn ? ' tile-turn' : ''}${shown ? '' : ' tile-hidden'}`} onPointerDown={() => setPicked(id)}
            >
              <TableTile tableId={id} compact shown={shown} onTurn={onTurn} />
            </section>
          );
        })}
      </div>
      {closing && <LeaveAndCloseDialog turn={closing} onClosed={() => close(closing.tableId)} onCancel={() => setClosing(null)} />}
    </div>
  );
}

/** Closing a table where you sit: the seat would stay, and time out on every turn, so leave it first. */
function LeaveAndCloseDialog({ turn, onClosed, onCancel }: { turn: TableTurn; onClosed: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const leave = async () => {
    setBusy(true);
    const ack = await send<'table:leave', { pending?: boolean }>('table:leave', { tableId: turn.tableId });
    setBusy(false);
    if (!ack.ok) return toast(ack.error.message, 'error');
    toast(ack.pending ? `You will leave ${turn.name} at the end of this hand.` : `You left ${turn.name}; your chips are back in your wallet.`, 'info');
    void refreshBalance();
    onCancel();
    onClosed();
  };
  return (
    <Dialog title={`Close ${turn.name}?`} onClose={onCancel}>
      <p>You are seated here. Closing the table does not give up the seat: you would be folded each time your clock runs out. Leave the seat first?</p>
      <div className="dialog-actions">
        <button className="btn btn-ghost" onClick={onCancel} disabled={busy}>Keep playing</button>
        <button className="btn btn-gold" onClick={() => void leave()} disabled={busy}>Leave the seat and close</button>
      </div>
    </Dialog>
  );
}
