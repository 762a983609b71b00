import { HOLE_CARDS_BY_VARIANT } from '@poker';
import { useEffect, useMemo, useState } from 'react';
import type { HandReplay, ReplaySeat, ReplayStep } from '../../../server/poker/history';
import { api, ApiError, errorText } from '../api';
import { formatChips } from '../money';
import { Card, CardBack, CardSlot } from './Card';
import './replayer.css';

// A settled hand action by action, from GET /api/hands/:id/replay: the server replays the
// stored log through the engine's projection for the requester (their own cards; anyone
// else's only when exposed or shown), so this component only shows what it is given.
// Prev / next (or the arrow keys, or a click on a line of the action list) move through the
// steps; each shows the board as dealt, the pot and every seat's stack, bet and cards.

const STREET_NAMES: Record<ReplayStep['street'], string> = {
  preflop: 'Pre-flop',
  flop: 'Flop',
  turn: 'Turn',
  river: 'River',
  showdown: 'Showdown',
};

export type ReplayState = { replay: HandReplay } | { error: string; missing: boolean } | null;

/** The replay of a hand; `missing` when the hand was stored without a replayable log. */
export function useReplay(handId: string): ReplayState {
  const [state, setState] = useState<ReplayState>(null);
  useEffect(() => {
    setState(null);
    let alive = true;
    api<{ replay: HandReplay }>('GET', `/api/hands/${encodeURIComponent(handId)}/replay`)
      .then((r) => alive && setState({ replay: r.replay }))
      .catch((e) => alive && setState({ error: errorText(e), missing: e instanceof ApiError && e.status === 404 }));
    return () => {
      alive = false;
    };
  }, [handId]);
  return state;
}

interface StreetGroup {
  street: ReplayStep['street'];
  /** The pot as the street began. */
  pot: number;
  steps: { index: number; step: ReplayStep }[];
}

function streetGroups(replay: HandReplay): StreetGroup[] {
  const groups: StreetGroup[] = [];
  replay.steps.forEach((step, index) => {
    let group = groups.at(-1);
    if (!group || group.street !== step.street) {
      const before = index === 0 ? 0 : replay.steps[index - 1]!.pot;
      group = { street: step.street, pot: step.kind === 'street' ? step.pot : before, steps: [] };
      groups.push(group);
    }
    group.steps.push({ index, step });
  });
  return groups;
}

/** "Showdown" when hands were shown or mucked; a hand won by a fold ends in "Result". */
function groupName(g: StreetGroup): string {
  if (g.street !== 'showdown') return STREET_NAMES[g.street];
  return g.steps.some(({ step }) => step.kind === 'show' || step.kind === 'muck') ? 'Showdown' : 'Result';
}

function SeatRow({ seat, acting, button, yours, cardCount }: { seat: ReplaySeat; acting: boolean; button: boolean; yours: boolean; cardCount: number }) {
  const classes = ['rp-seat', acting ? 'rp-acting' : '', seat.folded ? 'rp-folded' : ''].filter(Boolean).join(' ');
  return (
    <li className={classes} data-testid={`replay-seat-${seat.seat}`}>
      <span className="rp-who">
        <span className="rp-name" title={seat.name} data-testid={`replay-name-${seat.seat}`}>{seat.name}</span>
        {yours ? <span className="rp-you">(you)</span> : null}
        {button ? <span className="rp-button" title="Button" aria-label="button">D</span> : null}
      </span>
      <span className="rp-cards">
        {seat.holeCards
          ? seat.holeCards.map((c) => <Card key={c} card={c} size="sm" />)
          : !seat.folded && Array.from({ length: cardCount }, (_, i) => <CardBack key={i} size="sm" />)}
      </span>
      {/* Stack over bet in one column: four columns left a side panel's names three letters. */}
      <span className="rp-money">
        <span className="rp-stack" data-testid={`replay-stack-${seat.seat}`}>{formatChips(seat.stack)}</span>
        <span className="rp-bet">{seat.folded ? 'folded' : seat.bet > 0 ? `bet ${formatChips(seat.bet)}` : seat.allIn ? 'all-in' : ''}</span>
      </span>
    </li>
  );
}

/**
 * A step's PokerStars line as the replayer shows it: its amounts grouped like every other amount on
 * screen ("calls 2,320,362", not "calls 2320362"); the names are left as they are (a name may end in
 * digits), and the copied and downloaded histories keep PokerStars' plain digits.
 */
