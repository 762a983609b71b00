import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedServerKey } from '../../server/ledger/keys';
import { createIntentStore } from '../../server/tables/store';
import { createTestDatabase, seedTable, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 40 });
});
afterAll(async () => {
  await t.close();
});

async function fundedUser(chips: bigint): Promise<number> {
  const [userId] = await seedUsers(t.db, 1);
  const bought = await t.ledger.buyChips({ userId: userId!, amountCents: chips, idempotencyKey: uniqueKey('buy') });
  expect(bought.ok).toBe(true);
  return userId!;
}

/** Opens pool connections up front, so concurrent requests really overlap (new connections take a while). */
async function warmPool(connections = 30): Promise<void> {
  await Promise.all(Array.from({ length: connections }, () => t.db.$transaction(async (tx) => tx.$executeRawUnsafe('SELECT pg_sleep(0.05)'))));
}

async function balanceOf(code: string): Promise<bigint> {
  const account = await t.db.account.findUniqueOrThrow({ where: { code } });
  return account.balance;
}

describe('buyChips', () => {
  it('converts USD cents to chips at the configured rate and records the payment', async () => {
    const [userId] = await seedUsers(t.db, 1);
    const result = await t.ledger.buyChips({ userId: userId!, amountCents: 2_550n, idempotencyKey: uniqueKey() });
    expect(result.ok && result.value.chips).toBe(2_550n);
    expect(await balanceOf(`wallet:${userId}`)).toBe(2_550n);
    const purchase = await t.db.chipPurchase.findFirstOrThrow({ where: { userId: userId! } });
    expect(purchase.amountMinor).toBe(2_550n);
    expect(purchase.currency).toBe('USD');
  });

  it('rejects amounts out of range, zero, non-USD, and unknown users, changing nothing', async () => {
    const [userId] = await seedUsers(t.db, 1);
    const cases = [
      [{ amountCents: 0n }, 'amount/invalid'],
      [{ amountCents: -5n }, 'amount/invalid'],
      [{ amountCents: 99n }, 'purchase/out_of_range'],
      [{ amountCents: 10_000_001n }, 'purchase/out_of_range'],
      [{ amountCents: 500n, currency: 'EUR' }, 'purchase/currency_unsupported'],
    ] as const;
    for (const [input, code] of cases) {
      const result = await t.ledger.buyChips({ userId: userId!, idempotencyKey: uniqueKey(), ...input });
      expect(result.ok ? 'ok' : result.error.code).toBe(code);
    }
    const unknown = await t.ledger.buyChips({ userId: 999_999, amountCents: 500n, idempotencyKey: uniqueKey() });
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('user/not_found');
    expect(await t.db.account.findUnique({ where: { code: `wallet:${userId}` } }).then((a) => a?.balance ?? 0n)).toBe(0n);
  });
});

