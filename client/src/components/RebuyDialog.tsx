import { newIdempotencyKey } from '../api';
import { formatChips } from '../money';
import { send } from '../socket';
import { refreshBalance, toast } from '../store';
import { ChipsDialog } from './ChipsDialog';

// Buying back in after busting: the table's buy-in range (the seat holds
// nothing, so a top-up up to the maximum buy-in is exactly a buy-in) through
// the ordinary top-up, then sitting in again.

export interface RebuyProps {
  tableId: number;
  minBuyIn: number;
  maxBuyIn: number;
  balance: number;
  sittingOut: boolean;
  onDone: () => void;
  onClose: () => void;
}

export function RebuyDialog({ tableId, minBuyIn, maxBuyIn, balance, sittingOut, onDone, onClose }: RebuyProps) {
  const rebuy = async (amount: number): Promise<string | null> => {
    const ack = await send<'table:top_up', { pending: boolean }>('table:top_up', { tableId, amount, idempotencyKey: newIdempotencyKey('rebuy') });
    if (!ack.ok) return ack.error.message;
    void refreshBalance();
    if (sittingOut) {
      const back = await send('table:sit_in', { tableId });
      if (!back.ok && back.error.code !== 'seat/already_sitting_in') toast(back.error.message, 'error');
    }
    toast(ack.pending ? `${formatChips(amount)} chips will be added after this hand; you are dealt in from the next one.` : `Back in with ${formatChips(amount)} chips.`, 'success');
    onDone();
    return null;
  };
  return <ChipsDialog title="Out of chips — buy back in" min={minBuyIn} max={maxBuyIn} balance={balance} confirmLabel="Rebuy" onConfirm={rebuy} onClose={onClose} />;
}

/** The prompt under the felt while the player's seat is empty of chips. */
export function RebuyBar({ onRebuy, onLeave }: { onRebuy: () => void; onLeave: () => void }) {
  return (
    <div className="waiting-bar rebuy-bar" role="status" data-testid="rebuy-bar">
      <span><strong>You are out of chips.</strong> <span className="muted">Buy back in to keep playing.</span></span>
      <span className="waitlist-actions">
        <button className="btn btn-gold btn-sm" onClick={onRebuy}>Rebuy</button>
        <button className="btn btn-ghost btn-sm" onClick={onLeave}>Leave</button>
      </span>
    </div>
  );
}
