import { useEffect, useState } from 'react';
import { api, errorText, type HandDetail } from '../api';
import { formatChips } from '../money';
import { toast } from '../store';
import { Card, CardSlot } from './Card';
import { FairnessCheck, fairnessSummaryLines } from './Fairness';
import { Replayer, useReplay } from './Replayer';

// A settled hand from GET /api/hands/:id: the replayer steps through it action by
// action (GET /api/hands/:id/replay); a hand stored without a replayable log is shown
// street by street from what the API publishes (players, shown and own hole cards,
// board, results). Plus its PokerStars history to copy (GET /api/hands/:id/history)
// and the shuffle check.

const STEPS = ['Pre-flop', 'Flop', 'Turn', 'River', 'Result'] as const;
const BOARD_AT = [0, 3, 4, 5, 5];

export function useHand(handId: string | null): { hand: HandDetail | null; error: string | null } {
  const [hand, setHand] = useState<HandDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setHand(null);
    setError(null);
    if (!handId) return;
    let alive = true;
    api<{ hand: HandDetail }>('GET', `/api/hands/${encodeURIComponent(handId)}`)
      .then((r) => alive && setHand(r.hand))
      .catch((e) => alive && setError(errorText(e)));
    return () => {
      alive = false;
    };
  }, [handId]);
  return { hand, error };
}

export function handSummary(hand: HandDetail): string {
  const lines = [
    `Atomic Poker Hand #${hand.record.handId}: ${hand.record.variant === 'PLO' ? "Pot Limit Omaha" : "Hold'em No Limit"} - ${hand.createdAt.replace('T', ' ').slice(0, 19)} UTC`,
    `Table '${hand.tableName}' Hand number ${hand.handNumber}`,
  ];
  for (const p of hand.players) lines.push(`Seat ${p.seatIndex + 1}: ${p.username} (put in ${p.contributed})`);
  for (const [seat, cards] of Object.entries(hand.record.holeCards)) {
    const p = hand.players.find((x) => x.seatIndex === Number(seat));
    lines.push(`${p?.username ?? `Seat ${Number(seat) + 1}`}: [${cards.join(' ')}]`);
  }
  const b = hand.record.board;
  if (b.length >= 3) lines.push(`*** FLOP *** [${b.slice(0, 3).join(' ')}]`);
  if (b.length >= 4) lines.push(`*** TURN *** [${b.slice(0, 3).join(' ')}] [${b[3]}]`);
  if (b.length >= 5) lines.push(`*** RIVER *** [${b.slice(0, 4).join(' ')}] [${b[4]}]`);
  lines.push('*** SUMMARY ***', `Total pot ${hand.pot} | Rake ${hand.rake}`);
  if (b.length > 0) lines.push(`Board [${b.join(' ')}]`);
  for (const p of hand.players) {
    const shown = hand.record.shownSeats.includes(p.seatIndex) ? ' showed' : '';
    lines.push(`Seat ${p.seatIndex + 1}: ${p.username}${shown} ${p.won > 0 ? `collected (${p.won})` : `lost ${p.contributed}`}`);
  }
  lines.push(...fairnessSummaryLines(hand));
  return lines.join('\n');
}

export function HandViewer({ hand }: { hand: HandDetail }) {
  const replay = useReplay(hand.handId);
  const copy = async () => {
    try {
      // The server's PokerStars history (your cards, and the shown ones); the summary
      // built here is the fallback for hands without a replayable log.
      const text = await api<{ text: string }>('GET', `/api/hands/${encodeURIComponent(hand.handId)}/history`)
        .then((r) => [r.text, ...fairnessSummaryLines(hand)].join('\n'))
        .catch(() => handSummary(hand));
      await navigator.clipboard.writeText(text);
      toast('Hand history copied.', 'success');
    } catch {
      toast('Copy failed: your browser blocked the clipboard.', 'error');
    }
  };
  return (
    <div className="hand-viewer" data-testid="hand-viewer">
      <div className="hv-head">
        <strong>{hand.tableName}</strong>
        <span className="muted small">Hand #{hand.handNumber} · {new Date(hand.createdAt).toLocaleString()}</span>
      </div>
      {replay === null && <p className="muted small">Loading the replay…</p>}
      {replay && 'replay' in replay && <Replayer replay={replay.replay} yourSeats={hand.yourSeats} />}
      {replay && 'error' in replay && (
        <>
          {!replay.missing && <p className="form-error">{replay.error}</p>}
          <StreetViewer hand={hand} />
        </>
      )}
      <div className="row gap">
        <button className="btn btn-ghost btn-sm" onClick={() => void copy()}>Copy hand history</button>
      </div>
      <FairnessCheck hand={hand} />
    </div>
  );
}

/** Street by street from the published record: for hands stored without a replayable log. */
function StreetViewer({ hand }: { hand: HandDetail }) {
  const [step, setStep] = useState(STEPS.length - 1);
  const board = hand.record.board.slice(0, BOARD_AT[step]);
  return (
    <>
      <div className="hv-board" aria-label="Board">
        {Array.from({ length: 5 }, (_, i) => (board[i] ? <Card key={board[i]} card={board[i]!} size="sm" /> : <CardSlot key={i} size="sm" />))}
      </div>
      <div className="stepper" role="group" aria-label="Replay">
        <button className="btn btn-ghost btn-sm" onClick={() => setStep(Math.max(0, step - 1))} disabled={step === 0} aria-label="Previous street">‹</button>
        <span className="step-name" aria-live="polite">{STEPS[step]}</span>
        <button className="btn btn-ghost btn-sm" onClick={() => setStep(Math.min(STEPS.length - 1, step + 1))} disabled={step === STEPS.length - 1} aria-label="Next street">›</button>
      </div>
      <ul className="hv-players">
        {hand.players.map((p) => {
          const cards = hand.record.holeCards[String(p.seatIndex)];
          const net = p.won - p.contributed;
          return (
            <li key={p.seatIndex} className={step === STEPS.length - 1 && p.won > 0 ? 'hv-win' : ''}>
              <span className="hv-name">{p.username}{hand.yourSeats.includes(p.seatIndex) ? ' (you)' : ''}</span>
              <span className="hv-cards">{cards ? cards.map((c) => <Card key={c} card={c} size="sm" />) : <span className="muted small">mucked</span>}</span>
              {step === STEPS.length - 1 && <span className={net >= 0 ? 'pos' : 'neg'}>{net >= 0 ? '+' : ''}{formatChips(net)}</span>}
            </li>
          );
        })}
      </ul>
      <p className="muted small">Pot {formatChips(hand.pot)}{hand.rake > 0 ? ` · rake ${formatChips(hand.rake)}` : ''}</p>
    </>
  );
}
