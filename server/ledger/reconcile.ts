import { performance } from 'node:perf_hooks';
import type { Db } from '../db/client';
import type { ReconcileReport, Violation } from '../protocol/reconcile';
import { sqlState, type Tx } from './db-helpers';

// Read-only audit of the ledger's invariants (run in one REPEATABLE READ
// snapshot so that concurrent writes cannot produce a false alarm):
//   - the sum of all balances is zero (chips are neither created nor lost);
//   - for every account, the sum of its entries equals its kept balance;
//   - no wallet, seat, pot or rake balance is negative;
//   - every transfer's entries sum to zero, and every transfer has entries
//     (except a cash-out of an empty seat);
//   - every pot is empty between hands;
//   - no seat session is open at a closed table (its chips would be stranded);
//   - the cashier's balance mirrors the chips sold.
//
// Two ways to run it (docs/decisions/013-ledger-cost-flat-as-it-grows.md):
//   - reconcile(): the full check, reading every entry; its time grows with
//     the ledger (about a minute at 10 million entries on a small machine).
//     It also re-proves the latest checkpoint's per-account sums.
//   - reconcileIncremental(): the same invariants, with the history up to the
//     latest checkpoint taken as proven: it reads only the entries and
//     transfers that came after it, plus the (much smaller) accounts table.
//     When clean, it writes a new checkpoint. Suited to an hourly run; the
//     full check stays the reference, for a daily or weekly run.

// The report's shape is the admin API's (GET /api/admin/reconcile), so it lives with the protocol.
export type { ReconcileReport, Violation } from '../protocol/reconcile';

const VIOLATIONS_LISTED_MAX = 100;
/**
 * Longest a reconcile may take, as a transaction and per statement (the app's
 * connections allow 15 s per statement). Hit: the run fails with an error,
 * never with a clean report.
 */
export const RECONCILE_TIMEOUT_MS = 15 * 60_000;
/** Memory per sort or hash of the audit's aggregations, so that they do not spill to disk. */
const RECONCILE_WORK_MEM = '128MB';
/** How long the incremental run waits to freeze the ledger's tail (see ledgerWatermark). */
const WATERMARK_LOCK_TIMEOUT_MS = 2_000;

// ---- full ----------------------------------------------------------------------------

export async function reconcile(db: Db): Promise<ReconcileReport> {
  const started = performance.now();
  return db.$transaction(async (tx) => {
    await beginAudit(tx, 'READ ONLY');
    const [totals] = await tx.$queryRawUnsafe<Totals[]>(TOTALS_SQL, 0, 0, 0, 0, 0);
    const violations = totalsViolations(totals!);
    const [checkpoint] = await tx.$queryRawUnsafe<CheckpointRow[]>(LATEST_CHECKPOINT_SQL);
    await fullAccountCheck(tx, checkpoint?.entry_id_max ?? null, violations);
    await runChecks(tx, [...FULL_TRANSFER_CHECKS, ...STATE_CHECKS], EMPTY_CHECKPOINT, violations);
    return report('full', started, totals!, violations);
  }, { timeout: RECONCILE_TIMEOUT_MS, maxWait: 10_000 });
}

async function beginAudit(tx: Tx, access: 'READ ONLY' | 'READ WRITE'): Promise<void> {
  await tx.$executeRawUnsafe(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, ${access}`);
  await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${RECONCILE_TIMEOUT_MS}`);
  await tx.$executeRawUnsafe(`SET LOCAL work_mem = '${RECONCILE_WORK_MEM}'`);
}

/**
 * Each account's entries against its balance, and, in the same pass, against
 * the latest checkpoint's sums: a checkpoint that no longer matches the log
 * means history below it changed (or the checkpoint did).
 */