describe('idempotency', () => {
  it('the same key twice gives one transfer and the same result', async () => {
    const [userId] = await seedUsers(t.db, 1);
    const key = uniqueKey('idem');
    const first = await t.ledger.buyChips({ userId: userId!, amountCents: 1_000n, idempotencyKey: key });
    const second = await t.ledger.buyChips({ userId: userId!, amountCents: 1_000n, idempotencyKey: key });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.value.transferId).toBe(first.value.transferId);
    expect(second.value.replayed).toBe(true);
    expect({ ...second.value, replayed: false }).toEqual(first.value);
    expect(await t.db.ledgerTransfer.count({ where: { idempotencyKey: key } })).toBe(1);
    expect(await balanceOf(`wallet:${userId}`)).toBe(1_000n);
  });

  it('the same key with a different payload is rejected with a clear code', async () => {
    const [userId] = await seedUsers(t.db, 1);
    const key = uniqueKey('idem');
    await t.ledger.buyChips({ userId: userId!, amountCents: 1_000n, idempotencyKey: key });
    const reused = await t.ledger.buyChips({ userId: userId!, amountCents: 2_000n, idempotencyKey: key });
    expect(reused.ok ? 'ok' : reused.error.code).toBe('idempotency/key_reused');
    expect(await balanceOf(`wallet:${userId}`)).toBe(1_000n);
  });

  it('a key is scoped to (user, operation): other users and other operations cannot collide with it', async () => {
    const [alice, bob] = await seedUsers(t.db, 2);
    const key = uniqueKey('scoped');
    const first = await t.ledger.buyChips({ userId: alice!, amountCents: 1_000n, idempotencyKey: key });
    const otherUser = await t.ledger.buyChips({ userId: bob!, amountCents: 2_000n, idempotencyKey: key });
    expect(first.ok && otherUser.ok && !otherUser.value.replayed).toBe(true);
    const otherOperation = await t.ledger.adjust({ userId: alice!, amount: 5n, reason: 'x', adminUserId: alice!, idempotencyKey: key });
    expect(otherOperation.ok && !otherOperation.value.replayed).toBe(true);
    expect(await balanceOf(`wallet:${alice}`)).toBe(1_005n);
    expect(await balanceOf(`wallet:${bob}`)).toBe(2_000n);
  });

  it('a balance beyond 2^53 - 1 is refused with amount/too_large and changes nothing', async () => {
    const [userId] = await seedUsers(t.db, 1);
    // Other tests of this file move the shared adjustments account a little: keep clear of its limit.
    const near = BigInt(Number.MAX_SAFE_INTEGER) - 1_000_000n;
    const huge = await t.ledger.adjust({ userId: userId!, amount: near, reason: 'near the limit', adminUserId: userId!, idempotencyKey: uniqueKey() });
    expect(huge.ok).toBe(true);
    const over = await t.ledger.adjust({ userId: userId!, amount: 1_000_001n, reason: 'one more', adminUserId: userId!, idempotencyKey: uniqueKey() });
    expect(over.ok ? 'ok' : over.error.code).toBe('amount/too_large');
    expect(await balanceOf(`wallet:${userId}`)).toBe(near);
    const back = await t.ledger.adjust({ userId: userId!, amount: -near, reason: 'undo', adminUserId: userId!, idempotencyKey: uniqueKey() });
    expect(back.ok).toBe(true);
  });

  it("credits that would take the house's adjustments account past 2^53 - 1 are refused adjust/house_limit, not blamed on the wallet", async () => {
    const [granted, other] = await seedUsers(t.db, 2);
    // Grant all the room the adjustments account has left but 5 chips (it goes negative as chips are granted).
    const house = (await t.db.account.findUnique({ where: { code: 'adjustments' } }))?.balance ?? 0n;
    const room = BigInt(Number.MAX_SAFE_INTEGER) + house;
    const grant = await t.ledger.adjust({ userId: granted!, amount: room - 5n, reason: 'to the house limit', adminUserId: granted!, idempotencyKey: uniqueKey() });
    expect(grant.ok).toBe(true);
    // Another user's small credit: their wallet has room, the house has not.
    const over = await t.ledger.adjust({ userId: other!, amount: 6n, reason: 'one more', adminUserId: granted!, idempotencyKey: uniqueKey() });
    expect(over.ok ? 'ok' : over.error.code).toBe('adjust/house_limit');
    expect(await t.db.account.findUnique({ where: { code: `wallet:${other}` } })).toBeNull(); // its wallet's creation rolled back too
    const fits = await t.ledger.adjust({ userId: other!, amount: 5n, reason: 'the last 5', adminUserId: granted!, idempotencyKey: uniqueKey() });
    expect(fits.ok).toBe(true);
    expect(await balanceOf('adjustments')).toBe(-BigInt(Number.MAX_SAFE_INTEGER));
    // Reconcile reports what adjustments granted in all, and it checks out.
    const atLimit = await t.ledger.reconcile();
    expect([atLimit.chipsAdjusted, atLimit.violations]).toEqual([String(Number.MAX_SAFE_INTEGER), []]);
    // Debits make room again.
    for (const [userId, amount] of [[granted!, -(room - 5n)], [other!, -5n]] as const) {
      expect((await t.ledger.adjust({ userId, amount, reason: 'undo', adminUserId: granted!, idempotencyKey: uniqueKey() })).ok).toBe(true);
    }
    expect((await t.ledger.reconcile()).violations).toEqual([]);
  });

  it('50 concurrent requests with one key post exactly one transfer', async () => {
    const [userId] = await seedUsers(t.db, 1);
    const key = uniqueKey('idem');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.ledger.buyChips({ userId: userId!, amountCents: 700n, idempotencyKey: key })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.value.transferId : -1n))).size).toBe(1);
    expect(results.filter((r) => r.ok && !r.value.replayed)).toHaveLength(1);
    expect(await balanceOf(`wallet:${userId}`)).toBe(700n);
  });
});

