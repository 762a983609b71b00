import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyTable } from '../../server/protocol';
import { createTestDatabase, uniqueKey, type TestDatabase } from '../support/db';
import { freePort, startRedis, stopEveryRedis } from '../support/redis';
import { startTestServer } from '../support/server';
import { sleep, until as pollUntil } from '../support/lease-cluster';
import { code, openAttackRoom, walletOf, type AttackRoom } from '../support/attack-room';
import { TestClient } from '../support/poker-client';
import type { TestServer } from '../support/server';

// A hostile client, round 4, over the public API only (Socket.IO events and HTTP routes) on
// a real PostgreSQL: payloads of the wrong shape on every socket event (own `__proto__` keys,
// arrays, binary attachments, forged packets), the same user from many sockets at once
// (double top-ups, double leaves, two seats), idempotency keys carried to other users and
// routes, and the money and history routes read with someone else's ids. Each refusal is
// asserted by its code, and each time that nothing moved: no seat, no stack, no wallet chip,
// and the ledger reconciles.

let room: AttackRoom;
let s: TestServer;
let boss: TestClient;
let clients: TestClient[];

beforeAll(async () => {
  room = await openAttackRoom('a4', { bossChipsCents: 0 });
  ({ s, boss, clients } = room);
});
afterAll(async () => {
  await room?.close();
});

const client = (chipsCents?: number): Promise<TestClient> => room.client(chipsCents);
const createTable = (prefix: string, extra: Record<string, unknown> = {}): Promise<LobbyTable> => room.createTable(prefix, extra);

const secondSocket = (c: TestClient): Promise<TestClient> => room.secondSocket(c);

async function anonymous(): Promise<TestClient> {
  const c = TestClient.anonymous(s.url);
  await c.connect();
  clients.push(c);
  return c;
}



const openSeats = (userId: number, tableId?: number): Promise<number> => room.openSeats(userId, tableId);

const transfersOf = (userId: number) =>
  s.t.db.ledgerEntry.count({ where: { account: { userId } } });

async function reconciles(): Promise<void> {
  const report = await s.server.ledger.reconcile();
  expect(report.ok, JSON.stringify(report)).toBe(true);
}

/** What a player holds: wallet, open seats, ledger entries, and the stack the table's memory shows. */
async function holdings(c: TestClient, tableId: number) {
  const actor = s.server.registry.get(tableId);
  const seat = actor?.seatOf(c.userId) ?? null;
  const stack = seat === null ? null : (await boss.snapshot(tableId)).view.seats[seat]?.stack ?? null;
  return { wallet: await walletOf(c), seats: await openSeats(c.userId), entries: await transfersOf(c.userId), seat, stack };
}

/** A payload with an own `__proto__` key (as JSON.parse makes it, and as it goes over the wire). */
const withProto = (base: object, extra = '{"admin":true}'): unknown => {
  const inner = JSON.stringify(base).slice(1, -1);
  return JSON.parse(`{${inner}${inner ? ',' : ''}"__proto__":${extra}}`);
};

// ---- payloads of the wrong shape on every socket event ----------------------------------

describe('every socket event refuses payloads of the wrong shape, and nothing moves', () => {
  it('own __proto__ / constructor.prototype keys, arrays, nested objects, numbers as strings, floats, huge and odd strings', async () => {
    const table = await createTable('a4-shape');
    const p = await client(2_000);
    await p.watch(table.id);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true, stack: 100 });
    const before = await holdings(p, table.id);
    const t = table.id;
    const big = 'x'.repeat(3_000);
    const deep = JSON.parse('['.repeat(1_000) + ']'.repeat(1_000));
    const cases: [string, unknown][] = [
      ['table:top_up', withProto({ tableId: t, amount: 10 })],
      ['table:top_up', JSON.parse(`{"tableId":${t},"amount":10,"constructor":{"prototype":{"admin":true}}}`)],
      ['table:top_up', { tableId: t, amount: '10' }],
      ['table:top_up', { tableId: t, amount: 10.5 }],
      ['table:top_up', { tableId: t, amount: -10 }],
      ['table:top_up', { tableId: t, amount: 0 }],
      ['table:top_up', { tableId: t, amount: 1e21 }],
      ['table:top_up', { tableId: t, amount: 2 ** 53 + 1 }],
      ['table:top_up', { tableId: t, amount: [10] }],
      ['table:top_up', { tableId: t, amount: { valueOf: 10 } }],
      ['table:top_up', { tableId: t, amount: 10, seat: 1 }],
      ['table:top_up', { tableId: t, amount: 10, userId: boss.userId }],
      ['table:top_up', { tableId: t, amount: 10, idempotencyKey: 7 }],
      ['table:top_up', { tableId: t, amount: 10, idempotencyKey: ['k'] }],
      ['table:top_up', { tableId: t, amount: 10, idempotencyKey: 'k\u00e9' }],
      ['table:top_up', { tableId: t, amount: 10, idempotencyKey: 'k\n' }],
      ['table:top_up', { tableId: t, amount: 10, idempotencyKey: '' }],
      ['table:top_up', { tableId: t, amount: 10, idempotencyKey: 'k'.repeat(201) }],
      ['table:top_up', [{ tableId: t, amount: 10 }]],
      ['table:top_up', { tableId: t, amount: 10, nested: deep }],
      ['table:top_up', { tableId: t, amount: 10, idempotencyKey: big }],
      ['table:top_up', `{"tableId":${t},"amount":10}`],
      ['table:sit', withProto({ tableId: t, seat: 1, buyIn: 100 })],
      ['table:sit', { tableId: t, seat: '1', buyIn: 100 }],
      ['table:sit', { tableId: t, seat: 1.5, buyIn: 100 }],
      ['table:sit', { tableId: t, seat: 1, buyIn: 100.25 }],
      ['table:sit', { tableId: t, seat: 1, buyIn: '100' }],
      ['table:sit', { tableId: t, seat: 1, buyIn: 100, user: { id: boss.userId } }],
      ['table:leave', withProto({ tableId: t })],
      ['table:leave', { tableId: t, seat: 0 }],
      ['table:leave', { tableId: String(t) }],
      ['table:leave', [t]],
      ['table:sit_out', withProto({ tableId: t }, '{"tableId":1}')],
      ['table:sit_in', { tableId: t, force: true }],
      ['table:post_blind', { tableId: t, now: 'true' }],
      ['table:post_blind', { tableId: t, now: 1 }],
      ['table:post_blind', withProto({ tableId: t, now: true })],
      ['table:act', withProto({ tableId: t, action: 'fold', seq: 0 })],
      ['table:act', { tableId: t, action: 'FOLD', seq: 0 }],
      ['table:act', { tableId: t, action: 'fold', seq: '0' }],
      ['table:act', { tableId: t, action: 'fold', seq: -1 }],
      ['table:act', { tableId: t, action: 'fold', seq: 1.5 }],
      ['table:act', { tableId: t, action: 'fold', seq: 2 ** 53 + 1 }],
      ['table:act', { tableId: t, action: 'fold', seq: 0, seat: 1 }],
      ['table:act', { tableId: t, action: 'call', seq: 0, amount: 10 }],
      ['table:act', { tableId: t, action: 'toString', seq: 0 }],
      ['table:act', { tableId: t, action: '__proto__', seq: 0 }],
      ['table:client_seed', { tableId: t, seed: 'seed with space' }],
      ['table:client_seed', { tableId: t, seed: 's\u00e9ed' }],
      ['table:client_seed', { tableId: t, seed: 's'.repeat(65) }],
      ['table:client_seed', { tableId: t, seed: 12345 }],
      ['table:client_seed', withProto({ tableId: t, seed: 'abc' })],
      ['table:chat', withProto({ tableId: t, text: 'hi' })],
      ['table:chat', { tableId: t, text: ['hi'] }],
      ['table:chat', { tableId: t, text: 'a\u0000b' }],
      ['table:chat', { tableId: t, text: 'a\u202eb' }],
      ['table:chat', { tableId: t, text: 'a\ud800b' }],
      ['table:chat', { tableId: t, text: 'é'.repeat(281) }],
      ['table:show', withProto({ tableId: t })],
      ['table:snapshot', withProto({ tableId: t })],
      ['table:watch', withProto({ tableId: t })],
      ['table:watch', { tableId: t, lastHandId: 7 }],
      ['table:watch', { tableId: t, lastHandId: 'h'.repeat(65) }],
      ['table:unwatch', withProto({ tableId: t })],
      ['table:waitlist_join', withProto({ tableId: t })],
      ['lobby:subscribe', withProto({})],
      ['lobby:subscribe', { all: true }],
      ['lobby:subscribe', []],
      ['lobby:unsubscribe', 'x'],
    ];
    for (const [event, payload] of cases) {
      const got = await code(p, event, payload);
      expect({ event, payload: JSON.stringify(payload)?.slice(0, 120), got }).toEqual({
        event, payload: JSON.stringify(payload)?.slice(0, 120),
        got: expect.stringMatching(/^(request\/invalid|idempotency\/key_invalid|request\/too_large)$/),
      });
    }
    // A key that is malformed is the key's own code, wherever the rest of the payload is fine.
    expect(await code(p, 'table:top_up', { tableId: t, amount: 10, idempotencyKey: '' })).toBe('idempotency/key_invalid');
    expect(await code(p, 'table:top_up', { tableId: t, amount: 10, idempotencyKey: big })).toBe('idempotency/key_invalid');
    expect(await code(p, 'table:top_up', { tableId: t, amount: 10, idempotencyKey: big + big })).toBe('request/too_large');
    expect(await holdings(p, table.id)).toEqual(before);
    // The socket and the server are still fine: a well-formed message is answered.
    expect(await p.emit('table:top_up', { tableId: t, amount: 10 })).toMatchObject({ ok: true, pending: false, stack: 110 });
    await reconciles();
  });

  it('a binary attachment in place of a number or a text is refused, not read as bytes', async () => {
    const table = await createTable('a4-bin');
    const p = await client(2_000);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    const before = await holdings(p, table.id);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    expect(await code(p, 'table:top_up', { tableId: table.id, amount: bytes })).toBe('request/invalid');
    expect(await code(p, 'table:top_up', { tableId: table.id, amount: 10, idempotencyKey: bytes })).toBe('idempotency/key_invalid');
    expect(await code(p, 'table:chat', { tableId: table.id, text: bytes })).toBe('request/invalid');
    expect(await code(p, 'table:client_seed', { tableId: table.id, seed: bytes })).toBe('request/invalid');
    expect(await code(p, 'table:leave', bytes)).toBe('request/invalid');
    expect(await code(p, 'table:leave', { tableId: bytes })).toBe('request/invalid');
    // A large attachment is refused by size (its JSON form is far past 4,096 characters).
    expect(await code(p, 'table:chat', { tableId: table.id, text: new Uint8Array(8_000) })).toBe('request/too_large');
    expect(await holdings(p, table.id)).toEqual(before);
    await reconciles();
  });

  it('forged Socket.IO packets (a placeholder with no attachment, a bad attachment count) close only the sender', async () => {
    const table = await createTable('a4-packet');
    const p = await client(2_000);
    const bystander = await client(2_000);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    const before = await holdings(p, table.id);
    const forged = [
      `451-["table:leave",{"_placeholder":true,"num":5}]`,
      `451-["table:top_up",{"tableId":${table.id},"amount":{"_placeholder":true,"num":0}}]`,
      `45x-["table:leave",{"tableId":${table.id}}]`,
      `4-1["table:leave",{"tableId":${table.id}}]`,
      `42["table:leave",{"tableId":${table.id}}`,
      `42[{"tableId":${table.id}}]`,
      `42[]`,
      `42{"tableId":${table.id}}`,
      `42["__proto__",{"tableId":${table.id}}]`,
      `42["constructor",{"tableId":${table.id}}]`,
    ];
    for (const packet of forged) {
      const twin = await secondSocket(p);
      const engine = (twin.socket as unknown as { io: { engine: { write(data: string): void } } }).io.engine;
      engine.write(packet);
      await new Promise((resolve) => setTimeout(resolve, 50));
      twin.close();
    }
    // Nothing moved, and the server answers everyone (the sender's other sockets too).
    expect(await holdings(p, table.id)).toEqual(before);
    expect(await bystander.emit('lobby:subscribe', {})).toMatchObject({ ok: true });
    expect(await p.emit('table:snapshot', { tableId: table.id })).toMatchObject({ ok: true });
    await reconciles();
  });

  it('unknown events, events named like object keys, and messages with several payloads are answered, never run', async () => {
    const table = await createTable('a4-events');
    const p = await client(2_000);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    const before = await holdings(p, table.id);
    for (const event of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'table:cash_out', 'table:leave ', 'TABLE:LEAVE', 'wallet:balance', 'table:frame']) {
      expect(await code(p, event, { tableId: table.id })).toBe('request/unknown_event');
    }
    const several = (await p.socket!.timeout(5_000).emitWithAck('table:leave', { tableId: table.id }, { tableId: table.id })) as { ok: boolean; error?: { code: string } };
    expect(several).toMatchObject({ ok: false, error: { code: 'request/invalid' } });
    expect(await holdings(p, table.id)).toEqual(before);
    await reconciles();
  });
});

