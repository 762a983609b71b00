import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../db/client';
import { isIdempotencyKey } from '../protocol/messages';
import type { Prisma } from '../db/generated/client';
import { Rollback, fail, type LedgerError, type LedgerResult } from './errors';
import type { ScopedKey } from './keys';

// Plumbing shared by every money function: the transaction wrapper with
// bounded, jittered retries; the idempotency look-up; the one ordered lock of
// balance rows; and the single statement that writes a transfer, its entries
// and the new balances together.

export type Tx = Prisma.TransactionClient;

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long to wait for a pooled connection (default TRANSACTION_MAX_WAIT_MS); then `ledger/busy`. */
  maxWaitMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseDelayMs: 2, maxDelayMs: 250 };
/** How long one money transaction may run before Prisma aborts it. */
export const TRANSACTION_TIMEOUT_MS = 10_000;
/** How long to wait for a pooled connection to start a transaction. */
export const TRANSACTION_MAX_WAIT_MS = 10_000;

// 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available
// (lock_timeout), 57014 query_canceled (statement_timeout).
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03']);
const RETRYABLE_PRISMA_CODES = new Set(['P2034']);

export interface RetryStats {
  retries: number;
}

export async function inTransaction<T>(
  db: Db,
  policy: RetryPolicy,
  body: (tx: Tx) => Promise<LedgerResult<T>>,
  stats?: RetryStats,
): Promise<LedgerResult<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(
        async (tx) => {
          const result = await body(tx);
          if (!result.ok) throw new Rollback(result);
          return result;
        },
        { timeout: TRANSACTION_TIMEOUT_MS, maxWait: policy.maxWaitMs ?? TRANSACTION_MAX_WAIT_MS },
      );
    } catch (error) {
      if (error instanceof Rollback) return error.failure;
      if (isBalanceOutOfRange(error)) return fail('amount/too_large');
      // No connection came free within maxWait: the transaction never began, so
      // nothing was written. That is an answer (busy), not a crash of the caller.
      if (neverStarted(error)) return fail('ledger/busy', { reason: 'no database connection free' });
      if (!isRetryable(error)) throw error;
      if (attempt >= policy.attempts) return fail('ledger/busy', { attempts: attempt });
      if (stats) stats.retries++;
      await sleep(backoffMs(policy, attempt));
    }
  }
}

function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return randomInt(0, Math.max(1, Math.floor(ceiling)) + 1); // full jitter
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * SQLSTATE of a database error, wherever the driver adapter put it. Prisma
 * wraps a failed raw query as P2010 with the PostgreSQL code in
 * meta.driverAdapterError.cause.originalCode; Prisma's own codes (P2xxx) are
 * not SQLSTATEs even though they have five characters too.
 */
export function sqlState(error: unknown): string | undefined {
  const e = error as {
    code?: unknown;
    cause?: { originalCode?: unknown; code?: unknown };
    meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } };
  } | null;
  const candidates = [
    e?.meta?.driverAdapterError?.cause?.originalCode,
    e?.cause?.originalCode,
    e?.cause?.code,
    e?.meta?.code,
    e?.code,
  ];
  for (const code of candidates) {
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^P\d{4}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Prisma did not let the transaction commit: P2024 (no pooled connection in
 * time), P2028 "Unable to start a transaction in the given time" (maxWait), or
 * P2028 for a query or commit on an expired transaction (past `timeout`: Prisma
 * rolled it back and refused to send it). Only these are certain to have
 * written nothing; a connection lost after COMMIT was sent is NOT one of them
 * (its outcome is unknown, so it keeps throwing).
 */
export function neverStarted(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'P2024') return true;
  return e?.code === 'P2028' && /unable to start a transaction|cannot be executed on an expired transaction/i.test(String(e.message ?? ''));
}

/** The database refused a balance beyond ±(2^53 − 1) (accounts_balance_range_check). */
function isBalanceOutOfRange(error: unknown): boolean {
  return sqlState(error) === '23514' && String((error as Error).message ?? '').includes('accounts_balance_range_check');
}

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRYABLE_PRISMA_CODES.has(code)) return true;
  const state = sqlState(error);
  if (state && RETRYABLE_SQLSTATES.has(state)) return true;
  // Two requests with one idempotency key raced: the loser hits the unique
  // index after the winner commits; running again finds the stored result.
  return state === '23505' && String((error as Error).message ?? '').includes('idempotency_key');
}

// Prisma's codes for "the database cannot be reached right now": P1001 can't
// reach, P1002 timed out, P1008 operation timed out, P1017 connection closed,
// P2024 no pooled connection in time, P2028 transaction API error (its
// time-out while the server was unreachable).
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const TRANSIENT_MESSAGE = /connection terminated|can't reach database|timed out fetching a new connection|connection (?:is )?closed|server closed the connection|encountered a connection error/i;

