// Hand histories: replaying a log of accepted commands, the PokerStars text that tracking
// tools (Hold'em Manager, PokerTracker) import, and the step-by-step replay of a hand. Both
// the text and the replay are built for one viewer from the engine's own projection
// (eventsFor, viewFor, applyViewEvent), so a viewer never reads a card the table would not
// have shown them: their own cards, hands exposed for an all-in run-out, hands shown at the
// showdown. Only an admin's copy (an audit of a finished hand) prints every hand dealt.
import { cardToString as cardText } from './cards';
import { apply } from './game';
import type { Chips, Command, GameEvent, GameState, HandResult, SeatIndex, SeatResult, Viewer } from './types';
import { applyViewEvent } from './view-feed';
import { eventsFor, viewFor, type TableView } from './views';

/** The state before the first command (an empty table, or a table between hands) and the accepted commands. */
export interface HandLog {
  initial: GameState;
  commands: Command[];
}

export interface HandRecord extends HandLog {
  /** The hand's number in the text: PokerStars hand numbers are digits only. Default: the engine's hand count. */
  handNumber?: string;
  tableName?: string;
  /** When the hand started, ISO 8601 (the engine has no clock). Default: the Unix epoch. */
  startedAt?: string;
  /** The name to print per seat. Default: the seat's player id. */
  names?: Readonly<Record<number, string>>;
}

/** Re-applies every command. A rejected command means the log is corrupt: that throws. */
export function replayWithEvents(log: HandLog): { state: GameState; events: GameEvent[] } {
  const { state, steps } = replaySteps(log);
  return { state, events: steps.flatMap((s) => s.events) };
}

/**
 * The replayable log a stored hand record carries (`record.log`, written by the table's
 * hand log), or null when it has none: a hand stored without one, or not shaped as one.
 */
export function storedHandLog(record: unknown): HandLog | null {
  if (typeof record !== 'object' || record === null) return null;
  const log = (record as { log?: Partial<HandLog> }).log;
  if (!log || typeof log.initial !== 'object' || log.initial === null || !Array.isArray(log.commands)) return null;
  return log as HandLog;
}

export function replay(log: HandLog): GameState {
  return replaySteps(log).state;
}

interface CommandStep {
  before: GameState;
  events: GameEvent[];
}

function replaySteps(log: HandLog): { state: GameState; steps: CommandStep[] } {
  let state = log.initial;
  const steps: CommandStep[] = [];
  log.commands.forEach((command, i) => {
    const result = apply(state, command);
    if (!result.ok) throw new Error(`replay: command ${i} (${command.type}) rejected: ${result.rejection.code}`);
    steps.push({ before: state, events: result.events });
    state = result.state;
  });
  return { state, steps };
}

// ---- dates: PokerStars stamps hands in US Eastern time ("2026/12/03 8:37:00 ET") -----------

const HOUR_MS = 3_600_000;

/** Day of the month of the n-th Sunday of a month (month 0-based), in UTC. */
function nthSunday(year: number, month: number, n: number): number {
  const firstWeekday = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstWeekday) % 7) + 7 * (n - 1);
}

/**
 * Hours to add to UTC for US Eastern time: daylight time (UTC-4) from the second Sunday of
 * March, 2:00 EST, to the first Sunday of November, 2:00 EDT (the rule since 2007); else UTC-5.
 */