// ---- one user, many sockets, at once ----------------------------------------------------

describe('the same player from many sockets at once', () => {
  it('five top-ups with five keys between hands: each checked against the maximum with the stack before it; chips move once each', async () => {
    const table = await createTable('a4-dbl-top');
    const p = await client(2_000);
    const twins = [p, ...(await Promise.all([1, 2, 3, 4].map(() => secondSocket(p))))];
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true, stack: 100 });
    const wallet = await walletOf(p);
    const acks = await Promise.all(twins.map((c) => c.emit('table:top_up', { tableId: table.id, amount: 60, idempotencyKey: uniqueKey('top') })));
    const codes = acks.map((a) => (a.ok ? 'ok' : a.error.code)).sort();
    expect(codes).toEqual(['ok', 'topup/above_max', 'topup/above_max', 'topup/above_max', 'topup/above_max']);
    expect(await walletOf(p)).toBe(wallet - 60);
    expect((await holdings(p, table.id)).stack).toBe(160);
    await reconciles();
  });

  it('one top-up key from five sockets at once: applied once, the same answer five times', async () => {
    const table = await createTable('a4-same-key');
    const p = await client(2_000);
    const twins = [p, ...(await Promise.all([1, 2, 3, 4].map(() => secondSocket(p))))];
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    const wallet = await walletOf(p);
    const key = uniqueKey('top');
    const acks = await Promise.all(twins.map((c) => c.emit('table:top_up', { tableId: table.id, amount: 50, idempotencyKey: key })));
    for (const ack of acks) expect(ack).toEqual({ ok: true, pending: false, stack: 150 });
    // The same key with another amount, from any socket: reused, nothing moves.
    expect(await code(twins[3]!, 'table:top_up', { tableId: table.id, amount: 40, idempotencyKey: key })).toBe('idempotency/key_reused');
    expect(await walletOf(p)).toBe(wallet - 50);
    expect((await holdings(p, table.id)).stack).toBe(150);
    await reconciles();
  });

  it('five leaves at once: one cash-out, the others not seated; the chips come back once', async () => {
    const table = await createTable('a4-dbl-leave');
    const p = await client(2_000);
    const twins = [p, ...(await Promise.all([1, 2, 3, 4].map(() => secondSocket(p))))];
    const wallet = await walletOf(p);
    for (let round = 0; round < 3; round++) {
      expect(await p.emit('table:sit', { tableId: table.id, seat: round % 2, buyIn: 200 })).toMatchObject({ ok: true });
      const acks = await Promise.all(twins.map((c) => c.emit('table:leave', { tableId: table.id })));
      const oks = acks.filter((a) => a.ok);
      expect(oks).toEqual([{ ok: true, pending: false, cashedOut: 200 }]);
      expect(acks.filter((a) => !a.ok).map((a) => (a.ok ? '' : a.error.code))).toEqual(Array(4).fill('table/not_seated'));
      expect(await walletOf(p)).toBe(wallet);
      expect(await openSeats(p.userId, table.id)).toBe(0);
    }
    await reconciles();
  });

  it('sits on every seat of one table at once, with keys and without: one seat, one debit', async () => {
    const table = await createTable('a4-two-seats', { maxSeats: 6 });
    const p = await client(2_000);
    const twins = [p, ...(await Promise.all([1, 2, 3, 4, 5].map(() => secondSocket(p))))];
    const wallet = await walletOf(p);
    const acks = await Promise.all(twins.map((c, seat) =>
      c.emit('table:sit', { tableId: table.id, seat, buyIn: 50 + seat, ...(seat % 2 === 0 ? { idempotencyKey: uniqueKey('sit') } : {}) })));
    const oks = acks.filter((a) => a.ok) as unknown as { seat: number; stack: number }[];
    expect(oks).toHaveLength(1);
    expect(acks.filter((a) => !a.ok).map((a) => (a.ok ? '' : a.error.code))).toEqual(Array(5).fill('table/already_seated'));
    expect(await walletOf(p)).toBe(wallet - oks[0]!.stack);
    expect(await openSeats(p.userId)).toBe(1);
    expect((await holdings(p, table.id)).seat).toBe(oks[0]!.seat);
    await reconciles();
  });

  it('a sit, a top-up and a leave from three sockets at once, 10 rounds: every chip is either in the wallet or on the seat', async () => {
    const table = await createTable('a4-sit-race');
    const p = await client(5_000);
    const [a, b, c] = [p, await secondSocket(p), await secondSocket(p)];
    const total = await walletOf(p);
    const seen = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const acks = await Promise.all([
        a.emit('table:sit', { tableId: table.id, seat: round % 2, buyIn: 100, idempotencyKey: uniqueKey('sit') }),
        b.emit('table:top_up', { tableId: table.id, amount: 30, idempotencyKey: uniqueKey('top') }),
        c.emit('table:leave', { tableId: table.id }),
      ]);
      seen.add(acks.map((x) => (x.ok ? 'ok' : x.error.code)).join(','));
      const held = await holdings(p, table.id);
      expect(held.wallet + (held.stack ?? 0)).toBe(total);
      if (held.seat !== null) expect(await p.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false });
      expect(await walletOf(p)).toBe(total);
    }
    expect(seen.size).toBeGreaterThan(0);
    await reconciles();
  });

  it('during a hand, top-ups from five sockets: at most three wait, each applied at the boundary against the maximum, chips conserved', async () => {
    const table = await createTable('a4-hand-tops', { actionTimeoutMs: 60_000 });
    const p = await client(2_000);
    const q = await client(2_000);
    const twins = [p, ...(await Promise.all([1, 2, 3, 4].map(() => secondSocket(p))))];
    await p.watch(table.id);
    await q.watch(table.id);
    const total = (await walletOf(p)) + (await walletOf(q));
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await q.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    await p.until(() => (p.view(table.id)?.street ?? 'complete') !== 'complete', 10_000, 'a hand');
    const acks = await Promise.all(twins.map((c) => c.emit('table:top_up', { tableId: table.id, amount: 45, idempotencyKey: uniqueKey('top') })));
    const codes = acks.map((x) => (x.ok ? 'ok' : x.error.code)).sort();
    expect(codes).toEqual(['ok', 'ok', 'ok', 'rate/limited', 'rate/limited']);
    for (const x of acks.filter((y) => y.ok)) expect(x).toEqual({ ok: true, pending: true });
    expect((await p.snapshot(table.id)).you?.pendingTopUps).toEqual([45, 45, 45]);
    // End the hand: whoever is to act folds.
    const toAct = p.view(table.id)!.toAct;
    const actor = toAct === 0 ? p : q;
    expect(await actor.emit('table:act', { tableId: table.id, action: 'fold', seq: actor.lastSeq.get(table.id)! })).toMatchObject({ ok: true });
    await p.until(() => ((s.server.registry.get(table.id)!.snapshot(p.userId).you?.pendingTopUps?.length ?? 0) === 0), 10_000, 'top-ups applied');
    for (const c of [p, q]) await c.emit('table:sit_out', { tableId: table.id });
    // One snapshot: the chips behind and the chips in a hand that may have been dealt meanwhile.
    const view = (await boss.snapshot(table.id)).view;
    // `committed` is the last hand's until the next deal: in the middle only while a hand is played.
    const live = view.street !== 'complete';
    const onTable = view.seats.reduce((sum, x) => sum + (x ? x.stack + (live ? x.committed : 0) : 0), 0);
    expect(view.seats[0]!.stack + (live ? view.seats[0]!.committed : 0)).toBeLessThanOrEqual(200);
    expect((await walletOf(p)) + (await walletOf(q)) + onTable).toBe(total);
    await reconciles();
  });
});

// ---- players who are not seated -----------------------------------------------------------

