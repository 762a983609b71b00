import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, createGame, legalActions, type Command, type GameEvent } from '../../server/poker';
import { dealDeck } from '../../server/poker/fairness';
import type { TableActor } from '../../server/tables/actor';
import type { TableSettings } from '../../server/tables/settings';
import { restartActor, startActor, type ManualClock } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// A rules audit of the table above the engine (2026-12-07): the table actor over the real
// ledger, driven over many hands with players arriving, leaving, sitting out and back, busting
// and timing out, checked against the standard rules (Robert's Rules of Poker, the TDA rules,
// PokerStars' cash-game practice) and the project's own decisions (003, 029, 030, 034, 035).

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 6 });
});
afterAll(async () => {
  await t.close();
});

type Caller = { userId: number; username: string };
/** One dealt hand as the table showed it. */
interface Dealt {
  handNumber: number;
  button: number;
  smallBlind: number;
  bigBlind: number;
  dealt: number[];
  /** Seat -> userId of everyone dealt in. */
  users: Map<number, number>;
  /** Seats that posted to enter (decision 034/035), with the kind of their post. */
  posts: Map<number, string>;
  /** The first seat to act pre-flop. */
  firstToAct: number | null;
}

async function table(seats: number, options: { users?: number; table?: Record<string, number>; settings?: Partial<TableSettings>; newSeed?: () => Uint8Array } = {}) {
  const started = await startActor(t, { maxSeats: seats, ...options.table }, { sitOutHandsMax: 50, timeBankMs: 0, ...options.settings }, { newSeed: options.newSeed });
  const users = await seedUsers(t.db, options.users ?? seats, 'audit');
  for (const userId of users) await t.ledger.buyChips({ userId, amountCents: 10_000n, idempotencyKey: uniqueKey() });
  const callers: Caller[] = users.map((userId, i) => ({ userId, username: `u${i}` }));
  return { ...started, callers, ...driver(started, callers) };
}

function driver({ actor, clock, rec }: { actor: TableActor; clock: ManualClock; rec: { events: (userId: number) => GameEvent[] | { type: string }[] } }, callers: Caller[]) {
  const byUser = (userId: number) => callers.find((c) => c.userId === userId)!;
  const callerAt = (seat: number) => byUser(actor.players().find((p) => p.seat === seat)!.userId);
  const events = () => rec.events(0) as ({ type: string } & Record<string, unknown>)[];
  const view = () => actor.snapshot(null).view;
  return {
    view,
    callerAt,
    events,
    /** Deals the next hand (the hand interval passes) and says who is where. */
    deal: async (): Promise<Dealt> => {
      const from = events().length;
      await clock.advance(5_000, actor);
      const started = events().slice(from);
      const at = started.findIndex((e) => e.type === 'hand_started');
      expect(at, 'a hand was dealt').toBeGreaterThanOrEqual(0);
      const ofHand = started.slice(at);
      const hs = ofHand[0]! as unknown as { button: number; seats: { seat: number; playerId: string }[] };
      const posted = ofHand.filter((e) => e.type === 'blinds_posted') as unknown as { seat: number; kind: string }[];
      const sb = posted.find((p) => p.kind === 'small_blind');
      const bb = posted.find((p) => p.kind === 'big_blind');
      const v = view();
      const firstAction = ofHand.find((e) => e.type === 'action') as { seat: number } | undefined;
      return {
        handNumber: v.handNumber,
        button: hs.button,
        smallBlind: v.smallBlindSeat ?? sb?.seat ?? -1,
        bigBlind: v.bigBlindSeat ?? bb?.seat ?? -1,
        dealt: hs.seats.map((s) => s.seat).sort((a, b) => a - b),
        users: new Map(hs.seats.map((s) => [s.seat, Number(s.playerId)])),
        posts: new Map(posted.filter((p) => (p.kind === 'big_blind' && p.seat !== v.bigBlindSeat) || p.kind === 'small_and_big_blinds').map((p) => [p.seat, p.kind])),
        firstToAct: firstAction?.seat ?? v.toAct,
      };
    },
    /** One action by whoever is to act: check, else fold (or call when `call`). */
    act: async (choice: 'passive' | 'call' = 'passive') => {
      const v = view();
      if (v.toAct === null) return false;
      const caller = callerAt(v.toAct);
      const legal = actor.snapshot(caller.userId).you!.legal!;
      const action = legal.canCheck ? 'check' : choice === 'call' && legal.canCall ? 'call' : 'fold';
      expect(await actor.act(caller, action, undefined, actor.seq)).toMatchObject({ ok: true });
      return true;
    },
    /** Plays the hand out: everyone checks, or folds when checking is not allowed (or calls with `call`). */
    playOut: async (choice: 'passive' | 'call' = 'passive') => {
      for (let guard = 0; guard < 80 && view().toAct !== null; guard++) {
        const v = view();
        const caller = callerAt(v.toAct!);
        const legal = actor.snapshot(caller.userId).you!.legal!;
        const action = legal.canCheck ? 'check' : choice === 'call' && legal.canCall ? 'call' : 'fold';
        expect(await actor.act(caller, action, undefined, actor.seq)).toMatchObject({ ok: true });
      }
      await clock.advance(0, actor);
      await actor.idle();
    },
  };
}

/** Every stack the table holds is the ledger's, and the whole ledger reconciles. */
async function ledgerClean(actor: TableActor): Promise<void> {
  for (const { seatSessionId, stack } of actor.memoryStacks()) {
    const account = await t.db.account.findFirst({ where: { seatSessionId } });
    if (account) expect(Number(account.balance), `seat session ${seatSessionId}`).toBe(stack);
  }
  const report = await t.ledger.reconcile();
  expect(report.ok, JSON.stringify(report)).toBe(true);
}

