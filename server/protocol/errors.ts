// The closed set of error codes a client can receive in an acknowledgement or
// an HTTP error body: { ok: false, error: { code, message } }. Engine rejections
// and ledger errors are part of it, so a client needs only this map.
import { REJECTION_MESSAGES, type RejectionCode } from '../poker/rejections';

export const PROTOCOL_ERROR_MESSAGES = {
  'request/invalid': 'The request is malformed.',
  'request/too_large': 'The request is too large.',
  'request/unknown_event': 'Unknown message type.',
  'auth/required': 'You need to log in to do that.',
  'auth/forbidden': 'You are not allowed to do that.',
  'auth/invalid_credentials': 'Wrong username or password.',
  'auth/username_taken': 'That username is taken.',
  'auth/username_lookalike': 'That username reads too much like another player\'s (0 reads as o, 1 as l, rn as m, vv as w, cl as d).',
  'auth/weak_password': 'The password must be 8 to 200 characters.',
  'auth/invalid_username': 'Usernames are 3 to 24 letters, digits, "_" or "-".',
  'rate/limited': 'Too many requests; slow down.',
  'table/not_found': 'No such table.',
  'table/closed': 'The table is closed.',
  'table/busy': 'The table is busy; try again.',
  'table/paused': 'The table is paused while a settlement is retried.',
  'table/not_seated': 'You are not seated at this table.',
  'table/already_seated': 'You are already seated at this table.',
  'table/spectators_full': 'The table has too many spectators.',
  'table/not_watching': 'Watch the table before chatting there.',
  'table/leave_pending': 'You are leaving this table at the end of the hand.',
  'table/unavailable': 'The server running this table is not answering; try again in a moment.',
  'seat/reserved': 'That seat is held for a player from the waiting list.',
  'seat/no_post': 'You have no blind to post: you are dealt in already, or your stack cannot cover what you owe.',
  'waitlist/already_waiting': 'You are already on the waiting list of this table.',
  'waitlist/not_waiting': 'You are not on the waiting list of this table, and no seat is held for you.',
  'waitlist/seat_free': 'A seat is free at this table: take it instead of waiting.',
  'waitlist/full': 'The waiting list of this table is full.',
  'hand/not_found': 'No such hand.',
  'internal': 'Something went wrong on our side.',
} as const;

/** Errors of the ledger (server/ledger/transactions.ts), which clients also receive. */
export const LEDGER_ERROR_MESSAGES = {
  'amount/invalid': 'The amount must be a positive whole number of chips.',
  'amount/too_large': 'The amount would take a balance beyond 9,007,199,254,740,991 chips.',
  'funds/insufficient': 'Not enough chips in the account.',
  'buyin/below_min': "The buy-in is below the table's minimum.",
  'buyin/above_max': "The buy-in is above the table's maximum.",
  'buyin/returning':
    'You left this table less than two hours ago: come back with at least the chips you left with (or all your chips, if that is at least 90% of them).',
  'topup/above_max': "The top-up would take the stack above the table's maximum buy-in.",
  'purchase/out_of_range': 'The purchase amount is outside the allowed range.',
  'purchase/fractional_chips': 'The amount does not buy a whole number of chips.',
  'purchase/currency_unsupported': 'Chips can only be bought in USD.',
  'idempotency/key_reused': 'This idempotency key was already used for a different request.',
  'idempotency/key_invalid': 'The idempotency key must be 1 to 200 printable characters.',
  'user/not_found': 'No such user.',
  'table/not_found': 'No such table.',
  'table/closed': 'The table is closed.',
  'seat/invalid': 'No such seat at this table.',
  'seat/taken': 'That seat is taken.',
  'seat/already_seated': 'You already have a seat at this table.',
  'seat/not_found': 'No such seat session.',
  'seat/closed': 'The seat session is already closed.',
  'table/not_empty': 'The table still has open seats or chips in its pot.',
  'settle/stale': 'The hand number or owner epoch is stale: another owner or settlement got there first.',
  'table/not_owner': 'This table is now run by another server; reconnect to play on.',
  'settle/unbalanced': 'Contributions must equal winnings plus rake.',
  'settle/invalid': 'The settlement does not match the seats at the table.',
  'adjust/reason_required': 'An adjustment needs a reason.',
  'adjust/negative_wallet': 'The adjustment would make the wallet negative.',
  'adjust/house_limit':
    "The house's adjustments account would pass 9,007,199,254,740,991 chips (all adjustments ever made, added up); no more can be granted this way until wallets are debited.",
  'ledger/busy': 'The ledger is busy; the operation was retried and gave up. Try again.',
  'ledger/late': 'The request was no longer awaited when it could be committed; nothing was changed. Try again.',
} as const;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_MESSAGES;
export type LedgerErrorCodeForClients = keyof typeof LEDGER_ERROR_MESSAGES;
export type ErrorCode = ProtocolErrorCode | LedgerErrorCodeForClients | RejectionCode;

