import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableEvent, TableFrame } from '../../server/protocol';
import type { TableActor } from '../../server/tables/actor';
import { TableRegistry } from '../../server/tables/registry';
import type { CreateTableInput } from '../../server/tables/registry-api';
import { DEFAULT_TABLE_SETTINGS, type TableSettings, type TableTimingInput } from '../../server/tables/settings';
import { ManualClock, recordingOutput } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// Issue #13, per table: an admin gives a table its own showdown hold and run-out pace
// (poker_tables.showdown_hold_ms, run_out_street_ms). The registry, with a manual clock
// over the real database and ledger: a table with its own hold deals the next hand exactly
// that long after a showdown while its neighbour keeps the process setting; the values
// survive a restart; values out of range are refused and write nothing; every snapshot
// carries the pace the table keeps.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 6 });
});
afterAll(async () => {
  await t.close();
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** The process settings: a short hand interval and a showdown hold of its own, both unlike any table's. */
const PROCESS: TableSettings = { ...DEFAULT_TABLE_SETTINGS, handIntervalMs: 100, showdownHoldMs: 500, runOutStreetMs: 300, timeBankMs: 0 };

function tableInput(timing: TableTimingInput = {}): CreateTableInput & TableTimingInput {
  return {
    name: `timing-${randomBytes(3).toString('hex')}`, variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2,
    minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000, ...timing,
  };
}

async function bootRegistry(clock: ManualClock) {
  const rec = recordingOutput();
  const registry = new TableRegistry({ db: t.db, ledger: t.ledger, clock, wallNow: () => Date.now(), settings: PROCESS, output: rec.output, log: quiet });
  await registry.boot({ createDefaults: false });
  return { registry, rec };
}

/** A table created through the registry, two players seated and the first hand dealt. */
async function seatedTable(registry: TableRegistry, clock: ManualClock, timing: TableTimingInput) {
  const created = await registry.createTable(tableInput(timing));
  if (!created.ok) throw new Error(created.error.message);
  const actor = registry.get(created.value.id)!;
  const users = await seedUsers(t.db, 2, 'timing');
  const callers = users.map((userId, i) => ({ userId, username: `t${i}` }));
  for (const [i, caller] of callers.entries()) {
    await t.ledger.buyChips({ userId: caller.userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
    expect((await actor.sit(caller, i, 100, uniqueKey())).ok).toBe(true);
  }
  await clock.advance(PROCESS.handIntervalMs, actor);
  expect(actor.handInProgress()).toBe(true);
  const toAct = () => callers[actor.snapshot(null).view.toAct!]!;
  return { actor, callers, toAct };
}

type Sent = { at: number; frame: TableFrame };
const has = (frame: TableFrame, type: TableEvent['type']) => frame.events.some((e) => e.type === type);

/** Public frames of one table with the (manual) time they were sent, as the clock is advanced in steps. */
function frameLog(rec: ReturnType<typeof recordingOutput>, clock: ManualClock, tableId: number) {
  const sent: Sent[] = [];
  let seen = 0;
  const collect = () => {
    const all = rec.frames.get(0) ?? [];
    for (const frame of all.slice(seen)) if (frame.tableId === tableId) sent.push({ at: clock.now(), frame });
    seen = all.length;
  };
  const advance = async (ms: number, actor: TableActor, stepMs = 50) => {
    for (let left = ms; left > 0; left -= stepMs) {
      await clock.advance(Math.min(stepMs, left), actor);
      collect();
    }
  };
  return { sent, collect, advance };
}

/** Everyone checks (or calls) until the hand is over: a showdown that leaves both players with chips. */
async function checkDown(actor: TableActor, toAct: () => { userId: number; username: string }): Promise<void> {
  while (actor.handInProgress()) {
    const legal = actor.snapshot(toAct().userId).you!.legal!;
    expect((await actor.act(toAct(), legal.canCheck ? 'check' : 'call', undefined, actor.seq)).ok).toBe(true);
  }
}

/** From the frame that settled the hand at a showdown to the frame that dealt the next one, in (manual) ms. */
async function holdAfterShowdown(rec: ReturnType<typeof recordingOutput>, clock: ManualClock, h: Awaited<ReturnType<typeof seatedTable>>, waitMs: number) {
  const log = frameLog(rec, clock, h.actor.id);
  log.collect();
  await checkDown(h.actor, h.toAct);
  log.collect();
  const showdown = log.sent.find((s) => has(s.frame, 'hand_shown') && has(s.frame, 'hand_settled'))!;
  expect(showdown).toBeDefined();
  await log.advance(waitMs, h.actor);
  const next = log.sent.slice(log.sent.indexOf(showdown) + 1).find((s) => has(s.frame, 'hand_started'));
  expect(next, 'the next deal').toBeDefined();
  return next!.at - showdown.at;
}

describe("a table's own showdown hold", () => {
  it('deals the next hand showdownHoldMs after a showdown; a table without one keeps the process hold', async () => {
    const clock = new ManualClock();
    const { registry, rec } = await bootRegistry(clock);
    const own = await seatedTable(registry, clock, { showdownHoldMs: 6_000 });
    const plain = await seatedTable(registry, clock, {});

    expect(await holdAfterShowdown(rec, clock, own, 7_000)).toBe(6_000);
    expect(await holdAfterShowdown(rec, clock, plain, 1_000)).toBe(PROCESS.showdownHoldMs);
    // A hand won by a fold still waits only the hand interval.
    const log = frameLog(rec, clock, own.actor.id);
    log.collect();
    expect((await own.actor.act(own.toAct(), 'fold', undefined, own.actor.seq)).ok).toBe(true);
    log.collect();
    const folded = log.sent.find((s) => has(s.frame, 'hand_settled') && !has(s.frame, 'hand_shown'))!;
    await log.advance(PROCESS.handIntervalMs, own.actor, 10);
    expect(log.sent.slice(log.sent.indexOf(folded)).find((s) => has(s.frame, 'hand_started'))!.at - folded.at).toBe(PROCESS.handIntervalMs);
    await registry.shutdown(0);
  });

  it("a table's own run-out pace deals the streets of an all-in that far apart", async () => {
    const clock = new ManualClock();
    const { registry, rec } = await bootRegistry(clock);
    const h = await seatedTable(registry, clock, { runOutStreetMs: 2_000 });
    const log = frameLog(rec, clock, h.actor.id);
    expect((await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq)).ok).toBe(true);
    expect((await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq)).ok).toBe(true);
    log.collect();
    const called = log.sent.find((s) => has(s.frame, 'hands_exposed'))!;
    await log.advance(3 * 2_000, h.actor);
    const streets = log.sent.filter((s) => has(s.frame, 'street_dealt')).map((s) => s.at - called.at);
    expect(streets).toEqual([2_000, 4_000, 6_000]);
    await registry.shutdown(0);
  });
});

describe('the pace in the snapshot, and after a restart', () => {
  it('every snapshot carries the pace the table keeps; the values are stored and come back after a restart', async () => {
    const clock = new ManualClock();
    const first = await bootRegistry(clock);
    const own = await first.registry.createTable(tableInput({ showdownHoldMs: 8_000, runOutStreetMs: 0 }));
    const partly = await first.registry.createTable(tableInput({ showdownHoldMs: null, runOutStreetMs: 2_500 }));
    const plain = await first.registry.createTable(tableInput());
    // A hold shorter than the hand interval: the next deal still waits the interval.
    const short = await first.registry.createTable(tableInput({ showdownHoldMs: 0 }));
    const ids = [own, partly, plain, short].map((r) => (r.ok ? r.value.id : -1));
    const expected = [
      { showdownHoldMs: 8_000, runOutStreetMs: 0, handIntervalMs: 100 },
      { showdownHoldMs: 500, runOutStreetMs: 2_500, handIntervalMs: 100 },
      { showdownHoldMs: 500, runOutStreetMs: 300, handIntervalMs: 100 },
      { showdownHoldMs: 100, runOutStreetMs: 300, handIntervalMs: 100 },
    ];
    const snapshots = (r: TableRegistry) => ids.map((id) => r.get(id)!.snapshot(null).timing);
    expect(snapshots(first.registry)).toEqual(expected);
    expect(first.registry.get(ids[0]!)!.snapshot(12_345).timing).toEqual(expected[0]);

    const rows = await t.db.pokerTable.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' }, select: { showdownHoldMs: true, runOutStreetMs: true } });
    expect(rows).toEqual([
      { showdownHoldMs: 8_000, runOutStreetMs: 0 },
      { showdownHoldMs: null, runOutStreetMs: 2_500 },
      { showdownHoldMs: null, runOutStreetMs: null },
      { showdownHoldMs: 0, runOutStreetMs: null },
    ]);

    await first.registry.shutdown(0);
    const second = await bootRegistry(clock);
    expect(snapshots(second.registry)).toEqual(expected);
    await second.registry.shutdown(0);
  });
});

describe('out-of-range timings', () => {
  it('are refused with request/invalid naming the field, and nothing is written', async () => {
    const clock = new ManualClock();
    const { registry } = await bootRegistry(clock);
    const counts = async () => ({
      tables: await t.db.pokerTable.count(),
      accounts: await t.db.account.count(),
      actors: registry.all().length,
      lobby: registry.listLobby().length,
    });
    const before = await counts();
    const bad: [TableTimingInput, string][] = [
      [{ showdownHoldMs: 60_001 }, 'showdownHoldMs'],
      [{ showdownHoldMs: -1 }, 'showdownHoldMs'],
      [{ showdownHoldMs: 1.5 }, 'showdownHoldMs'],
      [{ showdownHoldMs: Number.NaN }, 'showdownHoldMs'],
      [{ showdownHoldMs: Number.POSITIVE_INFINITY }, 'showdownHoldMs'],
      [{ showdownHoldMs: '4000' as unknown as number }, 'showdownHoldMs'],
      [{ runOutStreetMs: 10_001 }, 'runOutStreetMs'],
      [{ runOutStreetMs: -5 }, 'runOutStreetMs'],
      [{ showdownHoldMs: 4_000, runOutStreetMs: 99_999 }, 'runOutStreetMs'],
    ];
    const input = tableInput();
    for (const [timing, field] of bad) {
      const result = await registry.createTable({ ...input, ...timing });
      expect(result).toMatchObject({ ok: false, error: { code: 'request/invalid' } });
      expect(!result.ok && result.error.message).toMatch(new RegExp(`^${field}: `));
    }
    expect(await counts()).toEqual(before);
    // The name was not taken by any of them; the limits themselves are accepted.
    const edge = await registry.createTable({ ...input, showdownHoldMs: 60_000, runOutStreetMs: 10_000 });
    expect(edge.ok).toBe(true);
    expect(registry.get(edge.ok ? edge.value.id : -1)!.snapshot(null).timing).toEqual({ showdownHoldMs: 60_000, runOutStreetMs: 10_000, handIntervalMs: 100 });
    await registry.shutdown(0);
  });

  it('the database refuses them too (poker_tables_timing_check)', async () => {
    const clock = new ManualClock();
    const { registry } = await bootRegistry(clock);
    const created = await registry.createTable(tableInput({ showdownHoldMs: 5_000 }));
    const id = created.ok ? created.value.id : -1;
    for (const data of [{ showdownHoldMs: 60_001 }, { showdownHoldMs: -1 }, { runOutStreetMs: 10_001 }]) {
      await expect(t.db.pokerTable.update({ where: { id }, data })).rejects.toThrow(/poker_tables_timing_check/);
    }
    expect(await t.db.pokerTable.findUniqueOrThrow({ where: { id }, select: { showdownHoldMs: true, runOutStreetMs: true } }))
      .toEqual({ showdownHoldMs: 5_000, runOutStreetMs: null });
    await registry.shutdown(0);
  });
});
