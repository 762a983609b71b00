import { useEffect, useLayoutEffect, useMemo, useRef, useSyncExternalStore, type CSSProperties } from 'react';
import { bestFive, cardToString, parseCard, type SeatView, type TableView } from '@poker';
import type { SeatPlayer } from '@protocol';
import { shortChips, formatChips } from '../money';

/** Stacks from this size on are written short on a seat's plate (shortChips); below it, whole. */
const PLATE_FULL_MAX = 10_000_000;
import { bestHandName, shortHandName } from '../bestHand';
import { collectedPots, totalPot, type Award, type TableState } from '../tableState';
import { ShowCardsButton } from './ActionBar';
import { Card, CardBack, CardSlot } from './Card';
import { ClockBar, ClockRing } from './ClockRing';

// The oval table: seats laid out around an ellipse from maxSeats, the viewer's
// own seat rotated to the bottom, bets between each seat and the middle (placed
// where they cover nothing: placeBets), the board and pots in the middle, and
// chips flying to the winners.

export interface SeatPosition {
  x: number;
  y: number;
}

/**
 * How the felt is laid out, from the window (styles.css has the same media queries): a desktop's
 * wide oval; an upright phone's tall one (`short`: one at most 740 px high, 360x640 or 375x667,
 * where the action bar leaves the felt about as high as wide); a phone on its side (at most 500 px
 * high, 640x360 too), the desktop's wide oval beside the action bar.
 */
export type FeltShape = 'wide' | 'upright' | 'short' | 'sideways';

export function useFeltShape(): FeltShape {
  const sideways = useMediaQuery('(orientation: landscape) and (max-height: 500px)');
  const narrow = useMediaQuery('(max-width: 640px)');
  const short = useMediaQuery('(max-height: 740px)');
  if (sideways) return 'sideways';
  if (!narrow) return 'wide';
  return short ? 'short' : 'upright';
}

/** Percent positions of the seats' middles on the felt's box; display slot 0 is bottom centre, clockwise. */
export function seatPositions(maxSeats: number, bottomSeat: number | null, shape: FeltShape = 'wide'): SeatPosition[] {
  const rows = shape === 'wide' ? undefined : RINGS[shape][maxSeats];
  if (rows) return Array.from({ length: maxSeats }, (_, seat) => rows[(seat - (bottomSeat ?? 0) + maxSeats) % maxSeats]!);
  // On a phone the rail is taller than wide: seats hug the sides less so none leaves the screen.
  const phone = shape !== 'wide';
  const rx = phone ? 36 : 47;
  const ry = phone ? 45 : 44;
  const positions: SeatPosition[] = [];
  for (let seat = 0; seat < maxSeats; seat++) {
    const slot = (seat - (bottomSeat ?? 0) + maxSeats) % maxSeats;
    const angle = Math.PI / 2 + (slot * 2 * Math.PI) / maxSeats;
    positions.push({ x: 50 + rx * Math.cos(angle), y: 50 + ry * Math.sin(angle) });
  }
  return positions;
}

/**
 * An upright phone's seats where an oval does not do, by display slot (0 bottom centre, clockwise).
 * Around it 9 and 10 seats overlapped their neighbours (the top two at 9, most at 10 on 360 px) and
 * the pot line, and at 4, 7 and 8 the seats beside the board covered it. From 7 seats they stand in
 * a column on each side of a tall felt (x 0 and 100: the seat's --seat-half keeps it on screen): at
 * 7 two a side and two at the top, at 8 three a side and one at the top, at 9 three a side and two
 * at the top, at 10 four a side and one at the top; your seat at the bottom between the columns. At
 * 4 the seats on your left and right sit below the middle, where 6 seats have theirs.
 */
