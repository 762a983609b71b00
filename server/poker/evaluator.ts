// Poker hand evaluator: 5, 6 and 7 card hands (Hold'em) and Omaha (exactly two hole cards
// plus exactly three board cards).
//
// A hand value is an integer, higher is better, equal values are exact ties:
//
//   value = category << 20 | r1 << 16 | r2 << 12 | r3 << 8 | r4 << 4 | r5
//
// where category is 0 (high card) .. 8 (straight flush) and r1..r5 are the ranks
// (0 = deuce .. 12 = ace) that decide the hand, most significant first, and 0 where they
// do not count (a straight keeps only its top card: the wheel is 3 = five high; quads keep
// the quad rank and one kicker; and so on). The value decodes without a table, so
// `describeHand` and the slow path need nothing built.
//
// Speed (see docs/performance.md, "## Engine"): a rank-key hash in the manner of Kenneth
// Shackleton's SKPokerEval. Each rank has an additive key chosen so that every multiset of
// 5, 6 or 7 ranks (at most 4 of each) has a distinct sum; a flush is detected by adding
// one 4-bit suit counter per card; a non-flush hand is then one perfect-hash look-up of the
// rank-key sum, a flush one look-up of the suit's 13-bit rank mask. The tables (about
// 0.6 MB) are built at the first fast evaluation, in 100-250 ms, so importing the module
// costs nothing and the browser can use the same code; `evaluateSlow` needs no tables at
// all and suits a client that only names its own hand now and then.

import type { Card } from './cards.js';
import { RANK_KEYS, RANK_KEY_SCALE } from './evaluator-tables.js';

export const HAND_CATEGORIES = [
  'high-card',
  'pair',
  'two-pair',
  'three-of-a-kind',
  'straight',
  'flush',
  'full-house',
  'four-of-a-kind',
  'straight-flush',
] as const;
export type HandCategory = (typeof HAND_CATEGORIES)[number];

export const CATEGORY_SHIFT = 20;
const RANK_COUNT = 13;
const WHEEL_MASK = 0x100f; // A, 2, 3, 4, 5
const FIVE_HIGH = 3;

// ---------------------------------------------------------------------------------------
// Reference evaluation from rank counts and rank masks (used to build the tables, and as
// the slow path for checking them).

function packRanks(category: number, ranks: readonly number[]): number {
  let value = category;
  for (let i = 0; i < 5; i++) value = (value << 4) | (ranks[i] ?? 0);
  return value;
}

/** Highest straight top rank in a 13-bit rank mask, or -1. */
function straightHigh(mask: number): number {
  for (let high = 12; high >= 4; high--) {
    if (((mask >> (high - 4)) & 0x1f) === 0x1f) return high;
  }
  return (mask & WHEEL_MASK) === WHEEL_MASK ? FIVE_HIGH : -1;
}

/** The `count` highest ranks of a mask, highest first. */
function topRanks(mask: number, count: number): number[] {
  const ranks: number[] = [];
  for (let rank = 12; rank >= 0 && ranks.length < count; rank--) {
    if (mask & (1 << rank)) ranks.push(rank);
  }
  return ranks;
}

/** Best flush or straight flush whose suit holds the ranks in `mask` (5+ bits set). */
export function flushValueOfMask(mask: number): number {
  const high = straightHigh(mask);
  if (high >= 0) return packRanks(8, [high]);
  return packRanks(5, topRanks(mask, 5));
}

/** Best non-flush hand of a multiset of 5..7 ranks given as counts by rank. */
export function rankValueOfCounts(counts: readonly number[]): number {
  let mask = 0;
  const byCount: number[][] = [[], [], [], [], []];
  for (let rank = 12; rank >= 0; rank--) {
    const n = counts[rank] ?? 0;
    if (n > 0) mask |= 1 << rank;
    byCount[n]!.push(rank);
  }
  const [quads, trips, pairs] = [byCount[4]!, byCount[3]!, byCount[2]!];
  const kickersExcept = (used: number[], count: number): number[] => {
    let rest = mask;
    for (const rank of used) rest &= ~(1 << rank);
    return topRanks(rest, count);
  };
  if (quads.length > 0) return packRanks(7, [quads[0]!, ...kickersExcept([quads[0]!], 1)]);
  if (trips.length > 0) {
    const pairRank = Math.max(trips[1] ?? -1, pairs[0] ?? -1);
    if (pairRank >= 0) return packRanks(6, [trips[0]!, pairRank]);
  }
  const high = straightHigh(mask);
  if (high >= 0) return packRanks(4, [high]);
  if (trips.length > 0) return packRanks(3, [trips[0]!, ...kickersExcept([trips[0]!], 2)]);
  if (pairs.length >= 2) {
    const top = [pairs[0]!, pairs[1]!];
    return packRanks(2, [...top, ...kickersExcept(top, 1)]);
  }
  if (pairs.length === 1) return packRanks(1, [pairs[0]!, ...kickersExcept([pairs[0]!], 3)]);
  return packRanks(0, topRanks(mask, 5));
}

