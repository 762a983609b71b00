// The end of a hand: showdown order, showing or mucking, rake, and paying every pot; and
// showing one's cards once the hand is over.
import { cardToString } from './cards';
import { describeHand, evaluate, evaluateOmaha } from './evaluator';
import { clockwiseFrom, isHandInProgress, isLive, liveSeats } from './legal';
import { computePots, rakeFor, rakePerPot, splitPot } from './pots';
import type { RejectionCode } from './rejections';
import type { GameEvent, GameState, HandResult, Pot, PotResult, SeatIndex, ShownHand } from './types';
import { exposedSeats } from './views';

function handValue(state: GameState, seat: SeatIndex): number {
  const hole = state.seats[seat]!.holeCards;
  return state.config.variant === 'PLO' ? evaluateOmaha(hole, state.board) : evaluate([...hole, ...state.board]);
}

/** The last aggressor of the final betting street shows first, else the first seat left of the button. */
function showdownOrder(state: GameState): SeatIndex[] {
  const aggressor = state.lastAggressor;
  const first = aggressor !== null && isLive(state.seats[aggressor] ?? null) ? aggressor : null;
  const start = first === null ? state.button! : (first - 1 + state.config.maxSeats) % state.config.maxSeats;
  return clockwiseFrom(state, start).filter((i) => isLive(state.seats[i] ?? null));
}

/**
 * A seat shows when its hand can still win (or tie) some pot it is in, given the hands
 * already shown; otherwise it mucks, and the cards stay hidden. The first seat always shows,
 * and so does a hand exposed for an all-in run-out: it is already face up, so it cannot be
 * mucked.
 */
function showOrMuck(state: GameState, pots: Pot[], values: Map<SeatIndex, number>) {
  const best: (number | undefined)[] = pots.map(() => undefined);
  const shown: ShownHand[] = [];
  const mucked: SeatIndex[] = [];
  for (const seat of showdownOrder(state)) {
    const value = values.get(seat)!;
    const mine = pots.flatMap((p, i) => (p.eligible.includes(seat) ? [i] : []));
    const canWin = mine.some((i) => best[i] === undefined || value >= best[i]!);
    if (shown.length > 0 && !canWin && !state.seats[seat]!.exposed) {
      mucked.push(seat);
      continue;
    }
    for (const i of mine) best[i] = Math.max(best[i] ?? value, value);
    const { category, name } = describeHand(value);
    shown.push({ seat, cards: [...state.seats[seat]!.holeCards], value, category, name });
  }
  return { shown, mucked };
}

function payPots(state: GameState, pots: Pot[], rake: number, values: Map<SeatIndex, number> | null): PotResult[] {
  const rakes = rakePerPot(pots.map((p) => p.amount), rake, state.config.rake?.from);
  return pots.map((pot, i) => {
    const top = values ? Math.max(...pot.eligible.map((s) => values.get(s)!)) : 0;
    const winners = values ? pot.eligible.filter((s) => values.get(s) === top) : pot.eligible;
    const split = splitPot(pot.amount - rakes[i]!, winners, state.button!, state.config.maxSeats);
    for (const w of split) state.seats[w.seat]!.stack += w.amount;
    const handName = values ? describeHand(top).name : null;
    return { ...pot, rake: rakes[i]!, winners: split, handName };
  });
}

export function settleHand(state: GameState, events: GameEvent[], endedBy: 'fold' | 'showdown'): void {
  assertAllMatched(state);
  const pots = computePots(
    state.seats.flatMap((s, seat) =>
      s && s.inHand ? [{ seat, amount: s.committed, folded: s.folded, allIn: s.allIn, dead: s.dead }] : [],
    ),
  );
  const total = pots.reduce((sum, p) => sum + p.amount, 0);
  // No flop, no drop: a hand that ends before the flop pays no rake.
  const rake = state.board.length === 0 ? 0 : rakeFor(total, state.config.rake);
  let values: Map<SeatIndex, number> | null = null;
  let shown: ShownHand[] = [];
  let mucked: SeatIndex[] = [];
  if (endedBy === 'showdown') {
    values = new Map(liveSeats(state).map((s) => [s, handValue(state, s)]));
    ({ shown, mucked } = showOrMuck(state, pots, values));
    // In the order they happened (as PokerStars prints them): a muck between two shows stays there.
    const shownBy = new Map(shown.map((h) => [h.seat, h]));
    for (const seat of showdownOrder(state)) {
      const h = shownBy.get(seat);
      if (h) events.push({ type: 'hand_shown', seat: h.seat, cards: h.cards.map(cardToString), category: h.category, name: h.name });
      else if (mucked.includes(seat)) events.push({ type: 'hand_mucked', seat });
    }
  }
  if (rake > 0) events.push({ type: 'rake_taken', amount: rake });
  const potResults = payPots(state, pots, rake, values);
  potResults.forEach((p, potIndex) =>
    events.push({ type: 'pot_awarded', potIndex, amount: p.amount - p.rake, winners: p.winners, handName: p.handName }),
  );
  state.result = buildResult(state, endedBy, rake, potResults, shown, mucked);
  state.street = 'complete';
  state.toAct = null;
  state.pots = [];
  events.push({ type: 'hand_complete', handId: state.handId!, stacks: state.result.seats.map((s) => ({ seat: s.seat, stack: s.endStack })) });
}

