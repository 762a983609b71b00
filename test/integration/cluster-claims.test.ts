import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../server/ledger/reconcile';
import { claimLease, freeTables } from '../../server/tables/leases';
import { clusterPlacement, TableRegistry } from '../../server/tables/registry';
import { DEFAULT_TABLE_SETTINGS } from '../../server/tables/settings';
import { claimTable, createIntentStore, insertTable } from '../../server/tables/store';
import { ManualClock, recordingOutput, restartActor, startActor } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// Claims of a table by several nodes of a cluster (decision 019), with in-process
// registries on one real PostgreSQL (no Redis: nothing here crosses nodes but the
// database). A table nobody ever owned is claimed by every node that sees it at once
// (it has been free "forever", so every rank may take it): exactly one wins, the
// others run no actor for it. A table an admin closed on one node is never claimed,
// reopened or played by another, and no chip moves for it after the close.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 16 });
});
afterAll(async () => {
  await t.close();
});

const TTL_MS = 1_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Node {
  id: string;
  registry: TableRegistry;
  /** Tables this node's registry said it claimed, in order. */
  claimed: number[];
}

function node(id: string): Node {
  const claimed: number[] = [];
  const registry = new TableRegistry({
    db: t.db, ledger: t.ledger, clock: new ManualClock(), wallNow: () => Date.now(),
    settings: { ...DEFAULT_TABLE_SETTINGS, handIntervalMs: 0, showdownHoldMs: 0, runOutStreetMs: 0, timeBankMs: 0 },
    output: recordingOutput().output, log: quiet,
    placement: clusterPlacement(id, TTL_MS, 50),
    onTableClaimed: (tableId) => claimed.push(tableId),
  });
  return { id, registry, claimed };
}

