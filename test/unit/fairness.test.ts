import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { type Card, cardToString } from '../../server/poker/cards.js';
import { boardCardIndexes, boardIndexes, dealBoard, dealHoleCards, holeCardIndex } from '../../server/poker/deal.js';
import {
  type HandRecord,
  commitment,
  createRandomStream,
  deckFromSeed,
  uniformInt,
  verifyHand,
} from '../../server/poker/fairness.js';

function seedOf(fill: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (i * 31 + fill * 17 + 5) & 0xff);
}

/** Upper tail of the chi-square distribution, Wilson-Hilferty normal approximation. */
function chiSquareSurvival(x: number, dof: number): number {
  const z = (Math.cbrt(x / dof) - (1 - 2 / (9 * dof))) / Math.sqrt(2 / (9 * dof));
  return 0.5 * erfc(z / Math.SQRT2);
}

/** erfc, Numerical Recipes' Chebyshev fit (relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

describe('HMAC stream', () => {
  it('equals @noble/hashes HMAC-SHA256(seed, handId:counter), big-endian words', () => {
    const handIds = ['h1', '', 'table-7/hand-123456', 'x'.repeat(54), 'y'.repeat(60), 'hånd-€-' + 'z'.repeat(130)];
    for (const [n, handId] of handIds.entries()) {
      const seed = seedOf(n);
      const next = createRandomStream(seed, handId);
      for (let counter = 0; counter < 40; counter++) {
        const digest = hmac(sha256, seed, new TextEncoder().encode(`${handId}:${counter}`));
        const view = new DataView(digest.buffer, digest.byteOffset);
        for (let w = 0; w < 8; w++) expect(next()).toBe(view.getUint32(w * 4, false));
      }
    }
  });

  it('rejection sampling discards values at or above floor(2^32 / m) * m', () => {
    const limit = Math.floor(2 ** 32 / 3) * 3;
    const values = [limit, 2 ** 32 - 1, limit - 1, 5];
    const next = () => values.shift()!;
    expect(uniformInt(next, 3)).toBe((limit - 1) % 3);
    expect(uniformInt(next, 3)).toBe(2);
  });
});

describe('deckFromSeed', () => {
  it('is a permutation, deterministic in (seed, handId), and different for another hand id', () => {
    const seed = seedOf(1);
    const deck = deckFromSeed(seed, 'hand-1');
    expect([...deck].sort((a, b) => a - b)).toEqual(Array.from({ length: 52 }, (_, i) => i));
    expect(deckFromSeed(bytesToHex(seed), 'hand-1')).toEqual(deck);
    expect(deckFromSeed(seed, 'hand-2')).not.toEqual(deck);
    expect(deckFromSeed(seedOf(2), 'hand-1')).not.toEqual(deck);
  });

  it('pins the algorithm: a known seed gives a known deck', () => {
    // Independent re-implementation from the spec with @noble's generic HMAC.
    const seed = seedOf(9);
    let counter = 0;
    let words: number[] = [];
    const next = (): number => {
      if (words.length === 0) {
        const d = hmac(sha256, seed, new TextEncoder().encode(`pin:${counter++}`));
        const v = new DataView(d.buffer, d.byteOffset);
        words = Array.from({ length: 8 }, (_, i) => v.getUint32(i * 4, false));
      }
      return words.shift()!;
    };
    const deck = Array.from({ length: 52 }, (_, i) => i);
    for (let i = 51; i >= 1; i--) {
      const m = i + 1;
      const limit = Math.floor(2 ** 32 / m) * m;
      let x = next();
      while (x >= limit) x = next();
      const j = x % m;
      [deck[i], deck[j]] = [deck[j]!, deck[i]!];
    }
    expect(deckFromSeed(seed, 'pin')).toEqual(deck);
  });

  it('1,000,000 shuffles: card-by-position counts pass a chi-square test (p > 0.001)', () => {
    const shuffles = 1_000_000;
    const counts = new Float64Array(52 * 52);
    const seed = seedOf(3);
    for (let n = 0; n < shuffles; n++) {
      const deck = deckFromSeed(seed, `chi-${n}`);
      for (let position = 0; position < 52; position++) counts[deck[position]! * 52 + position]!++;
    }
    const expected = shuffles / 52;
    let chi = 0;
    for (const observed of counts) chi += ((observed - expected) * (observed - expected)) / expected;
    const p = chiSquareSurvival(chi, 51 * 51);
    expect(p).toBeGreaterThan(0.001);
    // A test that cannot fail is a defect: a 3% bias of one card over the positions
    // (alternately more and less often) must fail the same statistic.
    const biased = Float64Array.from(counts);
    for (let position = 0; position < 52; position++) biased[position]! += expected * 0.03 * (position % 2 ? -1 : 1);
    let chiBiased = 0;
    for (const observed of biased) chiBiased += ((observed - expected) * (observed - expected)) / expected;
    expect(chiSquareSurvival(chiBiased, 51 * 51)).toBeLessThan(0.001);
  });

  it('chi-square helper matches known quantiles', () => {
    expect(chiSquareSurvival(2601, 2601)).toBeCloseTo(0.4948, 2);
    expect(chiSquareSurvival(2601 + 3.09 * Math.sqrt(2 * 2601), 2601)).toBeCloseTo(0.001, 3);
  });
});

describe('deal convention', () => {
  it('deals round-robin from the first seat, then burn-flop-burn-turn-burn-river', () => {
    expect(holeCardIndex(6, 2, 0, 0)).toBe(0);
    expect(holeCardIndex(6, 2, 5, 0)).toBe(5);
    expect(holeCardIndex(6, 2, 0, 1)).toBe(6);
    expect(boardIndexes(6, 2)).toEqual({ flop: [13, 14, 15], turn: 17, river: 19, burns: [12, 16, 18] });
    expect(boardCardIndexes(2, 4)).toEqual([9, 10, 11, 13, 15]);
    const deck = Array.from({ length: 52 }, (_, i) => i as Card);
    expect(dealHoleCards(deck, 3, 2)).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(dealBoard(deck, 3, 2, 4)).toEqual([7, 8, 9, 11]);
    expect(() => dealHoleCards(deck, 11, 4)).toThrow(RangeError);
  });
});

describe('verifyHand', () => {
  const seed = seedOf(4);
  const seedHex = bytesToHex(seed);

  function honest(variant: 'NLHE' | 'PLO' = 'NLHE'): HandRecord {
    const dealtSeats = [3, 5, 0, 1];
    const h = variant === 'NLHE' ? 2 : 4;
    const deck = deckFromSeed(seed, 'hand-42');
    const holes = dealHoleCards(deck, dealtSeats.length, h);
    return {
      handId: 'hand-42',
      commitment: commitment(seed),
      seed: seedHex,
      variant,
      dealtSeats,
      holeCards: { 3: holes[0]!.map(cardToString), 0: holes[2]!.map(cardToString), 5: null },
      board: dealBoard(deck, dealtSeats.length, h).map(cardToString),
      deck: deck.map(cardToString),
    };
  }

  it('commitment is hex sha256 of the seed', () => {
    expect(commitment(seed)).toBe(bytesToHex(sha256(seed)));
    expect(commitment(seedHex)).toBe(commitment(seed));
  });

  it('accepts honest records, with or without the deck, shown hands in any order, partial boards', () => {
    expect(verifyHand(honest())).toEqual({ ok: true });
    expect(verifyHand(honest('PLO'))).toEqual({ ok: true });
    const noDeck = honest();
    delete noDeck.deck;
    noDeck.board = noDeck.board.slice(0, 3);
    noDeck.holeCards['3'] = [...noDeck.holeCards['3']!].reverse();
    expect(verifyHand(noDeck)).toEqual({ ok: true });
  });

  it('rejects a tampered seed, commitment, deck, hole card or board card', () => {
    const cases: Array<[string, (r: HandRecord) => void, RegExp]> = [
      ['seed', (r) => (r.seed = (r.seed[0] === '0' ? '1' : '0') + r.seed.slice(1)), /commitment/],
      ['commitment', (r) => (r.commitment = '0'.repeat(64)), /commitment/],
      ['deck', (r) => ([r.deck![10], r.deck![11]] = [r.deck![11]!, r.deck![10]!]), /deck position 10/],
      ['hole', (r) => (r.holeCards['0']![1] = r.deck![40]!), /seat 0/],
      ['board', (r) => (r.board[4] = r.deck![45]!), /board card 5/],
      ['undealt seat', (r) => (r.holeCards['7'] = r.holeCards['3']!), /seat 7/],
      ['bad seed text', (r) => (r.seed = 'zz'), /seed/],
      ['hand id', (r) => (r.handId = 'hand-43'), /./],
    ];
    for (const [name, tamper, reason] of cases) {
      const record = honest();
      tamper(record);
      const result = verifyHand(record);
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.reason, name).toMatch(reason);
    }
  });
});
