// The table feed: folding a viewer's events onto their view. For every engine step
// `apply(before, command) -> { state: after, events }` and every viewer,
// applyViewEvents(viewFor(before, viewer), eventsFor(events, viewer)) equals
// viewFor(after, viewer) (test/unit/view-feed.test.ts proves it over random sessions), so a
// client that holds a snapshot and the frames after it holds the server's view without
// asking again. One exception: an admin's view of a finished hand shows every hole card
// dealt (hand review), and no event may carry a folded or mucked hand to anyone but its
// owner, so that view only comes from a snapshot.
//
// Isomorphic and pure like the rest of the engine. Views within one step (after some of its
// events) are not views of any state: the result of a hand builds up as its settlement
// events arrive, and only the step's last event completes it.
import { computePots } from './pots';
import type { GameEvent, Pot, SeatIndex } from './types';
import type { ResultView, SeatView, TableView } from './views';

export function applyViewEvent(view: TableView, event: GameEvent): TableView {
  return applyViewEvents(view, [event]);
}

/** Folds the events in order onto a copy of the view; the input is never changed. */
export function applyViewEvents(view: TableView, events: readonly GameEvent[]): TableView {
  const next = cloneView(view);
  for (const event of events) foldEvent(next, event);
  next.pots = next.street === 'complete' ? [] : collectedPots(next);
  return next;
}

/** The events that open a command: exactly one per accepted command, so one per seq. */
const OPENS_COMMAND: ReadonlySet<GameEvent['type']> = new Set<GameEvent['type']>([
  'player_sat',
  'player_left',
  'chips_added',
  'sat_out',
  'sat_in',
  'hand_started',
  'action',
  'run_out',
  'cards_shown',
]);

function cloneView(view: TableView): TableView {
  return {
    ...view,
    seats: view.seats.map((s) => (s === null ? null : { ...s })),
    board: view.board.slice(),
    pots: view.pots.map((p) => ({ ...p, eligible: p.eligible.slice() })),
    result: view.result === null ? null : structuredClone(view.result),
  };
}

function foldEvent(v: TableView, e: GameEvent): void {
  if (OPENS_COMMAND.has(e.type)) v.seq += 1;
  switch (e.type) {
    case 'player_sat':
      v.seats[e.seat] = emptySeat(v, e.seat, e.playerId, e.stack);
      return;
    case 'player_left':
      v.seats[e.seat] = null;
      return;
    case 'chips_added':
      seatOf(v, e.seat).stack = e.stack;
      return;
    case 'sat_out':
    case 'sat_in':
      seatOf(v, e.seat).sittingOut = e.type === 'sat_out';
      return;
    case 'hand_started':
      return startHand(v, e);
    case 'blinds_posted': {
      const seat = seatOf(v, e.seat);
      seat.stack -= e.amount;
      seat.committed += e.amount;
      // Antes go straight into the pot; blinds are bets on the pre-flop street.
      if (e.kind !== 'ante') seat.bet += e.amount;
      seat.allIn = e.allIn;
      return;
    }
    case 'cards_dealt':
      for (const i of e.seats) seatOf(v, i).cardCount = e.cardCount;
      return;
    case 'hole_cards':
    case 'hand_shown':
      seatOf(v, e.seat).holeCards = e.cards;
      if (e.type === 'hand_shown') draftResult(v).shown.push({ seat: e.seat, cards: e.cards, category: e.category, name: e.name });
      return;
    case 'hands_exposed':
      // The betting is over for the hand: its bets are collected, as the engine did just
      // before. (Unpaced, the street_dealt or hand_complete that follows would do it too; a
      // paced run-out stops here until its next street.)
      closeBetting(v);
      for (const h of e.hands) seatOf(v, h.seat).holeCards = h.cards;
      return;
    case 'cards_shown':
      seatOf(v, e.seat).holeCards = e.cards;
      return;
    case 'to_act':
      v.toAct = e.seat;
      // Only the owner of a seat sees its hole cards while it may still act (hands are
      // exposed only once nobody can bet), so this is how a view knows whose it is.
      v.legal = seatOf(v, e.seat).holeCards !== null ? e.legal : null;
      return;
    case 'action':
      return act(v, e);
    case 'uncalled_returned':
      return returnUncalled(v, e.seat, e.amount);
    case 'street_dealt':
      return dealStreet(v, e.street, e.board);
    case 'hand_mucked':
      draftResult(v).mucked.push(e.seat);
      return;
    case 'rake_taken':
      draftResult(v).rake = e.amount;
      return;
    case 'pot_awarded':
      return awardPot(v, e);
    case 'hand_complete':
      return completeHand(v, e);
  }
}

function seatOf(v: TableView, seat: SeatIndex): SeatView {
  const s = v.seats[seat];
  if (!s) throw new Error(`event for empty seat ${seat}: the view is out of step with the table`);
  return s;
}

function emptySeat(v: TableView, seat: SeatIndex, playerId: string, stack: number): SeatView {
  const fresh: SeatView = { seat, playerId, stack, bet: 0, committed: 0, inHand: false, folded: false, allIn: false, sittingOut: false, cardCount: 0, holeCards: null };
  if (isPaced(v)) fresh.returned = 0;
  return fresh;
}

/** config.pacedRunOut: seat views carry their returned chips (see SeatView.returned). */
function isPaced(v: TableView): boolean {
  return v.config.pacedRunOut === true;
}

/** Seats dealt in, not folded, with chips behind: the ones that can still bet. */
function canStillBet(s: SeatView | null): boolean {
  return s !== null && s.inHand && !s.folded && !s.allIn;
}