/**
 * Whether an error thrown out of a money function may go away by itself
 * (serialization failure, deadlock, lock time-out, lost or refused
 * connection): then the caller may try again later. Anything else is a bug or
 * a refusal that will repeat, and trying again would only wedge the caller.
 */
export function isTransientDbError(error: unknown): boolean {
  if (isRetryable(error)) return true;
  const e = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown } | null;
  if (typeof e?.code === 'string' && (TRANSIENT_PRISMA_CODES.has(e.code) || TRANSIENT_NODE_CODES.has(e.code))) return true;
  if (typeof e?.cause?.code === 'string' && TRANSIENT_NODE_CODES.has(e.cause.code)) return true;
  const state = sqlState(error);
  // Class 08: connection exception; 57P01-03: the server is shutting down or starting; 53300: too many connections.
  if (state && (state.startsWith('08') || /^57P0[1-3]$/.test(state) || state === '53300')) return true;
  return TRANSIENT_MESSAGE.test(String(e?.message ?? ''));
}

// ---- request hashing and result encoding -------------------------------------

/** Canonical JSON (sorted keys, bigints as strings) of a request, hashed. */
export function requestHash(kind: string, request: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson({ kind, request })).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(`${value}`);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Results are stored as JSON; bigints survive the round trip as {"$big": "..."}. */
export function encodeResult(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? { $big: v.toString() } : v));
}

export function decodeResult<T>(value: unknown): T {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.parse(text, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$big === 'string'
      ? BigInt(v.$big)
      : v,
  ) as T;
}

// ---- idempotency -----------------------------------------------------------

export interface StoredTransfer {
  id: bigint;
  request_hash: string;
  result: unknown;
}

/**
 * The first step of every money function. A stored transfer with the same
 * request hash is the answer (a retry); with another hash it is a misuse.
 */
export function replayOrConflict<T extends object>(
  stored: StoredTransfer | null | undefined,
  hash: string,
): LedgerResult<T & { transferId: bigint; replayed: boolean }> | null {
  if (!stored || stored.id === null) return null;
  if (stored.request_hash !== hash) return fail('idempotency/key_reused');
  return { ok: true, value: { ...decodeResult<T>(stored.result), transferId: stored.id, replayed: true } };
}

/** The stored transfer of a scoped key, if any (the idempotency look-up). */
export const LOOKUP_SQL = `SELECT id, request_hash, result FROM ledger_transfers
  WHERE key_scope = $1::"KeyScope" AND key_owner_id = $2::int AND kind = $3::"TransferKind" AND idempotency_key = $4`;

export function lookupParams(kind: string, key: ScopedKey): unknown[] {
  return [key.scope, key.ownerId, kind, key.key];
}

export async function lookup(tx: Tx, kind: string, key: ScopedKey): Promise<StoredTransfer | null> {
  const rows = await tx.$queryRawUnsafe<StoredTransfer[]>(LOOKUP_SQL, ...lookupParams(kind, key));
  return rows[0] ?? null;
}

export const validKey = isIdempotencyKey;

// ---- locking -----------------------------------------------------------------

export interface LockedAccount {
  id: bigint;
  code: string;
  kind: string;
  balance: bigint;
  user_id: number | null;
  table_id: number | null;
  seat_session_id: bigint | null;
}

/**
 * Locks every balance row the operation touches in ONE statement, in id order,
 * so two operations over the same accounts always queue instead of deadlocking.
 */
