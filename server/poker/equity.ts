// Exact all-in equity over every possible completion of the board (no sampling).
//
// Results are fractions in [0, 1] of the `boards` enumerated:
//   win[i]    boards on which hand i alone has the best hand,
//   tie[i]    boards on which hand i shares the best hand with at least one other,
//   equity[i] expected share of the pot: (wins + sum over tied boards of 1 / tied hands) / boards.
// So sum(equity) = 1, and sum(win) + (boards with a tie) / boards = 1.
//
// Cost (docs/performance.md): NLHE with a board dealt enumerates its completions (at most
// 990 heads-up on the flop), with running sums of the board's rank keys and suit counters:
// one addition and one look-up per hand per board. NLHE pre-flop (C(48,5) = 1,712,304
// boards heads-up) is counted by classes of boards instead (holdemEquityNoBoard): 2-5 ms
// where board by board took 0.1-0.25 s, with the same counts. For PLO each hand first tabulates its
// best non-flush value for every board rank triple (455 triples x 6 pairs); a board then
// costs 10 reads of that table per hand plus a flush-table read for each suited pair that
// matches a one-suit board triple. PLO heads-up pre-flop (1,086,008 boards) takes about
// 0.2-0.3 s; the server calls this only when no more betting is possible, usually on the
// flop or later (at most C(45,2) = 990 boards heads-up).
import type { Card } from './cards.js';
import { HOLE_CARDS_BY_VARIANT, type Variant } from './deal.js';
import {
  FLUSH_CHECK_ADD,
  FLUSH_CHECK_MASK,
  evaluatorTables,
  flushSuitOf,
  suitCounterOf,
  valueOfRankKey,
} from './evaluator.js';

/** Most live hands per equity call (a full ring game). */
export const EQUITY_HANDS_MAX = 10;

export interface EquityInput {
  variant: Variant;
  /** Live hands (2 cards NLHE, 4 PLO). */
  hands: Card[][];
  /** Known board cards, 0..5. */
  board: Card[];
  /** Cards known to be out of the deck (folded hands shown, burns seen), optional. */
  dead?: Card[];
}

export interface EquityResult {
  win: number[];
  tie: number[];
  equity: number[];
  /** Number of boards enumerated. */
  boards: number;
}

function checkInput(input: EquityInput): Card[] {
  const holeCount = HOLE_CARDS_BY_VARIANT[input.variant];
  if (holeCount === undefined) throw new RangeError(`unknown variant ${String(input.variant)}`);
  const { hands, board } = input;
  if (hands.length < 1 || hands.length > EQUITY_HANDS_MAX) throw new RangeError(`1..${EQUITY_HANDS_MAX} hands`);
  if (hands.some((hand) => hand.length !== holeCount)) throw new RangeError(`every hand needs ${holeCount} cards`);
  if (board.length > 5) throw new RangeError('board has at most 5 cards');
  const used = [...hands.flat(), ...board, ...(input.dead ?? [])];
  const seen = new Set<number>();
  for (const card of used) {
    if (!Number.isInteger(card) || card < 0 || card > 51) throw new RangeError(`not a card: ${card}`);
    if (seen.has(card)) throw new RangeError(`card used twice: ${card}`);
    seen.add(card);
  }
  const remaining = Array.from({ length: 52 }, (_, i) => i as Card).filter((card) => !seen.has(card));
  if (remaining.length < 5 - board.length) throw new RangeError('not enough cards left to complete the board');
  return remaining;
}

/** Tallies one board given each hand's value. */
class Tally {
  readonly wins: Float64Array;
  readonly ties: Float64Array;
  readonly shares: Float64Array;
  readonly values: Int32Array;
  boards = 0;

  constructor(readonly hands: number) {
    this.wins = new Float64Array(hands);
    this.ties = new Float64Array(hands);
    this.shares = new Float64Array(hands);
    this.values = new Int32Array(hands);
  }

  /** Call after filling `values` for one board. */
  record(): void {
    this.recordBoards(1);
  }

  /** Call after filling `values`, which `weight` boards share. */
  recordBoards(weight: number): void {
    const values = this.values;
    let best = -1;
    let count = 0;
    let winner = 0;
    for (let i = 0; i < this.hands; i++) {
      const value = values[i]!;
      if (value > best) {
        best = value;
        count = 1;
        winner = i;
      } else if (value === best) {
        count++;
      }
    }
    this.boards += weight;
    if (count === 1) {
      this.wins[winner]! += weight;
      return;
    }
    for (let i = 0; i < this.hands; i++) {
      if (values[i] === best) {
        this.ties[i]! += weight;
        this.shares[i]! += weight / count;
      }
    }
  }

