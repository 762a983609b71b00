import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameEvent } from '../../server/poker';
import type { HandReplay } from '../../server/poker/history';
import type { LobbyTable, TableFrame, TableNotice } from '../../server/protocol';
import { autoplay } from '../support/autoplay';
import { uniqueKey } from '../support/db';
import { openAttackRoom, type AttackRoom } from '../support/attack-room';
import { TestClient } from '../support/poker-client';
import type { TestServer } from '../support/server';

// A hostile client against the new features, over the public API only (Socket.IO events
// and HTTP) on a real PostgreSQL: the waiting list, `table:show`, the hand replay and
// export, and the admin's per-table timing. Every client-sent value is tried as someone
// else's, stale, repeated, out of range, of the wrong type, huge, or shaped like an id the
// server makes. Each refusal is asserted by its error code, and each time that nothing
// moved: no seat, no stack, no wallet chip, no place on the list.

const SEAT_OFFER_MS = 1_500;
const WAITLIST_MAX = 3;

let room: AttackRoom;
let s: TestServer;
let boss: TestClient;
let clients: TestClient[];

beforeAll(async () => {
  room = await openAttackRoom('atk', { server: { tableSettings: { seatOfferMs: SEAT_OFFER_MS, waitlistMax: WAITLIST_MAX } } });
  ({ s, boss, clients } = room);
});
afterAll(async () => {
  await room?.close();
});

const client = (chipsCents?: number): Promise<TestClient> => room.client(chipsCents);

async function anonymous(): Promise<TestClient> {
  const c = TestClient.anonymous(s.url);
  await c.connect();
  clients.push(c);
  return c;
}

const createTable = (prefix: string, extra: Record<string, unknown> = {}): Promise<LobbyTable> => room.createTable(prefix, extra);

/** A full heads-up table with no hand running: alice sits out before bob sits, so a leave is immediate. */
async function fullIdleTable(prefix: string) {
  const table = await createTable(prefix);
  const alice = await client();
  const bob = await client();
  expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
  expect(await alice.emit('table:sit_out', { tableId: table.id })).toEqual({ ok: true });
  expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true, pending: false });
  return { table, alice, bob };
}

const code = async (c: TestClient, event: string, payload: unknown): Promise<string> => {
  const ack = await c.emit(event, payload);
  return ack.ok ? 'ok' : ack.error.code;
};

/** A card in a hand history's text, not inside a word: a table's random name can hold "7d" (CI once drew "…461f7d"). */
const asCard = (card: string): RegExp => new RegExp(`(?<![0-9A-Za-z])${card}(?![0-9A-Za-z])`);

function notices(c: TestClient, tableId: number, kind?: TableNotice['kind']): TableNotice[] {
  return c.received
    .filter((r) => r.event === 'table:notice')
    .map((r) => JSON.parse(r.json) as TableNotice)
    .filter((n) => n.tableId === tableId && (kind === undefined || n.kind === kind));
}

async function walletOf(c: TestClient): Promise<number> {
  return (await c.http<{ balance: number }>('GET', '/api/wallet')).body.balance;
}

/** Everything money- and seat-related about a table: who sits where with what, in memory and in the ledger. */
async function tableState(tableId: number) {
  const sessions = await s.t.db.seatSession.findMany({ where: { tableId, status: 'OPEN' }, select: { userId: true, seatIndex: true }, orderBy: { seatIndex: 'asc' } });
  const view = (await boss.snapshot(tableId)).view;
  return { sessions, stacks: view.seats.map((x) => (x ? { playerId: x.playerId, stack: x.stack } : null)) };
}

const events = (c: TestClient, tableId: number): GameEvent[] =>
  c.frames.filter((f: TableFrame) => f.tableId === tableId).flatMap((f) => f.events as GameEvent[]);

/** Payloads for a message whose only field is `tableId`: wrong types, out of range, extra (identity or id-like) keys. */
function hostileTablePayloads(tableId: number): unknown[] {
  return [
    null, 'x', 7, [tableId], {}, { tableId: String(tableId) }, { tableId: [tableId] }, { tableId: { id: tableId } },
    { tableId: -tableId }, { tableId: 0 }, { tableId: tableId + 0.5 }, { tableId: 2 ** 31 }, { tableId: Number.MAX_SAFE_INTEGER + 2 },
    { tableId: null }, { tableId: true },
    { tableId, seat: 1 }, { tableId, userId: 1 }, { tableId, offerId: 'offer-1' }, { tableId, token: 'x' },
    { tableId, handId: `${tableId}-1-e1` }, { tableId, __proto__: { admin: true }, constructor: {} },
  ];
}

// ---- the waiting list --------------------------------------------------------------------

