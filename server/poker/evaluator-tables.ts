// Constants of the rank-key evaluator (see evaluator.ts).
//
// Rank keys from Kenneth Shackleton's SKPokerEval (deuce .. ace): every multiset of exactly
// 5, 6 or 7 ranks with at most 4 of each rank has a distinct sum of keys (the unit test
// re-checks this). The evaluator gives each card the key `RANK_KEYS[rank] * 8 + 1`, so the
// low 3 bits of a sum count the cards and sums of 5, 6 and 7 cards never collide either.
export const RANK_KEYS: readonly number[] = [
  0, 1, 5, 22, 98, 453, 2031, 8698, 22854, 83661, 262349, 636345, 1479181,
];

/** Multiplier that frees the low bits of a card key for the card count. */
export const RANK_KEY_SCALE = 8;
