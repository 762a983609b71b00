// The hand state machine: createGame() and the pure apply(state, command).
//
// apply() never touches its input: it works on a structured clone and either returns the
// new state with its events or a rejection value. Every accepted command bumps `seq` by one.
// After every accepted step the chip total is checked against the previous state; a
// mismatch throws, because it can only be an engine bug.
import { act, advance, refreshPots, runOut } from './game-betting';
import { startHand } from './game-hand';
import { showAfterHand } from './game-showdown';
import { isHandInProgress, legalActions } from './legal';
import { isChipAmount } from './pots';
import { rejection, type RejectionCode } from './rejections';
import type { ApplyResult, Chips, Command, GameConfig, GameConfigInput, GameEvent, GameState, SeatState } from './types';

export const MAX_SEATS_MIN = 2;
export const MAX_SEATS_MAX = 10;
const BASIS_POINTS_MAX = 10_000;

/** Returns what is wrong with a table configuration, or null when it is sound. */
export function configProblem(config: GameConfigInput): string | null {
  if (config.variant !== 'NLHE' && config.variant !== 'PLO') return 'variant must be NLHE or PLO';
  const seats = config.maxSeats;
  if (!Number.isInteger(seats) || seats < MAX_SEATS_MIN || seats > MAX_SEATS_MAX) return 'maxSeats must be 2..10';
  if (!isChipAmount(config.smallBlind) || !isChipAmount(config.bigBlind)) return 'blinds must be chip amounts';
  if (config.bigBlind < 1 || config.smallBlind > config.bigBlind) return 'need 0 <= smallBlind <= bigBlind, bigBlind >= 1';
  if (config.ante !== undefined && !isChipAmount(config.ante)) return 'ante must be a chip amount';
  const rake = config.rake;
  if (rake) {
    const bpsOk = Number.isInteger(rake.percentBps) && rake.percentBps >= 0 && rake.percentBps <= BASIS_POINTS_MAX;
    if (!bpsOk || !isChipAmount(rake.cap)) return 'rake needs percentBps 0..10000 and a chip cap';
    if (rake.from !== undefined && rake.from !== 'every_pot' && rake.from !== 'main_pot_first') return "rake.from must be 'every_pot' or 'main_pot_first'";
  }
  if (config.pacedRunOut !== undefined && typeof config.pacedRunOut !== 'boolean') return 'pacedRunOut must be a boolean';
  if (config.showAfterHand !== undefined && typeof config.showAfterHand !== 'boolean') return 'showAfterHand must be a boolean';
  return null;
}

/** The empty table. Throws on an invalid configuration (the server validates it at boot). */
export function createGame(input: GameConfigInput): GameState {
  const problem = configProblem(input);
  if (problem) throw new RangeError(`invalid game config: ${problem}`);
  const config: GameConfig = { ...input, ante: input.ante ?? 0, rake: input.rake ? { ...input.rake } : null };
  return {
    config,
    seq: 0,
    decisionSeq: 0,
    seats: Array.from({ length: config.maxSeats }, () => null),
    button: null,
    smallBlindSeat: null,
    bigBlindSeat: null,
    handId: null,
    handNumber: 0,
    street: 'complete',
    board: [],
    deck: null,
    dealOrder: [],
    toAct: null,
    currentBet: 0,
    lastFullRaise: config.bigBlind,
    lastAggressor: null,
    pots: [],
    result: null,
  };
}

export function apply(state: GameState, command: Command): ApplyResult {
  const shapeProblem = checkShape(state, command);
  if (shapeProblem) return rejection(shapeProblem);
  const next = cloneState(state);
  const events: GameEvent[] = [];
  const problem = dispatch(next, command, events);
  if (problem) return rejection(problem);
  next.seq = state.seq + 1;
  refreshPots(next);
  next.decisionSeq = decisionChanged(state, next) ? next.seq : state.decisionSeq;
  assertChipsConserved(state, next, command);
  return { ok: true, state: next, events };
}

/**
 * A deep copy of the state, written out: `apply` copies the state on every
 * command, and structuredClone was the engine's largest cost under load.
 * Every array and nested object is copied; the property tests check that no
 * command ever mutates its input.
 */