describe('waiting list: malformed and misdirected requests', () => {
  it('refuses every payload of the wrong shape with request/invalid and changes nothing', async () => {
    const { table } = await fullIdleTable('atk-wl-shape');
    const carol = await client();
    const dave = await client();
    expect(await carol.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 1 });
    const before = await tableState(table.id);
    for (const event of ['table:waitlist_join', 'table:waitlist_leave']) {
      for (const payload of hostileTablePayloads(table.id)) {
        expect(await code(dave, event, payload), `${event} ${JSON.stringify(payload)}`).toBe('request/invalid');
        // Carol's own entry cannot be removed or duplicated by a malformed request either.
        expect(await code(carol, event, payload), `${event} ${JSON.stringify(payload)}`).toBe('request/invalid');
      }
    }
    const snap = await carol.snapshot(table.id);
    expect(snap.waitlist).toEqual({ waiting: 1, reservedSeats: [] });
    expect(snap.you?.waitlist).toEqual({ position: 1, offer: null });
    expect((await dave.snapshot(table.id)).you?.waitlist).toBeNull();
    expect(await tableState(table.id)).toEqual(before);
  });

  it('an unknown table, a table being closed and a retired table: no entry is made anywhere', async () => {
    const dave = await client();
    expect(await code(dave, 'table:waitlist_join', { tableId: 2_147_483_647 })).toBe('table/not_found');
    expect(await code(dave, 'table:waitlist_leave', { tableId: 2_147_483_647 })).toBe('table/not_found');

    // A table with a hand running, closed at the end of it: while closing, nobody may join.
    const table = await createTable('atk-wl-close');
    const alice = await client();
    const bob = await client();
    const carol = await client();
    for (const c of [alice, bob]) await c.watch(table.id);
    expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    // Carol waits on the full table before the close.
    expect(await carol.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 1 });
    await alice.until(() => (alice.view(table.id)?.street ?? 'complete') !== 'complete', 10_000, 'a hand');
    const closing = await boss.http<{ pending: boolean }>('POST', `/api/admin/tables/${table.id}/close`, {});
    expect(closing.body).toMatchObject({ ok: true, pending: true });
    expect(await code(dave, 'table:waitlist_join', { tableId: table.id })).toBe('table/closed');
    expect(await code(dave, 'table:waitlist_leave', { tableId: table.id })).toBe('waitlist/not_waiting');
    const wallets = await Promise.all([carol, dave].map(walletOf));

    // The hand ends, both seats are cashed out: the freed seats are offered to nobody.
    const players = [alice, bob].map((c) => autoplay(c, table.id, (legal) => (legal.canCheck ? { action: 'check' } : { action: 'fold' })));
    await alice.until(() => notices(alice, table.id, 'closed').length > 0, 20_000, 'the close');
    for (const p of players) p.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(notices(carol, table.id, 'seat_offered')).toEqual([]);
    expect(s.server.registry.listLobby().some((t) => t.id === table.id)).toBe(false);
    // A closed table says so (as the HTTP close does), for a watch too; an id that never was a table is not found.
    expect(await code(carol, 'table:waitlist_join', { tableId: table.id })).toBe('table/closed');
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('table/closed');
    expect(await code(carol, 'table:watch', { tableId: table.id })).toBe('table/closed');
    expect(await code(carol, 'table:sit', { tableId: table.id + 1000, seat: 0, buyIn: 100 })).toBe('table/not_found');
    expect(await Promise.all([carol, dave].map(walletOf))).toEqual(wallets);
    expect(await s.t.db.seatSession.count({ where: { tableId: table.id, status: 'OPEN' } })).toBe(0);
  });

  it('anonymous sockets, players seated there, repeats and concurrent repeats from two sockets of one user', async () => {
    const { table, alice, bob } = await fullIdleTable('atk-wl-repeat');
    const anon = await anonymous();
    expect(await code(anon, 'table:waitlist_join', { tableId: table.id })).toBe('auth/required');
    expect(await code(anon, 'table:waitlist_leave', { tableId: table.id })).toBe('auth/required');
    // Seated (even sitting out): no place on the list of one's own table.
    expect(await code(alice, 'table:waitlist_join', { tableId: table.id })).toBe('table/already_seated');
    expect(await code(bob, 'table:waitlist_join', { tableId: table.id })).toBe('table/already_seated');

    const carol = await client();
    const carol2 = new TestClient(s.url, carol.cookie, carol.username);
    await carol2.connect();
    clients.push(carol2);
    const joins = await Promise.all([carol, carol2, carol, carol2, carol, carol2].map((c) => code(c, 'table:waitlist_join', { tableId: table.id })));
    expect(joins.filter((x) => x === 'ok')).toHaveLength(1);
    expect(joins.filter((x) => x !== 'ok')).toEqual(Array(5).fill('waitlist/already_waiting'));
    expect((await carol2.snapshot(table.id)).waitlist).toEqual({ waiting: 1, reservedSeats: [] });
    expect(s.server.registry.listLobby().find((t) => t.id === table.id)?.waiting).toBe(1);

    const leaves = await Promise.all([carol, carol2, carol, carol2].map((c) => code(c, 'table:waitlist_leave', { tableId: table.id })));
    expect(leaves.sort()).toEqual(['ok', 'waitlist/not_waiting', 'waitlist/not_waiting', 'waitlist/not_waiting']);
    expect((await carol.snapshot(table.id)).waitlist).toEqual({ waiting: 0, reservedSeats: [] });
  });

  it('is full at waitlistMax; someone else leaving is not possible; the rest keep their places', async () => {
    const { table } = await fullIdleTable('atk-wl-full');
    const waiters = [await client(), await client(), await client()];
    for (const [i, w] of waiters.entries()) expect(await w.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: i + 1 });
    const late = await client();
    expect(await code(late, 'table:waitlist_join', { tableId: table.id })).toBe('waitlist/full');
    expect((await late.snapshot(table.id)).you?.waitlist).toBeNull();
    // The late one cannot push anyone off: leave takes no user, and theirs is refused.
    expect(await code(late, 'table:waitlist_leave', { tableId: table.id })).toBe('waitlist/not_waiting');
    expect(await code(late, 'table:waitlist_leave', { tableId: table.id, userId: waiters[0]!.userId })).toBe('request/invalid');
    for (const [i, w] of waiters.entries()) expect((await w.snapshot(table.id)).you?.waitlist).toEqual({ position: i + 1, offer: null });
    // The list's public face names nobody.
    const json = JSON.stringify([await late.snapshot(table.id), s.server.registry.listLobby()]);
    for (const w of waiters) expect(json).not.toContain(w.username);
    // The middle one leaves: the last moves up, and there is room again at the back.
    expect(await code(waiters[1]!, 'table:waitlist_leave', { tableId: table.id })).toBe('ok');
    expect((await waiters[2]!.snapshot(table.id)).you?.waitlist).toEqual({ position: 2, offer: null });
    expect(await late.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 3 });
  });
});

