import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail } from '../../server/ledger/errors';
import type { Ledger } from '../../server/ledger/transactions';
import { TableActor, type Caller } from '../../server/tables/actor';
import { TableRegistry } from '../../server/tables/registry';
import { DEFAULT_TABLE_SETTINGS, type TableSettings } from '../../server/tables/settings';
import { claimTable, createIntentStore, insertTable, lastHandOf, openSeats, requestClose, storedTable, type TableRow } from '../../server/tables/store';
import { ManualClock, recordingOutput } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// Money at the edges of the table actor, over the real ledger on PostgreSQL:
// replays are answered and never re-applied, the stack a table holds for a seat
// always equals the seat's ledger balance, a settlement that cannot commit
// never wedges a table, closing a table strands nothing (also across a
// restart), and a restart leaves no seat session open that the table does not seat.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 8 });
});
afterAll(async () => {
  await t.close();
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const SETTINGS: TableSettings = { ...DEFAULT_TABLE_SETTINGS, handIntervalMs: 100, timeBankMs: 0, settleRetryMs: 50 };

interface Harness {
  actor: TableActor;
  clock: ManualClock;
  table: TableRow;
  fatal: string[];
  voided: string[];
  rec: ReturnType<typeof recordingOutput>;
}

function startActor(table: TableRow, options: { settings?: Partial<TableSettings>; ledger?: Ledger; clock?: ManualClock } = {}): Harness {
  const clock = options.clock ?? new ManualClock();
  const rec = recordingOutput();
  const fatal: string[] = [];
  const voided: string[] = [];
  const actor = new TableActor({
    table, clock, wallNow: () => Date.now(), output: rec.output, log: quiet, newSeed: () => randomBytes(32),
    ledger: options.ledger ?? t.ledger,
    intents: createIntentStore(t.db),
    settings: { ...SETTINGS, ...options.settings },
    metrics: { actionAck: () => undefined, settlement: () => undefined, handSettled: () => undefined, handVoided: (r) => voided.push(r) },
    onFatal: (_id, reason) => fatal.push(reason),
    handSettled: async () => false,
  });
  return { actor, clock, table, fatal, voided, rec };
}

async function newTable(maxSeats = 2): Promise<TableRow> {
  const row = await insertTable(t.db, {
    name: `edges-${randomBytes(4).toString('hex')}`, variant: 'NLHE', maxSeats, smallBlind: 1, bigBlind: 2,
    minBuyIn: 40, maxBuyIn: 200, actionTimeoutMs: 10_000,
  });
  return (await claimTable(t.db, row.id))!;
}

/** A restart: the old actor is gone, a new owner claims the table and rebuilds it from the database. */
async function restart(h: Harness, options: { ledger?: Ledger } = {}): Promise<Harness> {
  h.actor.stop();
  const table = (await claimTable(t.db, h.table.id))!;
  const next = startActor(table, options);
  await next.actor.restore(await storedTable(t.db, createIntentStore(t.db), table.id));
  return next;
}

async function players(count: number, chips = 1_000n): Promise<Caller[]> {
  const ids = await seedUsers(t.db, count, 'edge');
  for (const userId of ids) await t.ledger.buyChips({ userId, amountCents: chips, idempotencyKey: uniqueKey() });
  return ids.map((userId, i) => ({ userId, username: `e${i}` }));
}

async function wallet(userId: number): Promise<bigint> {
  return (await t.db.account.findUnique({ where: { code: `wallet:${userId}` } }))?.balance ?? 0n;
}

/** The ledger's view of the table: every open seat session and its balance. */
async function ledgerSeats(tableId: number): Promise<Map<string, bigint>> {
  const rows = await t.db.account.findMany({ where: { tableId, kind: 'SEAT', seatSession: { status: 'OPEN' } } });
  return new Map(rows.map((r) => [String(r.seatSessionId), r.balance]));
}

async function expectMemoryEqualsLedger(actor: TableActor): Promise<void> {
  const memory = new Map(actor.memoryStacks().map((s) => [String(s.seatSessionId), BigInt(s.stack)]));
  expect(memory).toEqual(await ledgerSeats(actor.id));
}

async function foldHand(h: Harness, callers: Caller[]): Promise<void> {
  const toAct = h.actor.snapshot(null).view.toAct;
  if (toAct === null) return;
  const caller = callers.find((c) => h.actor.seatOf(c.userId) === toAct)!;
  const acted = await h.actor.act(caller, 'fold', undefined, h.actor.seq);
  expect(acted.ok).toBe(true);
}

describe('replays are answered, never re-applied', () => {
  it('a top-up replayed during a hand and after it adds its chips once', async () => {
    const h = startActor(await newTable());
    const callers = await players(2);
    for (const [i, c] of callers.entries()) expect((await h.actor.sit(c, i, 100, uniqueKey())).ok).toBe(true);
    await h.clock.advance(100, h.actor); // deal
    expect(h.actor.handInProgress()).toBe(true);
    const key = uniqueKey('top');
    const first = await h.actor.topUp(callers[0]!, 50, key);
    const again = await h.actor.topUp(callers[0]!, 50, key);
    expect(first).toMatchObject({ ok: true, pending: true });
    expect(again).toMatchObject({ ok: true, pending: true });
    expect(await t.db.seatIntent.count({ where: { kind: 'TOP_UP', seatSession: { userId: callers[0]!.userId } } })).toBe(1);
    const otherAmount = await h.actor.topUp(callers[0]!, 60, key);
    expect(otherAmount.ok ? 'ok' : otherAmount.error.code).toBe('idempotency/key_reused');
    await foldHand(h, callers);
    await expectMemoryEqualsLedger(h.actor);
    const stackAfter = h.actor.memoryStacks().find((s) => s.seat === 0)!.stack;
    const afterHand = await h.actor.topUp(callers[0]!, 50, key);
    expect(afterHand.ok).toBe(true);
    expect(h.actor.memoryStacks().find((s) => s.seat === 0)!.stack).toBe(stackAfter);
    await expectMemoryEqualsLedger(h.actor);
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } })).toBe(1);
    expect(h.fatal).toEqual([]);
    h.actor.stop();
  });

  it('a sit replayed after cashing out is refused and seats nobody', async () => {
    const h = startActor(await newTable());
    const [alice] = await players(1);
    const key = uniqueKey('sit');
    const sat = await h.actor.sit(alice!, 0, 100, key);
    expect(sat).toMatchObject({ ok: true, seat: 0, stack: 100 });
    expect(await h.actor.sit(alice!, 0, 100, key)).toMatchObject({ ok: true, seat: 0, stack: 100 }); // still seated: the first result
    const left = await h.actor.leave(alice!);
    expect(left).toMatchObject({ ok: true, pending: false, cashedOut: 100 });
    const replay = await h.actor.sit(alice!, 0, 100, key);
    expect(replay.ok ? 'ok' : replay.error.code).toBe('seat/closed');
    expect(h.actor.seatsTaken()).toBe(0);
    expect((await ledgerSeats(h.actor.id)).size).toBe(0);
    expect(await wallet(alice!.userId)).toBe(1_000n);
    h.actor.stop();
  });

  it('a seat bought during a hand and left before it entered the engine is cashed out with its buy-in', async () => {
    // Found by the property test below: the seat was "leaving" but had never been dealt in.
    const h = startActor(await newTable(3));
    const callers = await players(3);
    await h.actor.sit(callers[0]!, 0, 100, uniqueKey());
    await h.actor.sit(callers[1]!, 1, 100, uniqueKey());
    await h.clock.advance(100, h.actor); // deal
    expect(await h.actor.sit(callers[2]!, 2, 120, uniqueKey())).toMatchObject({ ok: true, pending: true });
    expect(await h.actor.leave(callers[2]!)).toMatchObject({ ok: true, pending: true });
    await expectMemoryEqualsLedger(h.actor);
    await foldHand(h, callers);
    expect(h.fatal).toEqual([]);
    expect(h.actor.seatOf(callers[2]!.userId)).toBeNull();
    expect(await wallet(callers[2]!.userId)).toBe(1_000n);
    await expectMemoryEqualsLedger(h.actor);
    h.actor.stop();
  });

  it('random interleavings of sit, top-up, leave, their replays and hands keep memory equal to the ledger after every step', async () => {
    const users = await players(3, 100_000n);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            // Few keys and few amounts, so that exact replays (same key, same request) are common.
            fc.record({ kind: fc.constant('sit' as const), user: fc.nat(2), seat: fc.nat(2), amount: fc.constantFrom(100, 150), key: fc.nat(2) }),
            fc.record({ kind: fc.constant('topUp' as const), user: fc.nat(2), amount: fc.constantFrom(20, 50), key: fc.nat(2) }),
            fc.record({ kind: fc.constant('leave' as const), user: fc.nat(2) }),
            fc.record({ kind: fc.constant('act' as const), choice: fc.nat(3) }),
            fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(100, 1_000, 25_000) }),
          ),
          { minLength: 10, maxLength: 40 },
        ),
        async (commands) => {
          const h = startActor(await newTable(3));
          const run = randomBytes(3).toString('hex');
          const keyOf = (kind: string, user: number, n: number) => `${kind}-${run}-${user}-${n}`;
          // Everyone starts seated (with key 0, which later commands may replay).
          const start = users.map((_, user) => ({ kind: 'sit' as const, user, seat: user, amount: 100, key: 0 }));
          for (const c of [...start, ...commands]) {
            if (c.kind === 'sit') await h.actor.sit(users[c.user]!, c.seat, c.amount, keyOf('sit', c.user, c.key));
            else if (c.kind === 'topUp') await h.actor.topUp(users[c.user]!, c.amount, keyOf('top', c.user, c.key));
            else if (c.kind === 'leave') await h.actor.leave(users[c.user]!);
            else if (c.kind === 'act') await actRandomly(h, users, c.choice);
            else await h.clock.advance(c.ms, h.actor);
            await h.actor.idle();
            await expectMemoryEqualsLedger(h.actor);
          }
          expect(h.fatal).toEqual([]);
          h.actor.stop();
        },
      ),
      { numRuns: Number(process.env.MONEY_EDGES_RUNS ?? 20) },
    );
  });
});

