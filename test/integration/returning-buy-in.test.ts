import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETURN_WINDOW_MINUTES } from '../../server/ledger/transactions';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';
import { seedTable, seedUsers, uniqueKey } from '../support/db';

// Coming back to a table (decision 036, PokerStars' rule for big-bet cash games): a player who
// leaves a table and sits at it again within two hours brings back at least the chips they
// left with, even above the table's maximum; all of a wallet that is short of it, if that is
// at least 90% of it. Checked in the buy-in's transaction, on real PostgreSQL, and over the
// public API (the sit's refusal, the range the sit dialog asks for).

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const ledger = () => s.server.ledger;

async function fundedUser(chips: bigint): Promise<number> {
  const [userId] = await seedUsers(s.t.db, 1, 'back');
  const bought = await ledger().buyChips({ userId: userId!, amountCents: chips, idempotencyKey: uniqueKey('buy') });
  expect(bought.ok).toBe(true);
  return userId!;
}

async function wallet(userId: number): Promise<bigint> {
  return (await s.t.db.account.findUnique({ where: { code: `wallet:${userId}` } }))?.balance ?? 0n;
}

async function sit(userId: number, tableId: number, amount: bigint, seatIndex = 0) {
  return ledger().buyIn({ userId, tableId, seatIndex, amount, idempotencyKey: uniqueKey('sit') });
}

/** Sits with `amount` and leaves with it: the seat's cash-out is `amount`. */
async function sitAndLeave(userId: number, tableId: number, amount: bigint, seatIndex = 0): Promise<bigint> {
  const seated = await sit(userId, tableId, amount, seatIndex);
  if (!seated.ok) throw new Error(seated.error.code);
  const out = await ledger().cashOut({ seatSessionId: seated.value.seatSessionId });
  if (!out.ok) throw new Error(out.error.code);
  return seated.value.seatSessionId;
}

const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

