// Errors a caller can act on are values with a code from a closed set, never
// raw database errors. The message map is exhaustive: adding a code without a
// message does not compile.

export const LEDGER_ERROR_MESSAGES = {
  'amount/invalid': 'The amount must be a positive whole number of chips.',
  'funds/insufficient': 'Not enough chips in the account.',
  'buyin/below_min': "The buy-in is below the table's minimum.",
  'buyin/above_max': "The buy-in is above the table's maximum.",
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
  'settle/stale': 'The hand number or owner epoch is stale: another owner or settlement got there first.',
  'settle/unbalanced': 'Contributions must equal winnings plus rake.',
  'settle/invalid': 'The settlement does not match the seats at the table.',
  'adjust/reason_required': 'An adjustment needs a reason.',
  'adjust/negative_wallet': 'The adjustment would make the wallet negative.',
  'ledger/busy': 'The ledger is busy; the operation was retried and gave up. Try again.',
} as const;

export type LedgerErrorCode = keyof typeof LEDGER_ERROR_MESSAGES;

export interface LedgerError {
  code: LedgerErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type LedgerResult<T> = { ok: true; value: T } | { ok: false; error: LedgerError };

export function fail(code: LedgerErrorCode, details?: Record<string, unknown>): { ok: false; error: LedgerError } {
  return { ok: false, error: { code, message: LEDGER_ERROR_MESSAGES[code], ...(details ? { details } : {}) } };
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/**
 * Thrown inside a transaction to roll it back with a typed error; caught by the
 * transaction wrapper and turned back into a value. Never escapes the ledger.
 */
export class Rollback extends Error {
  constructor(readonly failure: { ok: false; error: LedgerError }) {
    super(failure.error.code);
  }
}