async function actRandomly(h: Harness, users: Caller[], choice: number): Promise<void> {
  const toAct = h.actor.snapshot(null).view.toAct;
  if (toAct === null) return;
  const caller = users.find((u) => h.actor.seatOf(u.userId) === toAct);
  if (!caller) return;
  const legal = h.actor.snapshot(caller.userId).you?.legal;
  if (!legal) return;
  const seq = h.actor.seq;
  if (choice === 0 && legal.canFold) await h.actor.act(caller, 'fold', undefined, seq);
  else if (choice === 2 && legal.minRaiseTo !== undefined) await h.actor.act(caller, 'raise', legal.minRaiseTo, seq);
  else if (choice === 3 && legal.canAllIn) await h.actor.act(caller, 'all_in', undefined, seq);
  else await h.actor.act(caller, legal.canCheck ? 'check' : 'call', undefined, seq);
}

describe('a settlement that cannot commit never wedges a table', () => {
  it('a refusal that will not go away voids the hand at once: counted, stacks as before it', async () => {
    const refusing: Ledger = { ...t.ledger, settleHand: async () => fail('idempotency/key_reused') };
    const h = startActor(await newTable(), { ledger: refusing });
    const callers = await players(2);
    for (const [i, c] of callers.entries()) await h.actor.sit(c, i, 100, uniqueKey());
    await h.clock.advance(100, h.actor);
    await foldHand(h, callers);
    expect(h.voided).toEqual(['idempotency/key_reused']);
    expect(h.fatal.join()).toMatch(/hand voided/);
    expect([...(await ledgerSeats(h.table.id)).values()]).toEqual([100n, 100n]);
    expect(await t.db.hand.count({ where: { tableId: h.table.id } })).toBe(0);
    // The rebuilt table plays on.
    const next = await restart(h);
    expect(next.actor.seatsTaken()).toBe(2);
    await expectMemoryEqualsLedger(next.actor);
    next.actor.stop();
  });

  it('while a transient failure is retried, leave and sit-out are answered at once; the retries are bounded', async () => {
    const busy: Ledger = { ...t.ledger, settleHand: async () => fail('ledger/busy') };
    const h = startActor(await newTable(), { ledger: busy, settings: { settleRetryBudgetMs: 2_000, settleRetryMs: 100 } });
    const callers = await players(2);
    for (const [i, c] of callers.entries()) await h.actor.sit(c, i, 100, uniqueKey());
    await h.clock.advance(100, h.actor);
    const toAct = h.actor.snapshot(null).view.toAct!;
    const folder = callers.find((c) => h.actor.seatOf(c.userId) === toAct)!;
    const other = callers.find((c) => c !== folder)!;
    const folding = h.actor.act(folder, 'fold', undefined, h.actor.seq);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first attempt fails; the retry waits on the clock
    expect(h.rec.notices.map((n) => n.kind)).toContain('paused');
    expect(await h.actor.leave(other)).toMatchObject({ ok: true, pending: true });
    expect(await h.actor.sitOut(folder)).toMatchObject({ ok: true });
    const acted = await h.actor.act(folder, 'check', undefined, h.actor.seq);
    expect(acted.ok ? 'ok' : acted.error.code).toBe('table/paused');
    await h.clock.advance(5_000);
    await folding;
    expect(h.voided).toEqual(['retries_exhausted']);
    // The leave survived the void: the rebuilt table cashes that player out.
    const next = await restart(h);
    expect(next.actor.seatOf(other.userId)).toBeNull();
    expect(await wallet(other.userId)).toBe(1_000n);
    await expectMemoryEqualsLedger(next.actor);
    next.actor.stop();
  });
});

