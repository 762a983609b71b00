// Helpers for engine tests: tables from a list of stacks, decks that put given cards where
// the deal convention deals them, and a compact way to play actions.
import { expect } from 'vitest';
import { parseCards, type Card } from '../../server/poker/cards';
import { boardCardIndexes, holeCardIndex } from '../../server/poker/deal';
import { apply, createGame } from '../../server/poker/game';
import type { Command, GameConfigInput, GameEvent, GameState } from '../../server/poker/types';

export const NLHE: GameConfigInput = { variant: 'NLHE', maxSeats: 6, smallBlind: 50, bigBlind: 100 };
export const PLO: Partial<GameConfigInput> = { variant: 'PLO' };

/** A table with players p<seat> sitting at the seats that have a stack (null = empty seat). */
export function table(stacks: (number | null)[], config: Partial<GameConfigInput> = {}): GameState {
  let state = createGame({ ...NLHE, maxSeats: Math.max(stacks.length, 2), ...config });
  stacks.forEach((stack, seat) => {
    if (stack !== null) state = ok(state, { type: 'sit', seat, playerId: `p${seat}`, stack });
  });
  return state;
}

/**
 * A deck dealing `holes[seat]` to each seat and `board` (up to 5 cards) as flop, turn, river;
 * all other cards fill the remaining positions in their natural order. Every dealt-in seat
 * must be listed so the deal order (clockwise from left of the button) is known.
 */
export function makeDeck(holes: Record<number, string>, board: string, button: number, maxSeats: number): Card[] {
  const seats = Object.keys(holes).map(Number);
  const order = seats.sort((a, b) => ((a - button - 1 + maxSeats) % maxSeats) - ((b - button - 1 + maxSeats) % maxSeats));
  const hands = order.map((s) => parseCards(holes[s]!));
  const holeCount = hands[0]!.length;
  const deck: (Card | undefined)[] = new Array(52).fill(undefined);
  hands.forEach((cards, k) => cards.forEach((card, round) => (deck[holeCardIndex(order.length, holeCount, k, round)] = card)));
  const boardCards = parseCards(board);
  boardCardIndexes(order.length, holeCount).forEach((p, i) => {
    if (boardCards[i] !== undefined) deck[p] = boardCards[i];
  });
  const used = new Set(deck.filter((c) => c !== undefined));
  if (used.size !== deck.filter((c) => c !== undefined).length) throw new Error('makeDeck: duplicate card');
  const rest = Array.from({ length: 52 }, (_, i) => i as Card).filter((c) => !used.has(c));
  return deck.map((c) => c ?? rest.shift()!);
}

export function ok(state: GameState, command: Command): GameState {
  return okWithEvents(state, command).state;
}

export function okWithEvents(state: GameState, command: Command): { state: GameState; events: GameEvent[] } {
  const result = apply(state, command);
  if (!result.ok) throw new Error(`${JSON.stringify(command)} rejected: ${result.rejection.code}`);
  return { state: result.state, events: result.events };
}

export function rejectCode(state: GameState, command: Command): string {
  const result = apply(state, command);
  if (result.ok) throw new Error(`${JSON.stringify(command)} was accepted`);
  return result.rejection.code;
}

/** Starts a hand with the cards given per seat and the board. */
export function deal(
  state: GameState,
  holes: Record<number, string>,
  board: string,
  button: number,
  handId = 'h1',
): GameState {
  const deck = makeDeck(holes, board, button, state.config.maxSeats);
  return ok(state, { type: 'start_hand', handId, deck, button });
}

/** Parses "fold", "check", "call", "allin", "bet 200", "raise 300" into an act for the seat to act. */
export function actionFor(state: GameState, text: string): Command {
  const [word, amount] = text.split(' ');
  const action = word === 'allin' ? 'all_in' : word;
  const seat = state.toAct;
  if (seat === null) throw new Error(`nobody to act for "${text}"`);
  return { type: 'act', seat, action: action as 'fold', ...(amount ? { amount: Number(amount) } : {}) };
}

/** Plays the actions in order, each by the seat to act. */
export function play(state: GameState, ...actions: string[]): GameState {
  return actions.reduce((s, text) => ok(s, actionFor(s, text)), state);
}

export function stacks(state: GameState): (number | null)[] {
  return state.seats.map((s) => (s ? s.stack : null));
}

export function expectStacks(state: GameState, expected: (number | null)[]): void {
  expect(state.street).toBe('complete');
  expect(stacks(state)).toEqual(expected);
}