async function newTable(tag: string): Promise<number> {
  const row = await insertTable(t.db, {
    name: `${tag}-${randomBytes(4).toString('hex')}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2,
    minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000,
  });
  return row.id;
}

/** Intervals of the table's lease history that overlap the next one (none expected). */
async function overlaps(tableIds: number[]): Promise<{ table_id: number }[]> {
  return t.db.$queryRawUnsafe<{ table_id: number }[]>(
    `SELECT table_id FROM (
       SELECT h.table_id, h.acquired_at, COALESCE(h.ended_at, l.expires_at) AS ended_at,
              lead(h.acquired_at) OVER (PARTITION BY h.table_id ORDER BY h.acquired_at) AS next_start
         FROM table_lease_history h JOIN table_leases l ON l.table_id = h.table_id
        WHERE h.table_id = ANY($1::int[])) x
      WHERE next_start IS NOT NULL AND (ended_at IS NULL OR ended_at > next_start)`,
    tableIds,
  );
}

/**
 * One node runs the table, under the live lease's epoch; every claim a node made is an
 * interval of the history (a claim that lost left no trace), and no two intervals overlap.
 * Tables may have moved meanwhile (rebalancing hands a node's excess over between hands).
 */
async function expectOneOwner(nodes: Node[], tableId: number): Promise<void> {
  const runners = nodes.filter((n) => n.registry.get(tableId) !== undefined).map((n) => n.id);
  expect(runners, `nodes running table ${tableId}`).toHaveLength(1);
  const lease = await t.db.tableLease.findUniqueOrThrow({ where: { tableId } });
  expect([lease.nodeId, lease.epoch]).toEqual([runners[0], nodes.find((n) => n.id === runners[0])!.registry.get(tableId)!.table.ownerEpoch]);
  const history = await t.db.tableLeaseHistory.findMany({ where: { tableId }, orderBy: { acquiredAt: 'asc' } });
  // Taken from a live lease would be a second owner (only a single node, by force, does that).
  expect(history.filter((h) => h.endReason === 'taken over')).toEqual([]);
  expect(history.at(-1)).toMatchObject({ nodeId: lease.nodeId, epoch: lease.epoch, endedAt: null });
  for (const n of nodes) {
    expect(n.claimed.filter((id) => id === tableId).length, `claims of table ${tableId} by ${n.id}`).toBe(history.filter((h) => h.nodeId === n.id).length);
  }
  expect(await overlaps([tableId])).toEqual([]);
}

/** Out of every later test's placement: the tables are marked closed (they hold no seat). */
async function retire(tableIds: number[]): Promise<void> {
  await t.db.pokerTable.updateMany({ where: { id: { in: tableIds } }, data: { status: 'CLOSED' } });
}

async function players(count: number): Promise<{ userId: number; username: string }[]> {
  const ids = await seedUsers(t.db, count, 'claims');
  for (const userId of ids) await t.ledger.buyChips({ userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
  const users = await t.db.user.findMany({ where: { id: { in: ids } }, select: { id: true, username: true } });
  return users.map((u) => ({ userId: u.id, username: u.username }));
}

/** A table claimed by `nodeId` with one player seated by its owner (a seat session for the fence tests). */
async function claimedSeat(prefix: string, nodeId: string) {
  const tableId = await newTable(prefix);
  const first = (await claimTable(t.db, tableId, { nodeId, ttlMs: 60_000, force: false }))!;
  const [alice] = await players(1);
  const sat = await t.ledger.buyIn({ userId: alice!.userId, tableId, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: first.ownerEpoch });
  if (!sat.ok) throw new Error(sat.error.code);
  return { tableId, first, seatSessionId: sat.value.seatSessionId, intents: createIntentStore(t.db) };
}

describe('the double claim of a table nobody ever owned', () => {
  it('three nodes booting at once over never-owned tables: each table has exactly one owner at a time, the losers run no actor, no two intervals of its history overlap', async () => {
    const tableIds: number[] = [];
    for (let i = 0; i < 6; i++) tableIds.push(await newTable('new'));
    const nodes = ['claim-a', 'claim-b', 'claim-c'].map(node);
    try {
      // Every node sees every table free since forever: all of them claim each one in the same tick.
      await Promise.all(nodes.map((n) => n.registry.boot({ createDefaults: false })));
      // Right after the race (before any renewal could drop a loser): never two runners.
      for (const tableId of tableIds) {
        expect(nodes.filter((n) => n.registry.get(tableId)).length, `nodes running table ${tableId}`).toBeLessThanOrEqual(1);
      }
      await sleep(3 * TTL_MS); // renewals and placement ticks: nothing moves, nobody claims again
      for (const tableId of tableIds) await expectOneOwner(nodes, tableId);
      expect(await overlaps(tableIds)).toEqual([]);
    } finally {
      for (const n of nodes) await n.registry.shutdown(0);
      await retire(tableIds);
    }
  });

  it('a node creating a table while another claims it: one owner; the loser answers no command and moves no chip', async () => {
    const creator = node('create-a');
    const other = node('create-b');
    const results: number[] = [];
    try {
      await creator.registry.boot({ createDefaults: false });
      await other.registry.boot({ createDefaults: false });
      // The second node's placement ticks every 200 ms and sees the new table free since forever.
      for (let i = 0; i < 3; i++) {
        const made = await creator.registry.createTable({
          name: `race-${randomBytes(4).toString('hex')}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2,
          minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000,
        });
        if (!made.ok) throw new Error(made.error.message);
        results.push(made.value.id);
        // Straight away, the other node claims it too (what its next tick does).
        await claimTable(t.db, made.value.id, { nodeId: other.id, ttlMs: TTL_MS, force: false });
      }
      await sleep(2 * TTL_MS);
      const [alice, bob] = await players(2);
      for (const tableId of results) {
        await expectOneOwner([creator, other], tableId);
        const owners = [creator, other].filter((n) => n.registry.get(tableId));
        const loser = owners[0] === creator ? other : creator;
        // The winner seats players; the loser has nothing to seat them with, and moves nothing.
        const actor = owners[0]!.registry.get(tableId)!;
        expect(await actor.sit(alice!, 0, 100, uniqueKey())).toMatchObject({ ok: true });
        expect(await actor.sit(bob!, 1, 100, uniqueKey())).toMatchObject({ ok: true });
        expect(await claimLease(t.db, tableId, { nodeId: loser.id, ttlMs: TTL_MS, force: false })).toBeNull();
        await expectOneOwner([creator, other], tableId);
        await actor.leave(alice!);
        await actor.leave(bob!);
      }
      expect((await reconcile(t.db)).violations).toEqual([]);
    } finally {
      await creator.registry.shutdown(0);
      await other.registry.shutdown(0);
      await retire(results);
    }
  });
});

