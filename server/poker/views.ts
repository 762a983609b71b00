// The one projection of the state for every viewer. Players see their own hole cards,
// everyone sees hands exposed for an all-in run-out and hands shown at showdown, mucked and
// folded hands stay hidden, and the deck reaches nobody (not even admins: an admin view
// must never leak the coming board). Admins see every hole card only once the hand is over,
// for hand review and support.
import { cardToString } from './cards';
import { legalActions } from './legal';
import type {
  Chips,
  GameConfig,
  GameEvent,
  GameState,
  HandResult,
  LegalActions,
  Pot,
  SeatIndex,
  SeatResult,
  Street,
  Viewer,
} from './types';

export interface SeatView {
  seat: SeatIndex;
  playerId: string;
  stack: Chips;
  bet: Chips;
  committed: Chips;
  inHand: boolean;
  folded: boolean;
  allIn: boolean;
  sittingOut: boolean;
  /** Number of hole cards held (face down or up). */
  cardCount: number;
  /** Null when this viewer may not see them. */
  holeCards: string[] | null;
  /**
   * Only with config.pacedRunOut: uncalled chips given back to this seat this hand. A paced
   * run-out settles steps after the chips came back, so the view keeps the amount here.
   */
  returned?: Chips;
  /** Of `committed`, a missed small blind posted dead this hand (decision 035); absent when none. */
  dead?: Chips;
}

export interface ResultView {
  handId: string;
  endedBy: 'fold' | 'showdown';
  board: string[];
  rake: Chips;
  seats: SeatResult[];
  pots: HandResult['pots'];
  shown: { seat: SeatIndex; cards: string[]; category: string; name: string }[];
  mucked: SeatIndex[];
}

export interface TableView {
  config: GameConfig;
  seq: number;
  handId: string | null;
  handNumber: number;
  street: Street;
  button: SeatIndex | null;
  smallBlindSeat: SeatIndex | null;
  bigBlindSeat: SeatIndex | null;
  board: string[];
  pots: Pot[];
  currentBet: Chips;
  lastFullRaise: Chips;
  toAct: SeatIndex | null;
  seats: (SeatView | null)[];
  /** The viewer's own options when it is their turn. */
  legal: LegalActions | null;
  result: ResultView | null;
}

/**
 * Seats whose hole cards are face up for everyone right now, ascending: hands exposed when
 * the betting closed for an all-in run-out, and hands shown at the showdown of the last
 * hand. Anything computed from hole cards for the whole table (such as all-in equity) must
 * stick to these.
 */
export function exposedSeats(state: GameState): SeatIndex[] {
  const shown = new Set(state.result?.shown.map((h) => h.seat) ?? []);
  return state.seats.flatMap((s, seat) =>
    s !== null && s.holeCards.length > 0 && ((s.inHand && s.exposed) || shown.has(seat)) ? [seat] : [],
  );
}

/**
 * Hole cards reach only their owner until exposed or shown. That holds for
 * admins too while a hand is live (an admin who could see cards could collude);
 * once the hand is over, an admin may review every hand dealt.
 */
function canSeeHole(state: GameState, viewer: Viewer, seat: SeatIndex, faceUp: Set<SeatIndex>): boolean {
  if (viewer.kind === 'player' && viewer.seat === seat) return true;
  if (viewer.kind === 'admin' && state.street === 'complete') return true;
  return faceUp.has(seat);
}

export function viewFor(state: GameState, viewer: Viewer): TableView {
  const faceUp = new Set(exposedSeats(state));
  const seats = state.seats.map((s, seat): SeatView | null =>
    s === null
      ? null
      : {
          seat,
          playerId: s.playerId,
          stack: s.stack,
          bet: s.bet,
          committed: s.committed,
          inHand: s.inHand,
          folded: s.folded,
          allIn: s.allIn,
          sittingOut: s.sittingOut,
          cardCount: s.holeCards.length,
          holeCards: canSeeHole(state, viewer, seat, faceUp) && s.holeCards.length > 0 ? s.holeCards.map(cardToString) : null,
          ...(state.config.pacedRunOut === true ? { returned: s.returned } : {}),
          ...(s.dead > 0 ? { dead: s.dead } : {}),
        },
  );
  return {
    config: structuredClone(state.config),
    seq: state.seq,
    handId: state.handId,
    handNumber: state.handNumber,
    street: state.street,
    button: state.button,
    smallBlindSeat: state.smallBlindSeat,
    bigBlindSeat: state.bigBlindSeat,
    board: state.board.map(cardToString),
    pots: structuredClone(state.pots),
    currentBet: state.currentBet,
    lastFullRaise: state.lastFullRaise,
    toAct: state.toAct,
    seats,
    legal: viewer.kind === 'player' ? legalActions(state, viewer.seat) : null,
    result: state.result ? resultView(state.result) : null,
  };
}

function resultView(result: HandResult): ResultView {
  return {
    handId: result.handId,
    endedBy: result.endedBy,
    board: result.board.map(cardToString),
    rake: result.rake,
    seats: structuredClone(result.seats),
    pots: structuredClone(result.pots),
    shown: result.shown.map((h) => ({ seat: h.seat, cards: h.cards.map(cardToString), category: h.category, name: h.name })),
    mucked: [...result.mucked],
  };
}

/** Private events (those with `to`) reach only their seat; the rest are public. */
export function isVisibleTo(event: GameEvent, viewer: Viewer): boolean {
  if (!('to' in event)) return true;
  return viewer.kind === 'player' && viewer.seat === event.to;
}

export function eventsFor(events: readonly GameEvent[], viewer: Viewer): GameEvent[] {
  return events.filter((e) => isVisibleTo(e, viewer));
}