function easternOffsetHours(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  const start = Date.UTC(year, 2, nthSunday(year, 2, 2), 7);
  const end = Date.UTC(year, 10, nthSunday(year, 10, 1), 6);
  return ms >= start && ms < end ? -4 : -5;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * "2026/12/03 8:37:00 ET": PokerStars' date, hours unpadded. Like PokerStars' own stamps it
 * has no offset, so the hour that repeats when daylight time ends (1:00-2:00 on the first
 * Sunday of November) reads as its first, EDT, occurrence; the record's `startedAt` is exact.
 */
export function pokerStarsDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${JSON.stringify(iso)}`);
  const et = new Date(ms + easternOffsetHours(ms) * HOUR_MS);
  const date = `${et.getUTCFullYear()}/${pad2(et.getUTCMonth() + 1)}/${pad2(et.getUTCDate())}`;
  return `${date} ${et.getUTCHours()}:${pad2(et.getUTCMinutes())}:${pad2(et.getUTCSeconds())} ET`;
}

// ---- hand names as PokerStars writes them ("a pair of Aces", "two pair, Aces and Kings") ----

const RANKS_LOW_TO_HIGH = ['Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Jack', 'Queen', 'King', 'Ace'];

/** "Nine to King" for a straight whose top card is named; the wheel is "Ace to Five". */
function straightRange(high: string): string {
  const top = RANKS_LOW_TO_HIGH.indexOf(high);
  if (top < 0) return `${high} high`;
  return `${top === 3 ? 'Ace' : RANKS_LOW_TO_HIGH[top - 4]} to ${high}`;
}

/**
 * PokerStars' wording of the evaluator's description (describeHand: "Pair of Aces",
 * "Straight, King high", ...). A description this does not know is printed lower-cased.
 */
export function pokerStarsHandName(category: string, name: string): string {
  const after = (prefix: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  switch (category) {
    case 'high-card':
      return `high card ${after('High Card, ')}`;
    case 'pair':
      return `a pair of ${after('Pair of ')}`;
    case 'two-pair':
      return `two pair, ${after('Two Pair, ')}`;
    case 'three-of-a-kind':
      return `three of a kind, ${after('Three of a Kind, ')}`;
    case 'straight':
      return `a straight, ${straightRange(after('Straight, ').replace(/ high$/, ''))}`;
    case 'flush':
      return `a flush, ${after('Flush, ')}`;
    case 'full-house':
      return `a full house, ${after('Full House, ')}`;
    case 'four-of-a-kind':
      return `four of a kind, ${after('Four of a Kind, ')}`;
    case 'straight-flush':
      return name === 'Royal Flush' ? 'a Royal Flush' : `a straight flush, ${straightRange(after('Straight Flush, ').replace(/ high$/, ''))}`;
    default:
      return name.toLowerCase();
  }
}

// ---- narration: each event of the hand as PokerStars lines, for one viewer -----------------

type BettingStreet = 'preflop' | 'flop' | 'turn' | 'river';
const STREET_TITLES = { flop: 'FLOP', turn: 'TURN', river: 'RIVER' } as const;
const POST_TEXT = { ante: 'posts the ante', small_blind: 'posts small blind', big_blind: 'posts big blind', small_and_big_blinds: 'posts small & big blinds' } as const;
const FOLD_TEXT: Record<BettingStreet, string> = {
  preflop: 'folded before Flop',
  flop: 'folded on the Flop',
  turn: 'folded on the Turn',
  river: 'folded on the River',
};

interface Narrator {
  name(seat: SeatIndex): string;
  /** Pots the hand was settled into: "pot", or "main pot" and "side pot(-n)". */
  potCount: number;
  foldedOn: Map<SeatIndex, BettingStreet>;
  /** Seats that put chips in beyond an ante (a blind, a call, a bet): PokerStars' "didn't bet" is the rest. */
  betting: Set<SeatIndex>;
  showdownOpened: boolean;
}

/** One viewer's events of the last hand of a log, each with the view before and after it. */
interface Beat {
  event: GameEvent;
  before: TableView;
  after: TableView;
}

interface Narration {
  state: GameState;
  result: HandResult;
  started: Extract<GameEvent, { type: 'hand_started' }>;
  /** Seats taken when the hand was dealt but not dealt in (sitting out, or waiting for the big blind), with their stacks. */
  notDealt: { seat: SeatIndex; stack: Chips }[];
  beats: Beat[];
  narrator: Narrator;
}

/** Replays the record and folds the viewer's events, one by one, onto the viewer's view. */
function narrate(record: HandRecord, viewer: Viewer): Narration {
  const { state, steps } = replaySteps(record);
  const first = steps.findLastIndex((s) => s.events.some((e) => e.type === 'hand_started'));
  const result = state.result;
  if (first < 0 || !result) throw new Error('the record holds no finished hand');
  // The projection for a spectator is the public one; an admin's audit copy adds the hole cards.
  const seen = viewer.kind === 'admin' ? { kind: 'spectator' as const } : viewer;
  let view = viewFor(steps[first]!.before, seen);
  const beats: Beat[] = [];
  for (const step of steps.slice(first)) {
    const events = viewer.kind === 'admin' ? step.events : eventsFor(step.events, seen);
    for (const event of events) {
      const after = event.type === 'hole_cards' && viewer.kind === 'admin' ? view : applyViewEvent(view, event);
      beats.push({ event, before: view, after });
      view = after;
    }
  }
  const started = beats.find((b) => b.event.type === 'hand_started')!.event as Narration['started'];
  const dealtIn = new Set(started.seats.map((s) => s.seat));
  const seatedBefore = steps[first]!.before.seats;
  const notDealt = seatedBefore.flatMap((s, seat) => (s && !dealtIn.has(seat) ? [{ seat, stack: s.stack, playerId: s.playerId }] : []));
  const names = new Map([...started.seats, ...notDealt].map((s) => [s.seat, record.names?.[s.seat] ?? s.playerId]));
  const narrator: Narrator = {
    name: (seat) => names.get(seat) ?? `Seat ${seat + 1}`,
    potCount: result.pots.length,
    foldedOn: new Map(),
    betting: new Set(),
    showdownOpened: false,
  };
  return { state, result, started, notDealt: notDealt.map(({ seat, stack }) => ({ seat, stack })), beats, narrator };
}

function potLabel(index: number, count: number): string {
  if (count === 1) return 'pot';
  if (index === 0) return 'main pot';
  return count === 2 ? 'side pot' : `side pot-${index}`;
}

function actionLines(n: Narrator, e: Extract<GameEvent, { type: 'action' }>, before: TableView): string[] {
  const who = n.name(e.seat);
  const allIn = e.allIn ? ' and is all-in' : '';
  const timedOut = e.timedOut ? [`${who} has timed out`] : [];
  if (e.amount > 0) n.betting.add(e.seat);
  switch (e.action) {
    case 'fold':
      n.foldedOn.set(e.seat, before.street === 'complete' ? 'river' : before.street);
      return [...timedOut, `${who}: folds`];
    case 'check':
      return [...timedOut, `${who}: checks`];
    case 'call':
      return [`${who}: calls ${e.amount}${allIn}`];
    case 'bet':
      return [`${who}: bets ${e.amount}${allIn}`];
    case 'raise':
      // "raises X to Y": Y is the seat's total bet on the street, X what it adds to the level.
      return [`${who}: raises ${e.betTo - before.currentBet} to ${e.betTo}${allIn}`];
  }
}

function showdownLines(n: Narrator, line: string): string[] {
  const header = n.showdownOpened ? [] : ['*** SHOW DOWN ***'];
  n.showdownOpened = true;
  return [...header, line];
}

/** The PokerStars lines of one event (none for events the text does not show). */
function linesOf(n: Narrator, beat: Beat): string[] {
  const e = beat.event;
  switch (e.type) {
    case 'blinds_posted':
      if (e.kind !== 'ante') n.betting.add(e.seat);
      return [`${n.name(e.seat)}: ${POST_TEXT[e.kind]} ${e.amount}${e.allIn ? ' and is all-in' : ''}`];
    case 'cards_dealt':
      return ['*** HOLE CARDS ***'];
    case 'hole_cards':
      return [`Dealt to ${n.name(e.seat)} [${e.cards.join(' ')}]`];
    case 'action':
      return actionLines(n, e, beat.before);
    case 'uncalled_returned':
      return [`Uncalled bet (${e.amount}) returned to ${n.name(e.seat)}`];
    case 'street_dealt': {
      const before = e.board.slice(0, e.board.length - e.cards.length);
      const shown = before.length > 0 ? `[${before.join(' ')}] [${e.cards.join(' ')}]` : `[${e.cards.join(' ')}]`;
      return [`*** ${STREET_TITLES[e.street]} *** ${shown}`];
    }
    case 'hand_shown':
      return showdownLines(n, `${n.name(e.seat)}: shows [${e.cards.join(' ')}] (${pokerStarsHandName(e.category, e.name)})`);
    case 'hand_mucked':
      return showdownLines(n, `${n.name(e.seat)}: mucks hand`);
    case 'pot_awarded':
      return e.winners.map((w) => `${n.name(w.seat)} collected ${w.amount} from ${potLabel(e.potIndex, n.potCount)}`);
    default:
      // Hands exposed for an all-in run-out are printed at the showdown that follows, as
      // PokerStars does; the rest (to_act, rake_taken, ...) has no line of its own.
      return [];
  }
}

// ---- the PokerStars text -----------------------------------------------------------------

/** PokerStars lists the antes by seat number (Seat 1 first), whoever has the button; the engine posts them in deal order. */
function antesBySeat(beats: Beat[]): Beat[] {
  const isAnte = (b: Beat) => b.event.type === 'blinds_posted' && b.event.kind === 'ante';
  const first = beats.findIndex(isAnte);
  if (first < 0) return beats;
  let end = first;
  while (end < beats.length && isAnte(beats[end]!)) end++;
  const seatOf = (b: Beat) => (b.event as Extract<GameEvent, { type: 'blinds_posted' }>).seat;
  const antes = beats.slice(first, end).sort((a, b) => seatOf(a) - seatOf(b));
  return [...beats.slice(0, first), ...antes, ...beats.slice(end)];
}

/**
 * PokerStars prints the pots collected from the last side pot back to the main pot (side pots
 * are settled first); the engine awards the main pot first. The awards of a hand are one run of
 * beats (with the rake between them), so they are reordered in place.
 */
function sidePotsFirst(beats: Beat[]): Beat[] {
  const isAward = (b: Beat) => b.event.type === 'pot_awarded';
  const at = beats.flatMap((b, i) => (isAward(b) ? [i] : []));
  if (at.length < 2) return beats;
  const potOf = (b: Beat) => (b.event as Extract<GameEvent, { type: 'pot_awarded' }>).potIndex;
  const awards = at.map((i) => beats[i]!).sort((a, b) => potOf(b) - potOf(a));
  const out = [...beats];
  at.forEach((i, k) => (out[i] = awards[k]!));
  return out;
}

/**
 * A name as one line of the history: control and bidirectional-override characters become
 * spaces, so a name stored before they were refused cannot split a line or fake another hand.
 */
function oneLine(name: string): string {
  return name.replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, ' ');
}

function roleText(state: GameState, seat: SeatIndex): string {
  let roles = '';
  if (seat === state.button) roles += ' (button)';
  if (seat === state.smallBlindSeat) roles += ' (small blind)';
  if (seat === state.bigBlindSeat) roles += ' (big blind)';
  return roles;
}

function outcomeText(n: Narrator, result: HandResult, s: SeatResult, ownCards: string[] | null): string {
  const shown = result.shown.find((h) => h.seat === s.seat);
  if (shown) {
    const cards = shown.cards.map(cardText).join(' ');
    const handName = pokerStarsHandName(shown.category, shown.name);
    return `showed [${cards}] and ${wonAPot(result, s.seat) ? `won (${s.won})` : 'lost'} with ${handName}`;
  }
  if (result.mucked.includes(s.seat)) return ownCards ? `mucked [${ownCards.join(' ')}]` : 'mucked';
  if (s.won > 0) return `collected (${s.won})`;
  const street = n.foldedOn.get(s.seat) ?? 'preflop';
  return `${FOLD_TEXT[street]}${street === 'preflop' && !n.betting.has(s.seat) ? " (didn't bet)" : ''}`;
}

/** Whether the seat is a winner of some pot (a pot the rake took whole still has its winner). */
function wonAPot(result: HandResult, seat: SeatIndex): boolean {
  return result.pots.some((p) => p.winners.some((w) => w.seat === seat));
}

function summaryLines(narration: Narration, holeCardsSeen: Map<SeatIndex, string[]>): string[] {
  const { state, result, narrator: n } = narration;
  const total = result.pots.reduce((sum, p) => sum + p.amount, 0);
  // As PokerStars prints them: each pot after its rake, so main + side pots + rake = total.
  const parts = result.pots.map((p, i) => `${i === 0 ? 'Main pot' : result.pots.length === 2 ? 'Side pot' : `Side pot-${i}`} ${p.amount - p.rake}.`);
  const lines = ['*** SUMMARY ***', `Total pot ${total}${result.pots.length > 1 ? ` ${parts.join(' ')}` : ''} | Rake ${result.rake}`];
  if (result.board.length > 0) lines.push(`Board [${result.board.map(cardText).join(' ')}]`);
  for (const s of [...result.seats].sort((a, b) => a.seat - b.seat)) {
    const outcome = outcomeText(n, result, s, holeCardsSeen.get(s.seat) ?? null);
    lines.push(`Seat ${s.seat + 1}: ${n.name(s.seat)}${roleText(state, s.seat)} ${outcome}`);
  }
  return lines;
}

/**
 * The last hand of the record as PokerStars writes it, for one viewer: a player's copy has
 * their own "Dealt to" line, a spectator's (the default: the least anyone sees) none, an
 * admin's (an audit copy) every hand dealt. Chips are play chips: no currency sign,
 * "(Play Money)" on the table line.
 */
export function toPokerStarsText(record: HandRecord, viewer: Viewer = { kind: 'spectator' }): string {
  const narration = narrate(record, viewer);
  const { state, started, notDealt, beats, narrator: n } = narration;
  const c = state.config;
  const game = c.variant === 'PLO' ? 'Omaha Pot Limit' : "Hold'em No Limit";
  const number = record.handNumber ?? String(state.handNumber);
  if (!/^\d+$/.test(number)) throw new Error(`a PokerStars hand number is digits only: ${JSON.stringify(number)}`);
  const lines = [
    `PokerStars Hand #${number}:  ${game} (${started.smallBlind}/${started.bigBlind}) - ${pokerStarsDate(record.startedAt ?? new Date(0).toISOString())}`,
    `Table '${oneLine(record.tableName ?? 'Table')}' ${c.maxSeats}-max (Play Money) Seat #${started.button + 1} is the button`,
    // Every seat taken, in seat order; one not dealt in "is sitting out", as PokerStars prints it.
    ...[...started.seats.map((s) => ({ ...s, out: false })), ...notDealt.map((s) => ({ ...s, out: true }))]
      .sort((a, b) => a.seat - b.seat)
      .map((s) => `Seat ${s.seat + 1}: ${n.name(s.seat)} (${s.stack} in chips)${s.out ? ' is sitting out' : ''}`),
  ];
  const dealt = new Map<SeatIndex, string[]>();
  for (const beat of sidePotsFirst(antesBySeat(beats))) {
    if (beat.event.type === 'hole_cards') dealt.set(beat.event.seat, beat.event.cards);
    lines.push(...linesOf(n, beat));
    if (beat.event.type === 'hand_complete') break;
  }
  if (narration.result.endedBy === 'fold') {
    for (const s of narration.result.seats) if (s.won > 0) lines.push(`${n.name(s.seat)}: doesn't show hand`);
  }
  lines.push(...summaryLines(narration, dealt));
  return lines.join('\n') + '\n';
}

