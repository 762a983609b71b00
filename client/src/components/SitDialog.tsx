import { useEffect, useState } from 'react';
import { api } from '../api';
import { formatChips } from '../money';
import { ChipsDialog } from './ChipsDialog';

// The buy-in dialog of a free seat. Its range is the table's, or, for a player who left
// this table less than two hours ago, at least the chips they left with (decision 036): the
// server says which (GET /api/tables/:id/buy-in) before the player chooses. Until it answers,
// and if it cannot, the table's range is shown; the buy-in itself is checked by the server.

interface BuyInRange {
  min: number;
  max: number;
  returning: { leftWith: number; leftAt: string; until: string; shortBankrollMin: number; shortBankroll: number | null } | null;
}

export interface SitDialogProps {
  tableId: number;
  title: string;
  tableMin: number;
  tableMax: number;
  balance: number;
  onConfirm: (amount: number) => Promise<string | null>;
  onClose: () => void;
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function SitDialog({ tableId, title, tableMin, tableMax, balance, onConfirm, onClose }: SitDialogProps) {
  const [range, setRange] = useState<BuyInRange | null>(null);
  useEffect(() => {
    let live = true;
    api<BuyInRange>('GET', `/api/tables/${tableId}/buy-in`).then((r) => live && setRange(r), () => undefined);
    return () => {
      live = false;
    };
  }, [tableId]);
  const back = range?.returning ?? null;
  let min = range?.min ?? tableMin;
  let max = range?.max ?? tableMax;
  // Short of what they left with (the wallet and the chips on other tables): all of the wallet, if
  // that is at least 90% of it. The server says whether that holds now.
  if (back?.shortBankroll != null) min = max = back.shortBankroll;
  const note = back ? (
    <p className="dialog-note" data-testid="returning-note">
      You left this table at {clock(back.leftAt)} with {formatChips(back.leftWith)} chips. Until {clock(back.until)} you come
      back with at least that{back.shortBankroll != null ? `, or with all the chips in your wallet (${formatChips(back.shortBankroll)}), since that is at least 90% of it` : ''}.
    </p>
  ) : null;
  // Keyed by the range: the amount box starts again from the right figures once they arrive.
  return (
    <ChipsDialog key={`${min}-${max}`} title={title} min={min} max={max} balance={balance} confirmLabel="Sit with" note={note} onConfirm={onConfirm} onClose={onClose} />
  );
}
