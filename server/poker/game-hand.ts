// Starting a hand: who is dealt in, where the button goes, antes, blinds, hole cards.
//
// Blinds and button: the "moving button" rule (docs/decisions/003-blinds-and-button.md).
// - Dealt in: every seated player who is not sitting out and has chips.
// - Without an explicit `button`, the button moves to the next dealt-in seat clockwise from
//   the previous button (the first hand: the first dealt-in seat from seat 0); going heads-up,
//   the seat that posted the last big blind takes it instead, so nobody posts the big blind
//   twice in a row (the TDA's heads-up rule, as the table's `planNextHand` does).
// - The small blind is the next dealt-in seat after the button and the big blind the next
//   after that; heads-up the button posts the small blind and the other seat the big blind.
// - The engine itself owes nobody a blind: whoever is dealt in is dealt in. The table holds a
//   seat that joins a running game, or sat out through a blind, until its big blind, and
//   names the button (blinds.ts, decision 029); without a named button this default applies.
// - A short stack posts what it has and is all in; the others still have to call the full
//   big blind (an all-in blind does not lower the bet).
// - `posts` names seats that post a live big blind to enter out of position ("post now",
//   decision 034): after the blinds, in deal order; each keeps its option like the big blind.
//   Those of them in `deadSmallBlinds` also post the small blind they missed, dead (decision
//   035): in the pot, in no bet, never given back; they need more chips than the ante and the small blind.
import { isCard, type Card, cardToString } from './cards';
import { HOLE_CARDS_BY_VARIANT, dealHoleCards as holeCardsFromDeck } from './deal';
import type { RejectionCode } from './rejections';
import type { Chips, Command, GameEvent, GameState, PostKind, SeatIndex } from './types';
import { blindsFor, buttonFor } from './blinds';
import { clockwiseFrom, isDealtIn } from './legal';

type StartHand = Extract<Command, { type: 'start_hand' }>;

export function holeCardCount(state: GameState): number {
  return HOLE_CARDS_BY_VARIANT[state.config.variant];
}


export function isValidDeck(deck: unknown): deck is Card[] {
  return Array.isArray(deck) && deck.length === 52 && deck.every(isCard) && new Set(deck).size === 52;
}

/** Validates and picks the button; returns a rejection code or the seat. */
function chooseButton(state: GameState, requested: unknown): RejectionCode | SeatIndex {
  if (requested != null) {
    const ok = typeof requested === 'number' && isDealtIn(state.seats[requested] ?? null);
    return ok ? (requested as SeatIndex) : 'button/invalid';
  }
  const dealt = new Set(state.seats.flatMap((seat, i) => (isDealtIn(seat ?? null) ? [i] : [])));
  return dealt.size === 0 ? 'button/invalid' : buttonFor(state, dealt);
}

/**
 * The seats posting to enter (`start_hand`'s `posts`), or null when one is not dealt in, is
 * named twice, or would be the button or a blind of the hand dealt with `button`.
 */
function choosePosts(state: GameState, requested: unknown, button: SeatIndex): Set<SeatIndex> | null {
  if (requested == null) return new Set();
  if (!Array.isArray(requested)) return null;
  const dealt = new Set(state.seats.flatMap((s, i) => (isDealtIn(s) ? [i] : [])));
  const { smallBlind, bigBlind } = blindsFor(state, dealt, button);
  const posts = new Set<SeatIndex>();
  for (const seat of requested) {
    if (typeof seat !== 'number' || !dealt.has(seat) || seat === button || seat === smallBlind || seat === bigBlind || posts.has(seat)) return null;
    posts.add(seat);
  }
  return posts;
}

/**
 * Whether a seat has the chips to post a missed small blind dead with its big blind (decision
 * 035): more than the ante and the small blind, so that it is never all in on dead chips.
 */
export function canPostDeadSmallBlind(state: GameState, seat: SeatIndex): boolean {
  return (state.seats[seat]?.stack ?? 0) > state.config.ante + state.config.smallBlind;
}

/** The posters that also post a dead small blind, or null when one does not post or cannot (canPostDeadSmallBlind). */
function chooseDeadSmallBlinds(state: GameState, requested: unknown, posts: ReadonlySet<SeatIndex>): Set<SeatIndex> | null {
  if (requested == null) return new Set();
  if (!Array.isArray(requested)) return null;
  const dead = new Set<SeatIndex>();
  for (const seat of requested) {
    if (typeof seat !== 'number' || !posts.has(seat) || dead.has(seat) || !canPostDeadSmallBlind(state, seat)) return null;
    dead.add(seat);
  }
  return dead;
}