function startHand(v: TableView, e: Extract<GameEvent, { type: 'hand_started' }>): void {
  const dealt = new Set(e.seats.map((s) => s.seat));
  for (const s of v.seats) {
    if (!s) continue;
    Object.assign(s, { bet: 0, committed: 0, inHand: dealt.has(s.seat), folded: false, allIn: false, cardCount: 0, holeCards: null });
    if (isPaced(v)) s.returned = 0;
  }
  // The deal order runs clockwise from the first seat left of the button; heads-up the
  // button posts the small blind (docs/decisions/003-blinds-and-button.md).
  const order = e.seats.map((s) => s.seat);
  const headsUp = order.length === 2;
  v.handId = e.handId;
  v.handNumber += 1;
  v.street = 'preflop';
  v.button = e.button;
  v.smallBlindSeat = headsUp ? e.button : order[0]!;
  v.bigBlindSeat = headsUp ? order[0]! : order[1]!;
  v.board = [];
  v.currentBet = e.bigBlind;
  v.lastFullRaise = e.bigBlind;
  v.toAct = null;
  v.legal = null;
  v.result = null;
}

/** A bet above the street's level raises it; a raise of at least the last full one sets the new minimum. */
function act(v: TableView, e: Extract<GameEvent, { type: 'action' }>): void {
  const seat = seatOf(v, e.seat);
  if (e.action === 'fold') seat.folded = true;
  seat.stack -= e.amount;
  seat.committed += e.amount;
  seat.bet = e.betTo;
  seat.allIn = e.allIn;
  if (e.betTo > v.currentBet) {
    v.lastFullRaise = Math.max(v.lastFullRaise, e.betTo - v.currentBet);
    v.currentBet = e.betTo;
  }
  v.toAct = null;
  v.legal = null;
}

/** This street's bet goes back first; the rest comes out of what earlier streets collected. */
function returnUncalled(v: TableView, index: SeatIndex, amount: number): void {
  const seat = seatOf(v, index);
  seat.bet -= Math.min(seat.bet, amount);
  seat.committed -= amount;
  seat.stack += amount;
  seat.allIn = false;
  // A paced run-out settles in a later step: the seat view keeps the amount.
  if (isPaced(v)) {
    seat.returned = (seat.returned ?? 0) + amount;
    return;
  }
  // Chips come back only once the betting is over for the hand, in the step that settles
  // it: the draft result keeps them until hand_complete lists the seats.
  draftResult(v).seats.push({ seat: index, playerId: seat.playerId, startStack: 0, contributed: 0, returned: amount, won: 0, endStack: 0 });
}

function closeBetting(v: TableView): void {
  for (const s of v.seats) if (s) s.bet = 0;
  v.currentBet = 0;
  v.toAct = null;
  v.legal = null;
}

function dealStreet(v: TableView, street: 'flop' | 'turn' | 'river', board: string[]): void {
  closeBetting(v);
  v.board = board.slice();
  v.street = street;
  // A street with a betting round starts with the big blind as the minimum bet; without
  // one (fewer than two can bet) the last street's minimum stays, as in the engine.
  if (v.seats.filter(canStillBet).length >= 2) v.lastFullRaise = v.config.bigBlind;
}

/** Main and side pots from what each seat put in: on finished streets, or (bets: true) in the whole hand. */
function collectedPots(v: TableView, bets = false): Pot[] {
  return computePots(
    v.seats.flatMap((s) =>
      s && s.inHand ? [{ seat: s.seat, amount: s.committed - (bets ? 0 : s.bet), folded: s.folded, allIn: s.allIn }] : [],
    ),
  );
}

/** The result of the hand as its settlement events arrive; hand_complete finishes it. */
function draftResult(v: TableView): ResultView {
  v.result ??= { handId: v.handId!, endedBy: 'fold', board: [], rake: 0, seats: [], pots: [], shown: [], mucked: [] };
  return v.result;
}

/** The pots are those of the whole hand's contributions; what the winners got is the pot less its rake. */
function awardPot(v: TableView, e: Extract<GameEvent, { type: 'pot_awarded' }>): void {
  const pot = collectedPots(v, true)[e.potIndex];
  if (!pot) throw new Error(`pot ${e.potIndex} does not exist: the view is out of step with the table`);
  for (const w of e.winners) seatOf(v, w.seat).stack += w.amount;
  const winners = e.winners.map((w) => ({ ...w }));
  draftResult(v).pots[e.potIndex] = { amount: pot.amount, eligible: pot.eligible, rake: pot.amount - e.amount, winners, handName: e.handName };
}

function completeHand(v: TableView, e: Extract<GameEvent, { type: 'hand_complete' }>): void {
  closeBetting(v);
  const draft = draftResult(v);
  const won = (seat: SeatIndex) => draft.pots.reduce((sum, p) => sum + p.winners.reduce((w, x) => w + (x.seat === seat ? x.amount : 0), 0), 0);
  // hand_complete lists the seats dealt in, in deal order, as the result does.
  const seats = e.stacks.map(({ seat: index, stack }) => {
    const seat = seatOf(v, index);
    seat.stack = stack;
    const returned = isPaced(v) ? seat.returned ?? 0 : draft.seats.reduce((sum, s) => sum + (s.seat === index ? s.returned : 0), 0);
    const gained = won(index);
    return {
      seat: index,
      playerId: seat.playerId,
      startStack: stack + seat.committed - gained,
      contributed: seat.committed + returned,
      returned,
      won: gained,
      endStack: stack,
    };
  });
  v.result = {
    ...draft,
    handId: e.handId,
    endedBy: draft.shown.length > 0 ? 'showdown' : 'fold',
    board: v.board.slice(),
    seats,
  };
  v.street = 'complete';
}
