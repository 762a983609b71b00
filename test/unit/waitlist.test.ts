import { describe, expect, it } from 'vitest';
import type { TableNotice } from '../../server/protocol/frames';
import { OFFER_EXPIRY_RETRY_MS, TableWaitlist, WaitingList } from '../../server/tables/waitlist';
import { ManualClock } from '../support/actor-harness';

// The waiting list of a full table (docs/decisions/015-waiting-list.md): the
// pure rules (FIFO, one entry per player, offers that hold a seat, expiry),
// then the actor's side of it (the one expiry timer and the private notices)
// driven by a manual clock.

const limits = { waitlistMax: 3, seatOfferMs: 30_000 };
const person = (userId: number) => ({ userId, username: `p${userId}` });
const full = { seated: false, freeSeats: [] as number[] };

describe('waiting list rules', () => {
  it('is first in, first out, with one entry per player', () => {
    const list = new WaitingList(limits);
    expect(list.join(person(1), full, 0)).toEqual({ ok: true, position: 1 });
    expect(list.join(person(2), full, 1)).toEqual({ ok: true, position: 2 });
    expect(list.join(person(1), full, 2)).toEqual({ ok: false, code: 'waitlist/already_waiting' });
    expect(list.position(2)).toBe(2);
    expect(list.waiting).toBe(2);

    const offers = list.offerSeats([4], 1_000);
    expect(offers).toEqual([{ seat: 4, userId: 1, username: 'p1', deadline: 31_000 }]);
    expect(list.position(1)).toBeNull(); // holding an offer, not in line
    expect(list.position(2)).toBe(1);
    // Holding an offer still counts as being on the list.
    expect(list.join(person(1), { seated: false, freeSeats: [4] }, 3)).toEqual({ ok: false, code: 'waitlist/already_waiting' });
  });

  it('is only for a table with no seat to take, and not for a player seated there', () => {
    const list = new WaitingList(limits);
    expect(list.join(person(1), { seated: true, freeSeats: [] }, 0)).toEqual({ ok: false, code: 'table/already_seated' });
    expect(list.join(person(1), { seated: false, freeSeats: [2] }, 0)).toEqual({ ok: false, code: 'waitlist/seat_free' });
    // Every free seat held for someone: the table is full for everyone else.
    list.join(person(9), full, 0);
    list.offerSeats([2], 0);
    expect(list.join(person(1), { seated: false, freeSeats: [2] }, 0)).toEqual({ ok: true, position: 1 });
  });

  it('refuses players beyond waitlistMax', () => {
    const list = new WaitingList(limits);
    for (const id of [1, 2, 3]) expect(list.join(person(id), full, 0).ok).toBe(true);
    expect(list.join(person(4), full, 0)).toEqual({ ok: false, code: 'waitlist/full' });
    list.leave(2);
    expect(list.join(person(4), full, 0)).toEqual({ ok: true, position: 3 });
  });

  it('holds an offered seat for its player only; anyone else is refused with seat/reserved', () => {
    const list = new WaitingList(limits);
    list.join(person(1), full, 0);
    list.join(person(2), full, 0);
    list.offerSeats([0, 5], 0);
    expect(list.reservedSeats()).toEqual([0, 5]);
    expect(list.offerOf(1)?.seat).toBe(0);
    expect(list.offerOf(2)?.seat).toBe(5);
    expect(list.sitRefusal(2, 0)).toBe('seat/reserved');
    expect(list.sitRefusal(7, 0)).toBe('seat/reserved');
    expect(list.sitRefusal(1, 0)).toBeNull();
    expect(list.sitRefusal(7, 3)).toBeNull(); // not held

    list.tookSeat(1);
    expect(list.offerOf(1)).toBeNull();
    expect(list.reservedSeats()).toEqual([5]);
    // Offering again keeps the live offer and makes none for a seat nobody waits for.
    expect(list.offerSeats([5], 10)).toEqual([]);
    expect(list.offerOf(2)?.deadline).toBe(30_000);
  });

  it('leaving declines an offer; leaving twice, or when never on it, is refused', () => {
    const list = new WaitingList(limits);
    list.join(person(1), full, 0);
    list.join(person(2), full, 0);
    list.offerSeats([3], 0);
    expect(list.leave(1)).toEqual({ ok: true, declined: { seat: 3, userId: 1, username: 'p1', deadline: 30_000 } });
    expect(list.leave(1)).toEqual({ ok: false, code: 'waitlist/not_waiting' });
    expect(list.leave(42)).toEqual({ ok: false, code: 'waitlist/not_waiting' });
    // The declined seat goes to the next one.
    expect(list.offerSeats([3], 5)).toEqual([{ seat: 3, userId: 2, username: 'p2', deadline: 30_005 }]);
    expect(list.leave(2)).toMatchObject({ ok: true });
    expect(list.waiting).toBe(0);
  });

  it('an offer lapses at its deadline and its player is off the list', () => {
    const list = new WaitingList(limits);
    list.join(person(1), full, 0);
    list.join(person(2), full, 0);
    list.offerSeats([1], 100);
    expect(list.nextDeadline()).toBe(30_100);
    expect(list.expire(30_099)).toEqual([]);
    expect(list.expire(30_100).map((o) => o.userId)).toEqual([1]);
    expect(list.offerOf(1)).toBeNull();
    expect(list.position(1)).toBeNull();
    expect(list.nextDeadline()).toBeNull();
    expect(list.offerSeats([1], 30_100).map((o) => o.userId)).toEqual([2]);
  });

  it('a held seat that somebody else filled is a bug, not a silent fix', () => {
    const list = new WaitingList(limits);
    list.join(person(1), full, 0);
    list.offerSeats([2], 0);
    expect(() => list.offerSeats([], 1)).toThrow(/held for a waiting player/);
  });
});