// ---- the replay: the hand step by step, as one viewer saw it -------------------------------

export interface ReplaySeat {
  seat: SeatIndex;
  name: string;
  stack: Chips;
  /** Chips in front of the seat on this street. */
  bet: Chips;
  folded: boolean;
  allIn: boolean;
  /** Null while this viewer may not see them. */
  holeCards: string[] | null;
}

export type ReplayStepKind = 'post' | 'deal' | 'action' | 'uncalled' | 'street' | 'exposed' | 'show' | 'muck' | 'collect';

export interface ReplayStep {
  kind: ReplayStepKind;
  /** The seat acting, or null for the dealer (streets, the deal). */
  seat: SeatIndex | null;
  /** What happened, in PokerStars' words ("alice: raises 40 to 60"). */
  lines: string[];
  street: BettingStreet | 'showdown';
  board: string[];
  /** Chips in the middle: the pots of earlier streets and this street's bets, less what was paid out. */
  pot: Chips;
  seats: ReplaySeat[];
}

export interface HandReplay {
  variant: GameState['config']['variant'];
  smallBlind: Chips;
  bigBlind: Chips;
  ante: Chips;
  button: SeatIndex;
  /** The seats dealt in, as the hand started. */
  seats: ReplaySeat[];
  steps: ReplayStep[];
  /** Total pot and rake, as settled. */
  potTotal: Chips;
  rake: Chips;
}