describe('waiting list: the held seat', () => {
  it('cannot be taken by anyone but its holder, whatever the request; a failed buy-in by the holder keeps it', async () => {
    const { table, alice, bob } = await fullIdleTable('atk-wl-steal');
    const carol = await client();
    const dave = await client();
    const mallory = await client();
    for (const c of [carol, dave]) expect(await c.emit('table:waitlist_join', { tableId: table.id })).toMatchObject({ ok: true });
    expect(await bob.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false });
    await carol.until(() => notices(carol, table.id, 'seat_offered').length === 1, 5_000, 'the offer to carol');
    const offer = notices(carol, table.id, 'seat_offered')[0]!;
    expect(offer.seat).toBe(1);

    const intruders = [dave, mallory, bob, alice];
    const wallets = await Promise.all(intruders.map(walletOf));
    const before = await tableState(table.id);
    const attempts: [TestClient, unknown, string][] = [
      [dave, { tableId: table.id, seat: 1, buyIn: 100 }, 'seat/reserved'],
      [dave, { tableId: table.id, seat: 1, buyIn: 200, idempotencyKey: uniqueKey('dave') }, 'seat/reserved'],
      [mallory, { tableId: table.id, seat: 1, buyIn: 40 }, 'seat/reserved'],
      // Shaped like the server's own keys, or like an offer id: still only a buy-in, still refused.
      [mallory, { tableId: table.id, seat: 1, buyIn: 100, idempotencyKey: `sit:${carol.userId}` }, 'seat/reserved'],
      [mallory, { tableId: table.id, seat: 1, buyIn: 100, idempotencyKey: `offer:${table.id}:1:${offer.deadline}` }, 'seat/reserved'],
      [mallory, { tableId: table.id, seat: 1, buyIn: 100, offer: offer.deadline }, 'request/invalid'],
      [mallory, { tableId: table.id, seat: '1', buyIn: 100 }, 'request/invalid'],
      [mallory, { tableId: table.id, seat: 1.0000001, buyIn: 100 }, 'request/invalid'],
      [mallory, { tableId: table.id, seat: 2, buyIn: 100 }, 'seat/invalid'],
      [mallory, { tableId: table.id, seat: 10, buyIn: 100 }, 'request/invalid'],
      // The one who left cannot come back to it ahead of the list; the seated one cannot move to it.
      [bob, { tableId: table.id, seat: 1, buyIn: 100 }, 'seat/reserved'],
      [alice, { tableId: table.id, seat: 1, buyIn: 100 }, 'table/already_seated'],
      [alice, { tableId: table.id, seat: 1, buyIn: 100, idempotencyKey: uniqueKey('alice') }, 'table/already_seated'],
    ];
    for (const [who, payload, expected] of attempts) expect(await code(who, 'table:sit', payload), JSON.stringify(payload)).toBe(expected);
    // Nor can the second in line jump the queue by re-joining, or by leaving and joining.
    expect(await code(dave, 'table:waitlist_join', { tableId: table.id })).toBe('waitlist/already_waiting');
    expect(await Promise.all(intruders.map(walletOf))).toEqual(wallets);
    expect(await tableState(table.id)).toEqual(before);
    expect((await dave.snapshot(table.id)).you?.waitlist).toEqual({ position: 1, offer: null });
    expect((await mallory.snapshot(table.id)).waitlist).toEqual({ waiting: 1, reservedSeats: [1] });

    // The holder's own failed buy-ins (too much, too little, more than the wallet) leave the offer in place.
    const carolWallet = await walletOf(carol);
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 1, buyIn: 201 })).toBe('buyin/above_max');
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 1, buyIn: 39 })).toBe('buyin/below_min');
    expect(await code(carol, 'table:waitlist_join', { tableId: table.id })).toBe('waitlist/already_waiting');
    expect(await walletOf(carol)).toBe(carolWallet);
    expect((await carol.snapshot(table.id)).you?.waitlist).toEqual({ position: null, offer: { seat: 1, deadline: offer.deadline } });

    // Then she takes it, exactly once: a retried request with the same key is the same sit.
    const key = uniqueKey('carol');
    expect(await carol.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 150, idempotencyKey: key })).toMatchObject({ ok: true, seat: 1, stack: 150 });
    expect(await carol.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 150, idempotencyKey: key })).toMatchObject({ ok: true, seat: 1, stack: 150 });
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 1, buyIn: 150 })).toBe('table/already_seated');
    expect(await walletOf(carol)).toBe(carolWallet - 150);
    expect(await s.t.db.seatSession.count({ where: { tableId: table.id, userId: carol.userId, status: 'OPEN' } })).toBe(1);
    // Dave's key for a sit he never got is not carol's: his replay of her key opens nothing.
    expect(await code(dave, 'table:sit', { tableId: table.id, seat: 1, buyIn: 150, idempotencyKey: key })).toBe('seat/taken');
    expect(await walletOf(dave)).toBe(wallets[0]);
    expect((await dave.snapshot(table.id)).you?.waitlist).toEqual({ position: 1, offer: null });
  });

  it('a lapsed offer is gone for good; a declined one cannot be reclaimed by re-joining; the holder may take another free seat instead', async () => {
    const { table, alice, bob } = await fullIdleTable('atk-wl-lapse');
    const carol = await client();
    const dave = await client();
    for (const c of [carol, dave]) expect(await c.emit('table:waitlist_join', { tableId: table.id })).toMatchObject({ ok: true });
    expect(await bob.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false });
    await carol.until(() => notices(carol, table.id, 'seat_offered').length === 1, 5_000, 'the offer to carol');
    // Carol lets it lapse: it passes to dave; carol's late buy-in, and her re-join, do not get it back.
    await dave.until(() => notices(dave, table.id, 'seat_offered').length === 1, SEAT_OFFER_MS + 5_000, 'the offer to dave');
    const carolWallet = await walletOf(carol);
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('seat/reserved');
    expect(await carol.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 1 });
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('seat/reserved');
    expect(await walletOf(carol)).toBe(carolWallet);

    // Dave declines twice: the second is refused; the seat goes to carol (next), not back to dave.
    expect(await code(dave, 'table:waitlist_leave', { tableId: table.id })).toBe('ok');
    expect(await code(dave, 'table:waitlist_leave', { tableId: table.id })).toBe('waitlist/not_waiting');
    await carol.until(() => notices(carol, table.id, 'seat_offered').length === 2, 5_000, 'the second offer to carol');
    expect(await dave.emit('table:waitlist_join', { tableId: table.id })).toEqual({ ok: true, position: 1 });
    expect(await code(dave, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('seat/reserved');

    // Alice leaves too: seat 0 goes to dave; carol (holding seat 1) cannot take dave's seat 0 either.
    expect(await alice.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false });
    await dave.until(() => notices(dave, table.id, 'seat_offered').length === 2, 5_000, 'the offer of seat 0 to dave');
    expect(notices(dave, table.id, 'seat_offered')[1]).toMatchObject({ seat: 0 });
    expect(await code(carol, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('seat/reserved');
    expect(await code(dave, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('seat/reserved');
    expect((await bob.snapshot(table.id)).waitlist).toEqual({ waiting: 0, reservedSeats: [0, 1] });
    expect(await carol.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true, seat: 1 });
    expect(await dave.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true, seat: 0 });
    expect((await bob.snapshot(table.id)).waitlist).toEqual({ waiting: 0, reservedSeats: [] });
    expect((await tableState(table.id)).sessions).toEqual([{ userId: dave.userId, seatIndex: 0 }, { userId: carol.userId, seatIndex: 1 }]);
  });

  it('rapid join/leave churn leaves a consistent list; a seat freed in the middle of a rush goes to one player only', async () => {
    const { table, bob } = await fullIdleTable('atk-wl-churn');
    const crowd = [await client(), await client(), await client(), await client(), await client()];
    await Promise.all(crowd.map(async (c) => {
      for (let i = 0; i < 6; i++) {
        await c.emit('table:waitlist_join', { tableId: table.id });
        if (i % 2 === 0) await c.emit('table:waitlist_leave', { tableId: table.id });
      }
    }));
    const snaps = await Promise.all(crowd.map((c) => c.snapshot(table.id)));
    const positions = snaps.map((x) => x.you?.waitlist?.position ?? null).filter((p): p is number => p !== null).sort();
    expect(positions.length).toBeGreaterThan(0);
    expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
    expect(positions.length).toBeLessThanOrEqual(WAITLIST_MAX);
    expect(snaps[0]!.waitlist).toEqual({ waiting: positions.length, reservedSeats: [] });

    // Bob leaves while everyone rushes for his seat: at most one of them gets it (the first in
    // line), the rest are refused; whoever did not get it, the seat is held for one player.
    const wallets = await Promise.all(crowd.map(walletOf));
    const rush = await Promise.all([
      bob.emit('table:leave', { tableId: table.id }),
      ...crowd.map((c) => c.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })),
    ]);
    expect(rush[0]).toMatchObject({ ok: true, pending: false });
    const results = rush.slice(1).map((a) => (a.ok ? 'ok' : a.error.code));
    expect(results.filter((r) => r === 'ok').length).toBeLessThanOrEqual(1);
    for (const r of results) expect(['ok', 'seat/taken', 'seat/reserved']).toContain(r);
    const after = await Promise.all(crowd.map((c) => c.snapshot(table.id)));
    const winners = crowd.filter((_, i) => results[i] === 'ok');
    const holders = after.filter((x) => x.you?.waitlist?.offer);
    if (winners.length === 1) {
      expect(positions[0]).toBe(1);
      expect(snaps[crowd.indexOf(winners[0]!)]!.you?.waitlist?.position).toBe(1);
      expect(holders).toEqual([]);
      expect(after[0]!.waitlist.reservedSeats).toEqual([]);
    } else {
      expect(holders).toHaveLength(1);
      expect(holders[0]!.you?.waitlist?.offer?.seat).toBe(1);
      expect(after[0]!.waitlist.reservedSeats).toEqual([1]);
    }
    const open = await s.t.db.seatSession.findMany({ where: { tableId: table.id, status: 'OPEN' }, select: { userId: true, seatIndex: true }, orderBy: { seatIndex: 'asc' } });
    expect(open.filter((x) => x.seatIndex === 1).map((x) => x.userId)).toEqual(winners.map((w) => w.userId));
    const now = await Promise.all(crowd.map(walletOf));
    expect(now).toEqual(wallets.map((w, i) => (results[i] === 'ok' ? w - 100 : w)));
  });
});

