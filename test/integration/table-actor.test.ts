import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger } from '../../server/ledger/transactions';
import type { TableSettings } from '../../server/tables/settings';
import { SEAT_TOGGLES } from '../../server/protocol/token-bucket';
import { claimTable, type IntentStore } from '../../server/tables/store';
import { historySourceOf, pokerStarsTextFor } from '../../server/http/hand-history';
import { startActor } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// The table actor with a manual clock and a recording transport, over the real
// ledger on PostgreSQL: the action clock and time bank, sitting out and being
// removed, commit-then-broadcast when the ledger fails, and fencing by epoch.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 6 });
});
afterAll(async () => {
  await t.close();
});

async function setup(settings: Partial<TableSettings> = {}, ledger?: (real: Ledger) => Ledger, intents?: (real: IntentStore) => IntentStore, wallNow?: () => number) {
  const { actor, clock, rec, fatal, table } = await startActor(t, { maxSeats: 2 }, { sitOutHandsMax: 2, ...settings }, { ledger, intents, wallNow });
  const users = await seedUsers(t.db, 2, 'actor');
  for (const userId of users) await t.ledger.buyChips({ userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
  const callers = users.map((userId, i) => ({ userId, username: `p${i}` }));
  for (const [i, caller] of callers.entries()) {
    const sat = await actor.sit(caller, i, 100, uniqueKey());
    expect(sat.ok).toBe(true);
  }
  return { actor, clock, rec, callers, fatal, table };
}

describe('a top-up between hands', () => {
  it('refused: the ack says so, and no notice says it again (the conformance check heard it twice)', async () => {
    const { actor, rec, callers } = await setup();
    expect(actor.handInProgress()).toBe(false);
    const refused = await actor.topUp(callers[0]!, 150, uniqueKey('top')); // 100 + 150 > the 200 maximum
    expect(refused.ok ? 'ok' : refused.error.code).toBe('topup/above_max');
    expect(rec.notices.filter((n) => n.kind === 'info')).toEqual([]);
    expect(await actor.topUp(callers[0]!, 50, uniqueKey('top'))).toEqual({ ok: true, pending: false, stack: 150 });
  });
});

describe('a command forwarded by another node (withDeadline)', () => {
  it('that the mailbox reaches after its deadline does nothing and is answered table/unavailable', async () => {
    // Audit 6: the forwarding node answers table/unavailable ("nothing happened") once it stops
    // waiting; a command still in this table's queue then must not take effect afterwards.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { actor, callers } = await setup({}, (real) => ({ ...real, topUp: async (input) => (await held, real.topUp(input)) }));
    expect(actor.handInProgress()).toBe(false);
    const topUp = actor.topUp(callers[0]!, 20, uniqueKey('top')); // between hands: in the mailbox, held in the ledger
    const late = actor.withDeadline(Date.now() + 100, () => actor.sitOut(callers[1]!));
    const timely = actor.withDeadline(Date.now() + 60_000, () => actor.setClientSeed(callers[0]!, 'seed-in-time'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    expect(await topUp).toMatchObject({ ok: true, pending: false });
    expect(await late).toEqual({ ok: false, error: expect.objectContaining({ code: 'table/unavailable' }) });
    expect(actor.snapshot(callers[1]!.userId).view.seats[1]).toMatchObject({ sittingOut: false });
    expect(await timely).toEqual({ ok: true });
    // Commands not forwarded keep no deadline.
    expect(await actor.sitOut(callers[1]!)).toEqual({ ok: true });
  });

  it('is timed on the wall clock the actor is given (the sender\'s clock), not on its own timers', async () => {
    let wall = 1_000_000; // far in the past of Date.now(): the deadlines below are met only on this clock
    const { actor, clock, callers } = await setup({}, undefined, undefined, () => wall);
    expect(await actor.withDeadline(wall + 50, () => actor.sitOut(callers[1]!))).toEqual({ ok: true });
    await clock.advance(10_000, actor); // the table's timers do not move the wall clock
    expect(await actor.withDeadline(wall + 50, () => actor.sitIn(callers[1]!))).toEqual({ ok: true });
    wall += 100;
    expect(await actor.withDeadline(wall - 1, () => actor.sitOut(callers[1]!))).toEqual({ ok: false, error: expect.objectContaining({ code: 'table/unavailable' }) });
    expect(actor.snapshot(callers[1]!.userId).view.seats[1]).toMatchObject({ sittingOut: false });
  });
});

describe('a leave during a hand', () => {
  it('folds the hand as the player\'s own fold, at once on their turn, not on a clock as a time-out (journey audit)', async () => {
    const { actor, clock, rec, callers } = await setup();
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const other = 1 - toAct;
    // Not on their turn: the leave waits; when the turn comes, it folds without waiting.
    expect(await actor.leave(callers[other]!)).toMatchObject({ ok: true, pending: true });
    expect(await actor.act(callers[toAct]!, 'call', undefined, actor.seq)).toMatchObject({ ok: true });
    await clock.advance(0, actor);
    const actions = rec.events(0).filter((e) => e.type === 'action') as { seat: number; action: string; timedOut: boolean }[];
    expect(actions.at(-1)).toMatchObject({ seat: other, action: 'fold', timedOut: false });
    expect(actor.handInProgress()).toBe(false);
  });

  it('on their own turn: folded at once', async () => {
    const { actor, clock, rec, callers } = await setup();
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    expect(await actor.leave(callers[toAct]!)).toMatchObject({ ok: true, pending: true });
    const actions = rec.events(0).filter((e) => e.type === 'action') as { seat: number; action: string; timedOut: boolean }[];
    expect(actions.at(-1)).toMatchObject({ seat: toAct, action: 'fold', timedOut: false });
  });
});

describe('the stored hand record', () => {
  it('names the seats taken but not dealt in, for the history\'s "is sitting out" lines', async () => {
    const { actor, clock } = await startActor(t, { maxSeats: 3 }, { sitOutHandsMax: 5 });
    const users = await seedUsers(t.db, 3, 'record');
    const callers = users.map((userId, i) => ({ userId, username: `rec${i}` }));
    for (const [i, caller] of callers.entries()) {
      await t.ledger.buyChips({ userId: caller.userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
      expect((await actor.sit(caller, i, 100, uniqueKey())).ok).toBe(true);
    }
    expect(await actor.sitOut(callers[2]!)).toEqual({ ok: true });
    await clock.advance(100, actor); // deal: seats 0 and 1
    const toAct = actor.snapshot(null).view.toAct!;
    expect(await actor.act(callers[toAct]!, 'fold', undefined, actor.seq)).toMatchObject({ ok: true });
    await expect.poll(() => t.db.hand.count({ where: { tableId: actor.id } })).toBe(1);
    const hand = await t.db.hand.findFirstOrThrow({ where: { tableId: actor.id } });
    const record = hand.record as { players: { seat: number }[]; sittingOut: unknown };
    expect(record.players.map((p) => p.seat).sort()).toEqual([0, 1]);
    expect(record.sittingOut).toEqual([{ seat: 2, userId: callers[2]!.userId, username: 'rec2' }]);
    const text = pokerStarsTextFor(historySourceOf(record)!, { id: hand.id, tableName: 'T', createdAt: hand.createdAt }, { kind: 'spectator' });
    expect(text).toContain('Seat 3: rec2 (100 in chips) is sitting out');
  });
});

describe('a forwarded command started in time whose money transaction would commit after its deadline', () => {
  // Audit 7's residual: the owner started the command in time, but its ledger transaction waited
  // on a wallet row (here held by another transaction) past the deadline; the forwarding node had
  // answered table/unavailable by then. The transaction must roll back, not commit late.
  it('top-up, leave and sit roll back and answer table/unavailable; the same keys work afterwards', async () => {
    const { actor, callers } = await setup();
    const [p0, p1] = callers as [{ userId: number; username: string }, { userId: number; username: string }];
    expect(actor.handInProgress()).toBe(false);
    const before = await wallets(p0.userId, p1.userId);

    const topUpKey = uniqueKey('top');
    let held = holdWallet(p0.userId, 600);
    await held.locked;
    const topUp = await actor.withDeadline(Date.now() + 150, () => actor.topUp(p0, 20, topUpKey));
    await held.done;
    expect(topUp).toEqual({ ok: false, error: expect.objectContaining({ code: 'table/unavailable' }) });
    expect((await openSeatAccount(actor.id, p0.userId)).balance).toBe(100n);
    expect(actor.snapshot(null).view.seats[0]).toMatchObject({ stack: 100 });

    held = holdWallet(p1.userId, 600);
    await held.locked;
    const leave = await actor.withDeadline(Date.now() + 150, () => actor.leave(p1));
    await held.done;
    expect(leave).toEqual({ ok: false, error: expect.objectContaining({ code: 'table/unavailable' }) });
    expect((await openSeatAccount(actor.id, p1.userId)).balance).toBe(100n);
    expect(actor.seatOf(p1.userId)).toBe(1);
    expect(await wallets(p0.userId, p1.userId)).toEqual(before);

    // Nothing was used up: the top-up's key and the leave work now.
    expect(await actor.topUp(p0, 20, topUpKey)).toEqual({ ok: true, pending: false, stack: 120 });
    expect(await actor.leave(p1)).toMatchObject({ ok: true, pending: false, cashedOut: 100 });
    const afterLeave = await wallets(p1.userId);

    const sitKey = uniqueKey('sit');
    held = holdWallet(p1.userId, 600);
    await held.locked;
    // Back with what the seat left with (decision 036).
    const sit = await actor.withDeadline(Date.now() + 150, () => actor.sit(p1, 1, 100, sitKey));
    await held.done;
    expect(sit).toEqual({ ok: false, error: expect.objectContaining({ code: 'table/unavailable' }) });
    expect(await t.db.seatSession.count({ where: { tableId: actor.id, userId: p1.userId, status: 'OPEN' } })).toBe(0);
    expect(actor.seatOf(p1.userId)).toBeNull();
    expect(await wallets(p1.userId)).toEqual(afterLeave);
    expect(await actor.sit(p1, 1, 100, sitKey)).toMatchObject({ ok: true, seat: 1, stack: 100 });

    // In time, the same path commits as before.
    expect(await actor.withDeadline(Date.now() + 60_000, () => actor.topUp(p1, 10, uniqueKey('top')))).toEqual({ ok: true, pending: false, stack: 110 });
  });

  it('a top-up queued during a hand whose seat_intents row is written after the deadline is withdrawn, not applied', async () => {
    const slowWrites = slowIntentWrites();
    const { actor, clock, callers } = await setup({}, undefined, slowWrites.intents);
    await clock.advance(100, actor); // deal
    expect(actor.handInProgress()).toBe(true);
    const [before] = await wallets(callers[0]!.userId);
    const queued = await slowWrites.during(() => actor.withDeadline(Date.now() + 150, () => actor.topUp(callers[0]!, 20, uniqueKey('top'))));
    expect(queued.ok).toBe(false); // the forwarding node answered table/unavailable by then
    await expect.poll(() => t.db.seatIntent.count({ where: { seatSession: { tableId: actor.id } } })).toBe(0); // removed, not awaited
    // The hand ends: nothing is topped up at the boundary.
    const toAct = actor.snapshot(null).view.toAct!;
    expect(await actor.act(callers[toAct]!, 'fold', undefined, actor.seq)).toMatchObject({ ok: true });
    await clock.advance(50, actor);
    expect(actor.handInProgress()).toBe(false);
    expect(await wallets(callers[0]!.userId)).toEqual([before]);
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', tableId: actor.id } })).toBe(0);
  });
  it('a leave during a hand whose seat_intents row is written after the deadline is withdrawn: the seat stays', async () => {
    const slowWrites = slowIntentWrites();
    const { actor, clock, callers } = await setup({}, undefined, slowWrites.intents);
    await clock.advance(100, actor); // deal
    expect(actor.handInProgress()).toBe(true);
    const leave = await slowWrites.during(() => actor.withDeadline(Date.now() + 150, () => actor.leave(callers[1]!)));
    expect(leave).toEqual({ ok: false, error: expect.objectContaining({ code: 'table/unavailable' }) });
    await expect.poll(() => t.db.seatIntent.count({ where: { seatSession: { tableId: actor.id } } })).toBe(0);
    expect(actor.snapshot(null).players.find((p) => p.seat === 1)).toMatchObject({ leaving: false });
    // The hand ends: the seat is still there, its session open.
    const toAct = actor.snapshot(null).view.toAct!;
    expect(await actor.act(callers[toAct]!, 'fold', undefined, actor.seq)).toMatchObject({ ok: true });
    await clock.advance(50, actor);
    expect(actor.seatOf(callers[1]!.userId)).toBe(1);
    expect(await t.db.seatSession.count({ where: { tableId: actor.id, userId: callers[1]!.userId, status: 'OPEN' } })).toBe(1);
  });
});

/** An intent store whose writes take 400 ms while `during` runs: past a 150 ms deadline. */
function slowIntentWrites() {
  let slow = false;
  const intents = (real: IntentStore): IntentStore => ({
    ...real,
    add: async (intent) => {
      if (slow) await new Promise((resolve) => setTimeout(resolve, 400));
      return real.add(intent);
    },
  });
  const during = async <T>(call: () => Promise<T>): Promise<T> => {
    slow = true;
    try {
      return await call();
    } finally {
      slow = false;
    }
  };
  return { intents, during };
}

/** Wallet balances of the users, in order. */
async function wallets(...userIds: number[]): Promise<bigint[]> {
  const rows = await t.db.account.findMany({ where: { code: { in: userIds.map((id) => `wallet:${id}`) } } });
  return userIds.map((id) => rows.find((r) => r.code === `wallet:${id}`)!.balance);
}

/** Another transaction holds the user's wallet row (FOR UPDATE) for `ms`: a money transaction touching it waits. */
function holdWallet(userId: number, ms: number): { locked: Promise<void>; done: Promise<void> } {
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = t.db.$transaction(async (tx) => {
    await tx.$queryRawUnsafe('SELECT id FROM accounts WHERE code = $1 FOR UPDATE', `wallet:${userId}`);
    locked();
    await new Promise((resolve) => setTimeout(resolve, ms));
  }, { timeout: 10_000 });
  return { locked: isLocked, done };
}

/** The SEAT account of a user's open seat at the table (its balance is what the ledger holds for the seat). */
async function openSeatAccount(tableId: number, userId: number) {
  const account = await t.db.account.findFirst({ where: { userId, tableId, kind: 'SEAT', seatSession: { status: 'OPEN' } } });
  return account!;
}

/** A ledger whose top-ups wait until two are in flight at once; `both()` fails if that never happens. */
function topUpsHeldUntilTwo() {
  const sent: bigint[] = [];
  let twoInFlight!: () => void;
  const inFlight = new Promise<void>((resolve) => (twoInFlight = resolve));
  const ledger = (real: Ledger): Ledger => ({
    ...real,
    topUp: async (input) => {
      sent.push(input.seatSessionId);
      if (sent.length === 2) twoInFlight();
      await inFlight;
      return real.topUp(input);
    },
  });
  // One seat's top-up at a time would never have two in flight.
  const both = () => Promise.race([
    inFlight,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`ledger top-ups sent one at a time: ${sent.length} in flight`)), 5_000)),
  ]);
  return { sent, both, ledger };
}

describe('table actor', () => {
  it('on the clock: time bank first, then check-or-fold, then the player is sat out', async () => {
    const { actor, clock, rec, callers } = await setup();
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const player = callers[toAct]!;
    await clock.advance(9_999, actor);
    expect(actor.snapshot(null).view.toAct).toBe(toAct);
    await clock.advance(2, actor); // action clock out: the time bank starts
    expect(rec.events(player.userId).some((e) => e.type === 'clock' && e.clock?.usingTimeBank)).toBe(true);
    expect(actor.snapshot(null).view.toAct).toBe(toAct);
    await clock.advance(5_000, actor); // time bank out
    const timedOut = rec.events(player.userId).find((e) => e.type === 'action' && e.timedOut);
    expect(timedOut).toMatchObject({ seat: toAct, action: 'fold' }); // facing the big blind: fold, not check
    expect(actor.snapshot(null).view.seats[toAct]!.sittingOut).toBe(true);
    expect(rec.notices.some((n) => n.kind === 'sat_out')).toBe(true);
    actor.stop();
  });

  it('sitting out and in during one\'s own turn gives it no fresh clock and spares no time bank', async () => {
    // Black-box audit 5: each sit-out re-armed the turn on the short sitting-out clock, whose
    // expiry (the player back in) then armed a fresh time bank, uncharged: one turn lasted 131 s
    // on an 8 s clock, and everyone's chips stayed on the table with it.
    const { actor, clock, rec, callers } = await setup();
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const player = callers[toAct]!;
    const timeBank = () => actor.snapshot(null).players.find((p) => p.seat === toAct)!.timeBankMs;
    expect(timeBank()).toBe(5_000);
    await clock.advance(10_001, actor); // the action clock is out: on the time bank
    await clock.advance(4_000, actor); // 1 s of it left
    let elapsed = 14_001;
    const acted = () => rec.events(player.userId).find((e) => e.type === 'action' && e.seat === toAct);
    while (!acted() && elapsed < 60_000) {
      await actor.sitOut(player);
      await actor.sitIn(player);
      await clock.advance(400, actor);
      elapsed += 400;
    }
    // At most the action clock (10 s), the time bank (5 s) and one short sitting-out clock (1 s).
    expect(elapsed).toBeLessThanOrEqual(16_400);
    expect(acted()).toMatchObject({ action: 'fold', timedOut: true });
    // The time bank used is charged, the time sitting out on it included.
    expect(timeBank()).toBeLessThanOrEqual(1_000);
    actor.stop();
  });

  it('sitting back in during one\'s own turn gives back what was left of it, not the short sitting-out clock', async () => {
    // Conformance audit: the turn stayed on the 1 s sitting-out clock after the sit-in, then went
    // to the time bank, taking 8.7 s of the action clock (protocol.md: "what is left of the turn").
    const { actor, clock, rec, callers } = await setup();
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const player = callers[toAct]!;
    const fullDeadline = actor.snapshot(null).clock!.deadline;
    await clock.advance(2_000, actor);
    expect(await actor.sitOut(player)).toEqual({ ok: true });
    expect(actor.snapshot(null).clock!.deadline).toBeLessThanOrEqual(clock.now() + 1_000);
    await clock.advance(300, actor);
    expect(await actor.sitIn(player)).toEqual({ ok: true });
    expect(actor.snapshot(null).clock).toMatchObject({ seat: toAct, deadline: fullDeadline, usingTimeBank: false });
    // The frames say so too: the last clock event carries the deadline given back.
    const clocks = rec.events(player.userId).filter((e) => e.type === 'clock');
    expect(clocks.at(-1)).toMatchObject({ clock: { seat: toAct, deadline: fullDeadline, usingTimeBank: false } });
    await clock.advance(2_000, actor); // past the sitting-out clock: still the action clock
    expect(actor.snapshot(null).view.toAct).toBe(toAct);
    expect(actor.snapshot(null).clock).toMatchObject({ deadline: fullDeadline, usingTimeBank: false });
    // ... and no more than that: the turn moves to the time bank at the deadline it always had.
    await clock.advance(fullDeadline - clock.now() + 1, actor);
    expect(actor.snapshot(null).clock).toMatchObject({ seat: toAct, usingTimeBank: true });
    actor.stop();
  });

  it('the frame of an act that used time bank says what is left of it (players), as a snapshot does', async () => {
    // Conformance audit: the snapshot said 496 ms left while the last players event still said 1000.
    const { actor, clock, rec, callers } = await setup();
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const player = callers[toAct]!;
    await clock.advance(10_001, actor); // the action clock is out: on the 5 s time bank
    await clock.advance(2_000, actor);
    const before = rec.frames.get(0)!.length;
    expect(await actor.act(player, 'fold', undefined, actor.seq)).toMatchObject({ ok: true });
    const left = actor.snapshot(null).players.find((p) => p.seat === toAct)!.timeBankMs;
    expect(left).toBeGreaterThanOrEqual(2_990); // about 2 s of the 5 s used
    expect(left).toBeLessThanOrEqual(3_000);
    const players = rec.frames.get(0)!.slice(before).flatMap((f) => f.events).filter((e) => e.type === 'players');
    expect(players.at(-1)).toMatchObject({ players: expect.arrayContaining([expect.objectContaining({ seat: toAct, timeBankMs: left })]) });
    actor.stop();
  });

  it('sit-outs and sit-ins are limited to SEAT_TOGGLES per player: each is a command in the hand log and may be a write', async () => {
    const { actor, clock, callers } = await setup();
    await clock.advance(100, actor); // deal
    const [alice, bob] = callers as [{ userId: number; username: string }, { userId: number; username: string }];
    const codes: string[] = [];
    for (let i = 0; i < SEAT_TOGGLES.tokensMax + 5; i++) {
      const ack = i % 2 === 0 ? await actor.sitOut(alice) : await actor.sitIn(alice);
      codes.push(ack.ok ? 'ok' : ack.error.code);
    }
    expect(codes.slice(0, SEAT_TOGGLES.tokensMax).every((c) => c !== 'rate/limited')).toBe(true);
    expect(codes.slice(SEAT_TOGGLES.tokensMax)).toEqual(Array(5).fill('rate/limited'));
    // Another player's budget is their own, and the budget refills (1 a second).
    expect((await actor.sitOut(bob)).ok).toBe(true);
    await clock.advance(SEAT_TOGGLES.refillMs / SEAT_TOGGLES.tokensMax, actor);
    expect(await actor.sitOut(alice)).not.toMatchObject({ ok: false, error: { code: 'rate/limited' } });
    actor.stop();
  });

  it('a player sitting out is cashed out after the idle sweep once the time limit passes', async () => {
    const { actor, clock, callers, rec } = await setup({ sitOutMsMax: 60_000 });
    await clock.advance(100, actor);
    await actor.sitOut(callers[0]!);
    await actor.sitOut(callers[1]!);
    // Both sit out: the hand in progress times them out fast, then no more hands are dealt.
    await clock.advance(5_000, actor);
    expect(actor.handInProgress()).toBe(false);
    await clock.advance(60_000, actor);
    await actor.sweepIdle();
    expect(actor.seatsTaken()).toBe(0);
    const wallets = await t.db.account.findMany({ where: { code: { in: callers.map((c) => `wallet:${c.userId}`) } } });
    expect(wallets.reduce((sum, w) => sum + w.balance, 0n)).toBe(2_000n);
    // Each is told the chips that went back: the wallet's balance less the 900 it kept at the sit.
    for (const caller of callers) {
      const balance = Number(wallets.find((w) => w.code === `wallet:${caller.userId}`)!.balance);
      const removed = rec.noticesTo.filter((n) => n.userId === caller.userId && n.notice.kind === 'removed').map((n) => n.notice);
      expect(removed).toEqual([expect.objectContaining({ cashedOut: balance - 900 })]);
      expect(removed[0]!.message).toBe(`You sat out too long and were cashed out: ${(balance - 900).toLocaleString('en-US')} chips went back to your wallet.`);
    }
    actor.stop();
  });

  it('commit, then broadcast: while settlement fails the table pauses and sends no result', async () => {
    let failures = 3;
    const { actor, clock, rec, callers } = await setup({ settleRetryMs: 50 }, (real) => ({
      ...real,
      settleHand: async (input) => {
        if (failures > 0) {
          failures--;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        }
        return real.settleHand(input);
      },
    }));
    await clock.advance(100, actor);
    const toAct = actor.snapshot(null).view.toAct!;
    const folded = actor.act(callers[toAct]!, 'fold', undefined, actor.seq);
    let done = false;
    void folded.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the first attempt fails
    expect(rec.notices.map((n) => n.kind)).toContain('paused');
    expect(rec.events(callers[0]!.userId).some((e) => e.type === 'hand_complete')).toBe(false);
    expect(rec.events(0).some((e) => e.type === 'pot_awarded')).toBe(false);
    expect(await t.db.hand.count({ where: { tableId: actor.id } })).toBe(0);
    for (let i = 0; i < 100 && !done; i++) {
      await clock.advance(100); // the retry timers (the mailbox is busy retrying)
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await folded).ok).toBe(true);
    expect(rec.notices.map((n) => n.kind)).toContain('resumed');
    expect(rec.events(0).some((e) => e.type === 'hand_complete')).toBe(true);
    expect(await t.db.hand.count({ where: { tableId: actor.id } })).toBe(1);
    actor.stop();
  });

  it('a top-up during a hand does not hold the table while its intent is written; a failed write refuses it and nothing applies', async () => {
    // Each intent write waits for its gate; the second one then fails.
    const gates: { open: () => void; opened: Promise<void> }[] = [];
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      gates.push({ open, opened });
      return opened;
    };
    const { actor, clock, callers } = await setup({}, undefined, (real) => ({
      ...real,
      add: async (intent) => {
        const n = gates.length;
        await gate();
        if (n === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return real.add(intent);
      },
    }));
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const other = 1 - toAct;
    let answered = false;
    const first = actor.topUp(callers[other]!, 50, uniqueKey('top')).then((ack) => ((answered = true), ack));
    // The act queued behind it is answered while the intent is still being written.
    expect(await actor.act(callers[toAct]!, 'call', undefined, actor.seq)).toMatchObject({ ok: true });
    expect(answered).toBe(false);
    gates[0]!.open();
    expect(await first).toEqual({ ok: true, pending: true });
    // The second one's write is still going when the hand ends, and then fails: the boundary
    // waits for it and skips it, and the request is refused.
    const second = actor.topUp(callers[other]!, 30, uniqueKey('top'));
    const folded = actor.act(callers[other]!, 'fold', undefined, actor.seq);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the hand settles; its boundary waits for the write
    gates[1]!.open();
    expect(await second).toMatchObject({ ok: false, error: { code: 'table/busy' } });
    expect(await folded).toMatchObject({ ok: true });
    await actor.idle();
    const seat = await openSeatAccount(actor.id, callers[other]!.userId);
    expect(seat.balance).toBe(100n - 2n + 50n); // lost the big blind, then the first top-up only
    expect(BigInt(actor.memoryStacks().find((m) => m.seat === other)!.stack)).toBe(seat.balance);
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', tableId: actor.id } })).toBe(1);
    await expect.poll(() => t.db.seatIntent.count({ where: { seatSession: { tableId: actor.id } } })).toBe(0); // deleted once applied, not awaited
    actor.stop();
  });

  it('a leave whose seat_intents row cannot be written is refused; the table and the hand go on, and a second leave works', async () => {
    let failNext = true;
    const { actor, clock, callers, fatal } = await setup({}, undefined, (real) => ({
      ...real,
      add: async (intent) => {
        if (intent.kind === 'LEAVE' && failNext) {
          failNext = false;
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        }
        return real.add(intent);
      },
    }));
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const other = 1 - toAct;
    const hand = actor.snapshot(null).view.handId;
    expect(await actor.leave(callers[other]!)).toMatchObject({ ok: false, error: { code: 'table/busy' } });
    expect(fatal).toEqual([]);
    expect(actor.players().find((p) => p.seat === other)!.leaving).toBe(false);
    expect(actor.snapshot(null).view.seats[other]!.sittingOut).toBe(false);
    // The hand is the same one, and it goes on.
    expect(actor.snapshot(null).view.handId).toBe(hand);
    expect(await actor.act(callers[toAct]!, 'call', undefined, actor.seq)).toMatchObject({ ok: true });
    // Now on the leaver's turn: the leave is stored, the hand folded at once, and the boundary
    // cashes the seat out.
    expect(await actor.leave(callers[other]!)).toMatchObject({ ok: true, pending: true });
    await actor.idle();
    const turn = actor.snapshot(null).view.toAct;
    if (turn !== null) await actor.act(callers[turn]!, 'fold', undefined, actor.seq);
    await actor.idle();
    expect(actor.seatsTaken()).toBe(1);
    expect(await t.db.seatSession.count({ where: { tableId: actor.id, status: 'OPEN' } })).toBe(1);
    await expect.poll(() => t.db.seatIntent.count({ where: { seatSession: { tableId: actor.id } } })).toBe(0);
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('a leave asked while the hand settles is taken at that boundary, which waits for its row to be stored', async () => {
    let settleGate!: () => void;
    const settleHeld = new Promise<void>((resolve) => (settleGate = resolve));
    let settling!: () => void;
    const settleStarted = new Promise<void>((resolve) => (settling = resolve));
    let writeGate!: () => void;
    const writeHeld = new Promise<void>((resolve) => (writeGate = resolve));
    const topUpsSent: bigint[] = [];
    const { actor, clock, rec, callers, fatal } = await setup(
      {},
      (real) => ({
        ...real,
        settleHand: async (input) => (settling(), await settleHeld, real.settleHand(input)),
        topUp: (input) => (topUpsSent.push(input.seatSessionId), real.topUp(input)),
      }),
      (real) => ({ ...real, add: async (intent) => (intent.kind === 'LEAVE' && (await writeHeld), real.add(intent)) }),
    );
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const other = 1 - toAct;
    // The leaver has a top-up queued too: leaving, it is dropped, never sent to the ledger.
    expect(await actor.topUp(callers[other]!, 50, uniqueKey('top'))).toEqual({ ok: true, pending: true });
    const folded = actor.act(callers[toAct]!, 'fold', undefined, actor.seq);
    await settleStarted;
    // Outside the mailbox (it is busy settling): the row's write starts, held.
    const left = actor.leave(callers[other]!);
    settleGate();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the settlement commits; the boundary waits for the row
    expect(actor.seatsTaken()).toBe(2);
    writeGate();
    expect(await left).toEqual({ ok: true, pending: true });
    expect(await folded).toMatchObject({ ok: true });
    await actor.idle();
    // Cashed out at this boundary, not dealt into another hand, with the stack the table held.
    expect(actor.seatsTaken()).toBe(1);
    expect(await t.db.seatSession.count({ where: { tableId: actor.id, status: 'OPEN' } })).toBe(1);
    expect(topUpsSent).toEqual([]);
    expect(rec.notices.map((n) => n.message)).toContain('Your pending top-up was cancelled because you left the table; no chips were taken.');
    const wallet = await t.db.account.findUniqueOrThrow({ where: { code: `wallet:${callers[other]!.userId}` } });
    expect(wallet.balance).toBe(1_000n - 100n + 101n); // bought in 100, won the small blind
    await expect.poll(() => t.db.seatIntent.count({ where: { seatSession: { tableId: actor.id } } })).toBe(0);
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('while the hand settles, a seat whose leave is pending cannot sit out (table/leave_pending), and another seat still can', async () => {
    let settleGate!: () => void;
    const settleHeld = new Promise<void>((resolve) => (settleGate = resolve));
    let settling!: () => void;
    const settleStarted = new Promise<void>((resolve) => (settling = resolve));
    const { actor, clock, callers, fatal } = await setup({}, (real) => ({
      ...real,
      settleHand: async (input) => (settling(), await settleHeld, real.settleHand(input)),
    }));
    await clock.advance(100, actor); // deal
    const toAct = actor.snapshot(null).view.toAct!;
    const other = 1 - toAct;
    const folded = actor.act(callers[toAct]!, 'fold', undefined, actor.seq);
    await settleStarted;
    // Outside the mailbox (it is busy settling): the sit-out is answered at once, by the settling path.
    expect(await actor.leave(callers[other]!)).toEqual({ ok: true, pending: true });
    expect(await actor.sitOut(callers[other]!)).toEqual({ ok: false, error: expect.objectContaining({ code: 'table/leave_pending' }) });
    expect(await actor.sitOut(callers[toAct]!)).toEqual({ ok: true });
    settleGate();
    expect(await folded).toMatchObject({ ok: true });
    await actor.idle();
    expect(actor.seatsTaken()).toBe(1);
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('at the boundary the queued top-ups of different seats go to the ledger together; one seat\'s go one after another, in the order asked', async () => {
    const { sent, both, ledger } = topUpsHeldUntilTwo();
    const removedByTable: bigint[] = [];
    const { actor, clock, rec, callers } = await setup({}, ledger, (real) => ({
      ...real,
      remove: (id) => (removedByTable.push(id), real.remove(id)),
    }));
    await clock.advance(100, actor); // deal: heads-up, the seat to act posted the small blind
    const toAct = actor.snapshot(null).view.toAct!;
    const other = 1 - toAct;
    const seatSession = (seat: number) => openSeatAccount(actor.id, callers[seat]!.userId);
    const [mine, theirs] = [await seatSession(toAct), await seatSession(other)];
    // 99 after the fold: 60 fits (159), then 50 does not (209 > 200). The other order would apply 50.
    expect(await actor.topUp(callers[toAct]!, 60, uniqueKey('top'))).toEqual({ ok: true, pending: true });
    expect(await actor.topUp(callers[toAct]!, 50, uniqueKey('top'))).toEqual({ ok: true, pending: true });
    expect(await actor.topUp(callers[other]!, 80, uniqueKey('top'))).toEqual({ ok: true, pending: true });
    const folded = actor.act(callers[toAct]!, 'fold', undefined, actor.seq);
    await both();
    expect(new Set(sent)).toEqual(new Set([mine.seatSessionId, theirs.seatSessionId]));
    expect(await folded).toMatchObject({ ok: true });
    await actor.idle();
    expect(sent).toHaveLength(3);
    expect(sent[2]).toBe(mine.seatSessionId); // the 50, once the 60 was done
    const after = [await seatSession(toAct), await seatSession(other)];
    expect(after.map((a) => a.balance)).toEqual([99n + 60n, 101n + 80n]);
    expect(actor.memoryStacks().find((m) => m.seat === toAct)!.stack).toBe(159);
    expect(actor.memoryStacks().find((m) => m.seat === other)!.stack).toBe(181);
    const added = (seat: number) => rec.events(callers[seat]!.userId).filter((e) => e.type === 'chips_added' && e.seat === seat).map((e) => e.type === 'chips_added' && e.amount);
    expect(added(toAct)).toEqual([60]);
    expect(added(other)).toEqual([80]);
    expect(rec.notices.filter((n) => n.kind === 'info').map((n) => n.message)).toEqual([expect.stringMatching(/^Top-up refused/)]);
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', tableId: actor.id } })).toBe(2);
    // The two applied ones left seat_intents in their ledger transaction; the table removed the refused one.
    expect(removedByTable).toHaveLength(1);
    await expect.poll(() => t.db.seatIntent.count({ where: { seatSession: { tableId: actor.id } } })).toBe(0); // that one is not awaited
    actor.stop();
  });

  it('a table closed while the boundary\'s top-ups are in the ledger applies them, then cashes everyone out with them', async () => {
    const { sent, both, ledger } = topUpsHeldUntilTwo();
    const { actor, clock, callers, fatal } = await setup({}, ledger);
    await clock.advance(100, actor);
    const toAct = actor.snapshot(null).view.toAct!;
    for (const caller of callers) expect(await actor.topUp(caller, 40, uniqueKey('top'))).toEqual({ ok: true, pending: true });
    const folded = actor.act(callers[toAct]!, 'fold', undefined, actor.seq);
    await both();
    const closed = actor.close();
    expect(await folded).toMatchObject({ ok: true });
    await closed;
    await actor.idle();
    expect(fatal).toEqual([]);
    expect(sent).toHaveLength(2);
    expect(actor.seatsTaken()).toBe(0);
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', tableId: actor.id } })).toBe(2);
    const cashOuts = await t.db.ledgerTransfer.findMany({ where: { kind: 'CASH_OUT', tableId: actor.id }, include: { entries: true } });
    // Each transfer's debits equal its credits: half of its entries' total is what moved.
    const paid = cashOuts.flatMap((c) => c.entries).reduce((sum, e) => sum + e.amount, 0n) / 2n;
    expect(paid).toBe(200n + 80n); // both stacks with their top-ups (no rake without a flop)
    const wallets = await t.db.account.findMany({ where: { code: { in: callers.map((c) => `wallet:${c.userId}`) } } });
    expect(wallets.reduce((sum, w) => sum + w.balance, 0n)).toBe(2_000n);
    expect((await t.db.pokerTable.findUnique({ where: { id: actor.id } }))!.status).toBe('CLOSED');
  });

  it('a stale owner cannot settle: the actor stops, nothing is broadcast or written', async () => {
    const { actor, clock, rec, callers, fatal, table } = await setup();
    await clock.advance(100, actor);
    await claimTable(t.db, table.id); // another process takes the table over (epoch + 1)
    const toAct = actor.snapshot(null).view.toAct!;
    await actor.act(callers[toAct]!, 'fold', undefined, actor.seq);
    expect(fatal.join()).toMatch(/settle\/stale/);
    expect(rec.events(0).some((e) => e.type === 'pot_awarded')).toBe(false);
    expect(await t.db.hand.count({ where: { tableId: table.id } })).toBe(0);
    const seats = await t.db.account.findMany({ where: { code: { startsWith: 'seat:' }, tableId: table.id } });
    expect(seats.map((s) => s.balance)).toEqual([100n, 100n]);
  });
});
