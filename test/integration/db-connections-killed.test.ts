import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoplay, prng, type AutoPlayer, type Chooser } from '../support/autoplay';
import { insertTable } from '../../server/tables/store';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TestClient } from '../support/poker-client';
import { startServerProcess, type ServerProcess } from '../support/server-process';

// The database goes away under play, again and again: every connection of the server (its
// main thread's pool and the ledger thread's) is terminated by PostgreSQL
// (pg_terminate_backend, what a failover or a restart of the database does) while two tables
// play, players buy chips and top up. A settlement, a top-up or a purchase may be cut at
// any statement, its COMMIT included (committed, but the answer lost). Afterwards the tables
// play on, no hand is settled twice, nobody's chips were made or lost, and reconcile is clean.

const CHAOS_MS = Number(process.env.DB_CHAOS_MS ?? 15_000);
const VICTIM = 'chaos_victim';

let t: TestDatabase;
let server: ServerProcess | null = null;
let killer: pg.Client;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 4 });
  killer = new pg.Client({ connectionString: t.url });
  await killer.connect();
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await killer?.end();
  await t?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Terminates every connection the server holds; returns how many. */
async function killServerConnections(): Promise<number> {
  const { rows } = await killer.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n
       FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
    [VICTIM],
  );
  return Number(rows[0]!.n);
}

/** Mostly calls and checks, a raise now and then: hands reach showdowns and move chips. */
function chooser(seed: number): Chooser {
  const rand = prng(seed);
  return (legal) => {
    if (legal.minRaiseTo !== undefined && rand(10) === 0) return { action: 'raise', amount: legal.minRaiseTo };
    if (legal.minBet !== undefined && rand(10) === 0) return { action: 'bet', amount: legal.minBet };
    return legal.canCheck ? { action: 'check' } : { action: 'call' };
  };
}

