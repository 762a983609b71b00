// Betting: applying one action, closing a betting round (returning what nobody called),
// dealing the next street, and exposing the hands and running the board out when nobody
// can bet any more.
import { cardToString } from './cards';
import { boardIndexes } from './deal';
import { holeCardCount } from './game-hand';
import { settleHand } from './game-showdown';
import { canStillBet, isLive, legalActions, liveSeats, nextToAct } from './legal';
import { computePots, isChipAmount } from './pots';
import type { RejectionCode } from './rejections';
import type { BetAction, Chips, Command, GameEvent, GameState, LegalActions, SeatIndex } from './types';

type Act = Extract<Command, { type: 'act' }>;

/** Checks the action against legalActions(); returns the seat's new street total, or a rejection. */
function targetBet(state: GameState, command: Act): RejectionCode | Chips {
  const legal = legalActions(state, command.seat);
  if (!legal) return 'turn/not_your_turn';
  const seat = state.seats[command.seat]!;
  switch (command.action) {
    case 'fold':
      return seat.bet;
    case 'check':
      return legal.canCheck ? seat.bet : 'action/illegal';
    case 'call':
      return legal.canCall ? seat.bet + legal.callAmount : 'action/illegal';
    case 'all_in':
      return legal.canAllIn ? legal.allInTo : 'action/illegal';
    case 'bet':
      if (wholeStack(state, legal, command, 0)) return legal.allInTo;
      return checkRange(command.amount, legal.minBet, legal.maxBet, 'bet/below_min');
    case 'raise':
      if (wholeStack(state, legal, command, 1)) return legal.allInTo;
      return checkRange(command.amount, legal.minRaiseTo, legal.maxRaiseTo, 'bet/below_min_raise');
    default:
      return 'command/invalid';
  }
}

/**
 * A bet (nothing to call yet: `facing` 0) or a raise (`facing` 1) of the seat's whole stack is
 * its all-in, even below the minimum (a short all-in, as every card room takes it), wherever
 * `all_in` would be taken as a bet or raise.
 */
function wholeStack(state: GameState, legal: LegalActions, command: Act, facing: 0 | 1): boolean {
  return legal.canAllIn && command.amount === legal.allInTo && legal.allInTo > state.currentBet
    && (state.currentBet > 0 ? 1 : 0) === facing;
}

function checkRange(amount: unknown, min: Chips | undefined, max: Chips | undefined, below: RejectionCode): RejectionCode | Chips {
  if (min === undefined || max === undefined) return 'action/illegal';
  if (!isChipAmount(amount)) return 'amount/invalid';
  if (amount < min) return below;
  if (amount > max) return 'bet/above_max';
  return amount;
}

export function act(state: GameState, command: Act, events: GameEvent[], timedOut = false): RejectionCode | null {
  const target = targetBet(state, command);
  if (typeof target === 'string') return target;
  const index = command.seat;
  const seat = state.seats[index]!;
  const before = seat.bet;
  const levelBefore = state.currentBet;
  if (command.action === 'fold') seat.folded = true;
  else wager(state, index, target);
  seat.acted = true;
  seat.actedAtBet = state.currentBet;
  events.push({
    type: 'action',
    seat: index,
    action: describeAction(command.action, target, levelBefore),
    amount: target - before,
    betTo: seat.bet,
    allIn: seat.allIn,
    timedOut,
  });
  advance(state, events, index);
  return null;
}

/** The table-talk name of what happened: an all-in is reported as the call/bet/raise it is. */
function describeAction(kind: Act['action'], betTo: Chips, levelBefore: Chips): BetAction {
  if (kind === 'fold' || kind === 'check') return kind;
  if (betTo <= levelBefore) return 'call';
  return levelBefore === 0 ? 'bet' : 'raise';
}

/** Moves chips from the stack to the street bet; a raise of at least the last full raise reopens. */
function wager(state: GameState, index: SeatIndex, betTo: Chips): void {
  const seat = state.seats[index]!;
  const added = betTo - seat.bet;
  seat.stack -= added;
  seat.committed += added;
  seat.bet = betTo;
  seat.allIn = seat.stack === 0;
  if (betTo <= state.currentBet) return;
  const raise = betTo - state.currentBet;
  if (raise >= state.lastFullRaise) state.lastFullRaise = raise;
  state.currentBet = betTo;
  state.lastAggressor = index;
}

/**
 * Moves the hand forward after an action (or after the blinds): the next seat to act, or the
 * end of the betting round, the next street, an automatic run-out, or the settlement.
 */
export function advance(state: GameState, events: GameEvent[], after: SeatIndex): void {
  let from = after;
  for (;;) {
    if (liveSeats(state).length === 1) return finish(state, events, 'fold');
    const next = nextToAct(state, from);
    if (next !== null) {
      state.toAct = next;
      events.push({ type: 'to_act', seat: next, legal: legalActions(state, next)! });
      return;
    }
    closeBettingRound(state, events);
    const over = isBettingOver(state);
    if (over) exposeLiveHands(state, events);
    if (state.street === 'river') return finish(state, events, 'showdown');
    // A paced run-out waits here, hands face up, for a run_out command per street.
    if (over && state.config.pacedRunOut === true) return;
    dealNextStreet(state, events);
    // With fewer than two seats able to bet there is no betting round: the loop deals on.
    if (state.seats.filter(canStillBet).length >= 2) openBettingRound(state);
    from = state.button!;
  }
}

