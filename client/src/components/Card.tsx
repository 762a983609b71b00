// Playing cards drawn with CSS and text glyphs: rank in the corners, the suit
// pip in the middle, red hearts and diamonds, black clubs and spades.

const RANK_NAMES: Record<string, string> = {
  A: 'Ace', K: 'King', Q: 'Queen', J: 'Jack', T: 'Ten', '9': 'Nine', '8': 'Eight', '7': 'Seven',
  '6': 'Six', '5': 'Five', '4': 'Four', '3': 'Three', '2': 'Two',
};
const SUITS: Record<string, { name: string; glyph: string; red: boolean }> = {
  s: { name: 'spades', glyph: '♠', red: false },
  h: { name: 'hearts', glyph: '♥', red: true },
  d: { name: 'diamonds', glyph: '♦', red: true },
  c: { name: 'clubs', glyph: '♣', red: false },
};

export function cardName(card: string): string {
  const rank = RANK_NAMES[card[0]!.toUpperCase()] ?? card[0];
  const suit = SUITS[card[1]!.toLowerCase()]?.name ?? card[1];
  return `${rank} of ${suit}`;
}

export type CardSize = 'sm' | 'md' | 'lg';

export function Card({ card, size = 'md', highlight = false, dim = false, delayMs = 0 }: { card: string; size?: CardSize; highlight?: boolean; dim?: boolean; delayMs?: number }) {
  const rank = card[0]!.toUpperCase() === 'T' ? '10' : card[0]!.toUpperCase();
  const suit = SUITS[card[1]!.toLowerCase()] ?? SUITS.s!;
  const classes = ['card', `card-${size}`, suit.red ? 'red' : 'black', highlight ? 'card-win' : '', dim ? 'card-dim' : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} role="img" aria-label={highlight ? `${cardName(card)}, in the winning hand` : cardName(card)} data-card={card} style={{ animationDelay: `${delayMs}ms` }}>
      <span className="card-corner" aria-hidden="true">
        <span className="card-rank">{rank}</span>
        <span className="card-suit">{suit.glyph}</span>
      </span>
      <span className="card-pip" aria-hidden="true">{suit.glyph}</span>
    </div>
  );
}

export function CardBack({ size = 'md', delayMs = 0 }: { size?: CardSize; delayMs?: number }) {
  return <div className={`card card-${size} card-back`} role="img" aria-label="Face-down card" data-card="back" style={{ animationDelay: `${delayMs}ms` }} />;
}

export function CardSlot({ size = 'md' }: { size?: CardSize }) {
  return <div className={`card card-${size} card-slot`} aria-hidden="true" />;
}