describe('the button and the blinds over orbits', () => {
  it('four players: the button moves one seat a hand, each posts the small blind then the big blind once an orbit', async () => {
    const { actor, callers, fatal, deal, playOut } = await table(4);
    for (const seat of [0, 1, 2, 3]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    const hands: Dealt[] = [];
    for (let i = 0; i < 8; i++) {
      const h = await deal();
      hands.push(h);
      // Three or more: the small blind follows the button, the big blind the small blind, and
      // the seat after the big blind acts first pre-flop.
      expect(h.smallBlind).toBe((h.button + 1) % 4);
      expect(h.bigBlind).toBe((h.button + 2) % 4);
      expect(h.firstToAct).toBe((h.button + 3) % 4);
      await playOut();
    }
    expect(hands.map((h) => h.button)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });
});

const wallet = async (userId: number) => Number((await t.db.account.findUnique({ where: { code: `wallet:${userId}` } }))!.balance);

/** A small deterministic generator (mulberry32), so a failing run can be replayed by its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!, chance: (p: number) => next() < p };
}

// Two seeds by default (the two that found the findings below); more with AUDIT_SEEDS=1,2,3
// (AUDIT_RESTARTS=1 for restarts, AUDIT_MAX_SEATS for the table size): about 10 s a seed.
describe('random churn over many hands (seats joining, leaving, sitting out and in, posting, busting, timing out)', () => {
  const seeds = process.env.AUDIT_SEEDS ? process.env.AUDIT_SEEDS.split(',').map((x) => [Number(x), process.env.AUDIT_RESTARTS === '1'] as const) : ([[1234, false], [99, true]] as const);
  for (const [seed, restarts] of seeds) {
    it(`seed ${seed}${restarts ? ', with restarts' : ''}: heads-up the button posts the small blind and acts first; nobody posts the big blind twice in a row; a newcomer to a running game enters only posting a big blind; the ledger stays clean`, async () => {
      const r = rng(seed);
      const maxSeats = Number(process.env.AUDIT_MAX_SEATS ?? 6);
      const s = await table(maxSeats, { users: 60, table: { minBuyIn: 20, maxBuyIn: 200 } });
      let { actor, clock, rec } = s;
      let current: { actor: TableActor; table: typeof s.table } = s;
      const { callers } = s;
      const fatal = s.fatal;
      const view = () => actor.snapshot(null).view;
      const events = () => rec.events(0) as unknown as ({ type: string } & Record<string, unknown>)[];
      /** A restart (decision 030): the next owner rebuilds the table; every player's socket comes back. */
      const restart = async () => {
        const next = await restartActor(t, current, { sitOutHandsMax: 50, timeBankMs: 0 });
        ({ actor, clock, rec } = next);
        current = next;
        next.fatal.forEach((f) => fatal.push(f));
        const fatalOf = next.fatal;
        fatalOf.push = (...items: string[]) => (fatal.push(...items), Array.prototype.push.apply(fatalOf, items));
        for (const p of actor.players()) await actor.connectionChanged(p.userId, true);
      };
      let nextUser = 0;
      const free = () => Array.from({ length: maxSeats }, (_, seat) => seat).filter((seat) => !actor.players().some((p) => p.seat === seat));
      const seatedUsers = () => actor.players().map((p) => p.userId);
      /** Users who sat down while a game ran (decision 029): their first hand must have them post a big blind. */
      const mustPost = new Set<number>();
      /** Users a blind passed over while seated and not dealt in (Robert's Rules: they owe it), and those of them who came back while a game ran. */
      const owed = new Set<number>();
      const mustPostBack = new Set<number>();
      const everDealt = new Set<number>();
      const problems: string[] = [];
      let last: Dealt | null = null;
      const dealtLast = () => new Set(last ? [...last.users.values()] : []);
      const runningWithout = (userId: number) => {
        // Two other players dealt the last hand still play (decision 029), as the table sees them now.
        const v = view();
        const was = dealtLast();
        return actor.players().filter((p) => p.userId !== userId && was.has(p.userId) && !p.waitingForBigBlind
          && v.seats[p.seat] && !v.seats[p.seat]!.sittingOut && v.seats[p.seat]!.stack > 0).length >= 2;
      };
      const sitNew = async (between: boolean) => {
        const seats = free();
        if (seats.length === 0 || nextUser >= callers.length) return;
        const caller = callers[nextUser++]!;
        const seat = r.pick(seats);
        const ack = await actor.sit(caller, seat, 20 + Math.floor(r.next() * 180), uniqueKey());
        expect(ack.ok).toBe(true);
        if (between && runningWithout(caller.userId)) mustPost.add(caller.userId);
        if (r.chance(0.3)) expect((await actor.postBlind(caller, true)).ok).toBe(true);
      };
      const someone = () => {
        const users = seatedUsers();
        return users.length === 0 ? null : callers.find((c) => c.userId === r.pick(users))!;
      };
      let hands = 0;
      for (let round = 0; round < 400 && hands < 90; round++) {
        // Between hands.
        for (let k = Math.floor(r.next() * 3); k > 0; k--) {
          const roll = r.next();
          const who = someone();
          if (roll < 0.3) await sitNew(true);
          else if (roll < 0.42 && who) await actor.leave(who);
          else if (roll < 0.6 && who) await actor.sitOut(who);
          else if (roll < 0.85 && who) {
            // Back from sitting out through a blind while a game runs: it must post a big blind to enter.
            const running = runningWithout(who.userId);
            if ((await actor.sitIn(who)).ok && owed.has(who.userId) && running) mustPostBack.add(who.userId);
          }
          else if (roll < 0.9 && restarts) await restart();
          else if (who) await actor.postBlind(who, r.chance(0.7));
        }
        // Busted seats top up (or not) and sit in.
        for (const p of actor.players()) {
          if (view().seats[p.seat]?.stack === 0 && r.chance(0.6)) {
            const caller = callers.find((c) => c.userId === p.userId)!;
            await actor.topUp(caller, 60, uniqueKey());
            await actor.sitIn(caller);
          }
        }
        if (seatedUsers().length < 3) await sitNew(true);
        await actor.idle();
        if (!actor.handInProgress()) await clock.advance(5_000, actor);
        if (!actor.handInProgress()) continue;
        // The hand that was just dealt.
        const v = view();
        const hs = [...events()].reverse().find((e) => e.type === 'hand_started') as unknown as { button: number; seats: { seat: number; playerId: string }[] };
        const posted = events().slice(events().lastIndexOf(hs as never)).filter((e) => e.type === 'blinds_posted') as unknown as { seat: number; kind: string; allIn: boolean }[];
        const h: Dealt = {
          handNumber: v.handNumber, button: hs.button, smallBlind: v.smallBlindSeat!, bigBlind: v.bigBlindSeat!,
          dealt: hs.seats.map((x) => x.seat).sort((a, b) => a - b), users: new Map(hs.seats.map((x) => [x.seat, Number(x.playerId)])),
          posts: new Map(posted.filter((p) => (p.kind === 'big_blind' && p.seat !== v.bigBlindSeat) || p.kind === 'small_and_big_blinds').map((p) => [p.seat, p.kind])),
          firstToAct: v.toAct,
        };
        hands++;
        const tag = `hand ${h.handNumber} (button ${h.button}, blinds ${h.smallBlind}/${h.bigBlind}, dealt ${h.dealt}, posts ${[...h.posts.keys()]}; last: ${last ? `button ${last.button}, blinds ${last.smallBlind}/${last.bigBlind}, dealt ${last.dealt}` : '-'})`;
        if (h.dealt.length === 2) {
          if (h.button !== h.smallBlind) problems.push(`${tag}: heads-up, the button is not the small blind`);
          if (!posted.some((p) => p.allIn) && h.firstToAct !== h.button) problems.push(`${tag}: heads-up, the button does not act first pre-flop`);
        }
        for (const seat of h.posts.keys()) if ([h.button, h.smallBlind, h.bigBlind].includes(seat)) problems.push(`${tag}: seat ${seat} posts out of position on the button or in a blind`);
        const bbUser = h.users.get(h.bigBlind)!;
        if (last && last.users.get(last.bigBlind) === bbUser) problems.push(`${tag}: user ${bbUser} posts the big blind twice in a row`);
        for (const [seat, userId] of h.users) {
          // Unless the game stopped since (fewer than two of the last hand's players still play).
          const running = last !== null && [...last.users.values()].filter((u) => u !== userId && [...h.users.values()].includes(u)).length >= 2;
          if (running && mustPost.has(userId) && !everDealt.has(userId) && seat !== h.bigBlind && !h.posts.has(seat)) {
            problems.push(`${tag}: seat ${seat} joined a running game and is dealt in without posting the big blind`);
          }
          if (running && mustPostBack.has(userId) && seat !== h.bigBlind && !h.posts.has(seat)) {
            problems.push(`${tag}: seat ${seat} missed a blind sitting out and is dealt in again without posting the big blind`);
          }
          everDealt.add(userId);
        }
        let voided = false;
        let street = view().street;
        /** Users who left during this hand, with their wallet then. */
        const leavers = new Map<number, number>();
        // Play it, with a raise now and then, a leave or a sit during it, and time-outs.
        for (let guard = 0; guard < 80 && actor.handInProgress(); guard++) {
          const now = view();
          if (now.toAct === null) {
            await clock.advance(1_200, actor); // a paced run-out: one street
            continue;
          }
          const seat = now.toAct;
          if (now.street !== street) {
            street = now.street;
            // Heads-up after the flop the big blind acts first, the button last.
            if (h.dealt.length === 2 && seat !== h.bigBlind) problems.push(`${tag}: heads-up on the ${street}, seat ${seat} acts first, not the big blind`);
          }
          const caller = callers.find((c) => c.userId === actor.players().find((p) => p.seat === seat)!.userId)!;
          const roll = r.next();
          if (roll < 0.05 && !actor.players().find((p) => p.seat === seat)!.leaving) {
            // The clock runs out: checked when it may, else folded, and sat out.
            const legal = actor.snapshot(caller.userId).you!.legal!;
            const before = events().length;
            // To the deadline exactly: the next deal, if the time-out ends the hand, comes later.
            await clock.advance(actor.snapshot(null).clock!.deadline - clock.now(), actor);
            const timedOut = events().slice(before).find((e) => e.type === 'action' && e.seat === seat && e.timedOut);
            const leaving = actor.players().find((p) => p.userId === caller.userId)?.leaving ?? true;
            if (!leaving) {
              expect(timedOut, `${tag}: seat ${seat} timed out`).toMatchObject({ action: legal.canCheck ? 'check' : 'fold' });
              expect(view().seats[seat]!.sittingOut).toBe(true);
            }
            continue;
          }
          if (roll < 0.065 && restarts) {
            // The table stops during the hand: it is void, and the next owner goes on from the last settled one.
            await restart();
            voided = true;
            break;
          }
          if (roll < 0.08) {
            const who = someone();
            const walletBefore = who ? await wallet(who.userId) : 0;
            if (who && (await actor.leave(who)).ok && actor.handInProgress()) leavers.set(who.userId, walletBefore);
            continue;
          }
          for (const [userId, before] of leavers) expect(await wallet(userId), `${tag}: user ${userId} left during the hand`).toBe(before);
          if (roll < 0.1) {
            await sitNew(false);
            continue;
          }
          const legal = actor.snapshot(caller.userId).you!.legal!;
          const raise = r.chance(0.12) && legal.minRaiseTo !== undefined;
          const action = raise ? 'raise' : legal.canCheck ? 'check' : r.chance(0.6) ? 'call' : 'fold';
          const ack = await actor.act(caller, action, raise ? legal.minRaiseTo : undefined, actor.seq);
          expect(ack, `${tag}: ${action} by ${seat}`).toMatchObject({ ok: true });
        }
        await actor.idle();
        expect(actor.handInProgress()).toBe(false);
        if (!voided) {
          last = h;
          // Who a blind of this hand passed over (seated, not dealt in): the blind it would have posted dealt in.
          for (const p of actor.players()) {
            if (h.users.has(p.seat) && h.users.get(p.seat) === p.userId) {
              owed.delete(p.userId);
              mustPostBack.delete(p.userId);
              continue;
            }
            const order = [...h.dealt, p.seat].sort((a, b) => ((a - h.button + maxSeats) % maxSeats) - ((b - h.button + maxSeats) % maxSeats));
            const after = order.filter((x) => x !== h.button);
            const blinds = order.length === 2 ? [h.button, after[0]] : [after[0], after[1]];
            if (p.seat !== h.button && blinds.includes(p.seat)) owed.add(p.userId);
          }
        }
        // A leaver's chips reach the wallet only once the hand is over: it is gone now.
        for (const userId of leavers.keys()) expect(actor.players().some((p) => p.userId === userId), `${tag}: user ${userId} left`).toBe(false);
        leavers.clear();
        for (const { seatSessionId, stack } of actor.memoryStacks()) {
          const account = await t.db.account.findFirst({ where: { seatSessionId } });
          expect(Number(account!.balance), `${tag}: seat session ${seatSessionId}`).toBe(stack);
        }
      }
      expect(hands).toBeGreaterThan(40);
      expect(problems).toEqual([]);
      expect(fatal).toEqual([]);
      await ledgerClean(actor);
      actor.stop();
    }, 120_000);
  }
});