const PHONE_RING: Record<number, SeatPosition[]> = {
  4: [{ x: 50, y: 95 }, { x: 14, y: 72.5 }, { x: 50, y: 5 }, { x: 86, y: 72.5 }],
  7: [
    { x: 50, y: 95 },
    { x: 0, y: 72 }, { x: 0, y: 42 }, { x: 28, y: 6 },
    { x: 72, y: 6 }, { x: 100, y: 42 }, { x: 100, y: 72 },
  ],
  8: [
    { x: 50, y: 95 },
    { x: 0, y: 79 }, { x: 0, y: 57 }, { x: 0, y: 35 }, { x: 50, y: 5 },
    { x: 100, y: 35 }, { x: 100, y: 57 }, { x: 100, y: 79 },
  ],
  9: [
    { x: 50, y: 95 },
    { x: 0, y: 79 }, { x: 0, y: 57 }, { x: 0, y: 35 }, { x: 28, y: 6 },
    { x: 72, y: 6 }, { x: 100, y: 35 }, { x: 100, y: 57 }, { x: 100, y: 79 },
  ],
  10: [
    { x: 50, y: 95 },
    { x: 0, y: 84 }, { x: 0, y: 61 }, { x: 0, y: 38 }, { x: 0, y: 15 }, { x: 50, y: 3 },
    { x: 100, y: 15 }, { x: 100, y: 38 }, { x: 100, y: 61 }, { x: 100, y: 84 },
  ],
};

/**
 * A short upright phone's 2-6 seats (360x640: the felt about as high as wide): around the oval the
 * upper seats' plates and tags covered the pot and the board. Here the others stand in a row along
 * the top and, at 5 and 6, one in each bottom corner beside yours, so the middle keeps the felt's
 * whole height between the rows.
 */
const SHORT_RING: Record<number, SeatPosition[]> = {
  2: [{ x: 50, y: 92 }, { x: 50, y: 4 }],
  3: [{ x: 50, y: 92 }, { x: 0, y: 4 }, { x: 100, y: 4 }],
  4: [{ x: 50, y: 92 }, { x: 0, y: 4 }, { x: 50, y: 4 }, { x: 100, y: 4 }],
  5: [{ x: 50, y: 92 }, { x: 0, y: 95 }, { x: 25, y: 4 }, { x: 75, y: 4 }, { x: 100, y: 95 }],
  6: [{ x: 50, y: 92 }, { x: 0, y: 95 }, { x: 0, y: 4 }, { x: 50, y: 4 }, { x: 100, y: 4 }, { x: 100, y: 95 }],
};

/**
 * A phone on its side (844x390, 640x360): the felt is a wide oval under a row of seats along the
 * top, a column on each side (one seat, two at 9 and 10) and a row along the bottom, yours in the
 * middle of it. Around the oval the seats on its sides stood closer than they are high (their
 * tags under the next seat's cards) and at 640 px the upper ones covered the pot and the board.
 */
const SIDEWAYS_RING: Record<number, SeatPosition[]> = {
  2: [{ x: 50, y: 92 }, { x: 50, y: 7 }],
  3: [{ x: 50, y: 92 }, { x: 25, y: 7 }, { x: 75, y: 7 }],
  4: [{ x: 50, y: 92 }, { x: 0, y: 42 }, { x: 50, y: 7 }, { x: 100, y: 42 }],
  5: [{ x: 50, y: 92 }, { x: 0, y: 42 }, { x: 35, y: 7 }, { x: 65, y: 7 }, { x: 100, y: 42 }],
  6: [{ x: 50, y: 92 }, { x: 16, y: 94 }, { x: 17.5, y: 7 }, { x: 50, y: 7 }, { x: 82.5, y: 7 }, { x: 84, y: 94 }],
  7: [{ x: 50, y: 92 }, { x: 16, y: 94 }, { x: 0, y: 44 }, { x: 25, y: 7 }, { x: 75, y: 7 }, { x: 100, y: 44 }, { x: 84, y: 94 }],
  8: [
    { x: 50, y: 92 }, { x: 16, y: 94 }, { x: 0, y: 44 }, { x: 17.5, y: 7 }, { x: 50, y: 7 }, { x: 82.5, y: 7 },
    { x: 100, y: 44 }, { x: 84, y: 94 },
  ],
  9: [
    { x: 50, y: 92 }, { x: 16, y: 96 }, { x: 0, y: 67 }, { x: 0, y: 35 }, { x: 35, y: 4 }, { x: 65, y: 4 },
    { x: 100, y: 35 }, { x: 100, y: 67 }, { x: 84, y: 96 },
  ],
  10: [
    { x: 50, y: 92 }, { x: 16, y: 96 }, { x: 0, y: 67 }, { x: 0, y: 35 }, { x: 25, y: 4 }, { x: 50, y: 4 },
    { x: 75, y: 4 }, { x: 100, y: 35 }, { x: 100, y: 67 }, { x: 84, y: 96 },
  ],
};