describe('a spectator, an anonymous socket and a player who left', () => {
  it('cannot act, top up, leave, sit out or in, post, seed or show at a table where they hold no seat', async () => {
    const table = await createTable('a4-strangers', { actionTimeoutMs: 60_000 });
    const p = await client(2_000);
    const q = await client(2_000);
    const spectator = await client(2_000);
    const anon = await anonymous();
    await spectator.watch(table.id);
    await anon.watch(table.id);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await q.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    await spectator.until(() => (spectator.view(table.id)?.street ?? 'complete') !== 'complete', 10_000, 'a hand');
    const seq = spectator.lastSeq.get(table.id)!;
    const messages: [string, object][] = [
      ['table:act', { tableId: table.id, action: 'fold', seq }],
      ['table:act', { tableId: table.id, action: 'all_in', seq }],
      ['table:top_up', { tableId: table.id, amount: 50 }],
      ['table:top_up', { tableId: table.id, amount: 50, idempotencyKey: uniqueKey('top') }],
      ['table:leave', { tableId: table.id }],
      ['table:sit_out', { tableId: table.id }],
      ['table:sit_in', { tableId: table.id }],
      ['table:post_blind', { tableId: table.id, now: true }],
      ['table:client_seed', { tableId: table.id, seed: 'mine' }],
      ['table:show', { tableId: table.id }],
    ];
    const before = { p: await holdings(p, table.id), q: await holdings(q, table.id), spectator: await holdings(spectator, table.id) };
    const seqBefore = s.server.registry.get(table.id)!.snapshot(null).seq;
    for (const [event, payload] of messages) {
      expect({ event, got: await code(spectator, event, payload) }).toEqual({ event, got: 'table/not_seated' });
      expect({ event, got: await code(anon, event, payload) }).toEqual({ event, got: 'auth/required' });
    }
    expect(s.server.registry.get(table.id)!.snapshot(null).seq).toBe(seqBefore);
    expect({ p: await holdings(p, table.id), q: await holdings(q, table.id), spectator: await holdings(spectator, table.id) }).toEqual(before);
    // The player who leaves during the hand folds; from then on the seat is not theirs to act for.
    expect(await p.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true });
    await p.until(() => s.server.registry.get(table.id)!.seatOf(p.userId) === null, 10_000, 'p cashed out');
    const after = await holdings(p, table.id);
    for (const [event, payload] of messages) {
      if (event === 'table:act') continue;
      expect({ event, got: await code(p, event, payload) }).toEqual({ event, got: 'table/not_seated' });
    }
    expect(await code(p, 'table:act', { tableId: table.id, action: 'fold', seq: s.server.registry.get(table.id)!.snapshot(null).seq })).toBe('table/not_seated');
    expect(await holdings(p, table.id)).toEqual(after);
    await reconciles();
  });
});

// ---- the money routes over HTTP -----------------------------------------------------------

/** A raw request: any body text, any headers (the test client only sends JSON.stringify of a value). */
async function raw(c: TestClient | null, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${s.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(c?.cookie ? { cookie: c.cookie } : {}), ...headers },
    body,
  });
  const text = await response.text();
  let json: { ok?: boolean; error?: { code: string; message: string } } & Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the test below says so
  }
  return { status: response.status, json, text };
}

const purchasesOf = (userId: number) => s.t.db.chipPurchase.count({ where: { userId } });