describe('a game that stops and starts again (found by the random churn above)', () => {
  it('the last big blind does not post it again when the game re-forms around it: it takes the button, as going heads-up', async () => {
    const { actor, callers, fatal, deal, playOut } = await table(4);
    for (const seat of [0, 1]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 0, bigBlind: 1 });
    await playOut();
    expect(await deal()).toMatchObject({ button: 1, smallBlind: 1, bigBlind: 0 });
    await playOut();
    // Two players join the running heads-up game: they wait for the big blind.
    for (const seat of [2, 3]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(actor.players().filter((p) => p.waitingForBigBlind).map((p) => p.seat)).toEqual([2, 3]);
    // Seat 1 leaves: no game runs (one player of the last hand is left), so everyone is dealt in.
    expect(await actor.leave(callers[1]!)).toMatchObject({ ok: true, pending: false });
    const h = await deal();
    expect(h.dealt).toEqual([0, 2, 3]);
    // Seat 0 posted the last big blind. The moving button (to seat 2) made it post it again;
    // nobody posts the big blind twice in a row (TDA; decision 029).
    expect(h.bigBlind).not.toBe(0);
    expect(h).toMatchObject({ button: 0, smallBlind: 2, bigBlind: 3 });
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });
});


describe('a restart (decisions 030, 035)', () => {
  it('the button moves on from the last settled hand; a seat that owed both blinds waits, and still owes both: its post has the small blind dead (stored, decision 035)', async () => {
    const before = await table(6);
    const { actor, callers } = before;
    for (const seat of [0, 1, 2, 3, 4]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await before.deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    await before.playOut();
    expect(await actor.sitOut(callers[3]!)).toEqual({ ok: true });
    expect(await before.deal()).toMatchObject({ button: 1, smallBlind: 2, bigBlind: 4 });
    await before.playOut();
    expect(await before.deal()).toMatchObject({ button: 2, smallBlind: 4, bigBlind: 0 });
    await before.playOut();
    // Seat 3 owes both blinds; the next hand is dealt and the table stops during it: that hand is void.
    const voided = await before.deal();
    expect(voided).toMatchObject({ button: 4, smallBlind: 0, bigBlind: 1 });
    const stacks = [0, 1, 2, 3, 4].map((seat) => before.view().seats[seat]!.stack + before.view().seats[seat]!.committed);

    const restarted = await restartActor(t, before);
    const after = { ...restarted, ...driver(restarted, callers) };
    for (const seat of [0, 1, 2, 4]) await after.actor.connectionChanged(callers[seat]!.userId, true);
    // Every stack is as before the void hand.
    expect([0, 1, 2, 3, 4].map((seat) => after.view().seats[seat]!.stack)).toEqual(stacks);
    // Still sitting out (decision 027); sitting in, it waits, and still owes the small blind.
    expect(after.actor.players().find((p) => p.seat === 3)).toMatchObject({});
    expect(await after.actor.sitIn(callers[3]!)).toEqual({ ok: true });
    const back = after.actor.players().find((p) => p.seat === 3)!;
    expect(back).toMatchObject({ waitingForBigBlind: true, mayPostBigBlind: true, owesSmallBlind: true });
    expect(await after.actor.postBlind(callers[3]!, true)).toEqual({ ok: true });
    // The void hand is dealt again with the same blinds (button 4), seat 3 posting both blinds, the small one dead.
    const from = after.events().length;
    const h = await after.deal();
    expect(h).toMatchObject({ button: 4, smallBlind: 0, bigBlind: 1, dealt: [0, 1, 2, 3, 4] });
    expect(after.events().slice(from).filter((e) => e.type === 'blinds_posted' && e.seat === 3)).toEqual([{ type: 'blinds_posted', seat: 3, kind: 'small_and_big_blinds', amount: 3, dead: 1, allIn: false }]);
    await after.playOut();
    expect(await after.deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    await after.playOut();
    expect([...before.fatal, ...after.fatal]).toEqual([]);
    await ledgerClean(after.actor);
    after.actor.stop();
  });
});

describe('time-outs (protocol.md, Timers: checked if possible, else folded, and sat out)', () => {
  it('facing a bet the seat is folded, else checked; either way it sits out, its later turns in the hand run on the short clock, and back it waits for the big blind it missed', async () => {
    const { actor, clock, callers, fatal, deal, act, playOut, view, events, rec } = await table(4, { settings: { sittingOutTurnMs: 1_000 } });
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2, firstToAct: 0 });
    await act('call');
    await act('call');
    await act(); // the big blind checks: the flop
    expect(view()).toMatchObject({ street: 'flop', toAct: 1 });
    // Seat 1's clock runs out with check allowed: it checks, and is sat out.
    const deadline = actor.snapshot(null).clock!.deadline;
    expect(deadline - clock.now()).toBe(10_000);
    let from = events().length;
    await clock.advance(10_000, actor);
    expect(events().slice(from).filter((e) => e.type === 'action')).toEqual([expect.objectContaining({ seat: 1, action: 'check', timedOut: true })]);
    expect(view().seats[1]).toMatchObject({ sittingOut: true, inHand: true, folded: false });
    expect(rec.noticesTo.filter((n) => n.userId === callers[1]!.userId).map((n) => n.notice.kind)).toEqual(['sat_out']);
    // Seat 2 bets, seat 0 calls: seat 1's turn runs on the short clock, and it is folded.
    expect(view().toAct).toBe(2);
    expect(await actor.act(callers[2]!, 'bet', 4, actor.seq)).toMatchObject({ ok: true });
    await act('call');
    expect(view().toAct).toBe(1);
    expect(actor.snapshot(null).clock!.deadline - clock.now()).toBe(1_000);
    from = events().length;
    await clock.advance(1_000, actor);
    expect(events().slice(from).filter((e) => e.type === 'action')).toEqual([expect.objectContaining({ seat: 1, action: 'fold', timedOut: true })]);
    await playOut();
    // The next hand is heads-up without it (the last big blind, 2, takes the button); its big blind passed it.
    expect(await deal()).toMatchObject({ dealt: [0, 2], button: 2, bigBlind: 0 });
    expect(await actor.sitIn(callers[1]!)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === 1)).toMatchObject({ waitingForBigBlind: true });
    // Pre-flop, facing the big blind, the button times out: folded, and sat out.
    from = events().length;
    await clock.advance(actor.snapshot(null).clock!.deadline - clock.now(), actor);
    expect(events().slice(from).filter((e) => e.type === 'action')).toEqual([expect.objectContaining({ seat: 2, action: 'fold', timedOut: true })]);
    expect(view().seats[2]!.sittingOut).toBe(true);
    // Back before the next deal, it missed nothing and is dealt in; seat 1 waits on.
    expect(await actor.sitIn(callers[2]!)).toEqual({ ok: true });
    expect(await deal()).toMatchObject({ dealt: [0, 2], button: 0, bigBlind: 2 });
    await playOut();
    // The big blind reaches seat 1.
    expect(await deal()).toMatchObject({ dealt: [0, 1, 2], button: 2, smallBlind: 0, bigBlind: 1 });
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });
});