/**
 * Uncalled chips were given back when the betting closed, so the largest contribution of a
 * live seat is matched by another seat: no pot (and no rake) can hold chips nobody called. (A
 * folded seat's chips are dead money, whoever matched them.) A failure is an engine bug.
 */
function assertAllMatched(state: GameState): void {
  const inHand = state.seats.flatMap((s, i) => (s && s.inHand ? [i] : []));
  if (inHand.length < 2) return;
  for (const i of inHand) {
    const seat = state.seats[i]!;
    if (seat.folded) continue;
    // Dead chips (decision 035) match nothing and are never uncalled: only live parts compare.
    const matched = Math.max(...inHand.filter((j) => j !== i).map((j) => state.seats[j]!.committed - state.seats[j]!.dead));
    if (seat.committed - seat.dead > matched) throw new Error(`${seat.committed - seat.dead - matched} uncalled chips reached the pots`);
  }
}

function buildResult(
  state: GameState,
  endedBy: 'fold' | 'showdown',
  rake: number,
  pots: PotResult[],
  shown: ShownHand[],
  mucked: SeatIndex[],
): HandResult {
  const won = (seat: SeatIndex) =>
    pots.reduce((sum, p) => sum + p.winners.reduce((w, x) => w + (x.seat === seat ? x.amount : 0), 0), 0);
  const seats = state.dealOrder.map((seat) => {
    const s = state.seats[seat]!;
    return {
      seat,
      playerId: s.playerId,
      startStack: s.startStack,
      contributed: s.committed + s.returned,
      returned: s.returned,
      won: won(seat),
      endStack: s.stack,
    };
  });
  const result: HandResult = { handId: state.handId!, endedBy, board: [...state.board], rake, seats, pots, shown, mucked };
  assertSettlement(result);
  return result;
}

/** Every chip put in comes back out as returned, won or rake; a failure is an engine bug. */
function assertSettlement(result: HandResult): void {
  const sum = (f: (s: HandResult['seats'][number]) => number) => result.seats.reduce((t, s) => t + f(s), 0);
  const paidIn = sum((s) => s.contributed);
  const paidOut = sum((s) => s.returned + s.won) + result.rake;
  if (paidIn !== paidOut) throw new Error(`settlement does not balance: ${paidIn} in, ${paidOut} out`);
  for (const s of result.seats) {
    if (s.endStack !== s.startStack - s.contributed + s.returned + s.won || s.endStack < 0) {
      throw new Error(`seat ${s.seat} stack does not add up`);
    }
  }
  for (const p of result.pots) {
    if (p.eligible.length === 0 || p.winners.length === 0) throw new Error('a pot has nobody to win it');
  }
}

/**
 * config.showAfterHand: between hands, a seat dealt into the last hand (folded, mucked or
 * beaten) turns its cards face up for everyone, until the next hand starts. The settled
 * result is not changed: the cards were not part of the showdown.
 */
export function showAfterHand(state: GameState, seat: SeatIndex, events: GameEvent[]): RejectionCode | null {
  if (isHandInProgress(state)) return 'hand/in_progress';
  const occupant = state.seats[seat] ?? null;
  if (state.result === null || occupant === null || !occupant.inHand || occupant.holeCards.length === 0) return 'show/no_cards';
  if (exposedSeats(state).includes(seat)) return 'show/already_face_up';
  occupant.exposed = true;
  events.push({ type: 'cards_shown', seat, cards: occupant.holeCards.map(cardToString) });
  return null;
}
