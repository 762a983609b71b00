import type { SeatView } from '@poker';
import type { SeatPlayer } from '@protocol';
import { formatChips } from './money';
import type { TableState } from './tableState';

// What the table page says between hands, read off the view and the seat
// metadata the server already sends (no rules of its own: the table deals a
// hand when at least two seats are in with chips, as the actor's
// `readyPlayers` counts them).

/** A hand needs this many players in with chips. */
export const PLAYERS_PER_HAND_MIN = 2;

export interface WaitingForPlayers {
  /** Players short of a hand. */
  need: number;
  /** Why the seated players who are not dealt in are not ("Bob is sitting out"). */
  notes: string[];
}

/** Null while a hand is live, or when one can be dealt (it is, after the short pause between hands). */
export function waitingForPlayers(state: TableState): WaitingForPlayers | null {
  const view = state.view;
  if (view.street !== 'complete' || state.paused) return null;
  let ready = 0;
  const notes: string[] = [];
  for (let seat = 0; seat < view.config.maxSeats; seat++) {
    const player = state.players.find((p) => p.seat === seat) ?? null;
    const sv = view.seats[seat] ?? null;
    if (player === null && sv === null) continue;
    const you = player !== null && player.userId === state.youUserId;
    const reason = notDealtIn(sv, player, you);
    if (reason === null) ready++;
    else notes.push(`${you ? 'You' : player?.username ?? `Seat ${seat + 1}`} ${reason}`);
  }
  return ready >= PLAYERS_PER_HAND_MIN ? null : { need: PLAYERS_PER_HAND_MIN - ready, notes };
}

function notDealtIn(sv: SeatView | null, player: SeatPlayer | null, you: boolean): string | null {
  if (player?.leaving) return you ? 'are leaving' : 'is leaving';
  if (sv === null) return you ? 'join at the next hand' : 'joins at the next hand';
  if (sv.stack === 0) return you ? 'have no chips' : 'has no chips';
  if (!sv.sittingOut) return null;
  if (player !== null && !player.connected) return you ? 'are disconnected' : 'is disconnected';
  // A table with a game running has no WaitingForPlayers banner, so this only shows when the game stopped.
  if (player?.waitingForBigBlind) return null;
  return you ? 'are sitting out' : 'is sitting out';
}

export function waitingText(waiting: WaitingForPlayers): string {
  return `Waiting for players — need ${waiting.need} more`;
}

/** Seats nobody sits on and nobody holds for a player from the waiting list. */
export function freeSeats(state: TableState): number[] {
  const seats: number[] = [];
  for (let seat = 0; seat < state.view.config.maxSeats; seat++) {
    const taken = state.view.seats[seat] != null || state.players.some((p) => p.seat === seat);
    if (!taken && !state.waitlist.reservedSeats.includes(seat)) seats.push(seat);
  }
  return seats;
}

/** The seat is held for somebody else from the waiting list. */
export function reservedForOther(state: TableState, seat: number): boolean {
  return state.waitlist.reservedSeats.includes(seat) && state.youWaitlist?.offer?.seat !== seat;
}

/** The viewer's seat is out of chips and not in the hand being played: time to buy back in. */
export function isBusted(state: TableState, mySeat: number | null): boolean {
  if (mySeat === null) return false;
  const sv = state.view.seats[mySeat];
  if (!sv || sv.stack > 0) return false;
  const playing = sv.inHand && state.view.street !== 'complete';
  const player = state.players.find((p) => p.seat === mySeat);
  return !playing && !player?.leaving;
}

/**
 * The chips the viewer took back to the wallet when the table closed, as far as the client saw:
 * its seat's `player_left` (a close at the end of the hand), else its seat as it stands, the
 * live hand voided (a close `now` cashes every seat out at its stack before the hand, with no
 * event). Null without a seat.
 */
export function cashOutAtClose(state: TableState): number | null {
  if (state.myCashOut !== null) return state.myCashOut;
  const player = state.players.find((p) => p.userId === state.youUserId);
  if (!player) return null;
  const sv = state.view.seats[player.seat];
  if (!sv) return player.joiningStack ?? null;
  const live = state.view.street !== 'complete' && sv.inHand;
  return sv.stack + (live ? sv.committed : 0);
}

/** What a closed table's page says: that it closed, and what the viewer took home. */
export function closedText(cashedOut: number | null): string {
  return cashedOut !== null && cashedOut > 0 ? `The table is closed. ${formatChips(cashedOut)} chips went back to your wallet.` : 'The table is closed.';
}
