import { useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { ActionKind, LegalActions } from '@poker';
import { readChips } from '../chipsInput';
import { formatChips } from '../money';
import { send } from '../socket';
import { toast } from '../store';

// Fold / check / call / bet / raise, enabled only by the server's `legal`.
// The slider and the presets are clamped to the legal range (for PLO the server's
// maxRaiseTo is already the pot limit). The amount box is not: what is typed is
// what the button says and sends, and a box that holds no legal amount (out of
// range, not a whole number) disables the button and says why. Pre-flop, opening sizes in big blinds
// sit beside the pot presets (a phone keeps Pot and leaves out ½ and ¾ pot there,
// so the presets are one row of thumb-sized buttons: styles.css).

/** Pre-flop "raise to" sizes, in big blinds. */
const BIG_BLIND_PRESETS = [2, 2.5, 3] as const;

export interface ActionBarProps {
  legal: LegalActions;
  pot: number;
  myBet: number;
  bigBlind: number;
  preflop: boolean;
  busy: boolean;
  onAct: (action: ActionKind, amount?: number) => void;
}

export function ActionBar({ legal, pot, myBet, bigBlind, preflop, busy, onAct }: ActionBarProps) {
  const isBet = legal.minBet !== undefined;
  const min = legal.minBet ?? legal.minRaiseTo ?? 0;
  const max = legal.maxBet ?? legal.maxRaiseTo ?? 0;
  // A range the engine never sends (min above max) is no range: nothing to size.
  const canSize = (isBet || legal.minRaiseTo !== undefined) && max > 0 && min <= max;
  const [amount, setAmount] = useState(min);
  const [text, setText] = useState(String(min));
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setAmount(min);
    setText(String(min));
  }, [min, max]);

  const clamp = (n: number) => Math.max(min, Math.min(max, Math.round(n)));
  const set = (n: number) => {
    const v = clamp(n);
    setAmount(v);
    setText(String(v));
  };
  const presets = useMemo(() => {
    // A pot-sized raise: call first, then raise by the pot that call makes.
    const afterCall = pot + legal.callAmount;
    const base = myBet + legal.callAmount;
    const inBigBlinds = preflop ? BIG_BLIND_PRESETS.map((n) => ({ label: `${n} BB`, value: Math.round(n * bigBlind), part: false })) : [];
    return [
      ...inBigBlinds,
      { label: '½ pot', value: base + Math.floor(afterCall / 2), part: true },
      { label: '¾ pot', value: base + Math.floor((afterCall * 3) / 4), part: true },
      { label: 'Pot', value: base + afterCall, part: false },
    ];
  }, [pot, myBet, legal.callAmount, preflop, bigBlind]);

  // The box is the truth: the slider and the presets write into it.
  const typed = readChips(text, min, max);
  const sized = canSize && typed.ok;
  const allInSized = sized && legal.canAllIn && amount >= legal.allInTo;
  const betOrRaise = () => {
    if (!sized) return;
    if (allInSized) return onAct('all_in');
    onAct(isBet ? 'bet' : 'raise', amount);
  };
  // A call that takes the whole stack is the all-in: one button, not two doing the same.
  const allInIsCall = legal.canCall && legal.allInAmount <= legal.callAmount;
  const checkOrCall = () => {
    if (legal.canCheck) onAct('check');
    else if (legal.canCall) onAct('call');
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target && (target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range' && (target as HTMLInputElement).type !== 'checkbox'));
      if (typing || event.metaKey || event.ctrlKey || event.altKey || busy) return;
      const key = event.key.toLowerCase();
      if (key === 'f' && legal.canFold) onAct('fold');
      else if (key === 'c') checkOrCall();
      else if (key === 'r') betOrRaise();
      else if (key === 'a' && legal.canAllIn) onAct('all_in');
      else if ((event.key === 'ArrowUp' || event.key === 'ArrowRight') && canSize && target?.tagName !== 'INPUT') set(amount + bigBlind);
      else if ((event.key === 'ArrowDown' || event.key === 'ArrowLeft') && canSize && target?.tagName !== 'INPUT') set(amount - bigBlind);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  return (
    <div className="action-bar" role="group" aria-label="Your action" data-testid="action-bar">
      {canSize && (
        <div className="sizing">
          <div className={preflop ? 'presets presets-preflop' : 'presets'}>
            {presets.map((p) => (
              <button key={p.label} className={p.part ? 'btn btn-chip preset-part' : 'btn btn-chip'} disabled={busy} onClick={() => set(p.value)}>{p.label}</button>
            ))}
            {legal.canAllIn && (
              <button className="btn btn-chip" disabled={busy} onClick={() => set(legal.allInTo)}>All-in</button>
            )}
          </div>
          <div className="slider-row">
            <input
              type="range" min={min} max={max} step={1} value={amount} disabled={busy || min === max}
              onChange={(e) => set(Number(e.target.value))}
              aria-label={isBet ? 'Bet amount' : 'Raise to'} aria-valuetext={`${formatChips(amount)} chips`}
            />
            <input
              ref={inputRef} className="amount-box" inputMode="numeric" value={text} aria-label={isBet ? 'Bet amount in chips' : 'Raise to, in chips'}
              style={{ '--amount-ch': Math.max(8, text.length) } as CSSProperties}
              aria-invalid={!typed.ok} aria-describedby={typed.ok ? undefined : 'amount-problem'}
              onChange={(e) => {
                setText(e.target.value);
                const read = readChips(e.target.value, min, max);
                if (read.ok) setAmount(read.amount);
              }}
              onBlur={() => {
                if (typed.ok) setText(String(typed.amount));
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  betOrRaise();
                  e.preventDefault();
                }
              }}
            />
          </div>
          {!typed.ok && <p className="amount-problem" id="amount-problem" role="alert" data-testid="amount-problem">{typed.problem}</p>}
        </div>
      )}
      <div className="action-buttons">
        <button className="btn btn-act act-fold" disabled={busy || !legal.canFold} onClick={() => onAct('fold')} aria-keyshortcuts="F">
          Fold <kbd>F</kbd>
        </button>
        {legal.canCheck ? (
          <button className="btn btn-act act-check" disabled={busy} onClick={() => onAct('check')} aria-keyshortcuts="C">
            Check <kbd>C</kbd>
          </button>
        ) : (
          <button className="btn btn-act act-call" disabled={busy || !legal.canCall} onClick={() => onAct('call')} aria-keyshortcuts="C">
            Call {formatChips(legal.callAmount)}{allInIsCall ? ' (all-in)' : ''} <kbd>C</kbd>
          </button>
        )}
        {canSize ? (
          <button className="btn btn-act act-raise" disabled={busy || !sized} onClick={betOrRaise} aria-keyshortcuts="R">
            {!sized ? (isBet ? 'Bet' : 'Raise') : allInSized ? `All-in ${formatChips(legal.allInTo)}` : isBet ? `Bet ${formatChips(amount)}` : `Raise to ${formatChips(amount)}`} <kbd>R</kbd>
          </button>
        ) : legal.canAllIn && !allInIsCall ? (
          <button className="btn btn-act act-raise" disabled={busy} onClick={() => onAct('all_in')} aria-keyshortcuts="A">
            All-in {formatChips(legal.allInTo)} <kbd>A</kbd>
          </button>
        ) : null}
      </div>
      <p className="key-hints" aria-hidden="true">F fold · C check/call · R {isBet ? 'bet' : 'raise'} · A all-in · ↑↓ size</p>
    </div>
  );
}

