// Who enters the next hand and where its button goes, so that nobody skips the big blind
// (docs/decisions/029-nobody-skips-the-big-blind.md; it builds on the moving button of
// decision 003, which `start_hand` still applies when no button is given).
//
// - A seat *waiting for the big blind* (it joined a game already running, or it sits in
//   after missing a blind) is held out of the deal until the hand in which it would post
//   the big blind; then it enters and posts it. One such seat enters per hand.
// - Going heads-up, the player who posted the last big blind takes the button (the small
//   blind), so nobody posts the big blind twice in a row (the TDA's heads-up rule). Heads-up
//   play goes on alternating as before: the last big blind is always the next button. So it
//   does whenever the moving button would make the last big blind post it again (a game that
//   re-forms around it, three or more dealt in at once: `tableButtonFor`).
// - A table that is not running a game (fewer than two seats playing) deals every waiting
//   seat in at once: there is no blind to wait for.
// - "Post now" (decision 034): a waiting seat that chose to post enters the next hand with a
//   live big blind of its own, wherever it sits except on the button or in a blind (between
//   the button and the big blind it waits: there it would take a blind from someone else).
//   If the big blind is its own in that hand, it enters as any waiting seat, posting it.
//
// Pure: the table actor keeps the waiting seats (held out as `sittingOut` in the engine),
// sits the `dealIn` seats in, and passes `button` to `start_hand`.
import { clockwiseFrom, isDealtIn } from './legal';
import type { GameState, SeatIndex } from './types';

export interface NextHand {
  button: SeatIndex;
  /** Waiting seats that enter this hand (sit them in before `start_hand`), posters included. */
  dealIn: SeatIndex[];
  /** Of those, the seats that post a big blind out of position (`start_hand`'s `posts`). */
  posts: SeatIndex[];
}

export interface Blinds {
  smallBlind: SeatIndex;
  bigBlind: SeatIndex;
}

/** The blinds of a hand dealt to `seats` with the button on `button` (the engine's rule: heads-up the button posts the small blind). */
export function blindsFor(state: GameState, seats: ReadonlySet<SeatIndex>, button: SeatIndex): Blinds {
  const order = clockwiseFrom(state, button).filter((seat) => seats.has(seat));
  if (order.length < 2) throw new Error('blindsFor: fewer than two seats');
  return order.length === 2 ? { smallBlind: button, bigBlind: order[0]! } : { smallBlind: order[0]!, bigBlind: order[1]! };
}

/** The moving button over `seats`, adjusted heads-up so that the last big blind does not post it again. */
export function buttonFor(state: GameState, seats: ReadonlySet<SeatIndex>): SeatIndex {
  const lastBigBlind = state.button === null ? null : state.bigBlindSeat;
  if (seats.size === 2 && lastBigBlind !== null && seats.has(lastBigBlind)) return lastBigBlind;
  const from = state.button ?? state.config.maxSeats - 1;
  return clockwiseFrom(state, from).find((seat) => seats.has(seat))!;
}

/**
 * The table's button over `seats` (decision 029, amended): the engine's `buttonFor`, except where
 * that makes the last big blind post it again, which happens when a game re-forms around it
 * (the seats that waited for the big blind all dealt in at once because the others left): then
 * the last big blind takes the button, as going heads-up. The engine's own default (`start_hand`
 * naming no button) keeps the plain moving button, so hands stored without a button replay as dealt.
 */
export function tableButtonFor(state: GameState, seats: ReadonlySet<SeatIndex>): SeatIndex {
  const moving = buttonFor(state, seats);
  const lastBigBlind = state.button === null ? null : state.bigBlindSeat;
  if (lastBigBlind === null || !seats.has(lastBigBlind) || seats.size < 3) return moving;
  return blindsFor(state, seats, moving).bigBlind === lastBigBlind ? lastBigBlind : moving;
}

/**
 * The next hand's button and the waiting seats that enter it, or null when fewer than two
 * seats could be dealt in. `waiting`: seats held out until their big blind (with chips);
 * `posting`: those of them that post a big blind to enter at once where they may.
 */
export function planNextHand(state: GameState, waiting: ReadonlySet<SeatIndex>, posting: ReadonlySet<SeatIndex> = new Set()): NextHand | null {
  const seats = state.seats;
  const active = new Set<SeatIndex>(seats.flatMap((s, i) => (isDealtIn(s) ? [i] : [])));
  const waitingWithChips = [...waiting].filter((i) => seats[i] != null && seats[i]!.stack > 0 && !active.has(i));
  if (active.size < 2) {
    const all = new Set([...active, ...waitingWithChips]);
    if (all.size < 2) return null;
    return { button: tableButtonFor(state, all), dealIn: waitingWithChips.sort((a, b) => a - b), posts: [] };
  }
  const button = tableButtonFor(state, active);
  const enters = clockwiseFrom(state, button).find((seat) => waitingWithChips.includes(seat) && blindsFor(state, new Set([...active, seat]), button).bigBlind === seat);
  const dealt = new Set(enters === undefined ? active : [...active, enters]);
  const blinds = blindsFor(state, dealt, button);
  // A poster enters only where it leaves the button and both blinds where they are.
  const posts: SeatIndex[] = [];
  for (const seat of clockwiseFrom(state, button)) {
    if (!posting.has(seat) || !waitingWithChips.includes(seat) || dealt.has(seat)) continue;
    const withIt = blindsFor(state, new Set([...dealt, seat]), button);
    if (withIt.smallBlind !== blinds.smallBlind || withIt.bigBlind !== blinds.bigBlind) continue;
    dealt.add(seat);
    posts.push(seat);
  }
  return { button, dealIn: [...(enters === undefined ? [] : [enters]), ...posts], posts };
}

/**
 * The blind a seat held out of the hand being dealt to `dealt` (button `button`) misses by it:
 * the one it would have posted, dealt in; null when none. (A missed small blind is posted dead
 * by a player who comes back posting, decision 035.)
 */
export function missedBlind(state: GameState, dealt: ReadonlySet<SeatIndex>, button: SeatIndex, seat: SeatIndex): 'small_blind' | 'big_blind' | null {
  if (dealt.has(seat) || seat === button) return null;
  const blinds = blindsFor(state, new Set([...dealt, seat]), button);
  return blinds.smallBlind === seat ? 'small_blind' : blinds.bigBlind === seat ? 'big_blind' : null;
}
