import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefillLedger } from '../../bench/prefill';
import { storedServerKey } from '../../server/ledger/keys';
import { reconcile, reconcileIncremental, type ReconcileReport } from '../../server/ledger/reconcile';
import { createTestDatabase, seedTable, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// The incremental reconcile (issue #11) against the full one, on real
// PostgreSQL: on a ledger pre-filled set-based (as the benchmark does), after
// more money moved through the ledger, with violations slipped in behind the
// ledger's back (as superuser, triggers off; each is undone afterwards, so
// that the run's final audit stays clean), and with checkpoints taken while
// transactions are in flight.

const PREFILL_ENTRIES = 20_000;

let t: TestDatabase;
let admin: pg.Client;
let prefilled = 0;

beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 12 });
  admin = await t.raw();
  prefilled = (await prefillLedger(t.url, PREFILL_ENTRIES)).entriesAfter;
});
afterAll(async () => {
  await t.close();
});

const codes = (r: ReconcileReport) => [...new Set(r.violations.map((v) => v.code))].sort();
const totals = (r: ReconcileReport) => ({
  accounts: r.accounts, transfers: r.transfers, entries: r.entries, totalBalance: r.totalBalance, chipsSold: r.chipsSold,
  chipsInWallets: r.chipsInWallets, chipsOnTables: r.chipsOnTables, rakeCollected: r.rakeCollected,
  chipsInPots: r.chipsInPots, chipsAdjusted: r.chipsAdjusted,
});

async function entryIdMax(): Promise<bigint> {
  const { rows } = await admin.query<{ id: string }>('SELECT coalesce(max(id), 0) AS id FROM ledger_entries');
  return BigInt(rows[0]!.id);
}

/** Money through the ledger: purchases, a seated table, `hands` settlements, a cash-out. */
async function moveMoney(hands: number): Promise<void> {
  const table = await seedTable(t.db, { maxBuyIn: 100_000n });
  const users = await seedUsers(t.db, 3, 'scale');
  const seats = [];
  for (const [seatIndex, userId] of users.entries()) {
    expect((await t.ledger.buyChips({ userId, amountCents: 50_000n, idempotencyKey: uniqueKey('buy') })).ok).toBe(true);
    const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex, amount: 40_000n, idempotencyKey: uniqueKey('sit') });
    if (!seated.ok) throw new Error(seated.error.code);
    seats.push({ seatSessionId: seated.value.seatSessionId, userId, seatIndex });
  }
  for (let hand = 1; hand <= hands; hand++) {
    const winner = hand % seats.length;
    const settled = await t.ledger.settleHand({
      tableId: table.id, handNumber: BigInt(hand), ownerEpoch: 0n, rake: 1n, commitment: 'c', seed: 's', record: { hand },
      seats: seats.map((s, i) => ({ ...s, contributed: 10n, won: i === winner ? 29n : 0n })),
    });
    expect(settled.ok).toBe(true);
  }
  expect((await t.ledger.cashOut({ seatSessionId: seats[0]!.seatSessionId, idempotencyKey: storedServerKey(uniqueKey('out')) })).ok).toBe(true);
}

/** Runs `body` on a connection whose triggers are off (superuser): a corruption the ledger itself could never write. */
async function behindTheLedgersBack<T>(body: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await t.raw();
  await c.query('SET session_replication_role = replica');
  try {
    return await body(c);
  } finally {
    await c.query('SET session_replication_role = origin');
  }
}

