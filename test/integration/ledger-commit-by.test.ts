// A call with `commitBy` (a table command forwarded by another node, whose sender stops waiting
// then) commits only while the ledger's clock, an input, is not past it: checked before the
// transaction and again just before its commit. The clock here is a fake that passes the
// deadline while the transaction runs, so the rollback is certain, not a race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger } from '../../server/ledger/transactions';
import { insertTable } from '../../server/tables/store';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await t.close();
});

/** A clock at `deadline - 1` for its first `before` reads, then past the deadline. */
function clockPassing(deadline: number, before: number) {
  let reads = 0;
  return () => (++reads <= before ? deadline - 1 : deadline + 1);
}

describe('commitBy', () => {
  it('a buy-in, top-up or cash-out whose commit would come after it rolls back with ledger/late; the same key works after', async () => {
    const [userId] = await seedUsers(t.db, 1, 'commitby');
    await t.ledger.buyChips({ userId: userId!, amountCents: 10_000n, idempotencyKey: uniqueKey() });
    const table = await insertTable(t.db, { name: `commit-by-${uniqueKey().slice(0, 8)}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000 });
    const wallet = async () => (await t.db.account.findUniqueOrThrow({ where: { code: `wallet:${userId}` } })).balance;
    const before = await wallet();
    const deadline = 1_000_000;
    // Read once before the transaction (in time), once before the commit (late).
    const late = createLedger({ ...t.deps, now: clockPassing(deadline, 1) });
    const sitKey = uniqueKey('sit');
    const sit = { userId: userId!, tableId: table.id, seatIndex: 0, amount: 100n, idempotencyKey: sitKey, commitBy: deadline };
    expect(await late.buyIn(sit)).toMatchObject({ ok: false, error: { code: 'ledger/late' } });
    expect(await t.db.seatSession.count({ where: { tableId: table.id } })).toBe(0);
    expect(await wallet()).toBe(before);
    // Past it before the transaction: nothing is tried.
    const tooLate = createLedger({ ...t.deps, now: () => deadline + 1 });
    expect(await tooLate.buyIn(sit)).toMatchObject({ ok: false, error: { code: 'ledger/late' } });
    // In time: committed; the key was never used.
    const inTime = createLedger({ ...t.deps, now: () => deadline - 1 });
    const seated = await inTime.buyIn(sit);
    if (!seated.ok) throw new Error(seated.error.code);
    expect(seated.value.replayed).toBe(false);
    const seatSessionId = seated.value.seatSessionId;

    const topUp = { seatSessionId, amount: 20n, idempotencyKey: uniqueKey('top'), commitBy: deadline };
    expect(await createLedger({ ...t.deps, now: clockPassing(deadline, 1) }).topUp(topUp)).toMatchObject({ ok: false, error: { code: 'ledger/late' } });
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', tableId: table.id } })).toBe(0);
    expect(await inTime.topUp(topUp)).toMatchObject({ ok: true, value: { stack: 120n, replayed: false } });

    const cashOut = { seatSessionId, reason: 'left', commitBy: deadline };
    expect(await createLedger({ ...t.deps, now: clockPassing(deadline, 1) }).cashOut(cashOut)).toMatchObject({ ok: false, error: { code: 'ledger/late' } });
    expect((await t.db.seatSession.findUniqueOrThrow({ where: { id: seatSessionId } })).status).toBe('OPEN');
    expect(await inTime.cashOut(cashOut)).toMatchObject({ ok: true, value: { amount: 120n } });
    expect(await wallet()).toBe(before);
    expect((await t.ledger.reconcile()).violations).toEqual([]);
  });
});
