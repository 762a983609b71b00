import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_LOCK_TIMEOUT_MS, claimLease, forgetSilentNodes, freeTables, heartbeatNode, liveNodes, releaseLease, renewLeases } from '../../server/tables/leases';
import { claimTable, insertTable, type TableRow } from '../../server/tables/store';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';
import { idleInTransactionTimeoutMs } from '../../server/config';
import { createDb } from '../../server/db/client';

// Table ownership by lease (issue #12, decision 019), on real PostgreSQL with
// the database's clock: a node claims a table only when its lease is free,
// renewals keep it, and every money transaction of the table is refused once
// the lease has run out, even when nobody else has claimed it yet. The lease
// history never shows two owners of one table at once.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 12 });
});
afterAll(async () => {
  await t.close();
});

const TTL = 600;
const node = (nodeId: string, ttlMs: number | null = TTL) => ({ nodeId, ttlMs, force: false });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function newTable(): Promise<number> {
  const row = await insertTable(t.db, {
    name: `lease-${randomBytes(4).toString('hex')}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2,
    minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000,
  });
  return row.id;
}

async function history(tableId: number) {
  return t.db.tableLeaseHistory.findMany({ where: { tableId }, orderBy: { acquiredAt: 'asc' } });
}

/** No instant with two owners: each interval ends before the next one starts (an open one ends at its lease's expiry). */
async function expectNoOverlap(tableId: number): Promise<void> {
  const rows = await history(tableId);
  const lease = await t.db.tableLease.findUnique({ where: { tableId } });
  for (let i = 1; i < rows.length; i++) {
    const previousEnd = rows[i - 1]!.endedAt ?? lease?.expiresAt;
    expect(previousEnd, `interval ${i - 1} of table ${tableId} is closed`).toBeTruthy();
    expect(previousEnd!.getTime()).toBeLessThanOrEqual(rows[i]!.acquiredAt.getTime());
  }
}

describe('table leases', () => {
  it('a live lease keeps other nodes out; once it runs out (database clock) the next node claims it and the history closes the first interval', async () => {
    const tableId = await newTable();
    const a = await claimLease(t.db, tableId, node('a'));
    expect(a).not.toBeNull();
    expect(await claimLease(t.db, tableId, node('b'))).toBeNull();
    // Renewals keep it past its first TTL.
    for (let i = 0; i < 4; i++) {
      await sleep(TTL / 3);
      expect(await renewLeases(t.db, { nodeId: 'a', ttlMs: TTL }, [{ tableId, epoch: a! }])).toEqual(new Set([tableId]));
    }
    expect(await claimLease(t.db, tableId, node('b'))).toBeNull();
    // A renewal by another node, or with another epoch, renews nothing.
    expect((await renewLeases(t.db, { nodeId: 'b', ttlMs: TTL }, [{ tableId, epoch: a! }])).size).toBe(0);
    expect((await renewLeases(t.db, { nodeId: 'a', ttlMs: TTL }, [{ tableId, epoch: a! + 1n }])).size).toBe(0);

    await sleep(TTL + 100);
    // Expired: a late renewal cannot bring it back (another node may hold it already).
    expect((await renewLeases(t.db, { nodeId: 'a', ttlMs: TTL }, [{ tableId, epoch: a! }])).size).toBe(0);
    const b = await claimLease(t.db, tableId, node('b'));
    expect(b).toBe(a! + 1n);
    const rows = await history(tableId);
    expect(rows.map((r) => [r.nodeId, r.epoch, r.endReason])).toEqual([['a', a, 'expired'], ['b', b, null]]);
    await expectNoOverlap(tableId);
  });

  it('a released lease is free at once; a node re-claiming its own live lease bumps the epoch (fences its old actor)', async () => {
    const tableId = await newTable();
    const a = (await claimLease(t.db, tableId, node('a', 60_000)))!;
    const again = (await claimLease(t.db, tableId, node('a', 60_000)))!;
    expect(again).toBe(a + 1n);
    expect(await releaseLease(t.db, 'a', tableId, a, 'drained')).toBe(false); // not the live epoch
    expect(await releaseLease(t.db, 'a', tableId, again, 'drained')).toBe(true);
    expect((await freeTables(t.db)).some((f) => f.tableId === tableId)).toBe(true);
    const b = await claimLease(t.db, tableId, node('b', 60_000));
    expect(b).toBe(again + 1n);
    const rows = await history(tableId);
    expect(rows.map((r) => r.endReason)).toEqual(['reclaimed', 'drained', null]);
    await expectNoOverlap(tableId);
  });

  it("a table row held by a stopped owner's open transaction: its claim gives up within a second, the other free tables are claimed meanwhile, and it is claimed once the transaction ends", async () => {
    const [held, other] = [await newTable(), await newTable()];
    expect(await claimLease(t.db, held, node('stopped'))).not.toBeNull();
    await sleep(TTL + 100);
    // The stopped owner's money transaction in flight: the table row FOR SHARE, then nothing.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const open = t.db.$transaction(async (tx) => {
      await tx.$queryRawUnsafe('SELECT id FROM poker_tables WHERE id = $1 FOR SHARE', held);
      locked();
      await released;
    }, { timeout: 30_000 });
    await isLocked;
    const started = Date.now();
    await expect(claimLease(t.db, held, node('next'))).rejects.toThrow();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(CLAIM_LOCK_TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(CLAIM_LOCK_TIMEOUT_MS + 2_000);
    expect(await claimLease(t.db, other, node('next'))).not.toBeNull();
    release();
    await open;
    expect(await claimLease(t.db, held, node('next'))).not.toBeNull();
    await expectNoOverlap(held);
  });

  it('in a cluster a connection idle in a transaction is ended after at most one lease TTL, so a stopped owner holds its table row no longer', async () => {
    expect(idleInTransactionTimeoutMs({ REDIS_URL: undefined, LEASE_TTL_MS: 3_000, DB_IDLE_IN_TX_TIMEOUT_MS: 30_000 })).toBe(30_000);
    expect(idleInTransactionTimeoutMs({ REDIS_URL: 'redis://127.0.0.1:6379', LEASE_TTL_MS: 3_000, DB_IDLE_IN_TX_TIMEOUT_MS: 30_000 })).toBe(3_000);
    expect(idleInTransactionTimeoutMs({ REDIS_URL: 'redis://127.0.0.1:6379', LEASE_TTL_MS: 10_000, DB_IDLE_IN_TX_TIMEOUT_MS: 5_000 })).toBe(5_000);
    // PostgreSQL ends the idle transaction and frees the row: a claim then goes through.
    const tableId = await newTable();
    const db = createDb({ url: t.url, poolMax: 1, idleInTransactionTimeoutMs: 700 });
    try {
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const open = db.$transaction(async (tx) => {
        await tx.$queryRawUnsafe('SELECT id FROM poker_tables WHERE id = $1 FOR SHARE', tableId);
        locked();
        await sleep(2_500);
        await tx.$queryRawUnsafe('SELECT 1');
      }, { timeout: 30_000 }).then(() => 'committed', () => 'ended');
      await isLocked;
      await sleep(1_200);
      expect(await claimLease(t.db, tableId, node('next'))).not.toBeNull();
      expect(await open).toBe('ended');
    } finally {
      await db.$disconnect();
    }
  });

  it('five nodes claiming one free table at once: exactly one gets it', async () => {
    const tableId = await newTable();
    const results = await Promise.all(['n1', 'n2', 'n3', 'n4', 'n5'].map((id) => claimLease(t.db, tableId, node(id, 60_000))));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await t.db.tableLeaseHistory.count({ where: { tableId } })).toBe(1);
  });

  it('nodes heartbeat on the database clock; a silent node drops out of the live list; owned counts live leases', async () => {
    const id = `hb-${randomBytes(3).toString('hex')}`;
    await heartbeatNode(t.db, id, 7, false);
    const tableId = await newTable();
    await claimLease(t.db, tableId, node(id, 60_000));
    // A window of 2 s: a loaded machine can take more than half a second over the two statements.
    const live = (await liveNodes(t.db, 2_000)).find((n) => n.id === id);
    expect(live).toEqual({ id, capacity: 7, draining: false, owned: 1 });
    await sleep(2_200);
    expect((await liveNodes(t.db, 2_000)).some((n) => n.id === id)).toBe(false);
  });

  it("the row of a node silent for long is forgotten; a live node's stays, and a forgotten node registers again", async () => {
    const silent = `silent-${randomBytes(3).toString('hex')}`;
    const live = `live-${randomBytes(3).toString('hex')}`;
    await heartbeatNode(t.db, silent, 3, false);
    await sleep(700);
    await heartbeatNode(t.db, live, 3, false);
    expect(await forgetSilentNodes(t.db, 500)).toBeGreaterThanOrEqual(1);
    const ids = (await t.db.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM cluster_nodes WHERE id = ANY($1::text[])`, [silent, live])).map((r) => r.id);
    expect(ids).toEqual([live]);
    await heartbeatNode(t.db, silent, 3, false);
    expect((await liveNodes(t.db, 500)).map((n) => n.id)).toEqual(expect.arrayContaining([silent, live]));
  });
});

