import { useEffect, useRef, useState } from 'react';
import type { LobbyTable } from '@protocol';
import { api, errorText } from '../api';
import { formatChips } from '../money';
import { TABLES_OPEN_MAX, withTable } from '../multiTable';
import { toast } from '../store';
import type { TableTurn } from '../turnCue';

// The strip of open tables above the tiles (each with a your-turn badge and a
// close button) and the "Open another table" picker, also on a lone table's page.

export interface TableTabsProps {
  turns: readonly TableTurn[];
  active: number | null;
  onSelect: (tableId: number) => void;
  onClose: (tableId: number) => void;
}

export function TableTabs({ turns, active, onSelect, onClose }: TableTabsProps) {
  return (
    <nav className="table-tabs" aria-label="Open tables">
      {turns.map((t) => (
        <div key={t.tableId} className={`tt${t.tableId === active ? ' tt-active' : ''}${t.myTurn ? ' tt-turn' : ''}`} data-testid={`table-tab-${t.tableId}`}>
          <button className="tt-select" aria-current={t.tableId === active ? 'true' : undefined} onClick={() => onSelect(t.tableId)}>
            <span className="tt-name">{t.name}</span>
            {t.myTurn && <span className="tt-badge" data-testid="your-turn-badge">Your turn</span>}
          </button>
          <button className="tt-close" aria-label={`Close ${t.name}`} title="Close this table" onClick={() => onClose(t.tableId)}>×</button>
        </div>
      ))}
    </nav>
  );
}

/** "Open another table": a menu of the lobby's open tables not open here yet; `onPick` gets the new set. */
export function OpenTableButton({ open, onPick }: { open: readonly number[]; onPick: (ids: number[]) => void }) {
  const [tables, setTables] = useState<LobbyTable[] | null>(null);
  const [expanded, setExpanded] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const full = open.length >= TABLES_OPEN_MAX;

  useEffect(() => {
    if (!expanded) return;
    let alive = true;
    setTables(null);
    api<{ tables: LobbyTable[] }>('GET', '/api/tables')
      .then((r) => alive && setTables(r.tables.filter((t) => t.status === 'OPEN' && !open.includes(t.id))))
      .catch((error: unknown) => {
        if (!alive) return;
        toast(errorText(error), 'error');
        setExpanded(false);
      });
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setExpanded(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setExpanded(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      alive = false;
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [expanded]);

  const pick = (tableId: number) => {
    setExpanded(false);
    const added = withTable(open, tableId);
    if (!added.ok) return toast(added.reason, 'warning');
    onPick(added.ids);
  };

  return (
    <div className="open-table" ref={root}>
      <button
        ref={button} className="btn btn-ghost btn-sm open-table-btn" aria-haspopup="menu" aria-expanded={expanded} aria-label="Open another table"
        title={full ? `At most ${TABLES_OPEN_MAX} tables at once` : 'Play another table in this window'} disabled={full} onClick={() => setExpanded(!expanded)}
      >
        {/* A table more (a plus on a card before another): a bare "+" beside the head's "+20" read as one more top-up. */}
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <rect x="2.5" y="7" width="14.5" height="14" rx="3" />
          <path d="M7 3.5h11a3 3 0 0 1 3 3V17M9.75 10.5v7M6.25 14h7" />
        </svg>
        <span className="open-table-label">Another table</span>
      </button>
      {expanded && (
        <div className="menu-list open-table-list" role="menu" aria-label="Tables to open">
          {tables === null && <span className="menu-note" role="status">Loading tables…</span>}
          {tables !== null && tables.length === 0 && <span className="menu-note">No other table is open.</span>}
          {tables?.map((t) => (
            <button key={t.id} role="menuitem" className="menu-item open-table-item" onClick={() => pick(t.id)}>
              <span>{t.name}</span>
              <span className="menu-note">{t.variant === 'NLHE' ? 'NLHE' : 'PLO'} {formatChips(t.smallBlind)}/{formatChips(t.bigBlind)} · {t.seatsTaken}/{t.maxSeats}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