export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  ...REJECTION_MESSAGES,
  ...LEDGER_ERROR_MESSAGES,
  ...PROTOCOL_ERROR_MESSAGES,
};

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Figures a client can show or act on, for the codes that have them (`buyin/*`: the amounts, as decimal strings, and times). */
  details?: Record<string, string>;
}

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

/**
 * The one result shape of the server's layers (the ledger, the table
 * registry): a value, or an error with a code from this file's closed set.
 * On the wire it becomes an Ack. The engine's `apply` keeps its
 * own `{ ok, state, events } | { ok: false, rejection }`: it is the public API
 * of the rules and its replays.
 */
export type Result<T, E extends { code: string; message: string } = ErrorBody> = { ok: true; value: T } | { ok: false; error: E };


export function errorAck(code: ErrorCode, message?: string, details?: Record<string, string>): { ok: false; error: ErrorBody } {
  return { ok: false, error: { code, message: message ?? ERROR_MESSAGES[code], ...(details ? { details } : {}) } };
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_MESSAGES, code);
}

/**
 * Ledger codes that clients receive under the protocol's own name: the same
 * failure has one code on every transport (socket acks and HTTP bodies).
 */
const CLIENT_CODE_OF: Partial<Record<LedgerErrorCodeForClients, ErrorCode>> = {
  'seat/already_seated': 'table/already_seated',
  // Only a forwarded table command sets a commit deadline; its sender answered this by then.
  'ledger/late': 'table/unavailable',
};

/** The code a client receives for a ledger or protocol failure. */
export function clientCode(code: ErrorCode): ErrorCode {
  return CLIENT_CODE_OF[code as LedgerErrorCodeForClients] ?? code;
}

const HTTP_STATUS_OF: Partial<Record<ErrorCode, number>> = {
  'auth/required': 401,
  'auth/invalid_credentials': 401,
  'auth/forbidden': 403,
  'request/too_large': 413,
  'rate/limited': 429,
  'ledger/busy': 503,
  'ledger/late': 503,
  'table/busy': 503,
  'table/unavailable': 503,
  internal: 500,
  'funds/insufficient': 409,
  'adjust/negative_wallet': 409,
  'adjust/house_limit': 409,
  'amount/too_large': 409,
  'idempotency/key_reused': 409,
  'seat/taken': 409,
  'seat/reserved': 409,
  'seat/already_seated': 409,
  'table/already_seated': 409,
  'seat/closed': 409,
  'table/closed': 409,
  'table/not_empty': 409,
  'settle/stale': 409,
  'table/not_owner': 409,
  'auth/username_taken': 409,
  'auth/username_lookalike': 409,
};

/** The HTTP status of an error code (one mapping for every route): 404 for `*\/not_found`, else 400 unless listed. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS_OF[code] ?? (code.endsWith('/not_found') ? 404 : 400);
}