describe('the lease fences money: a node whose lease ran out commits nothing, even before anyone else claims the table', () => {
  it('refuses buy-in, top-up, cash-out, settlement and close with the epoch it still holds; after a claim the new owner moves chips', async () => {
    const tableId = await newTable();
    const [u1, u2] = await seedUsers(t.db, 2, 'leasefence');
    for (const userId of [u1!, u2!]) await t.ledger.buyChips({ userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
    const table: TableRow = (await claimTable(t.db, tableId, node('a')))!;
    const epoch = table.ownerEpoch;
    const seat1 = await t.ledger.buyIn({ userId: u1!, tableId, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: epoch });
    const seat2 = await t.ledger.buyIn({ userId: u2!, tableId, seatIndex: 1, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: epoch });
    if (!seat1.ok || !seat2.ok) throw new Error('buy-in failed');
    const transfers = await t.db.ledgerTransfer.count({ where: { tableId } });

    await sleep(TTL + 100); // node a is paused past its lease; nobody has claimed the table

    const [u3] = await seedUsers(t.db, 1, 'leasefence3');
    await t.ledger.buyChips({ userId: u3!, amountCents: 1_000n, idempotencyKey: uniqueKey() });
    const codes = [
      await t.ledger.buyIn({ userId: u3!, tableId, seatIndex: 2, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: epoch }),
      await t.ledger.topUp({ seatSessionId: seat1.value.seatSessionId, amount: 50n, idempotencyKey: uniqueKey(), ownerEpoch: epoch }),
      await t.ledger.cashOut({ seatSessionId: seat1.value.seatSessionId, reason: 'left', ownerEpoch: epoch }),
      await t.ledger.settleHand({
        tableId, handNumber: 1n, ownerEpoch: epoch, rake: 0n, commitment: 'c'.repeat(64), seed: 'd'.repeat(64), record: {},
        seats: [
          { seatSessionId: seat1.value.seatSessionId, userId: u1!, seatIndex: 0, contributed: 10n, won: 20n },
          { seatSessionId: seat2.value.seatSessionId, userId: u2!, seatIndex: 1, contributed: 10n, won: 0n },
        ],
      }),
      await t.ledger.closeTable({ tableId, ownerEpoch: epoch }),
    ].map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes).toEqual(['table/not_owner', 'table/not_owner', 'table/not_owner', 'settle/stale', 'settle/stale']);
    expect(await t.db.ledgerTransfer.count({ where: { tableId } })).toBe(transfers);
    expect(await t.db.hand.count({ where: { tableId } })).toBe(0);

    const next = (await claimTable(t.db, tableId, node('b')))!;
    const out = await t.ledger.cashOut({ seatSessionId: seat1.value.seatSessionId, reason: 'left', ownerEpoch: next.ownerEpoch });
    expect(out.ok && out.value.amount).toBe(100n);
    await expectNoOverlap(tableId);
  });
});