export async function lockAccounts(tx: Tx, codes: string[]): Promise<Map<string, LockedAccount>> {
  const rows = await tx.$queryRawUnsafe<LockedAccount[]>(
    `SELECT id, code, kind::text AS kind, balance, user_id, table_id, seat_session_id
       FROM accounts WHERE code = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    codes,
  );
  return new Map(rows.map((row) => [row.code, row]));
}

/**
 * The idempotency look-up and the ordered lock in one round trip, for the hot
 * settlement path. The look-up reads the statement's snapshot: a twin that
 * commits while we wait for the locks is caught later by the write (its
 * compare-and-swap or the key's unique index) and answered from the log.
 */
export async function lookupAndLock(
  tx: Tx,
  kind: string,
  key: ScopedKey,
  codes: string[],
): Promise<{ stored: (StoredTransfer & { hand_id: bigint | null }) | null; accounts: Map<string, LockedAccount> }> {
  const rows = await tx.$queryRawUnsafe<(LockedAccount & { transfer_id: bigint | null; request_hash: string | null; result: unknown; hand_id: bigint | null })[]>(
    `SELECT l.transfer_id, l.request_hash, l.result, l.hand_id,
            a.id, a.code, a.kind, a.balance, a.user_id, a.table_id, a.seat_session_id
       FROM (SELECT t.id AS transfer_id, t.request_hash, t.result, h.id AS hand_id
               FROM (SELECT 1) one
               LEFT JOIN ledger_transfers t
                      ON t.key_scope = $1::"KeyScope" AND t.key_owner_id = $2::int
                     AND t.kind = $3::"TransferKind" AND t.idempotency_key = $4
               LEFT JOIN hands h ON h.transfer_id = t.id) l
       LEFT JOIN LATERAL (
         SELECT id, code, kind::text AS kind, balance, user_id, table_id, seat_session_id
           FROM accounts WHERE code = ANY($5::text[]) ORDER BY id FOR UPDATE
       ) a ON true`,
    ...lookupParams(kind, key),
    codes,
  );
  const first = rows[0];
  const stored = first && first.transfer_id !== null
    ? { id: first.transfer_id, request_hash: first.request_hash!, result: first.result, hand_id: first.hand_id }
    : null;
  const accounts = new Map<string, LockedAccount>();
  for (const row of rows) if (row.id !== null) accounts.set(row.code, row);
  return { stored, accounts };
}

// ---- writing -----------------------------------------------------------------

export interface Posting {
  accountId: bigint;
  /** Positive: CREDIT (balance rises). Negative: DEBIT (balance falls). Never zero. */
  delta: bigint;
}

export interface TransferWrite {
  kind: string;
  key: ScopedKey;
  hash: string;
  actorUserId: number | null;
  reason: string | null;
  tableId: number | null;
  result: unknown;
  postings: Posting[];
}

/**
 * Writes the transfer, its entries and the balances in one statement. The
 * database re-checks what the code already checked: entries positive, the
 * transfer balanced (trigger), user and seat balances not negative (CHECK).
 */
export async function postTransfer(tx: Tx, write: TransferWrite): Promise<bigint> {
  const rows = await tx.$queryRawUnsafe<{ id: bigint }[]>(POST_TRANSFER_SQL, ...transferParams(write));
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('transfer insert returned no id');
  return id;
}

export function transferParams(write: TransferWrite): unknown[] {
  const postings = write.postings.filter((p) => p.delta !== 0n);
  return [
    write.kind,
    write.key.key,
    write.hash,
    write.actorUserId,
    write.reason,
    write.tableId,
    encodeResult(write.result),
    postings.map((p) => p.accountId.toString()),
    postings.map((p) => p.delta.toString()),
    write.key.scope,
    write.key.ownerId,
  ];
}

/** Parameters $1..$11 of transferCtes, in this order. */
export const TRANSFER_PARAMS_COUNT = 11;

/**
 * The CTEs that write a transfer (parameters $1..$11 from transferParams), its
 * entries and the balances. With `gate`, the name of an earlier CTE, the
 * transfer row is inserted once per row of that CTE: an empty gate (a failed
 * compare-and-swap) writes no transfer, hence no entry and no balance.
 */
export function transferCtes(gate?: string): string {
  const values = `$1::"TransferKind", $2, $3, $4::int, $5, $6::int, $7::jsonb, $10::"KeyScope", $11::int`;
  const source = gate === undefined ? `VALUES (${values})` : `SELECT ${values} FROM ${gate}`;
  return `
  tr AS (
    INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, actor_user_id, reason, table_id, result, key_scope, key_owner_id)
    ${source}
    RETURNING id
  ),
  moves AS (
    SELECT m.account_id, m.delta, m.ord
      FROM unnest($8::bigint[], $9::bigint[]) WITH ORDINALITY AS m(account_id, delta, ord)
  ),
  entries AS (
    INSERT INTO ledger_entries (transfer_id, account_id, side, amount)
    SELECT tr.id, m.account_id,
           (CASE WHEN m.delta > 0 THEN 'CREDIT' ELSE 'DEBIT' END)::"EntrySide", abs(m.delta)
      FROM tr CROSS JOIN moves m ORDER BY m.ord
  ),
  balances AS (
    UPDATE accounts a SET balance = a.balance + d.delta
      FROM (SELECT account_id, sum(delta)::bigint AS delta FROM moves GROUP BY account_id) d
     WHERE a.id = d.account_id AND EXISTS (SELECT 1 FROM tr) -- no transfer row, no balance change
    RETURNING a.id
  )`;
}

const POST_TRANSFER_SQL = `WITH ${transferCtes()}
  SELECT tr.id, (SELECT count(*) FROM balances) AS touched FROM tr`;