// ---- table:show --------------------------------------------------------------------------

interface ShowTable {
  tableId: number;
  folder: TestClient;
  winner: TestClient;
  folderSeat: number;
  folderCards: string[];
  winnerCards: string[];
  spectator: TestClient;
  recordId: string;
}

const holeOf = (c: TestClient, tableId: number) =>
  (events(c, tableId).filter((e) => e.type === 'hole_cards').at(-1) as Extract<GameEvent, { type: 'hole_cards' }>).cards;

/**
 * A heads-up hand won by a fold, after which no hand is dealt (the winner sat out during it):
 * the result stays on the table for as long as the test needs.
 */
async function foldedHand(prefix: string): Promise<ShowTable> {
  const table = await createTable(prefix);
  const alice = await client();
  const bob = await client();
  const spectator = await client();
  for (const c of [alice, bob, spectator]) await c.watch(table.id);
  expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
  expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
  await spectator.until(() => (spectator.view(table.id)?.toAct ?? null) !== null, 10_000, 'the first deal');
  const folderSeat = spectator.view(table.id)!.toAct!;
  const folder = [alice, bob][folderSeat]!;
  const winner = [alice, bob][1 - folderSeat]!;
  await folder.until(() => folder.legal.get(table.id)?.legal != null, 5_000, 'the folder to act');
  expect(await winner.emit('table:sit_out', { tableId: table.id })).toEqual({ ok: true });
  expect(await folder.emit('table:act', { tableId: table.id, action: 'fold', seq: folder.lastSeq.get(table.id)! })).toMatchObject({ ok: true });
  await spectator.until(() => events(spectator, table.id).some((e) => e.type === ('hand_settled' as string)), 5_000, 'the settlement');
  const settled = events(spectator, table.id).find((e) => e.type === ('hand_settled' as string)) as unknown as { recordId: string };
  await s.server.registry.get(table.id)!.idle();
  return {
    tableId: table.id, folder, winner, folderSeat, spectator, recordId: settled.recordId,
    folderCards: holeOf(folder, table.id), winnerCards: holeOf(winner, table.id),
  };
}

