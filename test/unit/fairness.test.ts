import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { prng } from '../support/autoplay';
import { type Card, cardToString } from '../../server/poker/cards.js';
import { boardCardIndexes, boardIndexes, dealBoard, dealHoleCards, holeCardIndex } from '../../server/poker/deal.js';
import { createHmacBlocks, SHA256_SHORT_BYTES_MAX, sha256Short, wordsToBytes } from '../../server/poker/hmac-stream.js';
import {
  type ClientSeed,
  type FairHandRecord,
  type LegacyHandRecord,
  type Opening,
  type PublishedHand,
  boardPositions,
  commitment,
  createRandomStream,
  dealDeck,
  deckFromSeed,
  deckSeed,
  encodeClientSeeds,
  holePositions,
  openPositions,
  uniformInt,
  verifiableFromPublished,
  verifyHand,
  verifyOpening,
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

  it('sha256Short equals @noble/hashes SHA-256 for every length up to two blocks', () => {
    for (let length = 0; length <= SHA256_SHORT_BYTES_MAX; length++) {
      const message = Uint8Array.from({ length }, (_, i) => (i * 131 + length * 7) & 0xff);
      expect(bytesToHex(sha256Short(message)), `length ${length}`).toBe(bytesToHex(sha256(message)));
    }
    expect(() => sha256Short(new Uint8Array(SHA256_SHORT_BYTES_MAX + 1))).toThrow(RangeError);
  });

  it('the HMAC blocks as bytes equal @noble/hashes HMAC-SHA256 (the deck salts)', () => {
    const words = new Int32Array(8);
    const seed = seedOf(3);
    const next = createHmacBlocks(seed, 'salt:9-77-e2:', words);
    for (let p = 0; p < 52; p++) {
      next();
      expect(bytesToHex(wordsToBytes(words))).toBe(bytesToHex(hmac(sha256, seed, new TextEncoder().encode(`salt:9-77-e2:${p}`))));
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

describe('verifyHand, scheme 1 (legacy records: seed only)', () => {
  const seed = seedOf(4);
  const seedHex = bytesToHex(seed);

  function honest(variant: 'NLHE' | 'PLO' = 'NLHE'): LegacyHandRecord {
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
    expect(verifyHand(honest())).toEqual({ ok: true, checked: 'deck' });
    expect(verifyHand(honest('PLO'))).toEqual({ ok: true, checked: 'deck' });
    const noDeck = honest();
    delete noDeck.deck;
    noDeck.board = noDeck.board.slice(0, 3);
    noDeck.holeCards['3'] = [...noDeck.holeCards['3']!].reverse();
    expect(verifyHand(noDeck)).toEqual({ ok: true, checked: 'deck' });
  });

  it('rejects a tampered seed, commitment, deck, hole card or board card', () => {
    const cases: Array<[string, (r: LegacyHandRecord) => void, RegExp]> = [
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

// ---------------------------------------------------------------------------------------
// Scheme 2: client seeds, per-position commitments, openings.

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');


/** The inverse of encodeClientSeeds: if it exists and round-trips, the encoding is injective. */
function decodeClientSeeds(bytes: Uint8Array): ClientSeed[] {
  const out: ClientSeed[] = [];
  let at = 1;
  for (let n = 0; n < bytes[0]!; n++) {
    const seat = bytes[at]!;
    const length = bytes[at + 1]!;
    out.push({ seat, seed: new TextDecoder().decode(bytes.subarray(at + 2, at + 2 + length)) });
    at += 2 + length;
  }
  expect(at).toBe(bytes.length);
  return out;
}

/** The spec of docs/fairness.md, written again with the generic @noble HMAC. */
function referenceDeck(serverSeed: Uint8Array, handId: string, clientSeeds: ClientSeed[]): { deck: number[]; deckRoot: string } {
  const enc = new TextEncoder();
  const id = enc.encode(handId);
  const seeds = [...clientSeeds].sort((a, b) => a.seat - b.seat);
  const parts = [enc.encode('deck:'), Uint8Array.of(id.length >> 8, id.length & 255), id, Uint8Array.of(seeds.length)];
  for (const s of seeds) parts.push(Uint8Array.of(s.seat, s.seed.length), enc.encode(s.seed));
  const message = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (message.set(p, at), at + p.length), 0);
  const key = hmac(sha256, serverSeed, message);
  let counter = 0;
  let words: number[] = [];
  const next = (): number => {
    if (words.length === 0) {
      const d = hmac(sha256, key, enc.encode(`${handId}:${counter++}`));
      const v = new DataView(d.buffer, d.byteOffset);
      words = Array.from({ length: 8 }, (_, i) => v.getUint32(i * 4, false));
    }
    return words.shift()!;
  };
  const deck = Array.from({ length: 52 }, (_, i) => i);
  for (let i = 51; i >= 1; i--) {
    const limit = Math.floor(2 ** 32 / (i + 1)) * (i + 1);
    let x = next();
    while (x >= limit) x = next();
    const j = x % (i + 1);
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  let level: Uint8Array[] = deck.map((card, p) => {
    const salt = hmac(sha256, serverSeed, enc.encode(`salt:${handId}:${p}`));
    return sha256(Uint8Array.from([0, ...salt, p, card]));
  });
  while (level.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(i + 1 < level.length ? sha256(Uint8Array.from([1, ...level[i]!, ...level[i + 1]!])) : level[i]!);
    level = up;
  }
  return { deck, deckRoot: bytesToHex(level[0]!) };
}

describe('client seeds: canonical encoding', () => {
  it('is injective: a decoder recovers every list, sorted by seat', () => {
    const rand = prng(7);
    for (let n = 0; n < 2_000; n++) {
      const seats = Array.from({ length: 10 }, (_, i) => i).filter(() => rand(2) === 0);
      const list = seats.map((seat) => ({
        seat,
        seed: Array.from({ length: 1 + rand(64) }, () => PRINTABLE[rand(PRINTABLE.length)]).join(''),
      }));
      const shuffled = [...list].sort(() => rand(3) - 1);
      expect(decodeClientSeeds(encodeClientSeeds(shuffled))).toEqual(list);
    }
  });

  it('lists that naive concatenation would confuse encode, seed and deal differently', () => {
    const serverSeed = seedOf(5);
    const confusable: ClientSeed[][] = [
      [{ seat: 1, seed: 'ab' }, { seat: 2, seed: 'c' }],
      [{ seat: 1, seed: 'a' }, { seat: 2, seed: 'bc' }],
      [{ seat: 1, seed: 'a:2:bc' }],
      [{ seat: 1, seed: 'a' }, { seat: 2, seed: 'b' }],
      [{ seat: 1, seed: 'a,2,b' }],
      [{ seat: 12, seed: 'x' }],
      [{ seat: 1, seed: '2x' }],
      [],
    ];
    const encodings = new Set(confusable.map((list) => bytesToHex(encodeClientSeeds(list))));
    const seeds = new Set(confusable.map((list) => bytesToHex(deckSeed(serverSeed, 'h-1', list))));
    const roots = new Set(confusable.map((list) => dealDeck(serverSeed, 'h-1', list).deckRoot));
    expect([encodings.size, seeds.size, roots.size]).toEqual([confusable.length, confusable.length, confusable.length]);
    // The hand id is length-prefixed too: moving bytes between it and the seeds changes the seed.
    expect(bytesToHex(deckSeed(serverSeed, 'h-1\u0000', []))).not.toBe(bytesToHex(deckSeed(serverSeed, 'h-1', [])));
  });

  it('refuses duplicate seats, empty, long or non-printable seeds and seats beyond a byte', () => {
    const bad: ClientSeed[][] = [
      [{ seat: 1, seed: 'a' }, { seat: 1, seed: 'b' }],
      [{ seat: 1, seed: '' }],
      [{ seat: 1, seed: 'x'.repeat(65) }],
      [{ seat: 1, seed: 'tab\there' }],
      [{ seat: 1, seed: 'é' }],
      [{ seat: 256, seed: 'a' }],
      [{ seat: -1, seed: 'a' }],
      [{ seat: 1.5, seed: 'a' }],
    ];
    for (const list of bad) expect(() => encodeClientSeeds(list), JSON.stringify(list)).toThrow(RangeError);
    expect(() => encodeClientSeeds([{ seat: 9, seed: 'x'.repeat(64) }, { seat: 0, seed: ' ~' }])).not.toThrow();
  });
});

describe('dealDeck', () => {
  const serverSeed = seedOf(6);
  const seeds: ClientSeed[] = [{ seat: 4, seed: 'mine' }, { seat: 0, seed: 'yours' }];

  it('is a permutation, deterministic, and changes with the hand id, the server seed and any client seed', () => {
    const { deck, deckRoot } = dealDeck(serverSeed, 'hand-1', seeds);
    expect([...deck].sort((a, b) => a - b)).toEqual(Array.from({ length: 52 }, (_, i) => i));
    expect(dealDeck(bytesToHex(serverSeed), 'hand-1', [...seeds].reverse())).toEqual({ deck, deckRoot });
    expect(deckRoot).toMatch(/^[0-9a-f]{64}$/);
    const others = [
      dealDeck(serverSeed, 'hand-2', seeds),
      dealDeck(seedOf(7), 'hand-1', seeds),
      dealDeck(serverSeed, 'hand-1', [{ seat: 4, seed: 'mine' }, { seat: 0, seed: 'yourS' }]),
      dealDeck(serverSeed, 'hand-1', [{ seat: 4, seed: 'mine' }]),
      dealDeck(serverSeed, 'hand-1', [{ seat: 5, seed: 'mine' }, { seat: 0, seed: 'yours' }]),
    ];
    for (const other of others) {
      expect(other.deck).not.toEqual(deck);
      expect(other.deckRoot).not.toBe(deckRoot);
    }
    // Not the scheme-1 deck of the same seed.
    expect(dealDeck(serverSeed, 'hand-1', []).deck).not.toEqual(deckFromSeed(serverSeed, 'hand-1'));
  });

  it('equals an independent implementation of the spec', () => {
    for (const [n, list] of [[], seeds, [{ seat: 9, seed: '~'.repeat(64) }]].entries()) {
      const ref = referenceDeck(seedOf(20 + n), `ref-${n}`, list);
      expect(dealDeck(seedOf(20 + n), `ref-${n}`, list)).toEqual(ref);
    }
  });

  it('pins the worked example of docs/fairness.md', () => {
    const docSeed = Uint8Array.from({ length: 32 }, (_, i) => i);
    const docSeeds = [{ seat: 3, seed: 'lucky-7' }, { seat: 0, seed: 'alice:0' }];
    expect(commitment(docSeed)).toBe('630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd');
    expect(bytesToHex(encodeClientSeeds(docSeeds))).toBe('020007616c6963653a3003076c75636b792d37');
    expect(bytesToHex(deckSeed(docSeed, '7-42', docSeeds))).toBe('72b04de91228c473387335c1e52587798835c191380a2d55232b1dded83a9860');
    const { deck, deckRoot } = dealDeck(docSeed, '7-42', docSeeds);
    expect(deckRoot).toBe('3b66dd4b68bb722d1e730fb787b5a246c7333c990866f8c00e1bb2ce484c6d76');
    expect(deck.slice(0, 14).map(cardToString).join(' ')).toBe('7s 6c 9d 7c 2s Kh Qc 3s Jd Ks Ts Td Ad Qd');
    const [opening] = openPositions(docSeed, '7-42', docSeeds, [7]);
    expect(opening).toMatchObject({ position: 7, card: '3s', salt: '54055109849aad898bd3426090554d2de68dbe30f255f8a3c8e9d68a4bba43dc' });
    expect(opening!.proof[0]).toBe('afa695951398e01906862fba9f75644f4c4303f1a1085fe0bde5c113e05109e4');
  });
});

describe('openings', () => {
  const serverSeed = seedOf(8);
  const seeds: ClientSeed[] = [{ seat: 2, seed: 'c-seed' }];
  const { deck, deckRoot } = dealDeck(serverSeed, 'open-1', seeds);
  const all = openPositions(serverSeed, 'open-1', seeds, Array.from({ length: 52 }, (_, i) => i));

  it('every position opens to its card and verifies against deckRoot, each with its own salt', () => {
    for (const opening of all) {
      expect(opening.card).toBe(cardToString(deck[opening.position]!));
      expect(verifyOpening(deckRoot, opening)).toEqual({ ok: true });
      expect(opening.proof.length).toBeGreaterThanOrEqual(4);
    }
    expect(new Set(all.map((o) => o.salt)).size).toBe(52);
    // The salts do not depend on the client seeds, the cards do.
    expect(openPositions(serverSeed, 'open-1', [], [5])[0]!.salt).toBe(all[5]!.salt);
  });

  it('a tampered card, salt, position, proof or root fails', () => {
    const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
    const other = dealDeck(serverSeed, 'open-2', seeds).deckRoot;
    for (const position of [0, 7, 25, 48, 51]) {
      const o = all[position]!;
      const otherCard = cardToString(deck[(position + 1) % 52]!);
      const tampered: Array<[string, Opening, string]> = [
        ['card', { ...o, card: otherCard }, deckRoot],
        ['salt', { ...o, salt: flip(o.salt) }, deckRoot],
        ['position', { ...o, position: position ^ 1 }, deckRoot],
        ['proof hash', { ...o, proof: [flip(o.proof[0]!), ...o.proof.slice(1)] }, deckRoot],
        ['proof order', { ...o, proof: [...o.proof].reverse() }, deckRoot],
        ['proof too short', { ...o, proof: o.proof.slice(1) }, deckRoot],
        ['proof too long', { ...o, proof: [...o.proof, o.proof[0]!] }, deckRoot],
        ['root', o, flip(deckRoot)],
        ['another hand', o, other],
        ['bad card text', { ...o, card: 'Zz' }, deckRoot],
        ['bad salt text', { ...o, salt: 'xyz' }, deckRoot],
      ];
      for (const [name, opening, root] of tampered) expect(verifyOpening(root, opening).ok, `${name} at ${position}`).toBe(false);
    }
    expect(verifyOpening(deckRoot, null as unknown as Opening).ok).toBe(false);
  });
});

describe('verifyHand, scheme 2', () => {
  const serverSeed = seedOf(10);
  const seedHex = bytesToHex(serverSeed);
  const dealtSeats = [3, 5, 0, 1];
  const clientSeeds: ClientSeed[] = [{ seat: 0, seed: 'zero' }, { seat: 5, seed: 'five' }];

  /** Public view of a hand: board and the shown seats 3 and 0, with their openings; no seed. */
  function publicRecord(variant: 'NLHE' | 'PLO' = 'NLHE', boardCount = 5): FairHandRecord {
    const { deck, deckRoot } = dealDeck(serverSeed, 'fair-1', clientSeeds);
    const cardsAt = (positions: number[]) => positions.map((p) => cardToString(deck[p]!));
    const board = boardPositions(variant, dealtSeats.length, boardCount);
    const shown = [3, 0].map((seat) => holePositions(variant, dealtSeats, seat));
    return {
      scheme: 2,
      handId: 'fair-1',
      variant,
      dealtSeats,
      holeCards: { 3: cardsAt(shown[0]!), 0: cardsAt(shown[1]!).reverse(), 5: null },
      board: cardsAt(board),
      seedCommitment: commitment(serverSeed),
      deckRoot,
      clientSeeds,
      openings: openPositions(serverSeed, 'fair-1', clientSeeds, [...board, ...shown.flat()]),
    };
  }

  it('checks the openings without the seed, and the whole deck with it', () => {
    expect(verifyHand(publicRecord())).toEqual({ ok: true, checked: 'openings' });
    expect(verifyHand(publicRecord('PLO'))).toEqual({ ok: true, checked: 'openings' });
    expect(verifyHand(publicRecord('NLHE', 3))).toEqual({ ok: true, checked: 'openings' });
    expect(verifyHand({ ...publicRecord(), seed: null })).toEqual({ ok: true, checked: 'openings' });
    const revealed = { ...publicRecord(), seed: seedHex, deck: dealDeck(serverSeed, 'fair-1', clientSeeds).deck.map(cardToString) };
    expect(verifyHand(revealed)).toEqual({ ok: true, checked: 'deck' });
    // With the seed every dealt hand can be checked, openings or not (the operator's copy).
    const everyone = { ...publicRecord(), seed: seedHex, openings: [] };
    const deck = dealDeck(serverSeed, 'fair-1', clientSeeds).deck;
    everyone.holeCards['5'] = holePositions('NLHE', dealtSeats, 5).map((p) => cardToString(deck[p]!));
    expect(verifyHand(everyone)).toEqual({ ok: true, checked: 'deck' });
  });

  it('rejects every tampering it can see', () => {
    const deck = dealDeck(serverSeed, 'fair-1', clientSeeds).deck;
    const unused = cardToString(deck[50]!);
    const cases: Array<[string, (r: FairHandRecord) => void, RegExp]> = [
      ['board card', (r) => (r.board[4] = unused), /board card 5/],
      ['shown hand', (r) => (r.holeCards['0']![0] = unused), /seat 0/],
      ['claim without an opening', (r) => (r.holeCards['5'] = [unused, cardToString(deck[49]!)]), /seat 5: no opening/],
      ['board card without an opening', (r) => (r.openings = r.openings.slice(1)), /board card 1: no opening/],
      ['opening card', (r) => (r.openings[0] = { ...r.openings[0]!, card: unused }), /does not match deckRoot/],
      ['deckRoot', (r) => (r.deckRoot = '0'.repeat(64)), /does not match deckRoot/],
      ['opening of another hand', (r) => r.openings.push(openPositions(serverSeed, 'fair-2', clientSeeds, [40])[0]!), /position 40/],
      ['wrong seed', (r) => (r.seed = bytesToHex(seedOf(11))), /seedCommitment/],
      ['seedCommitment', (r) => ((r.seed = seedHex), (r.seedCommitment = commitment(seedOf(11)))), /seedCommitment/],
      ['client seeds changed', (r) => ((r.seed = seedHex), (r.clientSeeds = [{ seat: 0, seed: 'zero' }])), /deckRoot does not match/],
      ['deck', (r) => ((r.seed = seedHex), (r.deck = [...deck.slice(1), deck[0]!].map(cardToString))), /deck position 0/],
      ['bad seed text', (r) => (r.seed = 'zz'), /seed must be/],
      ['client seed of an undealt seat', (r) => (r.clientSeeds = [{ seat: 7, seed: 'x' }]), /seat 7/],
      ['bad client seed', (r) => (r.clientSeeds = [{ seat: 0, seed: '' }]), /client seed/],
      ['undealt seat shows', (r) => (r.holeCards['7'] = r.holeCards['3']!), /seat 7/],
      ['unknown variant', (r) => (r.variant = 'STUD' as 'NLHE'), /variant/],
      ['openings missing', (r) => delete (r as Partial<FairHandRecord>).openings, /openings/],
    ];
    for (const [name, tamper, reason] of cases) {
      const record = publicRecord();
      tamper(record);
      const result = verifyHand(record);
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.reason, name).toMatch(reason);
    }
    expect(verifyHand(null as unknown as FairHandRecord).ok).toBe(false);
  });

  it('verifiableFromPublished splits what everyone can check from a player\'s own cards', () => {
    const pub = publicRecord();
    const ownPositions = holePositions('NLHE', dealtSeats, 1);
    const hand: PublishedHand = {
      record: {
        handId: pub.handId, variant: pub.variant, dealtSeats, shownSeats: [3, 0], board: pub.board,
        holeCards: { 3: pub.holeCards['3']!, 0: pub.holeCards['0']!, 1: ownPositions.map((p) => cardToString(dealDeck(serverSeed, 'fair-1', clientSeeds).deck[p]!)) },
      },
      fairness: {
        scheme: 2, seedCommitment: pub.seedCommitment, deckRoot: pub.deckRoot, clientSeeds, openings: pub.openings,
        yourOpenings: openPositions(serverSeed, 'fair-1', clientSeeds, ownPositions), seed: null,
        seedReveal: { revealed: false, notBefore: new Date(0).toISOString(), openSeatSessions: 2 },
      },
      yourSeats: [1],
    };
    const publicPart = verifiableFromPublished(hand, 'public') as FairHandRecord;
    expect(Object.keys(publicPart.holeCards).sort()).toEqual(['0', '3']);
    expect(verifyHand(publicPart)).toEqual({ ok: true, checked: 'openings' });
    const own = verifiableFromPublished(hand, 'own') as FairHandRecord;
    expect([own.board, Object.keys(own.holeCards)]).toEqual([[], ['1']]);
    expect(verifyHand(own)).toEqual({ ok: true, checked: 'openings' });
    expect(verifyHand(verifiableFromPublished(hand)!)).toEqual({ ok: true, checked: 'openings' });
    // Without its openings a player's own cards cannot be checked.
    expect(verifyHand({ ...own, openings: [] }).ok).toBe(false);
    hand.fairness.seed = seedHex;
    expect(verifyHand(verifiableFromPublished(hand)!)).toEqual({ ok: true, checked: 'deck' });

    // A scheme-1 hand: nothing to check while its seed is sealed, the whole deck after.
    const legacyDeck = deckFromSeed(serverSeed, 'old-1');
    const legacy: PublishedHand = {
      record: { handId: 'old-1', variant: 'NLHE', dealtSeats: [0, 1], shownSeats: [], board: dealBoard(legacyDeck, 2, 2).map(cardToString), holeCards: {} },
      fairness: { ...hand.fairness, scheme: 1, deckRoot: null, clientSeeds: [], openings: [], yourOpenings: [], seed: null },
      yourSeats: [],
    };
    expect(verifiableFromPublished(legacy)).toBeNull();
    legacy.fairness.seedCommitment = commitment(serverSeed);
    legacy.fairness.seed = seedHex;
    expect(verifyHand(verifiableFromPublished(legacy)!)).toEqual({ ok: true, checked: 'deck' });
  });
});