describe('POST /api/wallet/buy-chips', () => {
  it('refuses every body of the wrong shape with a 4xx and buys nothing', async () => {
    const p = await client(0);
    const key = JSON.stringify(uniqueKey('buy'));
    const bodies: [string, number, string][] = [
      [`{"amountCents":500,"idempotencyKey":${key},"__proto__":{"admin":true}}`, 400, 'request/invalid'],
      [`{"amountCents":500,"idempotencyKey":${key},"constructor":{"prototype":{"admin":true}}}`, 400, 'request/invalid'],
      [`{"amountCents":500,"idempotencyKey":${key},"amountCents":50000}`, 400, 'request/invalid'],
      [`{"amountCents":"500","idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":500.5,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":-500,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":-0,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":0,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":1e21,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":9007199254740993,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":1e400,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":5e2,"idempotencyKey":${key},"userId":1}`, 400, 'request/invalid'],
      [`{"amountCents":true,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":null,"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":[500],"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`{"amountCents":{"$gt":0},"idempotencyKey":${key}}`, 400, 'request/invalid'],
      [`[{"amountCents":500,"idempotencyKey":${key}}]`, 400, 'request/invalid'],
      [`"amountCents=500"`, 400, 'request/invalid'],
      [`500`, 400, 'request/invalid'],
      [`null`, 400, 'request/invalid'],
      [`{"amountCents":500}`, 400, 'idempotency/key_invalid'],
      [`{"amountCents":500,"idempotencyKey":7}`, 400, 'idempotency/key_invalid'],
      [`{"amountCents":500,"idempotencyKey":["k"]}`, 400, 'idempotency/key_invalid'],
      [`{"amountCents":500,"idempotencyKey":""}`, 400, 'idempotency/key_invalid'],
      [`{"amountCents":500,"idempotencyKey":"k\\u00e9"}`, 400, 'idempotency/key_invalid'],
      [`{"amountCents":500,"idempotencyKey":"k\\u0000"}`, 400, 'idempotency/key_invalid'],
      [`{"amountCents":500,"idempotencyKey":"${'k'.repeat(201)}"}`, 400, 'idempotency/key_invalid'],
      [`{"amountCents":500,"idempotencyKey":${key},"x":${'['.repeat(3_000)}${']'.repeat(3_000)}}`, 400, 'request/invalid'],
      [`{"amountCents":500,"idempotencyKey":"${'k'.repeat(20_000)}"}`, 413, 'request/too_large'],
    ];
    for (const [body, status, errorCode] of bodies) {
      const r = await raw(p, 'POST', '/api/wallet/buy-chips', body);
      expect({ body: body.slice(0, 100), status: r.status, code: r.json.error?.code }).toEqual({ body: body.slice(0, 100), status, code: errorCode });
    }
    expect(await walletOf(p)).toBe(0);
    expect(await purchasesOf(p.userId)).toBe(0);
    await reconciles();
  });

  it('a key is its sender\'s: another user\'s same key buys for them, and answers nothing of the first buyer\'s', async () => {
    const a = await client(0);
    const b = await client(0);
    const key = uniqueKey('buy');
    const first = await a.http<{ transferId: string; balance: number }>('POST', '/api/wallet/buy-chips', { amountCents: 700, idempotencyKey: key });
    expect(first).toMatchObject({ status: 200, body: { ok: true, chips: 700, balance: 700 } });
    const other = await b.http<{ transferId: string; balance: number }>('POST', '/api/wallet/buy-chips', { amountCents: 700, idempotencyKey: key });
    expect(other).toMatchObject({ status: 200, body: { ok: true, chips: 700, balance: 700 } });
    expect(other.body.transferId).not.toBe(first.body.transferId);
    // b again with another amount: b's own key, used for another request.
    expect((await b.http('POST', '/api/wallet/buy-chips', { amountCents: 300, idempotencyKey: key })).body).toMatchObject({ ok: false, error: { code: 'idempotency/key_reused' } });
    // a's replay is a's first answer (and not b's).
    expect((await a.http('POST', '/api/wallet/buy-chips', { amountCents: 700, idempotencyKey: key })).body).toMatchObject({ ok: true, transferId: first.body.transferId, balance: 700 });
    // The key as an adjustment key, a sit key and a top-up key: other operations, other requests.
    expect(await walletOf(a)).toBe(700);
    expect(await walletOf(b)).toBe(700);
    await reconciles();
  });

  it('one key from ten requests at once: one purchase, one answer ten times', async () => {
    const p = await client(0);
    const key = uniqueKey('buy');
    const answers = await Promise.all(Array.from({ length: 10 }, () => p.http<{ transferId: string }>('POST', '/api/wallet/buy-chips', { amountCents: 400, idempotencyKey: key })));
    for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(new Set(answers.map((r) => r.body.transferId)).size).toBe(1);
    expect(await walletOf(p)).toBe(400);
    expect(await purchasesOf(p.userId)).toBe(1);
    // The same key with another amount, at once from ten requests: every one refused.
    const reused = await Promise.all(Array.from({ length: 10 }, (_, i) => p.http('POST', '/api/wallet/buy-chips', { amountCents: 500 + i, idempotencyKey: key })));
    for (const r of reused) expect([r.status, (r.body as { error?: { code: string } }).error?.code]).toEqual([409, 'idempotency/key_reused']);
    expect(await walletOf(p)).toBe(400);
    await reconciles();
  });
});

describe('POST /api/admin/adjustments', () => {
  it('two debits at once that the wallet covers only one of: one applied, the other refused, the wallet never negative', async () => {
    const p = await client(1_000);
    const acks = await Promise.all([0, 1, 2, 3].map(() => boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: -600, reason: 'race', idempotencyKey: uniqueKey('adj') })));
    const codes = acks.map((r) => (r.status === 200 ? 'ok' : `${r.status} ${(r.body as { error: { code: string } }).error.code}`)).sort();
    expect(codes).toEqual(['409 adjust/negative_wallet', '409 adjust/negative_wallet', '409 adjust/negative_wallet', 'ok']);
    expect(await walletOf(p)).toBe(400);
    await reconciles();
  });

  it('chips on a seat are not the wallet\'s: a debit beyond the wallet is refused while they sit', async () => {
    const table = await createTable('a4-adj-seat');
    const p = await client(1_000);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 200 })).toMatchObject({ ok: true });
    const r = await boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: -900, reason: 'too much', idempotencyKey: uniqueKey('adj') });
    expect([r.status, (r.body as { error: { code: string } }).error.code]).toEqual([409, 'adjust/negative_wallet']);
    expect(await walletOf(p)).toBe(800);
    expect((await holdings(p, table.id)).stack).toBe(200);
    await reconciles();
  });

  it('a key used for one player is reused for another; a missing user, a bot-shaped body and odd ids change nothing', async () => {
    const p = await client(0);
    const q = await client(0);
    const key = uniqueKey('adj');
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: 50, reason: 'one', idempotencyKey: key })).status).toBe(200);
    const other = await boss.http('POST', '/api/admin/adjustments', { userId: q.userId, amount: 50, reason: 'one', idempotencyKey: key });
    expect([other.status, (other.body as { error: { code: string } }).error.code]).toEqual([409, 'idempotency/key_reused']);
    const missing = await boss.http('POST', '/api/admin/adjustments', { userId: 2_147_483_647, amount: 50, reason: 'nobody', idempotencyKey: uniqueKey('adj') });
    expect([missing.status, (missing.body as { error: { code: string } }).error.code]).toEqual([404, 'user/not_found']);
    const missingDebit = await boss.http('POST', '/api/admin/adjustments', { userId: 2_147_483_646, amount: -50, reason: 'nobody', idempotencyKey: uniqueKey('adj') });
    expect([missingDebit.status, (missingDebit.body as { error: { code: string } }).error.code]).toEqual([404, 'user/not_found']);
    for (const body of [
      `{"userId":"${q.userId}","amount":50,"reason":"x","idempotencyKey":"k1"}`,
      `{"userId":${q.userId}.5,"amount":50,"reason":"x","idempotencyKey":"k1"}`,
      `{"userId":0,"amount":50,"reason":"x","idempotencyKey":"k1"}`,
      `{"userId":2147483648,"amount":50,"reason":"x","idempotencyKey":"k1"}`,
      `{"userId":${q.userId},"amount":-0,"reason":"x","idempotencyKey":"k1"}`,
      `{"userId":${q.userId},"amount":1e21,"reason":"x","idempotencyKey":"k1"}`,
      `{"userId":${q.userId},"amount":-9007199254740992,"reason":"x","idempotencyKey":"k1"}`,
      `{"userId":${q.userId},"amount":50,"reason":"   ","idempotencyKey":"k1"}`,
      `{"userId":${q.userId},"amount":50,"reason":"a\\u2028b","idempotencyKey":"k1"}`,
      `{"userId":${q.userId},"amount":50,"reason":"${'r'.repeat(501)}","idempotencyKey":"k1"}`,
      `{"userId":${q.userId},"amount":50,"reason":"x","idempotencyKey":"k1","__proto__":{"role":"ADMIN"}}`,
      `{"userId":${q.userId},"amount":50,"reason":"x","idempotencyKey":"k1","actorUserId":${q.userId}}`,
      `[{"userId":${q.userId},"amount":50,"reason":"x","idempotencyKey":"k1"}]`,
    ]) {
      const r = await raw(boss, 'POST', '/api/admin/adjustments', body);
      expect({ body, status: r.status, code: r.json.error?.code }).toEqual({ body, status: 400, code: 'request/invalid' });
    }
    expect(await walletOf(q)).toBe(0);
    expect(await walletOf(p)).toBe(50);
    await reconciles();
  });
});

// ---- reading someone else's money and hands ------------------------------------------------

describe('the reading routes answer for the caller only', () => {
  it('a forged cursor pages the caller\'s own wallet history; no route names another user\'s wallet, seats, hash or session', async () => {
    const table = await createTable('a4-read');
    const a = await client(1_000);
    const b = await client(3_000);
    expect(await b.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 150 })).toMatchObject({ ok: true });
    const bHistory = (await b.http<{ items: { transferId: string }[] }>('GET', '/api/wallet/history')).body.items;
    const bTransfers = new Set(bHistory.map((i) => i.transferId));
    const newestB = BigInt(bHistory[0]!.transferId);
    for (const cursor of [newestB + 1n, newestB, newestB - 1n, 9_223_372_036_854_775_807n]) {
      const r = await a.http<{ items: { transferId: string; amount: number }[] }>('GET', `/api/wallet/history?cursor=${cursor}&limit=100`);
      expect(r.status).toBe(200);
      for (const item of r.body.items) expect(bTransfers.has(item.transferId)).toBe(false);
      expect(r.body.items.every((i) => i.amount === 1_000)).toBe(true);
    }
    for (const query of ['cursor=-1', 'cursor=0', 'cursor=01', 'cursor=1.5', 'cursor=1e3', 'cursor=9223372036854775808', 'limit=0', 'limit=101', 'limit=1&limit=2', 'cursor=1&cursor=2', 'userId=' + b.userId, 'user=' + b.userId, 'account=wallet:' + b.userId]) {
      const r = await a.http('GET', `/api/wallet/history?${query}`);
      expect({ query, status: r.status, code: (r.body as { error?: { code: string } }).error?.code }).toEqual({ query, status: 400, code: 'request/invalid' });
      const h = await a.http('GET', `/api/hands/mine?${query}`);
      expect({ query, status: h.status, code: (h.body as { error?: { code: string } }).error?.code }).toEqual({ query, status: 400, code: 'request/invalid' });
    }
    const wallet = await a.http<Record<string, unknown>>('GET', '/api/wallet');
    expect(wallet.body).toMatchObject({ ok: true, balance: 1_000, seats: [] });
    const me = await a.http<{ user: Record<string, unknown> }>('GET', '/api/auth/me');
    expect(Object.keys(me.body.user).sort()).toEqual(['id', 'role', 'username']);
    // The admin's user list: no password hash, no session, no device.
    const users = await boss.http<{ items: Record<string, unknown>[] }>('GET', `/api/admin/users?search=${encodeURIComponent(b.username)}`);
    expect(users.body.items).toHaveLength(1);
    expect(Object.keys(users.body.items[0]!).sort()).toEqual(['createdAt', 'id', 'isBot', 'role', 'username', 'walletBalance']);
    // Nothing the server sent to a or to b over the socket carries the other's wallet figure.
    expect(a.received.filter((r) => r.event === 'wallet:balance').every((r) => JSON.parse(r.json).balance === 1_000)).toBe(true);
    await reconciles();
  });

  it('a hand id, cursor or table id of someone else\'s hand gives nothing of their cards in /api/hands/mine, its export or the hand routes', async () => {
    const table = await createTable('a4-hands', { actionTimeoutMs: 60_000 });
    const a = await client(2_000);
    const b = await client(2_000);
    const c = await client(2_000);
    await a.watch(table.id);
    expect(await a.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await b.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    await a.until(() => a.frames.some((f) => f.tableId === table.id && f.events.some((e) => e.type === 'to_act')), 10_000, 'a turn');
    // Whoever is to act folds: no card is shown.
    const folder = a.view(table.id)!.toAct === 0 ? a : b;
    await folder.watch(table.id);
    expect(await folder.emit('table:act', { tableId: table.id, action: 'fold', seq: folder.lastSeq.get(table.id)! })).toMatchObject({ ok: true });
    await a.until(() => a.frames.some((f) => f.tableId === table.id && f.events.some((e) => e.type === 'hand_settled')), 10_000, 'settled');
    for (const x of [a, b]) await x.emit('table:sit_out', { tableId: table.id });
    const settled = a.frames.flatMap((f) => (f.tableId === table.id ? f.events : [])).find((e) => e.type === 'hand_settled') as unknown as { recordId: string };
    const recordId = settled.recordId;
    const hand = await s.t.db.hand.findUniqueOrThrow({ where: { id: BigInt(recordId) } });
    void hand;
    // c played nothing: every list of c is empty, whatever cursor it names.
    for (const cursor of ['', `?cursor=${BigInt(recordId) + 1n}`, `?cursor=${recordId}`]) {
      expect((await c.http<{ items: unknown[] }>('GET', `/api/hands/mine${cursor}`)).body.items).toEqual([]);
    }
    const exported = await fetch(`${s.url}/api/hands/mine/export`, { headers: { cookie: c.cookie } });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toBe('');
    // The hand's public routes name no hole card to c (nobody showed).
    const pub = await c.http<{ hand: { record: { holeCards: Record<string, unknown> }; yourSeats: number[] } }>('GET', `/api/hands/${recordId}`);
    expect(pub.status).toBe(200);
    expect(pub.body.hand.record.holeCards).toEqual({});
    expect(pub.body.hand.yourSeats).toEqual([]);
    const text = (await c.http<{ text: string }>('GET', `/api/hands/${recordId}/history`)).body.text;
    expect(text).not.toMatch(/Dealt to/);
    // a sees their own cards only.
    const own = await a.http<{ hand: { record: { holeCards: Record<string, unknown> }; yourSeats: number[] } }>('GET', `/api/hands/${recordId}`);
    expect(own.body.hand.yourSeats).toEqual([0]);
    expect(Object.keys(own.body.hand.record.holeCards)).toEqual(['0']);
    // Query strings that name another seat or user are no way to b's cards (the hand routes read none).
    for (const path of [`/api/hands/${recordId}?seat=1`, `/api/hands/${recordId}?userId=${b.userId}`, `/api/hands/${recordId}?yourSeats=1`]) {
      const r = await a.http<{ hand: { record: { holeCards: Record<string, unknown> }; yourSeats: number[] } }>('GET', path);
      expect(Object.keys(r.body.hand.record.holeCards)).toEqual(['0']);
      expect(r.body.hand.yourSeats).toEqual([0]);
    }
    for (const path of [`/api/hands/${recordId}/history?as=${b.userId}`, `/api/hands/${recordId}/history?seat=1`]) {
      const r = await c.http<{ text: string }>('GET', path);
      expect(r.body.text ?? '').not.toMatch(/Dealt to/);
    }
    await reconciles();
  });
});

describe('one wallet, two tables, at once', () => {
  it('sits at two tables at once with a wallet for one: one seat, the other funds/insufficient, 5 rounds', async () => {
    const a = await createTable('a4-2t-a');
    const b = await createTable('a4-2t-b');
    const p = await client(0);
    const twin = await secondSocket(p);
    const adjust = async (amount: number) => expect((await boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount, reason: 'a4 wallet', idempotencyKey: uniqueKey('adj') })).status).toBe(200);
    await adjust(150);
    for (let round = 0; round < 5; round++) {
      const acks = await Promise.all([
        p.emit('table:sit', { tableId: a.id, seat: round % 2, buyIn: 100, idempotencyKey: uniqueKey('sit') }),
        twin.emit('table:sit', { tableId: b.id, seat: round % 2, buyIn: 100 }),
      ]);
      const codes = acks.map((x) => (x.ok ? 'ok' : x.error.code)).sort();
      expect(codes).toEqual(['funds/insufficient', 'ok']);
      expect(await walletOf(p)).toBe(50);
      expect(await openSeats(p.userId)).toBe(1);
      const at = acks[0]!.ok ? a.id : b.id;
      expect(await p.emit('table:leave', { tableId: at })).toMatchObject({ ok: true, pending: false, cashedOut: 100 });
      // Back to the same tables next round: the 100 left with is what a return needs (decision 036).
      expect(await walletOf(p)).toBe(150);
    }
    await reconciles();
  });

  it('tops up at two tables at once with a wallet for one: one top-up, the other funds/insufficient', async () => {
    const a = await createTable('a4-2top-a');
    const b = await createTable('a4-2top-b');
    const p = await client(0);
    const twin = await secondSocket(p);
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: 180, reason: 'a4 wallet', idempotencyKey: uniqueKey('adj') })).status).toBe(200);
    expect(await p.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 50 })).toMatchObject({ ok: true });
    expect(await p.emit('table:sit', { tableId: b.id, seat: 0, buyIn: 50 })).toMatchObject({ ok: true });
    const acks = await Promise.all([
      p.emit('table:top_up', { tableId: a.id, amount: 60, idempotencyKey: uniqueKey('top') }),
      twin.emit('table:top_up', { tableId: b.id, amount: 60 }),
    ]);
    expect(acks.map((x) => (x.ok ? 'ok' : x.error.code)).sort()).toEqual(['funds/insufficient', 'ok']);
    expect(await walletOf(p)).toBe(20);
    const stacks = [(await holdings(p, a.id)).stack, (await holdings(p, b.id)).stack].sort();
    expect(stacks).toEqual([110, 50]);
    await reconciles();
  });

  it('a key carried from one route to another, and one table to the other, is a new request of that route or a clear refusal', async () => {
    const a = await createTable('a4-keys-a');
    const b = await createTable('a4-keys-b');
    const p = await client(2_000);
    const key = uniqueKey('shared');
    // The admin's adjustment key, then the same text as the player's purchase, sit and top-up key.
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: 10, reason: 'key test', idempotencyKey: key })).status).toBe(200);
    expect((await boss.http('POST', '/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: key })).body).toMatchObject({ ok: true, chips: 100 });
    expect((await p.http('POST', '/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: key })).body).toMatchObject({ ok: true, chips: 100 });
    expect(await p.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 100, idempotencyKey: key })).toMatchObject({ ok: true, stack: 100 });
    expect(await p.emit('table:top_up', { tableId: a.id, amount: 20, idempotencyKey: key })).toMatchObject({ ok: true, stack: 120 });
    // The sit key at the other table: another request with a used key.
    expect(await code(p, 'table:sit', { tableId: b.id, seat: 0, buyIn: 100, idempotencyKey: key })).toBe('idempotency/key_reused');
    // The top-up key at the other table (another seat): refused as reused, not the first top-up's answer.
    expect(await p.emit('table:sit', { tableId: b.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await code(p, 'table:top_up', { tableId: b.id, amount: 20, idempotencyKey: key })).toBe('idempotency/key_reused');
    expect((await holdings(p, b.id)).stack).toBe(100);
    expect(await walletOf(p)).toBe(2_000 + 10 + 100 - 100 - 20 - 100);
    await reconciles();
  });
});

describe('query strings name nothing but their own parameters', () => {
  it('__proto__, constructor and array-shaped parameters on every list are 400, never a filter or a 500', async () => {
    const p = await client(0);
    for (const path of ['/api/wallet/history', '/api/hands/mine', '/api/admin/users', '/api/admin/ledger', '/api/admin/actions', '/api/hands/mine/export']) {
      for (const query of ['__proto__=1', '__proto__[limit]=1', 'constructor=1', 'constructor[prototype][limit]=1', 'limit[]=5', 'limit[0]=5', 'hasOwnProperty=1', 'toString=x']) {
        const who = path.startsWith('/api/admin') ? boss : p;
        const r = await raw(who, 'GET', `${path}?${query}`);
        expect({ path, query, status: r.status, code: r.json.error?.code }).toEqual({ path, query, status: 400, code: 'request/invalid' });
      }
    }
  });
});

describe('a seat taken during a hand, worked from many sockets before it is dealt in', () => {
  it('top-ups, sit-out, post, act, show and a leave at once: the buy-in and every top-up come back, nothing is applied to a seat that left', async () => {
    const table = await createTable('a4-joining', { maxSeats: 3, actionTimeoutMs: 60_000 });
    const [a, b] = [await client(2_000), await client(2_000)];
    const p = await client(2_000);
    const twins = [p, await secondSocket(p), await secondSocket(p), await secondSocket(p)];
    await a.watch(table.id);
    const wallet = await walletOf(p);
    expect(await a.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await b.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    await a.until(() => (a.view(table.id)?.street ?? 'complete') !== 'complete', 10_000, 'a hand');
    expect(await p.emit('table:sit', { tableId: table.id, seat: 2, buyIn: 60, idempotencyKey: uniqueKey('sit') })).toMatchObject({ ok: true, pending: true, stack: 60 });
    const seq = a.lastSeq.get(table.id)!;
    // While joining: not dealt in, so no act and no cards to show.
    expect(await code(p, 'table:act', { tableId: table.id, action: 'fold', seq })).toBe('table/not_seated');
    expect(await code(p, 'table:show', { tableId: table.id })).toBe('show/no_cards');
    const acks = await Promise.all([
      twins[0]!.emit('table:top_up', { tableId: table.id, amount: 30, idempotencyKey: uniqueKey('top') }),
      twins[1]!.emit('table:top_up', { tableId: table.id, amount: 40 }),
      twins[2]!.emit('table:sit_out', { tableId: table.id }),
      twins[3]!.emit('table:post_blind', { tableId: table.id, now: true }),
    ]);
    for (const ack of acks) expect(ack.ok, JSON.stringify(ack)).toBe(true);
    const [left, late] = await Promise.all([
      twins[1]!.emit('table:leave', { tableId: table.id }),
      twins[2]!.emit('table:top_up', { tableId: table.id, amount: 10 }),
    ]);
    expect(left).toMatchObject({ ok: true });
    expect(['ok', 'table/leave_pending']).toContain(late.ok ? 'ok' : late.error.code);
    for (const c of twins) expect(await code(c, 'table:top_up', { tableId: table.id, amount: 5 })).toMatch(/^(table\/leave_pending|table\/not_seated)$/);
    // The hand ends (whoever is to act folds); the seat that never played is cashed out with its buy-in only.
    const toAct = a.view(table.id)!.toAct;
    const actor = toAct === 0 ? a : b;
    await actor.watch(table.id);
    expect(await actor.emit('table:act', { tableId: table.id, action: 'fold', seq: actor.lastSeq.get(table.id)! })).toMatchObject({ ok: true });
    await p.until(() => s.server.registry.get(table.id)!.seatOf(p.userId) === null, 10_000, 'p cashed out');
    expect(await walletOf(p)).toBe(wallet);
    expect(await openSeats(p.userId)).toBe(0);
    expect(await s.t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', actorUserId: p.userId } })).toBe(0);
    expect(await s.t.db.seatIntent.count({ where: { seatSession: { userId: p.userId } } })).toBe(0);
    for (const c of [a, b]) await c.emit('table:sit_out', { tableId: table.id });
    await reconciles();
  });
});

describe('one key at two places at the same moment', () => {
  it('a sit key and a top-up key sent to two tables at once, 5 rounds: one applied, the other idempotency/key_reused, never a 500', async () => {
    const p = await client(5_000);
    const twin = await secondSocket(p);
    for (let round = 0; round < 5; round++) {
      const a = await createTable('a4-k2-a');
      const b = await createTable('a4-k2-b');
      const before = await walletOf(p);
      const key = uniqueKey('sit');
      const sits = await Promise.all([
        p.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 100, idempotencyKey: key }),
        twin.emit('table:sit', { tableId: b.id, seat: 0, buyIn: 100, idempotencyKey: key }),
      ]);
      expect(sits.map((x) => (x.ok ? 'ok' : x.error.code)).sort()).toEqual(['idempotency/key_reused', 'ok']);
      expect(await walletOf(p)).toBe(before - 100);
      const other = sits[0]!.ok ? b : a;
      expect(await p.emit('table:sit', { tableId: other.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
      const topKey = uniqueKey('top');
      const tops = await Promise.all([
        p.emit('table:top_up', { tableId: a.id, amount: 25, idempotencyKey: topKey }),
        twin.emit('table:top_up', { tableId: b.id, amount: 25, idempotencyKey: topKey }),
      ]);
      expect(tops.map((x) => (x.ok ? 'ok' : x.error.code)).sort()).toEqual(['idempotency/key_reused', 'ok']);
      expect(await walletOf(p)).toBe(before - 225);
      for (const t of [a, b]) expect(await p.emit('table:leave', { tableId: t.id })).toMatchObject({ ok: true, pending: false });
      expect(await walletOf(p)).toBe(before);
    }
    await reconciles();
  });

  it('an adjustment key sent ten times at once, with one body and with ten: one adjustment', async () => {
    const p = await client(0);
    const key = uniqueKey('adj');
    const same = await Promise.all(Array.from({ length: 10 }, () => boss.http<{ transferId: string; replayed: boolean }>('POST', '/api/admin/adjustments', { userId: p.userId, amount: 77, reason: 'once', idempotencyKey: key })));
    for (const r of same) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(new Set(same.map((r) => r.body.transferId)).size).toBe(1);
    expect(same.filter((r) => !r.body.replayed)).toHaveLength(1);
    const key2 = uniqueKey('adj');
    const mixed = await Promise.all(Array.from({ length: 10 }, (_, i) => boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: 10 + i, reason: 'mixed', idempotencyKey: key2 })));
    expect(mixed.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of mixed.filter((x) => x.status !== 200)) expect([r.status, (r.body as { error: { code: string } }).error.code]).toEqual([409, 'idempotency/key_reused']);
    const applied = mixed.find((r) => r.status === 200)!.body as { balance: number };
    expect(await walletOf(p)).toBe(applied.balance);
    expect(applied.balance).toBeGreaterThanOrEqual(77 + 10);
    expect(applied.balance).toBeLessThanOrEqual(77 + 19);
    await reconciles();
  });

  it('a purchase key sent ten times at once with ten amounts: one purchase, nine refusals', async () => {
    const p = await client(0);
    const key = uniqueKey('buy');
    const mixed = await Promise.all(Array.from({ length: 10 }, (_, i) => p.http('POST', '/api/wallet/buy-chips', { amountCents: 100 * (i + 1), idempotencyKey: key })));
    expect(mixed.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of mixed.filter((x) => x.status !== 200)) expect([r.status, (r.body as { error: { code: string } }).error.code]).toEqual([409, 'idempotency/key_reused']);
    expect(await purchasesOf(p.userId)).toBe(1);
    await reconciles();
  });
});

describe('the wallet history under many writers at once', () => {
  it('every running balance follows from the one before it, whatever moved the wallet concurrently', async () => {
    const tables = [await createTable('a4-hist-a'), await createTable('a4-hist-b'), await createTable('a4-hist-c')];
    const p = await client(3_000);
    const socks = [p, await secondSocket(p), await secondSocket(p)];
    for (let round = 0; round < 4; round++) {
      // Each return brings what the seat left with (decision 036): 100, then 110, 120, ...
      const sat = await Promise.all([
        ...tables.map((t, i) => socks[i]!.emit('table:sit', { tableId: t.id, seat: round % 2, buyIn: 100 + round * 10 })),
        p.http('POST', '/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: uniqueKey('buy') }),
        boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: round % 2 === 0 ? 7 : -7, reason: 'hist', idempotencyKey: uniqueKey('adj') }),
      ]);
      for (const ack of sat.slice(0, 3)) expect(ack).toMatchObject({ ok: true });
      const topped = await Promise.all([
        ...tables.map((t, i) => socks[i]!.emit('table:top_up', { tableId: t.id, amount: 10 })),
        p.http('POST', '/api/wallet/buy-chips', { amountCents: 200, idempotencyKey: uniqueKey('buy') }),
      ]);
      for (const ack of topped.slice(0, 3)) expect(ack).toMatchObject({ ok: true, pending: false });
      const left = await Promise.all(tables.map((t, i) => socks[(i + 1) % 3]!.emit('table:leave', { tableId: t.id })));
      for (const ack of left) expect(ack).toMatchObject({ ok: true, pending: false, cashedOut: 110 + round * 10 });
    }
    const items: { transferId: string; amount: number; balanceAfter: number }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: typeof items; nextCursor: string | null } } = await p.http('GET', `/api/wallet/history?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(items[0]!.balanceAfter).toBe(await walletOf(p));
    for (let i = 0; i < items.length - 1; i++) {
      expect({ at: items[i]!.transferId, before: items[i]!.balanceAfter - items[i]!.amount }).toEqual({ at: items[i]!.transferId, before: items[i + 1]!.balanceAfter });
      expect(BigInt(items[i]!.transferId)).toBeGreaterThan(BigInt(items[i + 1]!.transferId));
    }
    expect(items[items.length - 1]!.balanceAfter - items[items.length - 1]!.amount).toBe(0);
    for (const item of items) expect(item.balanceAfter).toBeGreaterThanOrEqual(0);
    await reconciles();
  });
});

describe('event names that mean something to the server\'s own event emitter', () => {
  it('"error" from a client is answered request/unknown_event and takes nothing down', async () => {
    const table = await createTable('a4-error-event');
    const p = await client(2_000);
    const bystander = await client(2_000);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    const before = await holdings(p, table.id);
    expect(await code(p, 'error', { tableId: table.id })).toBe('request/unknown_event');
    p.socket!.emit('error');
    p.socket!.emit('error', new Error('boom').message);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The sender is still connected and seated; the server answers everyone.
    expect(p.socket!.connected).toBe(true);
    expect(await p.emit('table:snapshot', { tableId: table.id })).toMatchObject({ ok: true });
    expect(await bystander.emit('lobby:subscribe', {})).toMatchObject({ ok: true });
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect(await holdings(p, table.id)).toEqual(before);
  });
});

describe('every table message for a closed table and for a table that never was', () => {
  it('answers table/closed and table/not_found (table:unwatch: ok), from a player, a former player and an anonymous socket', async () => {
    const table = await createTable('a4-closed-all');
    const p = await client(2_000);
    const anon = await anonymous();
    await p.watch(table.id);
    await anon.watch(table.id);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    const closed = await boss.http('POST', `/api/admin/tables/${table.id}/close`, {});
    expect(closed.status).toBe(200);
    await p.until(() => s.server.registry.get(table.id) === undefined, 10_000, 'the table closed');
    expect(await walletOf(p)).toBe(2_000);
    const missing = 2_147_483_000;
    const messages = (tableId: number): [string, object][] => [
      ['table:watch', { tableId }],
      ['table:snapshot', { tableId }],
      ['table:sit', { tableId, seat: 0, buyIn: 100 }],
      ['table:sit', { tableId, seat: 0, buyIn: 100, idempotencyKey: uniqueKey('sit') }],
      ['table:act', { tableId, action: 'fold', seq: 0 }],
      ['table:sit_out', { tableId }],
      ['table:sit_in', { tableId }],
      ['table:post_blind', { tableId, now: true }],
      ['table:top_up', { tableId, amount: 10 }],
      ['table:leave', { tableId }],
      ['table:chat', { tableId, text: 'hello' }],
      ['table:client_seed', { tableId, seed: 'abc' }],
      ['table:show', { tableId }],
      ['table:waitlist_join', { tableId }],
      ['table:waitlist_leave', { tableId }],
    ];
    for (const [event, payload] of messages(table.id)) {
      expect({ event, got: await code(p, event, payload) }).toEqual({ event, got: 'table/closed' });
      const anonExpected = event === 'table:watch' || event === 'table:snapshot' ? 'table/closed' : 'auth/required';
      expect({ event, got: await code(anon, event, payload) }).toEqual({ event, got: anonExpected });
    }
    for (const [event, payload] of messages(missing)) {
      expect({ event, got: await code(p, event, payload) }).toEqual({ event, got: 'table/not_found' });
    }
    expect(await p.emit('table:unwatch', { tableId: table.id })).toEqual({ ok: true });
    expect(await p.emit('table:unwatch', { tableId: missing })).toEqual({ ok: true });
    const range = await p.http('GET', `/api/tables/${table.id}/buy-in`);
    expect([range.status, (range.body as { error: { code: string } }).error.code]).toEqual([409, 'table/closed']);
    expect(await walletOf(p)).toBe(2_000);
    expect(await openSeats(p.userId)).toBe(0);
    await reconciles();
  });
});

describe('table:act amounts at and around every edge of the legal range', () => {
  it('each refusal is its documented code and moves nothing: no seq, no stack, no bet', async () => {
    const table = await createTable('a4-act-edges', { actionTimeoutMs: 60_000 });
    const a = await client(2_000);
    const b = await client(2_000);
    for (const c of [a, b]) await c.watch(table.id);
    expect(await a.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    // Between hands (one player): no hand.
    expect(await code(a, 'table:act', { tableId: table.id, action: 'check', seq: a.lastSeq.get(table.id)! })).toBe('hand/not_in_progress');
    expect(await b.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 150 })).toMatchObject({ ok: true });
    await a.until(() => a.view(table.id)?.toAct !== null && a.view(table.id)?.toAct !== undefined && a.view(table.id)!.street === 'preflop', 10_000, 'a turn');
    const toAct = a.view(table.id)!.toAct!;
    const [me, other] = toAct === 0 ? [a, b] : [b, a];
    const view = () => s.server.registry.get(table.id)!.snapshot(null);
    const before = view();
    const seq = me.lastSeq.get(table.id)!;
    const legal = (await me.snapshot(table.id)).you!.legal!;
    expect(legal).toBeTruthy();
    const stack = before.view.seats[toAct]!.stack;
    const cases: [object, string][] = [
      [{ action: 'check', seq }, 'action/illegal'],
      [{ action: 'bet', amount: 10, seq }, 'action/illegal'],
      [{ action: 'raise', seq }, 'amount/invalid'],
      [{ action: 'raise', amount: legal.minRaiseTo! - 1, seq }, 'bet/below_min_raise'],
      [{ action: 'raise', amount: legal.maxRaiseTo! + 1, seq }, 'bet/above_max'],
      [{ action: 'raise', amount: Number.MAX_SAFE_INTEGER, seq }, 'bet/above_max'],
      [{ action: 'raise', amount: 1, seq }, 'bet/below_min_raise'],
      [{ action: 'fold', seq: seq + 1 }, 'seq/stale'],
      [{ action: 'fold', seq: Number.MAX_SAFE_INTEGER }, 'seq/stale'],
      [{ action: 'fold', seq: 0 }, 'seq/stale'],
    ];
    for (const [payload, expected] of cases) {
      expect({ payload, got: await code(me, 'table:act', { tableId: table.id, ...payload }) }).toEqual({ payload, got: expected });
    }
    // Not your turn, whatever you send.
    for (const action of ['fold', 'check', 'call', 'all_in']) {
      expect(await code(other, 'table:act', { tableId: table.id, action, seq })).toBe('turn/not_your_turn');
    }
    // A show during the hand.
    expect(await code(me, 'table:show', { tableId: table.id })).toBe('hand/in_progress');
    const after = view();
    expect(after.seq).toBe(before.seq);
    expect(after.view.seats.map((x) => x && { stack: x.stack, bet: x.bet, folded: x.folded })).toEqual(before.view.seats.map((x) => x && { stack: x.stack, bet: x.bet, folded: x.folded }));
    expect(after.view.seats[toAct]!.stack).toBe(stack);
    // A raise to exactly the whole stack is the all-in, and then the hand goes on.
    expect(await me.emit('table:act', { tableId: table.id, action: 'raise', amount: legal.allInTo, seq })).toMatchObject({ ok: true });
    const otherSeq = () => other.lastSeq.get(table.id)!;
    await other.until(() => other.legal.get(table.id)?.legal != null, 10_000, 'the other turn');
    expect(await code(other, 'table:act', { tableId: table.id, action: 'raise', amount: 150, seq: otherSeq() })).toMatch(/^(action\/illegal|bet\/above_max)$/);
    expect(await other.emit('table:act', { tableId: table.id, action: 'fold', seq: otherSeq() })).toMatchObject({ ok: true });
    for (const c of [a, b]) await c.emit('table:sit_out', { tableId: table.id });
    await reconciles();
  });
});

describe('a wallet at the largest exact number', () => {
  it('a purchase, and a cash-out that would pass it, are refused amount/too_large; the seat and its chips stay; room made, the leave goes through', async () => {
    const table = await createTable('a4-max-wallet');
    const p = await client(2_000);
    await p.watch(table.id);
    expect(await p.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 150 })).toMatchObject({ ok: true });
    const max = Number.MAX_SAFE_INTEGER;
    const near = max - 100 - (await walletOf(p));
    const adjust = (amount: number) => boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount, reason: 'a4 near the limit', idempotencyKey: uniqueKey('adj') });
    expect((await adjust(near)).status).toBe(200);
    expect(await walletOf(p)).toBe(max - 100);
    const bought = await p.http<{ error: { code: string } }>('POST', '/api/wallet/buy-chips', { amountCents: 500, idempotencyKey: uniqueKey('buy') });
    expect([bought.status, bought.body.error.code]).toEqual([409, 'amount/too_large']);
    const before = await holdings(p, table.id);
    expect(await code(p, 'table:leave', { tableId: table.id })).toBe('amount/too_large');
    expect(await holdings(p, table.id)).toEqual(before);
    expect(s.server.registry.get(table.id)?.seatOf(p.userId)).toBe(0);
    await reconciles();
    // The seat still works: a top-up takes chips from the wallet.
    expect(await p.emit('table:top_up', { tableId: table.id, amount: 50 })).toMatchObject({ ok: true, stack: 200 });
    expect((await adjust(-near)).status).toBe(200);
    expect(await p.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false, cashedOut: 200 });
    expect(await walletOf(p)).toBe(2_000);
    await reconciles();
  });
});

