import { describe, expect, it } from 'vitest';
import { storedServerKey } from '../../server/ledger/keys';
import { ActionClock } from '../../server/tables/action-clock';
import { SeatBook } from '../../server/tables/seats';
import { ManualClock } from '../support/actor-harness';

// The seat lifecycle (joining -> seated -> leaving -> gone) with its queue of
// intents applied at the hand boundary, and the action clock, both driven by
// a manual clock.

const alice = { userId: 1, username: 'alice', seatSessionId: 10n };
const bob = { userId: 2, username: 'bob', seatSessionId: 11n };

describe('seat lifecycle', () => {
  it('a buy-in between hands is seated at once; during a hand it joins at the boundary with its stack', () => {
    const book = new SeatBook(30_000);
    expect(book.add(0, alice, 100, { handLive: false, connected: true }).phase).toBe('seated');
    expect(book.add(3, bob, 150, { handLive: true, connected: true }).phase).toBe('joining');
    expect(book.boundary(0)).toEqual([]);
    expect(book.boundary(3)).toEqual([{ kind: 'enter', stack: 150 }]);
    expect(book.get(3)!.phase).toBe('seated');
    expect(book.boundary(3)).toEqual([]); // entered once
    expect(() => book.add(0, bob, 100, { handLive: false, connected: true })).toThrow(/taken/);
  });

  it('intents apply at the boundary in the order asked; a leaving seat only cashes out', () => {
    const book = new SeatBook(30_000);
    book.add(0, alice, 100, { handLive: true, connected: true });
    const key = 'top-1';
    expect(book.queueTopUp(0, { kind: 'top_up', amount: 50, key, intentId: 1n })).toBe('queued');
    expect(book.queueTopUp(0, { kind: 'top_up', amount: 50, key, intentId: 2n })).toMatchObject({ twin: { intentId: 1n } });
    expect(book.queueTopUp(0, { kind: 'top_up', amount: 60, key, intentId: 3n })).toBe('key_reused');
    expect(book.queueTopUp(0, { kind: 'top_up', amount: 1, key: 'top-2', intentId: 4n })).toBe('queued');
    expect(book.queueTopUp(0, { kind: 'top_up', amount: 1, key: 'top-3', intentId: 5n })).toBe('queued');
    expect(book.queueTopUp(0, { kind: 'top_up', amount: 1, key: 'top-4', intentId: 6n })).toBe('too_many');
    book.queueSitOut(0);
    book.queueSitOut(0);
    expect(book.boundary(0)).toEqual([
      { kind: 'enter', stack: 100 },
      { kind: 'top_up', amount: 50, key, intentId: 1n },
      { kind: 'top_up', amount: 1, key: 'top-2', intentId: 4n },
      { kind: 'top_up', amount: 1, key: 'top-3', intentId: 5n },
      { kind: 'sit_out' },
    ]);
    book.queueTopUp(0, { kind: 'top_up', amount: 20, key: storedServerKey('topup:x'), intentId: null });
    expect(book.leave(0)).toBe(true);
    expect(book.leave(0)).toBe(false);
    expect(book.boundary(0)).toEqual([{ kind: 'cash_out' }]);
    expect(book.get(0)!.phase).toBe('leaving'); // until the cash-out removes it
    book.remove(0);
    expect(book.seatOf(alice.userId)).toBeNull();
  });

  it('a seat sitting out expires after too many hands or too long, whichever comes first', async () => {
    const clock = new ManualClock();
    const book = new SeatBook(30_000);
    book.add(0, alice, 100, { handLive: false, connected: true });
    book.add(1, bob, 100, { handLive: false, connected: true });
    const limits = { sitOutHandsMax: 3, sitOutMsMax: 60_000 };
    book.sittingOut(0, clock.now());
    book.sittingOut(1, clock.now());
    for (let i = 0; i < 2; i++) book.handDealt((seat) => seat === 0);
    expect(book.sitOutExpired(0, clock.now(), limits)).toBe(false);
    book.handDealt((seat) => seat === 0);
    expect(book.sitOutExpired(0, clock.now(), limits)).toBe(true); // 3 hands
    await clock.advance(59_999);
    expect(book.sitOutExpired(1, clock.now(), limits)).toBe(false);
    await clock.advance(1);
    expect(book.sitOutExpired(1, clock.now(), limits)).toBe(true); // 60 s
    book.sittingOut(1, null); // sat back in: the count starts again
    expect(book.get(1)!.sitOutHands).toBe(0);
  });

  it('time bank used is charged and never goes below zero', () => {
    const book = new SeatBook(5_000);
    book.add(0, alice, 100, { handLive: false, connected: true });
    book.chargeTimeBank(0, 3_000);
    expect(book.get(0)!.timeBankMs).toBe(2_000);
    book.chargeTimeBank(0, 9_000);
    expect(book.get(0)!.timeBankMs).toBe(0);
  });
});

describe('action clock', () => {
  it('expires once per arming; a re-arm makes the old timer stale; time bank use is reported, not charged', async () => {
    const clock = new ManualClock();
    const expired: [number, number][] = [];
    const action = new ActionClock(clock, (seat, token) => expired.push([seat, token]));
    const start = clock.now();
    action.arm(2, 10_000, false);
    expect(action.view()).toEqual({ seat: 2, deadline: start + 10_000, turnMs: 10_000, usingTimeBank: false });
    expect(action.onMainClock(2)).toBe(true);
    await clock.advance(4_000);
    action.arm(3, 10_000, false); // the turn moved on
    await clock.advance(7_000);
    expect(expired).toEqual([]);
    await clock.advance(3_000);
    expect(expired).toHaveLength(1);
    const [[seat, token]] = expired as [[number, number]];
    expect(seat).toBe(3);
    expect(action.isCurrent(token)).toBe(true);
    expect(action.usedTimeBank(3)).toBe(0);
    action.arm(3, 5_000, true); // on the time bank
    await clock.advance(1_500);
    expect(action.usedTimeBank(3)).toBe(1_500);
    expect(action.isCurrent(token)).toBe(false);
    action.disarm();
    await clock.advance(10_000);
    expect(expired).toHaveLength(1);
    expect(action.view()).toBeNull();
  });
});
