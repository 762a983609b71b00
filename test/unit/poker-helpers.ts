// Helpers for engine tests: tables from a list of stacks, decks that put given cards where
// the deal convention deals them, a compact way to play actions, and the generators of the
// random sessions the property tests play.
import fc from 'fast-check';
import { expect } from 'vitest';
import { parseCards, type Card } from '../../server/poker/cards';
import { boardCardIndexes, holeCardIndex } from '../../server/poker/deal';
import { apply, createGame } from '../../server/poker/game';
import { canPostDeadSmallBlind } from '../../server/poker/game-hand';
import type { Command, GameConfigInput, GameEvent, GameState, LegalActions, Variant } from '../../server/poker/types';

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

// ---- random sessions (property tests) ----------------------------------------------------

/** Small deterministic generator so one fast-check integer drives a whole session. */
export function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) | 0;
  };
}

export const BLINDS = [
  [1, 2],
  [5, 10],
  [50, 100],
  [25, 50],
] as const;

export interface Table {
  variant: Variant;
  maxSeats: number;
  blinds: number;
  ante: boolean;
  rake: boolean;
  occupied: boolean[];
  stacks: number[];
  seed: number;
}

export const tableArb = (variant: Variant): fc.Arbitrary<Table> =>
  fc.integer({ min: 2, max: 10 }).chain((maxSeats) =>
    fc.record({
      variant: fc.constant(variant),
      maxSeats: fc.constant(maxSeats),
      blinds: fc.integer({ min: 0, max: BLINDS.length - 1 }),
      ante: fc.boolean(),
      rake: fc.boolean(),
      occupied: fc.array(fc.boolean(), { minLength: maxSeats, maxLength: maxSeats }),
      stacks: fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 100, max: 20_000 })), {
        minLength: maxSeats,
        maxLength: maxSeats,
      }),
      seed: fc.integer(),
    }),
  );

/**
 * Players posting to enter a random hand out of position (decision 034): the seats neither on
 * the button nor in a blind of the deal `deck` would make, each with a chance of one in two,
 * when at least `minSeats` are dealt in; half of those with more chips than the ante and the
 * small blind also post the small blind they missed, dead (decision 035). The fields to spread
 * into `start_hand` (none when nobody posts).
 */
export function randomPosts(
  state: GameState,
  handId: string,
  deck: Card[],
  random: (n: number) => number,
  minSeats = 4,
): { posts?: number[]; deadSmallBlinds?: number[] } {
  const probe = apply(state, { type: 'start_hand', handId, deck });
  if (!probe.ok || probe.state.dealOrder.length < minSeats) return {};
  const p = probe.state;
  const posts = p.dealOrder.filter((seat) => seat !== p.button && seat !== p.smallBlindSeat && seat !== p.bigBlindSeat && random(2) === 0);
  const deadSmallBlinds = posts.filter((seat) => canPostDeadSmallBlind(state, seat) && random(2) === 0);
  return { ...(posts.length > 0 ? { posts } : {}), ...(deadSmallBlinds.length > 0 ? { deadSmallBlinds } : {}) };
}

export function shuffledDeck(random: (n: number) => number): Card[] {
  const deck = Array.from({ length: 52 }, (_, i) => i as Card);
  for (let i = deck.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  return deck;
}

export function chipsOnTable(state: GameState): number {
  return state.seats.reduce((t, s) => t + (s ? s.stack + (state.street !== 'complete' && s.inHand ? s.committed : 0) : 0), 0);
}

/** A random amount in [min, max], often one of the ends. */
export function amountIn(random: (n: number) => number, min: number, max: number): number {
  const pick = random(4);
  if (pick === 0) return min;
  if (pick === 1) return max;
  return min + random(max - min + 1);
}

export function legalCommand(state: GameState, seat: number, legal: LegalActions, random: (n: number) => number): Command {
  const options: Command[] = [{ type: 'act', seat, action: 'fold' }];
  if (legal.canCheck) options.push({ type: 'act', seat, action: 'check' }, { type: 'act', seat, action: 'check' });
  if (legal.canCall) options.push({ type: 'act', seat, action: 'call' }, { type: 'act', seat, action: 'call' });
  if (legal.canAllIn) options.push({ type: 'act', seat, action: 'all_in' });
  if (legal.minBet !== undefined) options.push({ type: 'act', seat, action: 'bet', amount: amountIn(random, legal.minBet, legal.maxBet!) });
  if (legal.minRaiseTo !== undefined) {
    options.push({ type: 'act', seat, action: 'raise', amount: amountIn(random, legal.minRaiseTo, legal.maxRaiseTo!) });
  }
  if (random(20) === 0) options.push({ type: 'timeout', seat });
  if (random(30) === 0) options.push({ type: 'sit_out', seat });
  const command = options[random(options.length)]!;
  return random(3) === 0 && command.type === 'act' ? { ...command, expectedSeq: state.seq } : command;
}

/** The game configuration a random table stands for: its blinds, an ante of half the small blind, 5% rake capped at 3 big blinds. */
export function configFor(t: Table): GameConfigInput {
  const [smallBlind, bigBlind] = BLINDS[t.blinds]!;
  return {
    variant: t.variant,
    maxSeats: t.maxSeats,
    smallBlind,
    bigBlind,
    ante: t.ante ? Math.max(1, Math.floor(smallBlind / 2)) : 0,
    rake: t.rake ? { percentBps: 500, cap: 3 * bigBlind } : null,
  };
}
