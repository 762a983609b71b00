// Card encoding shared by the engine, the evaluator, the protocol and the client.
// A card is an integer 0..51: rank * 4 + suit, rank 0 = deuce .. 12 = ace,
// suit 0 = clubs, 1 = diamonds, 2 = hearts, 3 = spades. On the wire and in hand
// histories a card is its two-character text form ("As", "Td", "2c").

export type Card = number & { readonly __brand: 'Card' };

export const RANK_CHARS = '23456789TJQKA';
export const SUIT_CHARS = 'cdhs';
export const DECK_SIZE = 52;

export function makeCard(rank: number, suit: number): Card {
  return (rank * 4 + suit) as Card;
}

export function rankOf(card: Card): number {
  return card >> 2;
}

export function suitOf(card: Card): number {
  return card & 3;
}

export function cardToString(card: Card): string {
  return RANK_CHARS[rankOf(card)]! + SUIT_CHARS[suitOf(card)]!;
}

export function parseCard(text: string): Card {
  if (text.length !== 2) throw new Error(`not a card: ${JSON.stringify(text)}`);
  const rank = RANK_CHARS.indexOf(text[0]!.toUpperCase());
  const suit = SUIT_CHARS.indexOf(text[1]!.toLowerCase());
  if (rank < 0 || suit < 0) throw new Error(`not a card: ${JSON.stringify(text)}`);
  return makeCard(rank, suit);
}

export function parseCards(text: string): Card[] {
  const compact = text.replace(/[\s,]+/g, '');
  const cards: Card[] = [];
  for (let i = 0; i < compact.length; i += 2) cards.push(parseCard(compact.slice(i, i + 2)));
  return cards;
}

export function isCard(value: unknown): value is Card {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < DECK_SIZE;
}

/** The 52 cards in a fixed order (2c, 2d, 2h, 2s, 3c, ... As). */
export function orderedDeck(): Card[] {
  return Array.from({ length: DECK_SIZE }, (_, i) => i as Card);
}