describe('incremental reconcile', () => {
  it('after a set-based prefill, the full check is clean and the first incremental run agrees with it', async () => {
    expect(prefilled).toBeGreaterThanOrEqual(PREFILL_ENTRIES);
    const full = await reconcile(t.db);
    expect(full.violations).toEqual([]);
    expect(full.entries).toBe(prefilled);
    const first = await reconcileIncremental(t.db);
    expect(first.violations).toEqual([]);
    expect(first.checkpoint).toMatchObject({ fromId: null, fromEntryId: '0', entriesRead: prefilled });
    expect(first.checkpoint!.writtenId).not.toBeNull();
    expect(totals(first)).toEqual(totals(full));
  });

  it('later reads only the entries after the checkpoint, and agrees with the full check', async () => {
    const before = await reconcileIncremental(t.db);
    const from = await entryIdMax();
    expect(before.checkpoint!.toEntryId).toBe(from.toString());
    await moveMoney(5);
    const added = Number((await entryIdMax()) - from);
    expect(added).toBeGreaterThan(20);
    const next = await reconcileIncremental(t.db);
    expect(next.violations).toEqual([]);
    expect(next.checkpoint).toMatchObject({ fromEntryId: from.toString(), entriesRead: added, toEntryId: (from + BigInt(added)).toString() });
    const full = await reconcile(t.db); // also re-proves the checkpoint's sums against the log
    expect(full.violations).toEqual([]);
    expect(totals(next)).toEqual(totals(full));
  });

  it('finds an unbalanced entry slipped in after the checkpoint, as the full check does, and writes no checkpoint', async () => {
    await reconcileIncremental(t.db);
    const { rows: [victim] } = await admin.query<{ id: string; transfer_id: string; account_id: string }>(
      `SELECT id, transfer_id, account_id FROM ledger_entries WHERE side = 'CREDIT' ORDER BY id DESC LIMIT 1`,
    );
    const bad = await behindTheLedgersBack(async (c) => (await c.query<{ id: string }>(
      `INSERT INTO ledger_entries (transfer_id, account_id, side, amount) VALUES ($1, $2, 'CREDIT', 7) RETURNING id`,
      [victim!.transfer_id, victim!.account_id],
    )).rows[0]!.id);
    try {
      const checkpointsBefore = await checkpointCount();
      const incremental = await reconcileIncremental(t.db);
      const full = await reconcile(t.db);
      expect(codes(incremental)).toEqual(['account/entries_mismatch', 'transfer/unbalanced']);
      expect(codes(full)).toEqual(codes(incremental));
      expect(incremental.violations.find((v) => v.code === 'transfer/unbalanced')!.message).toContain(`transfer ${victim!.transfer_id} entries sum to 7`);
      expect(incremental.checkpoint!.writtenId).toBeNull();
      expect(await checkpointCount()).toBe(checkpointsBefore);
    } finally {
      await behindTheLedgersBack((c) => c.query('DELETE FROM ledger_entries WHERE id = $1', [bad]));
    }
    expect((await reconcileIncremental(t.db)).violations).toEqual([]);
  });

  it('finds a balance changed without an entry after the checkpoint, as the full check does', async () => {
    await reconcileIncremental(t.db);
    const { rows: [wallet] } = await admin.query<{ id: string }>(`SELECT id FROM accounts WHERE kind = 'WALLET' ORDER BY id LIMIT 1`);
    await admin.query('UPDATE accounts SET balance = balance + 5 WHERE id = $1', [wallet!.id]);
    try {
      const incremental = await reconcileIncremental(t.db, { checkpoint: false });
      const full = await reconcile(t.db);
      expect(codes(incremental)).toEqual(['account/entries_mismatch', 'total/nonzero']);
      expect(codes(full)).toEqual(codes(incremental));
    } finally {
      await admin.query('UPDATE accounts SET balance = balance - 5 WHERE id = $1', [wallet!.id]);
    }
  });

  it('the full check re-proves the checkpoint: history rewritten below it is found', async () => {
    await moveMoney(2);
    const clean = await reconcileIncremental(t.db);
    expect(clean.checkpoint!.writtenId).not.toBeNull();
    // The incremental run takes the history below its checkpoint as proven; the full one does not.
    const old = await behindTheLedgersBack(async (c) => (await c.query<{ id: string }>(
      `UPDATE ledger_entries SET amount = amount + 1 WHERE id = (SELECT min(id) FROM ledger_entries WHERE side = 'CREDIT') RETURNING id`,
    )).rows[0]!.id);
    try {
      const full = await reconcile(t.db);
      expect(codes(full)).toEqual(['account/entries_mismatch', 'checkpoint/mismatch', 'transfer/unbalanced']);
    } finally {
      await behindTheLedgersBack((c) => c.query('UPDATE ledger_entries SET amount = amount - 1 WHERE id = $1', [old]));
    }
    expect((await reconcile(t.db)).violations).toEqual([]);
  });

  it('waits for transactions still inserting before it fixes a checkpoint, so no late entry falls below it', async () => {
    await reconcileIncremental(t.db);
    const { rows: [adjustments] } = await admin.query<{ id: string }>(`SELECT id FROM accounts WHERE code = 'adjustments'`);
    const { rows: [wallet] } = await admin.query<{ id: string }>(`SELECT id FROM accounts WHERE kind = 'WALLET' ORDER BY id DESC LIMIT 1`);
    const slow = await t.raw();
    await slow.query('BEGIN');
    // 9 chips from the adjustments account to a wallet, written like the ledger writes, ids drawn now, committed later.
    const { rows: [transfer] } = await slow.query<{ id: string }>(
      `INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, result, key_scope, key_owner_id)
       VALUES ('SETTLE_HAND', $1, 'h', '{}', 'SERVER', 0) RETURNING id`, [uniqueKey('late')]);
    const { rows: late } = await slow.query<{ id: string }>(
      `INSERT INTO ledger_entries (transfer_id, account_id, side, amount) VALUES ($1, $2, 'DEBIT', 9), ($1, $3, 'CREDIT', 9) RETURNING id`,
      [transfer!.id, adjustments!.id, wallet!.id]);
    await slow.query(`UPDATE accounts SET balance = balance + CASE WHEN id = $1 THEN -9 ELSE 9 END WHERE id IN ($1, $2)`, [adjustments!.id, wallet!.id]);
    await moveMoney(1); // committed entries with higher ids than the slow transaction's
    let settled = false;
    const running = reconcileIncremental(t.db).finally(() => { settled = true; });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(settled).toBe(false); // held until the slow transaction ends
    await slow.query('COMMIT');
    const report = await running;
    expect(report.violations).toEqual([]);
    expect(BigInt(report.checkpoint!.toEntryId)).toBeGreaterThanOrEqual(BigInt(late[1]!.id));
    expect((await reconcileIncremental(t.db)).violations).toEqual([]);
    expect((await reconcile(t.db)).violations).toEqual([]);
  });

  it('agrees with the full check when checkpoints are taken while money moves, two at a time', async () => {
    const moving = Promise.all([moveMoney(12), moveMoney(12), moveMoney(12)]);
    const runs: ReconcileReport[] = [];
    for (let i = 0; i < 3; i++) runs.push(...(await Promise.all([reconcileIncremental(t.db), reconcileIncremental(t.db)])));
    await moving;
    for (const run of runs) expect(run.violations).toEqual([]);
    const last = await reconcileIncremental(t.db);
    const full = await reconcile(t.db);
    expect(last.violations).toEqual([]);
    expect(full.violations).toEqual([]); // includes the checkpoint sums against the log
    expect(totals(last)).toEqual(totals(full));
    const { rows } = await admin.query<{ chained: boolean }>(
      `SELECT bool_and(previous_id = coalesce(prev, 0)) AS chained
         FROM (SELECT previous_id, lag(id) OVER (ORDER BY id) AS prev FROM ledger_checkpoints) c`,
    );
    expect(rows[0]!.chained).toBe(true); // one chain: no two checkpoints extend the same one
  });
});

async function checkpointCount(): Promise<number> {
  const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_checkpoints');
  return rows[0]!.n;
}