/** A phone's seats by shape and seat count, where an oval does not do. */
const RINGS: Record<Exclude<FeltShape, 'wide'>, Record<number, SeatPosition[]>> = {
  upright: PHONE_RING,
  short: { ...PHONE_RING, ...SHORT_RING },
  sideways: SIDEWAYS_RING,
};

/**
 * The cards that won a showdown: for each winner whose hand was shown, the five cards of
 * its best hand (board and hole cards), with the engine's evaluator. Empty otherwise.
 */
export function winningCards(view: TableView): Set<string> {
  const result = view.street === 'complete' ? view.result : null;
  const cards = new Set<string>();
  if (!result || result.endedBy !== 'showdown') return cards;
  const winners = new Set(result.pots.flatMap((p) => p.winners.map((w) => w.seat)));
  const board = view.board.map(parseCard);
  for (const hand of result.shown) {
    if (!winners.has(hand.seat)) continue;
    const best = bestFive(view.config.variant, hand.cards.map(parseCard), board);
    for (const card of best?.cards ?? []) cards.add(cardToString(card));
  }
  return cards;
}

/** The equity frame for the board on the felt now (one for an earlier street is out of date). */
function currentEquity(state: TableState) {
  const equity = state.equity;
  if (!equity || state.view.street === 'complete' || equity.board.join(' ') !== state.view.board.join(' ')) return null;
  return equity;
}

function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

export interface FeltProps {
  state: TableState;
  mySeat: number | null;
  canSit: boolean;
  onSit: (seat: number) => void;
  now: number;
}

export function Felt({ state, mySeat, canSit, onSit, now }: FeltProps) {
  const view = state.view;
  const n = view.config.maxSeats;
  const shape = useFeltShape();
  // A phone, upright or on its side, has a phone's seats (styles.css): short names too.
  const short = shape !== 'wide';
  const positions = seatPositions(n, mySeat, shape);
  const winners = new Set(state.awards.flatMap((a) => a.winners.map((w) => w.seat)));
  const pots = collectedPots(view);
  const total = totalPot(view);
  const banner = winnerBanner(state.awards, state.players, view.street === 'complete' && view.result ? { seats: view.result.seats, names: state.names } : undefined);
  const handOver = view.street === 'complete';
  const winning = useMemo(() => winningCards(view), [view]);
  const wrapRef = useRef<HTMLDivElement>(null);
  // After every render (a bet, a tag or a card came or went), on a resize, and when an
  // animation ends (a card dealt or a tag popped in is measured at its final size then).
  useLayoutEffect(() => placeBets(wrapRef.current));
  useEffect(() => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    const observer = new ResizeObserver(() => placeBets(wrap));
    observer.observe(wrap);
    return () => observer.disconnect();
  }, []);

  return (
    <div className={`felt-wrap seats-${n} felt-${shape}`} data-testid="felt" ref={wrapRef} onAnimationEnd={() => placeBets(wrapRef.current)}>
      <div className="felt" aria-label={`${state.name}, ${view.config.variant} ${view.config.smallBlind}/${view.config.bigBlind}`}>
        <div className="felt-logo" aria-hidden="true">ATOMIC<span>POKER</span></div>
        <div className="center">
          <div className="pot-line" aria-live="polite">
            {total > 0 && (
              <span className="pot-total" data-testid="pot-total">
                <ChipStack amount={total} /> Pot {formatChips(total)}
              </span>
            )}
          </div>
          <div className="board" aria-label="Board" data-testid="board">
            {Array.from({ length: 5 }, (_, i) => {
              const card = view.board[i];
              return card ? (
                <Card key={`${view.handId}-${card}`} card={card} size="lg" highlight={winning.has(card)} dim={winning.size > 0 && !winning.has(card)} delayMs={(i % 3) * 90} />
              ) : (
                <CardSlot key={`slot-${i}`} size="lg" />
              );
            })}
          </div>
          <div className="pot-line side-pots">
            {pots.length > 1 &&
              pots.map((p, i) => (
                <span key={i} className="side-pot">{i === 0 ? 'Main' : `Side ${i}`} {formatChips(p.amount)}</span>
              ))}
          </div>
          {handOver && banner && (
            <div className="winner-banner" role="status" data-testid="winner-banner" title={banner.handName ?? undefined}>
              {banner.text}
              {banner.handName ? <span className="hand-name"> with {short ? shortHandName(banner.handName) : banner.handName}</span> : null}
            </div>
          )}
          {state.paused && <div className="paused-banner" role="status">Table paused — settling…</div>}
        </div>
        {Array.from({ length: n }, (_, seat) => {
          const sv = view.seats[seat] ?? null;
          const bet = sv?.bet ?? 0;
          // Positioned by placeBets (a layout effect, before the first paint).
          return bet > 0 ? (
            <div key={`bet-${seat}`} className="bet" data-seat={seat} data-testid={`bet-${seat}`}>
              <ChipStack amount={bet} />
              <span className="bet-amount">{shortChips(bet)}</span>
            </div>
          ) : null;
        })}
        {state.flights.map((f) => {
          const target = positions[f.toSeat];
          if (!target) return null;
          return (
            <div key={f.id} className="chip-flight" aria-hidden="true" style={{ '--tx': `${target.x - 50}cqw`, '--ty': `${target.y - 50}cqh` } as CSSProperties}>
              <ChipStack amount={f.amount} />
            </div>
          );
        })}
      </div>
      {Array.from({ length: n }, (_, seat) => (
        <SeatBox
          key={seat}
          seat={seat}
          state={state}
          sv={view.seats[seat] ?? null}
          player={state.players.find((p) => p.seat === seat) ?? null}
          position={positions[seat]!}
          isMe={seat === mySeat}
          isButton={view.button === seat}
          isWinner={winners.has(seat)}
          winning={winning}
          canSit={canSit}
          onSit={onSit}
          now={now}
          shortNames={short}
        />
      ))}
    </div>
  );
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function grow(r: Box, dx: number, dy = dx): Box {
  return { left: r.left - dx, top: r.top - dy, right: r.right + dx, bottom: r.bottom + dy };
}