  result(): EquityResult {
    const b = this.boards;
    return {
      win: Array.from(this.wins, (w) => w / b),
      tie: Array.from(this.ties, (t) => t / b),
      equity: Array.from(this.wins, (w, i) => (w + this.shares[i]!) / b),
      boards: b,
    };
  }
}

/**
 * Calls `visit` once per completion of the board: `cards` holds the 5 board cards, and
 * `key` / `suits` the sums of their rank keys and suit counters.
 */
function forEachBoard(
  remaining: readonly Card[],
  known: readonly Card[],
  visit: (cards: Int32Array, key: number, suits: number) => void,
): void {
  const rankKeyByCard = evaluatorTables().rankKeyByCard;
  const cards = new Int32Array(5);
  let key = 0;
  let suits = 0;
  known.forEach((card, i) => {
    cards[i] = card;
    key += rankKeyByCard[card]!;
    suits += suitCounterOf(card);
  });
  const deal = (depth: number, from: number, keySum: number, suitSum: number): void => {
    if (depth === 5) {
      visit(cards, keySum, suitSum);
      return;
    }
    for (let i = from; i <= remaining.length - (5 - depth); i++) {
      const card = remaining[i]!;
      cards[depth] = card;
      deal(depth + 1, i + 1, keySum + rankKeyByCard[card]!, suitSum + suitCounterOf(card));
    }
  };
  deal(known.length, 0, key, suits);
}

function rankMask(cards: ArrayLike<number>, suit: number): number {
  let mask = 0;
  for (let i = 0; i < cards.length; i++) {
    const card = cards[i]!;
    if ((card & 3) === suit) mask |= 1 << (card >> 2);
  }
  return mask;
}

function holdemEquity(input: EquityInput, remaining: readonly Card[]): EquityResult {
  const { rankKeyByCard, flushValues } = evaluatorTables();
  const n = input.hands.length;
  const holeKeys = input.hands.map((hand) => rankKeyByCard[hand[0]!]! + rankKeyByCard[hand[1]!]!);
  const holeSuits = input.hands.map((hand) => suitCounterOf(hand[0]!) + suitCounterOf(hand[1]!));
  const tally = new Tally(n);
  forEachBoard(remaining, input.board, (board, boardKey, boardSuits) => {
    for (let i = 0; i < n; i++) {
      const suits = boardSuits + holeSuits[i]!;
      if (((suits + FLUSH_CHECK_ADD) & FLUSH_CHECK_MASK) !== 0) {
        const suit = flushSuitOf(suits);
        tally.values[i] = flushValues[rankMask(board, suit) | rankMask(input.hands[i]!, suit)]!;
      } else {
        tally.values[i] = valueOfRankKey(boardKey + holeKeys[i]!);
      }
    }
    tally.record();
  });
  return tally.result();
}

/** C(n, k) for n, k in 0..4: how many ways to take k of the n cards of one rank left. */
const CHOOSE = [
  [1, 0, 0, 0, 0],
  [1, 1, 0, 0, 0],
  [1, 2, 1, 0, 0],
  [1, 3, 3, 1, 0],
  [1, 4, 6, 4, 1],
];

/**
 * NLHE with no board yet, exact, by classes of boards rather than board by board. A board
 * without three cards of one suit makes no flush for anyone, so every hand's value depends
 * only on the board's ranks: each multiset of five ranks (at most 6,175) is evaluated once
 * and weighted by how many boards have those ranks. Boards with three or more cards of a
 * suit s (at most one suit can have three of five) are counted apart, by s and the set of
 * ranks S of their s cards: a hand with enough cards of s in hand makes a flush from S
 * and its own s cards, every other hand keeps its value from the ranks alone. When no hand
 * can make the flush, those boards stay with the rest of their rank class (a flush is the
 * hand's value: seven cards with five of one suit cannot also hold a full house or quads,
 * as holdemEquity assumes too). The weights are
 * products of binomials over the cards left of each rank, so the counts, and the results,
 * are those of the board-by-board enumeration: C(48,5) = 1,712,304 boards heads-up, in
 * about 10,000 rank classes and flush subsets instead of 1.7 million boards.
 */
