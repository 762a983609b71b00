import type { GameEvent, LegalActions, TableView } from '@poker';
import type { EquityFrame, FeedOutcome, SeatPlayer, TableEvent, TableSnapshot, WaitlistStatus } from '@protocol';

// The client's copy of one table. The view itself comes from the table feed
// (server/protocol/table-feed.ts, owned by useTable): a snapshot, then each frame folded on
// with the engine's own applyViewEvents, seq, epoch and gaps handled there; `legal` always
// comes from the server. Kept here is what the felt needs beside the view: the table's
// metadata (players, clock, fairness) and what it animates (chip flights, last-action
// badges, the text log, shown hands and awards).

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
    'tableId' | 'name' | 'epoch' | 'seq' | 'view' | 'players' | 'clock' | 'fairness' | 'nextCommitment' | 'paused' | 'spectators' | 'minBuyIn' | 'maxBuyIn' | 'actionTimeoutMs' | 'waitlist' | 'timing'
  > {
  youUserId: number | null;
  /** The viewer's place on the waiting list, or the seat held for them (as of the last snapshot). */
  youWaitlist: WaitlistStatus | null;
  legal: LegalActions | null;
  /**
   * The viewer's top-ups waiting for the end of the hand (amounts, in order), as of the last
   * snapshot; the boundary settles every one of them before the next deal, so they end there.
   */
  pendingTopUps: number[];
  /** Hands shown at this hand's showdown, by seat. */
  shown: Record<number, { cards: string[]; name: string }>;
  /** Seats that turned their cards up after the hand (`cards_shown`), until the next deal. */
  shownAfter: number[];
  awards: Award[];
  equity: EquityFrame | null;
  /** The last thing each seat did on this street, for the badge under its name. */
  lastAction: Record<number, string>;
  flights: ChipFlight[];
  /** Text log of the current and previous hands, newest last. */
  log: string[];
  settled: { handId: string; handNumber: number; recordId: string } | null;
  /**
   * An admin asked to close the table at the end of the hand: no new seats, and everyone is
   * cashed out at the boundary. From the snapshot's `closing`, the `closing` notice, or a
   * `table/closed` answer to a request while the table still answers snapshots.
   */
  closing: boolean;
  /** The chips the viewer's seat took back to the wallet when it was last cashed out (its `player_left`). */
  myCashOut: number | null;
  /**
   * Every name seen at this table, by player id: a hand's result names its winners by seat and
   * player id, and a winner who left (or whose seat someone else took) is no longer in `players`.
   */
  names: Record<string, string>;
}

function withNames(names: Record<string, string> | undefined, players: readonly SeatPlayer[]): Record<string, string> {
  const next = { ...names };
  for (const p of players) next[String(p.userId)] = p.username;
  return next;
}

let flightId = 0;
const logMax = 80;

export function fromSnapshot(snapshot: TableSnapshot, previous: TableState | null): TableState {
  const view = snapshot.view;
  const sameHand = previous !== null && previous.view.handId === view.handId;
  return {
    tableId: snapshot.tableId,
    name: snapshot.name,
    epoch: snapshot.epoch,
    seq: snapshot.seq,
    view,
    players: snapshot.players,
    names: withNames({ ...(previous?.tableId === snapshot.tableId ? previous.names : undefined), ...snapshot.handNames }, snapshot.players),
    youUserId: snapshot.you?.userId ?? null,
    youWaitlist: snapshot.you?.waitlist ?? null,
    waitlist: snapshot.waitlist,
    legal: snapshot.you?.legal ?? null,
    pendingTopUps: snapshot.you?.pendingTopUps ?? [],
    clock: snapshot.clock,
    fairness: snapshot.fairness,
    nextCommitment: snapshot.nextCommitment,
    paused: snapshot.paused,
    spectators: snapshot.spectators,
    minBuyIn: snapshot.minBuyIn,
    maxBuyIn: snapshot.maxBuyIn,
    actionTimeoutMs: snapshot.actionTimeoutMs,
    timing: snapshot.timing,
    ...handOutcome(view),
    equity: sameHand ? previous.equity : null,
    shownAfter: sameHand ? previous.shownAfter : [],
    lastAction: sameHand ? previous.lastAction : {},
    flights: [],
    log: previous?.log ?? [],
    settled: sameHand ? previous.settled : null,
    // A server that does not say so leaves what we learned: a closing table never opens again.
    closing: snapshotClosing(snapshot) ?? previous?.closing ?? false,
    myCashOut: snapshot.you?.seat != null ? null : previous?.myCashOut ?? null,
  };
}

/** The snapshot's `closing` ('boundary' | 'now' | null), read loosely: a server that predates it leaves it out (null here). */
function snapshotClosing(snapshot: TableSnapshot): boolean | null {
  const closing = (snapshot as { closing?: unknown }).closing;
  if (closing === 'boundary' || closing === 'now') return true;
  return closing === null ? false : null;
}

/** Shown hands and awards: the view's result, once the hand is over. */
function handOutcome(view: TableView): Pick<TableState, 'shown' | 'awards'> {
  const result = view.street === 'complete' ? view.result : null;
  const shown: TableState['shown'] = {};
  for (const h of result?.shown ?? []) shown[h.seat] = { cards: h.cards, name: h.name };
  const awards = (result?.pots ?? []).map((p, i) => ({ potIndex: i, amount: p.amount - p.rake, winners: p.winners, handName: p.handName }));
  return { shown, awards };
}