const sawCards = (c: TestClient, cards: string[]) => c.received.some((r) => r.json.includes(JSON.stringify(cards)));

describe('table:show', () => {
  it('refuses malformed payloads, other tables, spectators and anonymous sockets, showing nothing', async () => {
    const t = await foldedHand('atk-show');
    const other = await createTable('atk-show-other');
    const anon = await anonymous();
    for (const payload of hostileTablePayloads(t.tableId)) {
      expect(await code(t.folder, 'table:show', payload), JSON.stringify(payload)).toBe('request/invalid');
    }
    expect(await code(t.folder, 'table:show', { tableId: other.id })).toBe('table/not_seated');
    expect(await code(t.folder, 'table:show', { tableId: 2_147_483_647 })).toBe('table/not_found');
    expect(await code(t.spectator, 'table:show', { tableId: t.tableId })).toBe('table/not_seated');
    expect(await code(anon, 'table:show', { tableId: t.tableId })).toBe('auth/required');
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const c of [t.spectator, t.winner]) {
      expect(events(c, t.tableId).filter((e) => e.type === 'cards_shown')).toEqual([]);
      expect(sawCards(c, t.folderCards)).toBe(false);
    }
    expect(sawCards(t.spectator, t.winnerCards)).toBe(false);

    // The folder's own show, sent three times at once from two sockets: shown once, to everyone.
    const second = new TestClient(s.url, t.folder.cookie, t.folder.username);
    await second.connect();
    clients.push(second);
    const shows = await Promise.all([t.folder, second, t.folder].map((c) => code(c, 'table:show', { tableId: t.tableId })));
    expect(shows.sort()).toEqual(['ok', 'show/already_face_up', 'show/already_face_up']);
    await t.spectator.until(() => events(t.spectator, t.tableId).some((e) => e.type === 'cards_shown'), 5_000, 'cards_shown');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events(t.spectator, t.tableId).filter((e) => e.type === 'cards_shown')).toEqual([{ type: 'cards_shown', seat: t.folderSeat, cards: t.folderCards }]);
    expect(sawCards(t.spectator, t.winnerCards)).toBe(false);
  });

  it('a newcomer on the folder’s old seat cannot show the folder’s cards; the folder, once gone, neither', async () => {
    const t = await foldedHand('atk-show-seat');
    const newcomer = await client();
    await newcomer.watch(t.tableId);
    const cashedOut = await t.folder.emit<{ cashedOut: number }>('table:leave', { tableId: t.tableId });
    expect(cashedOut).toMatchObject({ ok: true, pending: false });
    expect(await newcomer.emit('table:sit', { tableId: t.tableId, seat: t.folderSeat, buyIn: 100 })).toMatchObject({ ok: true, seat: t.folderSeat, pending: false });
    expect(await code(newcomer, 'table:show', { tableId: t.tableId })).toBe('show/no_cards');
    expect(await code(t.folder, 'table:show', { tableId: t.tableId })).toBe('table/not_seated');
    // Not by coming back either (the other seat is the sitting-out winner's: the table is full).
    expect(await code(t.folder, 'table:sit', { tableId: t.tableId, seat: t.folderSeat, buyIn: 100 })).toBe('seat/taken');
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const c of [t.spectator, t.winner, newcomer]) {
      expect(events(c, t.tableId).filter((e) => e.type === 'cards_shown')).toEqual([]);
      expect(sawCards(c, t.folderCards)).toBe(false);
    }
    // The winner (sitting out since) may still show his own cards, once; nothing moves.
    const before = await tableState(t.tableId);
    expect(await code(t.winner, 'table:show', { tableId: t.tableId })).toBe('ok');
    expect(await code(t.winner, 'table:show', { tableId: t.tableId })).toBe('show/already_face_up');
    await t.spectator.until(() => events(t.spectator, t.tableId).some((e) => e.type === 'cards_shown'), 5_000, 'cards_shown');
    expect(events(t.spectator, t.tableId).filter((e) => e.type === 'cards_shown')).toEqual([{ type: 'cards_shown', seat: 1 - t.folderSeat, cards: t.winnerCards }]);
    expect(await tableState(t.tableId)).toEqual(before);
  });
});

