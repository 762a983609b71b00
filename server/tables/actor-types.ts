// Types shared by the table actor (actor.ts) and its hand helper (hand.ts), in
// their own module so that neither imports the other.
import type { EquityInput, EquityResult } from '../poker/equity';
import type { Ledger } from '../ledger/transactions';
import type { KeyInput } from '../ledger/keys';
import type { Clock } from './clock';
import type { ActorMetrics } from './metrics-api';
import type { TableOutput } from './output';
import type { TableSettings } from './settings';
import type { IntentStore, TableRow } from './store';

/** A top-up asked for during a hand: applied at its end, with the key it was asked with. */
export interface PendingTopUp {
  amount: number;
  key: KeyInput;
  /** Its row in seat_intents (so it survives a restart); deleted once applied. */
  intentId: bigint | null;
}

/** The person behind a seat, beside the engine's seat state. */
export interface SeatMeta {
  userId: number;
  username: string;
  seatSessionId: bigint;
  connected: boolean;
  timeBankMs: number;
  /** Hands dealt while this seat sat out, and since when it sits out. */
  sitOutHands: number;
  sitOutSince: number | null;
  /** Asked to leave: cashed out at the hand boundary. */
  leaving: boolean;
  /** Asked to sit out while a settlement was being retried: applied at the boundary. */
  sitOutAfterHand: boolean;
  pendingTopUps: PendingTopUp[];
  /** Restored after a restart: sitting out until the player reconnects, then dealt in again. */
  autoSitIn: boolean;
  /** Seated in the ledger but waiting for the hand boundary to join the engine, with this stack. */
  pendingSit: boolean;
  pendingStack: number;
  /** The player's own contribution to the shuffle (docs/fairness.md), or null. */
  clientSeed: string | null;
  graceTimer: unknown;
}

export interface ActorLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ActorDeps {
  table: TableRow;
  ledger: Ledger;
  clock: Clock;
  settings: TableSettings;
  output: TableOutput;
  intents: IntentStore;
  newSeed: () => Uint8Array;
  log: ActorLog;
  metrics?: ActorMetrics;
  /** Called when the actor cannot go on (stale owner, invariant broken, hand voided): the registry rebuilds it from the database. */
  onFatal: (tableId: number, reason: string) => void;
  /** Called once the table is closed in the ledger: the registry drops the actor. */
  onClosed?: (tableId: number) => void;
  /** All-in equity off the event loop (a worker thread); absent in unit tests. */
  equity?: (input: EquityInput) => Promise<EquityResult | null>;
  /** Whether a hand with this id was settled (looked up in the hand records). */
  handSettled: (tableId: number, handId: string) => Promise<boolean>;
  /** Called after each settled hand, for the lobby statistics. */
  onHandSettled?: (tableId: number, potTotal: number) => void;
}

export interface Caller {
  userId: number;
  username: string;
}
