import { computePots, type GameEvent, type LegalActions, type SeatView, type TableView } from '@poker';
import type { EquityFrame, TableEvent, TableFrame, TableSnapshot } from '@protocol';

// The client's copy of one table: a snapshot, then the engine's events applied
// in seq order (which is what lets the felt animate). A gap in seq or a new
// epoch means frames were missed: the caller asks for a snapshot and replaces
// everything. The engine itself stays on the server: these functions only
// mirror its public events onto the view, and `legal` always comes from the server.

export interface Award {
  potIndex: number;
  amount: number;
  winners: { seat: number; amount: number }[];
  handName: string | null;
}

export interface ChipFlight {
  id: number;
  toSeat: number;
  amount: number;
}

/** The snapshot's fields, kept current by the frames, plus what the felt needs to animate. */
export interface TableState
  extends Pick<
    TableSnapshot,
    'tableId' | 'name' | 'epoch' | 'seq' | 'view' | 'players' | 'clock' | 'fairness' | 'nextCommitment' | 'paused' | 'spectators' | 'minBuyIn' | 'maxBuyIn' | 'actionTimeoutMs'
  > {
  youUserId: number | null;
  legal: LegalActions | null;
  /** Hands shown at this hand's showdown, by seat. */
  shown: Record<number, { cards: string[]; name: string }>;
  awards: Award[];
  equity: EquityFrame | null;
  /** The last thing each seat did on this street, for the badge under its name. */
  lastAction: Record<number, string>;
  flights: ChipFlight[];
  /** Text log of the current and previous hands, newest last. */
  log: string[];
  settled: { handId: string; handNumber: number; recordId: string } | null;
}

let flightId = 0;
const logMax = 80;

export function fromSnapshot(snapshot: TableSnapshot, previous: TableState | null): TableState {
  const view = snapshot.view;
  const result = view.result;
  const shown: TableState['shown'] = {};
  for (const h of result?.shown ?? []) shown[h.seat] = { cards: h.cards, name: h.name };
  const awards: Award[] = (result?.pots ?? []).map((p, i) => ({ potIndex: i, amount: p.amount - p.rake, winners: p.winners, handName: p.handName }));
  const sameHand = previous !== null && previous.view.handId === view.handId;
  return {
    tableId: snapshot.tableId,
    name: snapshot.name,
    epoch: snapshot.epoch,
    seq: snapshot.seq,
    view,
    players: snapshot.players,
    youUserId: snapshot.you?.userId ?? null,
    legal: snapshot.you?.legal ?? null,
    clock: snapshot.clock,
    fairness: snapshot.fairness,
    nextCommitment: snapshot.nextCommitment,
    paused: snapshot.paused,
    spectators: snapshot.spectators,
    minBuyIn: snapshot.minBuyIn,
    maxBuyIn: snapshot.maxBuyIn,
    actionTimeoutMs: snapshot.actionTimeoutMs,
    shown,
    awards: view.street === 'complete' ? awards : [],
    equity: sameHand ? previous.equity : null,
    lastAction: sameHand ? previous.lastAction : {},
    flights: [],
    log: previous?.log ?? [],
    settled: sameHand ? previous.settled : null,
  };
}

export type FrameOutcome = { kind: 'applied'; state: TableState } | { kind: 'ignored' } | { kind: 'gap' };

export function applyFrame(state: TableState, frame: TableFrame): FrameOutcome {
  if (frame.epoch !== state.epoch || frame.seq > state.seq + 1) return { kind: 'gap' };
  if (frame.seq < state.seq) return { kind: 'ignored' };
  const next = cloneState(state);
  // A frame repeating our seq only carries table metadata; engine events in it were already applied.
  const events = frame.seq === state.seq ? frame.events.filter((e) => e.type === 'players' || e.type === 'clock') : frame.events;
  for (const event of events) applyEvent(next, event);
  next.seq = frame.seq;
  next.view.seq = frame.seq;
  if (frame.legal !== undefined) next.legal = frame.legal;
  else if (frame.seq > state.seq) next.legal = null;
  next.view.legal = next.legal;
  return { kind: 'applied', state: next };
}

function cloneState(state: TableState): TableState {
  return {
    ...state,
    view: { ...state.view, seats: state.view.seats.map((s) => (s ? { ...s } : null)), pots: state.view.pots.map((p) => ({ ...p })) },
    shown: { ...state.shown },
    awards: [...state.awards],
    lastAction: { ...state.lastAction },
    flights: [...state.flights],
    log: [...state.log],
  };
}