export function startHand(state: GameState, command: StartHand, events: GameEvent[]): RejectionCode | null {
  if (state.street !== 'complete') return 'hand/in_progress';
  if (typeof command.handId !== 'string' || command.handId.length === 0) return 'hand/id_invalid';
  if (!isValidDeck(command.deck)) return 'deck/invalid';
  const dealtIn = state.seats.filter(isDealtIn).length;
  if (dealtIn < 2) return 'hand/not_enough_players';
  const button = chooseButton(state, command.button);
  if (typeof button === 'string') return button;
  const posts = choosePosts(state, command.posts, button);
  if (posts === null) return 'posts/invalid';
  const deadSmallBlinds = chooseDeadSmallBlinds(state, command.deadSmallBlinds, posts);
  if (deadSmallBlinds === null) return 'posts/invalid';

  resetForHand(state, command, button);
  const order = state.dealOrder;
  events.push({
    type: 'hand_started',
    handId: command.handId,
    variant: state.config.variant,
    button,
    smallBlind: state.config.smallBlind,
    bigBlind: state.config.bigBlind,
    ante: state.config.ante,
    seats: order.map((seat) => ({ seat, playerId: state.seats[seat]!.playerId, stack: state.seats[seat]!.stack })),
  });
  postForcedBets(state, events);
  for (const seat of state.dealOrder) {
    if (deadSmallBlinds.has(seat)) postBothBlinds(state, seat, events);
    else if (posts.has(seat)) post(state, seat, 'big_blind', state.config.bigBlind, events);
  }
  dealHoleCards(state, events);
  return null;
}

function resetForHand(state: GameState, command: StartHand, button: SeatIndex): void {
  state.seats.forEach((seat) => {
    if (!seat) return;
    Object.assign(seat, {
      inHand: isDealtIn(seat),
      bet: 0,
      committed: 0,
      returned: 0,
      dead: 0,
      startStack: seat.stack,
      folded: false,
      allIn: false,
      holeCards: [],
      exposed: false,
      acted: false,
      actedAtBet: 0,
    });
  });
  const order = clockwiseFrom(state, button).filter((i) => state.seats[i]?.inHand);
  state.dealOrder = order;
  state.button = button;
  // Heads-up the button is the small blind; the deal order then starts with the big blind.
  state.smallBlindSeat = order.length === 2 ? button : order[0]!;
  state.bigBlindSeat = order.length === 2 ? order[0]! : order[1]!;
  state.handId = command.handId;
  state.handNumber += 1;
  state.street = 'preflop';
  state.board = [];
  state.deck = [...command.deck];
  state.toAct = null;
  state.currentBet = state.config.bigBlind;
  state.lastFullRaise = state.config.bigBlind;
  state.lastAggressor = null;
  state.pots = [];
  state.result = null;
}

function post(state: GameState, index: SeatIndex, kind: PostKind, amount: Chips, events: GameEvent[]): void {
  const seat = state.seats[index]!;
  const paid = Math.min(amount, seat.stack);
  if (paid === 0) return;
  seat.stack -= paid;
  seat.committed += paid;
  // Antes go straight into the pot; blinds are bets on the pre-flop street.
  if (kind !== 'ante') seat.bet += paid;
  seat.allIn = seat.stack === 0;
  events.push({ type: 'blinds_posted', seat: index, kind, amount: paid, allIn: seat.allIn });
}

/** The small blind dead (the seat has more chips than it after its ante, chooseDeadSmallBlinds), then the big blind live, short if need be. */
function postBothBlinds(state: GameState, index: SeatIndex, events: GameEvent[]): void {
  const seat = state.seats[index]!;
  const dead = state.config.smallBlind;
  const live = Math.min(state.config.bigBlind, seat.stack - dead);
  seat.stack -= dead + live;
  seat.committed += dead + live;
  seat.dead += dead;
  seat.bet += live;
  seat.allIn = seat.stack === 0;
  events.push({ type: 'blinds_posted', seat: index, kind: 'small_and_big_blinds', amount: dead + live, allIn: seat.allIn, dead });
}

function postForcedBets(state: GameState, events: GameEvent[]): void {
  const { ante, smallBlind, bigBlind } = state.config;
  if (ante > 0) for (const seat of state.dealOrder) post(state, seat, 'ante', ante, events);
  post(state, state.smallBlindSeat!, 'small_blind', smallBlind, events);
  post(state, state.bigBlindSeat!, 'big_blind', bigBlind, events);
}

function dealHoleCards(state: GameState, events: GameEvent[]): void {
  const order = state.dealOrder;
  const holeCount = holeCardCount(state);
  const hands = holeCardsFromDeck(state.deck!, order.length, holeCount);
  order.forEach((seat, k) => (state.seats[seat]!.holeCards = hands[k]!));
  events.push({ type: 'cards_dealt', seats: [...order], cardCount: holeCount });
  for (const seat of order) {
    const cards = state.seats[seat]!.holeCards.map(cardToString);
    events.push({ type: 'hole_cards', to: seat, seat, cards });
  }
}
