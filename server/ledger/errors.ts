import { LEDGER_ERROR_MESSAGES, type Result } from '../protocol/errors';

// Errors a caller can act on are values with a code from a closed set, never
// raw database errors. The message map is exhaustive: adding a code without a
// message does not compile.

// The messages live with the protocol's error codes (one map for clients and ledger).
export { LEDGER_ERROR_MESSAGES };

export type LedgerErrorCode = keyof typeof LEDGER_ERROR_MESSAGES;

export interface LedgerError {
  code: LedgerErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type LedgerResult<T> = Result<T, LedgerError>;

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
