import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../server/ledger/reconcile';
import type { TableFrame } from '../../server/protocol';
import { autoplay, type Chooser } from '../support/autoplay';
import { insertTable } from '../../server/tables/store';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TestClient } from '../support/poker-client';
import { freePort, startRedis, stopEveryRedis } from '../support/redis';
import { startTestServer, type TestServer } from '../support/server';
import { sleep, until as pollUntil } from '../support/lease-cluster';

// A table command forwarded by one node to the table's owner over a Redis connection that
// breaks just after it carried the request (decision 020, amended): the PUBLISH reached Redis
// and the owner, its reply did not come back. node-redis rejects every command waiting for a
// reply when its socket closes, and reconnects at once; the forwarding node took the rejection
// for "not sent" and sent the command again. Keyless sits, top-ups and leaves (the protocol
// allows them) ran twice: a second top-up, and answers that said "already seated" or "not
// seated" about a command that had worked. Two nodes in this process, a Redis of the test's
// own, node A's Redis connections through a proxy the test breaks; over the public API only.

const TTL_MS = 2_000;
let t: TestDatabase;
let redisUrl: string;
const servers: TestServer[] = [];
const clients: TestClient[] = [];
const tables: number[] = [];

/**
 * A TCP proxy to Redis. `breakAfter(marker)`: the next chunk a client sends that contains
 * `marker` is passed on to Redis; when Redis answers it, the answer is dropped and that
 * connection cut in both directions. Redis has run the command (a PUBLISH: delivered to its
 * subscribers); the client never hears so. The node the PUBLISH went to is still running it
 * then (it needs the database), so its reply always comes after the cut.
 */
interface HiccupProxy {
  url: string;
  breakAfter(marker: string): Promise<void>;
  close(): Promise<void>;
}

async function hiccupProxy(target: URL): Promise<HiccupProxy> {
  let armed: { marker: string; done: () => void } | null = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut).on('error', cut);
    upstream.on('close', cut).on('error', cut);
    let sprung: (() => void) | null = null;
    upstream.on('data', (chunk) => {
      if (!sprung) return void client.write(chunk);
      cut(); // Redis's answer to the trapped chunk: dropped
      sprung();
    });
    client.on('data', (chunk) => {
      upstream.write(chunk);
      const trap = armed;
      if (trap && chunk.includes(trap.marker)) {
        armed = null;
        sprung = trap.done;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    breakAfter: (marker) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing sent through the proxy contained ${marker}`)), 10_000);
      armed = { marker, done: () => (clearTimeout(timer), resolve()) };
    }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let proxy: HiccupProxy;

async function startNode(id: string, url: string): Promise<TestServer> {
  const server = await startTestServer({
    database: t,
    env: { REDIS_URL: url, NODE_ID: id, LEASE_TTL_MS: String(TTL_MS), LEDGER_THREAD: 'main' },
    tableSettings: { handIntervalMs: 200, disconnectGraceMs: 30_000 },
  });
  servers.push(server);
  return server;
}

/** Every 100 ms. */
const until = (check: () => Promise<boolean>, withinMs: number, what: string) => pollUntil(check, withinMs, what, 100);

async function owners(): Promise<Map<number, string>> {
  const rows = await t.db.$queryRawUnsafe<{ table_id: number; node_id: string }[]>(
    `SELECT table_id, node_id FROM table_leases WHERE expires_at > clock_timestamp()`,
  );
  return new Map(rows.map((r) => [r.table_id, r.node_id]));
}

beforeAll(async () => {
  const redis = await startRedis(await freePort());
  redisUrl = redis.url;
  proxy = await hiccupProxy(new URL(redisUrl));
  t = await createTestDatabase({ poolMax: 20 });
  for (let i = 0; i < 2; i++) {
    const row = await insertTable(t.db, {
      name: `forward-${i}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 20_000,
    });
    tables.push(row.id);
  }
  await startNode('fwd-b', redisUrl);
  await startNode('fwd-a', proxy.url);
  await until(async () => new Set((await owners()).values()).size === 2, 20_000, 'one table on each node');
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
  await proxy?.close();
  await stopEveryRedis();
  await t?.close();
});

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