describe('leaving during a hand (protocol.md: folds at once on their turn, else when it comes; cashed out once the hand is settled)', () => {
  it('not on their turn: the seat sits out, folds when its turn comes (not a time-out), and its chips reach the wallet only at the boundary', async () => {
    const { actor, clock, callers, fatal, deal, act, playOut, view, events } = await table(4);
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2, firstToAct: 0 });
    const walletBefore = await wallet(callers[2]!.userId);
    // The big blind leaves while the button is to act.
    expect(await actor.leave(callers[2]!)).toEqual({ ok: true, pending: true });
    expect(actor.players().find((p) => p.seat === 2)).toMatchObject({ leaving: true });
    expect(view().seats[2]).toMatchObject({ sittingOut: true, inHand: true, folded: false });
    expect(await wallet(callers[2]!.userId)).toBe(walletBefore);
    await act('call');
    await act('call');
    // Its turn (it could check): it folds at once, as its own fold.
    expect(view().toAct).toBe(2);
    const from = events().length;
    await clock.advance(0, actor);
    expect(events().slice(from).filter((e) => e.type === 'action')).toEqual([expect.objectContaining({ seat: 2, action: 'fold', timedOut: false })]);
    expect(actor.handInProgress()).toBe(true);
    expect(await wallet(callers[2]!.userId)).toBe(walletBefore);
    expect(actor.players().some((p) => p.seat === 2)).toBe(true);
    await playOut();
    // Settled: the seat is gone and its 98 chips went back to the wallet, once.
    expect(actor.players().some((p) => p.seat === 2)).toBe(false);
    expect(await wallet(callers[2]!.userId)).toBe(walletBefore + 98);
    const sessions = await t.db.seatSession.findMany({ where: { userId: callers[2]!.userId } });
    expect(sessions.map((s) => s.status)).toEqual(['CLOSED']);
    // The big blind gone, heads-up: the moving button goes to seat 1, which posts the small blind.
    expect(await deal()).toMatchObject({ dealt: [0, 1], button: 1, smallBlind: 1, bigBlind: 0 });
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });

  it('on their own turn: folded at once; an all-in player who leaves is paid what the hand gives them, at the boundary', async () => {
    const { actor, clock, callers, fatal, deal, view } = await table(4);
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    await deal();
    // The button (to act) leaves: it folds now.
    expect(view().toAct).toBe(0);
    expect(await actor.leave(callers[0]!)).toEqual({ ok: true, pending: true });
    expect(view().seats[0]).toMatchObject({ folded: true });
    expect(view().toAct).toBe(1);
    // The small blind goes all in, the big blind calls; then the small blind leaves, all in.
    expect(await actor.act(callers[1]!, 'all_in', undefined, actor.seq)).toMatchObject({ ok: true });
    expect(await actor.act(callers[2]!, 'call', undefined, actor.seq)).toMatchObject({ ok: true });
    const w1 = await wallet(callers[1]!.userId);
    // The board is run out street by street (decision 014): the hand is still on.
    expect(actor.handInProgress()).toBe(true);
    expect(await actor.leave(callers[1]!)).toEqual({ ok: true, pending: true });
    expect(actor.players().find((p) => p.seat === 1)).toMatchObject({ leaving: true });
    for (let i = 0; i < 10 && actor.handInProgress(); i++) {
      expect(await wallet(callers[1]!.userId)).toBe(w1);
      await clock.advance(1_200, actor);
    }
    expect(actor.handInProgress()).toBe(false);
    // Both cashed out at the boundary: seat 1 with what the showdown gave it.
    const endStack = view().result!.seats.find((s) => s.seat === 1)!.endStack;
    expect(actor.players().map((p) => p.seat)).toEqual([2]);
    expect(await wallet(callers[1]!.userId)).toBe(w1 + endStack);
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });
});