describe('buyIn, topUp, cashOut', () => {
  it('30 concurrent buy-ins with one key seat the player once and all return the same result', async () => {
    const userId = await fundedUser(1_000n);
    const table = await seedTable(t.db);
    const key = uniqueKey('buyin-twin');
    await warmPool();
    const results = await Promise.all(
      Array.from({ length: 30 }, () => t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 4, amount: 200n, idempotencyKey: key })),
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(results.map(() => 'ok'));
    expect(new Set(results.map((r) => (r.ok ? r.value.seatSessionId : -1n))).size).toBe(1);
    expect(await balanceOf(`wallet:${userId}`)).toBe(800n);
  });

  it('moves chips wallet -> seat -> wallet within the table limits', async () => {
    const userId = await fundedUser(1_000n);
    const table = await seedTable(t.db, { minBuyIn: 100n, maxBuyIn: 500n });
    const below = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 99n, idempotencyKey: uniqueKey() });
    const above = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 501n, idempotencyKey: uniqueKey() });
    const badSeat = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 6, amount: 200n, idempotencyKey: uniqueKey() });
    expect([below, above, badSeat].map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'buyin/below_min', 'buyin/above_max', 'seat/invalid',
    ]);
    const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 2, amount: 300n, idempotencyKey: uniqueKey() });
    expect(seated.ok).toBe(true);
    if (!seated.ok) return;
    const again = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 3, amount: 100n, idempotencyKey: uniqueKey() });
    expect(again.ok ? 'ok' : again.error.code).toBe('seat/already_seated');
    const seatSessionId = seated.value.seatSessionId;
    const over = await t.ledger.topUp({ seatSessionId, amount: 201n, idempotencyKey: uniqueKey() });
    expect(over.ok ? 'ok' : over.error.code).toBe('topup/above_max');
    const topped = await t.ledger.topUp({ seatSessionId, amount: 200n, idempotencyKey: uniqueKey() });
    expect(topped.ok && topped.value.stack).toBe(500n);
    const out = await t.ledger.cashOut({ seatSessionId, idempotencyKey: storedServerKey(uniqueKey()) });
    expect(out.ok && out.value.amount).toBe(500n);
    expect(await balanceOf(`wallet:${userId}`)).toBe(1_000n);
    const twice = await t.ledger.cashOut({ seatSessionId, idempotencyKey: storedServerKey(uniqueKey()) });
    expect(twice.ok ? 'ok' : twice.error.code).toBe('seat/closed');
    const topClosed = await t.ledger.topUp({ seatSessionId, amount: 10n, idempotencyKey: uniqueKey() });
    expect(topClosed.ok ? 'ok' : topClosed.error.code).toBe('seat/closed');
  });

  it('a seat taken by one player is refused to another', async () => {
    const a = await fundedUser(500n);
    const b = await fundedUser(500n);
    const table = await seedTable(t.db);
    const first = await t.ledger.buyIn({ userId: a, tableId: table.id, seatIndex: 1, amount: 100n, idempotencyKey: uniqueKey() });
    const second = await t.ledger.buyIn({ userId: b, tableId: table.id, seatIndex: 1, amount: 100n, idempotencyKey: uniqueKey() });
    expect(first.ok).toBe(true);
    expect(second.ok ? 'ok' : second.error.code).toBe('seat/taken');
    expect(await balanceOf(`wallet:${b}`)).toBe(500n);
  });
});

