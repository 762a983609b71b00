// @ts-expect-error pokersolver ships no type declarations; the shape used is typed below.
import pokersolver from 'pokersolver';
import { describe, expect, it } from 'vitest';
import { type Card, cardToString, parseCards } from '../../server/poker/cards.js';
import { type EquityResult, equity, equityBoardByBoard } from '../../server/poker/equity.js';
import { evaluate7, evaluateOmaha } from '../../server/poker/evaluator.js';
import { rng, shuffledDeck } from './poker-helpers';

const { Hand } = pokersolver as unknown as {
  Hand: { solve(cards: string[]): object; winners(hands: object[]): object[] };
};

type Judge = (hands: Card[][], board: Card[]) => number[]; // indexes of the winners

/** Independent brute force: every board, winners decided by `judge`. */
function bruteForce(hands: Card[][], board: Card[], judge: Judge): EquityResult {
  const used = new Set([...hands.flat(), ...board]);
  const rest = Array.from({ length: 52 }, (_, i) => i as Card).filter((c) => !used.has(c));
  const n = hands.length;
  const win = new Array<number>(n).fill(0);
  const tie = new Array<number>(n).fill(0);
  const share = new Array<number>(n).fill(0);
  let boards = 0;
  const visit = (from: number, current: Card[]): void => {
    if (current.length === 5) {
      boards++;
      const winners = judge(hands, current);
      for (const w of winners) {
        if (winners.length === 1) win[w]!++;
        else tie[w]!++;
        share[w]! += 1 / winners.length;
      }
      return;
    }
    for (let i = from; i < rest.length; i++) visit(i + 1, [...current, rest[i]!]);
  };
  visit(0, board);
  return { win: win.map((x) => x / boards), tie: tie.map((x) => x / boards), equity: share.map((x) => x / boards), boards };
}

const bySolver: Judge = (hands, board) => {
  const solved = hands.map((hand) => Hand.solve([...hand, ...board].map(cardToString)));
  const winners = Hand.winners(solved);
  return solved.flatMap((s, i) => (winners.includes(s) ? [i] : []));
};

