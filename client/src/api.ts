import type { PublishedFairness } from '@poker/fairness';
import { ERROR_MESSAGES, isErrorCode, type ErrorBody, type ErrorCode } from '@protocol';

// HTTP calls to /api: JSON in, JSON out, errors as values carrying the
// protocol's closed error codes (so forms can place a message next to a field).

export type Role = 'PLAYER' | 'ADMIN';
export interface User {
  id: number;
  username: string;
  role: Role;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'network',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function messageFor(error: ErrorBody | undefined): string {
  if (!error) return 'Something went wrong.';
  return error.message || (isErrorCode(error.code) ? ERROR_MESSAGES[error.code] : 'Something went wrong.');
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('network', 'Cannot reach the server.', 0);
  }
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    // not JSON: handled below
  }
  const data = parsed as ({ ok: true } & T) | { ok: false; error: ErrorBody } | null;
  if (!data || data.ok !== true) {
    const error = data && data.ok === false ? data.error : undefined;
    const code = error && isErrorCode(error.code) ? error.code : 'internal';
    throw new ApiError(code, messageFor(error), response.status);
  }
  return data;
}

/** A fresh idempotency key for one money request; reuse it when retrying that request. */
export function newIdempotencyKey(prefix: string): string {
  const random = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${Date.now().toString(36)}-${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A chat line's id (`table:chat`'s `chatId`): random only. The table shows it to everyone who
 * reads the line, so unlike an idempotency key it carries no clock of the sender's.
 */
export function newChatId(): string {
  return `c-${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// ---- typed endpoints ------------------------------------------------------------------

export interface WalletResponse {
  balance: number;
  seats: { tableId: number; seatSessionId: string; seatIndex: number; stack: number }[];
  /** What one purchase may be (the server's CHIP_PURCHASE_MIN/MAX_CENTS) and what a dollar buys. */
  purchase?: PurchaseRange;
}

export interface PurchaseRange {
  minCents: number;
  maxCents: number;
  chipsPerUsd: number;
}

export interface WalletHistoryItem {
  transferId: string;
  kind: string;
  amount: number;
  balanceAfter: number;
  reason: string | null;
  tableId: number | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface MyHand {
  handId: string;
  tableId: number;
  tableName: string;
  handNumber: number;
  seatIndex: number;
  /** The pot played for (an uncalled bet given back is not in it). */
  pot: number;
  /** What the ledger moved: a returned uncalled bet counts in it. */
  potTotal: number;
  rake: number;
  contributed: number;
  won: number;
  net: number;
  createdAt: string;
}

export interface HandDetail {
  handId: string;
  tableId: number;
  tableName: string;
  handNumber: number;
  createdAt: string;
  /** The pot played for (an uncalled bet given back is not in it). */
  pot: number;
  /** What the ledger moved: a returned uncalled bet counts in it. */
  potTotal: number;
  rake: number;
  /** Commitments, public openings, your own openings, and the seed once revealed (docs/fairness.md). */
  fairness: PublishedFairness;
  players: { seatIndex: number; userId: number; username: string; contributed: number; won: number }[];
  record: {
    handId: string;
    variant: string;
    dealtSeats: number[];
    shownSeats: number[];
    board: string[];
    holeCards: Record<string, string[]>;
    pokerstars?: string;
  };
  yourSeats: number[];
}

export interface AdminUser {
  id: number;
  username: string;
  role: Role;
  isBot: boolean;
  createdAt: string;
  walletBalance: number;
}

export interface AdminTransfer {
  transferId: string;
  kind: string;
  actorUserId: number | null;
  actorUsername: string | null;
  reason: string | null;
  tableId: number | null;
  /** CLIENT: the actor's own key; SERVER: a key the server made. */
  keyScope: 'CLIENT' | 'SERVER';
  idempotencyKey: string;
  createdAt: string;
  entries: { accountCode: string; side: 'DEBIT' | 'CREDIT'; amount: number }[];
}

/** A row of the admins' audit trail (GET /api/admin/actions). */
export interface AdminAction {
  id: string;
  adminUserId: number;
  adminUsername: string;
  /** `chips.adjust`, `table.create`, `table.close` (others may come: shown as they are). */
  action: string;
  targetType: string;
  targetId: string;
  /** What the action recorded: an adjustment's transferId, amount, reason; a table's settings; a close's `now`. */
  details: unknown;
  createdAt: string;
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}