describe('a table closed on one node', () => {
  it('is never claimed, reopened or played through another node, and no chip moves for it after the close', async () => {
    const tableId = await newTable('closing');
    const owner = node('close-a');
    const other = node('close-b');
    try {
      await owner.registry.boot({ createDefaults: false });
      expect(owner.registry.get(tableId)).toBeDefined();
      const [alice, bob] = await players(2);
      const actor = owner.registry.get(tableId)!;
      expect(await actor.sit(alice!, 0, 100, uniqueKey())).toMatchObject({ ok: true });
      expect(await actor.sit(bob!, 1, 150, uniqueKey())).toMatchObject({ ok: true });
      const closed = await owner.registry.closeTable(tableId, undefined, { now: true });
      expect(closed).toMatchObject({ ok: true });
      await actor.idle();
      expect((await t.db.pokerTable.findUniqueOrThrow({ where: { id: tableId } })).status).toBe('CLOSED');
      const transfers = await t.db.ledgerTransfer.count({ where: { tableId } });
      const history = await t.db.tableLeaseHistory.count({ where: { tableId } });

      // Another node, right after the close (the closed table's lease is still live) and
      // after it ran out: its claim answers null, its placement does not list the table.
      expect(await claimTable(t.db, tableId, { nodeId: other.id, ttlMs: TTL_MS, force: false })).toBeNull();
      await other.registry.boot({ createDefaults: false });
      await sleep(TTL_MS + 600);
      expect((await freeTables(t.db)).map((f) => f.tableId)).not.toContain(tableId);
      expect(await claimTable(t.db, tableId, { nodeId: other.id, ttlMs: TTL_MS, force: false })).toBeNull();
      // Not even a node claiming by force (a single node's claim) reopens it.
      expect(await claimTable(t.db, tableId, { nodeId: other.id, ttlMs: null, force: true })).toBeNull();
      expect(other.registry.get(tableId)).toBeUndefined();
      expect(other.claimed).not.toContain(tableId);
      expect(owner.registry.get(tableId)).toBeUndefined();

      // Money commands for it, with any epoch: refused, nothing written.
      const epoch = (await t.db.pokerTable.findUniqueOrThrow({ where: { id: tableId } })).ownerEpoch;
      const sit = await t.ledger.buyIn({ userId: alice!.userId, tableId, seatIndex: 2, amount: 100n, idempotencyKey: uniqueKey(), ownerEpoch: epoch });
      expect(sit.ok ? 'ok' : sit.error.code).toBe('table/closed');
      expect(await t.db.ledgerTransfer.count({ where: { tableId } })).toBe(transfers);
      expect(await t.db.tableLeaseHistory.count({ where: { tableId } })).toBe(history);
      expect((await t.db.pokerTable.findUniqueOrThrow({ where: { id: tableId } })).status).toBe('CLOSED');
      expect(await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })).toBe(0);
      expect(await t.db.hand.count({ where: { tableId } })).toBe(0);
      expect((await reconcile(t.db)).violations).toEqual([]);
    } finally {
      await owner.registry.shutdown(0);
      await other.registry.shutdown(0);
    }
  });
});

