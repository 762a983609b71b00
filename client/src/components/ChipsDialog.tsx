import { useState, type FormEvent, type ReactNode } from 'react';
import { Link } from './Link';
import { readChips } from '../chipsInput';
import { formatChips } from '../money';
import { Dialog } from './Dialog';

// The buy-in (and top-up) dialog: the table's range, the wallet balance, a slider
// and a number box. The box is what is sent: an amount outside what is possible, or
// not a whole number of chips, disables the button and says why (never rewritten
// into another amount).

export interface ChipsDialogProps {
  title: string;
  min: number;
  max: number;
  balance: number;
  confirmLabel: string;
  /** A line above the figures (why the range is what it is). */
  note?: ReactNode;
  onConfirm: (amount: number) => Promise<string | null>;
  onClose: () => void;
}

export function ChipsDialog({ title, min, max, balance, confirmLabel, note, onConfirm, onClose }: ChipsDialogProps) {
  const top = Math.min(max, balance);
  const affordable = top >= min;
  const [text, setText] = useState(String(Math.max(min, Math.min(top, Math.max(min, Math.round(max / 2))))));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const typed = readChips(text, min, top);
  const problem = typed.ok ? null : top < max && !/^\s*$/.test(text) && readChips(text, min, max).ok ? `Your balance allows at most ${formatChips(top)}.` : typed.problem;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!typed.ok || busy) return;
    setBusy(true);
    const refused = await onConfirm(typed.amount);
    setBusy(false);
    if (refused) setError(refused);
  };
  const describedBy = [problem ? 'chips-problem' : '', error ? 'chips-error' : ''].filter(Boolean).join(' ') || undefined;

  return (
    <Dialog title={title} onClose={onClose}>
      <form className="chips-form" onSubmit={submit}>
        {note}
        <dl className="facts">
          <div><dt>Minimum</dt><dd>{formatChips(min)}</dd></div>
          <div><dt>Maximum</dt><dd>{formatChips(max)}</dd></div>
          <div><dt>Your balance</dt><dd data-testid="dialog-balance">{formatChips(balance)}</dd></div>
        </dl>
        {affordable ? (
          <>
            <input type="range" min={min} max={top} value={typed.ok ? typed.amount : min} onChange={(e) => setText(e.target.value)} aria-label="Amount in chips" disabled={min === top} />
            <label className="field">
              <span className="field-label">Chips</span>
              <input name="amount" inputMode="numeric" value={text} onChange={(e) => { setText(e.target.value); setError(null); }} aria-invalid={problem !== null} aria-describedby={describedBy} />
            </label>
            {problem && <p className="field-error" id="chips-problem" role="alert" data-testid="chips-problem">{problem}</p>}
            {error && <p className="field-error" id="chips-error" role="alert">{error}</p>}
            <div className="dialog-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>Cancel</button>
              <button type="submit" className="btn btn-gold" disabled={busy || !typed.ok}>{busy ? 'Please wait…' : typed.ok ? `${confirmLabel} ${formatChips(typed.amount)}` : confirmLabel}</button>
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
