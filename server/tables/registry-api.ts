// What the HTTP layer may ask of the tables. Implemented by the table
// registry (server/tables/registry.ts); the HTTP layer never touches actors.
import type { LobbyTable, Result } from '../protocol';
import type { Variant } from '../poker';
import type { WalletAdjustment } from './output';

export interface CreateTableInput {
  name: string;
  variant: Variant;
  maxSeats: number;
  smallBlind: number;
  bigBlind: number;
  ante?: number;
  minBuyIn: number;
  maxBuyIn: number;
  actionTimeoutMs?: number;
  rakeBps?: number;
  rakeCap?: number;
}

export type RegistryResult<T> = Result<T, { code: 'table/not_found' | 'table/closed' | 'table/unavailable' | 'request/invalid'; message: string }>;

export interface TableRegistryApi {
  listLobby(): LobbyTable[];
  createTable(input: CreateTableInput, adminUserId: number): Promise<RegistryResult<LobbyTable>>;
  /**
   * Closes a table: players are cashed out at the end of the current hand, or
   * at once with `now` (the live hand is voided); then the table is CLOSED.
   * `pending`: the table is still finishing its hand.
   */
  closeTable(tableId: number, adminUserId: number, options?: { now?: boolean }): Promise<RegistryResult<{ tableId: number; pending: boolean }>>;
}

/** Pushes to a user's open sockets (wallet balance changes, for example). */
export interface UserNotifier {
  walletChanged(userId: number, balance: bigint, adjustment?: WalletAdjustment): void;
  /** Closes the sockets authenticated by this session (sessions.id): logout. */
  disconnectSession(sessionId: string): void;
  /** Closes every socket of the user: password change. */
  disconnectUser(userId: number): void;
}