describe('an owner that lost its table (paused past its lease, or taken over)', () => {
  // Its in-memory table still runs until its next renewal says otherwise; a socket of its own
  // may reach it first (a node resumed after a SIGSTOP reads what its sockets sent meanwhile
  // before its renewal tick). Money is fenced by the epoch (decision 018); a leave or top-up
  // it queues for the hand's end is a seat_intents row, which the table's next owners read
  // back at their restore and apply. A stale owner must write none: the player would be told
  // "pending" by a node that no longer deals, and the row would be applied by some later owner
  // (at the table's next move, maybe hours later: a player cashed out mid-session).
  for (const kind of ['top-up', 'leave'] as const) {
    it(`queues no ${kind} for a later owner to apply: refused, no seat_intents row is written, and it stops`, async () => {
      const { actor, clock, table, fatal } = await startActor(t, { maxSeats: 2 });
      const [alice, bob] = await players(2);
      for (const [i, p] of [alice!, bob!].entries()) expect(await actor.sit(p, i, 100, uniqueKey())).toMatchObject({ ok: true });
      await clock.advance(150, actor); // a hand is dealt
      expect(actor.handInProgress()).toBe(true);

      // Another node takes the table over (the first one's lease ran out while it was paused).
      const next = await claimTable(t.db, table.id, { nodeId: 'next-owner', ttlMs: 60_000, force: true });
      expect(next?.ownerEpoch).toBe(table.ownerEpoch + 1n);
      const intents = createIntentStore(t.db);
      expect(await intents.openOf(table.id)).toEqual([]); // what the next owner restored

      const asked = kind === 'top-up' ? await actor.topUp(alice!, 50, uniqueKey('stale-top')) : await actor.leave(bob!);
      // Answered as every command that met the fence is: the table is another process's now.
      expect(asked.ok ? 'ok' : asked.error.code).toBe('table/not_owner');
      await actor.idle();
      // Refused by the fence, the actor stops (the registry would rebuild it: its claim fails, it is dropped).
      expect(fatal).toEqual([expect.stringMatching(/another owner/)]);
      // The table's later owners find nothing to apply: both seats stay, with their stacks.
      expect(await intents.openOf(table.id)).toEqual([]);
      expect(await t.db.seatSession.count({ where: { tableId: table.id, status: 'OPEN' } })).toBe(2);
      expect(await t.db.ledgerTransfer.count({ where: { tableId: table.id, kind: { in: ['TOP_UP', 'CASH_OUT'] } } })).toBe(0);
      actor.stop();
      expect((await reconcile(t.db)).violations).toEqual([]);
    });
  }

  it('the intent store refuses a stale epoch and a lease that ran out, and orders itself after a claim in flight (FOR SHARE)', async () => {
    const { tableId, first, seatSessionId, intents } = await claimedSeat('intent-fence', 'if-a');
    const leave = (ownerEpoch: bigint) => intents.add({ seatSessionId, kind: 'LEAVE', amount: null, keyScope: null, key: null, ownerEpoch });
    const code = (p: Promise<unknown>) => p.then(() => 'stored', (error: { code?: string }) => error.code ?? String(error));

    await intents.remove(await leave(first.ownerEpoch)); // the owner's own: stored
    expect(await code(leave(first.ownerEpoch - 1n))).toBe('table/not_owner');

    // A claim in flight (its UPDATE of owner_epoch not committed yet): the write waits for it,
    // then reads the new epoch. Without the row lock it would read the old one and be stored.
    const claimer = await t.raw();
    await claimer.query('BEGIN');
    await claimer.query('UPDATE poker_tables SET owner_epoch = owner_epoch + 1 WHERE id = $1', [tableId]);
    const during = code(leave(first.ownerEpoch));
    await sleep(300);
    await claimer.query('COMMIT');
    expect(await during).toBe('table/not_owner');

    // The lease ran out (its node paused past the TTL), nobody claimed it yet: refused too.
    const second = (await claimTable(t.db, tableId, { nodeId: 'if-b', ttlMs: 300, force: true }))!;
    expect(await code(leave(second.ownerEpoch))).toBe('stored');
    await t.db.seatIntent.deleteMany({ where: { seatSessionId: seatSessionId } });
    await sleep(500);
    expect(await code(leave(second.ownerEpoch))).toBe('table/not_owner');
    expect(await t.db.seatIntent.count({ where: { seatSessionId: seatSessionId } })).toBe(0);
    await t.ledger.cashOut({ seatSessionId, reason: 'test over' });
    await retire([tableId]);
  });
});

