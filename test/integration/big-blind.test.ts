import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableActor } from '../../server/tables/actor';
import { restartActor, startActor, type ManualClock } from '../support/actor-harness';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// Nobody skips the big blind (decision 029), on the table actor over the real ledger: a player
// who joins a running game, or sits in after sitting out through a blind, is dealt in when the
// big blind reaches the seat, and posts it.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 6 });
});
afterAll(async () => {
  await t.close();
});

async function fourSeats(settings: { sitOutHandsMax?: number } = {}, maxSeats = 4) {
  const started = await startActor(t, { maxSeats }, { sitOutHandsMax: 20, ...settings });
  const users = await seedUsers(t.db, maxSeats, 'bb');
  for (const userId of users) await t.ledger.buyChips({ userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
  const callers = users.map((userId, i) => ({ userId, username: `p${i}` }));
  const drive = ({ actor, clock }: { actor: TableActor; clock: ManualClock }) => ({
    /** Plays the current hand out: everyone checks, or folds when checking is not allowed. */
    playOut: async () => {
      for (let guard = 0; guard < 50; guard++) {
        const view = actor.snapshot(null).view;
        if (view.toAct === null) break;
        const you = actor.snapshot(callers[view.toAct]!.userId).you!;
        const ack = await actor.act(callers[view.toAct]!, you.legal!.canCheck ? 'check' : 'fold', undefined, actor.seq);
        expect(ack.ok).toBe(true);
      }
      await actor.idle();
    },
    /** Deals the next hand and returns who is in it and who posts the big blind. */
    nextHand: async () => {
      await clock.advance(5_000, actor);
      const view = actor.snapshot(null).view;
      expect(view.street).not.toBe('complete');
      const dealt = view.seats.flatMap((s, seat) => (s?.inHand ? [seat] : []));
      return { dealt, bigBlind: view.bigBlindSeat, button: view.button };
    },
  });
  /** A restart: a new actor rebuilt from the database (decision 030), with its own drivers (and restart). */
  type Running = Awaited<ReturnType<typeof restartActor>>;
  type Restarted = Running & ReturnType<typeof drive> & { restart: () => Promise<Restarted> };
  const restartOf = (current: Running) => async (): Promise<Restarted> => {
    const next = await restartActor(t, current);
    return { ...next, ...drive(next), restart: restartOf(next) };
  };
  return { ...started, callers, ...drive(started), restart: restartOf(started) };
}

describe('the big blind (decision 029)', () => {
  it('a player who joins a running game waits for the big blind, sees it in the players list, and posts it when it comes', async () => {
    const { actor, callers, fatal, playOut, nextHand } = await fourSeats();
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    const first = await nextHand();
    expect(first.dealt).toEqual([0, 1, 2]);
    await playOut();
    // Seat 3 joins between hands of a running game.
    expect(await actor.sit(callers[3]!, 3, 100, uniqueKey())).toMatchObject({ ok: true, pending: false });
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });
    // Sitting in while waiting changes nothing.
    expect(await actor.sitIn(callers[3]!)).toEqual({ ok: true });
    let enteredAs: number | null = null;
    for (let hand = 0; hand < 4 && enteredAs === null; hand++) {
      const h = await nextHand();
      if (h.dealt.includes(3)) enteredAs = h.bigBlind;
      await playOut();
    }
    expect(enteredAs).toBe(3);
    expect(actor.players().find((p) => p.seat === 3)!.waitingForBigBlind).toBeUndefined();
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('sitting out through the big blind and back in: dealt in again only as the big blind, and a waiting seat may still sit out', async () => {
    const { actor, callers, fatal, playOut, nextHand } = await fourSeats();
    for (const seat of [0, 1, 2, 3]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    let h = await nextHand();
    await playOut();
    // The seat whose big blind is next sits out through it.
    const next = (h.bigBlind! + 1) % 4;
    expect(await actor.sitOut(callers[next]!)).toEqual({ ok: true });
    h = await nextHand();
    expect(h.dealt).not.toContain(next);
    await playOut();
    expect(await actor.sitIn(callers[next]!)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === next)).toMatchObject({ waitingForBigBlind: true });
    // A seat waiting may still sit out, and sit in again to wait on.
    expect(await actor.sitOut(callers[next]!)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === next)!.waitingForBigBlind).toBeUndefined();
    expect(await actor.sitIn(callers[next]!)).toEqual({ ok: true });
    let enteredAs: number | null = null;
    for (let hand = 0; hand < 4 && enteredAs === null; hand++) {
      h = await nextHand();
      if (h.dealt.includes(next)) enteredAs = h.bigBlind;
      await playOut();
    }
    expect(enteredAs).toBe(next);
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('going heads-up, the last big blind takes the button', async () => {
    const { actor, callers, fatal, playOut, nextHand } = await fourSeats();
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    const first = await nextHand();
    expect(first).toMatchObject({ button: 0, bigBlind: 2 });
    await playOut();
    expect(await actor.leave(callers[0]!)).toMatchObject({ ok: true, pending: false });
    const headsUp = await nextHand();
    expect(headsUp).toMatchObject({ dealt: [1, 2], button: 2, bigBlind: 1 });
    await playOut();
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('a table that emptied runs no game: the players who sit down again, the same people included, are all dealt the first hand', async () => {
    const { actor, callers, fatal, playOut, nextHand } = await fourSeats();
    for (const seat of [0, 1]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    await nextHand();
    await playOut();
    const leftWith: number[] = [];
    for (const seat of [0, 1]) {
      const left = await actor.leave(callers[seat]!);
      expect(left).toMatchObject({ ok: true, pending: false });
      leftWith.push(left.ok ? (left as { cashedOut: number }).cashedOut : 0);
    }
    // Back within two hours: at least what each left with (decision 036).
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, Math.max(100, leftWith[seat] ?? 0), uniqueKey())).ok).toBe(true);
    expect(actor.players().filter((p) => p.waitingForBigBlind)).toEqual([]);
    expect((await nextHand()).dealt).toEqual([0, 1, 2]);
    await playOut();
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('a player seated during a hand may sit out before being dealt in (it was refused), and still owes the big blind when sitting in', async () => {
    const { actor, callers, fatal, playOut, nextHand } = await fourSeats();
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    await nextHand();
    expect(await actor.sit(callers[3]!, 3, 100, uniqueKey())).toMatchObject({ ok: true, pending: true });
    expect(await actor.sitOut(callers[3]!)).toEqual({ ok: true });
    await playOut();
    expect(actor.players().find((p) => p.seat === 3)!.waitingForBigBlind).toBeUndefined();
    let h = await nextHand();
    expect(h.dealt).toEqual([0, 1, 2]);
    expect(await actor.sitIn(callers[3]!)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });
    await playOut();
    let enteredAs: number | null = null;
    for (let hand = 0; hand < 4 && enteredAs === null; hand++) {
      h = await nextHand();
      if (h.dealt.includes(3)) enteredAs = h.bigBlind;
      await playOut();
    }
    expect(enteredAs).toBe(3);
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('sitting in to wait and out again does not restart the sit-out clock: the seat is still cashed out after SIT_OUT_HANDS_MAX hands', async () => {
    const { actor, callers, fatal, playOut, nextHand, rec } = await fourSeats({ sitOutHandsMax: 4 });
    for (const seat of [0, 1, 2, 3]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    let h = await nextHand();
    await playOut();
    const next = (h.bigBlind! + 1) % 4;
    expect(await actor.sitOut(callers[next]!)).toEqual({ ok: true });
    for (let hand = 0; hand < 8 && actor.players().some((p) => p.seat === next); hand++) {
      h = await nextHand();
      expect(h.dealt).not.toContain(next);
      // Toggled every hand: sit in (waiting for the big blind), then out again.
      if (actor.players().some((p) => p.seat === next)) {
        expect(await actor.sitIn(callers[next]!)).toEqual({ ok: true });
        expect(await actor.sitOut(callers[next]!)).toEqual({ ok: true });
      }
      await playOut();
    }
    expect(actor.players().some((p) => p.seat === next)).toBe(false);
    expect(rec.notices.some((n) => n.kind === 'removed')).toBe(true);
    expect(fatal).toEqual([]);
    actor.stop();
  });
});

describe('the blinds go on across a restart (decision 030)', () => {
  it('the first hand after a restart moves the button on from the last settled hand, and a seat that was waiting for the big blind still waits', async () => {
    const before = await fourSeats();
    const { actor, callers } = before;
    for (const seat of [0, 1, 2]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    const first = await before.nextHand();
    expect(first).toMatchObject({ dealt: [0, 1, 2], button: 0, bigBlind: 2 });
    await before.playOut();
    // Seat 3 joins the running game: it waits for the big blind.
    expect(await actor.sit(callers[3]!, 3, 100, uniqueKey())).toMatchObject({ ok: true, pending: false });
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });

    // The restart (before the next deal): every player is away until their socket is back.
    const after = await before.restart();
    for (const seat of [0, 1, 2, 3]) await after.actor.connectionChanged(callers[seat]!.userId, true);
    // Seat 3 still waits; the others are back in.
    expect(after.actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });
    // The button moves on from seat 0 (a new table would put it there again: the same two
    // players would post the blinds twice running). With the button on 1, the big blind is
    // seat 3's: it enters, and posts it.
    const next = await after.nextHand();
    expect(next).toMatchObject({ button: 1, bigBlind: 3, dealt: [0, 1, 2, 3] });
    const posted = after.rec.events(0).filter((e) => e.type === 'blinds_posted');
    expect(posted).toEqual(expect.arrayContaining([expect.objectContaining({ seat: 3, kind: 'big_blind' })]));
    await after.playOut();
    expect([...before.fatal, ...after.fatal]).toEqual([]);
    after.actor.stop();
  });

  it('a seat that was not dealt the last hand and comes back while the game runs waits for its big blind', async () => {
    const before = await fourSeats();
    const { actor, callers } = before;
    for (const seat of [0, 1, 2, 3]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    const first = await before.nextHand();
    expect(first).toMatchObject({ dealt: [0, 1, 2, 3], button: 0, bigBlind: 2 });
    await before.playOut();
    // Seat 3 sits out: the next hand (button 1) would have made it the big blind.
    expect(await actor.sitOut(callers[3]!)).toEqual({ ok: true });
    const second = await before.nextHand();
    expect(second).toMatchObject({ dealt: [0, 1, 2], button: 1, bigBlind: 0 });
    await before.playOut();

    const after = await before.restart();
    for (const seat of [0, 1, 2]) await after.actor.connectionChanged(callers[seat]!.userId, true);
    // It sat out before the restart and still does (decision 027); sitting in, it owes the big blind.
    expect(await after.actor.sitIn(callers[3]!)).toEqual({ ok: true });
    expect(after.actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true });
    // The button moves on to seat 2: seat 3 would post the small blind, so it waits.
    const third = await after.nextHand();
    expect(third).toMatchObject({ dealt: [0, 1, 2], button: 2, bigBlind: 1 });
    await after.playOut();
    expect([...before.fatal, ...after.fatal]).toEqual([]);
    after.actor.stop();
  });
});

describe('the owed small blind across a restart (decisions 030 and 035)', () => {
  it('a seat that missed both blinds still owes the small blind after a restart, and posts it dead coming back; once dealt in it owes nothing, restarted again', async () => {
    const before = await fourSeats({}, 6);
    const { actor, callers } = before;
    for (const seat of [0, 1, 2, 3, 4]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await before.nextHand()).toMatchObject({ button: 0, bigBlind: 2 });
    await before.playOut();
    // Seat 3 sits out through its big blind (button 1) and its small blind (button 2).
    expect(await actor.sitOut(callers[3]!)).toEqual({ ok: true });
    expect(await before.nextHand()).toMatchObject({ button: 1, bigBlind: 4, dealt: [0, 1, 2, 4] });
    await before.playOut();
    expect(await before.nextHand()).toMatchObject({ button: 2, bigBlind: 0, dealt: [0, 1, 2, 4] });
    await before.playOut();
    const owed = () => t.db.seatSession.findFirstOrThrow({ where: { userId: callers[3]!.userId, status: 'OPEN' }, select: { owesSmallBlind: true } });
    expect(await owed()).toEqual({ owesSmallBlind: true });

    const after = await before.restart();
    for (const seat of [0, 1, 2, 3, 4]) await after.actor.connectionChanged(callers[seat]!.userId, true);
    expect(await after.actor.sitIn(callers[3]!)).toEqual({ ok: true });
    expect(after.actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true, mayPostBigBlind: true, owesSmallBlind: true });
    expect(await after.actor.postBlind(callers[3]!, true)).toEqual({ ok: true });
    const from = after.rec.events(0).length;
    // Button 4, blinds 0 and 1: seat 3 posts both, the small blind dead, and plays.
    expect(await after.nextHand()).toMatchObject({ button: 4, bigBlind: 1, dealt: [0, 1, 2, 3, 4] });
    const posted = after.rec.events(0).slice(from).filter((e) => e.type === 'blinds_posted' && e.seat === 3);
    expect(posted).toEqual([{ type: 'blinds_posted', seat: 3, kind: 'small_and_big_blinds', amount: 3, dead: 1, allIn: false }]);
    expect(await owed()).toEqual({ owesSmallBlind: false });
    await after.playOut();

    // Dealt in: restarted again, it owes nothing and is dealt the next hand like the others.
    const again = await after.restart();
    for (const seat of [0, 1, 2, 3, 4]) await again.actor.connectionChanged(callers[seat]!.userId, true);
    expect(again.actor.players().find((p) => p.seat === 3)!.owesSmallBlind).toBeUndefined();
    expect(await again.nextHand()).toMatchObject({ button: 0, dealt: [0, 1, 2, 3, 4] });
    await again.playOut();
    expect([...before.fatal, ...after.fatal, ...again.fatal]).toEqual([]);
    again.actor.stop();
  });
});

describe('post now (decision 034)', () => {
  it('a new player posts a big blind to enter at once, after the big blind; the blinds stay where they were', async () => {
    const { actor, callers, fatal, playOut, nextHand } = await fourSeats({}, 6);
    for (const seat of [0, 1, 2, 3]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await nextHand()).toMatchObject({ button: 0, bigBlind: 2 });
    await playOut();
    expect((await actor.sit(callers[5]!, 5, 100, uniqueKey())).ok).toBe(true);
    expect(actor.players().find((p) => p.seat === 5)).toMatchObject({ waitingForBigBlind: true });
    expect(actor.players().find((p) => p.seat === 5)!.postsBigBlind).toBeUndefined();
    expect(await actor.postBlind(callers[5]!, true)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === 5)).toMatchObject({ waitingForBigBlind: true, postsBigBlind: true });
    // Button 1, blinds 2 and 3: seat 5 sits after the big blind, posts 2 and plays.
    const h = await nextHand();
    expect(h).toMatchObject({ button: 1, bigBlind: 3, dealt: [0, 1, 2, 3, 5] });
    const view = actor.snapshot(null).view;
    expect(view.seats[5]).toMatchObject({ bet: 2, stack: 98 });
    expect(view.seats[0]!.bet).toBe(0);
    const after = actor.players().find((p) => p.seat === 5)!;
    expect(after.waitingForBigBlind).toBeUndefined();
    expect(after.postsBigBlind).toBeUndefined();
    await playOut();
    // Dealt in since: an ordinary seat, which has nothing to post.
    expect(await actor.postBlind(callers[5]!, true)).toMatchObject({ ok: false, error: { code: 'seat/no_post', message: 'You are already dealt in.' } });
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('waiting again takes the choice back; strangers are refused', async () => {
    const { actor, callers, fatal, playOut, nextHand } = await fourSeats({}, 6);
    for (const seat of [0, 1, 2, 3]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    await nextHand();
    await playOut();
    expect(await actor.postBlind(callers[4]!, true)).toMatchObject({ ok: false, error: { code: 'table/not_seated' } });
    expect((await actor.sit(callers[5]!, 5, 100, uniqueKey())).ok).toBe(true);
    expect(await actor.postBlind(callers[5]!, true)).toEqual({ ok: true });
    expect(await actor.postBlind(callers[5]!, false)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === 5)!.postsBigBlind).toBeUndefined();
    // Not posting, seat 5 (after the big blind) waits.
    let h = await nextHand();
    expect(h.dealt).not.toContain(5);
    await playOut();
    // Seat 5 enters as the big blind (button 2, blinds 3 and 5). Seat 0 then sits out through
    // its own big blind (button 3, blinds 5 and 0): back, it waits for it and may not post.
    h = await nextHand();
    expect(h).toMatchObject({ button: 2, bigBlind: 5 });
    await playOut();
    expect(await actor.sitOut(callers[0]!)).toEqual({ ok: true });
    h = await nextHand();
    expect(h.dealt).not.toContain(0);
    await playOut();
    expect(await actor.sitIn(callers[0]!)).toEqual({ ok: true });
    // It missed the big blind only: it may post one to come back (decision 035), and owes no small blind.
    const back = actor.players().find((p) => p.seat === 0)!;
    expect(back).toMatchObject({ waitingForBigBlind: true, mayPostBigBlind: true });
    expect(back.owesSmallBlind).toBeUndefined();
    expect(fatal).toEqual([]);
    actor.stop();
  });
});

describe('coming back posting (decision 035)', () => {
  it('a player who missed both blinds posts the big blind live and the small blind dead, and plays at once', async () => {
    const { actor, callers, fatal, playOut, nextHand, rec } = await fourSeats({}, 6);
    for (const seat of [0, 1, 2, 3, 4]) expect((await actor.sit(callers[seat]!, seat, 100, uniqueKey())).ok).toBe(true);
    expect(await nextHand()).toMatchObject({ button: 0, bigBlind: 2, dealt: [0, 1, 2, 3, 4] });
    await playOut();
    // Seat 3 sits out through its big blind (button 1) and its small blind (button 2).
    expect(await actor.sitOut(callers[3]!)).toEqual({ ok: true });
    expect(await nextHand()).toMatchObject({ button: 1, bigBlind: 4, dealt: [0, 1, 2, 4] });
    await playOut();
    expect(await actor.sitIn(callers[3]!)).toEqual({ ok: true });
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true, mayPostBigBlind: true });
    expect(actor.players().find((p) => p.seat === 3)!.owesSmallBlind).toBeUndefined();
    expect(await nextHand()).toMatchObject({ button: 2, bigBlind: 0, dealt: [0, 1, 2, 4] });
    await playOut();
    // Now it owes the small blind too.
    expect(actor.players().find((p) => p.seat === 3)).toMatchObject({ waitingForBigBlind: true, mayPostBigBlind: true, owesSmallBlind: true });
    expect(await actor.postBlind(callers[3]!, true)).toEqual({ ok: true });
    const stackBefore = actor.snapshot(null).view.seats[3]!.stack;
    // Button 4, blinds 0 and 1: seat 3 is neither, so it posts and is dealt in.
    const from = rec.events(0).length;
    expect(await nextHand()).toMatchObject({ button: 4, bigBlind: 1, dealt: [0, 1, 2, 3, 4] });
    const posted = rec.events(0).slice(from).filter((e) => e.type === 'blinds_posted' && e.seat === 3);
    expect(posted).toEqual([{ type: 'blinds_posted', seat: 3, kind: 'small_and_big_blinds', amount: 3, dead: 1, allIn: false }]);
    expect(actor.snapshot(null).view.seats[3]).toMatchObject({ stack: stackBefore - 3, bet: 2, dead: 1 });
    const player = actor.players().find((p) => p.seat === 3)!;
    expect([player.waitingForBigBlind, player.owesSmallBlind, player.postsBigBlind]).toEqual([undefined, undefined, undefined]);
    await playOut();
    // Dealt in since: it owes nothing and has nothing to post.
    expect(await actor.postBlind(callers[3]!, true)).toMatchObject({ ok: false, error: { code: 'seat/no_post' } });
    expect(fatal).toEqual([]);
    actor.stop();
  });

  it('a stack too short for both blinds cannot post to come back, and waits for the big blind', async () => {
    // Blinds 30/60 and a buy-in of 30 for seat 3: no more chips than the small blind it will owe.
    const started = await startActor(t, { maxSeats: 6, smallBlind: 30, bigBlind: 60, minBuyIn: 20, maxBuyIn: 400 }, { sitOutHandsMax: 20 });
    const { actor, clock, fatal } = started;
    const users = await seedUsers(t.db, 5, 'sb');
    for (const userId of users) await t.ledger.buyChips({ userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
    const callers = users.map((userId, i) => ({ userId, username: `q${i}` }));
    for (const seat of [0, 1, 2, 3, 4]) expect((await actor.sit(callers[seat]!, seat, seat === 3 ? 30 : 400, uniqueKey())).ok).toBe(true);
    const hand = async () => {
      await clock.advance(5_000, actor);
      for (let guard = 0; guard < 50; guard++) {
        const view = actor.snapshot(null).view;
        if (view.toAct === null) break;
        const you = actor.snapshot(callers[view.toAct]!.userId).you!;
        expect((await actor.act(callers[view.toAct]!, you.legal!.canCheck ? 'check' : 'fold', undefined, actor.seq)).ok).toBe(true);
      }
      await actor.idle();
      return actor.snapshot(null).view;
    };
    await hand();
    expect(await actor.sitOut(callers[3]!)).toEqual({ ok: true });
    await hand();
    expect(await actor.sitIn(callers[3]!)).toEqual({ ok: true });
    await hand();
    const owing = actor.players().find((p) => p.seat === 3)!;
    expect(owing).toMatchObject({ waitingForBigBlind: true, owesSmallBlind: true });
    expect(owing.mayPostBigBlind).toBeUndefined();
    expect(await actor.postBlind(callers[3]!, true)).toMatchObject({ ok: false, error: { code: 'seat/no_post', message: expect.stringMatching(/more chips/) } });
    // Waiting again is always allowed; the next hand deals it out, and the table plays on.
    expect(await actor.postBlind(callers[3]!, false)).toEqual({ ok: true });
    const next = await hand();
    expect(next.seats[3]!.inHand).toBe(false);
    expect(fatal).toEqual([]);
    actor.stop();
  });
});