function holdemEquityNoBoard(input: EquityInput, remaining: readonly Card[]): EquityResult {
  const { rankKeyByCard, flushValues } = evaluatorTables();
  const n = input.hands.length;
  const holeKeys = input.hands.map((hand) => rankKeyByCard[hand[0]!]! + rankKeyByCard[hand[1]!]!);
  // holeRanks[s][i]: rank bits of hand i's cards of suit s; holeCount[s][i]: how many.
  const holeRanks = [0, 1, 2, 3].map((s) => input.hands.map((hand) => rankMask(hand, s)));
  const holeCount = holeRanks.map((masks) => masks.map(popCount));
  const mostInHand = holeCount.map((counts) => Math.max(...counts));
  // left[r]: cards of rank r still in the deck; leftOfSuit[r * 4 + s]: 1 if r of s is.
  const left = new Int32Array(13);
  const leftOfSuit = new Int32Array(52);
  for (const card of remaining) {
    left[card >> 2]!++;
    leftOfSuit[card]! = 1;
  }
  const tally = new Tally(n);
  const taken = new Int32Array(13); // board cards of each rank in the class at hand
  const distinct = new Int32Array(5); // the class's distinct ranks
  const rankValues = new Int32Array(n);

  const visitClass = (keySum: number, boards: number, ranks: number): void => {
    for (let i = 0; i < n; i++) rankValues[i] = valueOfRankKey(keySum + holeKeys[i]!);
    let withoutFlush = boards;
    for (let s = 0; s < 4; s++) {
      const fewest = 5 - mostInHand[s]!; // board cards of s the best-placed hand needs
      if (fewest > ranks) continue;
      for (let subset = 7; subset < 1 << ranks; subset++) {
        const k = popCount(subset);
        if (k < 3 || k < fewest) continue;
        let count = 1;
        let suitRanks = 0;
        for (let j = 0; j < ranks && count > 0; j++) {
          const r = distinct[j]!;
          const hasSuit = leftOfSuit[r * 4 + s]!;
          if (subset & (1 << j)) {
            if (!hasSuit) count = 0;
            else {
              count *= CHOOSE[left[r]! - 1]![taken[r]! - 1]!;
              suitRanks |= 1 << r;
            }
          } else {
            count *= CHOOSE[left[r]! - hasSuit]![taken[r]!]!;
          }
        }
        if (count === 0) continue;
        for (let i = 0; i < n; i++) {
          tally.values[i] = k + holeCount[s]![i]! >= 5 ? flushValues[suitRanks | holeRanks[s]![i]!]! : rankValues[i]!;
        }
        tally.recordBoards(count);
        withoutFlush -= count;
      }
    }
    if (withoutFlush === 0) return;
    tally.values.set(rankValues);
    tally.recordBoards(withoutFlush);
  };

  // Every multiset of 5 ranks the deck can still give, rank by rank.
  const choose = (rank: number, cardsLeft: number, keySum: number, boards: number, ranks: number): void => {
    if (cardsLeft === 0) {
      visitClass(keySum, boards, ranks);
      return;
    }
    if (rank === 13) return;
    choose(rank + 1, cardsLeft, keySum, boards, ranks);
    const most = Math.min(left[rank]!, cardsLeft);
    const key = rankKeyByCard[rank * 4]!;
    for (let m = 1; m <= most; m++) {
      taken[rank] = m;
      distinct[ranks] = rank;
      choose(rank + 1, cardsLeft - m, keySum + key * m, boards * CHOOSE[left[rank]!]![m]!, ranks + 1);
    }
    taken[rank] = 0;
  };
  choose(0, 5, 0, 1, 0);
  return tally.result();
}

function popCount(bits: number): number {
  let count = 0;
  for (let b = bits; b !== 0; b &= b - 1) count++;
  return count;
}

/** The 10 ways to take 3 of 5 board cards and the 6 ways to take 2 of 4 hole cards. */
const TRIPLE_PICKS = Int32Array.from([0, 1, 2, 0, 1, 3, 0, 1, 4, 0, 2, 3, 0, 2, 4, 0, 3, 4, 1, 2, 3, 1, 2, 4, 1, 3, 4, 2, 3, 4]);
const PAIRS = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]] as const;
/** A board triple's ranks a >= b >= c as one index a * 169 + b * 13 + c. */
const TRIPLE_INDEXES = 13 * 13 * 13;