/**
 * The next street of a paced all-in run-out (config.pacedRunOut): only while the betting is
 * over for the hand and the engine stopped to wait (nobody to act). The river's run-out also
 * settles the hand, exactly as an unpaced run-out would have.
 */
export function runOut(state: GameState, events: GameEvent[]): RejectionCode | null {
  if (state.toAct !== null || !isBettingOver(state)) return 'run_out/not_pending';
  events.push({ type: 'run_out' });
  dealNextStreet(state, events);
  advance(state, events, state.button!);
  return null;
}

function finish(state: GameState, events: GameEvent[], endedBy: 'fold' | 'showdown'): void {
  closeBettingRound(state, events);
  settleHand(state, events, endedBy);
}

/** Gives back what nobody matched, then moves the bets into the pots. */
export function closeBettingRound(state: GameState, events: GameEvent[]): void {
  returnUncalled(state, events);
  for (const seat of state.seats) if (seat && seat.inHand) seat.bet = 0;
  state.currentBet = 0;
  state.toAct = null;
  refreshPots(state);
}

/**
 * The part of the largest contribution of a live seat this hand that no other seat matched
 * goes back to its owner: it is nobody's to win, so it never forms a pot and is never raked.
 * Judged on whole-hand totals, not on street bets, because antes are never a street bet: a
 * player all in for less than the ante leaves the others' antes (and blinds) partly
 * unmatched. Folded seats' chips count as matching, since they stay in the pot as dead money;
 * a folded seat gets nothing back, even holding the largest contribution (a seat that posted
 * to enter may fold with its post when the blinds are all in for less: decision 034). Dead
 * chips (a missed small blind, decision 035) are nobody's bet: they match nothing and never
 * come back, so only the live part of each contribution counts.
 */
function returnUncalled(state: GameState, events: GameEvent[]): void {
  const inHand = state.seats.flatMap((s, i) => (s && s.inHand ? [i] : []));
  const live = (i: SeatIndex) => state.seats[i]!.committed - state.seats[i]!.dead;
  const byTotal = inHand
    .filter((i) => !state.seats[i]!.folded)
    .sort((a, b) => live(b) - live(a));
  const topSeat = byTotal[0];
  if (topSeat === undefined) return;
  const top = state.seats[topSeat]!;
  const matched = Math.max(0, ...inHand.filter((i) => i !== topSeat).map(live));
  const uncalled = live(topSeat) - matched;
  if (uncalled <= 0) return;
  // This street's bet goes back first; the rest comes out of what earlier streets collected.
  top.bet -= Math.min(top.bet, uncalled);
  top.committed -= uncalled;
  top.returned += uncalled;
  top.stack += uncalled;
  top.allIn = false;
  events.push({ type: 'uncalled_returned', seat: topSeat, amount: uncalled });
}

/** Two or more hands still contest the pot and at most one of them can bet: nobody can act again. */
function isBettingOver(state: GameState): boolean {
  const live = liveSeats(state);
  return live.length >= 2 && live.filter((i) => canStillBet(state.seats[i] ?? null)).length <= 1;
}

/**
 * All-in exposure: once no more betting is possible, every live hand is turned face up for
 * the whole table before the rest of the board comes, so nobody can hide a hand that is
 * only waiting for the run-out (and nobody can soft-play against a partner). Happens once.
 */
function exposeLiveHands(state: GameState, events: GameEvent[]): void {
  const fresh = state.dealOrder.filter((i) => isLive(state.seats[i] ?? null) && !state.seats[i]!.exposed);
  if (fresh.length === 0) return;
  for (const i of fresh) state.seats[i]!.exposed = true;
  const hands = fresh.map((seat) => ({ seat, cards: state.seats[seat]!.holeCards.map(cardToString) }));
  events.push({ type: 'hands_exposed', hands });
}

export function refreshPots(state: GameState): void {
  if (state.street === 'complete') {
    state.pots = [];
    return;
  }
  state.pots = computePots(
    state.seats.flatMap((s, seat) =>
      s && s.inHand ? [{ seat, amount: s.committed - s.bet, folded: s.folded, allIn: s.allIn, dead: s.dead }] : [],
    ),
  );
}

function openBettingRound(state: GameState): void {
  for (const seat of state.seats) if (seat) seat.acted = false;
  for (const seat of state.seats) if (seat) seat.actedAtBet = 0;
  state.currentBet = 0;
  state.lastFullRaise = state.config.bigBlind;
  state.lastAggressor = null;
}

const NEXT_STREET = { preflop: 'flop', flop: 'turn', turn: 'river' } as const;

function dealNextStreet(state: GameState, events: GameEvent[]): void {
  if (state.street === 'complete' || state.street === 'river') throw new Error(`cannot deal after ${state.street}`);
  const street = NEXT_STREET[state.street];
  const positions = boardIndexes(state.dealOrder.length, holeCardCount(state));
  const indexes = street === 'flop' ? positions.flop : [positions[street]];
  const cards = indexes.map((i) => state.deck![i]!);
  state.board.push(...cards);
  state.street = street;
  events.push({ type: 'street_dealt', street, cards: cards.map(cardToString), board: state.board.map(cardToString) });
}
