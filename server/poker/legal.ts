// Who may act and what they may do. legalActions() is the single source of truth: the
// server validates `act` with it, the client enables buttons with it, bots choose from it.
import type { Chips, GameState, LegalActions, SeatIndex, SeatState } from './types';

export function isHandInProgress(state: GameState): boolean {
  return state.street !== 'complete';
}

/** Seats clockwise starting after `from` (and ending with `from` itself). */
export function clockwiseFrom(state: GameState, from: SeatIndex): SeatIndex[] {
  const n = state.config.maxSeats;
  return Array.from({ length: n }, (_, i) => (from + 1 + i) % n);
}

/** Dealt into the next hand: seated, not sitting out, with chips (decision 003). */
export function isDealtIn(seat: SeatState | null | undefined): seat is SeatState {
  return seat != null && !seat.sittingOut && seat.stack > 0;
}

/** Dealt in and not folded. */
export function isLive(seat: SeatState | null): seat is SeatState {
  return seat !== null && seat.inHand && !seat.folded;
}

/** Live and still holding chips, so able to bet. */
export function canStillBet(seat: SeatState | null): seat is SeatState {
  return isLive(seat) && !seat.allIn;
}

export function liveSeats(state: GameState): SeatIndex[] {
  return state.seats.flatMap((s, i) => (isLive(s) ? [i] : []));
}

function othersCanBet(state: GameState, index: SeatIndex): boolean {
  return state.seats.some((s, i) => i !== index && canStillBet(s));
}

function highestOtherBet(state: GameState, index: SeatIndex): Chips {
  return Math.max(0, ...state.seats.map((s, i) => (i !== index && isLive(s) ? s.bet : 0)));
}

/**
 * The bet this seat has to match. When nobody else can still bet, only chips that someone
 * can actually contest count (pre-flop a short all-in big blind leaves less than the blind).
 */
function callTarget(state: GameState, index: SeatIndex): Chips {
  return othersCanBet(state, index) ? state.currentBet : highestOtherBet(state, index);
}

export function needsToAct(state: GameState, index: SeatIndex): boolean {
  const seat = state.seats[index] ?? null;
  if (!canStillBet(seat)) return false;
  if (!othersCanBet(state, index)) return seat.bet < highestOtherBet(state, index);
  return !seat.acted || seat.bet < state.currentBet;
}

export function nextToAct(state: GameState, after: SeatIndex): SeatIndex | null {
  return clockwiseFrom(state, after).find((i) => needsToAct(state, i)) ?? null;
}

/**
 * Raising is open to a seat that has not acted since the betting was last opened, or that
 * now faces at least a full raise over the level it acted at (several short all-ins can add
 * up to one). A short all-in alone does not reopen the betting for seats that already acted.
 */
function mayRaise(state: GameState, index: SeatIndex, seat: SeatState): boolean {
  if (!othersCanBet(state, index)) return false;
  return !seat.acted || state.currentBet - seat.actedAtBet >= state.lastFullRaise;
}

/** All chips in the middle: collected pots plus every bet on this street. */
export function potTotal(state: GameState): Chips {
  return state.seats.reduce((sum, s) => sum + (s && s.inHand ? s.committed : 0), 0);
}

/** Pot limit: a raise may be at most the pot after calling, on top of the call. */
function potLimitTo(state: GameState, seat: SeatState): Chips {
  const call = state.currentBet - seat.bet;
  return state.currentBet + potTotal(state) + call;
}

export function legalActions(state: GameState, index: SeatIndex): LegalActions | null {
  const seat = state.seats[index] ?? null;
  if (!isHandInProgress(state) || state.toAct !== index || !canStillBet(seat)) return null;
  const toCall = Math.max(0, callTarget(state, index) - seat.bet);
  const callAmount = Math.min(toCall, seat.stack);
  const allInTo = seat.bet + seat.stack;
  const legal: LegalActions = {
    canFold: true,
    canCheck: toCall === 0,
    canCall: toCall > 0,
    callAmount,
    canAllIn: false,
    allInAmount: seat.stack,
    allInTo,
  };
  const opening = seat.stack > callAmount && mayRaise(state, index, seat);
  const limitTo = state.config.variant === 'PLO' ? potLimitTo(state, seat) : Infinity;
  if (opening) addWagerRange(state, legal, allInTo, limitTo);
  // Going all in is a call when it does not exceed the call, otherwise a (possibly short)
  // raise, which pot limit may forbid.
  legal.canAllIn = seat.stack <= callAmount || (opening && allInTo <= Math.max(limitTo, minWagerTo(state)));
  return legal;
}

/** The smallest total a full bet or raise can reach on this street. */
function minWagerTo(state: GameState): Chips {
  return state.currentBet === 0 ? state.config.bigBlind : state.currentBet + state.lastFullRaise;
}

function addWagerRange(state: GameState, legal: LegalActions, allInTo: Chips, limitTo: Chips): void {
  const min = minWagerTo(state);
  // Pot limit never forbids the minimum; the stack caps both.
  const max = Math.min(allInTo, Math.max(limitTo, min));
  if (min > max) return;
  if (state.currentBet === 0) {
    legal.minBet = min;
    legal.maxBet = max;
  } else {
    legal.minRaiseTo = min;
    legal.maxRaiseTo = max;
  }
}