describe('overdraw races', () => {
  it('100 concurrent buy-ins each for the whole wallet: exactly one succeeds', async () => {
    const userId = await fundedUser(800n);
    const tables = await Promise.all(Array.from({ length: 10 }, () => seedTable(t.db, { maxSeats: 10, minBuyIn: 100n, maxBuyIn: 800n })));
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.ledger.buyIn({ userId, tableId: tables[i % 10]!.id, seatIndex: Math.floor(i / 10), amount: 800n, idempotencyKey: uniqueKey('race') }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'funds/insufficient')).toBe(true);
    expect(await balanceOf(`wallet:${userId}`)).toBe(0n);
  });

  it('20 concurrent cash-outs with one key all return the first result', async () => {
    const userId = await fundedUser(300n);
    const table = await seedTable(t.db);
    const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 300n, idempotencyKey: uniqueKey() });
    if (!seated.ok) throw new Error('buy-in failed');
    const key = uniqueKey('out-twin');
    await warmPool();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.ledger.cashOut({ seatSessionId: seated.value.seatSessionId, idempotencyKey: storedServerKey(key) })),
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(results.map(() => 'ok'));
    expect(new Set(results.map((r) => (r.ok ? r.value.transferId : -1n))).size).toBe(1);
    expect(results.every((r) => r.ok && r.value.amount === 300n)).toBe(true);
    expect(await balanceOf(`wallet:${userId}`)).toBe(300n);
  });

  it('100 concurrent cash-outs of one seat: exactly one succeeds and pays once', async () => {
    const userId = await fundedUser(600n);
    const table = await seedTable(t.db);
    const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 600n, idempotencyKey: uniqueKey() });
    if (!seated.ok) throw new Error('buy-in failed');
    const results = await Promise.all(
      Array.from({ length: 100 }, () => t.ledger.cashOut({ seatSessionId: seated.value.seatSessionId, idempotencyKey: storedServerKey(uniqueKey('out')) })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'seat/closed')).toBe(true);
    expect(await balanceOf(`wallet:${userId}`)).toBe(600n);
    expect(await balanceOf(`seat:${seated.value.seatSessionId}`)).toBe(0n);
  });

  it('100 concurrent negative adjustments for the whole wallet: exactly one succeeds', async () => {
    const userId = await fundedUser(300n);
    const [adminId] = await seedUsers(t.db, 1, 'admin');
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        t.ledger.adjust({ userId, amount: -300n, reason: 'chargeback', adminUserId: adminId!, idempotencyKey: uniqueKey('adj') }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'adjust/negative_wallet')).toBe(true);
    expect(await balanceOf(`wallet:${userId}`)).toBe(0n);
  });
});

describe('top-up race', () => {
  it('50 concurrent top-ups never take a seat above the maximum buy-in nor a wallet below zero', async () => {
    const userId = await fundedUser(10_000n);
    const table = await seedTable(t.db, { minBuyIn: 100n, maxBuyIn: 1_000n });
    const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey() });
    if (!seated.ok) throw new Error(seated.error.code);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.ledger.topUp({ seatSessionId: seated.value.seatSessionId, amount: 100n, idempotencyKey: uniqueKey('top') })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(9); // 100 + 9 x 100 = 1,000
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'topup/above_max')).toBe(true);
    expect(await balanceOf(`seat:${seated.value.seatSessionId}`)).toBe(1_000n);
    expect(await balanceOf(`wallet:${userId}`)).toBe(9_000n);
  });
});