function intersects(a: Box, b: Box): boolean {
  return Math.min(a.right, b.right) > Math.max(a.left, b.left) && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
}

/** The room a bet keeps from what it must not cover. */
const BET_GAP = 3;

/** Per felt, what placeBets measured when it last placed the bets. */
const lastLayout = new WeakMap<HTMLElement, string>();

/**
 * Puts each bet (`.bet[data-seat]`) between its seat and the middle where it covers nothing:
 * not the pot, the side pots, the board (the slots of cards to come too) or a banner in the
 * middle, no seat's plate, cards, tags or markers, and no other bet. A fixed fraction of the
 * way to the middle covered the pot or the board at many seat counts (and the next seat on a
 * phone), as the middle and the seats keep their pixel sizes while the felt shrinks. Measured
 * on the page as laid out: first the nearest free spot on the line from the seat's plate to the
 * board's middle, else the free spot on the felt nearest that line (distance along it plus twice
 * the distance off it), never behind the seat nor past the middle. Positions are in px of the
 * felt; what the last search measured is kept, so an unchanged table is not searched again.
 */
export function placeBets(wrap: HTMLElement | null): void {
  const felt = wrap?.querySelector<HTMLElement>('.felt');
  if (!wrap || !felt) return;
  const bets = Array.from(felt.querySelectorAll<HTMLElement>('.bet[data-seat]'));
  if (bets.length === 0) return;
  const f = felt.getBoundingClientRect();
  if (f.width === 0 || f.height === 0) return;
  const boxes = (selector: string, dx = 0, dy = dx): Box[] =>
    Array.from(wrap.querySelectorAll(selector)).map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0).map((r) => grow(r, dx, dy));
  // Cards are measured as their row too (they overhang it and tilt, and are measured mid-deal).
  const fixed: Box[] = [
    ...boxes('.center .pot-total, .center .side-pot, .center .board, .center .winner-banner, .center .paused-banner', BET_GAP),
    ...boxes('.seat-plate, .seat .card, .seat-tag, .btn-show, .dealer-button, .blind-marker, .sit-btn, .seat-open', BET_GAP),
    ...boxes('.hole:not(:empty)', 12 + BET_GAP, 4 + BET_GAP),
  ];
  const board = wrap.querySelector('.center .board')?.getBoundingClientRect();
  const cx = board && board.width > 0 ? board.left + board.width / 2 : f.left + f.width / 2;
  const cy = board && board.height > 0 ? board.top + board.height / 2 : f.top + f.height / 2;
  // A bet's box and the chips stacked over its top edge (layout sizes: a bet popping in is scaled).
  const sizes = bets.map((b) => {
    const stack = b.querySelector<HTMLElement>('.chip-stack');
    const chipTops = Array.from(b.querySelectorAll<HTMLElement>('.chip')).filter((c) => c.offsetParent !== null).map((c) => (stack?.offsetTop ?? 0) + c.offsetTop);
    return [b.offsetWidth, b.offsetHeight, Math.max(0, -Math.min(0, ...chipTops))] as const;
  });
  const anchors = bets.map((b) => wrap.querySelector(`[data-testid=seat-${b.dataset.seat}] .seat-plate`)?.getBoundingClientRect() ?? null);
  const key = JSON.stringify([f.left, f.top, f.width, f.height, sizes, fixed.map((b) => [b.left, b.top, b.right, b.bottom].map(Math.round)), anchors.map((a) => a && [Math.round(a.left), Math.round(a.top)])]);
  if (lastLayout.get(wrap) === key && bets.every((b) => b.dataset.placed === '1')) return;
  lastLayout.set(wrap, key);

  const placed: Box[] = [];
  // --bet-rail (styles.css): how far past the felt's edge a bet may sit, on the rail (a phone's
  // seats sit on it too); then the bet stays inside the box of the felt and its seats.
  const rail = parseFloat(getComputedStyle(wrap).getPropertyValue('--bet-rail')) || 0;
  const room = rail > 0 ? wrap.getBoundingClientRect() : f;
  const rx = f.width / 2;
  const ry = f.height / 2;
  const fx = f.left + rx;
  const fy = f.top + ry;
  const spots: ([number, number] | null)[] = bets.map(() => null);
  const search = (i: number, wide: boolean): void => {
    const [w, h, over] = sizes[i]!;
    const anchor = anchors[i];
    const ax = anchor ? anchor.left + anchor.width / 2 : fx;
    const ay = anchor ? anchor.top + anchor.height / 2 : fy;
    const length = Math.hypot(cx - ax, cy - ay) || 1;
    const ux = (cx - ax) / length;
    const uy = (cy - ay) / length;
    const boxAt = (x: number, y: number): Box => ({ left: x - w / 2, top: y - h / 2 - over, right: x + w / 2, bottom: y + h / 2 });
    const free = (x: number, y: number): boolean => {
      // On the felt: the middle of the bet inside the oval (its rail included), all of it inside the felt's box
      // (on a phone, where the seats sit on the rail, inside the box around the felt and the seats).
      if (((x - fx) / (rx + rail)) ** 2 + ((y - fy) / (ry + rail)) ** 2 > 1) return false;
      const box = boxAt(x, y);
      if (box.left < room.left || box.right > room.right || box.top < room.top || box.bottom > room.bottom) return false;
      return !fixed.some((o) => intersects(box, o)) && !placed.some((o) => intersects(box, o));
    };
    let spot: [number, number] | null = null;
    if (!wide) {
      for (let d = 0; d <= length && !spot; d += 2) if (free(ax + ux * d, ay + uy * d)) spot = [ax + ux * d, ay + uy * d];
    } else {
      // Not past the middle: a bet there would read as the far seat's.
      let best = Infinity;
      for (let y = room.top + h / 2 + over; y <= room.bottom - h / 2; y += 3) {
        for (let x = room.left + w / 2; x <= room.right - w / 2; x += 3) {
          const along = (x - ax) * ux + (y - ay) * uy;
          if (along < 0 || along > length) continue;
          const cost = along + 2 * Math.abs((x - ax) * uy - (y - ay) * ux);
          if (cost < best && free(x, y)) {
            best = cost;
            spot = [x, y];
          }
        }
      }
    }
    if (!spot) return;
    spots[i] = spot;
    placed.push(grow(boxAt(spot[0], spot[1]), BET_GAP));
  };
  // First every bet that has room on its own line, then the others wherever is nearest.
  bets.forEach((_, i) => search(i, false));
  bets.forEach((_, i) => spots[i] ?? search(i, true));
  bets.forEach((bet, i) => {
    const anchor = anchors[i];
    const ax = anchor ? anchor.left + anchor.width / 2 : fx;
    const ay = anchor ? anchor.top + anchor.height / 2 : fy;
    // Nowhere free (a table far too small for its seats): a third of the way to the middle.
    const [x, y] = spots[i] ?? [ax + (cx - ax) / 3, ay + (cy - ay) / 3];
    bet.style.left = `${Math.round(x - f.left)}px`;
    bet.style.top = `${Math.round(y - f.top)}px`;
    bet.dataset.placed = spots[i] ? '1' : '0';
  });
}

