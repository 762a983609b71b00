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
  /** Only for a seat taken during a hand: the chips it brings to the next deal (the engine's view has no such seat yet). */
  joiningStack?: number;
  /** Out of the deal until the hand in which this seat posts the big blind (it joined a running game, or sat in after missing a blind). */
  waitingForBigBlind?: boolean;
  /**
   * Waiting, and it may post a big blind to enter instead of waiting (`table:post_blind`): a new
   * player, or one back from missing a blind with the chips for what it owes (decision 035).
   */
  mayPostBigBlind?: boolean;
  /** Waiting, back from missing a small blind: a post to enter also posts that small blind, dead (decision 035). */
  owesSmallBlind?: boolean;
  /** Waiting, and posts a big blind to enter the next hand it may ("post now": `table:post_blind`). */
  postsBigBlind?: boolean;
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
  /**
   * With a hand's result in `view`: the names of the players dealt that hand, by player id (a
   * result names its winners by `playerId`; a winner who has left since is not in `players`).
   */
  handNames?: Record<string, string>;
  /**
   * `waitlist`: the viewer's place on the table's waiting list, or the seat held for them (null: not on it).
   * `pendingTopUps`: the amounts of the viewer's top-ups waiting for the hand boundary, in the order
   * asked (each ends in `chips_added` or a `Top-up refused` notice); empty without a seat.
   */
  you: { userId: number; seat: number | null; legal: LegalActions | null; waitlist?: WaitlistStatus | null; pendingTopUps?: number[] } | null;
  clock: ActionClock | null;
  fairness: Fairness | null;
  /** sha256 of the server seed of the next hand (also before the first hand: set your client seed after seeing it). */
  nextCommitment: string;
  paused: boolean;
  spectators: number;
  minBuyIn: number;
  maxBuyIn: number;
  actionTimeoutMs: number;
  /** The waiting list (docs/decisions/015-waiting-list.md): how many wait, and the seats held for an offered player. */
  waitlist: WaitlistPublic;
  /** The pauses this table keeps between hands and streets: its own where an admin set them, else the server's. */
  timing: TableTiming;
  /** An admin's close under way: at the end of the hand ('boundary') or at once ('now'); null: none. */
  closing: 'boundary' | 'now' | null;
}

/**
 * A table's pace, in milliseconds (docs/decisions/014-paced-run-out-and-showdown-hold.md).
 * The next deal comes `showdownHoldMs` after the result of a hand that went to a showdown,
 * `handIntervalMs` after one won by a fold.
 */
export interface TableTiming {
  /** From a showdown's result to the next deal: the table's hold, or the hand interval when that is longer. */
  showdownHoldMs: number;
  /** Between two streets of an all-in run-out; 0: the board is run out in the frame of the call. */
  runOutStreetMs: number;
  /** From the result of a hand won by a fold to the next deal. */
  handIntervalMs: number;
}

/**
 * The largest showdown hold and run-out street an admin may give a table (POST
 * /api/admin/tables, also checked by the database): longer would only stall the table.
 */
export const SHOWDOWN_HOLD_MS_MAX = 60_000;
export const RUN_OUT_STREET_MS_MAX = 10_000;

export interface WaitlistPublic {
  waiting: number;
  reservedSeats: number[];
}

/** One player's place on a waiting list: in line (position 1 is next), or holding an offered seat until `deadline`. */
export interface WaitlistStatus {
  position: number | null;
  offer: { seat: number; deadline: number } | null;
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
  kind: 'hand_cancelled' | 'paused' | 'resumed' | 'sat_out' | 'removed' | 'closing' | 'closed' | 'info' | 'seat_offered' | 'waitlist';
  message: string;
  /** seat_offered (to that player only): the seat held for them, until `deadline` (epoch ms). */
  seat?: number;
  deadline?: number;
  /**
   * To that player only, when the table cashed their seat out without their asking (`removed`:
   * sat out too long; `info`: an admin closed the table): the chips that went back to their wallet.
   */
  cashedOut?: number;
}

export interface ChatMessage {
  tableId: number;
  userId: number;
  username: string;
  text: string;
  at: number;
  /** The sender's id for the line (`table:chat`'s `chatId`), when they sent one. */
  chatId?: string;
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
  /** Players on the waiting list. */
  waiting: number;
  spectators: number;
  averagePot: number;
  handsPerHour: number;
  status: 'OPEN' | 'CLOSED';
  /** The server process (node) that owns the table now (`single` when one process runs alone). */
  node?: string;
}