describe('a forwarded command whose Redis connection breaks after it was sent', () => {
  it('a keyless sit, top-up and leave each run once on the owner, and their answers are the ones of that run', async () => {
    const [a, b] = [servers.find((s) => s.server.registry.nodeId === 'fwd-a')!, servers.find((s) => s.server.registry.nodeId === 'fwd-b')!];
    const tableId = [...(await owners())].find(([, node]) => node === 'fwd-b')![0];
    // The player's socket is on node A; the table is node B's: every command is forwarded.
    const c = await TestClient.signup(a.url, `fwd_${process.pid % 1000}`);
    await c.buyChips(10_000);
    await c.connect();
    clients.push(c);
    const count = (kind: 'BUY_IN' | 'TOP_UP' | 'CASH_OUT') => t.db.ledgerTransfer.count({ where: { actorUserId: c.userId, kind } });
    // Each request's PUBLISH (its payload names the command) is the last thing that connection carries.
    const hiccup = async <T extends object>(name: string, payload: object) => {
      const broken = proxy.breakAfter(`"name":"${name}"`);
      const ack = await c.emit<T>(name, payload);
      await broken;
      return ack;
    };

    // Each answer and what it did, compared at the end (so that a failure shows all three).
    const sat = await hiccup<{ seat: number; stack: number }>('table:sit', { tableId, seat: 1, buyIn: 100 });
    const buyIns = await count('BUY_IN');
    const topped = await hiccup<{ stack?: number }>('table:top_up', { tableId, amount: 50 });
    await sleep(200);
    const topUps = await count('TOP_UP');
    const seat = await t.db.seatSession.findFirst({ where: { tableId, userId: c.userId, status: 'OPEN' }, include: { account: true } });
    const left = await hiccup<{ cashedOut?: number }>('table:leave', { tableId });
    await sleep(200);
    expect({
      sat, buyIns, topped, topUps, stack: seat?.account?.balance, left,
      cashOuts: await count('CASH_OUT'),
      open: await t.db.seatSession.count({ where: { tableId, userId: c.userId, status: 'OPEN' } }),
    }).toMatchObject({
      sat: { ok: true, seat: 1, stack: 100 }, buyIns: 1,
      topped: { ok: true, pending: false, stack: 150 }, topUps: 1, stack: 150n,
      left: { ok: true, pending: false, cashedOut: 150 }, cashOuts: 1, open: 0,
    });
    await expectMoneyConserved();
  });
});

describe('an act decided on the old owner\'s frames, arriving after the table moved', () => {
  // The table's seq counted from 0 again on every owner: an act sent on the old owner's frame of
  // seq k (delayed in a frozen owner's socket, or sent again after `table/unavailable`) matched
  // the new owner's state once its own seq reached k, and was played in a hand its sender never
  // saw. Seqs now start at each owner epoch's own range (docs/protocol.md), so no seq of an old
  // owner is ever current at a new one.
  it('is refused seq/stale, and the new owner\'s hand does not move', async () => {
    const oldOwner = servers.find((s) => s.server.registry.nodeId === 'fwd-a')!;
    const next = servers.find((s) => s.server.registry.nodeId === 'fwd-b')!;
    const tableId = [...(await owners())].find(([, node]) => node === 'fwd-a')![0];
    // Both players' sockets on the node that stays; the table's owner drains and hands it over.
    const players: TestClient[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await TestClient.signup(next.url, `fwd_seq_${i}_${process.pid % 1000}`);
      await c.buyChips(10_000);
      await c.connect();
      clients.push(c);
      await c.watch(tableId);
      expect(await c.emit('table:sit', { tableId, seat: i, buyIn: 200, idempotencyKey: `fwd-seq-${i}-${Date.now()}` })).toMatchObject({ ok: true });
      players.push(c);
    }
    const passive: Chooser = (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' });
    const autos = players.map((c) => autoplay(c, tableId, passive));
    await until(async () => (await t.db.hand.count({ where: { tableId } })) >= 3, 30_000, 'three hands on the first owner');
    const oldEpoch = players[0]!.epochs.get(tableId)!;

    const drained = oldOwner.close();
    servers.splice(servers.indexOf(oldOwner), 1);
    await drained;
    await until(async () => (await owners()).get(tableId) === 'fwd-b', 10_000, 'the other node owns the table');
    // The new owner deals; the players stop acting once one of them is to act in its hand.
    await until(async () => players.some((c) => c.epochs.get(tableId) !== oldEpoch && c.legal.get(tableId)?.legal), 15_000, 'a turn at the new owner');
    for (const a of autos) a.stop();
    await sleep(300);
    const [toAct] = players.filter((c) => c.epochs.get(tableId) !== oldEpoch && c.legal.get(tableId)?.legal);
    expect(toAct).toBeDefined();
    const before = await toAct!.snapshot(tableId);
    expect(before.epoch).not.toBe(oldEpoch);

    // The acts it could have decided on the old owner's frames, up to the new owner's seq.
    const oldSeqs = (toAct!.frames as TableFrame[]).filter((f) => f.tableId === tableId && f.epoch === oldEpoch).map((f) => f.seq);
    const stale = [...new Set(oldSeqs)].filter((seq) => seq <= before.seq).sort((a, b) => b - a).slice(0, 3);
    expect(stale.length).toBeGreaterThan(0);
    const answers: string[] = [];
    for (const seq of stale) {
      const ack = await toAct!.emit('table:act', { tableId, action: before.you!.legal!.canCheck ? 'check' : 'call', seq });
      answers.push(ack.ok ? `ok at ${seq}` : ack.error.code);
    }
    const after = await toAct!.snapshot(tableId);
    expect({ answers, seq: after.seq, hand: after.view.handId }).toEqual({ answers: stale.map(() => 'seq/stale'), seq: before.seq, hand: before.view.handId });

    // The current seq still plays.
    const acted = await toAct!.emit('table:act', { tableId, action: before.you!.legal!.canCheck ? 'check' : 'call', seq: before.seq });
    expect(acted.ok, JSON.stringify(acted)).toBe(true);
    for (const c of players) {
      await until(async () => (await c.emit('table:leave', { tableId })).ok, 10_000, 'a leave');
    }
    await until(async () => (await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })) === 0, 20_000, 'the seats closed');
    await expectMoneyConserved();
  });
});
