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
//
// Every client runs this fold on every frame, so it copies on write: the new view shares
// with the one it came from each seat, the board and the result that the events leave
// alone, and copies a seat or the result the first time an event changes it. So views are
// immutable below their top level (the table feed only sets `legal` on a new one).
import { computePots, type Contribution } from './pots';
import type { GameEvent, Pot, SeatIndex } from './types';
import type { ResultView, SeatView, TableView } from './views';

export function applyViewEvent(view: TableView, event: GameEvent): TableView {
  return applyViewEvents(view, [event]);
}

/** Folds the events in order onto a copy of the view; the input is never changed. */
export function applyViewEvents(view: TableView, events: readonly GameEvent[]): TableView {
  // The pots are recomputed below and the board is only ever replaced, so neither is copied.
  const f: Fold = { input: view, next: { ...view, seats: view.seats.slice() } };
  for (const event of events) foldEvent(f, event);
  f.next.pots = f.next.street === 'complete' ? [] : collectedPots(f.next);
  return f.next;
}

/**
 * One call's fold: the view it builds and the caller's. A seat or result of `next` that is
 * still the caller's object must be copied before it is written (see own, draftResult).
 */
interface Fold {
  readonly input: TableView;
  readonly next: TableView;
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

function foldEvent(f: Fold, e: GameEvent): void {
  const v = f.next;
  if (OPENS_COMMAND.has(e.type)) v.seq += 1;
  switch (e.type) {
    case 'player_sat':
      v.seats[e.seat] = emptySeat(v, e.seat, e.playerId, e.stack);
      return;
    case 'player_left':
      v.seats[e.seat] = null;
      return;
    case 'chips_added':
      own(f, e.seat).stack = e.stack;
      return;
    case 'sat_out':
    case 'sat_in':
      own(f, e.seat).sittingOut = e.type === 'sat_out';
      return;
    case 'hand_started':
      return startHand(f, e);
    case 'blinds_posted': {
      const seat = own(f, e.seat);
      seat.stack -= e.amount;
      seat.committed += e.amount;
      // Antes go straight into the pot; blinds are bets on the pre-flop street, but for a dead small blind.
      if (e.kind !== 'ante') seat.bet += e.amount - (e.dead ?? 0);
      if (e.dead) seat.dead = (seat.dead ?? 0) + e.dead;
      seat.allIn = e.allIn;
      return;
    }
    case 'cards_dealt':
      for (const i of e.seats) own(f, i).cardCount = e.cardCount;
      return;
    case 'hole_cards':
    case 'hand_shown':
      own(f, e.seat).holeCards = e.cards;
      if (e.type === 'hand_shown') draftResult(f).shown.push({ seat: e.seat, cards: e.cards, category: e.category, name: e.name });
      return;
    case 'hands_exposed':
      // The betting is over for the hand: its bets are collected, as the engine did just
      // before. (Unpaced, the street_dealt or hand_complete that follows would do it too; a
      // paced run-out stops here until its next street.)
      closeBetting(f);
      for (const h of e.hands) own(f, h.seat).holeCards = h.cards;
      return;
    case 'cards_shown':
      own(f, e.seat).holeCards = e.cards;
      return;
    case 'to_act':
      v.toAct = e.seat;
      // Only the owner of a seat sees its hole cards while it may still act (hands are
      // exposed only once nobody can bet), so this is how a view knows whose it is.
      v.legal = seatOf(v, e.seat).holeCards !== null ? e.legal : null;
      return;
    case 'action':
      return act(f, e);
    case 'uncalled_returned':
      return returnUncalled(f, e.seat, e.amount);
    case 'street_dealt':
      return dealStreet(f, e.street, e.board);
    case 'hand_mucked':
      draftResult(f).mucked.push(e.seat);
      return;
    case 'rake_taken':
      draftResult(f).rake = e.amount;
      return;
    case 'pot_awarded':
      return awardPot(f, e);
    case 'hand_complete':
      return completeHand(f, e);
  }
}

function seatOf(v: TableView, seat: SeatIndex): SeatView {
  const s = v.seats[seat];
  if (!s) throw new Error(`event for empty seat ${seat}: the view is out of step with the table`);
  return s;
}

/** The seat, to write: copied first if it is still the caller's object. */
function own(f: Fold, seat: SeatIndex): SeatView {
  const s = seatOf(f.next, seat);
  if (s !== f.input.seats[seat]) return s;
  return (f.next.seats[seat] = { ...s });
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

function startHand(f: Fold, e: Extract<GameEvent, { type: 'hand_started' }>): void {
  const v = f.next;
  const dealt = new Set(e.seats.map((s) => s.seat));
  v.seats.forEach((seat, i) => {
    if (!seat) return;
    const s = own(f, i);
    Object.assign(s, { bet: 0, committed: 0, inHand: dealt.has(s.seat), folded: false, allIn: false, cardCount: 0, holeCards: null });
    delete s.dead;
    if (isPaced(v)) s.returned = 0;
  });
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
function act(f: Fold, e: Extract<GameEvent, { type: 'action' }>): void {
  const v = f.next;
  const seat = own(f, e.seat);
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
function returnUncalled(f: Fold, index: SeatIndex, amount: number): void {
  const seat = own(f, index);
  seat.bet -= Math.min(seat.bet, amount);
  seat.committed -= amount;
  seat.stack += amount;
  seat.allIn = false;
  // A paced run-out settles in a later step: the seat view keeps the amount.
  if (isPaced(f.next)) {
    seat.returned = (seat.returned ?? 0) + amount;
    return;
  }
  // Chips come back only once the betting is over for the hand, in the step that settles
  // it: the draft result keeps them until hand_complete lists the seats.
  draftResult(f).seats.push({ seat: index, playerId: seat.playerId, startStack: 0, contributed: 0, returned: amount, won: 0, endStack: 0 });
}

function closeBetting(f: Fold): void {
  const v = f.next;
  // Most seats have no bet left to collect: only those with one are copied.
  v.seats.forEach((s, i) => {
    if (s && s.bet !== 0) own(f, i).bet = 0;
  });
  v.currentBet = 0;
  v.toAct = null;
  v.legal = null;
}

function dealStreet(f: Fold, street: 'flop' | 'turn' | 'river', board: string[]): void {
  const v = f.next;
  closeBetting(f);
  v.board = board.slice();
  v.street = street;
  // A street with a betting round starts with the big blind as the minimum bet; without
  // one (fewer than two can bet) the last street's minimum stays, as in the engine.
  if (v.seats.filter(canStillBet).length >= 2) v.lastFullRaise = v.config.bigBlind;
}

/** Main and side pots from what each seat put in: on finished streets, or (bets: true) in the whole hand. */
function collectedPots(v: TableView, bets = false): Pot[] {
  const contributions: Contribution[] = [];
  for (const s of v.seats) {
    if (s && s.inHand) contributions.push({ seat: s.seat, amount: s.committed - (bets ? 0 : s.bet), folded: s.folded, allIn: s.allIn, dead: s.dead ?? 0 });
  }
  return computePots(contributions);
}

/** The result of the hand as its settlement events arrive, to write; hand_complete finishes it. */
function draftResult(f: Fold): ResultView {
  const v = f.next;
  v.result ??= { handId: v.handId!, endedBy: 'fold', board: [], rake: 0, seats: [], pots: [], shown: [], mucked: [] };
  if (v.result !== f.input.result) return v.result;
  // The caller's draft (one event at a time): its lists are appended to or written by
  // index, their items only ever replaced, so copying the lists is enough.
  const r = v.result;
  return (v.result = { ...r, seats: r.seats.slice(), pots: r.pots.slice(), shown: r.shown.slice(), mucked: r.mucked.slice() });
}

/** The pots are those of the whole hand's contributions; what the winners got is the pot less its rake. */
function awardPot(f: Fold, e: Extract<GameEvent, { type: 'pot_awarded' }>): void {
  const pot = collectedPots(f.next, true)[e.potIndex];
  if (!pot) throw new Error(`pot ${e.potIndex} does not exist: the view is out of step with the table`);
  for (const w of e.winners) own(f, w.seat).stack += w.amount;
  const winners = e.winners.map((w) => ({ ...w }));
  draftResult(f).pots[e.potIndex] = { amount: pot.amount, eligible: pot.eligible, rake: pot.amount - e.amount, winners, handName: e.handName };
}

function completeHand(f: Fold, e: Extract<GameEvent, { type: 'hand_complete' }>): void {
  const v = f.next;
  closeBetting(f);
  const draft = draftResult(f);
  const won = (seat: SeatIndex) => draft.pots.reduce((sum, p) => sum + p.winners.reduce((w, x) => w + (x.seat === seat ? x.amount : 0), 0), 0);
  // hand_complete lists the seats dealt in, in deal order, as the result does.
  const seats = e.stacks.map(({ seat: index, stack }) => {
    const seat = own(f, index);
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
