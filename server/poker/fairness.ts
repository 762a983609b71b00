// Provably fair shuffle: commit to a secret seed before the hand, reveal it after, and let
// anyone recompute the deck and check every card that was shown.
//
// The algorithm, exactly (docs/fairness.md repeats it for people writing a verifier):
//
//   1. seed: 32 random bytes, fresh for each hand (the server draws it with
//      crypto.randomBytes; this module only receives it). commitment = lowercase hex of
//      SHA-256(seed), published when the hand starts; the seed is revealed when it ends.
//   2. stream: block i (i = 0, 1, 2, ...) is HMAC-SHA256(key = seed, message = UTF-8 of
//      handId + ":" + i, with i in decimal, no padding). The blocks are concatenated and
//      read 4 bytes at a time as big-endian unsigned 32-bit integers.
//   3. uniform integer in [0, m): take the next integer x; if x >= floor(2^32 / m) * m,
//      discard it and take the next one (rejection sampling, so no modulo bias);
//      otherwise the result is x mod m.
//   4. deck: start from the ordered deck [0, 1, ..., 51] (card = rank * 4 + suit, 2c 2d 2h
//      2s 3c ... As); for i = 51 down to 1: j = uniform(i + 1); swap deck[i] and deck[j]
//      (Fisher-Yates). deck[0] is dealt first, per the deal convention in deal.ts.
//
// Isomorphic: @noble/hashes is pure JavaScript, so the browser runs the same verifier.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { createHmacBlocks } from './hmac-stream.js';
import { type Card, DECK_SIZE, cardToString, isCard, orderedDeck, parseCard } from './cards.js';
import { HOLE_CARDS_BY_VARIANT, type Variant, boardCardIndexes, holeCardIndex, DEALT_PLAYERS_MAX } from './deal.js';

export const SEED_BYTES = 32;
const BLOCK_WORDS = 8;
const TWO_POW_32 = 0x1_0000_0000;

export type Seed = Uint8Array | string;

function seedBytes(seed: Seed): Uint8Array {
  const bytes = typeof seed === 'string' ? hexToBytes(seed) : seed;
  if (bytes.length !== SEED_BYTES) throw new RangeError(`seed must be ${SEED_BYTES} bytes, got ${bytes.length}`);
  return bytes;
}

/** Lowercase hex SHA-256 of the seed: published before the hand, checked after. */
export function commitment(seed: Seed): string {
  return bytesToHex(sha256(seedBytes(seed)));
}

/** The uint32 stream of step 2 (HMAC blocks computed by hmac-stream.ts). */
export function createRandomStream(seed: Seed, handId: string): () => number {
  const words = new Int32Array(BLOCK_WORDS);
  const nextBlock = createHmacBlocks(seedBytes(seed), handId + ':', words);
  let position = BLOCK_WORDS;
  return () => {
    if (position === BLOCK_WORDS) {
      nextBlock();
      position = 0;
    }
    return words[position++]! >>> 0;
  };
}

/** Uniform integer in [0, bound) from a uint32 stream, by rejection (step 3). */
export function uniformInt(next: () => number, bound: number): number {
  if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) throw new RangeError(`bad bound ${bound}`);
  const limit = Math.floor(TWO_POW_32 / bound) * bound;
  for (;;) {
    const x = next();
    if (x < limit) return x % bound;
  }
}

/** The deck of a hand (step 4): deterministic in (seed, handId). */
export function deckFromSeed(seed: Seed, handId: string): Card[] {
  const next = createRandomStream(seed, handId);
  const deck = orderedDeck();
  for (let i = DECK_SIZE - 1; i >= 1; i--) {
    const j = uniformInt(next, i + 1);
    const card = deck[i]!;
    deck[i] = deck[j]!;
    deck[j] = card;
  }
  return deck;
}

// ---------------------------------------------------------------------------------------
// Verification of a finished hand.

export interface HandRecord {
  handId: string;
  /** Hex SHA-256 of the seed, as published at hand start. */
  commitment: string;
  /** The revealed seed, hex. */
  seed: string;
  variant: Variant;
  /** The deal order: seat numbers, first dealt first (see deal.ts). */
  dealtSeats: number[];
  /** Shown hole cards by seat; null or absent = not shown (not checked). */
  holeCards: Record<string, string[] | null | undefined>;
  /** The board cards dealt, in order (0..5). */
  board: string[];
  /** Optional full deck; when present it must equal the recomputed deck. */
  deck?: string[];
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const HEX_64 = /^[0-9a-fA-F]{64}$/;

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}

