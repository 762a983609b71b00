// Hand histories: replaying a log of accepted commands, and the PokerStars-style text export
// that players and tracking tools know how to read.
import { cardToString as cardText } from './cards';
import { apply } from './game';
import type { Command, GameEvent, GameState, HandResult, SeatIndex, SeatResult } from './types';

/** The state before the first command (an empty table, or a table between hands) and the accepted commands. */
export interface HandLog {
  initial: GameState;
  commands: Command[];
}

export interface HandRecord extends HandLog {
  tableName?: string;
  /** When the hand started, as the text to print in the header (the engine has no clock). */
  startedAt?: string;
}

/** Re-applies every command. A rejected command means the log is corrupt: that throws. */
export function replayWithEvents(log: HandLog): { state: GameState; events: GameEvent[] } {
  let state = log.initial;
  const events: GameEvent[] = [];
  log.commands.forEach((command, i) => {
    const result = apply(state, command);
    if (!result.ok) throw new Error(`replay: command ${i} (${command.type}) rejected: ${result.rejection.code}`);
    state = result.state;
    events.push(...result.events);
  });
  return { state, events };
}

export function replay(log: HandLog): GameState {
  return replayWithEvents(log).state;
}

const STREET_TITLES = { flop: 'FLOP', turn: 'TURN', river: 'RIVER' } as const;
const POST_TEXT = { ante: 'posts the ante', small_blind: 'posts small blind', big_blind: 'posts big blind' } as const;

interface Render {
  names: Map<SeatIndex, string>;
  /** The bet level of the current street, to print "raises X to Y". */
  level: number;
  lines: string[];
  showdownOpened: boolean;
  street: 'preflop' | 'flop' | 'turn' | 'river';
  foldedOn: Map<SeatIndex, string>;
}

const FOLD_TEXT = { preflop: 'folded before Flop', flop: 'folded on the Flop', turn: 'folded on the Turn', river: 'folded on the River' };

function name(r: Render, seat: SeatIndex): string {
  return r.names.get(seat) ?? `Seat ${seat + 1}`;
}

function actionLine(r: Render, e: Extract<GameEvent, { type: 'action' }>): string {
  const who = name(r, e.seat);
  const allIn = e.allIn ? ' and is all-in' : '';
  switch (e.action) {
    case 'fold':
      return `${who}: folds`;
    case 'check':
      return `${who}: checks`;
    case 'call':
      return `${who}: calls ${e.amount}${allIn}`;
    case 'bet':
      return `${who}: bets ${e.betTo}${allIn}`;
    case 'raise':
      return `${who}: raises ${e.betTo - r.level} to ${e.betTo}${allIn}`;
  }
}

/** One event to zero or more history lines, in play order. */
function renderEvent(r: Render, e: GameEvent): void {
  const out = (line: string): void => {
    r.lines.push(line);
  };
  switch (e.type) {
    case 'blinds_posted':
      out(`${name(r, e.seat)}: ${POST_TEXT[e.kind]} ${e.amount}${e.allIn ? ' and is all-in' : ''}`);
      if (e.kind === 'big_blind') r.level = Math.max(r.level, e.amount);
      return;
    case 'cards_dealt':
      return out('*** HOLE CARDS ***');
    case 'hole_cards':
      return out(`Dealt to ${name(r, e.seat)} [${e.cards.join(' ')}]`);
    case 'action':
      if (e.action === 'fold') r.foldedOn.set(e.seat, FOLD_TEXT[r.street]);
      out(actionLine(r, e));
      r.level = Math.max(r.level, e.betTo);
      return;
    case 'uncalled_returned':
      return out(`Uncalled bet (${e.amount}) returned to ${name(r, e.seat)}`);
    case 'street_dealt': {
      const before = e.board.slice(0, e.board.length - e.cards.length);
      const shown = before.length > 0 ? `[${before.join(' ')}] [${e.cards.join(' ')}]` : `[${e.cards.join(' ')}]`;
      r.level = 0;
      r.street = e.street;
      return out(`*** ${STREET_TITLES[e.street]} *** ${shown}`);
    }
    case 'hands_exposed':
      // PokerStars prints all-in hands as they are turned up, before the run-out; on the
      // river they are only printed at the showdown that follows at once.
      if (r.street === 'river') return;
      for (const h of e.hands) out(`${name(r, h.seat)}: shows [${h.cards.join(' ')}]`);
      return;
    case 'hand_shown':
    case 'hand_mucked':
      if (!r.showdownOpened) out('*** SHOW DOWN ***');
      r.showdownOpened = true;
      return out(e.type === 'hand_shown' ? `${name(r, e.seat)}: shows [${e.cards.join(' ')}] (${e.name})` : `${name(r, e.seat)}: mucks hand`);
    default:
      return;
  }
}