describe('a leave at the hand boundary whose cash-out the wallet cannot take', () => {
  it('the seat stays with its chips, the table goes on for the others, and the leave goes through once there is room', async () => {
    const table = await createTable('a4-max-boundary', { maxSeats: 3, actionTimeoutMs: 60_000 });
    const [p, q, r] = [await client(2_000), await client(2_000), await client(2_000)];
    for (const c of [p, q, r]) await c.watch(table.id);
    for (const [i, c] of [p, q, r].entries()) expect(await c.emit('table:sit', { tableId: table.id, seat: i, buyIn: 100 })).toMatchObject({ ok: true });
    await p.until(() => (p.view(table.id)?.street ?? 'complete') !== 'complete', 10_000, 'a hand');
    const max = Number.MAX_SAFE_INTEGER;
    const near = max - 10 - (await walletOf(p));
    const adjust = (amount: number) => boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount, reason: 'a4 near the limit', idempotencyKey: uniqueKey('adj') });
    expect(await p.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: true });
    expect((await adjust(near)).status).toBe(200);
    const epoch = s.server.registry.get(table.id)!.snapshot(null).epoch;
    const hands = () => q.frames.filter((f) => f.tableId === table.id && f.events.some((e) => e.type === 'hand_settled')).length;
    const settledBefore = hands();
    // q and r play the hand out (p folded by leaving).
    const { autoplay } = await import('../support/autoplay');
    const players = [q, r].map((c) => autoplay(c, table.id, (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' })));
    await q.until(() => hands() >= settledBefore + 2, 20_000, 'two more hands settled');
    const now = s.server.registry.get(table.id)!.snapshot(null);
    // No rebuild, the hands went on; p's chips are where they were (on the seat, or in the wallet: never both, never gone).
    expect(now.epoch).toBe(epoch);
    const seatP = now.players.find((x) => x.userId === p.userId);
    expect(seatP, JSON.stringify(now.players)).toMatchObject({ seat: 0, leaving: true });
    expect(now.view.seats[0]!.sittingOut).toBe(true);
    await reconciles();
    expect((await adjust(-near)).status).toBe(200);
    await p.until(() => s.server.registry.get(table.id)!.seatOf(p.userId) === null, 15_000, 'p cashed out once there is room');
    for (const pl of players) pl.stop();
    expect(await openSeats(p.userId)).toBe(0);
    for (const c of [q, r]) await c.emit('table:sit_out', { tableId: table.id });
    await reconciles();
  });
});