function checkShape(record: HandRecord): string | null {
  if (typeof record !== 'object' || record === null) return 'record is not an object';
  if (typeof record.handId !== 'string' || record.handId.length === 0) return 'handId missing';
  if (typeof record.seed !== 'string' || !HEX_64.test(record.seed)) return 'seed must be 64 hex characters';
  if (typeof record.commitment !== 'string' || !HEX_64.test(record.commitment)) {
    return 'commitment must be 64 hex characters';
  }
  if (!(record.variant in HOLE_CARDS_BY_VARIANT)) return `unknown variant ${String(record.variant)}`;
  const seats = record.dealtSeats;
  if (!Array.isArray(seats) || seats.length < 2 || seats.length > DEALT_PLAYERS_MAX) {
    return `dealtSeats must list 2..${DEALT_PLAYERS_MAX} seats`;
  }
  if (new Set(seats).size !== seats.length || !seats.every((s) => Number.isInteger(s))) {
    return 'dealtSeats must be distinct integers';
  }
  if (!Array.isArray(record.board) || record.board.length > 5) return 'board must list 0..5 cards';
  if (typeof record.holeCards !== 'object' || record.holeCards === null) return 'holeCards missing';
  return null;
}

function parseOrNull(text: unknown): Card | null {
  if (typeof text !== 'string') return null;
  try {
    return parseCard(text);
  } catch {
    return null;
  }
}

function checkDeck(record: HandRecord, deck: readonly Card[]): string | null {
  if (record.deck === undefined) return null;
  if (!Array.isArray(record.deck) || record.deck.length !== DECK_SIZE) return 'deck must list 52 cards';
  for (let i = 0; i < DECK_SIZE; i++) {
    if (parseOrNull(record.deck[i]) !== deck[i]) {
      return `deck position ${i} is ${String(record.deck[i])}, the seed gives ${cardToString(deck[i]!)}`;
    }
  }
  return null;
}

function checkHoleCards(record: HandRecord, deck: readonly Card[]): string | null {
  const players = record.dealtSeats.length;
  const holeCount = HOLE_CARDS_BY_VARIANT[record.variant];
  for (const [seatText, shown] of Object.entries(record.holeCards)) {
    if (shown === null || shown === undefined) continue;
    const k = record.dealtSeats.indexOf(Number(seatText));
    if (k < 0) return `seat ${seatText} shows cards but was not dealt in`;
    if (!Array.isArray(shown) || shown.length !== holeCount) {
      return `seat ${seatText} must show ${holeCount} hole cards`;
    }
    const expected = Array.from({ length: holeCount }, (_, round) => deck[holeCardIndex(players, holeCount, k, round)]!);
    const given = shown.map(parseOrNull);
    // Order-insensitive: a client may sort a hand for display; the set must match exactly.
    const same = given.every((card) => card !== null && expected.includes(card)) && new Set(given).size === holeCount;
    if (!same) {
      return `seat ${seatText} shows ${shown.join(' ')}, the seed deals ${expected.map(cardToString).join(' ')}`;
    }
  }
  return null;
}

function checkBoard(record: HandRecord, deck: readonly Card[]): string | null {
  const indexes = boardCardIndexes(record.dealtSeats.length, HOLE_CARDS_BY_VARIANT[record.variant]);
  for (let i = 0; i < record.board.length; i++) {
    const card = parseOrNull(record.board[i]);
    const expected = deck[indexes[i]!]!;
    if (card === null || !isCard(card) || card !== expected) {
      return `board card ${i + 1} is ${String(record.board[i])}, the seed deals ${cardToString(expected)}`;
    }
  }
  return null;
}

/** Checks a finished hand against its commitment and revealed seed. Pure; never throws. */
export function verifyHand(record: HandRecord): VerifyResult {
  const shapeError = checkShape(record);
  if (shapeError !== null) return fail(shapeError);
  if (commitment(record.seed) !== record.commitment.toLowerCase()) {
    return fail('commitment does not match sha256(seed)');
  }
  const deck = deckFromSeed(record.seed, record.handId);
  const error = checkDeck(record, deck) ?? checkHoleCards(record, deck) ?? checkBoard(record, deck);
  return error === null ? { ok: true } : fail(error);
}