function readableLine(line: string, names: readonly string[]): string {
  const group = (text: string) => text.replace(/\d{4,}/g, (n) => formatChips(Number(n)));
  if (names.length === 0) return group(line);
  const escaped = [...names].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Split on the names (kept, at the odd places), group the digits of the rest.
  return line.split(new RegExp(`(${escaped.join('|')})`)).map((part, i) => (i % 2 === 1 ? part : group(part))).join('');
}

export function Replayer({ replay, yourSeats }: { replay: HandReplay; yourSeats: number[] }) {
  // -1: the hand as it started, before the first post.
  const [at, setAt] = useState(-1);
  const last = replay.steps.length - 1;
  const step = at >= 0 ? replay.steps[at]! : null;
  const seats = step ? step.seats : replay.seats;
  const board = step ? step.board : [];
  const groups = useMemo(() => streetGroups(replay), [replay]);
  const go = (index: number) => setAt(Math.max(-1, Math.min(last, index)));
  const names = useMemo(() => replay.seats.map((s) => s.name), [replay]);
  const lineOf = (lines: string[]) => lines.map((line) => readableLine(line, names)).join(' · ');
  const onKey = (event: React.KeyboardEvent) => {
    if (event.key === 'ArrowRight') go(at + 1);
    else if (event.key === 'ArrowLeft') go(at - 1);
    else return;
    event.preventDefault();
  };
  return (
    <div className="replayer" data-testid="replayer" onKeyDown={onKey}>
      <div className="rp-top">
        <div className="hv-board" aria-label="Board" data-testid="replay-board">
          {Array.from({ length: 5 }, (_, i) => (board[i] ? <Card key={board[i]} card={board[i]!} size="sm" /> : <CardSlot key={i} size="sm" />))}
        </div>
        <div className="rp-pot" data-testid="replay-pot">Pot {formatChips(step ? step.pot : 0)}</div>
      </div>
      <div className="stepper" role="group" aria-label="Replay">
        <button className="btn btn-ghost btn-sm" onClick={() => go(-1)} disabled={at === -1} aria-label="Back to the start">«</button>
        <button className="btn btn-ghost btn-sm" onClick={() => go(at - 1)} disabled={at === -1} aria-label="Previous action" data-testid="replay-prev">‹</button>
        <span className="rp-now" aria-live="polite" data-testid="replay-step">
          {step ? lineOf(step.lines) : `Blinds ${formatChips(replay.smallBlind)}/${formatChips(replay.bigBlind)}${replay.ante > 0 ? `, ante ${formatChips(replay.ante)}` : ''}`}
        </span>
        <button className="btn btn-ghost btn-sm" onClick={() => go(at + 1)} disabled={at === last} aria-label="Next action" data-testid="replay-next">›</button>
        <button className="btn btn-ghost btn-sm" onClick={() => go(last)} disabled={at === last} aria-label="To the end">»</button>
      </div>
      <p className="muted small rp-counter">
        {step ? `${groupName(groups.find((g) => g.steps.some((x) => x.index === at))!)} · step ${at + 1} of ${last + 1}` : `Start · ${last + 1} steps`}
      </p>
      <ul className="rp-seats" aria-label="Seats">
        {seats.map((s) => (
          <SeatRow
            key={s.seat} seat={s} acting={step?.seat === s.seat} button={s.seat === replay.button} yours={yourSeats.includes(s.seat)}
            cardCount={step && step.kind !== 'post' ? HOLE_CARDS_BY_VARIANT[replay.variant] : 0}
          />
        ))}
      </ul>
      <ol className="rp-actions" aria-label="Actions" data-testid="replay-actions">
        {groups.map((g) => (
          <li key={`${g.street}-${g.steps[0]!.index}`} className="rp-street">
            <span className="rp-street-name">{groupName(g)} <span className="muted small">pot {formatChips(g.pot)}</span></span>
            <ol>
              {g.steps.map(({ index, step: s }) => (
                <li key={index}>
                  <button
                    className={`rp-line${index === at ? ' rp-current' : ''}${index > at ? ' rp-future' : ''}`}
                    onClick={() => go(index)}
                    aria-current={index === at ? 'step' : undefined}
                    data-testid="replay-line"
                    data-step={index}
                  >
                    {lineOf(s.lines)}
                  </button>
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
      <p className="muted small">Total pot {formatChips(replay.potTotal)}{replay.rake > 0 ? ` · rake ${formatChips(replay.rake)}` : ''}</p>
    </div>
  );
}