describe('the seat codes of protocol.md, each with nothing moved', () => {
  it('seat/invalid, seat/taken, table/already_seated, seat/already_sitting_out and _in, seat/no_post, topup/above_max, buyin/below_min and above_max, funds/insufficient', async () => {
    const table = await createTable('a4-seat-codes');
    const p = await client(2_000);
    const q = await client(2_000);
    const poor = await client(0);
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: poor.userId, amount: 50, reason: 'a4 poor', idempotencyKey: uniqueKey('adj') })).status).toBe(200);
    const t = table.id;
    expect(await code(p, 'table:sit', { tableId: t, seat: 2, buyIn: 100 })).toBe('seat/invalid');
    expect(await code(p, 'table:sit', { tableId: t, seat: 9, buyIn: 100, idempotencyKey: uniqueKey('sit') })).toBe('seat/invalid');
    expect(await code(p, 'table:sit', { tableId: t, seat: 0, buyIn: 39 })).toBe('buyin/below_min');
    expect(await code(p, 'table:sit', { tableId: t, seat: 0, buyIn: 201 })).toBe('buyin/above_max');
    expect(await code(poor, 'table:sit', { tableId: t, seat: 0, buyIn: 60 })).toBe('funds/insufficient');
    expect(await p.emit('table:sit', { tableId: t, seat: 0, buyIn: 100 })).toMatchObject({ ok: true, pending: false });
    expect(await code(q, 'table:sit', { tableId: t, seat: 0, buyIn: 100 })).toBe('seat/taken');
    expect(await code(q, 'table:sit', { tableId: t, seat: 0, buyIn: 100, idempotencyKey: uniqueKey('sit') })).toBe('seat/taken');
    expect(await code(p, 'table:sit', { tableId: t, seat: 1, buyIn: 100 })).toBe('table/already_seated');
    expect(await code(p, 'table:sit', { tableId: t, seat: 1, buyIn: 100, idempotencyKey: uniqueKey('sit') })).toBe('table/already_seated');
    expect(await code(p, 'table:waitlist_join', { tableId: t })).toBe('table/already_seated');
    expect(await code(p, 'table:top_up', { tableId: t, amount: 101 })).toBe('topup/above_max');
    expect(await code(p, 'table:top_up', { tableId: t, amount: 101, idempotencyKey: uniqueKey('top') })).toBe('topup/above_max');
    expect(await code(p, 'table:sit_in', { tableId: t })).toBe('seat/already_sitting_in');
    expect(await p.emit('table:sit_out', { tableId: t })).toEqual({ ok: true });
    expect(await code(p, 'table:sit_out', { tableId: t })).toBe('seat/already_sitting_out');
    // Alone at the table and dealt no hand yet: nothing to post.
    expect(await code(p, 'table:post_blind', { tableId: t, now: true })).toMatch(/^(seat\/no_post|ok)$/);
    expect(await walletOf(p)).toBe(1_900);
    expect(await walletOf(q)).toBe(2_000);
    expect(await walletOf(poor)).toBe(50);
    expect(await openSeats(q.userId)).toBe(0);
    expect((await holdings(p, t)).stack).toBe(100);
    // Top-up beyond the wallet between hands.
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: p.userId, amount: -1_890, reason: 'a4 poor now', idempotencyKey: uniqueKey('adj') })).status).toBe(200);
    expect(await code(p, 'table:top_up', { tableId: t, amount: 50 })).toBe('funds/insufficient');
    expect((await holdings(p, t)).stack).toBe(100);
    expect(await walletOf(p)).toBe(10);
    await reconciles();
  });
});

