// The deal convention: which deck position each dealt card comes from.
//
// The deck is an array of 52 cards, index 0 dealt first. `order` is the list of seats
// dealt in, clockwise, starting with the first dealt-in seat left of the button
// (heads-up: the big blind, i.e. the non-button, first); n = order.length and
// h = hole cards per player (2 in NLHE, 4 in PLO).
//
//   hole card `round` (0..h-1) of player order[k]  = deck[round * n + k]
//   with b = n * h:
//     burn deck[b], flop deck[b+1..b+3], burn deck[b+4], turn deck[b+5],
//     burn deck[b+6], river deck[b+7]
//
// The game engine deals with these functions and the fairness verifier checks with
// them, so a published seed lets anyone re-derive every card of a hand.

import type { Card } from './cards.js';

export type Variant = 'NLHE' | 'PLO';

export const HOLE_CARDS_BY_VARIANT: Readonly<Record<Variant, number>> = { NLHE: 2, PLO: 4 };

/** Players at most at one table; with 4 hole cards 10 players use 40 + 8 = 48 cards. */
export const DEALT_PLAYERS_MAX = 10;

export interface BoardIndexes {
  readonly flop: readonly [number, number, number];
  readonly turn: number;
  readonly river: number;
  /** Burn positions, before the flop, the turn and the river. */
  readonly burns: readonly [number, number, number];
}

function checkDealSize(players: number, holeCards: number): void {
  if (!Number.isInteger(players) || players < 2 || players > DEALT_PLAYERS_MAX) {
    throw new RangeError(`players must be 2..${DEALT_PLAYERS_MAX}, got ${players}`);
  }
  if (!Number.isInteger(holeCards) || holeCards < 1 || players * holeCards + 8 > 52) {
    throw new RangeError(`cannot deal ${holeCards} hole cards to ${players} players`);
  }
}

/** Deck index of hole card `round` of the player at position `k` of the deal order. */
export function holeCardIndex(players: number, holeCards: number, k: number, round: number): number {
  checkDealSize(players, holeCards);
  if (!Number.isInteger(k) || k < 0 || k >= players) throw new RangeError(`bad order position ${k}`);
  if (!Number.isInteger(round) || round < 0 || round >= holeCards) throw new RangeError(`bad round ${round}`);
  return round * players + k;
}

/** Deck indexes of the board cards (and burns) for n players with h hole cards each. */
export function boardIndexes(players: number, holeCards: number): BoardIndexes {
  checkDealSize(players, holeCards);
  const b = players * holeCards;
  return {
    flop: [b + 1, b + 2, b + 3],
    turn: b + 5,
    river: b + 7,
    burns: [b, b + 4, b + 6],
  };
}

/** Deck indexes of the 5 board cards in board order (flop, flop, flop, turn, river). */
export function boardCardIndexes(players: number, holeCards: number): number[] {
  const { flop, turn, river } = boardIndexes(players, holeCards);
  return [flop[0], flop[1], flop[2], turn, river];
}

/** Hole cards of each player, indexed by position in the deal order. */
export function dealHoleCards(deck: readonly Card[], players: number, holeCards: number): Card[][] {
  checkDealSize(players, holeCards);
  const hands: Card[][] = [];
  for (let k = 0; k < players; k++) {
    const hand: Card[] = [];
    for (let round = 0; round < holeCards; round++) hand.push(deck[round * players + k]!);
    hands.push(hand);
  }
  return hands;
}

/** The first `count` board cards (0, 3, 4 or 5) that the convention deals from `deck`. */
export function dealBoard(deck: readonly Card[], players: number, holeCards: number, count = 5): Card[] {
  return boardCardIndexes(players, holeCards)
    .slice(0, count)
    .map((i) => deck[i]!);
}
