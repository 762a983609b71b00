import { describeHand, evaluate, evaluateOmaha, parseCard, type Variant } from '@poker';

// The viewer's own best hand so far, named with the engine's evaluator: Hold'em
// uses any five of hole + board, Omaha exactly two hole cards and three board
// cards. Nothing before the flop (there is no five-card hand yet).

export function bestHandName(variant: Variant, hole: readonly string[] | null, board: readonly string[]): string | null {
  if (!hole || board.length < 3) return null;
  const holeCards = hole.map(parseCard);
  const boardCards = board.map(parseCard);
  const value = variant === 'PLO' ? evaluateOmaha(holeCards, boardCards) : evaluate([...holeCards, ...boardCards]);
  return describeHand(value).name;
}

/**
 * The short form for a narrow seat: "Full House" rather than "Full House, Kings full of Sevens";
 * a high card keeps its rank, "Ace High" ("High Card" alone says nothing a player can use).
 */
export function shortHandName(name: string): string {
  const highCard = /^High Card, (\w+)$/.exec(name);
  return highCard ? `${highCard[1]} High` : name.split(',')[0]!;
}