// ---- a seeded fuzz of every socket event -----------------------------------------------------

/** The codes protocol.md says a socket message can be answered with. */
const SOCKET_CODES = new Set((`request/invalid idempotency/key_invalid request/too_large request/unknown_event auth/required rate/limited
  table/not_found table/closed table/busy table/paused table/unavailable table/not_owner table/not_seated table/already_seated
  table/spectators_full table/not_watching table/leave_pending seat/invalid seat/taken seat/reserved seat/closed
  seat/already_sitting_out seat/already_sitting_in seat/no_post amount/invalid amount/too_large funds/insufficient buyin/below_min
  buyin/above_max buyin/returning topup/above_max idempotency/key_reused ledger/busy waitlist/already_waiting waitlist/seat_free
  waitlist/full waitlist/not_waiting seq/stale hand/not_in_progress turn/not_your_turn action/illegal bet/below_min
  bet/below_min_raise bet/above_max hand/in_progress show/no_cards show/already_face_up`).split(/\s+/));

describe('a seeded fuzz of every socket event from two seated players', () => {
  it('every answer is ok or a documented code (never internal), the table is never rebuilt, and every chip is accounted for', async () => {
    const table = await createTable('a4-fuzz', { maxSeats: 3, actionTimeoutMs: 5_000 });
    const a = await client(3_000);
    const b = await client(3_000);
    const sockets = [a, await secondSocket(a), b, await secondSocket(b)];
    for (const c of sockets) await c.watch(table.id);
    expect(await a.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 150 })).toMatchObject({ ok: true });
    expect(await b.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 150 })).toMatchObject({ ok: true });
    const total = (await walletOf(a)) + (await walletOf(b)) + 300;
    const epoch = s.server.registry.get(table.id)!.snapshot(null).epoch;
    // mulberry32: the same run every time.
    let seed = 4242;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
    const t = table.id;
    const odd: unknown[] = [
      null, true, false, 0, -0, -1, 1, 2, 40, 201, 0.5, 1e21, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, '', ' ', '1', 'fold', 'x'.repeat(300),
      '\u0000', '\ud800', '\u202e', [], [1], {}, { a: 1 }, t, t + 1, -t, String(t), `${t}-1-e1`, 'call', 'raise', 'all_in',
    ];
    const valid = (seq: number): [string, Record<string, unknown>][] => [
      ['table:act', { tableId: t, action: pick(['fold', 'check', 'call', 'bet', 'raise', 'all_in']), seq }],
      ['table:act', { tableId: t, action: pick(['bet', 'raise']), amount: pick([2, 4, 10, 50, 150, 300]), seq }],
      ['table:top_up', { tableId: t, amount: pick([1, 10, 50, 200]) }],
      ['table:top_up', { tableId: t, amount: pick([1, 10, 50]), idempotencyKey: pick(['k1', 'k2', 'k3']) }],
      ['table:sit', { tableId: t, seat: pick([0, 1, 2]), buyIn: pick([40, 100, 200]) }],
      ['table:sit', { tableId: t, seat: pick([0, 1, 2]), buyIn: pick([40, 100, 200]), idempotencyKey: pick(['s1', 's2']) }],
      ['table:leave', { tableId: t }],
      ['table:sit_out', { tableId: t }],
      ['table:sit_in', { tableId: t }],
      ['table:post_blind', { tableId: t, now: pick([true, false]) }],
      ['table:show', { tableId: t }],
      ['table:client_seed', { tableId: t, seed: pick(['abc', 'x'.repeat(64)]) }],
      ['table:chat', { tableId: t, text: pick(['gg', ' hi ', 'a\u200db']), chatId: pick(['c1', 'c2']) }],
      ['table:waitlist_join', { tableId: t }],
      ['table:waitlist_leave', { tableId: t }],
      ['table:snapshot', { tableId: t }],
      ['table:watch', { tableId: t, lastHandId: `${t}-${pick([0, 1, 2, 99])}-e${pick([0, 1, 2])}` }],
    ];
    const seen = new Map<string, number>();
    const started = Date.now();
    for (let i = 0; i < 900; i++) {
      const c = sockets[i % sockets.length]!;
      const seq = s.server.registry.get(t)!.snapshot(null).seq - pick([0, 0, 0, 1, 2]);
      const [event, base] = pick(valid(seq));
      const payload: Record<string, unknown> = { ...base };
      const mutation = rnd(4);
      if (mutation === 1) payload[pick(Object.keys(payload))] = pick(odd);
      if (mutation === 2) payload[pick(['seat', 'userId', 'amount', 'extra', '__proto__x'])] = pick(odd);
      if (mutation === 3) delete payload[pick(Object.keys(payload))];
      const ack = await c.emit(event, payload);
      const got = ack.ok ? 'ok' : ack.error.code;
      seen.set(`${event} ${got}`, (seen.get(`${event} ${got}`) ?? 0) + 1);
      expect({ event, payload, got, documented: got === 'ok' || SOCKET_CODES.has(got) }).toMatchObject({ event, documented: true });
      expect(got).not.toBe('internal');
      // Under the user's budget (100 a second), with room to spare.
      const due = started + (i + 1) * 12;
      if (Date.now() < due) await sleep(due - Date.now());
    }
    expect(s.server.registry.get(t)!.snapshot(null).epoch).toBe(epoch);
    for (const c of [a, b]) await c.emit('table:sit_out', { tableId: t });
    await sleep(300);
    const [rake] = await s.t.db.$queryRawUnsafe<{ rake: bigint }[]>(`SELECT COALESCE(sum(balance), 0)::bigint AS rake FROM accounts WHERE kind = 'RAKE' AND table_id = $1`, t);
    // Seats of a and b only (nobody else sits here); a pending seat is in the ledger, not yet in the view.
    const seatAccounts = await s.t.db.$queryRawUnsafe<{ held: bigint }[]>(
      `SELECT COALESCE(sum(a.balance), 0)::bigint AS held FROM accounts a JOIN seat_sessions ss ON ss.id = a.seat_session_id WHERE ss.table_id = $1 AND ss.status = 'OPEN'`, t);
    const pots = await s.t.db.$queryRawUnsafe<{ held: bigint }[]>(`SELECT COALESCE(sum(balance), 0)::bigint AS held FROM accounts WHERE kind = 'POT' AND table_id = $1`, t);
    expect((await walletOf(a)) + (await walletOf(b)) + Number(seatAccounts[0]!.held) + Number(pots[0]!.held) + Number(rake!.rake)).toBe(total);
    expect([...seen.keys()].filter((k) => k.endsWith(' ok')).length).toBeGreaterThanOrEqual(8);
    await reconciles();
  }, 60_000);
});

