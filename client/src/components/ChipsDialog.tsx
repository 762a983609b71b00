import { useState, type FormEvent } from 'react';
import { Link } from './Link';
import { formatChips } from '../money';
import { Dialog } from './Dialog';

// The buy-in (and top-up) dialog: the table's range, the wallet balance, a
// slider and a number box clamped to what is possible.

export interface ChipsDialogProps {
  title: string;
  min: number;
  max: number;
  balance: number;
  confirmLabel: string;
  onConfirm: (amount: number) => Promise<string | null>;
  onClose: () => void;
}

export function ChipsDialog({ title, min, max, balance, confirmLabel, onConfirm, onClose }: ChipsDialogProps) {
  const top = Math.min(max, balance);
  const affordable = top >= min;
  const [amount, setAmount] = useState(Math.max(min, Math.min(top, Math.max(min, Math.round(max / 2)))));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const clamp = (n: number) => Math.max(min, Math.min(top, Math.round(n)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const problem = await onConfirm(clamp(amount));
    setBusy(false);
    if (problem) setError(problem);
  };

  return (
    <Dialog title={title} onClose={onClose}>
      <form className="chips-form" onSubmit={submit}>
        <dl className="facts">
          <div><dt>Minimum</dt><dd>{formatChips(min)}</dd></div>
          <div><dt>Maximum</dt><dd>{formatChips(max)}</dd></div>
          <div><dt>Your balance</dt><dd data-testid="dialog-balance">{formatChips(balance)}</dd></div>
        </dl>
        {affordable ? (
          <>
            <input type="range" min={min} max={top} value={amount} onChange={(e) => setAmount(Number(e.target.value))} aria-label="Amount in chips" disabled={min === top} />
            <label className="field">
              <span className="field-label">Chips</span>
              <input name="amount" inputMode="numeric" value={amount} onChange={(e) => setAmount(Number(e.target.value.replace(/[^\d]/g, '')) || 0)} onBlur={() => setAmount(clamp(amount))} aria-describedby={error ? 'chips-error' : undefined} />
            </label>
            {error && <p className="field-error" id="chips-error" role="alert">{error}</p>}
            <div className="dialog-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>Cancel</button>
              <button type="submit" className="btn btn-gold" disabled={busy || amount < min || amount > top}>{busy ? 'Please wait…' : `${confirmLabel} ${formatChips(clamp(amount))}`}</button>
            </div>
          </>
        ) : (
          <>
            <p className="form-error" role="alert">You need at least {formatChips(min)} chips in your wallet.</p>
            <div className="dialog-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>Cancel</button>
              <Link href="/wallet" className="btn btn-gold">Buy chips</Link>
            </div>
          </>
        )}
      </form>
    </Dialog>
  );
}
