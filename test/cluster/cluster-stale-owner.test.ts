import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, ClusterNode } from '../../server/cluster/launch';
import { reconcile } from '../../server/ledger/reconcile';
import type { TestDatabase } from '../support/db';
import { LEASE_TTL_MS, sleep, startLeaseCluster, until, type LeaseCluster } from '../support/lease-cluster';
import { TestClient } from '../support/poker-client';

// What a table's owner writes after it lost the table without knowing yet: two real nodes and
// a Redis of the test's own, over the public API. The owner is SIGSTOPped past its lease; a
// player's message waits in its socket; the other node claims the table and rebuilds it from
// the database; the old owner runs again and reads the message before its renewal tick says
// the table is gone. Chips are fenced by the owner epoch (decision 018), and so must be
// everything the next owners read back at a restore: a sit-out flag the stale owner stored
// would sit the player out at the table's next restore, while its owner deals them in now.

const TTL_MS = LEASE_TTL_MS;
let t: TestDatabase;
let cluster: Cluster;
let tableId = 0;
let ownerOf: () => Promise<string | undefined>;
let harness: LeaseCluster | undefined;
const clients: TestClient[] = [];

beforeAll(async () => {
  harness = await startLeaseCluster('Stale owner');
  ({ t, cluster, tableId, ownerOf } = harness);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await harness?.close();
});

async function connected(node: ClusterNode, like?: TestClient): Promise<TestClient> {
  const c = like ? new TestClient(node.url, like.cookie, like.username) : await TestClient.signup(node.url, `stale_${clients.length}_${process.pid % 1000}`);
  if (like) c.userId = like.userId;
  else await c.buyChips(10_000);
  await c.connect();
  clients.push(c);
  return c;
}

describe('an owner SIGSTOPped past its lease, resumed with a sit-out waiting in its socket', () => {
  it('stores no sit-out for the table it lost: the next owner and the database agree on the seat, and an ok is what the owner did', async () => {
    await until(async () => (await ownerOf()) !== undefined, 20_000, 'an owner');
    const ownerId = (await ownerOf())!;
    const old = cluster.nodes.find((n) => n.id === ownerId)!;
    const next = cluster.nodes.find((n) => n.id !== ownerId)!;
    // Alone at the table (no hand runs): the sit-out is stored at once by whoever runs it.
    const player = await connected(old);
    await player.watch(tableId);
    expect(await player.emit('table:sit', { tableId, seat: 2, buyIn: 100, idempotencyKey: `stale-sit-${Date.now()}` })).toMatchObject({ ok: true });

    old.kill('SIGSTOP');
    const stoppedAt = Date.now();
    let answer: Awaited<ReturnType<TestClient['emit']>> | null;
    try {
      const sitOut = player.emit('table:sit_out', { tableId }, 40_000).catch(() => null);
      await until(async () => (await ownerOf()) === next.id, TTL_MS + 10_000, 'the other node owns the table');
      await sleep(Math.max(0, TTL_MS + 1_000 - (Date.now() - stoppedAt)));
      old.kill('SIGCONT');
      answer = await sitOut;
    } finally {
      old.kill('SIGCONT');
    }

    // The table's owner now, seen through a socket of the player's on it.
    const there = await connected(next, player);
    await sleep(2_000); // presence reports: the player is connected again, on both nodes
    const seen = (await there.snapshot(tableId)).view.seats[2];
    const row = await t.db.seatSession.findFirstOrThrow({ where: { tableId, userId: player.userId, status: 'OPEN' } });
    const stored = { answer: answer?.ok ?? null, ownerSaysOut: seen?.sittingOut, storedOut: row.sittingOutSince !== null };
    console.log(`stale sit-out: ${JSON.stringify({ ...stored, answer })}`);
    // What is stored is what the owner deals by; an ok means the owner sat the player out.
    expect(stored.storedOut, JSON.stringify(stored)).toBe(stored.ownerSaysOut);
    if (answer?.ok) expect(stored.ownerSaysOut, JSON.stringify(stored)).toBe(true);
    expect(await ownerOf()).toBe(next.id);

    expect((await there.emit('table:leave', { tableId })).ok).toBe(true);
    await until(async () => (await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })) === 0, 20_000, 'the seat closed');
    expect((await reconcile(t.db)).violations.map((v) => v.message)).toEqual([]);
    const [sums] = await t.db.$queryRawUnsafe<{ bought: bigint; held: bigint }[]>(
      `SELECT (SELECT COALESCE(sum(chips), 0) FROM chip_purchases)::bigint AS bought,
              (SELECT COALESCE(sum(balance), 0) FROM accounts WHERE kind IN ('WALLET', 'RAKE'))::bigint AS held`,
    );
    expect(sums!.held).toBe(sums!.bought);
  }, 180_000);
});