describe('a player of the running game sitting out for a moment', () => {
  it('does not stop the game for a newcomer: one who sits down then still waits for the big blind', async () => {
    const { actor, callers, fatal, deal, playOut } = await table(4);
    for (const seat of [0, 1]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await deal()).toMatchObject({ button: 0, bigBlind: 1 });
    await playOut();
    expect(await deal()).toMatchObject({ button: 1, bigBlind: 0 });
    await playOut();
    // Between hands seat 1 sits out, seat 2 sits down, seat 1 sits in again: it missed no hand.
    expect(await actor.sitOut(callers[1]!)).toEqual({ ok: true });
    expect((await actor.sit(callers[2]!, 2, 100, uniqueKey())).ok).toBe(true);
    expect(await actor.sitIn(callers[1]!)).toEqual({ ok: true });
    // The game never stopped: seat 2 waits, and the big blind is its own next hand anyway
    // (heads-up the last big blind, 0, takes the button: blinds 1 and 2). It did not get the
    // button without posting (the moving button to seat 2 before).
    expect(actor.players().find((p) => p.seat === 2)).toMatchObject({ waitingForBigBlind: true });
    expect(await deal()).toMatchObject({ dealt: [0, 1, 2], button: 0, smallBlind: 1, bigBlind: 2 });
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });

  it('if that player stays out, the newcomer is not held: no game runs at the deal, and it is dealt in', async () => {
    const { actor, callers, fatal, deal, playOut } = await table(4);
    for (const seat of [0, 1]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    await deal();
    await playOut();
    expect(await actor.sitOut(callers[1]!)).toEqual({ ok: true });
    expect((await actor.sit(callers[2]!, 2, 100, uniqueKey())).ok).toBe(true);
    expect((await deal()).dealt).toEqual([0, 2]);
    await playOut();
    expect(fatal).toEqual([]);
    actor.stop();
  });
});

describe('a restart and the order in which the players come back (found by the random churn with restarts)', () => {
  it('a player waiting for the big blind whose socket is back before the others still waits: the others are away only because of the restart', async () => {
    const before = await table(6);
    const { actor, callers } = before;
    for (const seat of [2, 4, 5]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await before.deal()).toMatchObject({ button: 2, smallBlind: 4, bigBlind: 5 });
    await before.playOut();
    // Seat 3 joins the running game and waits; seat 2 leaves: seats 4 and 5 play on heads-up.
    expect((await actor.sit(callers[3]!, 3, 100, uniqueKey())).ok).toBe(true);
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });
    expect(await actor.leave(callers[2]!)).toMatchObject({ ok: true, pending: false });

    const restarted = await restartActor(t, before, { sitOutHandsMax: 50, timeBankMs: 0 });
    const after = { ...restarted, ...driver(restarted, callers) };
    // Seat 3's socket is back first (decision 030 said it still waits; it did only when it came back last).
    for (const seat of [3, 4, 5]) await after.actor.connectionChanged(callers[seat]!.userId, true);
    expect(after.actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });
    // As without the restart: heads-up (the last big blind, 5, takes the button), then seat 3's big blind.
    expect(await after.deal()).toMatchObject({ dealt: [4, 5], button: 5, bigBlind: 4 });
    await after.playOut();
    expect(await after.deal()).toMatchObject({ dealt: [3, 4, 5], button: 4, smallBlind: 5, bigBlind: 3 });
    await after.playOut();
    expect([...before.fatal, ...after.fatal]).toEqual([]);
    await ledgerClean(after.actor);
    after.actor.stop();
  });

  it('if the others do not come back, the waiting player is not held: with no game running it is dealt in', async () => {
    const before = await table(6);
    const { actor, callers } = before;
    for (const seat of [2, 4, 5]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    await before.deal();
    await before.playOut();
    expect((await actor.sit(callers[3]!, 3, 100, uniqueKey())).ok).toBe(true);
    const restarted = await restartActor(t, before, { sitOutHandsMax: 50, timeBankMs: 0 });
    const after = { ...restarted, ...driver(restarted, callers) };
    for (const seat of [3, 4]) await after.actor.connectionChanged(callers[seat]!.userId, true);
    // Seats 2 and 5 stay away: seats 3 and 4 play heads-up.
    expect(await after.deal()).toMatchObject({ dealt: [3, 4] });
    await after.playOut();
    expect([...before.fatal, ...after.fatal]).toEqual([]);
    after.actor.stop();
  });
});