export function applyEquity(state: TableState, equity: EquityFrame): TableState {
  if (equity.handId !== state.view.handId) return state;
  return { ...state, equity };
}

export function dropFlight(state: TableState, id: number): TableState {
  return { ...state, flights: state.flights.filter((f) => f.id !== id) };
}

function applyEvent(s: TableState, e: TableEvent): void {
  switch (e.type) {
    case 'fairness_commitment':
      s.fairness = {
        handId: e.handId, commitment: e.commitment, deckRoot: e.deckRoot, clientSeeds: e.clientSeeds,
        nextCommitment: e.nextCommitment, revealed: false,
      };
      s.nextCommitment = e.nextCommitment;
      return;
    case 'clock':
      s.clock = e.clock;
      return;
    case 'players':
      s.players = e.players;
      return;
    case 'hand_settled':
      s.settled = { handId: e.handId, handNumber: e.handNumber, recordId: e.recordId };
      if (s.fairness && s.fairness.handId === e.handId) s.fairness = { ...s.fairness, revealed: true };
      return;
    default:
      applyGameEvent(s, e);
  }
}

function emptySeat(seat: number, playerId: string, stack: number): SeatView {
  return { seat, playerId, stack, bet: 0, committed: 0, inHand: false, folded: false, allIn: false, sittingOut: false, cardCount: 0, holeCards: null };
}

function nameOf(s: TableState, seat: number): string {
  return s.players.find((p) => p.seat === seat)?.username ?? `Seat ${seat + 1}`;
}

function log(s: TableState, line: string): void {
  s.log.push(line);
  if (s.log.length > logMax) s.log.splice(0, s.log.length - logMax);
}

function collectBets(s: TableState): void {
  const seats = s.view.seats.filter((x): x is SeatView => x !== null && x.inHand);
  s.view.pots = computePots(seats.map((x) => ({ seat: x.seat, amount: x.committed, folded: x.folded, allIn: x.allIn })));
  for (const x of seats) x.bet = 0;
  s.view.currentBet = 0;
}

function applyGameEvent(s: TableState, e: GameEvent): void {
  const v = s.view;
  const seat = 'seat' in e ? v.seats[e.seat] ?? null : null;
  switch (e.type) {
    case 'player_sat':
      v.seats[e.seat] = emptySeat(e.seat, e.playerId, e.stack);
      return;
    case 'player_left':
      v.seats[e.seat] = null;
      return;
    case 'chips_added':
      if (seat) seat.stack = e.stack;
      return;
    case 'sat_out':
      if (seat) seat.sittingOut = true;
      return;
    case 'sat_in':
      if (seat) seat.sittingOut = false;
      return;
    case 'hand_started':
      startHand(s, e);
      return;
    case 'blinds_posted':
      if (!seat) return;
      seat.stack -= e.amount;
      seat.committed += e.amount;
      if (e.kind !== 'ante') seat.bet += e.amount;
      seat.allIn = e.allIn;
      if (e.kind === 'small_blind') v.smallBlindSeat = e.seat;
      if (e.kind === 'big_blind') v.bigBlindSeat = e.seat;
      v.currentBet = Math.max(v.currentBet, seat.bet);
      log(s, `${nameOf(s, e.seat)} posts ${e.kind.replace('_', ' ')} ${e.amount}`);
      return;
    case 'cards_dealt':
      for (const i of e.seats) {
        const x = v.seats[i];
        if (x) x.cardCount = e.cardCount;
      }
      return;
    case 'hole_cards':
      if (seat) seat.holeCards = e.cards;
      return;
    case 'to_act':
      v.toAct = e.seat;
      return;
    case 'action':
      if (!seat) return;
      seat.stack -= e.amount;
      seat.committed += e.amount;
      seat.bet = e.betTo;
      seat.allIn = e.allIn;
      if (e.action === 'fold') seat.folded = true;
      v.currentBet = Math.max(v.currentBet, e.betTo);
      v.toAct = null;
      s.lastAction[e.seat] = actionLabel(e);
      log(s, `${nameOf(s, e.seat)} ${actionLabel(e).toLowerCase()}${e.timedOut ? ' (timed out)' : ''}`);
      return;
    case 'uncalled_returned':
      if (!seat) return;
      seat.stack += e.amount;
      // An unmatched ante is returned too, and it was never part of the street bet.
      seat.bet = Math.max(0, seat.bet - e.amount);
      seat.committed -= e.amount;
      seat.allIn = false;
      log(s, `${e.amount} returned to ${nameOf(s, e.seat)}`);
      return;
    case 'street_dealt':
      collectBets(s);
      v.board = e.board;
      v.street = e.street;
      v.toAct = null;
      for (const k of Object.keys(s.lastAction)) if (s.lastAction[Number(k)] !== 'All in') delete s.lastAction[Number(k)];
      log(s, `${e.street[0]!.toUpperCase()}${e.street.slice(1)}: ${e.board.join(' ')}`);
      return;
    case 'hands_exposed':
      for (const h of e.hands) {
        const x = v.seats[h.seat];
        if (x) x.holeCards = h.cards;
        log(s, `${nameOf(s, h.seat)} shows ${h.cards.join(' ')}`);
      }
      return;
    case 'hand_shown':
      if (seat) seat.holeCards = e.cards;
      s.shown[e.seat] = { cards: e.cards, name: e.name };
      log(s, `${nameOf(s, e.seat)} shows ${e.cards.join(' ')} (${e.name})`);
      return;
    case 'hand_mucked':
      log(s, `${nameOf(s, e.seat)} mucks`);
      return;
    case 'rake_taken':
      return;
    case 'pot_awarded':
      awardPot(s, e);
      return;
    case 'hand_complete':
      for (const { seat: i, stack } of e.stacks) {
        const x = v.seats[i];
        if (x) x.stack = stack;
      }
      v.street = 'complete';
      v.toAct = null;
      s.clock = null;
      return;
  }
}

