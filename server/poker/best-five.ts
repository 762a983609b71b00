// The five cards that make a hand's value: for showing which cards won (the board cards and
// hole cards of the winning hand are highlighted). Hold'em takes any five of hole + board,
// Omaha exactly two hole cards and three board cards. Pure and table-free (evaluateSlow), so
// the browser can call it for a finished hand without building the fast evaluator's tables.
import type { Card } from './cards';
import type { Variant } from './deal';
import { evaluateSlow } from './evaluator';

const HAND_SIZE = 5;
const OMAHA_HOLE_USED = 2;

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...combinations(rest, k - 1).map((c) => [first, ...c]), ...combinations(rest, k)];
}

/**
 * The best five-card hand from `hole` and `board` with its value, or null when there are
 * fewer than five cards to choose from (Omaha: fewer than three board cards). Among fives of
 * equal value the first found wins, so the answer is deterministic.
 */
export function bestFive(variant: Variant, hole: readonly Card[], board: readonly Card[]): { cards: Card[]; value: number } | null {
  const candidates = variant === 'PLO'
    ? combinations(hole, OMAHA_HOLE_USED).flatMap((h) => combinations(board, HAND_SIZE - OMAHA_HOLE_USED).map((b) => [...h, ...b]))
    : combinations([...hole, ...board], HAND_SIZE);
  let best: { cards: Card[]; value: number } | null = null;
  for (const cards of candidates) {
    const value = evaluateSlow(cards);
    if (best === null || value > best.value) best = { cards, value };
  }
  return best;
}