describe('the ledger: a return within two hours brings back what the seat left with', () => {
  it('refuses less, with the figures, changing nothing; takes the amount left with', async () => {
    const table = await seedTable(s.t.db, { minBuyIn: 40n, maxBuyIn: 200n });
    const userId = await fundedUser(1_000n);
    await sitAndLeave(userId, table.id, 150n);
    const before = await wallet(userId);
    const sessions = await s.t.db.seatSession.count({ where: { userId } });

    const less = await sit(userId, table.id, 100n);
    expect(code(less)).toBe('buyin/returning');
    const details = (less as { error: { details: Record<string, string> } }).error.details;
    expect(details).toMatchObject({ min: '150', leftWith: '150', shortBankrollMin: '135' });
    expect(Date.parse(details.until!) - Date.parse(details.leftAt!)).toBe(RETURN_WINDOW_MINUTES * 60_000);
    expect(await wallet(userId)).toBe(before);
    expect(await s.t.db.seatSession.count({ where: { userId } })).toBe(sessions);

    expect(code(await sit(userId, table.id, 149n))).toBe('buyin/returning');
    expect(code(await sit(userId, table.id, 150n))).toBe('ok');
  });

  it('a seat that left with more than the maximum comes back with all of it, and no more', async () => {
    const table = await seedTable(s.t.db, { minBuyIn: 40n, maxBuyIn: 200n });
    const [winner, loser] = [await fundedUser(1_000n), await fundedUser(1_000n)];
    const a = await sit(winner, table.id, 200n, 0);
    const b = await sit(loser, table.id, 200n, 1);
    if (!a.ok || !b.ok) throw new Error('sit');
    const settled = await ledger().settleHand({
      tableId: table.id, handNumber: 1n, ownerEpoch: 0n, rake: 0n, commitment: 'c', seed: 's', record: { log: [] },
      seats: [
        { seatSessionId: a.value.seatSessionId, userId: winner, seatIndex: 0, contributed: 150n, won: 300n },
        { seatSessionId: b.value.seatSessionId, userId: loser, seatIndex: 1, contributed: 150n, won: 0n },
      ],
    });
    expect(settled.ok).toBe(true);
    const out = await ledger().cashOut({ seatSessionId: a.value.seatSessionId });
    expect(out.ok && out.value.amount).toBe(350n);
    expect((await s.t.db.seatSession.findUniqueOrThrow({ where: { id: a.value.seatSessionId } })).leftWith).toBe(350n);

    expect(code(await sit(winner, table.id, 200n))).toBe('buyin/returning');
    const above = await sit(winner, table.id, 351n);
    expect(code(above)).toBe('buyin/above_max');
    expect((above as { error: { details: Record<string, string> } }).error.details.max).toBe('350');
    expect(code(await sit(winner, table.id, 350n))).toBe('ok');
    // The loser left with 50, above the table's minimum of 40: 50 it is.
    await ledger().cashOut({ seatSessionId: b.value.seatSessionId });
    expect(code(await sit(loser, table.id, 40n, 1))).toBe('buyin/returning');
    expect(code(await sit(loser, table.id, 50n, 1))).toBe('ok');
  });

  it('lapses after two hours; applies to that table and that player only', async () => {
    const table = await seedTable(s.t.db, { minBuyIn: 40n, maxBuyIn: 200n });
    const other = await seedTable(s.t.db, { minBuyIn: 40n, maxBuyIn: 200n });
    const userId = await fundedUser(1_000n);
    const someoneElse = await fundedUser(1_000n);
    const session = await sitAndLeave(userId, table.id, 180n);
    expect(code(await sit(userId, other.id, 40n))).toBe('ok');
    expect(code(await sit(someoneElse, table.id, 40n, 1))).toBe('ok');
    const backdate = (minutes: number) => s.t.db.$executeRawUnsafe(
      `UPDATE seat_sessions SET closed_at = now() - make_interval(mins => $2) WHERE id = $1::bigint`, session.toString(), minutes,
    );
    await backdate(RETURN_WINDOW_MINUTES - 1);
    expect(code(await sit(userId, table.id, 40n, 2))).toBe('buyin/returning');
    await backdate(RETURN_WINDOW_MINUTES + 1);
    expect(code(await sit(userId, table.id, 40n, 2))).toBe('ok');
  });

  it('a short wallet may bring all it holds if that is at least 90% of what the seat left with', async () => {
    const table = await seedTable(s.t.db, { minBuyIn: 40n, maxBuyIn: 200n });
    const userId = await fundedUser(200n);
    const [admin] = await seedUsers(s.t.db, 1, 'admin');
    await sitAndLeave(userId, table.id, 200n);
    const spend = async (chips: bigint) => {
      const adjusted = await ledger().adjust({ userId, amount: -chips, reason: 'test: a smaller wallet', adminUserId: admin!, idempotencyKey: uniqueKey('adj') });
      expect(adjusted.ok).toBe(true);
    };
    await spend(15n); // 185 left: at least 180
    expect(code(await sit(userId, table.id, 182n))).toBe('buyin/returning'); // not all of it
    expect(code(await sit(userId, table.id, 185n))).toBe('ok');
    const open = await s.t.db.seatSession.findFirstOrThrow({ where: { userId, status: 'OPEN' } });
    await ledger().cashOut({ seatSessionId: open.id }); // left with 185 now
    await spend(20n); // 165 left: below 167 (90% of 185)
    expect(code(await sit(userId, table.id, 165n))).toBe('buyin/returning');
    expect(await wallet(userId)).toBe(165n);
  });

  it('a leave and a smaller sit racing: the sit never gets in below what the seat left with', async () => {
    const table = await seedTable(s.t.db, { minBuyIn: 40n, maxBuyIn: 200n, maxSeats: 2 });
    const userId = await fundedUser(10_000n);
    for (let round = 0; round < 15; round++) {
      const seated = await sit(userId, table.id, 200n);
      if (!seated.ok) throw new Error(`round ${round}: ${seated.error.code}`);
      const [out, again] = await Promise.all([
        ledger().cashOut({ seatSessionId: seated.value.seatSessionId }),
        sit(userId, table.id, 50n, 1),
      ]);
      expect(out.ok).toBe(true);
      expect(['seat/already_seated', 'buyin/returning']).toContain(code(again));
    }
    expect(await s.t.db.seatSession.count({ where: { userId, status: 'OPEN' } })).toBe(0);
    expect(await wallet(userId)).toBe(10_000n);
    const report = await ledger().reconcile();
    expect(report.ok, JSON.stringify(report)).toBe(true);
  });
});

