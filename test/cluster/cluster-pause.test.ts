import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, ClusterNode } from '../../server/cluster/launch';
import { reconcile } from '../../server/ledger/reconcile';
import type { Ack } from '../../server/protocol';
import { autoplay, type AutoPlayer, type Chooser } from '../support/autoplay';
import type { TestDatabase } from '../support/db';
import { LEASE_TTL_MS, sleep, startLeaseCluster, until, type LeaseCluster } from '../support/lease-cluster';
import { TestClient } from '../support/poker-client';

// Two real nodes and a Redis of the test's own; one table, four players over the public API.
// The owner is SIGSTOPped past its lease while its players keep going: three through the other
// node (their top-ups and a leave are forwarded to the frozen owner, time out, and are retried
// with the same keys until the new owner answers), one through the frozen owner itself (its
// messages wait in the socket and reach the old owner when it runs again, before or after it
// notices that it lost the table). Every "ok" must take effect exactly once; every key is applied
// at most once; after it: reconcile clean, chips conserved, no instant with two owners, and
// every hand settled by the owner of its epoch inside that owner's interval.

const TTL_MS = LEASE_TTL_MS;
let t: TestDatabase;
let cluster: Cluster;
let tableId = 0;
let ownerOf: () => Promise<string | undefined>;
let harness: LeaseCluster | undefined;
const clients: TestClient[] = [];

beforeAll(async () => {
  harness = await startLeaseCluster('Pause');
  ({ t, cluster, tableId, ownerOf } = harness);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await harness?.close();
});

async function seated(node: ClusterNode, name: string, seat: number): Promise<TestClient> {
  const c = await TestClient.signup(node.url, name);
  await c.buyChips(10_000);
  await c.connect();
  clients.push(c);
  await c.watch(tableId);
  const sat = await c.emit('table:sit', { tableId, seat, buyIn: 100, idempotencyKey: `pause-sit-${name}` });
  expect(sat.ok, JSON.stringify(sat)).toBe(true);
  return c;
}

/** Sends until the answer is not "try again"; the key makes every retry the same request. */
async function retried(c: TestClient, event: string, payload: object): Promise<Ack> {
  for (let i = 0; ; i++) {
    const ack = await c.emit(event, payload, 12_000).catch(() => null);
    if (ack && (ack.ok || !['table/unavailable', 'table/busy', 'rate/limited', 'table/not_owner'].includes(ack.error.code))) return ack;
    if (i > 60) throw new Error(`${event} never answered: ${JSON.stringify(ack)}`);
    await sleep(500);
  }
}