export function cloneState(state: GameState): GameState {
  return {
    ...state,
    config: { ...state.config, rake: state.config.rake ? { ...state.config.rake } : null },
    seats: state.seats.map((s) => (s === null ? null : { ...s, holeCards: s.holeCards.slice() })),
    board: state.board.slice(),
    deck: state.deck === null ? null : state.deck.slice(),
    dealOrder: state.dealOrder.slice(),
    pots: state.pots.map((p) => ({ ...p, eligible: p.eligible.slice() })),
    result: state.result === null ? null : structuredClone(state.result),
  };
}

const COMMAND_TYPES: ReadonlySet<unknown> = new Set<Command['type']>([
  'sit',
  'leave',
  'add_chips',
  'sit_out',
  'sit_in',
  'start_hand',
  'act',
  'timeout',
  'run_out',
  'show',
]);

/** Commands that exist only when the table's config opts in; otherwise they are unknown, as before. */
function isEnabled(state: GameState, type: Command['type']): boolean {
  if (type === 'run_out') return state.config.pacedRunOut === true;
  if (type === 'show') return state.config.showAfterHand === true;
  return true;
}

/**
 * A decision made at `seq` is current when nothing it depends on changed since: from the
 * last decision-changing command (`decisionSeq`) up to the table's seq. Not a number, from
 * the future or from before that command: stale.
 */
function isCurrentSeq(state: GameState, seq: unknown): boolean {
  return Number.isSafeInteger(seq) && (seq as number) >= (state.decisionSeq ?? state.seq) && (seq as number) <= state.seq;
}

/**
 * Did this command change anything a betting decision is made on? The hand, street, board,
 * whose turn, the bet level and the pots, and the chips and status of every seat dealt in.
 * Seats outside the hand (sitting down, sitting in or out, topping up between hands) and the
 * sit-out flag of a dealt-in seat do not count.
 */
function decisionChanged(before: GameState, after: GameState): boolean {
  if (
    before.handId !== after.handId || before.handNumber !== after.handNumber || before.street !== after.street ||
    before.toAct !== after.toAct || before.currentBet !== after.currentBet || before.lastFullRaise !== after.lastFullRaise ||
    before.board.length !== after.board.length || before.pots.length !== after.pots.length
  ) {
    return true;
  }
  for (let i = 0; i < after.seats.length; i++) {
    const a = before.seats[i] ?? null;
    const b = after.seats[i] ?? null;
    if (!a?.inHand && !b?.inHand) continue;
    if (a === null || b === null || a.playerId !== b.playerId) return true;
    if (a.stack !== b.stack || a.bet !== b.bet || a.committed !== b.committed || a.inHand !== b.inHand) return true;
    if (a.folded !== b.folded || a.allIn !== b.allIn || a.acted !== b.acted || a.exposed !== b.exposed) return true;
  }
  return false;
}

function checkShape(state: GameState, command: Command): RejectionCode | null {
  if (typeof command !== 'object' || command === null || !COMMAND_TYPES.has(command.type)) return 'command/invalid';
  if (!isEnabled(state, command.type)) return 'command/invalid';
  // null counts as absent: JSON has no undefined.
  if ('expectedSeq' in command && command.expectedSeq != null && !isCurrentSeq(state, command.expectedSeq)) {
    return 'seq/stale';
  }
  if (command.type !== 'start_hand' && command.type !== 'run_out') {
    const seat = (command as { seat?: unknown }).seat;
    if (!Number.isInteger(seat) || (seat as number) < 0 || (seat as number) >= state.config.maxSeats) return 'seat/invalid';
  }
  return null;
}

function dispatch(state: GameState, command: Command, events: GameEvent[]): RejectionCode | null {
  switch (command.type) {
    case 'sit':
      return sit(state, command, events);
    case 'leave':
      return leave(state, command.seat, events);
    case 'add_chips':
      return addChips(state, command.seat, command.amount, events);
    case 'sit_out':
    case 'sit_in':
      return setSittingOut(state, command.seat, command.type === 'sit_out', events);
    case 'start_hand': {
      const problem = startHand(state, command, events);
      if (!problem) advance(state, events, state.bigBlindSeat!);
      return problem;
    }
    case 'act':
      return handOnly(state) ?? act(state, command, events);
    case 'timeout':
      return handOnly(state) ?? timeout(state, command.seat, events);
    case 'run_out':
      return handOnly(state) ?? runOut(state, events);
    case 'show':
      return showAfterHand(state, command.seat, events);
    default:
      return 'command/invalid';
  }
}

function handOnly(state: GameState): RejectionCode | null {
  return isHandInProgress(state) ? null : 'hand/not_in_progress';
}