describe('over the public API', () => {
  it('the sit is refused with what to bring; the buy-in range says so before; another player sees the table range', async () => {
    const table = s.server.registry.listLobby().find((t) => t.maxSeats === 6 && t.variant === 'NLHE')!;
    const carol = await TestClient.signup(s.url, 'carol36');
    const dave = await TestClient.signup(s.url, 'dave36');
    await carol.buyChips(2_000);
    await carol.connect();
    await carol.watch(table.id);
    const range0 = await carol.http<{ ok: boolean; min: number; max: number; returning: unknown }>('GET', `/api/tables/${table.id}/buy-in`);
    expect(range0.body).toMatchObject({ ok: true, min: table.minBuyIn, max: table.maxBuyIn, returning: null });

    const sat = await carol.emit('table:sit', { tableId: table.id, seat: 2, buyIn: table.maxBuyIn, idempotencyKey: uniqueKey('sit') });
    expect(sat.ok).toBe(true);
    const left = await carol.emit('table:leave', { tableId: table.id });
    expect(left.ok).toBe(true);
    await carol.until(() => s.server.registry.get(table.id)!.seatsTaken() === 0, 15_000, 'the seat closed');
    await s.server.registry.get(table.id)!.idle();

    const range = await carol.http<{ ok: boolean; min: number; max: number; returning: { leftWith: number; until: string; shortBankrollMin: number } }>('GET', `/api/tables/${table.id}/buy-in`);
    expect(range.body).toMatchObject({ ok: true, min: table.maxBuyIn, max: table.maxBuyIn, returning: { leftWith: table.maxBuyIn } });
    expect(Date.parse(range.body.returning.until)).toBeGreaterThan(Date.now() + (RETURN_WINDOW_MINUTES - 1) * 60_000);

    const before = (await carol.http<{ balance: number }>('GET', '/api/wallet')).body.balance;
    const refused = await carol.emit('table:sit', { tableId: table.id, seat: 2, buyIn: table.minBuyIn, idempotencyKey: uniqueKey('sit') });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('buyin/returning');
    expect(refused.error.message).toContain(`with ${table.maxBuyIn} chips`);
    expect((refused.error as { details?: Record<string, string> }).details).toMatchObject({ min: String(table.maxBuyIn), leftWith: String(table.maxBuyIn) });
    expect((await carol.http<{ balance: number }>('GET', '/api/wallet')).body.balance).toBe(before);
    expect(s.server.registry.get(table.id)!.seatsTaken()).toBe(0);

    // Another player: the table's own range; nobody signed in: 401; no such table: 404.
    expect((await dave.http<{ min: number; returning: unknown }>('GET', `/api/tables/${table.id}/buy-in`)).body).toMatchObject({ min: table.minBuyIn, returning: null });
    const anonymous = await fetch(`${s.url}/api/tables/${table.id}/buy-in`);
    expect(anonymous.status).toBe(401);
    expect((await dave.http('GET', '/api/tables/999999/buy-in')).status).toBe(404);
    expect((await dave.http('GET', '/api/tables/0/buy-in')).status).toBe(400);

    const back = await carol.emit('table:sit', { tableId: table.id, seat: 2, buyIn: table.maxBuyIn, idempotencyKey: uniqueKey('sit') });
    expect(back.ok).toBe(true);
    carol.close();
    dave.close();
  });

  it('the range says when all of a short wallet will do, and not while chips sit at another table', async () => {
    const [table, other] = await Promise.all(['Back 36 a', 'Back 36 b'].map(async (name) => {
      const created = await s.server.registry.createTable({ name, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 });
      if (!created.ok) throw new Error(created.error.message);
      return created.value;
    }));
    const erin = await TestClient.signup(s.url, 'erin36');
    await erin.buyChips(200);
    await erin.connect();
    await erin.watch(table!.id);
    expect((await erin.emit('table:sit', { tableId: table!.id, seat: 4, buyIn: 200, idempotencyKey: uniqueKey('sit') })).ok).toBe(true);
    expect((await erin.emit('table:leave', { tableId: table!.id })).ok).toBe(true);
    await erin.until(() => s.server.registry.get(table!.id)!.seatOf(erin.userId) === null, 15_000, 'the seat closed');
    await s.server.registry.get(table!.id)!.idle();
    type Range = { min: number; returning: { leftWith: number; shortBankroll: number | null } };
    const range = async () => (await erin.http<Range>('GET', `/api/tables/${table!.id}/buy-in`)).body;
    expect(await range()).toMatchObject({ min: 200, returning: { leftWith: 200, shortBankroll: null } });

    const [admin] = await seedUsers(s.t.db, 1, 'admin36');
    expect((await ledger().adjust({ userId: erin.userId, amount: -15n, reason: 'test: a smaller wallet', adminUserId: admin!, idempotencyKey: uniqueKey('adj') })).ok).toBe(true);
    expect(await range()).toMatchObject({ min: 200, returning: { shortBankroll: 185 } });

    // 45 of the 185 on another table: the wallet (140) is no longer all she has, nor 90% of 200.
    await erin.watch(other!.id);
    expect((await erin.emit('table:sit', { tableId: other!.id, seat: 5, buyIn: 45, idempotencyKey: uniqueKey('sit') })).ok).toBe(true);
    expect(await range()).toMatchObject({ returning: { shortBankroll: null } });
    erin.close();
  });
});