function harness(freeSeats: number[] = []) {
  const clock = new ManualClock();
  const notices: { userId: number; notice: TableNotice }[] = [];
  const queue: (() => void)[] = [];
  let changes = 0;
  const free = { seats: freeSeats };
  const mailbox = { full: false };
  const waitlist = new TableWaitlist({
    tableId: 7, tableName: 'Heads-Up', clock, limits,
    output: { notice: (userId, notice) => notices.push({ userId, notice }) },
    enqueue: (work, onBusy) => (mailbox.full ? onBusy() : queue.push(work)),
    freeSeats: () => free.seats,
    offering: () => true,
    onChanged: () => changes++,
  });
  /** Moves the clock and runs the mailbox work its timers queued. */
  const advance = async (ms: number) => {
    await clock.advance(ms);
    while (queue.length > 0) queue.shift()!();
  };
  return { clock, notices, waitlist, free, mailbox, advance, changes: () => changes };
}

describe('the table side of the list', () => {
  it('offers a freed seat to the first player only, privately, and moves the line', () => {
    const h = harness();
    expect(h.waitlist.join(person(1), false)).toEqual({ ok: true, position: 1 });
    expect(h.waitlist.join(person(2), false)).toEqual({ ok: true, position: 2 });
    expect(h.waitlist.join(person(3), true)).toMatchObject({ ok: false, error: { code: 'table/already_seated' } });
    h.free.seats = [1];
    h.waitlist.seatsChanged();
    expect(h.notices).toEqual([
      { userId: 1, notice: expect.objectContaining({ tableId: 7, kind: 'seat_offered', seat: 1, deadline: h.clock.now() + 30_000 }) },
      { userId: 2, notice: expect.objectContaining({ kind: 'waitlist', message: expect.stringContaining('#1') }) },
    ]);
    expect(h.waitlist.statusOf(1)).toEqual({ position: null, offer: { seat: 1, deadline: h.clock.now() + 30_000 } });
    expect(h.waitlist.statusOf(2)).toEqual({ position: 1, offer: null });
    expect(h.waitlist.statusOf(3)).toBeNull();
    expect(h.waitlist.publicView()).toEqual({ waiting: 1, reservedSeats: [1] });
    expect(h.changes()).toBeGreaterThan(0);
  });

  it('when an offer lapses the player hears it and the seat goes to the next one; taking it ends the timer', async () => {
    const h = harness();
    h.waitlist.join(person(1), false);
    h.waitlist.join(person(2), false);
    h.free.seats = [0];
    h.waitlist.seatsChanged();
    h.notices.length = 0;

    await h.advance(29_999);
    expect(h.notices).toEqual([]);
    await h.advance(1);
    expect(h.notices.map((n) => [n.userId, n.notice.kind])).toEqual([[1, 'waitlist'], [2, 'seat_offered']]);
    expect(h.waitlist.statusOf(1)).toBeNull();
    expect(h.waitlist.sitRefusal(1, 0)).toBe('seat/reserved');
    expect(h.waitlist.sitRefusal(2, 0)).toBeNull();

    // Player 2 takes the seat: nothing held, nothing lapses later.
    h.free.seats = [];
    h.waitlist.tookSeat(2);
    h.notices.length = 0;
    await h.advance(60_000);
    expect(h.notices).toEqual([]);
    expect(h.waitlist.publicView()).toEqual({ waiting: 0, reservedSeats: [] });
  });

  it('a declined offer goes to the next player at once; leave and join answer hostile repeats', () => {
    const h = harness();
    h.waitlist.join(person(1), false);
    h.waitlist.join(person(2), false);
    h.free.seats = [3];
    h.waitlist.seatsChanged();
    expect(h.waitlist.leave(2)).toEqual({ ok: true }); // still in line: leaves it
    expect(h.waitlist.leave(2)).toMatchObject({ ok: false, error: { code: 'waitlist/not_waiting' } });
    h.waitlist.join(person(3), false);
    h.notices.length = 0;
    expect(h.waitlist.leave(1)).toEqual({ ok: true }); // holding seat 3: declines it
    expect(h.notices[0]).toEqual({ userId: 3, notice: expect.objectContaining({ kind: 'seat_offered', seat: 3 }) });
    expect(h.waitlist.join(person(3), false)).toMatchObject({ ok: false, error: { code: 'waitlist/already_waiting' } });
  });

  it('an expiry the full mailbox refused is tried again, so no seat stays held for ever', async () => {
    const h = harness();
    h.waitlist.join(person(1), false);
    h.waitlist.join(person(2), false);
    h.free.seats = [0];
    h.waitlist.seatsChanged();
    h.notices.length = 0;
    h.mailbox.full = true;
    await h.advance(30_000 + 3 * OFFER_EXPIRY_RETRY_MS);
    expect(h.notices).toEqual([]);
    h.mailbox.full = false;
    await h.advance(OFFER_EXPIRY_RETRY_MS);
    expect(h.notices.map((n) => [n.userId, n.notice.kind])).toEqual([[1, 'waitlist'], [2, 'seat_offered']]);
  });

  it('stop() cancels the expiry timer', async () => {
    const h = harness();
    h.waitlist.join(person(1), false);
    h.free.seats = [0];
    h.waitlist.seatsChanged();
    h.waitlist.stop();
    h.notices.length = 0;
    await h.advance(60_000);
    expect(h.notices).toEqual([]);
  });
});