describe('three to two and two to three (TDA: heads-up the button posts the small blind and acts first pre-flop, last after)', () => {
  it('the button leaves: the last big blind takes the button heads-up; a newcomer waits and enters as the big blind; nobody posts it twice running', async () => {
    const { actor, callers, fatal, deal, playOut, act, view } = await table(4);
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2, firstToAct: 0 });
    await playOut();
    expect(await actor.leave(callers[0]!)).toMatchObject({ ok: true, pending: false });
    // Heads-up: the last big blind (2) takes the button and the small blind, and acts first pre-flop.
    expect(await deal()).toMatchObject({ dealt: [1, 2], button: 2, smallBlind: 2, bigBlind: 1, firstToAct: 2 });
    await act('call'); // the button completes
    await act(); // the big blind checks
    // After the flop, the big blind acts first and the button last.
    expect(view()).toMatchObject({ street: 'flop', toAct: 1 });
    await act();
    expect(view().toAct).toBe(2);
    await playOut();
    // Seat 3 sits down at the running heads-up game: it waits for the big blind.
    expect(await actor.sit(callers[3]!, 3, 100, uniqueKey())).toMatchObject({ ok: true, pending: false });
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });
    // Button 1 (the last big blind), small blind 2: the big blind is seat 3's, it enters.
    const three = await deal();
    expect(three).toMatchObject({ dealt: [1, 2, 3], button: 1, smallBlind: 2, bigBlind: 3, firstToAct: 1 });
    await playOut();
    expect(await deal()).toMatchObject({ button: 2, smallBlind: 3, bigBlind: 1 });
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });

  it('the small blind or the big blind leaves: heads-up, whoever posted the last big blind does not post it again', async () => {
    for (const gone of [1, 2]) {
      const { actor, callers, fatal, deal, playOut } = await table(3);
      for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
      expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
      await playOut();
      expect(await actor.leave(callers[gone]!)).toMatchObject({ ok: true, pending: false });
      const h = await deal();
      // The small blind gone: seat 2 (the last big blind) takes the button, seat 0 posts the big
      // blind. The big blind gone: the moving button goes to seat 1, and seat 0 posts the big blind.
      expect(h).toMatchObject(gone === 1 ? { button: 2, smallBlind: 2, bigBlind: 0 } : { button: 1, smallBlind: 1, bigBlind: 0 });
      expect(h.firstToAct).toBe(h.button);
      await playOut();
      expect(fatal).toEqual([]);
      actor.stop();
    }
  });
});