const STEP_KINDS: Partial<Record<GameEvent['type'], ReplayStepKind>> = {
  blinds_posted: 'post',
  cards_dealt: 'deal',
  hole_cards: 'deal',
  action: 'action',
  uncalled_returned: 'uncalled',
  street_dealt: 'street',
  hands_exposed: 'exposed',
  hand_shown: 'show',
  hand_mucked: 'muck',
  pot_awarded: 'collect',
};

function replaySeats(view: TableView, dealt: ReadonlySet<SeatIndex>, n: Narrator): ReplaySeat[] {
  return view.seats.flatMap((s) =>
    s && dealt.has(s.seat)
      ? [{ seat: s.seat, name: n.name(s.seat), stack: s.stack, bet: s.bet, folded: s.folded, allIn: s.allIn, holeCards: s.holeCards }]
      : [],
  );
}

/** Chips in the middle of a view: everything put in (net of uncalled chips) less what was paid out and raked. */
function potOf(view: TableView): Chips {
  const committed = view.seats.reduce((sum, s) => sum + (s && s.inHand ? s.committed : 0), 0);
  const paid = (view.result?.pots ?? []).reduce((sum, p) => sum + (p ? p.winners.reduce((w, x) => w + x.amount, 0) + p.rake : 0), 0);
  return Math.max(0, committed - paid);
}