/**
 * Who won at `seat`: the player of the hand's result (its `playerId`), by the names seen at the
 * table, so a winner who left stays named, and someone who took the seat since is not named.
 */
function nameOf(players: SeatPlayer[], seat: number, winner?: { playerId: string; names: Record<string, string> }): string {
  if (winner) return winner.names[winner.playerId] ?? players.find((p) => String(p.userId) === winner.playerId)?.username ?? `Seat ${seat + 1}`;
  return players.find((p) => p.seat === seat)?.username ?? `Seat ${seat + 1}`;
}

/** "A", "A and B", "A, B and C". */
function listNames(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The result line of a finished hand, from its awards (one per pot, after rake): one winner
 * "A wins 6"; a pot split by the same players "A and B split 6"; pots won by different
 * players each winner with their own amount, "A wins 4 · B wins 2". The hand name only when
 * every pot went to the same hand (a side pot won with another hand would make it wrong).
 */
export function winnerBanner(
  awards: Award[], players: SeatPlayer[], result?: { seats: { seat: number; playerId: string }[]; names: Record<string, string> },
): { text: string; handName: string | null } | null {
  if (awards.length === 0) return null;
  const bySeat = new Map<number, number>();
  for (const award of awards) for (const w of award.winners) bySeat.set(w.seat, (bySeat.get(w.seat) ?? 0) + w.amount);
  const total = awards.reduce((sum, a) => sum + a.amount, 0);
  const seats = [...bySeat.keys()];
  const names = seats.map((seat) => {
    const playerId = result?.seats.find((r) => r.seat === seat)?.playerId;
    return nameOf(players, seat, playerId === undefined ? undefined : { playerId, names: result!.names });
  });
  const sameWinners = awards.every((a) => a.winners.length === seats.length && a.winners.every((w) => bySeat.has(w.seat)));
  const handNames = new Set(awards.map((a) => a.handName));
  const handName = handNames.size === 1 ? awards[0]!.handName : null;
  if (seats.length <= 1) return { text: `${names[0] ?? 'Nobody'} wins ${formatChips(total)}`, handName };
  if (sameWinners) return { text: `${listNames(names)} split ${formatChips(total)}`, handName };
  return { text: seats.map((seat, i) => `${names[i]} wins ${formatChips(bySeat.get(seat)!)}`).join(' · '), handName };
}

interface SeatBoxProps {
  seat: number;
  state: TableState;
  sv: SeatView | null;
  player: SeatPlayer | null;
  position: SeatPosition;
  isMe: boolean;
  /** The dealer button is at this seat: drawn on the seat's plate, so it moves with it. */
  isButton: boolean;
  isWinner: boolean;
  /** The cards of the winning hands (highlighted), at a showdown. */
  winning: Set<string>;
  canSit: boolean;
  onSit: (seat: number) => void;
  now: number;
  /** A phone's seat (upright or on its side): hand names said short. */
  shortNames: boolean;
}

/**
 * Which corner of the plate the dealer button takes, by where the seat is on the rail: above
 * the middle the upper-left one (below are the neighbours' cards), on the right-hand side
 * below it the lower-right one (the lower-left faces the bets and the board), else the lower-left
 * one (the seat's own cards are above the plate).
 */
function seatSide(position: SeatPosition): string {
  // seat-left: only an upright phone's 9-10 seats use it (their button is on the plate's inner side).
  const left = position.x < 49.5 ? ' seat-left' : '';
  if (position.y < 49.5) return `seat-upper${left}`;
  return position.x > 50.5 ? 'seat-right' : left.trim();
}

function SeatBox({ seat, state, sv, player, position, isMe, isButton, isWinner, winning, canSit, onSit, now, shortNames }: SeatBoxProps) {
  const view = state.view;
  // On a phone a seat beside the rail (4-max: straight left and right) would hang off the
  // screen: --seat-half (half the seat's width there and room for the dealer button's overhang,
  // 0 elsewhere) keeps it inside the felt's box.
  const style: CSSProperties = { left: `clamp(var(--seat-half, 0px), ${position.x}%, calc(100% - var(--seat-half, 0px)))`, top: `${position.y}%` };
  if (!sv && !player) {
    return (
      <div className={`seat seat-empty ${seatSide(position)}`} style={style}>
        {canSit ? (
          <button className="sit-btn" onClick={() => onSit(seat)} aria-label={`Sit at seat ${seat + 1}`} data-testid={`sit-${seat}`}>
            <span aria-hidden="true">+</span> Sit
          </button>
        ) : (
          <span className="seat-open">Seat {seat + 1}</span>
        )}
        {isButton && <DealerButton />}
      </div>
    );
  }
  const name = player?.username ?? `Seat ${seat + 1}`;
  const clock = state.clock && state.clock.seat === seat ? state.clock : null;
  const toAct = view.toAct === seat && view.street !== 'complete';
  const shown = state.shown[seat];
  const equity = currentEquity(state)?.seats.find((e) => e.seat === seat);
  const folded = sv?.folded ?? false;
  const cards = sv?.holeCards ?? null;
  const cardCount = sv?.inHand ? sv.cardCount : 0;
  const handOver = view.street === 'complete';
  const shownAfter = state.shownAfter.includes(seat);
  // A folded hand stays down, unless its owner turned it up after the hand (anyone else's
  // folded cards reach this viewer only then).
  const faceUpFolded = folded && handOver && cards !== null && (shownAfter || !isMe);
  // A phone has "Show cards" in the bar under the felt (Table.tsx), where the thumbs are.
  const canShow = isMe && !shortNames && canShowCards(state, seat);
  const marker = view.smallBlindSeat === seat ? 'SB' : view.bigBlindSeat === seat ? 'BB' : null;
  // Seated during a hand: the engine deals the seat in at the next one.
  const joining = sv === null && player !== null;
  const status = !player?.connected && player ? 'Away' : player?.postsBigBlind ? 'Posts BB' : player?.waitingForBigBlind ? 'Waits for BB' : sv?.sittingOut ? 'Sitting out' : player?.leaving ? 'Leaving' : joining ? 'Next hand' : null;
  // A seat taken during a hand has no view until the deal: the players list says what it brings.
  const stackChips = sv ? sv.stack : player?.joiningStack;
  // A plate holds nine characters ("9,999,999"); a larger stack is written short (12.35M, 9007.2T),
  // the whole figure in its title.
  const long = stackChips !== undefined && stackChips >= PLATE_FULL_MAX;
  const stack = stackChips === undefined ? '—' : long ? shortChips(stackChips) : formatChips(stackChips);
  const classes = ['seat', seatSide(position), isMe ? 'seat-me' : '', toAct ? 'seat-acting' : '', folded ? 'seat-folded' : '', isWinner ? 'seat-winner' : '', sv?.sittingOut ? 'seat-out' : '']
    .filter(Boolean)
    .join(' ');
  const omaha = cardCount > 2;
  const best = isMe && !folded && view.street !== 'complete' ? bestHandName(view.config.variant, cards, view.board) : null;
  return (
    <div className={classes} style={style} data-testid={`seat-${seat}`} data-username={name} aria-label={`Seat ${seat + 1}: ${name}${isMe ? ' (you)' : ''}`} role="group">
      <div className={`hole ${omaha ? 'hole-4' : ''} ${isMe ? 'hole-me' : ''}`} data-testid={`hole-${seat}`}>
        {cardCount > 0 && (!folded || faceUpFolded) &&
          (cards
            ? cards.map((c, i) => (
                <Card
                  key={`${view.handId}-${c}`} card={c} size={isMe ? 'md' : 'sm'} delayMs={i * 80}
                  highlight={isWinner && winning.has(c)} dim={faceUpFolded || (isWinner && winning.size > 0 && !winning.has(c))}
                />
              ))
            : Array.from({ length: cardCount }, (_, i) => <CardBack key={`${view.handId}-b${i}`} size="sm" delayMs={i * 80} />))}
      </div>
      <div className="seat-plate">
        <div className="avatar-wrap">
          <span className="avatar" aria-hidden="true">{name.slice(0, 2).toUpperCase()}</span>
          {clock && <ClockRing clock={clock} now={now} />}
        </div>
        <div className="seat-info">
          {/* The tag beside the name, not in it: a long name ends in an ellipsis, the tag stays whole. */}
          <span className="seat-name-line">
            <span className="seat-name" title={name}>{name}</span>
            {isMe ? <span className="you-tag">you</span> : null}
          </span>
          <span className="seat-stack" data-testid={`stack-${seat}`} title={joining ? 'Dealt in from the next hand' : long ? `${formatChips(stackChips!)} chips` : undefined}>{stack}</span>
        </div>
        {marker && <span className={`blind-marker ${marker.toLowerCase()}`} aria-label={marker === 'SB' ? 'Small blind' : 'Big blind'}>{marker}</span>}
        {isButton && <DealerButton />}
        {clock && <ClockBar clock={clock} now={now} />}
      </div>
      <div className="seat-under">
        {shown && view.street === 'complete' ? (
          <span className={isWinner ? 'seat-tag tag-win' : 'seat-tag'} data-testid={`shown-name-${seat}`} title={shown.name}>{shortNames ? shortHandName(shown.name) : shown.name}</span>
        ) : state.lastAction[seat] && view.street !== 'complete' ? (
          <span className={`seat-tag tag-${state.lastAction[seat]!.split(' ')[0]!.toLowerCase()}`} title={state.lastAction[seat]}>{shortNames ? shortAction(state.lastAction[seat]!) : fullAction(state.lastAction[seat]!)}</span>
        ) : status ? (
          <span className="seat-tag tag-status" data-testid={`seat-status-${seat}`}>{status}</span>
        ) : null}
        {equity && !folded && (
          <span className="seat-tag tag-equity" data-testid={`equity-${seat}`} title="Chance to win (and to tie) on the board so far">
            {percent(equity.win)}{equity.tie >= 0.005 ? ` · tie ${percent(equity.tie)}` : ''}
          </span>
        )}
        {shownAfter && !shown && <span className="seat-tag tag-shown" data-testid={`shown-after-${seat}`}>Shown</span>}
        {canShow && <ShowCardsButton tableId={state.tableId} handId={view.handId} />}
        {best && <span className="seat-tag tag-best" data-testid="my-best-hand" title={best}>{shortNames ? shortHandName(best) : best}</span>}
        {clock?.usingTimeBank && <span className="seat-tag tag-bank">Time bank</span>}
      </div>
    </div>
  );
}

/**
 * The viewer at `seat` may show the cards of the finished hand: dealt in to the end and not yet
 * shown to the others.
 */
export function canShowCards(state: TableState, seat: number | null): boolean {
  const view = state.view;
  const sv = seat === null ? null : view.seats[seat] ?? null;
  if (seat === null || sv === null || view.street !== 'complete' || view.result === null) return false;
  return sv.inHand && sv.holeCards !== null && !state.shown[seat] && !state.shownAfter.includes(seat);
}

/** A seat's action tag on a wider screen: its amount grouped like every other amount ("Call 50,000", not "Call 50000"). */
function fullAction(label: string): string {
  return label.replace(/\d+$/, (amount) => formatChips(Number(amount)));
}

/**
 * A seat's action tag on a phone: "Raise 171", "Call 1,500", "Raise 12.35K" ("Raise to 171" ended in
 * an ellipsis before its amount, and "Raise 12345" did on the narrow plates of 7-10 seats).
 */
function shortAction(label: string): string {
  return label.replace('Raise to ', 'Raise ').replace(/\d+$/, (amount) => shortChips(Number(amount)));
}

/**
 * The dealer button, on a left-hand corner of its seat's plate (the blind marker has the
 * upper-right one; the name and stack are right of the avatar). Out on the felt it had to share
 * the room between the seat and the middle with the hole cards and the bet, and at some seat
 * counts and sizes it covered one of them.
 */
function DealerButton() {
  return <span className="dealer-button" aria-label="Dealer button" role="img" data-testid="dealer-button">D</span>;
}

const CHIP_COLORS = ['chip-white', 'chip-red', 'chip-blue', 'chip-green', 'chip-black'];

export function ChipStack({ amount }: { amount: number }) {
  const layers = Math.min(5, Math.max(1, Math.ceil(Math.log10(amount + 1))));
  const color = CHIP_COLORS[Math.min(CHIP_COLORS.length - 1, Math.floor(Math.log10(Math.max(1, amount))))]!;
  return (
    <span className="chip-stack" aria-hidden="true">
      {Array.from({ length: layers }, (_, i) => (
        <span key={i} className={`chip ${i === layers - 1 ? color : CHIP_COLORS[i % CHIP_COLORS.length]}`} style={{ bottom: `${i * 3}px` }} />
      ))}
    </span>
  );
}

function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (l) => {
      const m = window.matchMedia(query);
      m.addEventListener('change', l);
      return () => m.removeEventListener('change', l);
    },
    () => window.matchMedia(query).matches,
  );
}