describe('a player joining between the button and the blinds (Robert\'s Rules: a new player posts the big blind or waits for it)', () => {
  it('gets neither the button nor a blind; posting, it enters where it moves no blind, and nobody posts a blind twice for it', async () => {
    const { actor, callers, fatal, deal, playOut, events } = await table(6);
    for (const seat of [0, 1, 3, 4]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 3 });
    await playOut();
    // Seat 2 joins between the next button (1) and the next small blind (3), and asks to post now.
    expect((await actor.sit(callers[2]!, 2, 100, uniqueKey())).ok).toBe(true);
    expect(await actor.postBlind(callers[2]!, true)).toEqual({ ok: true });
    // Dealt in now it would post the small blind and move the big blind: it waits.
    const h2 = await deal();
    expect(h2).toMatchObject({ button: 1, smallBlind: 3, bigBlind: 4, dealt: [0, 1, 3, 4] });
    await playOut();
    // Next hand it sits just before the button: it posts a live big blind and plays.
    const from = events().length;
    const h3 = await deal();
    expect(h3).toMatchObject({ button: 3, smallBlind: 4, bigBlind: 0, dealt: [0, 1, 2, 3, 4] });
    expect([...h3.posts]).toEqual([[2, 'big_blind']]);
    expect(events().slice(from).filter((e) => e.type === 'blinds_posted' && e.seat === 2)).toEqual([{ type: 'blinds_posted', seat: 2, kind: 'big_blind', amount: 2, allIn: false }]);
    await playOut();
    // Then an ordinary seat: its big blind comes round in turn.
    expect(await deal()).toMatchObject({ button: 4, smallBlind: 0, bigBlind: 1 });
    await playOut();
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });
});

describe('missed blinds (decisions 029, 035): what a returning player owes, posting or waiting, and after a restart', () => {
  it('missed the big blind: held out of the small blind seat it then holds, so it owes both and posts the small one dead; waiting instead, it enters as the big blind owing nothing dead', async () => {
    const { actor, callers, fatal, deal, playOut, events } = await table(6);
    for (const seat of [0, 1, 2, 3, 4]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    await playOut();
    // Seat 3 sits out through its big blind (button 1, blinds 2 and 4).
    expect(await actor.sitOut(callers[3]!)).toEqual({ ok: true });
    expect(await deal()).toMatchObject({ button: 1, smallBlind: 2, bigBlind: 4, dealt: [0, 1, 2, 4] });
    await playOut();
    expect(await actor.sitIn(callers[3]!)).toEqual({ ok: true });
    const back = actor.players().find((p) => p.seat === 3)!;
    expect(back).toMatchObject({ waitingForBigBlind: true, mayPostBigBlind: true });
    expect(back.owesSmallBlind).toBeUndefined();
    expect(await actor.postBlind(callers[3]!, true)).toEqual({ ok: true });
    // Button 2: seat 3 would post the small blind (Robert's Rules: no re-entry between the big
    // blind and the button), so it waits, and the small blind passes it too.
    expect(await deal()).toMatchObject({ button: 2, smallBlind: 4, bigBlind: 0, dealt: [0, 1, 2, 4] });
    await playOut();
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true, owesSmallBlind: true, postsBigBlind: true });
    // Button 4, blinds 0 and 1: it posts both, the small blind dead, and plays.
    const from = events().length;
    expect(await deal()).toMatchObject({ button: 4, smallBlind: 0, bigBlind: 1, dealt: [0, 1, 2, 3, 4] });
    expect(events().slice(from).filter((e) => e.type === 'blinds_posted' && e.seat === 3)).toEqual([{ type: 'blinds_posted', seat: 3, kind: 'small_and_big_blinds', amount: 3, dead: 1, allIn: false }]);
    await playOut();

    // Seat 1 sits out through its small blind (button 0: blinds 2 and 3 without it).
    expect(await actor.sitOut(callers[1]!)).toEqual({ ok: true });
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 2, bigBlind: 3, dealt: [0, 2, 3, 4] });
    await playOut();
    expect(await deal()).toMatchObject({ button: 2, smallBlind: 3, bigBlind: 4, dealt: [0, 2, 3, 4] });
    await playOut();
    expect(await actor.sitIn(callers[1]!)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === 1)).toMatchObject({ waitingForBigBlind: true, owesSmallBlind: true });
    // It waits (no post) until the big blind reaches it, and then posts only that.
    expect(await deal()).toMatchObject({ button: 3, smallBlind: 4, bigBlind: 0, dealt: [0, 2, 3, 4] });
    await playOut();
    const from2 = events().length;
    expect(await deal()).toMatchObject({ button: 4, smallBlind: 0, bigBlind: 1, dealt: [0, 1, 2, 3, 4] });
    expect(events().slice(from2).filter((e) => e.type === 'blinds_posted' && e.seat === 1)).toEqual([{ type: 'blinds_posted', seat: 1, kind: 'big_blind', amount: 2, allIn: false }]);
    expect(actor.players().find((p) => p.seat === 1)!.owesSmallBlind).toBeUndefined();
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });
});