describe('PostgreSQL connections killed under play', () => {
  it('the tables play on, no hand settles twice, every chip is accounted for, reconcile is clean', async () => {
    const url = new URL(t.url);
    url.searchParams.set('application_name', VICTIM);
    const tables: number[] = [];
    for (const name of ['Chaos 1', 'Chaos 2']) {
      tables.push((await insertTable(t.db, {
        name, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10, actionTimeoutMs: 8_000,
      })).id);
    }
    server = await startServerProcess({
      DATABASE_URL: url.toString(), HOST: '127.0.0.1', LOG_LEVEL: 'error',
      HAND_INTERVAL_MS: '20', SHOWDOWN_HOLD_MS: '0', RUN_OUT_STREET_MS: '5', DISCONNECT_GRACE_MS: '60000', TIME_BANK_MS: '0',
    }, 120_000);
    const clients: TestClient[] = [];
    /** The chips of every purchase answered 200: what the ledger must hold, no more, no less. */
    let answeredChips = 0n;
    for (const [ti, tableId] of tables.entries()) {
      for (let seat = 0; seat < 3; seat++) {
        const c = await TestClient.signup(server.baseUrl, `chaos_${ti}_${seat}`);
        const first = await c.http<{ chips: number }>('POST', '/api/wallet/buy-chips', { amountCents: 10_000, idempotencyKey: `chaos-first-${ti}-${seat}` });
        expect(first.status).toBe(200);
        answeredChips += BigInt(first.body.chips);
        await c.connect();
        await c.watch(tableId);
        const sat = await c.emit('table:sit', { tableId, seat, buyIn: 100, idempotencyKey: `chaos-sit-${ti}-${seat}` });
        expect(sat.ok, JSON.stringify(sat)).toBe(true);
        clients.push(c);
      }
    }
    const tableOf = (i: number) => tables[Math.floor(i / 3)]!;
    const bots: AutoPlayer[] = clients.map((c, i) => autoplay(c, tableOf(i), chooser(i + 1)));
    const handsOf = () => t.db.hand.count({ where: { tableId: { in: tables } } });
    while ((await handsOf()) < 4) await sleep(100);

    // Chaos: connections killed every 150-650 ms, while players also buy chips and top up.
    const rand = prng(7);
    let kills = 0;
    let purchases = 0;
    const answers = new Map<string, number>();
    const count = (label: string) => answers.set(label, (answers.get(label) ?? 0) + 1);
    const started = Date.now();
    while (Date.now() - started < CHAOS_MS) {
      kills += await killServerConnections();
      const i = rand(clients.length);
      const c = clients[i]!;
      // A purchase cut by the database answers 503 (try again); tried again with its key it is
      // done once: the first answer if it had committed, else now.
      const key = `chaos-buy-${purchases++}`;
      for (let attempt = 0; ; attempt++) {
        const buy = await c.http<{ ok: boolean; chips?: number; error?: { code: string } }>('POST', '/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: key });
        count(`buy ${buy.status} ${buy.body.ok ? 'ok' : buy.body.error?.code}`);
        if (buy.status === 200) {
          answeredChips += BigInt(buy.body.chips!);
          break;
        }
        expect([buy.status, buy.body.error?.code]).toEqual([503, 'ledger/busy']);
        expect(attempt, 'a purchase refused 20 times').toBeLessThan(20);
        await sleep(100);
      }
      // A top-up cut by the database is refused with a code that says try again, never "no such table".
      const top = await c.emit('table:top_up', { tableId: tableOf(i), amount: 1 + rand(20), idempotencyKey: `chaos-top-${purchases}` });
      count(`top_up ${top.ok ? 'ok' : top.error.code}`);
      if (!top.ok && top.error.code === 'table/not_seated') {
        // Only a player who busted: a table loaded again cashes out a seat left with no chips
        // (as after a restart). Such a player buys in again.
        const last = await t.db.seatSession.findFirstOrThrow({ where: { userId: c.userId }, orderBy: { id: 'desc' }, include: { account: true } });
        expect([last.status, last.account!.balance]).toEqual(['CLOSED', 0n]);
        const again = await c.emit('table:sit', { tableId: tableOf(i), seat: last.seatIndex, buyIn: 100, idempotencyKey: `chaos-resit-${purchases}` });
        count(`resit ${again.ok ? 'ok' : again.error.code}`);
        continue;
      }
      if (!top.ok) expect(['table/unavailable', 'table/busy', 'ledger/busy', 'topup/pending', 'topup/above_max']).toContain(top.error.code);
      await sleep(150 + rand(500));
    }
    expect(kills).toBeGreaterThan(10);
    const bought = (await t.db.chipPurchase.findMany({ select: { chips: true } })).reduce((sum, p) => sum + p.chips, 0n);
    // Every purchase was done once, those the database cut included.
    expect(bought).toBe(answeredChips);

    // The database is back: both tables play on within 20 s.
    for (const tableId of tables) {
      const before = await t.db.hand.count({ where: { tableId } });
      const deadline = Date.now() + 20_000;
      while ((await t.db.hand.count({ where: { tableId } })) < before + 3) {
        if (Date.now() > deadline) throw new Error(`table ${tableId} did not play on after the chaos:\n${server.output().slice(-4000)}\n${JSON.stringify([...answers])}`);
        await sleep(100);
      }
    }

    // Everyone leaves (cashed out at the end of the hand). A leave during a hand folds it (at once
    // on one's turn, else when the turn comes), so the players stop first: a move sent after
    // one's own leave would only be refused table/not_seated.
    for (const b of bots) b.stop();
    await sleep(200);
    await Promise.all(clients.map(async (c, i) => {
      const left = await c.emit('table:leave', { tableId: tableOf(i) });
      // A player who busted and was cashed out has no seat to leave.
      if (!left.ok) expect([left.error.code, await t.db.seatSession.count({ where: { userId: c.userId, status: 'OPEN' } })]).toEqual(['table/not_seated', 0]);
    }));
    const deadline = Date.now() + 30_000;
    while ((await t.db.seatSession.count({ where: { tableId: { in: tables }, status: 'OPEN' } })) > 0) {
      if (Date.now() > deadline) throw new Error('seats still open 30 s after every player left');
      await sleep(100);
    }
    expect(bots.flatMap((b) => b.errors).filter((e) => !['ledger/busy', 'table/busy', 'table/unavailable'].includes(e))).toEqual([]);
    expect(server.child.exitCode).toBeNull();

    // No hand settled twice, and every settled hand has its record.
    const settlements = await t.db.ledgerTransfer.count({ where: { kind: 'SETTLE_HAND', tableId: { in: tables } } });
    expect(settlements).toBe(await handsOf());
    // Not a chip made or lost: the players' wallets and the tables' rake hold what was bought.
    const { rows } = await killer.query<{ players: string; rake: string; open: string }>(
      `SELECT (SELECT coalesce(sum(a.balance), 0) FROM accounts a JOIN users u ON u.id = a.user_id
                WHERE u.username LIKE 'chaos\\_%')::text AS players,
              (SELECT coalesce(sum(balance), 0) FROM accounts WHERE kind = 'RAKE' AND table_id = ANY($1::int[]))::text AS rake,
              (SELECT coalesce(sum(balance), 0) FROM accounts WHERE kind IN ('SEAT', 'POT') AND table_id = ANY($1::int[]))::text AS open`,
      [tables],
    );
    expect(BigInt(rows[0]!.open)).toBe(0n);
    expect(BigInt(rows[0]!.players) + BigInt(rows[0]!.rake)).toBe(bought);
    const report = await t.ledger.reconcile();
    expect(report.violations).toEqual([]);
    for (const c of clients) c.close();
    console.log(`db chaos: ${kills} connections killed in ${CHAOS_MS} ms; ${settlements} hands settled; ${JSON.stringify(Object.fromEntries(answers))}`);
  }, 180_000);
});