// ---- a cluster: a watch answered by another node ---------------------------------------------

describe('two nodes: a watch refused by the owner opens nothing on the node that holds the socket', () => {
  let db: TestDatabase;
  const nodes: TestServer[] = [];
  const people: TestClient[] = [];
  beforeAll(async () => {
    const redis = await startRedis(await freePort());
    db = await createTestDatabase({ poolMax: 20 });
    for (const id of ['a4-n1', 'a4-n2']) {
      nodes.push(await startTestServer({
        database: db,
        env: { REDIS_URL: redis.url, NODE_ID: id, LEDGER_THREAD: 'main' },
        tableSettings: { spectatorsMax: 1 },
      }));
    }
  }, 60_000);
  afterAll(async () => {
    for (const c of people) c.close();
    for (const n of nodes) await n.close();
    await stopEveryRedis();
    await db?.close();
  });

  const signup = async (on: TestServer, prefix: string): Promise<TestClient> => {
    const c = await TestClient.signup(on.url, `${prefix}_${process.pid % 1000}_${people.length}`);
    await c.connect();
    people.push(c);
    return c;
  };

  it('a chat sent while a watch of a full table is forwarded is refused table/not_watching, and reaches nobody', async () => {
    const admin = await signup(nodes[0]!, 'a4adm');
    await db.db.user.update({ where: { id: admin.userId }, data: { role: 'ADMIN' } });
    const { adminCreateTable } = await import('../support/poker-client');
    const table = await adminCreateTable(admin, 'a4-cluster-full');
    const ownerOf = async () => (await db.db.$queryRawUnsafe<{ node_id: string }[]>(
      'SELECT node_id FROM table_leases WHERE table_id = $1 AND expires_at > clock_timestamp()', table.id))[0]?.node_id;
    await pollUntil(async () => (await ownerOf()) !== undefined, 10_000, 'an owner');
    const ownerId = await ownerOf();
    const other = nodes.find((n) => n.server.registry.nodeId !== ownerId)!;
    const home = nodes.find((n) => n.server.registry.nodeId === ownerId)!;
    // The one spectator place is taken on the owner's node.
    const spectator = await signup(home, 'a4spec');
    await spectator.watch(table.id);
    // The attacker's socket is on the other node: its watch is forwarded, and answered a round trip later.
    const attacker = await signup(other, 'a4atk');
    const answers: string[] = [];
    for (let round = 0; round < 20; round++) {
      const watch = attacker.emit('table:watch', { tableId: table.id });
      await sleep(round % 4);
      const chat = attacker.emit('table:chat', { tableId: table.id, text: `line ${round}` });
      const [w, c] = await Promise.all([watch, chat]);
      expect(w.ok ? 'ok' : w.error.code).toBe('table/spectators_full');
      answers.push(c.ok ? 'ok' : c.error.code);
    }
    await sleep(200);
    const lines = spectator.received.filter((r) => r.event === 'table:chat');
    expect({ answers: [...new Set(answers)], lines: lines.length }).toEqual({ answers: ['table/not_watching'], lines: 0 });
  });
});

describe('usernames shaped like object keys', () => {
  it('__proto__, constructor and toString sign up, log in (a wrong password refused), play and read their hands like anyone', async () => {
    const names = ['__proto__', 'constructor', 'toString'];
    const made: TestClient[] = [];
    for (const name of names) {
      const c = await TestClient.signup(s.url, name);
      await c.buyChips(1_000);
      await c.connect();
      clients.push(c);
      made.push(c);
      const me = await c.http<{ user: { username: string } }>('GET', '/api/auth/me');
      expect(me.body.user.username).toBe(name.toLowerCase());
      // A wrong password is refused as for anyone; the right one still works (the budget is the name's own).
      const wrong = await raw(null, 'POST', '/api/auth/login', JSON.stringify({ username: name, password: 'not the password' }));
      expect([wrong.status, wrong.json.error?.code]).toEqual([401, 'auth/invalid_credentials']);
      const right = await raw(null, 'POST', '/api/auth/login', JSON.stringify({ username: name.toUpperCase(), password: 'correct horse battery' }));
      expect(right.status).toBe(200);
    }
    const table = await createTable('a4-names', { actionTimeoutMs: 60_000 });
    const [x, y] = made;
    for (const c of [x!, y!]) await c.watch(table.id);
    expect(await x!.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await y!.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await x!.emit('table:chat', { tableId: table.id, text: 'hi' })).toEqual({ ok: true });
    await x!.until(() => x!.frames.some((f) => f.tableId === table.id && f.events.some((e) => e.type === 'to_act')), 10_000, 'a turn');
    const folder = x!.view(table.id)!.toAct === 0 ? x! : y!;
    expect(await folder.emit('table:act', { tableId: table.id, action: 'fold', seq: folder.lastSeq.get(table.id)! })).toMatchObject({ ok: true });
    await x!.until(() => x!.frames.some((f) => f.tableId === table.id && f.events.some((e) => e.type === 'hand_settled')), 10_000, 'settled');
    for (const c of [x!, y!]) await c.emit('table:sit_out', { tableId: table.id });
    const mine = await x!.http<{ items: { handId: string }[] }>('GET', '/api/hands/mine');
    expect(mine.body.items).toHaveLength(1);
    const id = mine.body.items[0]!.handId;
    const history = await x!.http<{ text: string }>('GET', `/api/hands/${id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.text).toContain('Seat 1: __proto__ (100 in chips)');
    expect(history.body.text).toContain('Seat 2: constructor (100 in chips)');
    const replay = await y!.http<{ replay: { seats: { name: string }[] } }>('GET', `/api/hands/${id}/replay`);
    expect(replay.body.replay.seats.map((z) => z.name)).toEqual(['__proto__', 'constructor']);
    const exported = await fetch(`${s.url}/api/hands/mine/export`, { headers: { cookie: x!.cookie } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('hands-__proto__-');
    const users = await boss.http<{ items: { username: string }[] }>('GET', '/api/admin/users?search=__proto__');
    expect(users.body.items.map((u) => u.username)).toEqual(['__proto__']);
    await reconciles();
  });
});

describe("a table's command queue is shared: no player may fill it for the others", () => {
  it('six accounts sending their whole burst at a table whose queue is held: each gets its share (16 waiting), the rest rate/limited; a seated player is still queued and answered', async () => {
    const table = await createTable('queue-share');
    const seated = await client(2_000);
    expect(await code(seated, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100, idempotencyKey: uniqueKey('qs') })).toBe('ok');
    // Alone at the table, so no hand: a top-up goes straight to the ledger. Its wallet row is held
    // here, so the table's queue stays behind that top-up while everything below arrives.
    const holder = await s.t.raw();
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM accounts WHERE code = $1 FOR UPDATE', [`wallet:${seated.userId}`]);
    const topUp = seated.emit<{ stack?: number }>('table:top_up', { tableId: table.id, amount: 10, idempotencyKey: uniqueKey('qs-top') }, 30_000);
    await sleep(200);
    const attackers = await Promise.all(Array.from({ length: 6 }, () => client(0)));
    // 6 x 100 messages (each socket's burst), every one queued by the table before this change:
    // more than its queue of 512.
    const flood = attackers.flatMap((a) => Array.from({ length: 100 }, () => a.emit('table:act', { tableId: table.id, action: 'check', seq: 1 }, 30_000)));
    await sleep(500);
    const sitOut = seated.emit('table:sit_out', { tableId: table.id }, 30_000);
    await sleep(300);
    await holder.query('COMMIT');
    await holder.end();
    expect(await topUp).toMatchObject({ ok: true, stack: 110 });
    // Queued behind at most 6 x 16 of theirs, not refused table/busy.
    expect(await sitOut).toEqual({ ok: true });
    const answers = (await Promise.all(flood)).map((a) => (a.ok ? 'ok' : a.error.code));
    const tally = answers.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c]: (acc[c] ?? 0) + 1 }), {});
    expect(tally['table/busy'] ?? 0).toBe(0);
    expect(tally['table/not_seated']).toBe(6 * 16);
    expect(tally['rate/limited']).toBe(600 - 6 * 16);
    expect(await code(seated, 'table:leave', { tableId: table.id })).toBe('ok');
    await reconciles();
  });
});