async function fullAccountCheck(tx: Tx, checkpointEntryIdMax: bigint | null, violations: Violation[]): Promise<void> {
  const rows = await tx.$queryRawUnsafe<{ id: bigint; code: string; balance: bigint; entries_sum: bigint; at_checkpoint: bigint; stored: bigint | null }[]>(
    `WITH e AS (
       SELECT account_id, sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END) AS net,
              sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END) FILTER (WHERE id <= $1::bigint) AS net_at_checkpoint
         FROM ledger_entries GROUP BY account_id
     )
     SELECT a.id, a.code, a.balance, coalesce(e.net, 0)::bigint AS entries_sum,
            coalesce(e.net_at_checkpoint, 0)::bigint AS at_checkpoint, c.net AS stored
       FROM accounts a
       LEFT JOIN e ON e.account_id = a.id
       LEFT JOIN ledger_checkpoint_accounts c ON c.account_id = a.id
      WHERE a.balance <> coalesce(e.net, 0)
         OR ($2 AND coalesce(e.net_at_checkpoint, 0) <> coalesce(c.net, 0))
      LIMIT ${VIOLATIONS_LISTED_MAX}`,
    (checkpointEntryIdMax ?? 0n).toString(),
    checkpointEntryIdMax !== null,
  );
  for (const r of rows) {
    if (r.balance !== r.entries_sum) violations.push(entriesMismatch(r));
    if (checkpointEntryIdMax !== null && r.at_checkpoint !== (r.stored ?? 0n)) {
      violations.push({
        code: 'checkpoint/mismatch',
        message: `account ${r.code}: entries up to the checkpoint sum to ${r.at_checkpoint} but the checkpoint holds ${r.stored ?? 0}`,
        details: stringify(r),
      });
    }
  }
}

function entriesMismatch(r: { code: string; balance: bigint; entries_sum: bigint }): Violation {
  return {
    code: 'account/entries_mismatch',
    message: `account ${r.code} holds ${r.balance} but its entries sum to ${r.entries_sum}`,
    details: stringify(r),
  };
}

// ---- incremental ---------------------------------------------------------------------

export interface IncrementalOptions {
  /** Write a new checkpoint when the run is clean (default true); false only verifies. */
  checkpoint?: boolean;
}

/**
 * The invariants, verified from the latest checkpoint on (from the start when
 * there is none: the first run is as long as a full one). Reads the entries
 * and transfers after the checkpoint, the accounts, and the checkpoint's sums.
 */
export async function reconcileIncremental(db: Db, options: IncrementalOptions = {}): Promise<ReconcileReport> {
  const started = performance.now();
  const write = options.checkpoint ?? true;
  const mark = write ? await ledgerWatermark(db) : null;
  return db.$transaction(async (tx) => {
    await beginAudit(tx, write ? 'READ WRITE' : 'READ ONLY');
    const [from] = await tx.$queryRawUnsafe<CheckpointRow[]>(LATEST_CHECKPOINT_SQL);
    const base = from ?? EMPTY_CHECKPOINT;
    const params = [base.entry_id_max, base.transfer_id_max, base.entries, base.transfers, base.chips_sold].map(String);
    const [totals] = await tx.$queryRawUnsafe<Totals[]>(TOTALS_SQL, ...params);
    const violations = totalsViolations(totals!);
    // With no checkpoint yet, every transfer is new: the full check's one aggregation beats a probe per transfer.
    const checks = from ? INCREMENTAL_CHECKS : [INCREMENTAL_CHECKS[0]!, ...FULL_TRANSFER_CHECKS];
    await runChecks(tx, [...checks, ...STATE_CHECKS], base, violations);
    const advanced = mark !== null && (mark.entryIdMax > base.entry_id_max || mark.transferIdMax > base.transfer_id_max);
    const writtenId = write && violations.length === 0 && advanced ? await tryWriteCheckpoint(tx, from ?? null, mark!) : null;
    const result = report('incremental', started, totals!, violations);
    result.checkpoint = {
      fromId: from ? from.id.toString() : null,
      fromEntryId: base.entry_id_max.toString(),
      toEntryId: (writtenId !== null ? mark!.entryIdMax : base.entry_id_max).toString(),
      entriesRead: Number(totals!.entries - base.entries),
      writtenId: writtenId?.toString() ?? null,
    };
    return result;
  }, { timeout: RECONCILE_TIMEOUT_MS, maxWait: 10_000 });
}

interface Watermark {
  entryIdMax: bigint;
  transferIdMax: bigint;
}

