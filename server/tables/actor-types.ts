// The table actor's dependencies, in their own module so that the actor's
// helpers (settle.ts, seats.ts, ...) never import the actor.
import type { EquityInput, EquityResult } from '../poker/equity';
import type { Ledger } from '../ledger/transactions';
import type { Clock } from './clock';
import type { ActorMetrics } from './metrics-api';
import type { TableOutput } from './output';
import type { TableSettings } from './settings';
import type { IntentStore, TableRow } from './store';

/**
 * Why an actor stopped: `invariant` when its memory and the ledger (or the engine) disagreed,
 * a bug; `owner_lost` when another node claimed the table; `error` for a command or a
 * settlement that failed.
 */
export const FATAL_CAUSES = ['invariant', 'owner_lost', 'error'] as const;
export type FatalCause = (typeof FATAL_CAUSES)[number];

export interface ActorLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ActorDeps {
  table: TableRow;
  ledger: Ledger;
  clock: Clock;
  /**
   * The wall clock (epoch ms) a forwarded command's deadline is compared with: the deadline is
   * another node's wall clock, which `clock` (the actor's timers, a manual clock in tests) is not.
   */
  wallNow: () => number;
  settings: TableSettings;
  output: TableOutput;
  intents: IntentStore;
  newSeed: () => Uint8Array;
  log: ActorLog;
  metrics?: ActorMetrics;
  /** Called when the actor cannot go on (stale owner, invariant broken, hand voided): the registry rebuilds it from the database. */
  onFatal: (tableId: number, reason: string, cause: FatalCause) => void;
  /** Called once the table is closed in the ledger: the registry drops the actor. */
  onClosed?: (tableId: number) => void;
  /** All-in equity off the event loop (a worker thread); absent in unit tests. */
  equity?: (input: EquityInput) => Promise<EquityResult | null>;
  /** Whether a hand with this id was settled (looked up in the hand records). */
  handSettled: (tableId: number, handNumber: bigint, handId: string) => Promise<boolean>;
  /** Called after each settled hand, for the lobby statistics; `pot` is the pot played for (what went in, less any uncalled bet given back). */
  onHandSettled?: (tableId: number, pot: number) => void;
  /** Called when a lobby-visible number other than the hand statistics changed (seats taken, players waiting). */
  onLobbyChanged?: () => void;
}

export interface Caller {
  userId: number;
  username: string;
}
