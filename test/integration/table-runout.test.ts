import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equity, type EquityInput, type EquityResult } from '../../server/poker/equity';
import type { GameEvent } from '../../server/poker';
import type { EquityFrame, TableEvent, TableFrame } from '../../server/protocol';
import { TableActor } from '../../server/tables/actor';
import { DEFAULT_TABLE_SETTINGS, type TableSettings } from '../../server/tables/settings';
import { claimTable, createIntentStore, insertTable } from '../../server/tables/store';
import { ManualClock, recordingOutput } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// Issue #13 in the table actor, with a manual clock over the real ledger: an all-in run-out
// dealt street by street runOutStreetMs apart (a `run_out` command through the one step
// path, its own seq each), equity published per street, the showdown held showdownHoldMs
// before the next deal, `show` after the hand, and a stop or close in the middle of a
// run-out voiding the hand like any live hand.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 6 });
});
afterAll(async () => {
  await t.close();
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const HAND_INTERVAL_MS = 100;
const STREET_MS = DEFAULT_TABLE_SETTINGS.runOutStreetMs;

type EquityDep = (input: EquityInput) => Promise<EquityResult | null>;

async function setup(settings: Partial<TableSettings> = {}, players = 2, worker: EquityDep = async (input) => equity(input)) {
  const row = await insertTable(t.db, {
    name: `runout-${randomBytes(3).toString('hex')}`, variant: 'NLHE', maxSeats: players, smallBlind: 1, bigBlind: 2,
    minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000,
  });
  const table = (await claimTable(t.db, row.id))!;
  const clock = new ManualClock();
  const rec = recordingOutput();
  const equities: { at: number; frame: EquityFrame }[] = [];
  const fatal: string[] = [];
  const actor = new TableActor({
    table, clock, wallNow: () => Date.now(), log: quiet, newSeed: () => randomBytes(32), intents: createIntentStore(t.db), ledger: t.ledger,
    output: { ...rec.output, equity: (_t, frame) => equities.push({ at: clock.now(), frame }) },
    // The worker's stand-in: by default the same exact enumeration, awaited like the worker's answer.
    equity: worker,
    settings: { ...DEFAULT_TABLE_SETTINGS, handIntervalMs: HAND_INTERVAL_MS, timeBankMs: 0, ...settings },
    onFatal: (_id, reason) => fatal.push(reason),
    handSettled: async () => false,
  });
  const users = await seedUsers(t.db, players, 'runout');
  for (const userId of users) await t.ledger.buyChips({ userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
  const callers = users.map((userId, i) => ({ userId, username: `p${i}` }));
  for (const [i, caller] of callers.entries()) expect((await actor.sit(caller, i, 100, uniqueKey())).ok).toBe(true);
  await clock.advance(settings.handIntervalMs ?? HAND_INTERVAL_MS, actor); // the first deal
  expect(actor.handInProgress()).toBe(true);
  /** The seated caller whose turn it is. */
  const toAct = () => callers[actor.snapshot(null).view.toAct!]!;
  /** Public frames (what a spectator gets) with the time they were sent. */
  const sent: { at: number; frame: TableFrame }[] = [];
  const spectatorFrames = () => rec.frames.get(0) ?? [];
  let seen = 0;
  const collect = () => {
    for (const frame of spectatorFrames().slice(seen)) sent.push({ at: clock.now(), frame });
    seen = spectatorFrames().length;
  };
  /** Advances the clock in small steps, noting when each public frame was sent. */
  const advance = async (ms: number, stepMs = 50) => {
    for (let left = ms; left > 0; left -= stepMs) {
      await clock.advance(Math.min(stepMs, left), actor);
      collect();
    }
  };
  return { actor, clock, rec, callers, fatal, table, toAct, equities, sent, collect, advance };
}

type Sent = { at: number; frame: TableFrame };
const has = (frame: TableFrame, type: TableEvent['type']) => frame.events.some((e) => e.type === type);
/** The first frame sent after `after` (or from the start) that carries an event of `type`. */
const firstAfter = (sent: Sent[], type: TableEvent['type'], after?: Sent) =>
  sent.slice(after ? sent.indexOf(after) + 1 : 0).find((s) => has(s.frame, type));
const gameEventTypes = (frame: TableFrame) => frame.events.filter((e) => e.type !== 'clock' && e.type !== 'players').map((e) => e.type);

async function ledgerStacks(tableId: number): Promise<bigint[]> {
  const seats = await t.db.seatSession.findMany({ where: { tableId }, include: { account: true }, orderBy: { seatIndex: 'asc' } });
  return seats.map((s) => s.account!.balance);
}

describe('a paced all-in run-out', () => {
  it('hands face up at the call, then one street every runOutStreetMs, each its own seq; settled once at the end; the result held showdownHoldMs', async () => {
    // Three players, so that two are left with chips for the next hand whoever wins.
    const h = await setup({}, 3);
    h.collect();
    const start = h.clock.now();
    expect((await h.actor.act(h.toAct(), 'fold', undefined, h.actor.seq)).ok).toBe(true);
    expect((await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq)).ok).toBe(true);
    const called = await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq);
    expect(called.ok).toBe(true);
    h.collect();
    // The call's frame: both hands face up for everyone, no board yet, nobody to act.
    const exposing = h.sent.at(-1)!.frame;
    expect(gameEventTypes(exposing)).toEqual(['action', 'hands_exposed']);
    expect(exposing.events).toContainEqual({ type: 'clock', clock: null });
    const spectatorView = h.actor.snapshot(null).view;
    expect(spectatorView.seats.map((s) => s!.holeCards?.length ?? 0).sort()).toEqual([0, 2, 2]);
    expect(spectatorView.board).toEqual([]);
    expect(spectatorView.toAct).toBeNull();
    // Nobody can act during the run-out.
    for (const caller of h.callers) expect(await h.actor.act(caller, 'check', undefined, h.actor.seq)).toMatchObject({ ok: false, error: { code: 'turn/not_your_turn' } });

    await h.advance(12_000);
    const flop = firstAfter(h.sent, 'street_dealt')!;
    const streets = h.sent.filter((s) => has(s.frame, 'street_dealt'));
    expect(streets.map((s) => s.frame.events.find((e): e is Extract<GameEvent, { type: 'street_dealt' }> => e.type === 'street_dealt')!.street)).toEqual(['flop', 'turn', 'river']);
    expect(streets.map((s) => s.at - start)).toEqual([STREET_MS, 2 * STREET_MS, 3 * STREET_MS]);
    // Each street is its own step: seq + 1 each, opened by the run_out event.
    expect(streets.map((s) => s.frame.seq)).toEqual([exposing.seq + 1, exposing.seq + 2, exposing.seq + 3]);
    for (const s of streets) expect(s.frame.events[0]!.type).toBe('run_out');
    expect(flop.frame.events.some((e) => e.type === 'hand_complete')).toBe(false);
    // Settled once, with the river.
    const river = streets[2]!.frame;
    expect(river.events.map((e) => e.type)).toEqual(expect.arrayContaining(['hand_shown', 'pot_awarded', 'hand_complete', 'hand_settled']));
    expect(h.sent.filter((s) => has(s.frame, 'hand_settled'))).toHaveLength(1);
    expect(await t.db.hand.count({ where: { tableId: h.table.id } })).toBe(1);
    // The result stays 4 s (showdownHoldMs), not handIntervalMs.
    const next = firstAfter(h.sent, 'hand_started', streets[2])!;
    expect(next.at - streets[2]!.at).toBe(DEFAULT_TABLE_SETTINGS.showdownHoldMs);
    expect(h.fatal).toEqual([]);
    h.actor.stop();
  });

  it('equity of the exposed hands on every street of the run-out, for the board as it stands', async () => {
    const h = await setup();
    // To the flop, then all in there.
    while (h.actor.snapshot(null).view.street === 'preflop') {
      const legal = h.actor.snapshot(h.toAct().userId).you!.legal!;
      await h.actor.act(h.toAct(), legal.canCheck ? 'check' : 'call', undefined, h.actor.seq);
    }
    expect(h.actor.snapshot(null).view.street).toBe('flop');
    await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq);
    await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq);
    await h.advance(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.equities.map((e) => e.frame.board.length)).toEqual([3]);
    await h.advance(STREET_MS);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.equities.map((e) => e.frame.board.length)).toEqual([3, 4]);
    const handId = h.actor.snapshot(null).view.handId;
    for (const { frame } of h.equities) {
      expect(frame.handId).toBe(handId);
      expect(frame.seats.map((s) => s.seat)).toEqual([0, 1]);
      expect(frame.seats.reduce((sum, s) => sum + s.win, 0) + frame.seats[0]!.tie).toBeCloseTo(1, 9);
    }
    await h.advance(STREET_MS);
    expect(h.actor.snapshot(null).view.street).toBe('complete');
    // None for the river: the result says it all.
    expect(h.equities).toHaveLength(2);
    h.actor.stop();
  });

  it("a slow worker's pre-flop equity that arrives after the flop is dropped; the flop's is computed at once", async () => {
    let release: () => void = () => undefined;
    const slow: EquityDep = (input) => new Promise((resolve) => (release = () => resolve(equity(input))));
    const h = await setup({}, 2, slow);
    await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq);
    await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq);
    expect(h.equities).toEqual([]); // pre-flop (1,712,304 boards) went to the worker
    await h.advance(STREET_MS);
    expect(h.equities.map((e) => e.frame.board.length)).toEqual([3]); // the flop's, inline
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.equities.map((e) => e.frame.board.length)).toEqual([3]);
    h.actor.stop();
  });

  it('runOutStreetMs 0: the board is run out in the step that closed the betting, as before', async () => {
    const h = await setup({ runOutStreetMs: 0 });
    await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq);
    await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq);
    h.collect();
    const last = firstAfter(h.sent, 'hand_settled')!.frame;
    expect(last.events.filter((e) => e.type === 'street_dealt')).toHaveLength(3);
    expect(last.events.findIndex((e) => e.type === 'action')).toBe(0);
    expect(h.actor.snapshot(null).view.config.pacedRunOut).toBeUndefined();
    h.actor.stop();
  });

  it('a stop in the middle of the run-out (void, rebuild, restart) leaves the hand void: nothing dealt after, every stack as before', async () => {
    const h = await setup();
    await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq);
    await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq);
    await h.advance(STREET_MS); // the flop
    h.actor.stop();
    const framesBefore = h.rec.frames.get(0)!.length;
    await h.advance(10_000);
    expect(h.rec.frames.get(0)!.length).toBe(framesBefore);
    expect(await t.db.hand.count({ where: { tableId: h.table.id } })).toBe(0);
    expect(await ledgerStacks(h.table.id)).toEqual([100n, 100n]);
  });

  it("an admin's close with now during the run-out voids it and cashes everyone out at the stacks before it", async () => {
    const h = await setup();
    await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq);
    await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq);
    await h.actor.close({ now: true });
    await h.advance(10_000);
    expect(h.rec.notices.map((n) => n.kind)).toEqual(expect.arrayContaining(['hand_cancelled', 'closed']));
    expect(h.sent.some((s) => has(s.frame, 'street_dealt'))).toBe(false);
    expect(await t.db.hand.count({ where: { tableId: h.table.id } })).toBe(0);
    for (const caller of h.callers) {
      const wallet = await t.db.account.findFirstOrThrow({ where: { code: `wallet:${caller.userId}` } });
      expect(wallet.balance).toBe(1_000n);
    }
    expect(h.fatal).toEqual([]);
  });

  it('a player sitting out during the run-out does not stop it', async () => {
    const h = await setup();
    await h.actor.act(h.toAct(), 'all_in', undefined, h.actor.seq);
    await h.actor.act(h.toAct(), 'call', undefined, h.actor.seq);
    h.collect();
    const start = h.sent.find((s) => has(s.frame, 'hands_exposed'))!.at;
    await h.advance(500);
    expect((await h.actor.sitOut(h.callers[0]!)).ok).toBe(true);
    await h.advance(3 * STREET_MS);
    expect(h.sent.filter((s) => has(s.frame, 'street_dealt')).map((s) => s.at - start)).toEqual([STREET_MS, 2 * STREET_MS, 3 * STREET_MS]);
    expect(h.actor.handInProgress()).toBe(false);
    h.actor.stop();
  });
});