/**
 * The highest entry and transfer ids below which nothing can still appear.
 * Ids come from sequences when a row is inserted, not when it commits: a
 * transaction still in flight may commit an entry with a lower id than one
 * already visible. SHARE locks on both tables wait for every transaction that
 * is inserting into them (an INSERT holds ROW EXCLUSIVE from before it draws
 * its ids) and hold new ones back, for the few milliseconds of two max(id)
 * look-ups; once granted, every id up to the maxima is final.
 */
async function ledgerWatermark(db: Db): Promise<Watermark> {
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${WATERMARK_LOCK_TIMEOUT_MS}`);
    await tx.$executeRawUnsafe('LOCK TABLE ledger_transfers, ledger_entries IN SHARE MODE');
    const [row] = await tx.$queryRawUnsafe<{ entry_id_max: bigint; transfer_id_max: bigint }[]>(
      `SELECT (SELECT coalesce(max(id), 0) FROM ledger_entries)::bigint AS entry_id_max,
              (SELECT coalesce(max(id), 0) FROM ledger_transfers)::bigint AS transfer_id_max`,
    );
    return { entryIdMax: row!.entry_id_max, transferIdMax: row!.transfer_id_max };
  });
}

/**
 * Another run that extended the same checkpoint first (unique previous_id, or
 * a serialization failure on a sum it also moved) leaves this run's findings
 * true but its checkpoint redundant: it is dropped, the report stands.
 */
async function tryWriteCheckpoint(tx: Tx, from: CheckpointRow | null, mark: Watermark): Promise<bigint | null> {
  await tx.$executeRawUnsafe('SAVEPOINT checkpoint');
  try {
    return await writeCheckpoint(tx, from, mark);
  } catch (error) {
    const state = sqlState(error);
    if (state !== '23505' && state !== '40001') throw error;
    await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT checkpoint');
    return null;
  }
}

/**
 * The new checkpoint extends the latest one: the sums of the accounts whose
 * entries arrived in between are brought forward. previous_id is unique, so
 * of two runs extending the same checkpoint only one can commit.
 */
async function writeCheckpoint(tx: Tx, from: CheckpointRow | null, mark: Watermark): Promise<bigint> {
  const base = from ?? EMPTY_CHECKPOINT;
  const [row] = await tx.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO ledger_checkpoints (previous_id, entry_id_max, transfer_id_max, entries, transfers, chips_sold)
     SELECT $1::bigint, $3::bigint, $5::bigint,
            $6::bigint + (SELECT count(*) FROM ledger_entries WHERE id > $2::bigint AND id <= $3::bigint),
            $7::bigint + (SELECT count(*) FROM ledger_transfers WHERE id > $4::bigint AND id <= $5::bigint),
            $8::bigint + (SELECT coalesce(sum(chips), 0) FROM chip_purchases WHERE transfer_id > $4::bigint AND transfer_id <= $5::bigint)
     RETURNING id`,
    (from?.id ?? 0n).toString(), base.entry_id_max.toString(), mark.entryIdMax.toString(),
    base.transfer_id_max.toString(), mark.transferIdMax.toString(),
    base.entries.toString(), base.transfers.toString(), base.chips_sold.toString(),
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO ledger_checkpoint_accounts (account_id, net, checkpoint_id)
     SELECT account_id, sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END)::bigint, $3::bigint
       FROM ledger_entries WHERE id > $1::bigint AND id <= $2::bigint GROUP BY account_id
     ON CONFLICT (account_id) DO UPDATE
       SET net = ledger_checkpoint_accounts.net + EXCLUDED.net, checkpoint_id = EXCLUDED.checkpoint_id`,
    base.entry_id_max.toString(), mark.entryIdMax.toString(), row!.id.toString(),
  );
  return row!.id;
}

interface CheckpointRow {
  id: bigint;
  entry_id_max: bigint;
  transfer_id_max: bigint;
  entries: bigint;
  transfers: bigint;
  chips_sold: bigint;
}

const EMPTY_CHECKPOINT: CheckpointRow = { id: 0n, entry_id_max: 0n, transfer_id_max: 0n, entries: 0n, transfers: 0n, chips_sold: 0n };

const LATEST_CHECKPOINT_SQL = `SELECT id, entry_id_max, transfer_id_max, entries, transfers, chips_sold
  FROM ledger_checkpoints ORDER BY id DESC LIMIT 1`;

// ---- the checks ------------------------------------------------------------------------

interface Totals {
  accounts: bigint;
  transfers: bigint;
  entries: bigint;
  total_balance: bigint;
  cashier_balance: bigint;
  chips_sold: bigint;
  wallets: bigint;
  seats: bigint;
  pots: bigint;
  rake: bigint;
  adjustments: bigint;
}

// Counts and sums from a checkpoint on ($1 entry id, $2 transfer id, and the
// checkpoint's counts $3, $4 and chips sold $5); the full check passes zeros. The
// accounts are summed by kind in one pass.
const TOTALS_SQL = `
  SELECT $4::bigint + (SELECT count(*) FROM ledger_transfers WHERE id > $2::bigint) AS transfers,
         $3::bigint + (SELECT count(*) FROM ledger_entries WHERE id > $1::bigint) AS entries,
         $5::bigint + (SELECT coalesce(sum(chips), 0)::bigint FROM chip_purchases WHERE transfer_id > $2::bigint) AS chips_sold,
         s.*
    FROM (SELECT count(*) AS accounts,
                 coalesce(sum(balance), 0)::bigint AS total_balance,
                 coalesce(sum(balance) FILTER (WHERE kind = 'CASHIER'), 0)::bigint AS cashier_balance,
                 coalesce(sum(balance) FILTER (WHERE kind = 'WALLET'), 0)::bigint AS wallets,
                 coalesce(sum(balance) FILTER (WHERE kind = 'SEAT'), 0)::bigint AS seats,
                 coalesce(sum(balance) FILTER (WHERE kind = 'POT'), 0)::bigint AS pots,
                 coalesce(sum(balance) FILTER (WHERE kind = 'RAKE'), 0)::bigint AS rake,
                 coalesce(sum(balance) FILTER (WHERE kind = 'ADJUSTMENTS'), 0)::bigint AS adjustments
            FROM accounts) s`;

function totalsViolations(totals: Totals): Violation[] {
  const violations: Violation[] = [];
  if (totals.total_balance !== 0n) {
    violations.push({ code: 'total/nonzero', message: `balances sum to ${totals.total_balance}, not 0` });
  }
  if (totals.cashier_balance !== -totals.chips_sold) {
    violations.push({
      code: 'cashier/mismatch',
      message: `cashier balance ${totals.cashier_balance} does not mirror ${totals.chips_sold} chips sold`,
    });
  }
  return violations;
}

/** A query for the rows that break one invariant; `from`, if any, is bound to $1. */
interface Check {
  code: Violation['code'];
  sql: string;
  describe: (row: Record<string, unknown>) => string;
  from?: 'entry' | 'transfer';
}

async function runChecks(tx: Tx, checks: Check[], from: CheckpointRow, violations: Violation[]): Promise<void> {
  for (const { code, sql, describe, from: bound } of checks) {
    const params = bound === undefined ? [] : [(bound === 'entry' ? from.entry_id_max : from.transfer_id_max).toString()];
    const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(`${sql} LIMIT ${VIOLATIONS_LISTED_MAX}`, ...params);
    for (const row of rows) violations.push({ code, message: describe(row), details: stringify(row) });
  }
}

const NET = `sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END)`;
// A cash-out of an empty seat and a hand with an empty pot move nothing, so they have no entries.
const MAY_HAVE_NO_ENTRIES = `(t.kind = 'CASH_OUT' AND (t.result -> 'amount' ->> '$big') = '0')
        OR (t.kind = 'SETTLE_HAND' AND (t.result -> 'potTotal' ->> '$big') = '0')`;
const describeUnbalanced = (r: Record<string, unknown>) => `transfer ${r.transfer_id} entries sum to ${r.net}`;
const describeNoEntries = (r: Record<string, unknown>) => `transfer ${r.id} (${r.kind}) has no entries`;

const FULL_TRANSFER_CHECKS: Check[] = [
  {
    code: 'transfer/unbalanced',
    sql: `SELECT transfer_id, ${NET}::bigint AS net FROM ledger_entries GROUP BY transfer_id HAVING ${NET} <> 0`,
    describe: describeUnbalanced,
  },
  {
    code: 'transfer/no_entries',
    sql: `SELECT t.id, t.kind::text AS kind FROM ledger_transfers t
           WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transfer_id = t.id) AND NOT (${MAY_HAVE_NO_ENTRIES})`,
    describe: describeNoEntries,
  },
];

// From the checkpoint's entry id ($1): the accounts against the checkpoint's
// sums plus the entries since; every transfer touched since, summed whole
// (its older entries included).
const INCREMENTAL_CHECKS: Check[] = [
  {
    code: 'account/entries_mismatch',
    sql: `WITH d AS (SELECT account_id, ${NET} AS net FROM ledger_entries WHERE id > $1::bigint GROUP BY account_id)
          SELECT a.id, a.code, a.balance, (coalesce(c.net, 0) + coalesce(d.net, 0))::bigint AS entries_sum
            FROM accounts a
            LEFT JOIN ledger_checkpoint_accounts c ON c.account_id = a.id
            LEFT JOIN d ON d.account_id = a.id
           WHERE a.balance <> coalesce(c.net, 0) + coalesce(d.net, 0)`,
    describe: (r) => entriesMismatch(r as { code: string; balance: bigint; entries_sum: bigint }).message,
    from: 'entry',
  },
  {
    code: 'transfer/unbalanced',
    // One index probe per touched transfer. The planner, left to choose, took
    // a merge join over the whole transfer_id index at 10M entries (4.3 s
    // against 0.5 s for 276k new entries): a LATERAL leaves it no such plan.
    sql: `SELECT n.transfer_id, s.net
            FROM (SELECT DISTINCT transfer_id FROM ledger_entries WHERE id > $1::bigint) n
            CROSS JOIN LATERAL (SELECT ${NET}::bigint AS net FROM ledger_entries e WHERE e.transfer_id = n.transfer_id) s
           WHERE s.net <> 0`,
    describe: describeUnbalanced,
    from: 'entry',
  },
  {
    code: 'transfer/no_entries',
    sql: `SELECT t.id, t.kind::text AS kind FROM ledger_transfers t
           WHERE t.id > $1::bigint
             AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transfer_id = t.id) AND NOT (${MAY_HAVE_NO_ENTRIES})`,
    describe: describeNoEntries,
    from: 'transfer',
  },
];

// The current state, the same in both modes (accounts, seats and tables are
// far fewer than entries).
const STATE_CHECKS: Check[] = [
  {
    code: 'account/negative',
    sql: `SELECT id, code, balance FROM accounts WHERE kind NOT IN ('CASHIER', 'ADJUSTMENTS') AND balance < 0`,
    describe: (r) => `account ${r.code} is negative: ${r.balance}`,
  },
  {
    code: 'pot/not_empty',
    sql: `SELECT id, code, balance FROM accounts WHERE kind = 'POT' AND balance <> 0`,
    describe: (r) => `pot ${r.code} holds ${r.balance} outside a settlement`,
  },
  {
    code: 'seat/open_on_closed_table',
    sql: `SELECT ss.id, ss.table_id, ss.user_id, a.balance
            FROM seat_sessions ss JOIN poker_tables pt ON pt.id = ss.table_id
            LEFT JOIN accounts a ON a.seat_session_id = ss.id
           WHERE ss.status = 'OPEN' AND pt.status = 'CLOSED'`,
    describe: (r) => `seat session ${r.id} of user ${r.user_id} is open at closed table ${r.table_id} (holding ${r.balance})`,
  },
];

function report(mode: ReconcileReport['mode'], started: number, totals: Totals, violations: Violation[]): ReconcileReport {
  return {
    ok: violations.length === 0,
    checkedAt: new Date().toISOString(),
    mode,
    durationMs: Math.round(performance.now() - started),
    accounts: Number(totals.accounts),
    transfers: Number(totals.transfers),
    entries: Number(totals.entries),
    totalBalance: totals.total_balance.toString(),
    chipsSold: totals.chips_sold.toString(),
    chipsInWallets: totals.wallets.toString(),
    chipsOnTables: totals.seats.toString(),
    chipsInPots: totals.pots.toString(),
    rakeCollected: totals.rake.toString(),
    chipsAdjusted: (-totals.adjustments).toString(),
    violations,
  };
}

function stringify(row: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]));
}