/** Slow, table-free evaluation of 5..7 cards (the reference the tables are checked by). */
export function evaluateSlow(cards: readonly Card[]): number {
  const counts = new Array<number>(RANK_COUNT).fill(0);
  const suitMasks = [0, 0, 0, 0];
  const suitCounts = [0, 0, 0, 0];
  for (const card of cards) {
    counts[card >> 2]!++;
    suitMasks[card & 3]! |= 1 << (card >> 2);
    suitCounts[card & 3]!++;
  }
  let best = rankValueOfCounts(counts);
  for (let suit = 0; suit < 4; suit++) {
    if (suitCounts[suit]! >= 5) best = Math.max(best, flushValueOfMask(suitMasks[suit]!));
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// Tables, built at first use.

/** Rank key of each card (indexed by card). */
const RANK_KEY_BY_CARD = new Int32Array(52);
const RANK_CARD_KEYS = RANK_KEYS.map((key) => key * RANK_KEY_SCALE + 1);
for (let card = 0; card < 52; card++) RANK_KEY_BY_CARD[card] = RANK_CARD_KEYS[card >> 2]!;

// Perfect hash of a rank-key sum (CHD style): the key picks a bucket by one multiplicative
// hash and a slot by another; each bucket has a displacement, XORed into the slot, chosen
// at build time so that no two keys share a slot. Structured (low-bit) slots made the
// displacement search take seconds; hashed slots place all 73,775 keys in a few ms.
const BUCKET_BITS = 15;
const SLOT_BITS = 17;
const BUCKET_MULTIPLIER = 0x9e3779b1 | 0;
const SLOT_MULTIPLIER = 0x85ebca6b | 0;
const DISPLACEMENT_MAX = 0xff;

function bucketOf(key: number): number {
  return Math.imul(key, BUCKET_MULTIPLIER) >>> (32 - BUCKET_BITS);
}

function slotOf(key: number): number {
  return Math.imul(key, SLOT_MULTIPLIER) >>> (32 - SLOT_BITS);
}

export interface EvaluatorTables {
  /** Rank key of each card. */
  readonly rankKeyByCard: Int32Array;
  /** Displacement of each perfect-hash bucket. */
  readonly displacements: Uint8Array;
  /** Non-flush value by perfect hash of the rank-key sum. */
  readonly values: Int32Array;
  /** Flush / straight-flush value by 13-bit rank mask of the flush suit. */
  readonly flushValues: Int32Array;
}

let tables: EvaluatorTables | null = null;
let displacements: Uint8Array = new Uint8Array(0);
let hashValues: Int32Array = new Int32Array(0);
let flushValues: Int32Array = new Int32Array(0);

/** Every rank multiset of 5..7 cards with at most 4 per rank, as [key, value]. */
function enumerateRankMultisets(): { keys: number[]; values: number[] } {
  const keys: number[] = [];
  const values: number[] = [];
  const counts = new Array<number>(RANK_COUNT).fill(0);
  const visit = (rank: number, size: number, key: number): void => {
    if (rank === RANK_COUNT) {
      if (size >= 5) {
        keys.push(key);
        values.push(rankValueOfCounts(counts));
      }
      return;
    }
    for (let n = 0; n <= 4 && size + n <= 7; n++) {
      counts[rank] = n;
      visit(rank + 1, size + n, key + n * RANK_CARD_KEYS[rank]!);
    }
    counts[rank] = 0;
  };
  visit(0, 0, 0);
  return { keys, values };
}

function bucketFits(slots: Int32Array, slotsOfBucket: readonly number[], displacement: number): boolean {
  for (const slot of slotsOfBucket) {
    if (slots[slot ^ displacement] !== -1) return false;
  }
  return true;
}

/**
 * Fills `displacements` and `hashValues`: buckets, largest first, take the smallest
 * displacement at which none of their slots is taken. Displacements stay tiny (under 40),
 * so they fit a byte and the bucket table a 32 KB slice of cache.
 */
function buildPerfectHash(keys: readonly number[], values: readonly number[]): void {
  const buckets: number[][] = Array.from({ length: 1 << BUCKET_BITS }, () => []);
  keys.forEach((key, i) => buckets[bucketOf(key)]!.push(i));
  const order = buckets.map((_, bucket) => bucket).sort((x, y) => buckets[y]!.length - buckets[x]!.length);
  const slots = new Int32Array(1 << SLOT_BITS).fill(-1);
  const displacementByBucket = new Uint8Array(1 << BUCKET_BITS);
  for (const bucket of order) {
    const members = buckets[bucket]!;
    if (members.length === 0) break;
    const slotsOfBucket = members.map((i) => slotOf(keys[i]!));
    if (new Set(slotsOfBucket).size !== slotsOfBucket.length) throw new Error('evaluator: hash constants collide');
    let displacement = 0;
    while (!bucketFits(slots, slotsOfBucket, displacement)) {
      displacement++;
      if (displacement > DISPLACEMENT_MAX) throw new Error('evaluator: perfect hash displacement overflow');
    }
    displacementByBucket[bucket] = displacement;
    members.forEach((i, m) => (slots[slotsOfBucket[m]! ^ displacement] = values[i]!));
  }
  displacements = displacementByBucket;
  hashValues = slots;
}

function buildFlushTable(): void {
  flushValues = new Int32Array(1 << RANK_COUNT);
  for (let mask = 0; mask < 1 << RANK_COUNT; mask++) {
    let bits = 0;
    for (let m = mask; m !== 0; m &= m - 1) bits++;
    if (bits >= 5) flushValues[mask] = flushValueOfMask(mask);
  }
}

/** Builds the tables if needed and returns them (used by the equity enumeration). */
export function evaluatorTables(): EvaluatorTables {
  if (tables === null) {
    const { keys, values } = enumerateRankMultisets();
    buildPerfectHash(keys, values);
    buildFlushTable();
    tables = { rankKeyByCard: RANK_KEY_BY_CARD, displacements, values: hashValues, flushValues };
  }
  return tables;
}

// ---------------------------------------------------------------------------------------
// Fast paths.

/** Suit counter of a card: 1 in the card's 4-bit suit nibble. */
function suitBit(card: number): number {
  return 1 << ((card & 3) << 2);
}

/** Nonzero when a nibble of a suit-counter sum is 5 or more (adding 3 sets its bit 3). */
export const FLUSH_CHECK_ADD = 0x3333;
export const FLUSH_CHECK_MASK = 0x8888;

/** Suit 0..3 of the flush in a suit-counter sum already known to contain one. */
export function flushSuitOf(suitSum: number): number {
  const bits = (suitSum + FLUSH_CHECK_ADD) & FLUSH_CHECK_MASK;
  return (31 - Math.clz32(bits)) >> 2;
}

function rankBitIfSuit(card: number, suit: number): number {
  return (card & 3) === suit ? 1 << (card >> 2) : 0;
}

function flush7(suitSum: number, a: number, b: number, c: number, d: number, e: number, f: number, g: number): number {
  const suit = flushSuitOf(suitSum);
  const mask =
    rankBitIfSuit(a, suit) | rankBitIfSuit(b, suit) | rankBitIfSuit(c, suit) | rankBitIfSuit(d, suit) |
    rankBitIfSuit(e, suit) | rankBitIfSuit(f, suit) | rankBitIfSuit(g, suit);
  return flushValues[mask]!;
}

/** Array-free 7-card evaluation (cards must be distinct). */
export function evaluate7(a: number, b: number, c: number, d: number, e: number, f: number, g: number): number {
  if (tables === null) evaluatorTables();
  const suitSum = suitBit(a) + suitBit(b) + suitBit(c) + suitBit(d) + suitBit(e) + suitBit(f) + suitBit(g);
  if (((suitSum + FLUSH_CHECK_ADD) & FLUSH_CHECK_MASK) !== 0) return flush7(suitSum, a, b, c, d, e, f, g);
  const k = RANK_KEY_BY_CARD;
  const key = k[a]! + k[b]! + k[c]! + k[d]! + k[e]! + k[f]! + k[g]!;
  return hashValues[slotOf(key) ^ displacements[bucketOf(key)]!]!;
}

/** Array-free 5-card evaluation (cards must be distinct). */
export function evaluate5(a: number, b: number, c: number, d: number, e: number): number {
  if (tables === null) evaluatorTables();
  const suitSum = suitBit(a) + suitBit(b) + suitBit(c) + suitBit(d) + suitBit(e);
  if (((suitSum + FLUSH_CHECK_ADD) & FLUSH_CHECK_MASK) !== 0) {
    return flushValues[(1 << (a >> 2)) | (1 << (b >> 2)) | (1 << (c >> 2)) | (1 << (d >> 2)) | (1 << (e >> 2))]!;
  }
  const k = RANK_KEY_BY_CARD;
  const key = k[a]! + k[b]! + k[c]! + k[d]! + k[e]!;
  return hashValues[slotOf(key) ^ displacements[bucketOf(key)]!]!;
}

/** Value of a rank-key sum and suit-counter sum of 5..7 distinct cards (`cards` for flushes). */
function evaluateSums(key: number, suitSum: number, cards: readonly number[]): number {
  if (((suitSum + FLUSH_CHECK_ADD) & FLUSH_CHECK_MASK) !== 0) {
    const suit = flushSuitOf(suitSum);
    let mask = 0;
    for (const card of cards) mask |= rankBitIfSuit(card, suit);
    return flushValues[mask]!;
  }
  return hashValues[slotOf(key) ^ displacements[bucketOf(key)]!]!;
}

/**
 * Value of a non-flush hand from its rank-key sum (the sum of `rankKeyByCard` over 5..7
 * distinct cards whose suit-counter sum has no flush). For enumeration loops that add keys
 * incrementally; `evaluatorTables()` must have been called.
 */
export function valueOfRankKey(key: number): number {
  return hashValues[slotOf(key) ^ displacements[bucketOf(key)]!]!;
}

/** Suit-counter contribution of a card (4-bit count per suit); see FLUSH_CHECK_*. */
export function suitCounterOf(card: number): number {
  return suitBit(card);
}

function checkCards(cards: readonly Card[], min: number, max: number, what: string): void {
  if (cards.length < min || cards.length > max) {
    throw new RangeError(`${what}: expected ${min}..${max} cards, got ${cards.length}`);
  }
  let seenLow = 0; // cards 0..31
  let seenHigh = 0; // cards 32..51
  for (const card of cards) {
    if (!Number.isInteger(card) || card < 0 || card > 51) throw new RangeError(`${what}: not a card: ${card}`);
    const bit = 1 << (card & 31);
    const seen = card < 32 ? seenLow : seenHigh;
    if (seen & bit) throw new RangeError(`${what}: duplicate card ${card}`);
    if (card < 32) seenLow |= bit;
    else seenHigh |= bit;
  }
}

/** Best 5-card hand of 5, 6 or 7 distinct cards. Higher is better; equal is a tie. */
export function evaluate(cards: readonly Card[]): number {
  checkCards(cards, 5, 7, 'evaluate');
  if (tables === null) evaluatorTables();
  let key = 0;
  let suitSum = 0;
  for (const card of cards) {
    key += RANK_KEY_BY_CARD[card]!;
    suitSum += suitBit(card);
  }
  return evaluateSums(key, suitSum, cards);
}

/**
 * Omaha: best hand using exactly two of the 4 hole cards and exactly three of the 3..5
 * board cards (6 x 10 = 60 five-card hands on a full board).
 */
export function evaluateOmaha(hole: readonly Card[], board: readonly Card[]): number {
  checkCards(hole, 4, 4, 'evaluateOmaha hole');
  checkCards(board, 3, 5, 'evaluateOmaha board');
  checkCards([...hole, ...board], 7, 9, 'evaluateOmaha');
  let best = -1;
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 4; j++) {
      const h0 = hole[i]!;
      const h1 = hole[j]!;
      for (let x = 0; x < board.length - 2; x++) {
        for (let y = x + 1; y < board.length - 1; y++) {
          for (let z = y + 1; z < board.length; z++) {
            const value = evaluate5(h0, h1, board[x]!, board[y]!, board[z]!);
            if (value > best) best = value;
          }
        }
      }
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// Description.

const RANK_NAMES = ['Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Jack', 'Queen', 'King', 'Ace'];
const RANK_PLURALS = ['Twos', 'Threes', 'Fours', 'Fives', 'Sixes', 'Sevens', 'Eights', 'Nines', 'Tens', 'Jacks', 'Queens', 'Kings', 'Aces'];

export function handCategory(value: number): HandCategory {
  const category = HAND_CATEGORIES[value >> CATEGORY_SHIFT];
  if (category === undefined) throw new RangeError(`not a hand value: ${value}`);
  return category;
}

/** Human description of a hand value, e.g. "Full House, Kings full of Sevens". */
export function describeHand(value: number): { category: HandCategory; name: string } {
  const category = handCategory(value);
  const rank = (i: number): number => (value >> (16 - 4 * i)) & 0xf;
  const single = (i: number): string => RANK_NAMES[rank(i)]!;
  const plural = (i: number): string => RANK_PLURALS[rank(i)]!;
  const names: Record<HandCategory, () => string> = {
    'straight-flush': () => (rank(0) === 12 ? 'Royal Flush' : `Straight Flush, ${single(0)} high`),
    'four-of-a-kind': () => `Four of a Kind, ${plural(0)}`,
    'full-house': () => `Full House, ${plural(0)} full of ${plural(1)}`,
    flush: () => `Flush, ${single(0)} high`,
    straight: () => `Straight, ${single(0)} high`,
    'three-of-a-kind': () => `Three of a Kind, ${plural(0)}`,
    'two-pair': () => `Two Pair, ${plural(0)} and ${plural(1)}`,
    pair: () => `Pair of ${plural(0)}`,
    'high-card': () => `High Card, ${single(0)}`,
  };
  return { category, name: names[category]() };
}
