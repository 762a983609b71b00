// @ts-expect-error pokersolver ships no type declarations; the shape used is typed below.
import pokersolver from 'pokersolver';
import { describe, expect, it } from 'vitest';
import { type Card, cardToString, parseCards } from '../../server/poker/cards.js';
import {
  HAND_CATEGORIES,
  describeHand,
  evaluate,
  evaluate5,
  evaluate7,
  evaluateOmaha,
  evaluateSlow,
  evaluatorTables,
  rankValueOfCounts,
} from '../../server/poker/evaluator.js';
import { RANK_KEYS } from '../../server/poker/evaluator-tables.js';

const { Hand } = pokersolver as unknown as {
  Hand: { solve(cards: string[]): { name: string }; winners(hands: object[]): object[] };
};

/** pokersolver's name for each of our categories. */
const SOLVER_NAMES: Record<string, string> = {
  'high-card': 'High Card',
  pair: 'Pair',
  'two-pair': 'Two Pair',
  'three-of-a-kind': 'Three of a Kind',
  straight: 'Straight',
  flush: 'Flush',
  'full-house': 'Full House',
  'four-of-a-kind': 'Four of a Kind',
  'straight-flush': 'Straight Flush',
};

/** Deterministic PRNG for the tests (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomHand(random: () => number, size: number): Card[] {
  const deck = Array.from({ length: 52 }, (_, i) => i as Card);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (52 - i));
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  return deck.slice(0, size);
}

const value = (text: string): number => evaluate(parseCards(text));
const name = (text: string): string => describeHand(value(text)).name;

describe('rank keys', () => {
  it('give distinct sums to every multiset of 5, 6 or 7 ranks (the tables depend on it)', () => {
    const seen = new Set<number>();
    let multisets = 0;
    const visit = (rank: number, size: number, key: number): void => {
      if (rank === 13) {
        if (size >= 5) {
          multisets++;
          seen.add(key * 8 + size);
        }
        return;
      }
      for (let n = 0; n <= 4 && size + n <= 7; n++) visit(rank + 1, size + n, key + n * RANK_KEYS[rank]!);
    };
    visit(0, 0, 0);
    expect(multisets).toBe(6175 + 18395 + 49205);
    expect(seen.size).toBe(multisets);
  });

  it('builds the tables quickly at first use', () => {
    const started = performance.now();
    evaluatorTables();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('evaluate agrees with pokersolver', () => {
  it('on 200,000 random 7-card hands, comparing consecutive hands', () => {
    const random = mulberry32(20261126);
    const hands = 200_000;
    let previous: { value: number; solved: { name: string } } | null = null;
    let disagreements = 0;
    let categoryMismatches = 0;
    const examples: string[] = [];
    for (let n = 0; n < hands; n++) {
      const cards = randomHand(random, 7);
      const current = { value: evaluate(cards), solved: Hand.solve(cards.map(cardToString)) };
      expect(evaluate7(cards[0]!, cards[1]!, cards[2]!, cards[3]!, cards[4]!, cards[5]!, cards[6]!)).toBe(current.value);
      // pokersolver's `name` is the category (a royal flush is named "Straight Flush").
      if (current.solved.name !== SOLVER_NAMES[describeHand(current.value).category]) categoryMismatches++;
      if (previous !== null) {
        const winners = Hand.winners([previous.solved, current.solved]);
        const theirs = winners.length === 2 ? 0 : winners[0] === previous.solved ? 1 : -1;
        const ours = Math.sign(previous.value - current.value);
        if (theirs !== ours) {
          disagreements++;
          if (examples.length < 5) examples.push(`${String(previous.solved)} vs ${String(current.solved)}`);
        }
      }
      previous = current;
    }
    expect(examples).toEqual([]);
    expect(disagreements).toBe(0);
    expect(categoryMismatches).toBe(0);
  });

  it('on 5- and 6-card hands, and the fast paths equal the table-free reference', () => {
    const random = mulberry32(7);
    for (const size of [5, 6]) {
      let previous: { value: number; solved: object } | null = null;
      for (let n = 0; n < 20_000; n++) {
        const cards = randomHand(random, size);
        const current = { value: evaluate(cards), solved: Hand.solve(cards.map(cardToString)) };
        expect(current.value).toBe(evaluateSlow(cards));
        if (size === 5) expect(evaluate5(cards[0]!, cards[1]!, cards[2]!, cards[3]!, cards[4]!)).toBe(current.value);
        if (previous !== null) {
          const winners = Hand.winners([previous.solved, current.solved]);
          const theirs = winners.length === 2 ? 0 : winners[0] === previous.solved ? 1 : -1;
          expect(Math.sign(previous.value - current.value)).toBe(theirs);
        }
        previous = current;
      }
    }
  });

  it('has exactly 7,462 distinct 5-card values, in category order', () => {
    const values = new Set<number>();
    const counts = new Array<number>(13).fill(0);
    const visit = (rank: number, size: number): void => {
      if (rank === 13) {
        if (size === 5) values.add(rankValueOfCounts(counts));
        return;
      }
      for (let n = 0; n <= 4 && size + n <= 5; n++) {
        counts[rank] = n;
        visit(rank + 1, size + n);
      }
      counts[rank] = 0;
    };
    visit(0, 0);
    expect(values.size).toBe(7462 - 1287); // every non-flush class
    // Flushes and straight flushes: every 5-rank set in one suit.
    for (let mask = 0; mask < 1 << 13; mask++) {
      const cards: Card[] = [];
      for (let rank = 0; rank < 13; rank++) if (mask & (1 << rank)) cards.push((rank * 4) as Card);
      if (cards.length === 5) values.add(evaluate(cards));
    }
    expect(values.size).toBe(7462);
  });
});

describe('describeHand', () => {
  it('names every category', () => {
    const cases: Array<[string, string, string]> = [
      ['AsKsQsJsTs 2c 3d', 'straight-flush', 'Royal Flush'],
      ['9h8h7h6h5h Ac Ad', 'straight-flush', 'Straight Flush, Nine high'],
      ['Ad Kd 9d 4d 2d 3c 5c', 'flush', 'Flush, Ace high'],
      ['5d4d3d2dAd 6c 9c', 'straight-flush', 'Straight Flush, Five high'],
      ['AcAdAhAs Kd 2c 2d', 'four-of-a-kind', 'Four of a Kind, Aces'],
      ['KcKdKh7s7d2c3c', 'full-house', 'Full House, Kings full of Sevens'],
      ['KcKdKh7s7d7c3c', 'full-house', 'Full House, Kings full of Sevens'],
      ['Ac9c5c3c2c Kd Qd', 'flush', 'Flush, Ace high'],
      ['2c3d4h5s6c Kd Kh', 'straight', 'Straight, Six high'],
      ['Ac2d3h4s5c Kd Kh', 'straight', 'Straight, Five high'],
      ['QcQdQh 2s 7c 9d Jh', 'three-of-a-kind', 'Three of a Kind, Queens'],
      ['KcKd7h7s 2c 2d 3h', 'two-pair', 'Two Pair, Kings and Sevens'],
      ['TcTd 2h 5s 8c Kh 3d', 'pair', 'Pair of Tens'],
      ['Ah 9d 7c 5s 3h 2c Jd', 'high-card', 'High Card, Ace'],
      ['6h6d 2h 5s 8c Kh 3d', 'pair', 'Pair of Sixes'],
    ];
    for (const [text, category, expected] of cases) {
      expect(describeHand(value(text)), text).toEqual({ category, name: expected });
    }
    expect(HAND_CATEGORIES).toHaveLength(9);
  });

  it('orders categories and kickers', () => {
    expect(value('Ac2d3h4s5c')).toBeLessThan(value('2c3d4h5s6c'));
    expect(value('AcKdQhJsTc')).toBeGreaterThan(value('KcQdJhTs9c'));
    expect(value('AcAd KhQsJc')).toBeGreaterThan(value('AhAs KdQcTc'));
    expect(value('AcAdKhKs Qc')).toBe(value('AhAsKdKc Qd 2c 3c'));
    expect(value('9c9d9h 8s8c 8d 2h')).toBe(value('9c9d9h8s8c'));
    // Two pair with three pairs: the best kicker may be the third pair.
    expect(value('KcKd7h7s 5c 5d Qh')).toBe(value('KcKd7h7s Qh'));
    expect(value('KcKd7h7s 5c 5d 3h')).toBe(value('KcKd7h7s 5c'));
    expect(() => evaluate(parseCards('AcKd'))).toThrow(RangeError);
    expect(() => evaluate(parseCards('AcAcKdQs2c'))).toThrow(RangeError);
  });
});

describe('evaluateOmaha', () => {
  const omaha = (hole: string, board: string): number => evaluateOmaha(parseCards(hole), parseCards(board));
  const omahaName = (hole: string, board: string): string => describeHand(omaha(hole, board)).name;

  it('uses exactly two hole cards and three board cards', () => {
    // Four hearts in hand and one on the board: no flush.
    expect(describeHand(omaha('AhKhQhJh', '2h 7c 9d 3s 4c')).category).not.toBe('flush');
    // Four-flush board and one heart in hand: no flush.
    expect(describeHand(omaha('Ah Kc Qd Js', '2h 7h 9h 3h 4c')).category).not.toBe('flush');
    // Two hearts in hand and three on board: flush.
    expect(omahaName('Ah Kh Qd Js', '2h 7h 9h 3c 4c')).toBe('Flush, Ace high');
    // Board quads: only one of the four can play with two hole cards.
    expect(omahaName('Ac Kc Qd Js', '9h 9s 9d 9c 2c')).toBe('Three of a Kind, Nines');
    // Board trips + pocket pair: full house.
    expect(omahaName('5c 5d Qd Js', '9h 9s 9d 2c 3c')).toBe('Full House, Nines full of Fives');
    // Pocket pair + board pair: two pair; a pocket pair matching a board card: trips.
    expect(omahaName('Kc Kd 2d 3s', 'Qh Qs 9d 8c 4c')).toBe('Two Pair, Kings and Queens');
    expect(omahaName('Kc Kd 2d 3s', 'Kh Qs 9d 8c 4c')).toBe('Three of a Kind, Kings');
    // Board pair + board pair + one hole pair: full house needs two hole cards of a rank.
    expect(omahaName('Qc Qd 2d 3s', 'Qh 9s 9d 8c 4c')).toBe('Full House, Queens full of Nines');
    // A straight on the board does not play by itself.
    expect(describeHand(omaha('Ac Ad Kd Ks', '5h 6s 7d 8c 9c')).category).not.toBe('straight');
    expect(omahaName('Tc Jd 2d 2s', '5h 6s 7d 8c 9c')).toBe('Straight, Jack high');
    // Flop only (3 board cards) and turn (4).
    expect(omahaName('Ah Kh 2c 3d', 'Qh Jh Th')).toBe('Royal Flush');
    expect(omahaName('Ah Kh 3s 3d', '2h 2d 2s 4c')).toBe('Full House, Twos full of Threes');
    expect(omahaName('Ah Kh 2c 3d', '2h 2d 2s 3c')).toBe('Four of a Kind, Twos');
  });

  it('equals the best of the 60 five-card combinations on random deals', () => {
    const random = mulberry32(99);
    for (let n = 0; n < 5_000; n++) {
      const cards = randomHand(random, 9);
      const hole = cards.slice(0, 4);
      const board = cards.slice(4);
      let best = -1;
      for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) {
        for (let x = 0; x < 5; x++) for (let y = x + 1; y < 5; y++) for (let z = y + 1; z < 5; z++) {
          best = Math.max(best, evaluateSlow([hole[i]!, hole[j]!, board[x]!, board[y]!, board[z]!]));
        }
      }
      expect(evaluateOmaha(hole, board)).toBe(best);
    }
  });
});