export type AppliedFrame = Extract<FeedOutcome, { kind: 'applied' }>;

/** A frame the feed applied: its view and legal, and the felt's bookkeeping from its events. */
export function applyFrame(state: TableState, frame: AppliedFrame, seq: number): TableState {
  const next: TableState = {
    ...state,
    seq,
    view: frame.view,
    legal: frame.legal,
    lastAction: { ...state.lastAction },
    flights: [...state.flights],
    log: [...state.log],
  };
  for (const event of frame.events) noteEvent(next, event);
  return { ...next, ...handOutcome(frame.view) };
}

export function applyEquity(state: TableState, equity: EquityFrame): TableState {
  if (equity.handId !== state.view.handId) return state;
  // A run-out sends one per street; a slow one for an earlier street never replaces a later one.
  if (state.equity?.handId === equity.handId && state.equity.board.length > equity.board.length) return state;
  return { ...state, equity };
}

export function dropFlight(state: TableState, id: number): TableState {
  return { ...state, flights: state.flights.filter((f) => f.id !== id) };
}

function noteEvent(s: TableState, e: TableEvent): void {
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
      s.names = withNames(s.names, e.players);
      return;
    case 'hand_settled':
      s.settled = { handId: e.handId, handNumber: e.handNumber, recordId: e.recordId };
      if (s.fairness && s.fairness.handId === e.handId) s.fairness = { ...s.fairness, revealed: true };
      return;
    default:
      noteGameEvent(s, e);
  }
}

/** The table's own number of a hand (as in the hand history), from its id `<table>-<number>-e<epoch>`. */
export function handNumberOf(handId: string | null): number | null {
  const match = handId === null ? null : /^\d+-(\d+)-e\d+$/.exec(handId);
  return match ? Number(match[1]) : null;
}

function nameOf(s: TableState, seat: number): string {
  return s.players.find((p) => p.seat === seat)?.username ?? `Seat ${seat + 1}`;
}

function log(s: TableState, line: string): void {
  s.log.push(line);
  if (s.log.length > logMax) s.log.splice(0, s.log.length - logMax);
}

/** What the felt animates and the log tells; the view itself is already the feed's. */
const POST_WORDS: Record<Extract<GameEvent, { type: 'blinds_posted' }>['kind'], string> = {
  ante: 'the ante',
  small_blind: 'small blind',
  big_blind: 'big blind',
  small_and_big_blinds: 'small & big blinds',
};

function noteGameEvent(s: TableState, e: GameEvent): void {
  switch (e.type) {
    case 'hand_started':
      s.pendingTopUps = [];
      s.equity = null;
      s.lastAction = {};
      s.settled = null;
      s.shownAfter = [];
      log(s, `— Hand #${handNumberOf(e.handId) ?? s.view.handNumber} · ${e.variant} ${e.smallBlind}/${e.bigBlind} —`);
      return;
    case 'blinds_posted':
      log(s, `${nameOf(s, e.seat)} posts ${POST_WORDS[e.kind]} ${e.amount}${e.dead ? ` (${e.dead} dead)` : ''}`);
      return;
    case 'action':
      s.lastAction[e.seat] = actionLabel(e);
      log(s, `${nameOf(s, e.seat)} ${actionLabel(e).toLowerCase()}${e.timedOut ? ' (timed out)' : ''}`);
      return;
    case 'uncalled_returned':
      log(s, `${e.amount} returned to ${nameOf(s, e.seat)}`);
      return;
    case 'street_dealt':
      for (const k of Object.keys(s.lastAction)) if (s.lastAction[Number(k)] !== 'All in') delete s.lastAction[Number(k)];
      log(s, `${e.street[0]!.toUpperCase()}${e.street.slice(1)}: ${e.board.join(' ')}`);
      return;
    case 'hands_exposed':
      for (const h of e.hands) log(s, `${nameOf(s, h.seat)} shows ${h.cards.join(' ')}`);
      return;
    case 'hand_shown':
      log(s, `${nameOf(s, e.seat)} shows ${e.cards.join(' ')} (${e.name})`);
      return;
    case 'hand_mucked':
      log(s, `${nameOf(s, e.seat)} mucks`);
      return;
    case 'cards_shown':
      s.shownAfter = [...s.shownAfter, e.seat];
      log(s, `${nameOf(s, e.seat)} shows ${e.cards.join(' ')}`);
      return;
    case 'pot_awarded':
      for (const w of e.winners) {
        s.flights.push({ id: ++flightId, toSeat: w.seat, amount: w.amount });
        log(s, `${nameOf(s, w.seat)} wins ${w.amount}${e.handName ? ` with ${e.handName}` : ''}`);
      }
      return;
    case 'hand_complete':
      s.clock = null;
      return;
    case 'player_sat':
      if (s.youUserId !== null && e.playerId === String(s.youUserId)) s.myCashOut = null;
      return;
    case 'player_left':
      if (s.youUserId !== null && e.playerId === String(s.youUserId)) s.myCashOut = e.stack;
      return;
    default:
      return;
  }
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
