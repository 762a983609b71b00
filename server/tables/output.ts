import type { ChatMessage, EquityFrame, PrivateFrame, TableFrame, TableNotice } from '../protocol/frames';

// Where a table actor's messages go. The Socket.IO layer implements it; unit
// tests record it. Every call is fire-and-forget: sends never block a table.
export interface TableOutput {
  /** The public frame of a step, once for everyone at the table (seated or watching). */
  toTable(tableId: number, frame: TableFrame): void;
  /** The private part of a step for one seated user (all of their sockets), after the public frame. */
  toPlayer(userId: number, frame: PrivateFrame): void;
  /** Chat and all-in equity go to everyone at the table, seated or watching. */
  chat(tableId: number, message: ChatMessage): void;
  equity(tableId: number, frame: EquityFrame): void;
  notice(userId: number, notice: TableNotice): void;
  tableNotice(tableId: number, notice: TableNotice): void;
  /** A user took or gave up a seat: their sockets stop or start getting spectator frames. */
  seatChanged(userId: number, tableId: number, seated: boolean): void;
  /** `adjustment`: an admin's adjustment made the change (the player is told its amount and reason). */
  walletChanged(userId: number, balance: bigint, adjustment?: WalletAdjustment): void;
  /** Whether the user has a socket open now (a rebuilt table deals such players in at once). */
  isConnected?(userId: number): boolean;
  /** How many watch the table without a seat (its spectators room). */
  spectators?(tableId: number): number;
}

/** An admin's adjustment of a wallet, as its owner is told of it. */
export interface WalletAdjustment {
  amount: bigint;
  reason: string;
}