describe('closing a table strands nothing', () => {
  async function seatedTable(): Promise<{ h: Harness; callers: Caller[] }> {
    const h = startActor(await newTable());
    const callers = await players(2);
    for (const [i, c] of callers.entries()) await h.actor.sit(c, i, 100, uniqueKey());
    await h.clock.advance(100, h.actor); // deal
    expect(h.actor.handInProgress()).toBe(true);
    return { h, callers };
  }

  async function expectClosed(tableId: number, callers: Caller[], total: bigint): Promise<void> {
    expect((await t.db.pokerTable.findUniqueOrThrow({ where: { id: tableId } })).status).toBe('CLOSED');
    expect(await t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })).toBe(0);
    let sum = 0n;
    for (const c of callers) sum += await wallet(c.userId);
    expect(sum).toBe(total);
    const report = await t.ledger.reconcile();
    expect(report.violations).toEqual([]);
  }

  it('at the hand boundary: the hand settles, then everyone is cashed out, then the table is CLOSED', async () => {
    const { h, callers } = await seatedTable();
    await requestClose(t.db, h.table.id);
    expect(await h.actor.close()).toEqual({ pending: true });
    // Everyone hears the close is coming (once), and a snapshot (a reload) says so too.
    expect(h.rec.notices.filter((n) => n.kind === 'closing')).toHaveLength(1);
    expect(h.actor.snapshot(null).closing).toBe('boundary');
    expect(await h.actor.close()).toEqual({ pending: true });
    expect(h.rec.notices.filter((n) => n.kind === 'closing')).toHaveLength(1);
    const sit = await h.actor.sit((await players(1))[0]!, 1, 100, uniqueKey());
    expect(sit.ok ? 'ok' : sit.error.code).toBe('table/closed');
    // Chips at the table: stacks and what is in the pot (a fold before the flop pays no rake).
    const atTable = h.actor.snapshot(null).view.seats.reduce((sum, seat) => sum + (seat ? seat.stack + seat.committed : 0), 0);
    await foldHand(h, callers);
    await expectClosed(h.table.id, callers, 2_000n);
    expect(h.rec.notices.map((n) => n.kind)).toContain('closed');
    // Each player is told what went back to their wallet.
    const told = h.rec.notices.filter((n) => n.kind === 'info' && n.message.startsWith('The table is closing:')).map((n) => Number(n.message.match(/([\d,]+) chips/)![1]!.replace(/,/g, '')));
    expect(told.reduce((a, b) => a + b, 0)).toBe(atTable);
    expect(told).toHaveLength(callers.length);
    // ... to them alone, and as a number too (`cashedOut`), the same as the message says.
    const toEach = h.rec.noticesTo.filter((n) => n.notice.kind === 'info' && n.notice.message.startsWith('The table is closing:'));
    expect(toEach.map((n) => n.userId).sort()).toEqual(callers.map((c) => c.userId).sort());
    expect(toEach.map((n) => n.notice.cashedOut)).toEqual(told);
  });

  it('now: the live hand is voided and every player gets their pre-hand stack back', async () => {
    const { h, callers } = await seatedTable();
    const toAct = h.actor.snapshot(null).view.toAct!;
    const raiser = callers.find((c) => h.actor.seatOf(c.userId) === toAct)!;
    expect((await h.actor.act(raiser, 'raise', 10, h.actor.seq)).ok).toBe(true);
    await requestClose(t.db, h.table.id);
    expect(await h.actor.close({ now: true })).toEqual({ pending: false });
    await expectClosed(h.table.id, callers, 2_000n);
    for (const c of callers) expect(await wallet(c.userId)).toBe(1_000n);
  });

  it('a close asked for mid-hand survives a restart before the boundary', async () => {
    const { h, callers } = await seatedTable();
    await requestClose(t.db, h.table.id);
    await h.actor.close();
    const next = await restart(h); // the process died mid-hand: the hand is void
    expect(next.actor.seatsTaken()).toBe(0);
    await expectClosed(h.table.id, callers, 2_000n);
    for (const c of callers) expect(await wallet(c.userId)).toBe(1_000n);
  });

  it('at boot, a seat left open at a closed table is cashed out (and reconcile reported it until then)', async () => {
    const table = await newTable();
    const [alice] = await players(1);
    const sat = await t.ledger.buyIn({ userId: alice!.userId, tableId: table.id, seatIndex: 0, amount: 150n, idempotencyKey: uniqueKey() });
    expect(sat.ok).toBe(true);
    // What an older version did: the table marked CLOSED while a seat was still open.
    await t.db.pokerTable.update({ where: { id: table.id }, data: { status: 'CLOSED' } });
    const before = await t.ledger.reconcile();
    expect(before.violations.map((v) => v.code)).toContain('seat/open_on_closed_table');
    const registry = new TableRegistry({
      db: t.db, ledger: t.ledger, clock: new ManualClock(), wallNow: () => Date.now(), settings: SETTINGS, output: recordingOutput().output, log: quiet,
    });
    await registry.boot({ createDefaults: false });
    await registry.shutdown(0);
    expect(await wallet(alice!.userId)).toBe(1_000n);
    const transfer = await t.db.ledgerTransfer.findFirstOrThrow({ where: { kind: 'CASH_OUT', actorUserId: alice!.userId } });
    expect(transfer.reason).toMatch(/table closed/);
    expect((await t.ledger.reconcile()).violations).toEqual([]);
  });
});