function stepSeat(e: GameEvent): SeatIndex | null {
  if ('seat' in e) return e.seat;
  if (e.type === 'pot_awarded') return e.winners[0]?.seat ?? null;
  return null;
}

function stepLines(n: Narrator, beat: Beat, viewer: Viewer): string[] {
  const e = beat.event;
  if (e.type === 'hands_exposed') {
    // On the river the showdown follows at once and shows them.
    return beat.before.street === 'river' ? [] : e.hands.map((h) => `${n.name(h.seat)}: shows [${h.cards.join(' ')}] (all-in)`);
  }
  // A player's deal is the step with their cards ("Dealt to ..."), which follows.
  if (e.type === 'cards_dealt' && viewer.kind === 'player') return [];
  return linesOf(n, beat).filter((line) => line !== '*** SHOW DOWN ***');
}

/**
 * The last hand of the record step by step for one viewer (a player sees their own cards; a
 * spectator, or an admin, only the exposed and shown ones): each step is one event of the
 * hand with the board, the pot and every dealt seat right after it.
 */
export function replayFor(record: HandRecord, viewer: Viewer): HandReplay {
  const seen: Viewer = viewer.kind === 'admin' ? { kind: 'spectator' } : viewer;
  const narration = narrate(record, seen);
  const { started, beats, narrator: n, result } = narration;
  const dealt = new Set(started.seats.map((s) => s.seat));
  const steps: ReplayStep[] = [];
  const startBeat = beats.find((b) => b.event.type === 'hand_started')!;
  for (const beat of beats) {
    const kind = STEP_KINDS[beat.event.type];
    if (kind === undefined) continue;
    const lines = stepLines(n, beat, seen);
    if (lines.length === 0) continue;
    const after = beat.after;
    const street = after.street === 'complete' || kind === 'show' || kind === 'muck' || kind === 'collect' ? 'showdown' : after.street;
    steps.push({ kind, seat: stepSeat(beat.event), lines, street, board: after.board, pot: potOf(after), seats: replaySeats(after, dealt, n) });
  }
  return {
    variant: started.variant,
    smallBlind: started.smallBlind,
    bigBlind: started.bigBlind,
    ante: started.ante,
    button: started.button,
    seats: replaySeats(startBeat.after, dealt, n),
    steps,
    potTotal: result.pots.reduce((sum, p) => sum + p.amount, 0),
    rake: result.rake,
  };
}
