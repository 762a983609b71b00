import { useEffect, useRef, useState } from 'react';
import { send } from '../socket';
import { toast } from '../store';
import { freeSeats } from '../tableFlow';
import type { TableState } from '../tableState';

// The waiting list of a full table, for a logged-in player without a seat there
// (docs/decisions/015-waiting-list.md): join it; see your place; when a seat is
// held for you, take it (the ordinary buy-in) or decline it before it lapses.

export interface WaitlistBarProps {
  state: TableState;
  /** Opens the buy-in for the seat held for the player. */
  onTakeSeat: (seat: number) => void;
  /** The list changed: the table snapshot says where the player stands now. */
  onChanged: () => void;
  /** A join answered `table/closed`: the table closes (or closed); the page finds out which. */
  onClosed?: () => void;
}

/** Whole seconds until `deadline`, re-rendered as they tick away. */
function useSecondsLeft(deadline: number | null): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (deadline === null) return;
    const timer = setInterval(() => setTick((n) => n + 1), 250);
    return () => clearInterval(timer);
  }, [deadline]);
  return deadline === null ? 0 : Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
}

export function WaitlistBar({ state, onTakeSeat, onChanged, onClosed }: WaitlistBarProps) {
  const status = state.youWaitlist;
  const offer = status?.offer ?? null;
  const secondsLeft = useSecondsLeft(offer?.deadline ?? null);
  const [busy, setBusy] = useState(false);
  // A double click sends one request: the second comes before the button is re-rendered disabled.
  const running = useRef(false);

  const run = async (name: 'table:waitlist_join' | 'table:waitlist_leave') => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    const ack = await send<typeof name, { position?: number }>(name, { tableId: state.tableId });
    running.current = false;
    setBusy(false);
    if (!ack.ok && ack.error.code === 'table/closed' && onClosed) return onClosed();
    if (!ack.ok) toast(ack.error.message, 'error');
    else if (ack.position !== undefined) toast(`You are #${ack.position} on the waiting list. A seat that frees up is held for you in turn.`, 'success');
    else toast(offer ? 'Seat declined; it goes to the next player.' : 'You left the waiting list.', 'info');
    onChanged();
  };

  if (offer && secondsLeft > 0) {
    return (
      <div className="waiting-bar waitlist-bar waitlist-offer" role="status" data-testid="waitlist-offer">
        <span><strong>Seat {offer.seat + 1} is held for you</strong> <span className="muted">— {secondsLeft} s left to buy in</span></span>
        <span className="waitlist-actions">
          <button className="btn btn-gold btn-sm" disabled={busy} onClick={() => onTakeSeat(offer.seat)}>Take seat {offer.seat + 1}</button>
          <button className="btn btn-ghost btn-sm" disabled={busy} onClick={() => void run('table:waitlist_leave')}>Decline</button>
        </span>
      </div>
    );
  }
  if (status?.position) {
    return (
      <div className="waiting-bar waitlist-bar" role="status" data-testid="waitlist-position">
        <span>You are <strong>#{status.position}</strong> on the waiting list</span>
        <button className="btn btn-ghost btn-sm" disabled={busy} onClick={() => void run('table:waitlist_leave')}>Leave the waiting list</button>
      </div>
    );
  }
  if (freeSeats(state).length > 0) return null;
  return (
    <div className="waiting-bar waitlist-bar" data-testid="waitlist-join">
      <span className="muted">The table is full{state.waitlist.waiting > 0 ? ` · ${state.waitlist.waiting} waiting` : ''}.</span>
      <button className="btn btn-gold btn-sm" disabled={busy} onClick={() => void run('table:waitlist_join')}>Join the waiting list</button>
    </div>
  );
}
