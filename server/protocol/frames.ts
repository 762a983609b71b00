// What the server sends. Table frames carry the table's `seq` (the engine's
// sequence number after the command that produced them) and `epoch` (the
// table owner's epoch: it changes when a table is rebuilt after a restart).
// A client that sees seq jump by more than one, or epoch change, asks for a
// snapshot (`table:snapshot`).
import type { GameEvent, LegalActions, TableView, Variant } from '../poker';

export const SERVER_EVENTS = {
  tableFrame: 'table:frame',
  tablePrivate: 'table:private',
  tableSnapshot: 'table:snapshot',
  tableChat: 'table:chat',
  tableNotice: 'table:notice',
  tableEquity: 'table:equity',
  lobbyTables: 'lobby:tables',
  walletBalance: 'wallet:balance',
} as const;

export interface SeatPlayer {
  seat: number;
  userId: number;
  username: string;
  connected: boolean;
  /** Milliseconds of time bank left. */
  timeBankMs: number;
  /** Requested to leave; leaves at the end of the hand. */
  leaving: boolean;
}

export interface ActionClock {
  seat: number;
  /** Epoch milliseconds when the turn times out (including the time bank in use). */
  deadline: number;
  turnMs: number;
  usingTimeBank: boolean;
}

/**
 * The fairness commitments of the current (or last) hand (docs/fairness.md).
 * Neither the seed nor any card opening travels in a frame: once the hand has
 * settled, GET /api/hands/:id gives the public openings (board, shown hands)
 * to everyone and each player the openings of their own cards; the seed
 * itself only when it can no longer expose a card that was not shown.
 */
export interface Fairness {
  handId: string;
  /** sha256(server seed), published before the client seeds of this hand were taken. */
  commitment: string;
  /** Merkle root over the 52 salted deck positions. */
  deckRoot: string;
  /** The players' own seeds mixed into this hand's deck, by seat. */
  clientSeeds: { seat: number; seed: string }[];
  /** True once the hand is settled and its record (with the public openings) can be fetched. */
  revealed: boolean;
  /** sha256 of the server seed of the NEXT hand: committed before anyone sets the client seeds it will be mixed with. */
  nextCommitment: string;
}

export interface TableSnapshot {
  tableId: number;
  name: string;
  epoch: number;
  seq: number;
  view: TableView;
  players: SeatPlayer[];
  you: { userId: number; seat: number | null; legal: LegalActions | null } | null;
  clock: ActionClock | null;
  fairness: Fairness | null;
  /** sha256 of the server seed of the next hand (also before the first hand: set your client seed after seeing it). */
  nextCommitment: string;
  paused: boolean;
  spectators: number;
  minBuyIn: number;
  maxBuyIn: number;
  actionTimeoutMs: number;
}

/** Events produced by the table itself, beside the engine's GameEvents. */
export type TableEvent =
  | GameEvent
  | {
      type: 'fairness_commitment';
      handId: string;
      commitment: string;
      deckRoot: string;
      clientSeeds: { seat: number; seed: string }[];
      nextCommitment: string;
    }
  | { type: 'clock'; clock: ActionClock | null }
  | { type: 'players'; players: SeatPlayer[] }
  /** recordId: the stored hand's id, for GET /api/hands/:id (seed, verification, history). */
  | { type: 'hand_settled'; handId: string; handNumber: number; recordId: string };

/**
 * The public frame of one step: sent ONCE to the table's room (everyone seated
 * or watching), encoded once. It carries every event anyone may see; the
 * player to act learns their options from its `to_act` event (legal actions
 * are public information), so it has no per-viewer part.
 */
export interface TableFrame {
  tableId: number;
  epoch: number;
  seq: number;
  events: TableEvent[];
}

/**
 * The private part of a step, only for the one player whose private view
 * changed in it (their own hole cards at the deal), sent right after the
 * public frame of the same `seq` on the same socket. `legal` is that player's
 * options at `seq` (a `to_act` folded before the hole cards were known could
 * not say them). docs/protocol.md, "Frames and seq".
 */
export interface PrivateFrame {
  tableId: number;
  epoch: number;
  seq: number;
  events: GameEvent[];
  legal: LegalActions | null;
}

export interface TableNotice {
  tableId: number;
  kind: 'hand_cancelled' | 'paused' | 'resumed' | 'sat_out' | 'removed' | 'closed' | 'info';
  message: string;
}

export interface ChatMessage {
  tableId: number;
  userId: number;
  username: string;
  text: string;
  at: number;
}

export interface EquityFrame {
  tableId: number;
  handId: string;
  board: string[];
  /** Win and tie probabilities (0..1) per live seat, computed over every remaining board. */
  seats: { seat: number; win: number; tie: number }[];
}

export interface LobbyTable {
  id: number;
  name: string;
  variant: Variant;
  smallBlind: number;
  bigBlind: number;
  ante: number;
  minBuyIn: number;
  maxBuyIn: number;
  maxSeats: number;
  seatsTaken: number;
  spectators: number;
  averagePot: number;
  handsPerHour: number;
  status: 'OPEN' | 'CLOSED';
}