describe('the owner SIGSTOPped past its lease while players act through both nodes', () => {
  it('every ok takes effect once, no key applies twice, and every chip is accounted for', async () => {
    await until(async () => (await ownerOf()) !== undefined, 20_000, 'an owner');
    const ownerId = (await ownerOf())!;
    const owner = cluster.nodes.find((n) => n.id === ownerId)!;
    const other = cluster.nodes.find((n) => n.id !== ownerId)!;
    const far = [await seated(other, 'pause_a', 0), await seated(other, 'pause_b', 1), await seated(other, 'pause_c', 2)];
    const near = await seated(owner, 'pause_near', 3);
    const passive: Chooser = (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' });
    const autos: AutoPlayer[] = [...far, near].map((c) => autoplay(c, tableId, passive));
    const hands = () => t.db.hand.count({ where: { tableId } });
    await until(async () => (await hands()) >= 2, 30_000, 'two hands');

    owner.kill('SIGSTOP');
    const stoppedAt = Date.now();
    // Through the frozen owner's own socket: they wait in its socket until it runs again.
    const nearTopUp = near.emit('table:top_up', { tableId, amount: 20, idempotencyKey: 'pause-near-top' }, 30_000).catch(() => null);
    const nearLeave = near.emit('table:leave', { tableId }, 30_000).catch(() => null);
    // Through the other node: forwarded to the frozen owner (time-outs), then the new owner.
    const farTopUps = far.slice(0, 2).map((c, i) => retried(c, 'table:top_up', { tableId, amount: 30, idempotencyKey: `pause-far-top-${i}` }));
    const farLeave = retried(far[2]!, 'table:leave', { tableId });
    await until(async () => (await ownerOf()) === other.id, TTL_MS + 10_000, 'the other node owns the table');
    await sleep(Math.max(0, TTL_MS + 1_000 - (Date.now() - stoppedAt)));
    owner.kill('SIGCONT');

    const answers = { nearTopUp: await nearTopUp, nearLeave: await nearLeave, farTopUps: await Promise.all(farTopUps), farLeave: await farLeave };
    for (const ack of [...answers.farTopUps, answers.farLeave]) expect(ack.ok, JSON.stringify(ack)).toBe(true);
    // An ok from either node is a promise kept by the table's owner: the top-up lands, the seat goes.
    const topUps = (key: string) => t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } });
    for (const key of ['pause-far-top-0', 'pause-far-top-1']) await until(async () => (await topUps(key)) === 1, 20_000, `top-up ${key}`);
    const userSeats = (c: TestClient) => t.db.seatSession.count({ where: { tableId, userId: c.userId, status: 'OPEN' } });
    await until(async () => (await userSeats(far[2]!)) === 0, 20_000, 'the far leave');
    if (answers.nearTopUp?.ok) await until(async () => (await topUps('pause-near-top')) === 1, 20_000, 'the near top-up it was promised');
    if (answers.nearLeave?.ok) await until(async () => (await userSeats(near)) === 0, 20_000, 'the near leave it was promised');
    // The old owner has dropped the table and holds no lease of it.
    expect(await ownerOf()).toBe(other.id);

    for (const a of autos) a.stop();
    await sleep(500);
    for (const c of [...far.slice(0, 2), near]) {
      const left = await retried(c, 'table:leave', { tableId });
      expect(left.ok || (!left.ok && left.error.code === 'table/not_seated'), JSON.stringify(left)).toBe(true);
    }
    await until(async () => (await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })) === 0, 30_000, 'every seat closed');
    expect(await t.db.seatIntent.count()).toBe(0);
    console.log(`pause run: ${await hands()} hands; near answers ${JSON.stringify([answers.nearTopUp, answers.nearLeave])}`);

    const [dup] = await t.db.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM ledger_transfers WHERE key_scope = 'CLIENT'
         GROUP BY kind, key_owner_id, idempotency_key HAVING count(*) > 1) d`,
    );
    expect(dup!.n).toBe(0n);
    const check = await reconcile(t.db);
    expect(check.violations.map((v) => v.message)).toEqual([]);
    const [sums] = await t.db.$queryRawUnsafe<{ bought: bigint; held: bigint }[]>(
      `SELECT (SELECT COALESCE(sum(chips), 0) FROM chip_purchases)::bigint AS bought,
              (SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind IN ('WALLET', 'RAKE'))::bigint AS held`,
    );
    expect(sums!.held).toBe(sums!.bought);
    const overlaps = await t.db.$queryRawUnsafe<{ table_id: number }[]>(
      `SELECT table_id FROM (SELECT table_id, ended_at, lead(acquired_at) OVER (PARTITION BY table_id ORDER BY acquired_at) AS next_start
         FROM table_lease_history) h WHERE next_start IS NOT NULL AND (ended_at IS NULL OR ended_at > next_start)`,
    );
    expect(overlaps).toEqual([]);
    const outside = await t.db.$queryRawUnsafe<{ hand: string }[]>(
      `SELECT h.record->>'handId' AS hand FROM hands h
         LEFT JOIN table_lease_history l
           ON l.table_id = h.table_id AND l.epoch = substring(h.record->>'handId' from '-e([0-9]+)$')::bigint
        WHERE l.id IS NULL OR h.created_at < l.acquired_at OR (l.ended_at IS NOT NULL AND h.created_at > l.ended_at)`,
    );
    expect(outside).toEqual([]);
  }, 240_000);
});
