import { cardToString, exposedSeats, type GameEvent, type GameState } from '../poker';
import type { EquityInput } from '../poker/equity';

// When the betting closed with players all in, the engine turns their hands
// face up for everyone (hands_exposed). Everyone at the table then gets each
// exposed hand's exact equity. Unpaced (the board run out in the step that
// closed the betting) that is once, on the board as it was when the betting
// closed; paced (config.pacedRunOut, one street per run_out command) it is
// once per street, on the board as it stands. Only exposed hands: equity
// describes a hand, so it is never published for one that could still be mucked.

export interface EquityRequest {
  input: EquityInput;
  handId: string;
  /** The board the equity is computed on, as text. */
  board: string[];
  seats: number[];
  /** How many boards the enumeration visits. */
  boards: number;
}

/** What to enumerate after this last step of a hand, or null when there is nothing to publish. */
export function allInEquityRequest(state: GameState, events: GameEvent[]): EquityRequest | null {
  const exposedAt = events.findIndex((e) => e.type === 'hands_exposed');
  if (exposedAt < 0 || !state.result || state.result.endedBy !== 'showdown') return null;
  const runOut = events.slice(exposedAt).filter((e): e is Extract<GameEvent, { type: 'street_dealt' }> => e.type === 'street_dealt');
  if (runOut.length === 0) return null;
  const board = runOut[0]!.board.slice(0, runOut[0]!.board.length - runOut[0]!.cards.length);
  const seats = exposedSeats(state).filter((seat) => state.seats[seat]?.exposed);
  return request(state, state.result.handId, board.length, seats);
}

/**
 * A paced run-out waiting for its next street (hand in progress, nobody to act): the
 * equity of the exposed live hands on the board as it stands, or null.
 */
export function runOutEquityRequest(state: GameState): EquityRequest | null {
  if (state.street === 'complete' || state.toAct !== null || state.handId === null || state.board.length >= 5) return null;
  return request(state, state.handId, state.board.length, exposedSeats(state));
}

function request(state: GameState, handId: string, boardLength: number, seats: number[]): EquityRequest | null {
  if (seats.length < 2) return null;
  const board = state.board.slice(0, boardLength);
  const remaining = 52 - board.length - seats.length * state.seats[seats[0]!]!.holeCards.length;
  return {
    input: { variant: state.config.variant, hands: seats.map((seat) => state.seats[seat]!.holeCards), board },
    handId,
    board: board.map(cardToString),
    seats,
    boards: combinations(remaining, 5 - board.length),
  };
}

function combinations(n: number, k: number): number {
  let result = 1;
  for (let i = 0; i < k; i++) result = (result * (n - i)) / (i + 1);
  return Math.round(result);
}