function bestIndexes(values: number[]): number[] {
  const best = Math.max(...values);
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

const byEvaluate7: Judge = (hands, b) =>
  bestIndexes(hands.map((h) => evaluate7(h[0]!, h[1]!, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!)));
const byOmaha: Judge = (hands, board) => bestIndexes(hands.map((h) => evaluateOmaha(h, board)));

function expectSame(actual: EquityResult, expected: EquityResult): void {
  expect(actual.boards).toBe(expected.boards);
  for (const key of ['win', 'tie', 'equity'] as const) {
    actual[key].forEach((x, i) => expect(x, `${key}[${i}]`).toBeCloseTo(expected[key][i]!, 12));
  }
}

function expectConsistent(result: EquityResult): void {
  const total = result.equity.reduce((a, b) => a + b, 0);
  expect(total).toBeCloseTo(1, 12);
  result.win.forEach((w, i) => {
    expect(w + result.tie[i]!).toBeLessThanOrEqual(1 + 1e-12);
    expect(result.equity[i]!).toBeGreaterThanOrEqual(w - 1e-12);
    expect(result.equity[i]!).toBeLessThanOrEqual(w + result.tie[i]! + 1e-12);
  });
}

const hands = (...texts: string[]): Card[][] => texts.map(parseCards);

describe('equity (NLHE)', () => {
  it('matches a pokersolver brute force on the turn and on the flop', () => {
    const turn = { hands: hands('AhKh', 'QsQd', '7c6c'), board: parseCards('Qh 8c 5c 2h') };
    const onTurn = equity({ variant: 'NLHE', ...turn });
    expect(onTurn.boards).toBe(52 - 6 - 4);
    expectSame(onTurn, bruteForce(turn.hands, turn.board, bySolver));
    expectConsistent(onTurn);

    const flop = { hands: hands('AsAd', 'Tc9c'), board: parseCards('Jc 8d 2c') };
    const onFlop = equity({ variant: 'NLHE', ...flop });
    expect(onFlop.boards).toBe(990);
    expectSame(onFlop, bruteForce(flop.hands, flop.board, bySolver));
  });

  it('counts split pots as ties (board plays)', () => {
    const result = equity({ variant: 'NLHE', hands: hands('2c3d', '2h3s'), board: parseCards('AsKdQhJcTs') });
    expect(result).toEqual({ win: [0, 0], tie: [1, 1], equity: [0.5, 0.5], boards: 1 });
  });

  it('AA vs KK pre-flop: every one of the C(48,5) boards, about 82% / 18%, fast', () => {
    const started = performance.now();
    const result = equity({ variant: 'NLHE', hands: hands('AsAh', 'KsKh'), board: [] });
    const seconds = (performance.now() - started) / 1000;
    expect(result.boards).toBe(1_712_304);
    expect(result.equity[0]!).toBeGreaterThan(0.81);
    expect(result.equity[0]!).toBeLessThan(0.83);
    expect(result.tie[0]!).toBeGreaterThan(0.002);
    expect(result.tie[0]!).toBeLessThan(0.01);
    expectConsistent(result);
    // The same enumeration through plain evaluate7 on every board (no incremental sums).
    expectSame(result, bruteForce(hands('AsAh', 'KsKh'), [], byEvaluate7));
    expect(seconds).toBeLessThan(5); // ~0.1 s alone; generous for a loaded CI machine
  });

  it('pre-flop by rank classes gives what the board-by-board enumeration gives (random deals, suited hands, dead cards)', () => {
    const random = rng(2024);
    const deals: { hands: Card[][]; dead?: Card[] }[] = [
      { hands: hands('AhKh', 'QhJh') }, // one suit: flushes on both sides
      { hands: hands('AhKh', 'QhJh', 'Th9h') }, // three hands of one suit
      { hands: hands('AhKh', 'QhJh'), dead: parseCards('2h3h4h5h') }, // few hearts left
      { hands: hands('7c7d', '7h7s') }, // no seven left: four of a rank gone
      { hands: hands('As2s', 'Ad2d', 'Ah2h', 'Ac2c') }, // every suit held twice
    ];
    for (let deal = 0; deal < 12; deal++) {
      const deck = shuffledDeck(random);
      const players = 2 + (deal % 5);
      const dealt = Array.from({ length: players }, (_, k) => deck.slice(k * 2, k * 2 + 2));
      deals.push({ hands: dealt, ...(deal % 3 === 0 ? { dead: deck.slice(20, 20 + deal) } : {}) });
    }
    for (const deal of deals) {
      const input = { variant: 'NLHE' as const, board: [], ...deal };
      const result = equity(input);
      expectSame(result, equityBoardByBoard(input));
      expectConsistent(result);
    }
  });

  it('honours dead cards and rejects bad input', () => {
    const live = { variant: 'NLHE' as const, hands: hands('AhKh', 'QsQd'), board: parseCards('Qh 8c 5c 2h') };
    const withDead = equity({ ...live, dead: parseCards('3h4h') });
    expect(withDead.boards).toBe(52 - 4 - 4 - 2);
    expect(() => equity({ ...live, dead: parseCards('Qh') })).toThrow(RangeError);
    expect(() => equity({ ...live, hands: hands('AhKhQc', 'QsQd') })).toThrow(RangeError);
    expect(() => equity({ ...live, board: parseCards('2c3c4c5c6c7c') })).toThrow(RangeError);
  });
});

describe('equity (PLO)', () => {
  it('matches an evaluateOmaha brute force on the flop and on the turn, 3-way', () => {
    const flop = { hands: hands('AhKhQsJs', 'Tc9c8d8h'), board: parseCards('Jh 8c 2h') };
    const onFlop = equity({ variant: 'PLO', ...flop });
    expect(onFlop.boards).toBe(820);
    expectSame(onFlop, bruteForce(flop.hands, flop.board, byOmaha));
    expectConsistent(onFlop);

    const turn = { hands: hands('AhAd5c6c', 'KsKh9c8c', '7d7s2d3d'), board: parseCards('As Kd 4c 5d') };
    const onTurn = equity({ variant: 'PLO', ...turn });
    expectSame(onTurn, bruteForce(turn.hands, turn.board, byOmaha));
    expectConsistent(onTurn);
  });

  it('matches the brute force on random deals (flushes included)', () => {
    const random = rng(77);
    for (let deal = 0; deal < 40; deal++) {
      const deck = shuffledDeck(random);
      const players = 2 + (deal % 3);
      const boardSize = deal % 4 === 0 ? 3 : 4;
      const dealt = Array.from({ length: players }, (_, k) => deck.slice(k * 4, k * 4 + 4));
      const board = deck.slice(players * 4, players * 4 + boardSize);
      expectSame(equity({ variant: 'PLO', hands: dealt, board }), bruteForce(dealt, board, byOmaha));
    }
  });

  it('pre-flop: all C(44,5) boards, fast', () => {
    const started = performance.now();
    const result = equity({ variant: 'PLO', hands: hands('AsAhKsKh', 'QdJdTc9c'), board: [] });
    expect(result.boards).toBe(1_086_008);
    // Pinned: the earlier implementation (best of the 60 two-plus-three hash look-ups on
    // every board) gave the same figure.
    expect(result.equity[0]!).toBeCloseTo(0.6162772281603819, 12);
    expectConsistent(result);
    expect((performance.now() - started) / 1000).toBeLessThan(5); // ~0.2 s alone
  });

  it('a board four-flush does not make a flush with one suited hole card', () => {
    const result = equity({ variant: 'PLO', hands: hands('Ah2c3d4s', 'KcKd9s9d'), board: parseCards('Qh Jh 7h 6h') });
    // Ah alone cannot make the flush (a heart river would give four on the board and still
    // one in hand). Of the 40 rivers the A-2-3-4 hand wins only with an ace (pair of aces,
    // 3 left) or a five (3d 4s + 5 6 7, 4 left): 7 of 40.
    expect(result.boards).toBe(40);
    expect(result.win).toEqual([7 / 40, 33 / 40]);
    expect(result.tie).toEqual([0, 0]);
  });
});
