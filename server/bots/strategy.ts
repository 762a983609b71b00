import { evaluate, evaluateOmaha, parseCard, type ActionKind, type LegalActions } from '../poker';
import { CATEGORY_SHIFT } from '../poker/evaluator';

// How a bot picks its move. Every strategy chooses only among what the
// engine's legalActions allows (the frame's `legal`), so a bot never sends an
// illegal action by construction; the server validates again anyway.

export type StrategyName = 'random-legal' | 'calling-station' | 'tight-aggressive';
export const STRATEGIES: readonly StrategyName[] = ['random-legal', 'calling-station', 'tight-aggressive'];

export interface Decision {
  action: ActionKind;
  amount?: number;
}

/** What a bot knows of the hand when deciding (its own cards and the board, as text). */
export interface HandKnowledge {
  hole: string[];
  board: string[];
  bigBlind: number;
}

export type Strategy = (legal: LegalActions, hand: HandKnowledge, random: () => number) => Decision;

/** Uniform integer in [min, max], skewed towards min (small bets keep stacks alive longer). */
function amountIn(min: number, max: number, random: () => number): number {
  if (max <= min) return min;
  const r = random();
  return Math.min(max, min + Math.floor(r ** 4 * (max - min + 1)));
}

function passive(legal: LegalActions): Decision {
  if (legal.canCheck) return { action: 'check' };
  if (legal.canCall) return { action: 'call' };
  return legal.canAllIn ? { action: 'all_in' } : { action: 'fold' };
}

function wager(legal: LegalActions, random: () => number): Decision | null {
  if (legal.minBet !== undefined && legal.maxBet !== undefined) return { action: 'bet', amount: amountIn(legal.minBet, legal.maxBet, random) };
  if (legal.minRaiseTo !== undefined && legal.maxRaiseTo !== undefined) {
    return { action: 'raise', amount: amountIn(legal.minRaiseTo, legal.maxRaiseTo, random) };
  }
  return null;
}

/** Any legal action, all-in rarely (so stacks do not bust every hand). */
export const randomLegal: Strategy = (legal, _hand, random) => {
  const roll = random();
  if (roll < 0.01 && legal.canAllIn) return { action: 'all_in' };
  if (roll < 0.25) {
    const w = wager(legal, random);
    if (w) return w;
  }
  if (roll < 0.4 && legal.canFold && !legal.canCheck) return { action: 'fold' };
  return passive(legal);
};

export const callingStation: Strategy = (legal) => passive(legal);

const RANKS = '23456789TJQKA';

/** Pre-flop strength 0..1 of two hole cards (pairs and high suited connectors high). */
export function preflopScore(hole: string[]): number {
  if (hole.length < 2) return 0;
  const ranks = hole.map((c) => RANKS.indexOf(c[0]!)).sort((a, b) => b - a);
  const [hi, lo] = [ranks[0]!, ranks[1]!];
  const suited = hole.length === 2 && hole[0]![1] === hole[1]![1];
  let score = (hi + lo) / 24;
  if (hi === lo) score = 0.55 + hi / 27;
  else {
    if (suited) score += 0.06;
    if (hi - lo === 1) score += 0.04;
    if (hi - lo > 4) score -= 0.1;
  }
  return Math.max(0, Math.min(1, score));
}

/** Post-flop: the made hand's category (0 high card .. 8 straight flush), -1 when unknown. */
export function madeCategory(hand: HandKnowledge): number {
  if (hand.board.length < 3 || hand.hole.length < 2) return -1;
  const hole = hand.hole.map(parseCard);
  const board = hand.board.map(parseCard);
  const value = hole.length === 4 ? evaluateOmaha(hole, board) : evaluate([...hole, ...board]);
  return value >> CATEGORY_SHIFT;
}

/** Plays few hands and plays them hard: raises strong holdings, folds weak ones to a bet. */
export const tightAggressive: Strategy = (legal, hand, random) => {
  const preflop = hand.board.length === 0;
  const strength = preflop ? preflopScore(hand.hole) : (madeCategory(hand) + 1) / 4;
  const cheap = legal.callAmount <= hand.bigBlind * (preflop ? 1 : 2);
  if (strength >= 0.75) return wager(legal, random) ?? passive(legal);
  if (strength >= 0.5) return legal.canCheck || cheap || legal.callAmount <= hand.bigBlind * 6 ? passive(legal) : { action: 'fold' };
  if (legal.canCheck) return { action: 'check' };
  return cheap && random() < 0.3 ? passive(legal) : { action: 'fold' };
};

export function strategyByName(name: StrategyName): Strategy {
  switch (name) {
    case 'random-legal':
      return randomLegal;
    case 'calling-station':
      return callingStation;
    case 'tight-aggressive':
      return tightAggressive;
  }
}