// ---- hand replay and export ----------------------------------------------------------------

async function getText(c: TestClient | null, path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${s.url}${path}`, { headers: c?.cookie ? { cookie: c.cookie } : {} });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('GET /api/hands/:id/replay', () => {
  let t: ShowTable;
  beforeAll(async () => {
    t = await foldedHand('atk-replay');
  });

  it('never gives a viewer a card that was neither theirs nor shown, whatever the query says', async () => {
    const anon = TestClient.anonymous(s.url);
    const stranger = await client();
    const get = async (c: TestClient, query = '') => {
      const r = await c.http<{ ok: boolean; replay: HandReplay }>('GET', `/api/hands/${t.recordId}/replay${query}`);
      expect(r.status).toBe(200);
      return JSON.stringify(r.body);
    };
    for (const query of ['', '?seat=0', '?seat=1', '?viewer=admin', '?kind=player&seat=0', '?userId=1', '?as=' + t.winner.userId]) {
      for (const viewer of [anon, stranger, t.spectator]) {
        const body = await get(viewer, query);
        for (const card of [...t.folderCards, ...t.winnerCards]) expect(body, `${card} for a non-player, ${query}`).not.toContain(`"${card}"`);
      }
      const winnerBody = await get(t.winner, query);
      for (const card of t.folderCards) expect(winnerBody).not.toContain(`"${card}"`);
      for (const card of t.winnerCards) expect(winnerBody).toContain(`"${card}"`);
      const folderBody = await get(t.folder, query);
      for (const card of t.winnerCards) expect(folderBody).not.toContain(`"${card}"`);
      for (const card of t.folderCards) expect(folderBody).toContain(`"${card}"`);
    }
    // The PokerStars text, same rule.
    const text = (await anon.http<{ text: string }>('GET', `/api/hands/${t.recordId}/history`)).body.text;
    for (const card of [...t.folderCards, ...t.winnerCards]) expect(text).not.toMatch(asCard(card));
  });

  it('answers ids that are malformed, out of range or shaped like a table hand id with 400 or 404, never 500', async () => {
    const cases: [string, number, string][] = [
      ['0', 400, 'request/invalid'],
      ['-1', 400, 'request/invalid'],
      ['01', 400, 'request/invalid'],
      ['1.5', 400, 'request/invalid'],
      ['1e3', 400, 'request/invalid'],
      ['0x10', 400, 'request/invalid'],
      ['abc', 400, 'request/invalid'],
      [encodeURIComponent("1' OR '1'='1"), 400, 'request/invalid'],
      [encodeURIComponent(`${t.tableId}-1-e1`), 400, 'request/invalid'],
      [encodeURIComponent(' 1'), 400, 'request/invalid'],
      ['9'.repeat(20), 400, 'request/invalid'],
      ['9223372036854775807', 404, 'hand/not_found'], // the largest bigint
      ['2147483648', 404, 'hand/not_found'],
    ];
    for (const [id, status, errorCode] of cases) {
      for (const route of ['replay', 'history']) {
        const r = await getText(t.spectator, `/api/hands/${id}/${route}`);
        expect([r.status, JSON.parse(r.text).error?.code], `${route} ${id}`).toEqual([status, errorCode]);
      }
    }
  });

  it('past the largest bigint the id is refused as invalid, not a server error', async () => {
    for (const id of ['9223372036854775808', '9999999999999999999']) {
      for (const route of ['replay', 'history', '']) {
        const r = await getText(t.spectator, `/api/hands/${id}${route ? `/${route}` : ''}`);
        expect([r.status, JSON.parse(r.text).error?.code], `${route} ${id}`).toEqual([400, 'request/invalid']);
      }
    }
  });
});

describe('paging cursors past the largest bigint', () => {
  it('GET /api/hands/mine?cursor= is refused as invalid, not a server error', async () => {
    const c = await client();
    for (const cursor of ['9223372036854775808', '9999999999999999999']) {
      const r = await getText(c, `/api/hands/mine?cursor=${cursor}`);
      expect([r.status, JSON.parse(r.text).error?.code], cursor).toEqual([400, 'request/invalid']);
    }
    expect((await getText(c, '/api/hands/mine?cursor=9223372036854775807')).status).toBe(200);
  });

  // idParam (server/http/errors.ts) once let 19-digit ids past PostgreSQL's bigint through to a
  // ::bigint query, which answered 500 internal; it is bounded by ID_MAX now.
  it('GET /api/wallet/history?cursor= past the largest bigint is refused as invalid, not a server error', async () => {
    const c = await client();
    const r = await getText(c, '/api/wallet/history?cursor=9999999999999999999');
    expect([r.status, JSON.parse(r.text).error?.code]).toEqual([400, 'request/invalid']);
  });

  // The users' ids are int: a cursor past 2^31-1 (a valid id to idParam) reached an ::int
  // parameter and answered 500 internal. It pages from the top, as other cursors do.
  it('GET /api/admin/users?cursor= past the int ids is a page, not a server error', async () => {
    const top = await boss.http<{ items: { id: number }[] }>('GET', '/api/admin/users?limit=5');
    expect(top.status).toBe(200);
    for (const cursor of ['2147483648', '99999999999', '9223372036854775807']) {
      const r = await boss.http<{ items: { id: number }[] }>('GET', `/api/admin/users?cursor=${cursor}&limit=5`);
      expect([r.status, r.body.items.map((u) => u.id)], cursor).toEqual([200, top.body.items.map((u) => u.id)]);
    }
  });
});

describe('GET /api/hands/mine/export', () => {
  let t: ShowTable;
  beforeAll(async () => {
    t = await foldedHand('atk-export');
  });

  it('is the caller’s own hands only: no parameter reaches anyone else’s, and no hidden card leaks', async () => {
    const mine = await getText(t.folder, '/api/hands/mine/export');
    expect(mine.status).toBe(200);
    expect(mine.headers.get('x-hands-count')).toBe('1');
    for (const card of t.folderCards) expect(mine.text).toMatch(asCard(card));
    for (const card of t.winnerCards) expect(mine.text).not.toMatch(asCard(card));
    const theirs = await getText(t.winner, '/api/hands/mine/export');
    for (const card of t.folderCards) expect(theirs.text).not.toMatch(asCard(card));
    for (const query of [`userId=${t.folder.userId}`, `user=${t.folder.username}`, `seat=${t.folderSeat}`, `handId=${t.recordId}`]) {
      const r = await getText(t.winner, `/api/hands/mine/export?${query}`);
      expect([r.status, JSON.parse(r.text).error?.code], query).toEqual([400, 'request/invalid']);
    }
    // The spectator and a stranger have none; no session is 401.
    const watcherExport = await getText(t.spectator, '/api/hands/mine/export');
    expect([watcherExport.status, watcherExport.text, watcherExport.headers.get('x-hands-count')]).toEqual([200, '', '0']);
    expect((await getText(null, '/api/hands/mine/export')).status).toBe(401);
    const forged = new TestClient(s.url, 'sid=forged-session-id');
    expect((await getText(forged, '/api/hands/mine/export')).status).toBe(401);
  });

  it('refuses malformed, huge, repeated and injected query values with 400 request/invalid', async () => {
    const bad = [
      'last=1e9', 'last=1e3', 'last=0x10', 'last=%2010', 'last=0', 'last=-1', 'last=1.5', 'last=abc', 'last=', 'last=1&last=2', 'last[]=1', 'last=Infinity', 'last=NaN',
      'from=yesterday', `from=${encodeURIComponent("2020-01-01T00:00:00Z' OR 1=1 --")}`, 'from=2024-02-30T00:00:00Z',
      'from=2024-01-01T25:00:00Z', 'to=2024-13-01T00:00:00Z', 'from=1700000000000', 'to=2024-01-01', 'from[$gt]=1',
      'from=2024-01-01T00:00:00Z&from=2025-01-01T00:00:00Z',
    ];
    for (const query of bad) {
      const r = await getText(t.folder, `/api/hands/mine/export?${query}`);
      expect([r.status, JSON.parse(r.text)?.error?.code], query).toEqual([400, 'request/invalid']);
    }
  });

  it('odd but valid ranges answer 200 with exactly the hands in them', async () => {
    const cases: [string, string][] = [
      ['from=2100-01-01T00:00:00Z&to=2000-01-01T00:00:00Z', '0'], // from after to: nothing
      ['from=2000-01-01T00:00:00Z&to=2000-01-01T00:00:00Z', '0'],
      ['from=0001-01-01T00:00:00Z', '1'],
      ['to=9999-12-31T23:59:59.999Z', '1'],
      ['from=2000-01-01T00:00:00%2B14:00', '1'],
      ['last=1000', '1'],
      ['last=1', '1'],
    ];
    for (const [query, count] of cases) {
      const r = await getText(t.folder, `/api/hands/mine/export?${query}`);
      expect([r.status, r.headers.get('x-hands-count'), r.headers.get('x-hands-more')], query).toEqual([200, count, '0']);
    }
  });

  it('a date PostgreSQL cannot hold is refused as invalid, not a server error', async () => {
    for (const query of ['from=0000-01-01T00:00:00Z', 'to=0000-06-15T12:00:00Z']) {
      const r = await getText(t.folder, `/api/hands/mine/export?${query}`);
      expect([r.status, JSON.parse(r.text)?.error?.code], query).toEqual([400, 'request/invalid']);
    }
  });
});

// ---- the admin's per-table timing ------------------------------------------------------------

describe('POST /api/admin/tables timing', () => {
  const body = (extra: Record<string, unknown>) => ({
    name: `atk-timing-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, ...extra,
  });
  const counts = async () => ({
    rows: await s.t.db.pokerTable.count(),
    audit: await s.t.db.adminAction.count({ where: { action: 'table.create' } }),
  });

  it('is for admins only, and takes no setting it does not name (waiting list, offers, intervals)', async () => {
    const player = await client();
    const before = await counts();
    expect((await player.http('POST', '/api/admin/tables', body({ showdownHoldMs: 0 }))).status).toBe(403);
    expect((await TestClient.anonymous(s.url).http('POST', '/api/admin/tables', body({ showdownHoldMs: 0 }))).status).toBe(401);
    const extras = [
      { seatOfferMs: 1 }, { waitlistMax: 1_000_000 }, { handIntervalMs: 0 }, { spectatorsMax: 0 }, { mailboxDepthMax: 1e9 },
      { timing: { showdownHoldMs: 1 } }, { showdownHoldMs: 1e100 }, { runOutStreetMs: Number.MAX_SAFE_INTEGER + 2 },
      { showdownHoldMs: '0' }, { showdownHoldMs: {} }, { showdownHoldMs: [] }, { runOutStreetMs: false },
      // An ante that, with the big blind, takes a minimum buy-in all in (or more than a maximum one).
      { ante: 10_000 }, { ante: 38 },
    ];
    for (const extra of extras) {
      const r = await boss.http<{ error: { code: string } }>('POST', '/api/admin/tables', body(extra));
      expect([r.status, r.body.error?.code], JSON.stringify(extra)).toEqual([400, 'request/invalid']);
    }
    expect(await counts()).toEqual(before);
  });

  it('of concurrent creations with one name exactly one is made, the others 400 (not 500); names are one in any letter case', async () => {
    const before = await counts();
    const name = `Race ${uniqueKey()}`.slice(0, 40);
    const answers = await Promise.all(Array.from({ length: 6 }, () => boss.http<{ error?: { code: string } }>('POST', '/api/admin/tables', { ...body({}), name })));
    expect(answers.map((r) => `${r.status} ${r.body.error?.code ?? ''}`.trim()).sort()).toEqual(['201', ...Array(5).fill('400 request/invalid')]);
    const other = await boss.http<{ error?: { code: string; message: string } }>('POST', '/api/admin/tables', { ...body({}), name: name.toUpperCase() });
    expect([other.status, other.body.error?.message]).toEqual([400, 'A table with that name exists.']);
    expect(await counts()).toEqual({ rows: before.rows + 1, audit: before.audit + 1 });
  });

  it('the boundaries are taken as given, and -0 is stored as 0', async () => {
    const r = await boss.http<{ table: LobbyTable }>('POST', '/api/admin/tables', { ...body({}), showdownHoldMs: 60_000, runOutStreetMs: 10_000 });
    expect(r.status).toBe(201);
    const z = await fetch(`${s.url}/api/admin/tables`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: boss.cookie },
      body: JSON.stringify(body({})).replace(/}$/, ',"showdownHoldMs":-0,"runOutStreetMs":0}'),
    });
    expect(z.status).toBe(201);
    const zid = ((await z.json()) as { table: LobbyTable }).table.id;
    const rows = await s.t.db.pokerTable.findMany({ where: { id: { in: [r.body.table.id, zid] } }, orderBy: { id: 'asc' }, select: { showdownHoldMs: true, runOutStreetMs: true } });
    expect(rows).toEqual([{ showdownHoldMs: 60_000, runOutStreetMs: 10_000 }, { showdownHoldMs: 0, runOutStreetMs: 0 }]);
    const watcher = await client();
    expect((await watcher.watch(zid)).timing).toMatchObject({ runOutStreetMs: 0 });
  });
});