describe('recovery leaves no seat the table does not seat', () => {
  it('a player busted to 0 when the server stopped can leave and sit again after the restart', async () => {
    const table = await newTable();
    const [alice, bob] = await players(2);
    const a = await t.ledger.buyIn({ userId: alice!.userId, tableId: table.id, seatIndex: 0, amount: 100n, idempotencyKey: uniqueKey() });
    const b = await t.ledger.buyIn({ userId: bob!.userId, tableId: table.id, seatIndex: 1, amount: 100n, idempotencyKey: uniqueKey() });
    if (!a.ok || !b.ok) throw new Error('buy-in failed');
    // A hand in which alice lost everything settled just before the stop.
    const settled = await t.ledger.settleHand({
      tableId: table.id, handNumber: 1n, ownerEpoch: table.ownerEpoch, rake: 0n, commitment: 'c', seed: 's', record: {},
      seats: [
        { seatSessionId: a.value.seatSessionId, userId: alice!.userId, seatIndex: 0, contributed: 100n, won: 0n },
        { seatSessionId: b.value.seatSessionId, userId: bob!.userId, seatIndex: 1, contributed: 100n, won: 200n },
      ],
    });
    expect(settled.ok).toBe(true);
    const h = startActor((await claimTable(t.db, table.id))!);
    await h.actor.restore({ seats: await openSeats(t.db, table.id), intents: [], lastHand: await lastHandOf(t.db, table.id) });
    expect(h.actor.seatOf(alice!.userId)).toBeNull();
    expect(await t.db.seatSession.count({ where: { tableId: table.id, status: 'OPEN', userId: alice!.userId } })).toBe(0);
    const left = await h.actor.leave(alice!);
    expect(left.ok ? 'ok' : left.error.code).toBe('table/not_seated');
    expect(await h.actor.sit(alice!, 0, 100, uniqueKey())).toMatchObject({ ok: true, seat: 0 });
    await expectMemoryEqualsLedger(h.actor);
    h.actor.stop();
  });

  it('a leave and a top-up asked for during a hand survive a restart', async () => {
    const h = startActor(await newTable());
    const callers = await players(2);
    for (const [i, c] of callers.entries()) await h.actor.sit(c, i, 100, uniqueKey());
    await h.clock.advance(100, h.actor);
    // The player not to act leaves (on one's own turn a leave folds the hand at once) and the
    // other tops up; the hand is still on when the server stops.
    const toAct = h.actor.snapshot(null).view.toAct!;
    const [leaver, stayer] = [callers[1 - toAct]!, callers[toAct]!];
    expect(await h.actor.leave(leaver)).toMatchObject({ ok: true, pending: true });
    const key = uniqueKey('top');
    expect(await h.actor.topUp(stayer, 50, key)).toMatchObject({ ok: true, pending: true });
    expect(h.actor.handInProgress()).toBe(true);
    const next = await restart(h);
    expect(next.actor.seatOf(leaver.userId)).toBeNull();
    expect(await wallet(leaver.userId)).toBe(1_000n);
    expect(next.actor.memoryStacks()).toEqual([{ seat: toAct, seatSessionId: expect.any(BigInt), stack: 150 }]);
    await expectMemoryEqualsLedger(next.actor);
    await expect.poll(() => t.db.seatIntent.count({ where: { seatSession: { tableId: h.table.id } } })).toBe(0); // deleted once applied (not awaited in the mailbox)
    // Replaying the top-up now is answered with its first result and adds nothing.
    expect(await next.actor.topUp(stayer, 50, key)).toMatchObject({ ok: true, stack: 150 });
    await expectMemoryEqualsLedger(next.actor);
    next.actor.stop();
  });
});