function startHand(s: TableState, e: Extract<GameEvent, { type: 'hand_started' }>): void {
  const v = s.view;
  const dealt = new Map(e.seats.map((x) => [x.seat, x]));
  v.seats = v.seats.map((x, i) => {
    const d = dealt.get(i);
    if (!x && !d) return null;
    const base = x ?? emptySeat(i, d!.playerId, d!.stack);
    return { ...base, stack: d ? d.stack : base.stack, bet: 0, committed: 0, inHand: d !== undefined, folded: false, allIn: false, cardCount: 0, holeCards: null };
  });
  v.handId = e.handId;
  v.handNumber += 1;
  v.street = 'preflop';
  v.button = e.button;
  v.smallBlindSeat = null;
  v.bigBlindSeat = null;
  v.board = [];
  v.pots = [];
  v.currentBet = 0;
  v.toAct = null;
  v.result = null;
  s.shown = {};
  s.awards = [];
  s.equity = null;
  s.lastAction = {};
  s.settled = null;
  log(s, `— Hand #${e.handId} · ${e.variant} ${e.smallBlind}/${e.bigBlind} —`);
}

function awardPot(s: TableState, e: Extract<GameEvent, { type: 'pot_awarded' }>): void {
  const v = s.view;
  if (v.seats.some((x) => x !== null && x.bet > 0)) collectBets(s);
  for (const w of e.winners) {
    const x = v.seats[w.seat];
    if (x) x.stack += w.amount;
    s.flights.push({ id: ++flightId, toSeat: w.seat, amount: w.amount });
    log(s, `${nameOf(s, w.seat)} wins ${w.amount}${e.handName ? ` with ${e.handName}` : ''}`);
  }
  v.pots = v.pots.map((p, i) => (i === e.potIndex ? { ...p, amount: 0 } : p));
  s.awards.push({ potIndex: e.potIndex, amount: e.amount, winners: e.winners, handName: e.handName });
}

function actionLabel(e: Extract<GameEvent, { type: 'action' }>): string {
  if (e.allIn) return 'All in';
  switch (e.action) {
    case 'fold':
      return 'Fold';
    case 'check':
      return 'Check';
    case 'call':
      return `Call ${e.amount}`;
    case 'bet':
      return `Bet ${e.betTo}`;
    case 'raise':
      return `Raise to ${e.betTo}`;
  }
}

/** Everything put in this hand (collected pots and the bets in front of the seats). */
export function totalPot(view: TableView): number {
  if (view.street === 'complete') return view.pots.reduce((sum, p) => sum + p.amount, 0);
  return view.seats.reduce((sum, x) => sum + (x?.inHand ? x.committed : 0), 0);
}

export function collectedPots(view: TableView): { amount: number; eligible: number[] }[] {
  return view.pots.filter((p) => p.amount > 0);
}
