import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyTable, TableNotice, TableSnapshot } from '../../server/protocol';
import { autoplay } from '../support/autoplay';
import { uniqueKey } from '../support/db';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// The waiting list of a full table and the rebuy of a busted player, over the
// public Socket.IO API only (docs/decisions/015-waiting-list.md): one entry per
// player, first in first out; a freed seat is offered to the first one waiting,
// privately, and held for them; anyone else's buy-in there is refused without
// moving a chip; an offer that lapses or is declined goes to the next player.

const SEAT_OFFER_MS = 2_500;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ tableSettings: { seatOfferMs: SEAT_OFFER_MS } });
});
afterAll(async () => {
  await s?.close();
});

let users = 0;
const clients: TestClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
});

async function player(chipsCents = 2_000): Promise<TestClient> {
  const client = await TestClient.signup(s.url, `wait_${++users}_${process.pid % 1000}`);
  await client.buyChips(chipsCents);
  await client.connect();
  clients.push(client);
  return client;
}

async function headsUpTable(prefix: string): Promise<LobbyTable> {
  const boss = await player();
  await s.t.db.user.update({ where: { id: boss.userId }, data: { role: 'ADMIN' } });
  const created = await boss.http<{ table: LobbyTable }>('POST', '/api/admin/tables', {
    name: `${prefix}-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
  });
  expect(created.status).toBe(201);
  return created.body.table;
}

/**
 * A full heads-up table where no hand is running: alice sits and sits out
 * before bob sits, so a leave takes effect at once.
 */
async function fullIdleTable(prefix: string): Promise<{ table: LobbyTable; alice: TestClient; bob: TestClient }> {
  const table = await headsUpTable(prefix);
  const alice = await player();
  const bob = await player();
  expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
  expect(await alice.emit('table:sit_out', { tableId: table.id })).toEqual({ ok: true });
  expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true, pending: false });
  return { table, alice, bob };
}

const code = async (client: TestClient, event: string, payload: unknown) => {
  const ack = await client.emit(event, payload);
  return ack.ok ? 'ok' : ack.error.code;
};

function notices(client: TestClient, tableId: number, kind?: TableNotice['kind']): TableNotice[] {
  return client.received
    .filter((r) => r.event === 'table:notice')
    .map((r) => JSON.parse(r.json) as TableNotice)
    .filter((n) => n.tableId === tableId && (kind === undefined || n.kind === kind));
}

async function walletOf(client: TestClient): Promise<number> {
  return (await client.http<{ balance: number }>('GET', '/api/wallet')).body.balance;
}

async function openSeats(tableId: number): Promise<number> {
  return s.t.db.seatSession.count({ where: { tableId, status: 'OPEN' } });
}

describe('joining and leaving the waiting list', () => {
  it('is for a full table only, one entry per player, never for a player seated there; hostile repeats are refused', async () => {
    const table = await headsUpTable('wl-join');
    const alice = await player();
    const carol = await player();
    const dave = await player();
    const anonymous = TestClient.anonymous(s.url);
    await anonymous.connect();
    clients.push(anonymous);

    expect(await code(anonymous, 'table:waitlist_join', { tableId: table.id })).toBe('auth/required');
    expect(await code(carol, 'table:waitlist_join', { tableId: table.id })).toBe('waitlist/seat_free');
    expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await code(carol, 'table:waitlist_join', { tableId: table.id })).toBe('waitlist/seat_free');
    const bob = await player();
    expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });

    // Full now.
    expect(await code(alice, 'table:waitlist_join', { tableId: table.id })).toBe('table/already_seated');
    expect(await carol.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 1 });
    expect(await code(carol, 'table:waitlist_join', { tableId: table.id })).toBe('waitlist/already_waiting');
    expect(await dave.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 2 });
    expect(await code(alice, 'table:waitlist_leave', { tableId: table.id })).toBe('waitlist/not_waiting');
    expect(await code(carol, 'table:waitlist_join', { tableId: 999_999 })).toBe('table/not_found');
    // Identity never comes from a payload.
    expect(await code(carol, 'table:waitlist_join', { tableId: table.id, userId: dave.userId })).toBe('request/invalid');
    expect(await code(carol, 'table:waitlist_leave', { tableId: table.id, userId: dave.userId })).toBe('request/invalid');

    expect(s.server.registry.listLobby().find((t) => t.id === table.id)?.waiting).toBe(2);
    const snap = await dave.snapshot(table.id);
    expect(snap.waitlist).toEqual({ waiting: 2, reservedSeats: [] });
    expect(snap.you?.waitlist).toEqual({ position: 2, offer: null });
    expect((await alice.snapshot(table.id)).you?.waitlist).toBeNull();

    expect(await code(carol, 'table:waitlist_leave', { tableId: table.id })).toBe('ok');
    expect(await code(carol, 'table:waitlist_leave', { tableId: table.id })).toBe('waitlist/not_waiting');
    expect((await dave.snapshot(table.id)).you?.waitlist).toEqual({ position: 1, offer: null });
    expect(s.server.registry.listLobby().find((t) => t.id === table.id)?.waiting).toBe(1);
  });
});

describe('a seat that frees up', () => {
  it('is offered to the first player waiting, privately; held for them; taken with an ordinary buy-in', async () => {
    const { table, alice, bob } = await fullIdleTable('wl-offer');
    const carol = await player();
    const dave = await player();
    const mallory = await player();
    for (const c of [carol, dave, mallory]) await c.watch(table.id);
    expect(await carol.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 1 });
    expect(await dave.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 2 });

    expect(await bob.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false });
    await carol.until(() => notices(carol, table.id, 'seat_offered').length === 1, 5_000, 'the offer');
    const offer = notices(carol, table.id, 'seat_offered')[0]!;
    expect(offer).toMatchObject({ seat: 1, message: expect.stringContaining('Seat 2') });
    expect(offer.deadline! - Date.now()).toBeGreaterThan(0);
    expect(offer.deadline! - Date.now()).toBeLessThanOrEqual(SEAT_OFFER_MS);
    // Only carol hears of it; dave hears that he moved up.
    await dave.until(() => notices(dave, table.id, 'waitlist').length === 1, 5_000, 'dave moving up');
    expect(notices(dave, table.id, 'waitlist')[0]!.message).toContain('#1');
    for (const c of [alice, bob, dave, mallory]) expect(notices(c, table.id, 'seat_offered')).toEqual([]);

    const carolSnap = await carol.snapshot(table.id);
    expect(carolSnap.you?.waitlist).toEqual({ position: null, offer: { seat: 1, deadline: offer.deadline } });
    expect((await mallory.snapshot(table.id)).waitlist).toEqual({ waiting: 1, reservedSeats: [1] });

    // Anyone else's buy-in on the held seat is refused at the door: no chip moves, no seat opens.
    const wallets = await Promise.all([dave, mallory, bob].map(walletOf));
    for (const intruder of [dave, mallory, bob]) {
      expect(await code(intruder, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('seat/reserved');
      expect(await code(intruder, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100, idempotencyKey: uniqueKey('sit') })).toBe('seat/reserved');
    }
    expect(await Promise.all([dave, mallory, bob].map(walletOf))).toEqual(wallets);
    expect(await openSeats(table.id)).toBe(1);
    // Not a way around the list either: joining it while the only free seat is held works, at the back.
    expect(await mallory.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 2 });

    // Carol accepts with a normal buy-in (outside the table's limits first: the money rules are the sit's).
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 1, buyIn: 20 })).toBe('buyin/below_min');
    const before = await walletOf(carol);
    expect(await carol.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 120, idempotencyKey: uniqueKey('sit') })).toMatchObject({ ok: true, seat: 1, stack: 120 });
    expect(await walletOf(carol)).toBe(before - 120);
    expect(await openSeats(table.id)).toBe(2);
    const after = await carol.snapshot(table.id);
    expect(after.you).toMatchObject({ seat: 1, waitlist: null });
    expect(after.waitlist).toEqual({ waiting: 2, reservedSeats: [] });
    expect(await code(carol, 'table:waitlist_leave', { tableId: table.id })).toBe('waitlist/not_waiting');
    expect((await dave.snapshot(table.id)).you?.waitlist).toEqual({ position: 1, offer: null });
  });

  it('an offer that lapses goes to the next player, and the late player can no longer take the seat; a declined one too', async () => {
    const { table, bob } = await fullIdleTable('wl-lapse');
    const carol = await player();
    const dave = await player();
    const erin = await player();
    for (const c of [carol, dave, erin]) expect(await c.emit('table:waitlist_join', { tableId: table.id })).toMatchObject({ ok: true });

    expect(await bob.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false });
    await carol.until(() => notices(carol, table.id, 'seat_offered').length === 1, 5_000, 'the offer to carol');
    // Carol's deadline is the server's clock (this machine's): dave's offer comes after it, however late carol heard of hers.
    const carolDeadline = notices(carol, table.id, 'seat_offered')[0]!.deadline!;
    await dave.until(() => notices(dave, table.id, 'seat_offered').length === 1, SEAT_OFFER_MS + 5_000, 'the offer to dave');
    expect(Date.now()).toBeGreaterThanOrEqual(carolDeadline);
    expect(notices(carol, table.id, 'waitlist').at(-1)!.message).toMatch(/in time/);

    // Carol is late: the seat is dave's now, and she is off the list.
    const wallet = await walletOf(carol);
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('seat/reserved');
    expect(await code(carol, 'table:waitlist_leave', { tableId: table.id })).toBe('waitlist/not_waiting');
    expect((await carol.snapshot(table.id)).you?.waitlist).toBeNull();
    expect(await walletOf(carol)).toBe(wallet);

    // Dave declines: erin is offered the seat at once.
    expect(await code(dave, 'table:waitlist_leave', { tableId: table.id })).toBe('ok');
    await erin.until(() => notices(erin, table.id, 'seat_offered').length === 1, 5_000, 'the offer to erin');
    expect(await code(dave, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('seat/reserved');
    expect(await code(erin, 'table:waitlist_leave', { tableId: table.id })).toBe('ok');

    // Nobody waits any more: the seat is simply free, first come first served.
    expect((await carol.snapshot(table.id)).waitlist).toEqual({ waiting: 0, reservedSeats: [] });
    expect(await carol.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true, seat: 1 });
  });

  it('a seat freed at the end of a hand (a leave during it) is offered once the hand is settled', async () => {
    const table = await headsUpTable('wl-hand');
    const alice = await player();
    const bob = await player();
    const carol = await player();
    for (const c of [alice, bob]) await c.watch(table.id);
    expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await carol.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 1 });
    await alice.until(() => (alice.view(table.id)?.street ?? 'complete') !== 'complete', 10_000, 'a hand');

    expect(await bob.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: true });
    // The seat is bob's until the hand ends: nothing is offered yet.
    expect((await carol.snapshot(table.id)).you?.waitlist).toEqual({ position: 1, offer: null });
    const players = [alice, bob].map((c) => autoplay(c, table.id, (legal) => (legal.canCheck ? { action: 'check' } : { action: 'fold' })));
    await carol.until(() => notices(carol, table.id, 'seat_offered').length === 1, 20_000, 'the offer');
    for (const p of players) p.stop();
    expect(notices(carol, table.id, 'seat_offered')[0]).toMatchObject({ seat: 1 });
    expect(await carol.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true, seat: 1 });
  });
});

describe('a busted player', () => {
  it('buys back in within the table limits through the top-up path, and is dealt in again', async () => {
    const table = await headsUpTable('wl-rebuy');
    const alice = await player();
    const bob = await player();
    for (const c of [alice, bob]) await c.watch(table.id);
    expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    // Both all in every hand until one of them has nothing left.
    const players = [alice, bob].map((c) => autoplay(c, table.id, (legal) => (legal.canAllIn ? { action: 'all_in' } : legal.canCheck ? { action: 'check' } : { action: 'call' })));
    let busted: TestClient | null = null;
    let snap: TableSnapshot | null = null;
    const deadline = Date.now() + 60_000;
    while (!busted && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      snap = await alice.snapshot(table.id);
      const empty = snap.view.seats.findIndex((x) => x !== null && x.stack === 0 && snap!.view.street === 'complete');
      if (empty >= 0 && snap.view.seats[empty]!.sittingOut) busted = empty === 0 ? alice : bob;
    }
    for (const p of players) p.stop();
    expect(busted).not.toBeNull();
    const seat = busted === alice ? 0 : 1;

    // Sat out with no chips: sitting in needs chips first; a rebuy above the table maximum is refused.
    expect(await code(busted!, 'table:sit_in', { tableId: table.id })).toBe('funds/insufficient');
    expect(await code(busted!, 'table:top_up', { tableId: table.id, amount: table.maxBuyIn + 1 })).toBe('topup/above_max');
    const wallet = await walletOf(busted!);
    expect(await busted!.emit('table:top_up', { tableId: table.id, amount: table.minBuyIn, idempotencyKey: uniqueKey('rebuy') })).toMatchObject({ ok: true, pending: false, stack: table.minBuyIn });
    expect(await walletOf(busted!)).toBe(wallet - table.minBuyIn);
    expect(await code(busted!, 'table:sit_in', { tableId: table.id })).toBe('ok');
    await busted!.until(() => {
      const view = busted!.view(table.id);
      return view !== null && view.street !== 'complete' && view.seats[seat]?.inHand === true;
    }, 10_000, 'the rebought player dealt in');
  });
});