/**
 * What one Omaha hand needs per board. `bestByTriple[a * 169 + b * 13 + c]` is the best
 * non-flush value of the hand's 6 pairs with board ranks a >= b >= c, so a board costs 10
 * reads of a 9 KB table instead of 60 hash look-ups. Ignoring suits there is safe: when the
 * five cards do share a suit, the flush or straight flush beats their non-flush value, and
 * `suitedPairRanks[suit]` (rank bits of the pairs of that suit) supplies it.
 */
interface OmahaHand {
  bestByTriple: Int32Array;
  suitedPairRanks: number[][];
}

function omahaHand(hand: readonly Card[]): OmahaHand {
  const rankKey = (rank: number): number => evaluatorTables().rankKeyByCard[rank * 4]!;
  const bestByTriple = new Int32Array(TRIPLE_INDEXES).fill(-1);
  const suitedPairRanks: number[][] = [[], [], [], []];
  for (const [x, y] of PAIRS) {
    const [p, q] = [hand[x]!, hand[y]!];
    if ((p & 3) === (q & 3)) suitedPairRanks[p & 3]!.push((1 << (p >> 2)) | (1 << (q >> 2)));
  }
  for (let a = 0; a < 13; a++) {
    for (let b = 0; b <= a; b++) {
      for (let c = 0; c <= b; c++) {
        let best = -1;
        for (const [x, y] of PAIRS) {
          const [p, q] = [hand[x]! >> 2, hand[y]! >> 2];
          if (a === c && p === a && q === a) continue; // five of a rank: no such cards
          best = Math.max(best, valueOfRankKey(rankKey(p) + rankKey(q) + rankKey(a) + rankKey(b) + rankKey(c)));
        }
        bestByTriple[a * 169 + b * 13 + c] = best;
      }
    }
  }
  return { bestByTriple, suitedPairRanks };
}

function omahaEquity(input: EquityInput, remaining: readonly Card[]): EquityResult {
  const { flushValues } = evaluatorTables();
  const n = input.hands.length;
  const hands = input.hands.map(omahaHand);
  const sorted = new Int32Array(5);
  const tripleIndex = new Int32Array(10);
  const tripleSuit = new Int32Array(10); // -1 unless the three cards share a suit
  const tripleRanks = new Int32Array(10);
  const tally = new Tally(n);
  forEachBoard(remaining, input.board, (board) => {
    // Board cards by rank, highest first, so every triple below has a >= b >= c.
    sorted.set(board);
    for (let i = 1; i < 5; i++) {
      const card = sorted[i]!;
      let j = i;
      for (; j > 0 && sorted[j - 1]! < card; j--) sorted[j] = sorted[j - 1]!;
      sorted[j] = card;
    }
    for (let t = 0; t < 10; t++) {
      const x = sorted[TRIPLE_PICKS[t * 3]!]!;
      const y = sorted[TRIPLE_PICKS[t * 3 + 1]!]!;
      const z = sorted[TRIPLE_PICKS[t * 3 + 2]!]!;
      tripleIndex[t] = (x >> 2) * 169 + (y >> 2) * 13 + (z >> 2);
      tripleSuit[t] = (x & 3) === (y & 3) && (y & 3) === (z & 3) ? x & 3 : -1;
      tripleRanks[t] = (1 << (x >> 2)) | (1 << (y >> 2)) | (1 << (z >> 2));
    }
    for (let i = 0; i < n; i++) {
      const { bestByTriple, suitedPairRanks } = hands[i]!;
      let best = -1;
      for (let t = 0; t < 10; t++) {
        const value = bestByTriple[tripleIndex[t]!]!;
        if (value > best) best = value;
        const suit = tripleSuit[t]!;
        if (suit < 0) continue;
        for (const pairRanks of suitedPairRanks[suit]!) {
          const flush = flushValues[pairRanks | tripleRanks[t]!]!;
          if (flush > best) best = flush;
        }
      }
      tally.values[i] = best;
    }
    tally.record();
  });
  return tally.result();
}

/** Exact all-in equity of the live hands over every completion of the board. */
export function equity(input: EquityInput): EquityResult {
  const remaining = checkInput(input);
  if (input.variant === 'PLO') return omahaEquity(input, remaining);
  return input.board.length === 0 ? holdemEquityNoBoard(input, remaining) : holdemEquity(input, remaining);
}

/** The same, board by board, whatever the variant and board: the reference `equity` is tested against. */
export function equityBoardByBoard(input: EquityInput): EquityResult {
  const remaining = checkInput(input);
  return input.variant === 'PLO' ? omahaEquity(input, remaining) : holdemEquity(input, remaining);
}
