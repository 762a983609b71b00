import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../server/ledger/reconcile';
import { autoplay, type Chooser } from '../support/autoplay';
import { insertTable } from '../../server/tables/store';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TestClient } from '../support/poker-client';
import { freePort, startRedis, stopEveryRedis, type OwnRedis } from '../support/redis';
import { startTestServer, type TestServer } from '../support/server';
import { sleep, until as pollUntil } from '../support/lease-cluster';

// A hostile client against two cluster nodes in this process (a Redis of the test's own,
// one PostgreSQL), over the public API only: HTTP and sockets on either node. The same
// table command sent through the owner and through the other node; one idempotency key
// reused across nodes, with the same content (answered with the first result) and with
// another (refused, never applied twice), also at the same moment on two tables owned by
// two nodes; stale `seq`s forwarded; top-ups and leaves while the owner drains. After
// each: reconcile clean and every chip accounted for.

const TTL_MS = 2_000;
let t: TestDatabase;
let redisUrl: string;
let redisProc: OwnRedis['proc'];
const servers: TestServer[] = [];
const clients: TestClient[] = [];
let tables: number[] = [];

async function startNode(id: string): Promise<TestServer> {
  const server = await startTestServer({
    database: t,
    env: { REDIS_URL: redisUrl, NODE_ID: id, LEASE_TTL_MS: String(TTL_MS), LEDGER_THREAD: 'main', DRAIN_GRACE_MS: '4000' },
    tableSettings: { handIntervalMs: 200, disconnectGraceMs: 30_000 },
  });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  const redis = await startRedis(await freePort());
  redisUrl = redis.url;
  redisProc = redis.proc;
  t = await createTestDatabase({ poolMax: 20 });
  for (let i = 0; i < 2; i++) {
    const row = await insertTable(t.db, {
      name: `attack-${i}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 20_000,
    });
    tables.push(row.id);
  }
  await startNode('atk-a');
  await startNode('atk-b');
  // The first node up took both tables; it hands one to the other (rebalancing).
  await until(async () => new Set((await owners()).values()).size === 2, 20_000, 'one table on each node');
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
  await stopEveryRedis();
  await t?.close();
});

/** Every 100 ms. */
const until = (check: () => Promise<boolean>, withinMs: number, what: string) => pollUntil(check, withinMs, what, 100);

async function owners(): Promise<Map<number, string>> {
  const rows = await t.db.$queryRawUnsafe<{ table_id: number; node_id: string }[]>(
    `SELECT table_id, node_id FROM table_leases WHERE expires_at > clock_timestamp()`,
  );
  return new Map(rows.map((r) => [r.table_id, r.node_id]));
}

function serverOf(nodeId: string): TestServer {
  return servers.find((s) => s.server.registry.nodeId === nodeId && !closed.has(s))!;
}
const closed = new Set<TestServer>();

/** The owner of `tableId` and a node that does not own it. */
async function sides(tableId: number): Promise<{ owner: TestServer; other: TestServer }> {
  const ownerId = (await owners()).get(tableId)!;
  const owner = serverOf(ownerId);
  const other = servers.find((s) => s !== owner && !closed.has(s))!;
  return { owner, other };
}

let userCount = 0;
/** A player with chips and a socket on each of the given servers (same session). */
async function player(on: TestServer[], cents = 10_000): Promise<TestClient[]> {
  const first = await TestClient.signup(on[0]!.url, `atk_${process.pid % 1000}_${userCount++}`);
  await first.buyChips(cents);
  const sockets = [first, ...on.slice(1).map((s) => new TestClient(s.url, first.cookie, first.username))];
  for (const [i, c] of sockets.entries()) {
    c.userId = first.userId;
    await c.connect();
    clients.push(c);
    if (i > 0) await sleep(0);
  }
  return sockets;
}

/** Chips the users bought equal their wallets, their open seats and the rake; reconcile is clean. */
async function expectMoneyConserved(): Promise<void> {
  const check = await reconcile(t.db);
  expect(check.violations.map((v) => v.message)).toEqual([]);
  const [sums] = await t.db.$queryRawUnsafe<{ bought: bigint; held: bigint }[]>(
    `SELECT (SELECT COALESCE(sum(chips), 0) FROM chip_purchases)::bigint AS bought,
            (SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind IN ('WALLET', 'SEAT', 'RAKE', 'POT'))::bigint AS held`,
  );
  expect(sums!.held).toBe(sums!.bought);
}

async function transfers(userId: number, kind: 'BUY_IN' | 'TOP_UP' | 'CASH_OUT'): Promise<number> {
  return t.db.ledgerTransfer.count({ where: { actorUserId: userId, kind } });
}

describe('two nodes, one hostile client', () => {
  it('a sit and a top-up replayed through the other node are answered with the first result; the same key with other content is refused; nothing is applied twice', async () => {
    const tableId = tables[0]!;
    const { owner, other } = await sides(tableId);
    const [viaOther, viaOwner] = await player([other, owner]);
    const sitKey = `sit-${Date.now()}`;
    const first = await viaOther!.emit<{ seat: number; stack: number }>('table:sit', { tableId, seat: 2, buyIn: 100, idempotencyKey: sitKey });
    expect(first).toMatchObject({ ok: true, seat: 2, stack: 100 });
    // The same request through the owner, and again through the other node: the first answer.
    for (const via of [viaOwner!, viaOther!]) {
      expect(await via.emit('table:sit', { tableId, seat: 2, buyIn: 100, idempotencyKey: sitKey })).toMatchObject({ ok: true, seat: 2, stack: 100 });
    }
    // The same key, another seat or amount: refused, whichever node it comes through.
    for (const [via, body] of [[viaOwner!, { seat: 3, buyIn: 100 }], [viaOther!, { seat: 2, buyIn: 150 }]] as const) {
      const again = await via.emit('table:sit', { tableId, ...body, idempotencyKey: sitKey });
      expect(again.ok ? 'ok' : again.error.code).toBe('idempotency/key_reused');
    }
    expect(await transfers(viaOther!.userId, 'BUY_IN')).toBe(1);

    const topKey = `top-${Date.now()}`;
    const topped = await viaOwner!.emit<{ stack?: number }>('table:top_up', { tableId, amount: 50, idempotencyKey: topKey });
    expect(topped.ok).toBe(true);
    for (const via of [viaOther!, viaOwner!]) {
      const replay = await via.emit('table:top_up', { tableId, amount: 50, idempotencyKey: topKey });
      expect(replay.ok, JSON.stringify(replay)).toBe(true);
      const reused = await via.emit('table:top_up', { tableId, amount: 30, idempotencyKey: topKey });
      expect(reused.ok ? 'ok' : reused.error.code).toBe('idempotency/key_reused');
    }
    await until(async () => (await t.db.seatIntent.count({ where: { seatSession: { userId: viaOther!.userId } } })) === 0, 10_000, 'no pending top-up');
    expect(await transfers(viaOther!.userId, 'TOP_UP')).toBe(1);
    const seat = await t.db.seatSession.findFirstOrThrow({ where: { tableId, userId: viaOther!.userId, status: 'OPEN' }, include: { account: true } });
    expect(seat.account!.balance).toBe(150n);
    expect((await viaOther!.emit('table:leave', { tableId })).ok).toBe(true);
    await until(async () => (await t.db.seatSession.count({ where: { userId: viaOther!.userId, status: 'OPEN' } })) === 0, 10_000, 'the seat closed');
    await expectMoneyConserved();
  });

  it('one key sent at the same moment to two tables owned by two nodes, through both nodes: one sit is applied, the other refused', async () => {
    const [a, b] = servers.filter((s) => !closed.has(s));
    for (let round = 0; round < 3; round++) {
      const [onA, onB] = await player([a!, b!]);
      const key = `twin-${round}-${Date.now()}`;
      const answers = await Promise.all([
        onA!.emit('table:sit', { tableId: tables[0], seat: 4, buyIn: 60, idempotencyKey: key }),
        onB!.emit('table:sit', { tableId: tables[1], seat: 4, buyIn: 60, idempotencyKey: key }),
      ]);
      const codes = answers.map((r) => (r.ok ? 'ok' : r.error.code)).sort();
      expect(codes).toEqual(['idempotency/key_reused', 'ok']);
      expect(await transfers(onA!.userId, 'BUY_IN')).toBe(1);
      expect(await t.db.seatSession.count({ where: { userId: onA!.userId } })).toBe(1);
      const sat = answers.findIndex((r) => r.ok);
      expect((await [onA!, onB!][sat]!.emit('table:leave', { tableId: tables[sat] })).ok).toBe(true);
    }
    await until(async () => (await t.db.seatSession.count({ where: { status: 'OPEN', tableId: { in: tables } } })) === 0, 10_000, 'every seat closed');
    await expectMoneyConserved();
  });

  it('a stale seq, and an act replayed through the other node once it ran, are refused: the hand moves once per action', async () => {
    const tableId = tables[1]!;
    const { owner, other } = await sides(tableId);
    const seated = [await player([other, owner]), await player([other, owner])];
    for (const [i, [viaOther]] of seated.entries()) {
      await viaOther!.watch(tableId);
      expect(await viaOther!.emit('table:sit', { tableId, seat: i, buyIn: 100, idempotencyKey: `seq-${i}-${Date.now()}` })).toMatchObject({ ok: true });
    }
    // Whoever is to act first in the hand, as their own feed (through the other node) says.
    let actor: TestClient[] | undefined;
    await until(async () => {
      actor = seated.find(([c]) => c!.legal.get(tableId)?.legal);
      return actor !== undefined;
    }, 10_000, 'a player to act');
    const [viaOther, viaOwner] = actor!;
    const { seq } = viaOther!.legal.get(tableId)!;
    const stale = await viaOther!.emit('table:act', { tableId, action: 'call', seq: seq - 1 });
    expect(stale.ok ? 'ok' : stale.error.code).toBe('seq/stale');
    const acted = await viaOther!.emit<{ seq: number }>('table:act', { tableId, action: 'call', seq });
    expect(acted, JSON.stringify(acted)).toMatchObject({ ok: true });
    // The same act again, through the owner and through the other node: the table has moved on.
    for (const via of [viaOwner!, viaOther!]) {
      const replay = await via.emit('table:act', { tableId, action: 'call', seq });
      expect(replay.ok ? 'ok' : replay.error.code).toMatch(/^(seq\/stale|turn\/not_your_turn)$/);
    }
    const after = await viaOwner!.snapshot(tableId);
    expect(after.seq).toBe(acted.ok ? acted.seq : -1);
    for (const [c] of seated) expect((await c!.emit('table:leave', { tableId })).ok).toBe(true);
    await until(async () => (await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })) === 0, 15_000, 'the seats closed');
    await expectMoneyConserved();
  });

  it('top-ups and leaves through the other node while the owner drains (SIGTERM): each answered ok or try again, applied at most once, and every chip accounted for', async () => {
    const tableId = tables[0]!;
    const { owner, other } = await sides(tableId);
    const players = [await player([other]), await player([other]), await player([other])].map(([c]) => c!);
    for (const [i, c] of players.entries()) {
      await c.watch(tableId);
      expect(await c.emit('table:sit', { tableId, seat: i, buyIn: 100, idempotencyKey: `drain-sit-${i}-${Date.now()}` })).toMatchObject({ ok: true });
    }
    const passive: Chooser = (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' });
    const autos = players.map((c) => autoplay(c, tableId, passive));
    await until(async () => (await t.db.hand.count({ where: { tableId } })) >= 1, 20_000, 'a hand settled');

    // The owner drains: the hand finishes, the lease is released, the other node claims it.
    const drained = owner.close();
    closed.add(owner);
    const keys: string[] = [];
    const answers: string[] = [];
    const ask = async (c: TestClient, key: string) => {
      for (;;) {
        const ack = await c.emit('table:top_up', { tableId, amount: 2, idempotencyKey: key });
        // The socket's own budget (the autoplayer shares it): not an answer about the top-up.
        if (!ack.ok && ack.error.code === 'rate/limited') {
          await sleep(250);
          continue;
        }
        answers.push(ack.ok ? 'ok' : ack.error.code);
        return ack.ok;
      }
    };
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 3_000) {
      // A top-up with a fresh key, then the same key again (a retry after an unclear answer).
      const c = players[n % 2]!;
      const key = `drain-top-${n++}-${Date.now()}`;
      keys.push(key);
      await ask(c, key);
      await ask(c, key);
      await sleep(150);
    }
    const leaving = players[2]!.emit('table:leave', { tableId });
    await drained;
    servers.splice(servers.indexOf(owner), 1);
    const left = await leaving;
    answers.push(left.ok ? 'ok' : left.error.code);
    await until(async () => (await owners()).get(tableId) === other.server.registry.nodeId, 10_000, 'the other node owns the table');
    // Retries of every key after the move: a replay or a late application, never a second one.
    for (const [i, key] of keys.entries()) {
      for (;;) {
        if (await ask(players[i % 2]!, key)) break;
        if (answers.at(-1) !== 'table/unavailable' && answers.at(-1) !== 'table/busy') break;
        await sleep(250);
      }
    }
    if (!left.ok) {
      await until(async () => (await players[2]!.emit('table:leave', { tableId })).ok, 10_000, 'the leave');
    }
    for (const a of autos) a.stop();
    expect(answers.filter((a) => !['ok', 'table/unavailable', 'table/busy'].includes(a))).toEqual([]);
    const [dup] = await t.db.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM (SELECT idempotency_key FROM ledger_transfers WHERE kind = 'TOP_UP' AND idempotency_key = ANY($1::text[])
         GROUP BY key_owner_id, idempotency_key HAVING count(*) > 1) d`, keys,
    );
    expect(dup!.n).toBe(0n);
    for (const c of players.slice(0, 2)) expect((await c.emit('table:leave', { tableId })).ok).toBe(true);
    await until(async () => (await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })) === 0, 20_000, 'the seats closed');
    await until(async () => (await t.db.seatIntent.count()) === 0, 10_000, 'no pending intent');
    await expectMoneyConserved();
    // No instant with two owners.
    const overlaps = await t.db.$queryRawUnsafe<{ table_id: number }[]>(
      `SELECT table_id FROM (SELECT table_id, ended_at, lead(acquired_at) OVER (PARTITION BY table_id ORDER BY acquired_at) AS next_start
         FROM table_lease_history) h WHERE next_start IS NOT NULL AND (ended_at IS NULL OR ended_at > next_start)`,
    );
    expect(overlaps).toEqual([]);
    await startNode('atk-a-2');
  });

  it('a forwarded top-up whose answer is carried late (Redis frozen after its commit) is answered table/unavailable; its retry with the same key answers the first result, applied once', async () => {
    // Decision 020's residual: the owner started and committed in time, but its answer reached
    // the forwarding node after that node stopped waiting. The player was told "try again";
    // the key makes the retry safe.
    // The node started after the drain takes one table over when it is up (rebalancing): wait for
    // that, or the table this test forwards through 'other' may move to it halfway through.
    await until(async () => (await owners()).size === 2 && new Set((await owners()).values()).size === 2, 30_000, 'one table on each node');
    const tableId = tables[1]!;
    const { owner, other } = await sides(tableId);
    const [viaOther] = await player([other]);
    expect(await viaOther!.emit('table:sit', { tableId, seat: 5, buyIn: 100, idempotencyKey: `late-sit-${Date.now()}` })).toMatchObject({ ok: true });
    expect(owner).toBeDefined();
    // Alone at the table: no hand, so the top-up goes straight to the ledger, where the wallet
    // row (held here) keeps it until just before its deadline (4 s after it was sent).
    const holder = await t.raw();
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM accounts WHERE code = $1 FOR UPDATE`, [`wallet:${viaOther!.userId}`]);
    const key = `late-top-${Date.now()}`;
    const sentAt = Date.now();
    const first = viaOther!.emit('table:top_up', { tableId, amount: 25, idempotencyKey: key }, 15_000);
    await sleep(3_500 - (Date.now() - sentAt));
    redisProc.kill('SIGSTOP');
    try {
      await holder.query('COMMIT'); // the top-up commits now, inside its deadline; its answer waits in Redis
      await until(async () => (await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } })) === 1, 2_000, 'the commit');
      const answer = await first;
      expect(answer.ok ? 'ok' : answer.error.code).toBe('table/unavailable');
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(5_000);
    } finally {
      redisProc.kill('SIGCONT');
    }
    let retry = await viaOther!.emit<{ stack?: number }>('table:top_up', { tableId, amount: 25, idempotencyKey: key });
    for (let i = 0; !retry.ok && retry.error.code === 'table/unavailable' && i < 20; i++) {
      await sleep(250); // Redis coming back
      retry = await viaOther!.emit<{ stack?: number }>('table:top_up', { tableId, amount: 25, idempotencyKey: key });
    }
    expect(retry).toMatchObject({ ok: true, stack: 125 });
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } })).toBe(1);
    const seat = await t.db.seatSession.findFirstOrThrow({ where: { tableId, userId: viaOther!.userId, status: 'OPEN' }, include: { account: true } });
    expect(seat.account!.balance).toBe(125n);
    expect((await viaOther!.emit('table:leave', { tableId })).ok).toBe(true);
    await until(async () => (await t.db.seatSession.count({ where: { tableId, userId: viaOther!.userId, status: 'OPEN' } })) === 0, 10_000, 'the seat closed');
    await expectMoneyConserved();
  });

  it('a top-up key applied through one node, reused with another amount during a hand through the other: a clear refusal, never a second top-up', async () => {
    // The node started after the drain takes one table over when it is up (rebalancing): wait for
    // that, or the table this test forwards through 'other' may move to it halfway through.
    await until(async () => (await owners()).size === 2 && new Set((await owners()).values()).size === 2, 30_000, 'one table on each node');
    const tableId = tables[1]!;
    const { owner, other } = await sides(tableId);
    const [aOther, aOwner] = await player([other, owner]);
    const [bOther] = await player([other]);
    await aOther!.watch(tableId);
    expect(await aOther!.emit('table:sit', { tableId, seat: 0, buyIn: 100, idempotencyKey: `reuse-sit-a-${Date.now()}` })).toMatchObject({ ok: true });
    const key = `reuse-top-${Date.now()}`;
    // Alone at the table: applied at once.
    expect(await aOwner!.emit('table:top_up', { tableId, amount: 10, idempotencyKey: key })).toMatchObject({ ok: true, pending: false, stack: 110 });
    expect(await bOther!.emit('table:sit', { tableId, seat: 1, buyIn: 100, idempotencyKey: `reuse-sit-b-${Date.now()}` })).toMatchObject({ ok: true });
    await until(async () => aOther!.view(tableId)?.handId != null, 10_000, 'a hand dealt');
    // The same key, another amount, through the other node while the hand is on: it waits for
    // the hand's end, where the ledger refuses it and the player is told why.
    const reused = await aOther!.emit('table:top_up', { tableId, amount: 30, idempotencyKey: key });
    if (reused.ok) {
      expect(reused).toMatchObject({ pending: true });
      const fold = async (c: TestClient) => {
        const legal = c.legal.get(tableId);
        if (legal?.legal) await c.emit('table:act', { tableId, action: 'fold', seq: legal.seq });
      };
      await bOther!.watch(tableId);
      await until(async () => {
        await fold(aOther!);
        await fold(bOther!);
        return aOther!.received.some((r) => r.event === 'table:notice' && r.json.includes('Top-up refused'));
      }, 15_000, 'the refusal notice');
    } else {
      expect(reused.error.code).toBe('idempotency/key_reused');
    }
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } })).toBe(1);
    for (const c of [aOther!, bOther!]) expect((await c.emit('table:leave', { tableId })).ok).toBe(true);
    await until(async () => (await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })) === 0, 15_000, 'the seats closed');
    await until(async () => (await t.db.seatIntent.count()) === 0, 10_000, 'no pending intent');
    await expectMoneyConserved();
  });

  it('a table created through one node (the other races to claim it) and closed through the other while players sit through both: one owner, closed for good, every chip back', async () => {
    const live = servers.filter((x) => !closed.has(x));
    const [a, b] = [live[0]!, live[1]!];
    const admin = await TestClient.signup(b.url, `atk_admin_${process.pid % 1000}`);
    await t.db.user.update({ where: { id: admin.userId }, data: { role: 'ADMIN' } });
    const made = await admin.http<{ ok: boolean; table: { id: number } }>('POST', '/api/admin/tables', {
      name: `Attack close ${Date.now()}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const tableId = made.body.table.id;
    tables = [...tables, tableId];
    await until(async () => (await owners()).has(tableId), 10_000, 'an owner for the new table');
    const history = await t.db.tableLeaseHistory.findMany({ where: { tableId } });
    expect(history.filter((h) => h.endReason === 'taken over')).toEqual([]);

    const sitters = await Promise.all([0, 1, 2, 3].map(async (i) => (await player([i % 2 ? a : b]))[0]!));
    const adminOnA = new TestClient(a.url, admin.cookie, admin.username);
    // Two sit at once; then the close through node a and two more sits through both nodes, at once.
    await Promise.all(sitters.slice(0, 2).map((c, i) => c.emit('table:sit', { tableId, seat: i, buyIn: 100, idempotencyKey: `close-sit-${i}-${Date.now()}` })));
    const [closeAnswer, ...late] = await Promise.all([
      adminOnA.http<{ ok: boolean }>('POST', `/api/admin/tables/${tableId}/close`, { now: true }),
      ...sitters.slice(2).map((c, i) => c.emit('table:sit', { tableId, seat: 2 + i, buyIn: 100, idempotencyKey: `close-late-${i}-${Date.now()}` })),
    ]);
    expect(closeAnswer.status, JSON.stringify(closeAnswer.body)).toBe(200);
    for (const ack of late) expect(ack.ok ? 'ok' : ack.error.code).toMatch(/^(ok|table\/closed)$/);
    await until(async () => (await t.db.pokerTable.findUniqueOrThrow({ where: { id: tableId } })).status === 'CLOSED', 15_000, 'the table closed');
    expect(await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })).toBe(0);
    const transfers = await t.db.ledgerTransfer.count({ where: { tableId } });
    const intervals = await t.db.tableLeaseHistory.count({ where: { tableId } });

    // Past its lease: nobody claims it again, sits through either node are refused as closed.
    await sleep(TTL_MS + 1_500);
    for (const c of sitters.slice(0, 2)) {
      const again = await c.emit('table:sit', { tableId, seat: 5, buyIn: 100, idempotencyKey: `close-after-${c.userId}` });
      expect(again.ok ? 'ok' : again.error.code).toBe('table/closed');
    }
    expect((await owners()).has(tableId)).toBe(false);
    expect(await t.db.tableLeaseHistory.count({ where: { tableId } })).toBe(intervals);
    expect(await t.db.ledgerTransfer.count({ where: { tableId } })).toBe(transfers);
    await expectMoneyConserved();
  });
});