/** The acting seat checks when it may, otherwise folds. Sitting it out is the server's call. */
function timeout(state: GameState, seat: number, events: GameEvent[]): RejectionCode | null {
  const legal = legalActions(state, seat);
  if (!legal) return 'turn/not_your_turn';
  return act(state, { type: 'act', seat, action: legal.canCheck ? 'check' : 'fold' }, events, true);
}

function emptySeat(playerId: string, stack: Chips): SeatState {
  return {
    playerId,
    stack,
    bet: 0,
    committed: 0,
    returned: 0,
    dead: 0,
    startStack: stack,
    inHand: false,
    folded: false,
    allIn: false,
    sittingOut: false,
    holeCards: [],
    exposed: false,
    acted: false,
    actedAtBet: 0,
  };
}

function sit(state: GameState, command: Extract<Command, { type: 'sit' }>, events: GameEvent[]): RejectionCode | null {
  if (isHandInProgress(state)) return 'hand/in_progress';
  if (typeof command.playerId !== 'string' || command.playerId.length === 0) return 'command/invalid';
  if (!isChipAmount(command.stack) || command.stack === 0) return 'amount/invalid';
  if (state.seats[command.seat]) return 'seat/taken';
  if (state.seats.some((s) => s?.playerId === command.playerId)) return 'seat/player_already_seated';
  state.seats[command.seat] = emptySeat(command.playerId, command.stack);
  events.push({ type: 'player_sat', seat: command.seat, playerId: command.playerId, stack: command.stack });
  return null;
}

function leave(state: GameState, seat: number, events: GameEvent[]): RejectionCode | null {
  if (isHandInProgress(state)) return 'hand/in_progress';
  const occupant = state.seats[seat];
  if (!occupant) return 'seat/empty';
  state.seats[seat] = null;
  events.push({ type: 'player_left', seat, playerId: occupant.playerId, stack: occupant.stack });
  return null;
}

function addChips(state: GameState, seat: number, amount: unknown, events: GameEvent[]): RejectionCode | null {
  if (isHandInProgress(state)) return 'hand/in_progress';
  const occupant = state.seats[seat];
  if (!occupant) return 'seat/empty';
  if (!isChipAmount(amount) || amount === 0 || !Number.isSafeInteger(occupant.stack + amount)) return 'amount/invalid';
  occupant.stack += amount;
  events.push({ type: 'chips_added', seat, amount, stack: occupant.stack });
  return null;
}

/** Takes effect at the next start_hand: a seat already dealt in keeps playing this hand. */
function setSittingOut(state: GameState, seat: number, out: boolean, events: GameEvent[]): RejectionCode | null {
  const occupant = state.seats[seat];
  if (!occupant) return 'seat/empty';
  if (occupant.sittingOut === out) return out ? 'seat/already_sitting_out' : 'seat/already_sitting_in';
  occupant.sittingOut = out;
  events.push(out ? { type: 'sat_out', seat } : { type: 'sat_in', seat });
  return null;
}

/** Chips on the table: stacks plus everything in the middle of a hand in progress. */
export function tableChips(state: GameState): Chips {
  const inPlay = isHandInProgress(state);
  return state.seats.reduce((sum, s) => sum + (s ? s.stack + (inPlay && s.inHand ? s.committed : 0) : 0), 0);
}

function assertChipsConserved(before: GameState, after: GameState, command: Command): void {
  let expected = tableChips(before);
  if (command.type === 'sit') expected += command.stack;
  if (command.type === 'add_chips') expected += command.amount;
  if (command.type === 'leave') expected -= before.seats[command.seat]!.stack;
  const handEnded = !isHandInProgress(after) && (isHandInProgress(before) || command.type === 'start_hand');
  if (handEnded) expected -= after.result!.rake;
  const actual = tableChips(after);
  const collected = after.pots.reduce((sum, p) => sum + p.amount, 0);
  const bets = after.seats.reduce((sum, s) => sum + (s && s.inHand && isHandInProgress(after) ? s.bet : 0), 0);
  const stacks = after.seats.reduce((sum, s) => sum + (s ? s.stack : 0), 0);
  const negative = after.seats.some((s) => s && (s.stack < 0 || s.bet < 0 || s.committed < 0));
  if (actual !== expected || stacks + collected + bets !== actual || negative || after.pots.some((p) => p.amount <= 0)) {
    throw new Error(`chip conservation violated after ${command.type}: expected ${expected}, found ${actual}`);
  }
}