describe('the hold before the next deal', () => {
  it('a hand won by a fold waits handIntervalMs; showdownHoldMs is per table settings', async () => {
    const h = await setup({ showdownHoldMs: 6_000 });
    await h.actor.act(h.toAct(), 'fold', undefined, h.actor.seq);
    h.collect();
    const ended = firstAfter(h.sent, 'hand_settled')!;
    await h.advance(HAND_INTERVAL_MS, 10);
    expect(firstAfter(h.sent, 'hand_started', ended)!.at - ended.at).toBe(HAND_INTERVAL_MS);
    // To a showdown: everyone checks it down.
    while (h.actor.handInProgress()) {
      const legal = h.actor.snapshot(h.toAct().userId).you!.legal!;
      await h.actor.act(h.toAct(), legal.canCheck ? 'check' : 'call', undefined, h.actor.seq);
    }
    h.collect();
    const showdown = firstAfter(h.sent, 'hand_shown', ended)!;
    expect(has(showdown.frame, 'hand_settled')).toBe(true);
    await h.advance(6_000, 100);
    expect(firstAfter(h.sent, 'hand_started', showdown)!.at - showdown.at).toBe(6_000);
    h.actor.stop();
  });
});

describe('show after the hand', () => {
  it('the loser shows once, to everyone, until the next deal; the winner’s cards stay private', async () => {
    const h = await setup({ handIntervalMs: 2_000 });
    const folder = h.toAct();
    const folderSeat = h.actor.seatOf(folder.userId)!;
    const winner = h.callers.find((c) => c !== folder)!;
    expect(await h.actor.show(folder)).toMatchObject({ ok: false, error: { code: 'hand/in_progress' } });
    await h.actor.act(folder, 'fold', undefined, h.actor.seq);
    const seq = h.actor.seq;
    expect(await h.actor.show(folder)).toEqual({ ok: true });
    expect(h.actor.seq).toBe(seq + 1);
    const shownFrame = h.rec.frames.get(0)!.at(-1)!;
    const hole = h.rec.events(folder.userId).filter((e) => e.type === 'hole_cards').at(-1) as Extract<GameEvent, { type: 'hole_cards' }>;
    expect(shownFrame).toMatchObject({ seq: seq + 1, events: [{ type: 'cards_shown', seat: folderSeat, cards: hole.cards }] });
    expect(h.actor.snapshot(null).view.seats[folderSeat]!.holeCards).toEqual(hole.cards);
    expect(await h.actor.show(folder)).toMatchObject({ ok: false, error: { code: 'show/already_face_up' } });
    const winnerHole = h.rec.events(winner.userId).filter((e) => e.type === 'hole_cards').at(-1) as Extract<GameEvent, { type: 'hole_cards' }>;
    expect(JSON.stringify(h.rec.frames.get(0))).not.toContain(JSON.stringify(winnerHole.cards));
    expect(await h.actor.show({ userId: 987_654, username: 'nobody' })).toMatchObject({ ok: false, error: { code: 'table/not_seated' } });
    await h.advance(2_000);
    expect(h.actor.handInProgress()).toBe(true);
    expect(h.actor.snapshot(null).view.seats[folderSeat]!.holeCards).toBeNull();
    expect(await h.actor.show(folder)).toMatchObject({ ok: false, error: { code: 'hand/in_progress' } });
    h.actor.stop();
  });
});
