import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, uniqueKey, type TestDatabase } from '../support/db';

// The database's own double-entry guard (check_transfers_balance, an AFTER
// INSERT statement trigger on ledger_entries): every transfer touched by an
// INSERT must balance once the statement ends, counting all of its entries,
// those of earlier statements included. And its cost must not grow with the
// ledger (issue #11): it reads the touched transfers' entries through their
// index, whatever plan the connection cached when the table was small.
//
// Everything here runs inside transactions that are rolled back, except the
// bulk rows of the cost test, which are balanced (each transfer moves chips
// from the adjustments account to itself) and so leave reconcile clean.

let t: TestDatabase;
let client: pg.Client;
let adjustmentsId: string;
let cashierId: string;

beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 2 });
  client = await t.raw();
  const { rows } = await client.query<{ code: string; id: string }>(`SELECT code, id FROM accounts WHERE code IN ('adjustments', 'cashier')`);
  adjustmentsId = rows.find((r) => r.code === 'adjustments')!.id;
  cashierId = rows.find((r) => r.code === 'cashier')!.id;
});
afterAll(async () => {
  await t.close();
});

async function newTransfer(c: pg.Client): Promise<string> {
  const { rows } = await c.query<{ id: string }>(
    `INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, result, key_scope, key_owner_id)
     VALUES ('SETTLE_HAND', $1, 'h', '{}', 'SERVER', 0) RETURNING id`,
    [uniqueKey('trigger')],
  );
  return rows[0]!.id;
}

/** One INSERT statement of the given entries: [transfer, account, side, amount]. */
function insertEntries(c: pg.Client, entries: [string, string, 'DEBIT' | 'CREDIT', number][]) {
  return c.query(
    `INSERT INTO ledger_entries (transfer_id, account_id, side, amount)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::"EntrySide"[], $4::bigint[])`,
    [entries.map((e) => e[0]), entries.map((e) => e[1]), entries.map((e) => e[2]), entries.map((e) => e[3])],
  );
}

/** Runs body in a transaction that is always rolled back, so no balance is left unmatched. */
async function rolledBack<T>(body: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    return await body();
  } finally {
    await client.query('ROLLBACK');
  }
}

describe('check_transfers_balance', () => {
  it('accepts a balanced transfer written in one statement', async () => {
    await rolledBack(async () => {
      const id = await newTransfer(client);
      await insertEntries(client, [[id, cashierId, 'DEBIT', 70], [id, adjustmentsId, 'CREDIT', 50], [id, adjustmentsId, 'CREDIT', 20]]);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE transfer_id = $1`, [id]);
      expect(rows[0].n).toBe(3);
    });
  });

  it('rejects an unbalanced transfer written in one statement, naming it', async () => {
    await rolledBack(async () => {
      const id = await newTransfer(client);
      await expect(insertEntries(client, [[id, cashierId, 'DEBIT', 70], [id, adjustmentsId, 'CREDIT', 69]]))
        .rejects.toThrow(new RegExp(`ledger transfer ${id} does not balance`));
    });
  });

  it('rejects a statement in which one of several transfers does not balance', async () => {
    await rolledBack(async () => {
      const good = await newTransfer(client);
      const bad = await newTransfer(client);
      await expect(insertEntries(client, [
        [good, cashierId, 'DEBIT', 10], [good, adjustmentsId, 'CREDIT', 10],
        [bad, cashierId, 'DEBIT', 10], [bad, adjustmentsId, 'CREDIT', 11],
      ])).rejects.toThrow(new RegExp(`ledger transfer ${bad} does not balance`));
    });
  });

  it('counts the entries of earlier statements: an append that unbalances a transfer is rejected', async () => {
    await rolledBack(async () => {
      const id = await newTransfer(client);
      await insertEntries(client, [[id, cashierId, 'DEBIT', 40], [id, adjustmentsId, 'CREDIT', 40]]);
      await client.query('SAVEPOINT append');
      // Balanced on its own would not be enough: the transfer as a whole is checked.
      await expect(insertEntries(client, [[id, adjustmentsId, 'CREDIT', 5]])).rejects.toThrow(/does not balance/);
      await client.query('ROLLBACK TO SAVEPOINT append');
      // An append that keeps the whole transfer balanced is accepted.
      await insertEntries(client, [[id, cashierId, 'DEBIT', 5], [id, adjustmentsId, 'CREDIT', 5]]);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE transfer_id = $1`, [id]);
      expect(rows[0].n).toBe(4);
    });
  });

  it('is not deferred: a transfer written in two statements fails at the first', async () => {
    await rolledBack(async () => {
      const id = await newTransfer(client);
      await expect(insertEntries(client, [[id, cashierId, 'DEBIT', 8]])).rejects.toThrow(/does not balance/);
    });
  });
});

describe('check_transfers_balance cost', () => {
  // Before migration 20261203120000 the check was one join whose plan each
  // connection made at its first INSERT and then kept: made on an empty
  // table, it scanned all of ledger_entries on every later INSERT.
  it('reads only the touched transfers through the index, on a connection that planned it on a near-empty table', async () => {
    const other = await t.raw();
    // The trap at its worst: statistics that say "tiny", then a plan cached on this connection.
    await other.query('ANALYZE ledger_entries');
    await rolledBack(async () => {
      const id = await newTransfer(client);
      await insertEntries(client, [[id, cashierId, 'DEBIT', 1], [id, adjustmentsId, 'CREDIT', 1]]);
    });
    // The ledger grows, from another connection: 5,000 balanced transfers, 10,000 entries.
    await other.query(`
      WITH tr AS (
        INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, result, key_scope, key_owner_id)
        SELECT 'SETTLE_HAND', 'trigger-cost-' || g || '-' || md5(random()::text), 'h', '{}', 'SERVER', 0 FROM generate_series(1, 5000) g
        RETURNING id
      )
      INSERT INTO ledger_entries (transfer_id, account_id, side, amount)
      SELECT tr.id, $1::bigint, s.side::"EntrySide", 3 FROM tr CROSS JOIN (VALUES ('DEBIT'), ('CREDIT')) s(side)`, [adjustmentsId]);
    const scans = await rolledBack(async () => {
      const id = await newTransfer(client);
      await insertEntries(client, [[id, cashierId, 'DEBIT', 2], [id, adjustmentsId, 'CREDIT', 2]]);
      // This transaction's own scans, the trigger's included (not yet flushed to the cumulative views).
      const { rows } = await client.query<{ seq_scan: string; idx_scan: string }>(
        `SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'ledger_entries'`,
      );
      return rows[0]!;
    });
    expect(Number(scans.seq_scan)).toBe(0);
    expect(Number(scans.idx_scan)).toBeGreaterThanOrEqual(1);
  });
});