describe('a sit-out flag (seat_sessions.sitting_out_since), read back at every restore', () => {
  it('is stored only under the live owner epoch, and waits for a claim in flight (FOR SHARE)', async () => {
    const { tableId, first, seatSessionId, intents } = await claimedSeat('sitout-fence', 'so-a');
    const since = async () => (await t.db.seatSession.findUniqueOrThrow({ where: { id: seatSessionId } })).sittingOutSince;
    const out = (ownerEpoch: bigint, at: Date | null = new Date()) =>
      intents.sittingOut(seatSessionId, at, ownerEpoch).then(() => 'stored', (error: { code?: string }) => error.code ?? String(error));

    expect(await out(first.ownerEpoch)).toBe('stored');
    expect(await out(first.ownerEpoch, null)).toBe('stored');
    expect(await out(first.ownerEpoch - 1n)).toBe('table/not_owner');
    expect(await since()).toBeNull();

    // A claim in flight: the write waits for it, then reads the new epoch and writes nothing.
    const claimer = await t.raw();
    await claimer.query('BEGIN');
    await claimer.query('UPDATE poker_tables SET owner_epoch = owner_epoch + 1 WHERE id = $1', [tableId]);
    const during = out(first.ownerEpoch);
    await sleep(300);
    await claimer.query('COMMIT');
    expect(await during).toBe('table/not_owner');
    expect(await since()).toBeNull();

    // The lease ran out, nobody claimed the table yet: refused too.
    const second = (await claimTable(t.db, tableId, { nodeId: 'so-b', ttlMs: 300, force: true }))!;
    await sleep(500);
    expect(await out(second.ownerEpoch)).toBe('table/not_owner');
    expect(await since()).toBeNull();
    await t.ledger.cashOut({ seatSessionId, reason: 'test over' });
    await retire([tableId]);
  });

  it('written by an owner that lost the table: refused, nothing stored, the sit-out answered table/not_owner, and the actor stops', async () => {
    const { actor, table, fatal } = await startActor(t, { maxSeats: 2 });
    const [alice] = await players(1);
    expect(await actor.sit(alice!, 0, 100, uniqueKey())).toMatchObject({ ok: true });
    await claimTable(t.db, table.id, { nodeId: 'next-owner', ttlMs: 60_000, force: true });
    const asked = await actor.sitOut(alice!);
    expect(asked.ok ? 'ok' : asked.error.code).toBe('table/not_owner');
    await actor.idle();
    expect(fatal).toEqual([expect.stringMatching(/another owner/)]);
    const seat = await t.db.seatSession.findFirstOrThrow({ where: { tableId: table.id, userId: alice!.userId, status: 'OPEN' } });
    expect(seat.sittingOutSince).toBeNull();
    actor.stop();
    await t.ledger.cashOut({ seatSessionId: seat.id, reason: 'test over' });
    expect((await reconcile(t.db)).violations).toEqual([]);
  });
});

describe('an owed small blind (seat_sessions.owes_small_blind), read back at every restore', () => {
  it('is stored only under the live owner epoch and lease, like the sit-out flag (one fenced statement)', async () => {
    const { tableId, first, seatSessionId, intents } = await claimedSeat('owes-sb-fence', 'sb-a');
    const owes = async () => (await t.db.seatSession.findUniqueOrThrow({ where: { id: seatSessionId } })).owesSmallBlind;
    const write = (ownerEpoch: bigint, value: boolean) =>
      intents.owesSmallBlind(seatSessionId, value, ownerEpoch).then(() => 'stored', (error: { code?: string }) => error.code ?? String(error));

    expect(await write(first.ownerEpoch, true)).toBe('stored');
    expect(await owes()).toBe(true);
    expect(await write(first.ownerEpoch, false)).toBe('stored');
    expect(await write(first.ownerEpoch - 1n, true)).toBe('table/not_owner');
    expect(await owes()).toBe(false);
    // The lease ran out, nobody claimed the table yet: refused too.
    const second = (await claimTable(t.db, tableId, { nodeId: 'sb-b', ttlMs: 300, force: true }))!;
    await sleep(500);
    expect(await write(second.ownerEpoch, true)).toBe('table/not_owner');
    expect(await owes()).toBe(false);
    await t.ledger.cashOut({ seatSessionId, reason: 'test over' });
    await retire([tableId]);
  });
});