function potLabel(result: HandResult, index: number): string {
  if (result.pots.length === 1) return 'pot';
  return index === 0 ? 'main pot' : `side pot-${index}`;
}

function roleText(state: GameState, seat: SeatIndex): string {
  if (seat === state.button) return ' (button)';
  if (seat === state.smallBlindSeat) return ' (small blind)';
  if (seat === state.bigBlindSeat) return ' (big blind)';
  return '';
}

function outcomeText(r: Render, result: HandResult, s: SeatResult): string {
  const shown = result.shown.find((h) => h.seat === s.seat);
  if (shown) {
    const cards = shown.cards.map(cardText).join(' ');
    return `showed [${cards}] and ${s.won > 0 ? `won (${s.won})` : 'lost'} with ${shown.name}`;
  }
  if (result.mucked.includes(s.seat)) return 'mucked';
  if (s.won > 0) return `collected (${s.won})`;
  return r.foldedOn.get(s.seat) ?? 'folded';
}

function summaryLines(r: Render, state: GameState, result: HandResult): string[] {
  const lines = ['*** SUMMARY ***'];
  const total = result.pots.reduce((sum, p) => sum + p.amount, 0);
  const split = result.pots.map((p, i) => `${i === 0 ? 'Main pot' : `Side pot-${i}`} ${p.amount}.`).join(' ');
  lines.push(`Total pot ${total}${result.pots.length > 1 ? ` ${split}` : ''} | Rake ${result.rake}`);
  if (result.board.length > 0) lines.push(`Board [${result.board.map(cardText).join(' ')}]`);
  for (const s of [...result.seats].sort((a, b) => a.seat - b.seat)) {
    lines.push(`Seat ${s.seat + 1}: ${name(r, s.seat)}${roleText(state, s.seat)} ${outcomeText(r, result, s)}`);
  }
  return lines;
}

/** PokerStars-style text of the last hand in the record (all hole cards included: an audit copy). */
export function toPokerStarsText(record: HandRecord): string {
  const { state, events } = replayWithEvents(record);
  const start = events.map((e) => e.type).lastIndexOf('hand_started');
  const started = events[start];
  if (!started || started.type !== 'hand_started' || !state.result) throw new Error('the record holds no finished hand');
  const c = state.config;
  const game = c.variant === 'PLO' ? 'Omaha Pot Limit' : "Hold'em No Limit";
  const r: Render = { names: new Map(started.seats.map((s) => [s.seat, s.playerId])), level: 0, lines: [], showdownOpened: false, street: 'preflop', foldedOn: new Map() };
  r.lines.push(`PokerStars Hand #${started.handId}: ${game} (${c.smallBlind}/${c.bigBlind})${record.startedAt ? ` - ${record.startedAt}` : ''}`);
  r.lines.push(`Table '${record.tableName ?? 'Table'}' ${c.maxSeats}-max Seat #${started.button + 1} is the button`);
  for (const s of [...started.seats].sort((a, b) => a.seat - b.seat)) r.lines.push(`Seat ${s.seat + 1}: ${s.playerId} (${s.stack} in chips)`);
  for (const e of events.slice(start + 1)) renderEvent(r, e);
  state.result.pots.forEach((p, i) => {
    for (const w of p.winners) r.lines.push(`${name(r, w.seat)} collected ${w.amount} from ${potLabel(state.result!, i)}`);
  });
  r.lines.push(...summaryLines(r, state, state.result));
  return r.lines.join('\n') + '\n';
}
