import type { Db } from '../db/client';
import { reconcile } from '../ledger/reconcile';
import type { DbAuditInput, DbAuditResult } from './run';

// The exact chip audit, for callers with the database at hand (bench:load's
// server process, the integration tests): the ledger's reconcile, and on a
// database where only these bots played these tables,
//   bots' wallets + their open seats + the tables' rake == chips the bots bought.

export async function auditBotsInDb(db: Db, input: DbAuditInput): Promise<DbAuditResult> {
  const report = await reconcile(db);
  const [row] = await db.$queryRawUnsafe<{ wallets: bigint; seats: bigint; open_seats: bigint; rake: bigint; bought: bigint }[]>(
    `SELECT
       (SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind = 'WALLET' AND user_id = ANY($1::int[]))::bigint AS wallets,
       (SELECT COALESCE(sum(a.balance), 0) FROM seat_sessions ss JOIN accounts a ON a.seat_session_id = ss.id
         WHERE ss.user_id = ANY($1::int[]) AND ss.status = 'OPEN')::bigint AS seats,
       (SELECT count(*) FROM seat_sessions WHERE user_id = ANY($1::int[]) AND status = 'OPEN')::bigint AS open_seats,
       (SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind = 'RAKE' AND table_id = ANY($2::int[]))::bigint AS rake,
       (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e
          JOIN ledger_transfers t ON t.id = e.transfer_id
          JOIN accounts a ON a.id = e.account_id
         WHERE t.kind = 'BUY_CHIPS' AND e.side = 'CREDIT' AND a.kind = 'WALLET' AND a.user_id = ANY($1::int[]))::bigint AS bought`,
    input.userIds,
    input.tableIds,
  );
  const r = row!;
  return {
    reconcileOk: report.ok,
    violations: report.violations.map((v) => v.message),
    wallets: r.wallets.toString(),
    openSeats: Number(r.open_seats),
    seatChips: r.seats.toString(),
    rake: r.rake.toString(),
    bought: r.bought.toString(),
    conserved: r.wallets + r.seats + r.rake === r.bought,
  };
}