describe('a keyless sit or top-up forwarded twice under one request id (decision 020)', () => {
  // The forwarding node sends it again with the same id after a broken Redis connection; if the
  // table moved in between, the second send reaches an owner that never saw the id. The key the
  // table makes from the id makes it a replay there: answered with the first result.
  it('is applied once, by the first owner, and the second owner answers the re-send as a replay', async () => {
    const { actor, table } = await startActor(t, { maxSeats: 2 });
    const [alice] = await players(1);
    const sitId = `sit-${uniqueKey()}`;
    const topId = `top-${uniqueKey()}`;
    expect(await actor.sit(alice!, 0, 100, undefined, sitId)).toMatchObject({ ok: true, seat: 0, stack: 100 });
    expect(await actor.topUp(alice!, 30, undefined, topId)).toMatchObject({ ok: true, pending: false, stack: 130 });

    const next = await restartActor(t, { actor, table }); // the table moved
    expect(await next.actor.sit(alice!, 0, 100, undefined, sitId)).toMatchObject({ ok: true, seat: 0, stack: 100 });
    expect(await next.actor.topUp(alice!, 30, undefined, topId)).toMatchObject({ ok: true });
    await next.actor.idle();
    const count = (kind: 'BUY_IN' | 'TOP_UP') => t.db.ledgerTransfer.count({ where: { tableId: table.id, kind } });
    expect([await count('BUY_IN'), await count('TOP_UP')]).toEqual([1, 1]);
    // A fresh id is a new request.
    expect(await next.actor.topUp(alice!, 5, undefined, `top-${uniqueKey()}`)).toMatchObject({ ok: true, stack: 135 });
    expect(await next.actor.leave(alice!)).toMatchObject({ ok: true, cashedOut: 135 });
    next.actor.stop();
    expect((await reconcile(t.db)).violations).toEqual([]);
  });
});

describe("decision 020's residuals: a forwarded request its sender gave up on", () => {
  // The forwarding node answered table/unavailable ("nothing happened"); the owner had started
  // the request in time. What is left must never move a chip twice, and a retry with the same
  // key must be answered, not applied again.
  it('a top-up row written late whose delete a crash prevented is applied by the next owner once; the retry with its key is answered, not applied again', async () => {
    let slow = false;
    let crashed = false;
    const { actor, clock, table } = await startActor(t, { maxSeats: 2 }, {}, {
      intents: (real) => ({
        ...real,
        add: async (intent) => {
          if (slow) await sleep(400);
          return real.add(intent);
        },
        // The process dies before the DELETE of the late row reaches the database.
        remove: async (id) => (crashed ? Promise.reject(new Error('the process died')) : real.remove(id)),
      }),
    });
    const [alice, bob] = await players(2);
    for (const [i, p] of [alice!, bob!].entries()) expect(await actor.sit(p, i, 100, uniqueKey())).toMatchObject({ ok: true });
    await clock.advance(150, actor); // a hand is dealt: a top-up waits for its end, as a seat_intents row
    expect(actor.handInProgress()).toBe(true);
    const key = uniqueKey('late-row');
    slow = true;
    crashed = true;
    const answer = await actor.withDeadline(Date.now() + 150, () => actor.topUp(alice!, 20, key));
    expect(answer.ok).toBe(false); // the sender had answered table/unavailable anyway
    await sleep(100);
    expect(await t.db.seatIntent.count({ where: { seatSession: { tableId: table.id } } })).toBe(1); // left behind
    slow = false;
    actor.stop(); // the crash

    // The next owner restores the row and applies it (the residual: the player was told "try again").
    const next = await restartActor(t, { actor, table });
    await next.actor.idle();
    const transfers = () => t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } });
    expect(await transfers()).toBe(1);
    // The player's retry with the same key: the first result, nothing more.
    const retry = await next.actor.topUp(alice!, 20, key);
    expect(retry).toMatchObject({ ok: true });
    await next.actor.idle();
    expect(await transfers()).toBe(1);
    const seat = await t.db.seatSession.findFirstOrThrow({ where: { tableId: table.id, userId: alice!.userId, status: 'OPEN' }, include: { account: true } });
    expect(seat.account!.balance).toBe(120n);
    expect(next.actor.memoryStacks().find((m) => m.seatSessionId === seat.id)?.stack).toBe(120);
    expect(await t.db.seatIntent.count({ where: { seatSession: { tableId: table.id } } })).toBe(0);
    next.actor.stop();
    expect((await reconcile(t.db)).violations).toEqual([]);
  });
});

