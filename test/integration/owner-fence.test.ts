import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableActor, type Caller } from '../../server/tables/actor';
import { DEFAULT_TABLE_SETTINGS } from '../../server/tables/settings';
import { claimTable, createIntentStore, insertTable, type TableRow } from '../../server/tables/store';
import { ManualClock, recordingOutput } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// Every chip a table moves is fenced by its owner epoch (issue #12, first step):
// buy-in, top-up and cash-out carry the epoch of the process that runs the
// table, and the ledger refuses them (`table/not_owner`, nothing written) once
// another process has claimed the table. The check reads the epoch under a
// SHARE lock of the table row, so a claim (UPDATE owner_epoch) and a money
// transaction of the old owner are ordered: none of the old owner's commits
// can come after the claim's.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 8 });
});
afterAll(async () => {
  await t.close();
});

async function newTable(): Promise<TableRow> {
  const row = await insertTable(t.db, {
    name: `fence-${randomBytes(4).toString('hex')}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2,
    minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000,
  });
  return (await claimTable(t.db, row.id))!;
}

async function players(count: number): Promise<number[]> {
  const ids = await seedUsers(t.db, count, 'fence');
  for (const userId of ids) await t.ledger.buyChips({ userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
  return ids;
}

async function balance(code: string): Promise<bigint | null> {
  return (await t.db.account.findUnique({ where: { code } }))?.balance ?? null;
}

async function transfersOf(tableId: number): Promise<number> {
  return t.db.ledgerTransfer.count({ where: { tableId } });
}

describe('the owner epoch fences every table money path in the ledger', () => {
  it('refuses a buy-in, top-up and cash-out with a stale epoch and writes nothing; a replay by the new owner is answered', async () => {
    const table = await newTable();
    const [userId] = await players(1);
    const wallet = `wallet:${userId}`;
    const stale = table.ownerEpoch - 1n;

    const refused = await t.ledger.buyIn({ userId: userId!, tableId: table.id, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: stale });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('table/not_owner');
    expect(await t.db.seatSession.count({ where: { tableId: table.id } })).toBe(0);
    expect(await balance(wallet)).toBe(1_000n);

    const bought = await t.ledger.buyIn({ userId: userId!, tableId: table.id, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: table.ownerEpoch });
    expect(bought.ok).toBe(true);
    const seatSessionId = bought.ok ? bought.value.seatSessionId : 0n;
    const transfers = await transfersOf(table.id);

    const topUp = await t.ledger.topUp({ seatSessionId, amount: 50n, idempotencyKey: uniqueKey(), ownerEpoch: stale });
    expect(topUp.ok ? 'ok' : topUp.error.code).toBe('table/not_owner');
    const out = await t.ledger.cashOut({ seatSessionId, reason: 'left', ownerEpoch: stale });
    expect(out.ok ? 'ok' : out.error.code).toBe('table/not_owner');
    expect(await transfersOf(table.id)).toBe(transfers);
    expect(await balance(`seat:${seatSessionId}`)).toBe(100n);
    expect(await balance(wallet)).toBe(900n);
    expect((await t.db.seatSession.findUniqueOrThrow({ where: { id: seatSessionId } })).status).toBe('OPEN');

    // A top-up the old owner committed, replayed by the new owner (a pending intent
    // re-applied after the move): the same request, answered, not a key reuse.
    const key = uniqueKey('top');
    const first = await t.ledger.topUp({ seatSessionId, amount: 50n, idempotencyKey: key, ownerEpoch: table.ownerEpoch });
    expect(first.ok).toBe(true);
    const next = (await claimTable(t.db, table.id))!;
    const replay = await t.ledger.topUp({ seatSessionId, amount: 50n, idempotencyKey: key, ownerEpoch: next.ownerEpoch });
    expect(replay.ok && replay.value.replayed).toBe(true);
    expect(await balance(`seat:${seatSessionId}`)).toBe(150n);
    // And the old owner's next move is refused.
    const late = await t.ledger.cashOut({ seatSessionId, reason: 'left', ownerEpoch: table.ownerEpoch });
    expect(late.ok ? 'ok' : late.error.code).toBe('table/not_owner');
    const done = await t.ledger.cashOut({ seatSessionId, reason: 'left', ownerEpoch: next.ownerEpoch });
    expect(done.ok && done.value.amount).toBe(150n);
  });

  it('orders a claim and the old owner\'s money transactions: one that waits for the claim reads the new epoch (fails without the SHARE lock)', async () => {
    const table = await newTable();
    const ids = await players(3);
    const [a, b, c] = ids as [number, number, number];
    const seated = await t.ledger.buyIn({ userId: a, tableId: table.id, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: table.ownerEpoch });
    expect(seated.ok).toBe(true);
    const seatSessionId = seated.ok ? seated.value.seatSessionId : 0n;
    const transfers = await transfersOf(table.id);

    // Another process claims the table; its transaction is still open.
    const claimer = await t.raw();
    await claimer.query('BEGIN');
    await claimer.query('UPDATE poker_tables SET owner_epoch = owner_epoch + 1 WHERE id = $1', [table.id]);

    // Meanwhile the old owner moves chips with the epoch it holds.
    const pending = [
      t.ledger.buyIn({ userId: b, tableId: table.id, seatIndex: 1, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: table.ownerEpoch }),
      t.ledger.topUp({ seatSessionId, amount: 50n, idempotencyKey: uniqueKey(), ownerEpoch: table.ownerEpoch }),
      t.ledger.cashOut({ seatSessionId, reason: 'left', ownerEpoch: table.ownerEpoch }),
      t.ledger.buyIn({ userId: c, tableId: table.id, seatIndex: 2, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: table.ownerEpoch }),
    ];
    let settled = 0;
    for (const p of pending) void p.then(() => settled++, () => settled++);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // They wait for the claim (a KEY SHARE lock or a plain read would have let them commit).
    expect(settled).toBe(0);
    await claimer.query('COMMIT');

    const results = await Promise.all(pending);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['table/not_owner', 'table/not_owner', 'table/not_owner', 'table/not_owner']);
    expect(await transfersOf(table.id)).toBe(transfers);
    expect(await t.db.seatSession.count({ where: { tableId: table.id, status: 'OPEN' } })).toBe(1);
    expect(await balance(`seat:${seatSessionId}`)).toBe(100n);
    for (const userId of [b, c]) expect(await balance(`wallet:${userId}`)).toBe(1_000n);
  });
});

describe('a table actor that lost its table', () => {
  it('commits nothing more: a sit and a top-up are refused table/not_owner, the actor stops and asks to be rebuilt', async () => {
    const table = await newTable();
    const ids = await players(3);
    const callers: Caller[] = ids.map((userId, i) => ({ userId, username: `f${i}` }));
    const clock = new ManualClock();
    const rec = recordingOutput();
    const fatal: string[] = [];
    const actor = new TableActor({
      table, clock, wallNow: () => Date.now(), output: rec.output, log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      newSeed: () => randomBytes(32), ledger: t.ledger, intents: createIntentStore(t.db),
      settings: { ...DEFAULT_TABLE_SETTINGS, handIntervalMs: 100, timeBankMs: 0 },
      metrics: { actionAck: () => undefined, settlement: () => undefined, handSettled: () => undefined, handVoided: () => undefined },
      onFatal: (_id, reason) => fatal.push(reason),
      handSettled: async () => false,
    });
    expect((await actor.sit(callers[0]!, 0, 100, uniqueKey())).ok).toBe(true);
    const walletBefore = await balance(`wallet:${ids[0]}`);

    // Another process claims the table (a second server started on the same database).
    await claimTable(t.db, table.id);
    const transfers = await transfersOf(table.id);

    const topUp = await actor.topUp(callers[0]!, 50, uniqueKey());
    expect(topUp.ok ? 'ok' : topUp.error.code).toBe('table/not_owner');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/not_owner/);
    const sit = await actor.sit(callers[1]!, 1, 100, uniqueKey());
    expect(sit.ok).toBe(false);
    expect(await transfersOf(table.id)).toBe(transfers);
    expect(await balance(`wallet:${ids[0]}`)).toBe(walletBefore);
    expect(await balance(`wallet:${ids[1]}`)).toBe(1_000n);
    expect(await t.db.seatSession.count({ where: { tableId: table.id } })).toBe(1);
  });
});
