import type { Db } from '../db/client';

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

export interface Violation {
  code:
    | 'total/nonzero'
    | 'account/entries_mismatch'
    | 'account/negative'
    | 'transfer/unbalanced'
    | 'transfer/no_entries'
    | 'pot/not_empty'
    | 'seat/open_on_closed_table'
    | 'cashier/mismatch';
  message: string;
  details?: Record<string, string>;
}

export interface ReconcileReport {
  ok: boolean;
  checkedAt: string;
  accounts: number;
  transfers: number;
  entries: number;
  totalBalance: string;
  chipsSold: string;
  chipsInWallets: string;
  chipsOnTables: string;
  rakeCollected: string;
  violations: Violation[];
}

const VIOLATIONS_LISTED_MAX = 100;

export async function reconcile(db: Db): Promise<ReconcileReport> {
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const [totals] = await tx.$queryRawUnsafe<Totals[]>(TOTALS_SQL);
    const violations: Violation[] = [];
    if (totals!.total_balance !== 0n) {
      violations.push({ code: 'total/nonzero', message: `balances sum to ${totals!.total_balance}, not 0` });
    }
    if (totals!.cashier_balance !== -totals!.chips_sold) {
      violations.push({
        code: 'cashier/mismatch',
        message: `cashier balance ${totals!.cashier_balance} does not mirror ${totals!.chips_sold} chips sold`,
      });
    }
    for (const [code, sql, describe] of ROW_CHECKS) {
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(`${sql} LIMIT ${VIOLATIONS_LISTED_MAX}`);
      for (const row of rows) violations.push({ code, message: describe(row), details: stringify(row) });
    }
    return {
      ok: violations.length === 0,
      checkedAt: new Date().toISOString(),
      accounts: Number(totals!.accounts),
      transfers: Number(totals!.transfers),
      entries: Number(totals!.entries),
      totalBalance: totals!.total_balance.toString(),
      chipsSold: totals!.chips_sold.toString(),
      chipsInWallets: totals!.wallets.toString(),
      chipsOnTables: totals!.seats.toString(),
      rakeCollected: totals!.rake.toString(),
      violations,
    };
  }, { timeout: 120_000, maxWait: 10_000 });
}

interface Totals {
  accounts: bigint;
  transfers: bigint;
  entries: bigint;
  total_balance: bigint;
  cashier_balance: bigint;
  chips_sold: bigint;
  wallets: bigint;
  seats: bigint;
  rake: bigint;
}

const TOTALS_SQL = `
  SELECT (SELECT count(*) FROM accounts) AS accounts,
         (SELECT count(*) FROM ledger_transfers) AS transfers,
         (SELECT count(*) FROM ledger_entries) AS entries,
         (SELECT coalesce(sum(balance), 0)::bigint FROM accounts) AS total_balance,
         (SELECT coalesce(sum(balance), 0)::bigint FROM accounts WHERE kind = 'CASHIER') AS cashier_balance,
         (SELECT coalesce(sum(chips), 0)::bigint FROM chip_purchases) AS chips_sold,
         (SELECT coalesce(sum(balance), 0)::bigint FROM accounts WHERE kind = 'WALLET') AS wallets,
         (SELECT coalesce(sum(balance), 0)::bigint FROM accounts WHERE kind = 'SEAT') AS seats,
         (SELECT coalesce(sum(balance), 0)::bigint FROM accounts WHERE kind = 'RAKE') AS rake`;

type RowCheck = [Violation['code'], string, (row: Record<string, unknown>) => string];

const ROW_CHECKS: RowCheck[] = [
  [
    'account/entries_mismatch',
    `SELECT a.id, a.code, a.balance, coalesce(e.net, 0)::bigint AS entries_sum
       FROM accounts a
       LEFT JOIN (SELECT account_id, sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END) AS net
                    FROM ledger_entries GROUP BY account_id) e ON e.account_id = a.id
      WHERE a.balance <> coalesce(e.net, 0)`,
    (r) => `account ${r.code} holds ${r.balance} but its entries sum to ${r.entries_sum}`,
  ],
  [
    'account/negative',
    `SELECT id, code, balance FROM accounts WHERE kind NOT IN ('CASHIER', 'ADJUSTMENTS') AND balance < 0`,
    (r) => `account ${r.code} is negative: ${r.balance}`,
  ],
  [
    'transfer/unbalanced',
    `SELECT transfer_id, sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END)::bigint AS net
       FROM ledger_entries GROUP BY transfer_id
     HAVING sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END) <> 0`,
    (r) => `transfer ${r.transfer_id} entries sum to ${r.net}`,
  ],
  [
    'transfer/no_entries',
    `SELECT t.id, t.kind::text AS kind FROM ledger_transfers t
      WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transfer_id = t.id)
        AND NOT (t.kind = 'CASH_OUT' AND (t.result -> 'amount' ->> '$big') = '0')
        AND NOT (t.kind = 'SETTLE_HAND' AND (t.result -> 'potTotal' ->> '$big') = '0')`,
    (r) => `transfer ${r.id} (${r.kind}) has no entries`,
  ],
  [
    'pot/not_empty',
    `SELECT id, code, balance FROM accounts WHERE kind = 'POT' AND balance <> 0`,
    (r) => `pot ${r.code} holds ${r.balance} outside a settlement`,
  ],
  [
    'seat/open_on_closed_table',
    `SELECT ss.id, ss.table_id, ss.user_id, a.balance
       FROM seat_sessions ss JOIN poker_tables pt ON pt.id = ss.table_id
       LEFT JOIN accounts a ON a.seat_session_id = ss.id
      WHERE ss.status = 'OPEN' AND pt.status = 'CLOSED'`,
    (r) => `seat session ${r.id} of user ${r.user_id} is open at closed table ${r.table_id} (holding ${r.balance})`,
  ],
];

function stringify(row: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]));
}