/**
 * A server seed for hand `handId` under which `loser` ends the hand with no chips, the hand dealt
 * to `stacks` with the button on `button` and played by everyone checking, or calling when they
 * cannot check (as `playOut('call')`): found by playing candidate decks on the engine itself.
 */
function seedWhereBusts(handId: string, stacks: Map<number, number>, maxSeats: number, button: number, loser: number): Uint8Array {
  for (let i = 0; i < 500; i++) {
    const seed = createHash('sha256').update(`bust-${i}`).digest();
    let state = createGame({ variant: 'NLHE', maxSeats, smallBlind: 1, bigBlind: 2 });
    const step = (command: Command) => {
      const r = apply(state, command);
      if (!r.ok) throw new Error(`${command.type}: ${r.rejection.code}`);
      state = r.state;
    };
    for (const [seat, stack] of stacks) step({ type: 'sit', seat, playerId: `p${seat}`, stack });
    step({ type: 'start_hand', handId, deck: dealDeck(seed, handId, []).deck, button });
    while (state.street !== 'complete') {
      const legal = legalActions(state, state.toAct!)!;
      step({ type: 'act', seat: state.toAct!, action: legal.canCheck ? 'check' : 'call' });
    }
    if (state.seats[loser]!.stack === 0) return seed;
  }
  throw new Error('no seed busts the seat');
}

describe('a player busting in the big blind', () => {
  for (const reload of [false, true]) {
    it(reload
      ? 'who reloaded during the hand plays on: the blinds go round as if nothing happened'
      : 'the moving button (decision 003, as PokerStars): the player under the gun posts the small blind next; the busted player owes both blinds when back', async () => {
      const seeds: Uint8Array[] = [];
      // The table's own server seeds: hand 2's is chosen below.
      const s = await table(6, { table: { minBuyIn: 2, maxBuyIn: 200 }, newSeed: () => seeds.shift() ?? randomBytes(32) });
      const { actor, clock, fatal, table: row, callers } = s;
      const d = s;
      for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
      expect((await actor.sit(callers[3]!, 3, 2, uniqueKey())).ok).toBe(true);
      // Hand 2 (button 1, blinds 2 and 3): seat 3 is all in on its big blind and loses.
      seeds.push(seedWhereBusts(`${row.id}-2-e${row.ownerEpoch}`, new Map([[0, 100], [1, 99], [2, 101], [3, 2]]), 6, 1, 3));
      expect(await d.deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2, firstToAct: 3 });
      await d.playOut(); // seat 3, under the gun, folds; the big blind wins the blinds
      expect(d.view().seats[3]!.stack).toBe(2);
      const h2 = await d.deal();
      expect(h2).toMatchObject({ button: 1, smallBlind: 2, bigBlind: 3 });
      if (reload) expect(await actor.topUp(callers[3]!, 50, uniqueKey())).toMatchObject({ ok: true, pending: true });
      await d.playOut('call');
      for (let i = 0; i < 10 && actor.handInProgress(); i++) await clock.advance(1_200, actor);
      expect(d.view().result!.seats.find((x) => x.seat === 3)!.endStack).toBe(0);
      if (reload) {
        // Reloaded at the boundary: dealt in, the button moves one seat and the blinds follow.
        expect(d.view().seats[3]).toMatchObject({ stack: 50, sittingOut: false });
        expect(await d.deal()).toMatchObject({ button: 2, smallBlind: 3, bigBlind: 0, dealt: [0, 1, 2, 3] });
        await d.playOut();
      } else {
        expect(d.view().seats[3]).toMatchObject({ stack: 0, sittingOut: true });
        // Seat 0, under the gun last hand, posts the small blind; seat 1 the big blind (documented:
        // decision 003's one skip; Robert's dead button would give seat 0 the big blind).
        const h3 = await d.deal();
        expect(h3).toMatchObject({ button: 2, smallBlind: 0, bigBlind: 1, dealt: [0, 1, 2] });
        await d.playOut();
        // Back with chips, it owes both blinds (the small one passed it): it waits, or posts 3.
        expect(await actor.topUp(callers[3]!, 50, uniqueKey())).toMatchObject({ ok: true, pending: false });
        expect(await actor.sitIn(callers[3]!)).toEqual({ ok: true });
        expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true, owesSmallBlind: true, mayPostBigBlind: true });
        expect(await d.deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2, dealt: [0, 1, 2] });
        await d.playOut();
        expect(await d.deal()).toMatchObject({ button: 1, smallBlind: 2, bigBlind: 3, dealt: [0, 1, 2, 3] });
        await d.playOut();
      }
      expect(fatal).toEqual([]);
      await ledgerClean(actor);
      actor.stop();
    });
  }
});

describe('the waiting list (decision 015) and the big blind', () => {
  it('a player seated from the waiting list at a running game waits for the big blind like any newcomer', async () => {
    const { actor, callers, fatal, deal, playOut, rec } = await table(3, { users: 4 });
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await actor.joinWaitlist(callers[3]!)).toMatchObject({ ok: true, position: 1 });
    expect(await deal()).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    await playOut();
    expect(await actor.leave(callers[0]!)).toMatchObject({ ok: true, pending: false });
    const offer = rec.noticesTo.find((n) => n.userId === callers[3]!.userId && n.notice.kind === 'seat_offered');
    expect(offer?.notice.seat).toBe(0);
    expect((await actor.sit(callers[3]!, 0, 100, uniqueKey())).ok).toBe(true);
    expect(actor.players().find((p) => p.seat === 0)).toMatchObject({ waitingForBigBlind: true });
    // Heads-up without it (the last big blind takes the button); then the big blind is its own.
    expect(await deal()).toMatchObject({ dealt: [1, 2], button: 2, bigBlind: 1 });
    await playOut();
    expect(await deal()).toMatchObject({ dealt: [0, 1, 2], button: 1, smallBlind: 2, bigBlind: 0 });
    await playOut();
    expect(fatal).toEqual([]);
    await ledgerClean(actor);
    actor.stop();
  });
});