describe('topUp: its two statements and the seat intent it answers', () => {
  /** Backends of this test database waiting for a row lock. */
  async function lockWaiters(): Promise<number> {
    const raw = await t.raw();
    const { rows } = await raw.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows[0].n as number;
  }

  it('top-ups that read the seat open, then waited for a cash-out holding its locks, write nothing to the closed seat', async () => {
    const userId = await fundedUser(1_000n);
    const table = await seedTable(t.db, { minBuyIn: 100n, maxBuyIn: 1_000n });
    const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 200n, idempotencyKey: uniqueKey() });
    if (!seated.ok) throw new Error(seated.error.code);
    const seatSessionId = seated.value.seatSessionId;
    await warmPool();
    // Hold the seat's account: the cash-out queues on it first, then the top-ups, after
    // their first statement has read the seat open.
    const holder = await t.raw();
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM accounts WHERE code = $1 FOR UPDATE`, [`seat:${seatSessionId}`]);
    const cashOut = t.ledger.cashOut({ seatSessionId, idempotencyKey: storedServerKey(uniqueKey('out')) });
    await expect.poll(lockWaiters).toBe(1);
    const topUps = Array.from({ length: 5 }, () => t.ledger.topUp({ seatSessionId, amount: 100n, idempotencyKey: uniqueKey('top') }));
    await expect.poll(lockWaiters).toBe(6);
    await holder.query('COMMIT');
    const out = await cashOut;
    expect(out.ok && out.value.amount).toBe(200n);
    const answers = await Promise.all(topUps);
    expect(answers.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(answers.map(() => 'seat/closed'));
    expect(await balanceOf(`seat:${seatSessionId}`)).toBe(0n);
    expect(await balanceOf(`wallet:${userId}`)).toBe(1_000n);
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', tableId: table.id } })).toBe(0);
  });

  it('deletes its seat_intents row in the transaction that writes it; refused or replayed, the row stays for the table', async () => {
    const userId = await fundedUser(1_000n);
    const other = await fundedUser(1_000n);
    const table = await seedTable(t.db, { minBuyIn: 100n, maxBuyIn: 500n });
    const seat = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 200n, idempotencyKey: uniqueKey() });
    const otherSeat = await t.ledger.buyIn({ userId: other, tableId: table.id, seatIndex: 1, amount: 200n, idempotencyKey: uniqueKey() });
    if (!seat.ok || !otherSeat.ok) throw new Error('buy-in failed');
    const seatSessionId = seat.value.seatSessionId;
    const intents = createIntentStore(t.db);
    const intent = (seatId: bigint, amount: bigint) =>
      intents.add({ seatSessionId: seatId, kind: 'TOP_UP', amount, keyScope: 'CLIENT', key: uniqueKey('intent'), ownerEpoch: table.ownerEpoch });
    const exists = async (id: bigint) => (await t.db.seatIntent.count({ where: { id } })) === 1;

    const refusedId = await intent(seatSessionId, 400n);
    const refused = await t.ledger.topUp({ seatSessionId, amount: 400n, idempotencyKey: uniqueKey(), intentId: refusedId });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('topup/above_max');
    expect(await exists(refusedId)).toBe(true);

    // Another seat's row is out of reach, even when a top-up names it.
    const othersId = await intent(otherSeat.value.seatSessionId, 50n);
    const key = uniqueKey('top');
    const first = await t.ledger.topUp({ seatSessionId, amount: 100n, idempotencyKey: key, intentId: othersId });
    expect(first.ok && first.value.stack).toBe(300n);
    expect(await exists(othersId)).toBe(true);

    const ownId = await intent(seatSessionId, 100n);
    const applied = await t.ledger.topUp({ seatSessionId, amount: 100n, idempotencyKey: uniqueKey('top'), intentId: ownId });
    expect(applied.ok && !applied.value.replayed && applied.value.stack).toBe(400n);
    expect(await exists(ownId)).toBe(false);

    // A retry with another intent id is the same request: a replay, which deletes nothing.
    const replayId = await intent(seatSessionId, 100n);
    const replay = await t.ledger.topUp({ seatSessionId, amount: 100n, idempotencyKey: key, intentId: replayId });
    expect(replay.ok && replay.value.replayed).toBe(true);
    expect(replay.ok && first.ok && replay.value.transferId).toBe(first.ok && first.value.transferId);
    expect(await exists(replayId)).toBe(true);
    expect(await balanceOf(`seat:${seatSessionId}`)).toBe(400n);
  });
});

describe('closeTable', () => {
  it('refuses while a seat is open, closes once none is, answers a second close ok, and fences a stale owner', async () => {
    const table = await seedTable(t.db);
    const userId = await fundedUser(1_000n);
    const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey() });
    if (!seated.ok) throw new Error(seated.error.code);
    const busy = await t.ledger.closeTable({ tableId: table.id, ownerEpoch: 0n });
    expect(busy.ok ? 'ok' : busy.error.code).toBe('table/not_empty');
    const stale = await t.ledger.closeTable({ tableId: table.id, ownerEpoch: 7n });
    expect(stale.ok ? 'ok' : stale.error.code).toBe('settle/stale');
    await t.ledger.cashOut({ seatSessionId: seated.value.seatSessionId });
    expect((await t.ledger.closeTable({ tableId: table.id, ownerEpoch: 0n })).ok).toBe(true);
    expect((await t.ledger.closeTable({ tableId: table.id, ownerEpoch: 0n })).ok).toBe(true);
    const late = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: 1, amount: 100n, idempotencyKey: uniqueKey() });
    expect(late.ok ? 'ok' : late.error.code).toBe('table/closed');
  });

  it('racing buy-ins: either a buy-in lands and the close is refused, or the close lands and the buy-in is; never a closed table with an open seat', async () => {
    await warmPool();
    const outcomes = new Set<string>();
    for (let round = 0; round < 15; round++) {
      const table = await seedTable(t.db, { maxSeats: 6 });
      const users = await Promise.all(Array.from({ length: 4 }, () => fundedUser(1_000n)));
      // Even rounds start the close first, odd rounds the buy-ins (with a head start of a few
      // milliseconds), so both orders happen; within a round they overlap.
      const close = () => t.ledger.closeTable({ tableId: table.id, ownerEpoch: 0n });
      const closing = round % 2 === 0 ? close() : null;
      const buying = users.map((userId, seatIndex) => t.ledger.buyIn({ userId, tableId: table.id, seatIndex, amount: 100n, idempotencyKey: uniqueKey() }));
      if (!closing) await new Promise((resolve) => setTimeout(resolve, 1 + (round % 4)));
      const [closed, ...buyIns] = await Promise.all([closing ?? close(), ...buying]);
      const seated = buyIns.filter((b) => b.ok).length;
      outcomes.add(closed.ok ? `closed, ${seated} seated` : `open, ${seated} seated`);
      const row = await t.db.pokerTable.findUniqueOrThrow({ where: { id: table.id } });
      const open = await t.db.seatSession.count({ where: { tableId: table.id, status: 'OPEN' } });
      if (row.status === 'CLOSED') expect(open, `round ${round}`).toBe(0);
      expect(closed.ok ? 'CLOSED' : 'OPEN').toBe(row.status);
      for (const b of buyIns) if (!b.ok) expect(['table/closed']).toContain(b.error.code);
      // Leave nothing open at a closed table for the run's final reconcile.
      for (const b of buyIns) if (b.ok) await t.ledger.cashOut({ seatSessionId: b.value.seatSessionId });
    }
    expect([...outcomes].some((o) => o.startsWith('open')), [...outcomes].join(' | ')).toBe(true);
    expect([...outcomes].some((o) => o.startsWith('closed')), [...outcomes].join(' | ')).toBe(true);
    expect((await t.ledger.reconcile()).violations).toEqual([]);
  });
});

describe('adjust', () => {
  it('records the admin and the reason, in the ledger and the audit trail', async () => {
    const userId = await fundedUser(100n);
    const [adminId] = await seedUsers(t.db, 1, 'admin');
    const noReason = await t.ledger.adjust({ userId, amount: 10n, reason: '  ', adminUserId: adminId!, idempotencyKey: uniqueKey() });
    expect(noReason.ok ? 'ok' : noReason.error.code).toBe('adjust/reason_required');
    const result = await t.ledger.adjust({ userId, amount: 25n, reason: 'promo', adminUserId: adminId!, idempotencyKey: uniqueKey() });
    expect(result.ok && result.value.walletBalance).toBe(125n);
    if (!result.ok) return;
    const transfer = await t.db.ledgerTransfer.findUniqueOrThrow({ where: { id: result.value.transferId } });
    expect(transfer).toMatchObject({ kind: 'ADJUST', actorUserId: adminId, reason: 'promo' });
    const audit = await t.db.adminAction.findFirstOrThrow({ where: { adminUserId: adminId!, action: 'chips.adjust' } });
    expect(audit.targetId).toBe(String(userId));
    const negative = await t.ledger.adjust({ userId, amount: -126n, reason: 'oops', adminUserId: adminId!, idempotencyKey: uniqueKey() });
    expect(negative.ok ? 'ok' : negative.error.code).toBe('adjust/negative_wallet');
  });
});

describe('settleHand', () => {
  async function seatedTable(players: number, stack = 500n) {
    const table = await seedTable(t.db);
    const seats = [];
    for (let i = 0; i < players; i++) {
      const userId = await fundedUser(stack);
      const seated = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: i, amount: stack, idempotencyKey: uniqueKey() });
      if (!seated.ok) throw new Error(seated.error.code);
      seats.push({ userId, seatIndex: i, seatSessionId: seated.value.seatSessionId });
    }
    return { table, seats };
  }

  it('moves contributions through the pot to the winners and the rake; the pot ends at zero', async () => {
    const { table, seats } = await seatedTable(3);
    const result = await t.ledger.settleHand({
      tableId: table.id, handNumber: 1n, ownerEpoch: 0n, rake: 3n, commitment: 'c', seed: 's', record: { log: [] },
      seats: [
        { ...seats[0]!, contributed: 100n, won: 0n },
        { ...seats[1]!, contributed: 100n, won: 197n },
        { ...seats[2]!, contributed: 0n, won: 0n },
      ],
    });
    expect(result.ok).toBe(true);
    expect(await balanceOf(`seat:${seats[0]!.seatSessionId}`)).toBe(400n);
    expect(await balanceOf(`seat:${seats[1]!.seatSessionId}`)).toBe(597n);
    expect(await balanceOf(`pot:${table.id}`)).toBe(0n);
    expect(await balanceOf(`rake:${table.id}`)).toBe(3n);
    const hand = await t.db.hand.findUniqueOrThrow({ where: { tableId_handNumber: { tableId: table.id, handNumber: 1n } }, include: { players: true } });
    expect(hand.potTotal).toBe(200n);
    expect(hand.players).toHaveLength(3);
    expect((await t.db.pokerTable.findUniqueOrThrow({ where: { id: table.id } })).handNumber).toBe(1n);
  });

  it('rejects unbalanced settlements and overdrawn seats, changing nothing', async () => {
    const { table, seats } = await seatedTable(2, 100n);
    const base = { tableId: table.id, handNumber: 1n, ownerEpoch: 0n, commitment: 'c', seed: 's', record: {} };
    const unbalanced = await t.ledger.settleHand({ ...base, rake: 0n, seats: [{ ...seats[0]!, contributed: 10n, won: 0n }, { ...seats[1]!, contributed: 10n, won: 19n }] });
    expect(unbalanced.ok ? 'ok' : unbalanced.error.code).toBe('settle/unbalanced');
    const overdrawn = await t.ledger.settleHand({ ...base, rake: 0n, seats: [{ ...seats[0]!, contributed: 101n, won: 0n }, { ...seats[1]!, contributed: 0n, won: 101n }] });
    expect(overdrawn.ok ? 'ok' : overdrawn.error.code).toBe('funds/insufficient');
    expect(await t.db.hand.count({ where: { tableId: table.id } })).toBe(0);
  });

  it('a stale epoch or hand number is rejected', async () => {
    const { table, seats } = await seatedTable(2);
    const hand = (handNumber: bigint, ownerEpoch: bigint) => t.ledger.settleHand({
      tableId: table.id, handNumber, ownerEpoch, rake: 0n, commitment: 'c', seed: `s${handNumber}`, record: {},
      seats: [{ ...seats[0]!, contributed: 10n, won: 0n }, { ...seats[1]!, contributed: 10n, won: 20n }],
    });
    await t.db.pokerTable.update({ where: { id: table.id }, data: { ownerEpoch: 2n } });
    const staleEpoch = await hand(1n, 1n);
    expect(staleEpoch.ok ? 'ok' : staleEpoch.error.code).toBe('settle/stale');
    const skipped = await hand(2n, 2n);
    expect(skipped.ok ? 'ok' : skipped.error.code).toBe('settle/stale');
    expect((await hand(1n, 2n)).ok).toBe(true);
    const staleEpochNext = await hand(2n, 1n);
    expect(staleEpochNext.ok ? 'ok' : staleEpochNext.error.code).toBe('settle/stale');
    expect(await t.db.hand.count({ where: { tableId: table.id } })).toBe(1);
  });

  it('50 concurrent identical settlements post exactly one set of entries', async () => {
    const { table, seats } = await seatedTable(6);
    const input = {
      tableId: table.id, handNumber: 1n, ownerEpoch: 0n, rake: 5n, commitment: 'c', seed: 's', record: { n: 1 },
      seats: seats.map((s, i) => ({ ...s, contributed: 50n, won: i === 0 ? 295n : 0n })),
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => t.ledger.settleHand(input)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.value.handId : -1n))).size).toBe(1);
    const transfers = await t.db.ledgerTransfer.findMany({ where: { kind: 'SETTLE_HAND', tableId: table.id }, include: { entries: true } });
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.entries).toHaveLength(6 * 2 + 2 + 2);
    expect(await balanceOf(`seat:${seats[0]!.seatSessionId}`)).toBe(745n);
  });

  it('refuses to pay a seat session that has been cashed out', async () => {
    const { table, seats } = await seatedTable(2);
    await t.ledger.cashOut({ seatSessionId: seats[1]!.seatSessionId, idempotencyKey: storedServerKey(uniqueKey()) });
    const result = await t.ledger.settleHand({
      tableId: table.id, handNumber: 1n, ownerEpoch: 0n, rake: 0n, commitment: 'c', seed: 's', record: {},
      seats: [{ ...seats[0]!, contributed: 0n, won: 0n }, { ...seats[1]!, contributed: 0n, won: 0n }],
    });
    expect(result.ok ? 'ok' : result.error.code).toBe('settle/invalid');
  });
});

describe('immutability', () => {
  it('UPDATE, DELETE and TRUNCATE on ledger tables fail, even through raw SQL', async () => {
    await fundedUser(100n);
    const client = await t.raw();
    for (const table of ['ledger_entries', 'ledger_transfers', 'chip_purchases']) {
      await expect(client.query(`UPDATE ${table} SET created_at = now()`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/append-only/);
    }
    await expect(client.query(`UPDATE ledger_entries SET amount = amount + 1`)).rejects.toThrow(/append-only/);
  });

  it('the database refuses negative wallets, non-positive entries and unbalanced transfers', async () => {
    const userId = await fundedUser(100n);
    const client = await t.raw();
    await expect(client.query(`UPDATE accounts SET balance = -1 WHERE code = $1`, [`wallet:${userId}`])).rejects.toThrow(/accounts_balance_check/);
    await client.query('BEGIN'); // tampering is rolled back: the run's final reconcile must stay clean
    await client.query('SAVEPOINT tamper');
    const { rows } = await client.query(`INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, result, key_scope, key_owner_id) VALUES ('SETTLE_HAND', $1, 'h', '{}', 'SERVER', 0) RETURNING id`, [uniqueKey()]);
    const account = await t.db.account.findUniqueOrThrow({ where: { code: `wallet:${userId}` } });
    await expect(client.query(`INSERT INTO ledger_entries (transfer_id, account_id, side, amount) VALUES ($1, $2, 'CREDIT', 0)`, [rows[0].id, account.id])).rejects.toThrow(/amount_check/);
    await client.query('ROLLBACK TO SAVEPOINT tamper');
    const again = await client.query(`INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, result, key_scope, key_owner_id) VALUES ('SETTLE_HAND', $1, 'h', '{}', 'SERVER', 0) RETURNING id`, [uniqueKey()]);
    await expect(client.query(`INSERT INTO ledger_entries (transfer_id, account_id, side, amount) VALUES ($1, $2, 'CREDIT', 5)`, [again.rows[0].id, account.id])).rejects.toThrow(/does not balance/);
    await client.query('ROLLBACK');
  });
});

describe('retries', () => {
  it('retries the whole transaction on serialization failures and deadlocks, then gives up with ledger/busy', async () => {
    const { inTransaction, isRetryable } = await import('../../server/ledger/db-helpers');
    const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };
    let calls = 0;
    const flaky = await inTransaction(t.db, policy, async (tx) => {
      calls++;
      if (calls < 3) await tx.$executeRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '${calls === 1 ? '40001' : '40P01'}'; END $$`);
      return { ok: true as const, value: calls };
    });
    expect(flaky).toEqual({ ok: true, value: 3 });
    let forever = 0;
    const busy = await inTransaction(t.db, policy, async (tx) => {
      forever++;
      await tx.$executeRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '40001'; END $$`);
      return { ok: true as const, value: 0 };
    });
    expect(busy.ok ? 'ok' : busy.error.code).toBe('ledger/busy');
    expect(forever).toBe(4);
    // Anything else is a bug and surfaces as an exception, not a retry.
    await expect(inTransaction(t.db, policy, async (tx) => {
      await tx.$executeRawUnsafe(`SELECT 1/0`);
      return { ok: true as const, value: 0 };
    })).rejects.toThrow();
    expect(isRetryable({ code: 'P2034' })).toBe(true);
    const wrapped = (code: string, message = 'x') => ({ code: 'P2010', message, meta: { driverAdapterError: { cause: { originalCode: code } } } });
    expect(isRetryable(wrapped('55P03'))).toBe(true); // lock_timeout
    expect(isRetryable(wrapped('40P01'))).toBe(true);
    expect(isRetryable(wrapped('23505', 'duplicate key value violates unique constraint "ledger_transfers_idempotency_key_key"'))).toBe(true);
    expect(isRetryable(wrapped('23505', 'duplicate key value violates unique constraint "users_username_key"'))).toBe(false);
    expect(isRetryable(wrapped('23514'))).toBe(false); // a CHECK violation is a bug, not contention
    expect(isRetryable(new Error('boom'))).toBe(false);
  });
});
