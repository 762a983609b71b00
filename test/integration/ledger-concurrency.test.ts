import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedServerKey } from '../../server/ledger/keys';
import { createTestDatabase, seedTable, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// Acceptance: 64 workers run 5,000 random operations over 50 users; afterwards
// reconcile is clean and every balance equals what the successful operations
// imply. The model works because each successful operation's effect is a set
// of balance deltas, and deltas commute: whatever order the database chose,
// the final balances are the sum of the deltas of the operations that succeeded.

const WORKERS = 64;
const OPERATIONS = 5_000;
const USERS = 50;
const TABLES = 8;
const SEATS = 6;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 24 });
});
afterAll(async () => {
  await t.close();
});

/** A small deterministic PRNG so a failure can be replayed (seed printed). */
function prng(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    state = (state ^ (state >>> 13)) >>> 0;
    return state % n;
  };
}

describe('ledger under concurrency', () => {
  it(`${WORKERS} workers x ${OPERATIONS} random operations keep every invariant`, async () => {
    const seed = Number(process.env.LEDGER_SEED ?? Date.now() % 1_000_000);
    const rand = prng(seed);
    const users = await seedUsers(t.db, USERS, 'conc');
    const [adminId] = await seedUsers(t.db, 1, 'admin');
    const tables = await Promise.all(Array.from({ length: TABLES }, () => seedTable(t.db, { minBuyIn: 20n, maxBuyIn: 2_000n, maxSeats: SEATS })));
    const expected = new Map<string, bigint>();
    const credit = (code: string, delta: bigint) => expected.set(code, (expected.get(code) ?? 0n) + delta);
    const counts: Record<string, { ok: number; failed: number }> = {};
    const count = (op: string, ok: boolean) => {
      counts[op] ??= { ok: 0, failed: 0 };
      counts[op][ok ? 'ok' : 'failed']++;
    };
    let next = 0;

    const operations: Record<string, () => Promise<void>> = {
      buyChips: async () => {
        const userId = users[rand(USERS)]!;
        const cents = BigInt(100 + rand(5_000));
        const r = await t.ledger.buyChips({ userId, amountCents: cents, idempotencyKey: uniqueKey('c') });
        count('buyChips', r.ok);
        if (r.ok) { credit(`wallet:${userId}`, r.value.chips); credit('cashier', -r.value.chips); }
      },
      buyIn: async () => {
        const userId = users[rand(USERS)]!;
        const table = tables[rand(TABLES)]!;
        const amount = BigInt(20 + rand(400));
        const r = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: rand(SEATS), amount, idempotencyKey: uniqueKey('b') });
        count('buyIn', r.ok);
        if (r.ok) { credit(`wallet:${userId}`, -amount); credit(`seat:${r.value.seatSessionId}`, amount); }
      },
      topUp: async () => {
        const seat = await randomOpenSeat();
        if (!seat) return;
        const amount = BigInt(1 + rand(200));
        const r = await t.ledger.topUp({ seatSessionId: seat.id, amount, idempotencyKey: uniqueKey('t') });
        count('topUp', r.ok);
        if (r.ok) { credit(`wallet:${seat.userId}`, -amount); credit(`seat:${seat.id}`, amount); }
      },
      cashOut: async () => {
        const seat = await randomOpenSeat();
        if (!seat) return;
        const r = await t.ledger.cashOut({ seatSessionId: seat.id, idempotencyKey: storedServerKey(uniqueKey('o')) });
        count('cashOut', r.ok);
        if (r.ok) { credit(`seat:${seat.id}`, -r.value.amount); credit(`wallet:${seat.userId}`, r.value.amount); }
      },
      adjust: async () => {
        const userId = users[rand(USERS)]!;
        const amount = BigInt(rand(400) - 200) || 1n;
        const r = await t.ledger.adjust({ userId, amount, reason: 'random', adminUserId: adminId!, idempotencyKey: uniqueKey('a') });
        count('adjust', r.ok);
        if (r.ok) { credit(`wallet:${userId}`, amount); credit('adjustments', -amount); }
      },
      settle: async () => {
        const table = tables[rand(TABLES)]!;
        const plan = await planHand(table.id);
        if (!plan) return;
        const r = await t.ledger.settleHand(plan.input);
        count('settle', r.ok);
        if (r.ok && !r.value.replayed) {
          for (const s of plan.input.seats) credit(`seat:${s.seatSessionId}`, s.won - s.contributed);
          credit(`rake:${table.id}`, plan.input.rake);
        }
      },
    };
    const names = Object.keys(operations);

    async function randomOpenSeat() {
      const open = await t.db.seatSession.findMany({ where: { status: 'OPEN', tableId: { in: tables.map((x) => x.id) } }, select: { id: true, userId: true } });
      return open.length === 0 ? null : open[rand(open.length)]!;
    }

    async function planHand(tableId: number) {
      const [table, seats] = await Promise.all([
        t.db.pokerTable.findUniqueOrThrow({ where: { id: tableId } }),
        t.db.seatSession.findMany({ where: { tableId, status: 'OPEN' }, include: { account: true } }),
      ]);
      if (seats.length < 2) return null;
      const stakes = seats.map((s) => (s.account!.balance > 0n ? BigInt(rand(Number(s.account!.balance < 100n ? s.account!.balance : 100n)) + 1) : 0n));
      const pot = stakes.reduce((a, b) => a + b, 0n);
      if (pot === 0n) return null;
      const rake = pot / 20n;
      const winner = rand(seats.length);
      return {
        input: {
          tableId, handNumber: table.handNumber + 1n, ownerEpoch: table.ownerEpoch, rake,
          commitment: 'c', seed: 's', record: {},
          seats: seats.map((s, i) => ({
            seatSessionId: s.id, userId: s.userId, seatIndex: s.seatIndex,
            contributed: stakes[i]!, won: i === winner ? pot - rake : 0n,
          })),
        },
      };
    }

    // Everyone starts with chips so that the other operations have something to move.
    for (const userId of users) {
      const r = await t.ledger.buyChips({ userId, amountCents: 5_000n, idempotencyKey: uniqueKey('seed') });
      if (!r.ok) throw new Error(r.error.code);
      credit(`wallet:${userId}`, r.value.chips);
      credit('cashier', -r.value.chips);
    }

    await Promise.all(Array.from({ length: WORKERS }, async () => {
      while (next < OPERATIONS) {
        next++;
        await operations[names[rand(names.length)]!]!();
      }
    }));

    const report = await t.ledger.reconcile();
    expect(report.violations, `seed ${seed}`).toEqual([]);
    const accounts = await t.db.account.findMany({ select: { code: true, balance: true } });
    const mismatches = accounts
      .filter((a) => (expected.get(a.code) ?? 0n) !== a.balance)
      .map((a) => `${a.code}: db ${a.balance}, expected ${expected.get(a.code) ?? 0n}`);
    expect(mismatches, `seed ${seed}`).toEqual([]);
    for (const op of names) expect(counts[op]?.ok ?? 0, `${op} never succeeded (seed ${seed})`).toBeGreaterThan(0);
    console.log(`seed ${seed}`, counts, `retries ${t.deps.stats?.retries}`);
  });
});