export type PreAction = 'none' | 'check_fold' | 'call_any';

export function PreActions({ value, onChange }: { value: PreAction; onChange: (v: PreAction) => void }) {
  const toggle = (v: PreAction) => onChange(value === v ? 'none' : v);
  return (
    <div className="pre-actions" role="group" aria-label="Pre-select your next action">
      <label className="check">
        <input type="checkbox" checked={value === 'check_fold'} onChange={() => toggle('check_fold')} />
        <span>Check/Fold</span>
      </label>
      <label className="check">
        <input type="checkbox" checked={value === 'call_any'} onChange={() => toggle('call_any')} />
        <span>Call any</span>
      </label>
    </div>
  );
}

/** The action a pre-selection takes when the turn arrives. */
export function preActionFor(pre: PreAction, legal: LegalActions): ActionKind | null {
  if (pre === 'check_fold') return legal.canCheck ? 'check' : 'fold';
  if (pre === 'call_any') return legal.canCall ? 'call' : legal.canCheck ? 'check' : null;
  return null;
}

/**
 * After the hand, until the next deal: turns the player's own cards face up for everyone
 * (`table:show`). Offered only while they are still hidden from the others.
 */
export function ShowCardsButton({ tableId, handId }: { tableId: number; handId: string | null }) {
  const [sentFor, setSentFor] = useState<string | null>(null);
  if (handId === null || sentFor === handId) return null;
  const show = async () => {
    setSentFor(handId);
    const ack = await send('table:show', { tableId });
    // Already face up (a snapshot cannot tell the client it showed): nothing to say.
    if (!ack.ok && ack.error.code !== 'show/already_face_up') {
      toast(ack.error.message, 'warning');
      setSentFor(null);
    }
  };
  return (
    <button className="btn btn-show" data-testid="show-cards" onClick={() => void show()}>
      Show cards
    </button>
  );
}
