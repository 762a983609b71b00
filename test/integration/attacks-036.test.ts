import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyTable } from '../../server/protocol';
import { autoplay } from '../support/autoplay';
import { uniqueKey } from '../support/db';
import { code, openAttackRoom, walletOf, type AttackRoom } from '../support/attack-room';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// A hostile client against decision 036 (coming back to a table with what you left with), the
// buy-in range route (`GET /api/tables/:id/buy-in`) and `table:chat`'s `chatId`, over the public
// API only (Socket.IO and HTTP) on a real PostgreSQL. Every attack is a test: the refusal by its
// code, and each time that nothing moved (no seat, no wallet chip) and the ledger reconciles.

let room: AttackRoom;
let s: TestServer;
let boss: TestClient;
let clients: TestClient[];

beforeAll(async () => {
  room = await openAttackRoom('a36', { bossChipsCents: 0 });
  ({ s, boss, clients } = room);
});
afterAll(async () => {
  await room?.close();
});

const client = (chipsCents?: number): Promise<TestClient> => room.client(chipsCents);

const secondSocket = (c: TestClient): Promise<TestClient> => room.secondSocket(c);

const createTable = (prefix: string, extra: Record<string, unknown> = {}): Promise<LobbyTable> => room.createTable(prefix, extra);



/** The wallet set to exactly `chips` by an admin adjustment. */
async function setWallet(c: TestClient, chips: number): Promise<void> {
  const delta = chips - (await walletOf(c));
  if (delta === 0) return;
  const r = await boss.http('POST', '/api/admin/adjustments', { userId: c.userId, amount: delta, reason: 'test: an exact wallet', idempotencyKey: uniqueKey('adj') });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** Sits alone at `table` with `buyIn` and leaves at once (no hand runs): the seat left with `buyIn`. */
async function sitAndLeave(c: TestClient, tableId: number, buyIn: number, seat = 0): Promise<void> {
  expect(await c.emit('table:sit', { tableId, seat, buyIn, idempotencyKey: uniqueKey('sit') })).toMatchObject({ ok: true });
  expect(await c.emit('table:leave', { tableId })).toMatchObject({ ok: true, pending: false, cashedOut: buyIn });
}

const openSeats = (userId: number, tableId?: number): Promise<number> => room.openSeats(userId, tableId);

async function reconciles(): Promise<void> {
  const report = await s.server.ledger.reconcile();
  expect(report.ok, JSON.stringify(report)).toBe(true);
}

type Range = { ok: boolean; min: number; max: number; returning: null | { leftWith: number; leftAt: string; until: string; shortBankrollMin: number } };

describe('decision 036: sitting again below what the last seat left with', () => {
  it('chips parked on a seat at another table do not make the wallet "all they have" (the 90% exception)', async () => {
    const a = await createTable('a36-park-a');
    const b = await createTable('a36-park-b', { maxBuyIn: 5_000 });
    const mallory = await client(1_000); // 1,000 chips
    await sitAndLeave(mallory, a.id, 200); // left A with 200: back within two hours with 200
    // Park 820 at B: the wallet holds 180, 90% of 200, but mallory still has 1,000.
    expect(await mallory.emit('table:sit', { tableId: b.id, seat: 0, buyIn: 820, idempotencyKey: uniqueKey('sit') })).toMatchObject({ ok: true });
    expect(await walletOf(mallory)).toBe(180);
    const back = await mallory.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 180, idempotencyKey: uniqueKey('sit') });
    expect(back.ok ? 'ok' : back.error.code).toBe('buyin/returning');
    expect(await openSeats(mallory.userId, a.id)).toBe(0);
    expect(await walletOf(mallory)).toBe(180);
    // Repeated (sit with 90%, leave, park 10% more), it would walk what A remembers down to the
    // table's minimum: 200, 180, 162, 146, ... The rule's exception is for a player who has no more.
    // With B left, all mallory has is in the wallet again, and the exception is not needed.
    expect(await mallory.emit('table:leave', { tableId: b.id })).toMatchObject({ ok: true, pending: false });
    expect(await code(mallory, 'table:sit', { tableId: a.id, seat: 0, buyIn: 199, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning');
    expect(await code(mallory, 'table:sit', { tableId: a.id, seat: 0, buyIn: 200, idempotencyKey: uniqueKey('sit') })).toBe('ok');
    await reconciles();
  });

  it('parking at another table and the short sit sent at once, from two sockets: the short sit never gets in', async () => {
    const a = await createTable('a36-park-race-a');
    const b = await createTable('a36-park-race-b', { maxBuyIn: 5_000 });
    const p = await client(1_000);
    const twin = await secondSocket(p);
    await sitAndLeave(p, a.id, 200);
    for (let round = 0; round < 6; round++) {
      const [parked, short] = await Promise.all([
        p.emit('table:sit', { tableId: b.id, seat: 0, buyIn: 820, idempotencyKey: uniqueKey('sit') }),
        twin.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 180, idempotencyKey: uniqueKey('sit') }),
      ]);
      expect(parked).toMatchObject({ ok: true });
      expect(short.ok ? 'ok' : short.error.code).toBe('buyin/returning');
      expect(await p.emit('table:leave', { tableId: b.id })).toMatchObject({ ok: true, pending: false, cashedOut: 820 });
    }
    expect(await openSeats(p.userId)).toBe(0);
    expect(await walletOf(p)).toBe(1_000);
    await reconciles();
  });

  it('a short wallet with nothing seated elsewhere still brings all of it, from 90% rounded up', async () => {
    const a = await createTable('a36-round');
    const b = await createTable('a36-round-b');
    const p = await client(1_000);
    await sitAndLeave(p, a.id, 155); // 90% of 155 is 139.5: the floor is 140
    const range = await p.http<Range>('GET', `/api/tables/${a.id}/buy-in`);
    expect(range.body).toMatchObject({ ok: true, min: 155, max: 200, returning: { leftWith: 155, shortBankrollMin: 140 } });
    await setWallet(p, 139);
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 139, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning');
    await setWallet(p, 140);
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 139, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning'); // not all of it
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 141, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning'); // more than it holds
    // Its chips at another table are held too: 100 seated at B and 140 in the wallet is more than 155.
    await setWallet(p, 240);
    expect(await code(p, 'table:sit', { tableId: b.id, seat: 0, buyIn: 100, idempotencyKey: uniqueKey('sit') })).toBe('ok');
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 140, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning');
    expect(await p.emit('table:leave', { tableId: b.id })).toMatchObject({ ok: true, pending: false });
    await setWallet(p, 140);
    expect(await p.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 140, idempotencyKey: uniqueKey('sit') })).toMatchObject({ ok: true, stack: 140 });
    await reconciles();
  });

  it('amounts at the boundaries: the maximum raised to what was left with, and not one chip more', async () => {
    const a = await createTable('a36-bounds');
    const p = await client(1_000);
    await sitAndLeave(p, a.id, 200);
    const before = await walletOf(p);
    for (const buyIn of [199, 201, 40]) {
      const ack = await p.emit('table:sit', { tableId: a.id, seat: 0, buyIn, idempotencyKey: uniqueKey('sit') });
      expect(ack.ok ? 'ok' : ack.error.code).toBe(buyIn === 201 ? 'buyin/above_max' : 'buyin/returning');
    }
    // Malformed amounts never reach the rule.
    for (const buyIn of [0, -200, 199.5, '200', 2 ** 53, 1e300, null]) {
      expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn, idempotencyKey: uniqueKey('sit') })).toBe('request/invalid');
    }
    expect(await walletOf(p)).toBe(before);
    expect(await openSeats(p.userId)).toBe(0);
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 1, buyIn: 200, idempotencyKey: uniqueKey('sit') })).toBe('ok');
  });

  it('seat-hopping: another seat of the same table is the same table', async () => {
    const a = await createTable('a36-hop', { maxSeats: 6 });
    const p = await client(1_000);
    await sitAndLeave(p, a.id, 180, 0);
    for (const seat of [1, 2, 5]) {
      expect(await code(p, 'table:sit', { tableId: a.id, seat, buyIn: 40, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning');
    }
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 3, buyIn: 180 })).toBe('ok'); // without a key too
    expect(await p.emit('table:leave', { tableId: a.id })).toMatchObject({ ok: true, pending: false, cashedOut: 180 });
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 4, buyIn: 179 })).toBe('buyin/returning');
    // Another table is another table (the rule is per table, as at PokerStars).
    const other = await createTable('a36-hop-other');
    expect(await code(p, 'table:sit', { tableId: other.id, seat: 0, buyIn: 40 })).toBe('ok');
    await reconciles();
  });

  it('a replayed sit key from before the leave, and keys of other operations, open nothing', async () => {
    const a = await createTable('a36-keys');
    const p = await client(1_000);
    const sitKey = uniqueKey('sit');
    const topUpKey = uniqueKey('top');
    expect(await p.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 100, idempotencyKey: sitKey })).toMatchObject({ ok: true, stack: 100 });
    expect(await p.emit('table:top_up', { tableId: a.id, amount: 100, idempotencyKey: topUpKey })).toMatchObject({ ok: true });
    expect(await p.emit('table:leave', { tableId: a.id })).toMatchObject({ ok: true, pending: false, cashedOut: 200 });
    const before = await walletOf(p);
    // The first sit's key, as it was sent: its seat is closed. Another amount with it: reused.
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 100, idempotencyKey: sitKey })).toBe('seat/closed');
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 1, buyIn: 100, idempotencyKey: sitKey })).toBe('idempotency/key_reused');
    // The top-up's key for a sit: another kind of operation, checked as a new sit.
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 100, idempotencyKey: topUpKey })).toBe('buyin/returning');
    // Keys shaped like the server's own (decision 007) are the client's, in its own scope.
    for (const key of ['sit:1', `cashout:1`, `settle:${a.id}:1`, 'server:sit:x']) {
      expect(['buyin/returning', 'idempotency/key_invalid', 'request/invalid']).toContain(
        await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 100, idempotencyKey: key }),
      );
    }
    // Another player's key: a key belongs to its sender, so it is a fresh sit of this player.
    const q = await client(1_000);
    expect(await q.emit('table:sit', { tableId: a.id, seat: 1, buyIn: 100, idempotencyKey: sitKey })).toMatchObject({ ok: true, stack: 100 });
    expect(await walletOf(p)).toBe(before);
    expect(await openSeats(p.userId)).toBe(0);
    await reconciles();
  });

  it('a leave and a smaller sit from two sockets of one player at once, 10 rounds', async () => {
    const a = await createTable('a36-race');
    const p = await client(5_000);
    const twin = await secondSocket(p);
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 10; round++) {
      expect(await p.emit('table:sit', { tableId: a.id, seat: round % 2, buyIn: 200, idempotencyKey: uniqueKey('sit') })).toMatchObject({ ok: true });
      const [left, again, againNoKey] = await Promise.all([
        p.emit('table:leave', { tableId: a.id }),
        twin.emit('table:sit', { tableId: a.id, seat: (round + 1) % 2, buyIn: 40, idempotencyKey: uniqueKey('sit') }),
        twin.emit('table:sit', { tableId: a.id, seat: (round + 1) % 2, buyIn: 100 }),
      ]);
      expect(left).toMatchObject({ ok: true, pending: false });
      for (const ack of [again, againNoKey]) {
        const c = ack.ok ? 'ok' : ack.error.code;
        outcomes.set(c, (outcomes.get(c) ?? 0) + 1);
        expect(['table/already_seated', 'buyin/returning']).toContain(c);
      }
      expect(await openSeats(p.userId, a.id)).toBe(0);
    }
    expect(await walletOf(p)).toBe(5_000);
    await reconciles();
  });

  it('a leave during a hand, then a sit at once: refused while the seat waits, and at its size after', async () => {
    // Three-handed: the leaver's hand is folded but the hand goes on (nobody acts until the
    // autoplay below), so the seat is still open, waiting for the hand's end, when the sits come.
    const a = await createTable('a36-hand', { maxSeats: 3, actionTimeoutMs: 60_000 });
    const [alice, bob, carol] = [await client(), await client(), await client()];
    for (const c of [alice, bob, carol]) await c.watch(a.id);
    for (const [i, c] of [alice, bob, carol].entries()) expect(await c.emit('table:sit', { tableId: a.id, seat: i, buyIn: 150 })).toMatchObject({ ok: true });
    await alice.until(() => (alice.view(a.id)?.street ?? 'complete') !== 'complete', 10_000, 'a hand');
    expect(await alice.emit('table:leave', { tableId: a.id })).toMatchObject({ ok: true, pending: true });
    expect(await code(alice, 'table:sit', { tableId: a.id, seat: 0, buyIn: 40, idempotencyKey: uniqueKey('sit') })).toBe('table/already_seated');
    expect(await code(alice, 'table:sit', { tableId: a.id, seat: 0, buyIn: 40 })).toBe('table/already_seated');
    expect(await code(alice, 'table:sit', { tableId: a.id, seat: 1, buyIn: 200, idempotencyKey: uniqueKey('sit') })).toBe('table/already_seated');
    expect(await code(alice, 'table:top_up', { tableId: a.id, amount: 10 })).toBe('table/leave_pending');
    expect(await openSeats(alice.userId)).toBe(1);
    const players = [bob, carol].map((c) => autoplay(c, a.id, (legal) => (legal.canCheck ? { action: 'check' } : { action: 'fold' })));
    await alice.until(() => s.server.registry.get(a.id)!.seatOf(alice.userId) === null, 20_000, 'alice cashed out');
    for (const pl of players) pl.stop();
    const seat = await s.t.db.seatSession.findFirstOrThrow({ where: { userId: alice.userId, tableId: a.id }, orderBy: { id: 'desc' } });
    expect(seat.status).toBe('CLOSED');
    const leftWith = Number(seat.leftWith);
    expect(leftWith).toBeGreaterThan(40);
    const range = await alice.http<Range>('GET', `/api/tables/${a.id}/buy-in`);
    expect(range.body).toMatchObject({ min: leftWith, returning: { leftWith } });
    expect(await code(alice, 'table:sit', { tableId: a.id, seat: 0, buyIn: leftWith - 1 })).toBe('buyin/returning');
    expect(await code(alice, 'table:sit', { tableId: a.id, seat: 0, buyIn: leftWith })).toBe('ok');
    await reconciles();
  });

  it('a waiting-list offer is no way around the rule', async () => {
    const a = await createTable('a36-wl');
    const carol = await client();
    const dave = await client();
    const erin = await client();
    await sitAndLeave(carol, a.id, 190, 1);
    expect(await dave.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await dave.emit('table:sit_out', { tableId: a.id })).toEqual({ ok: true });
    expect(await erin.emit('table:sit', { tableId: a.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true, pending: false });
    expect(await carol.emit('table:waitlist_join', { tableId: a.id })).toMatchObject({ ok: true, position: 1 });
    expect(await erin.emit('table:leave', { tableId: a.id })).toMatchObject({ ok: true, pending: false });
    await carol.until(() => carol.received.some((r) => r.event === 'table:notice' && r.json.includes('seat_offered')), 10_000, 'the offer');
    expect(await code(carol, 'table:sit', { tableId: a.id, seat: 1, buyIn: 40, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning');
    expect(await code(carol, 'table:sit', { tableId: a.id, seat: 1, buyIn: 189 })).toBe('buyin/returning');
    expect(await code(carol, 'table:sit', { tableId: a.id, seat: 1, buyIn: 190 })).toBe('ok');
    await reconciles();
  });

  it('a wallet changed between the range and the sit: the sit checks again', async () => {
    const a = await createTable('a36-stale');
    const p = await client(1_000);
    await sitAndLeave(p, a.id, 200);
    const range = await p.http<Range>('GET', `/api/tables/${a.id}/buy-in`);
    expect(range.body).toMatchObject({ min: 200, max: 200, returning: { leftWith: 200, shortBankrollMin: 180 } });
    await setWallet(p, 170); // below the 90% the range named
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 170, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning');
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 200, idempotencyKey: uniqueKey('sit') })).toBe('funds/insufficient');
    expect(await walletOf(p)).toBe(170);
    expect(await openSeats(p.userId)).toBe(0);
  });

  it('the same new sit key from two sockets at once after a leave: one seat, one debit, the same answer twice', async () => {
    const a = await createTable('a36-twin-key');
    const p = await client(1_000);
    const twin = await secondSocket(p);
    await sitAndLeave(p, a.id, 150);
    const key = uniqueKey('sit');
    const acks = await Promise.all([p, twin].map((c) => c.emit('table:sit', { tableId: a.id, seat: 1, buyIn: 150, idempotencyKey: key })));
    expect(acks).toEqual([{ ok: true, seat: 1, stack: 150, pending: false }, { ok: true, seat: 1, stack: 150, pending: false }]);
    const smaller = await Promise.all([p, twin].map((c) => c.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 40, idempotencyKey: key })));
    expect(smaller.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['idempotency/key_reused', 'idempotency/key_reused']);
    expect(await openSeats(p.userId)).toBe(1);
    expect(await walletOf(p)).toBe(1_000 - 150);
    await reconciles();
  });

  it('odd table ids in table:sit open nothing and throw nothing', async () => {
    const a = await createTable('a36-sit-ids');
    const p = await client(1_000);
    await sitAndLeave(p, a.id, 180);
    for (const tableId of [0, -a.id, String(a.id), a.id + 0.5, 2 ** 31, Number.MAX_SAFE_INTEGER + 2, null, [a.id]]) {
      expect(['request/invalid', 'table/not_found']).toContain(await code(p, 'table:sit', { tableId, seat: 0, buyIn: 40, idempotencyKey: uniqueKey('sit') }));
    }
    expect(await code(p, 'table:sit', { tableId: a.id, seat: 0, buyIn: 40, idempotencyKey: uniqueKey('sit') })).toBe('buyin/returning');
    expect(await openSeats(p.userId)).toBe(0);
    expect(await walletOf(p)).toBe(1_000);
  });

  it("the refusal's details are the player's own figures, as strings, and nothing else", async () => {
    const a = await createTable('a36-details');
    const p = await client(1_000);
    await sitAndLeave(p, a.id, 123);
    const refused = await p.emit('table:sit', { tableId: a.id, seat: 0, buyIn: 40 });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    const details = (refused.error as { details?: Record<string, unknown> }).details!;
    expect(Object.keys(details).sort()).toEqual(['leftAt', 'leftWith', 'min', 'shortBankrollMin', 'until']);
    expect(details).toMatchObject({ min: '123', leftWith: '123', shortBankrollMin: '111' });
    expect(JSON.stringify(refused)).not.toMatch(/seatSession|userId|wallet|balance/i);
  });
});

describe('GET /api/tables/:id/buy-in: oddly shaped ids and other players', () => {
  it('answers only for the caller, and every odd id is 400 or 404, never 500', async () => {
    const a = await createTable('a36-ids');
    const alice = await client(1_000);
    const bob = await client(1_000);
    await sitAndLeave(alice, a.id, 180);
    // Bob sees the table's range; nothing of alice's.
    const bobs = await bob.http<Range>('GET', `/api/tables/${a.id}/buy-in`);
    expect(bobs.body).toEqual({ ok: true, tableId: a.id, min: 40, max: 200, returning: null });
    const expected: [string, number][] = [
      ['0', 400], ['00', 400], [`0${a.id}`, 400], ['-1', 400], [`-${a.id}`, 400], ['1e3', 400], [`${a.id}.0`, 400], ['0x1', 400],
      ['%20' + a.id, 400], [`${a.id}%00`, 400], ['NaN', 400], ['Infinity', 400], ['__proto__', 400],
      ['2147483648', 404], ['9007199254740993', 404], ['9'.repeat(400), 404], ['999999', 404],
    ];
    for (const [id, status] of expected) {
      const r = await alice.http<{ ok: boolean; error?: { code: string }; returning?: unknown }>('GET', `/api/tables/${id}/buy-in`);
      expect(r.status, id).toBe(status);
      expect(JSON.stringify(r.body), id).not.toContain('180');
    }
    // `%3x` decodes to the same id: the same answer, alice's own.
    const encoded = await alice.http<Range>('GET', `/api/tables/${encodeURIComponent(String(a.id)).replace(/\d/g, (d) => `%3${d}`)}/buy-in`);
    expect(encoded.status).toBe(200);
    expect(encoded.body).toMatchObject({ tableId: a.id, min: 180, returning: { leftWith: 180 } });
    // Not signed in, or a closed table.
    expect((await fetch(`${s.url}/api/tables/${a.id}/buy-in`)).status).toBe(401);
    expect((await boss.http('POST', `/api/admin/tables/${a.id}/close`, { now: true })).status).toBe(200);
    await alice.until(() => !s.server.registry.listLobby().some((t) => t.id === a.id), 10_000, 'closed');
    expect((await alice.http('GET', `/api/tables/${a.id}/buy-in`)).status).toBe(409);
  });
});

describe('table:chat chatId', () => {
  const lines = (c: TestClient, tableId: number, text?: string) =>
    c.received.filter((r) => r.event === 'table:chat').map((r) => JSON.parse(r.json) as { tableId: number; userId: number; text: string; chatId?: string })
      .filter((m) => m.tableId === tableId && (text === undefined || m.text === text));

  it("another player's id suppresses nothing; a repeat is posted once, whatever its text", async () => {
    const a = await createTable('a36-chat');
    const alice = await client(0);
    const bob = await client(0);
    for (const c of [alice, bob]) await c.watch(a.id);
    expect(await alice.emit('table:chat', { tableId: a.id, text: 'hello', chatId: 'c-1' })).toEqual({ ok: true });
    await bob.until(() => lines(bob, a.id, 'hello').length === 1, 5_000, 'hello');
    // Bob reuses alice's id (it came with her broadcast): his line is posted, as his.
    expect(await bob.emit('table:chat', { tableId: a.id, text: 'mine', chatId: 'c-1' })).toEqual({ ok: true });
    await alice.until(() => lines(alice, a.id, 'mine').length === 1, 5_000, "bob's line");
    expect(lines(alice, a.id, 'mine')[0]).toMatchObject({ userId: bob.userId, chatId: 'c-1' });
    // Alice sends c-1 again, with other text: answered ok, not posted.
    expect(await alice.emit('table:chat', { tableId: a.id, text: 'edited', chatId: 'c-1' })).toEqual({ ok: true });
    expect(await alice.emit('table:chat', { tableId: a.id, text: 'hello', chatId: 'c-1' })).toEqual({ ok: true });
    expect(await alice.emit('table:chat', { tableId: a.id, text: 'after', chatId: 'c-2' })).toEqual({ ok: true });
    await bob.until(() => lines(bob, a.id, 'after').length === 1, 5_000, 'after');
    expect(lines(bob, a.id, 'edited')).toEqual([]);
    expect(lines(bob, a.id, 'hello')).toHaveLength(1);
  });

  it("the chat budget holds for new ids; repeats cost nothing and post nothing",  async () => {
    const a = await createTable('a36-chat-rate');
    const mallory = await client(0);
    const watcher = await client(0);
    for (const c of [mallory, watcher]) await c.watch(a.id);
    const results: string[] = [];
    for (let i = 0; i < 8; i++) results.push(await code(mallory, 'table:chat', { tableId: a.id, text: `r${i}`, chatId: `r-${i}` }));
    expect(results.filter((r) => r === 'ok')).toHaveLength(5); // chatPer10sMax
    expect(results.slice(5)).toEqual(['rate/limited', 'rate/limited', 'rate/limited']);
    // Repeats of posted ids are ok and silent; of refused ids they are new lines, still limited.
    for (let i = 0; i < 20; i++) expect(await mallory.emit('table:chat', { tableId: a.id, text: 'spam', chatId: `r-${i % 5}` })).toEqual({ ok: true });
    expect(await code(mallory, 'table:chat', { tableId: a.id, text: 'r5', chatId: 'r-5' })).toBe('rate/limited');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines(watcher, a.id, 'spam')).toEqual([]);
    expect(lines(watcher, a.id).map((m) => m.text)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('malformed ids are request/invalid; markup-shaped ids are carried as a plain string; the server stays up', async () => {
    const a = await createTable('a36-chat-bad');
    const p = await client(0);
    const w = await client(0);
    for (const c of [p, w]) await c.watch(a.id);
    const bad: unknown[] = ['', ' ', 'a b', 'x'.repeat(65), 'é', 'a\nb', 'a\u0000b', '\u202e', 'a\tb', 7, null, {}, ['a'], true, 'a\u200bb'];
    for (const chatId of bad) expect(await code(p, 'table:chat', { tableId: a.id, text: 'bad', chatId }), JSON.stringify(chatId)).toBe('request/invalid');
    expect(await code(p, 'table:chat', { tableId: a.id, text: 'extra', chatId: 'ok', other: 1 })).toBe('request/invalid');
    const markup = '<img/src=x/onerror=alert(1)>"\'&`${1}';
    for (const chatId of [markup, '__proto__', 'x'.repeat(64)]) expect(await code(p, 'table:chat', { tableId: a.id, text: 'odd', chatId })).toBe('ok');
    await w.until(() => lines(w, a.id, 'odd').length === 3, 5_000, 'three lines');
    expect(lines(w, a.id, 'odd').map((m) => m.chatId)).toEqual([markup, '__proto__', 'x'.repeat(64)]);
    expect(lines(w, a.id).some((m) => m.text === 'bad' || m.text === 'extra')).toBe(false);
    // Not watching: nothing is remembered or posted.
    const outsider = await client(0);
    expect(await code(outsider, 'table:chat', { tableId: a.id, text: 'x', chatId: 'o-1' })).toBe('table/not_watching');
    expect((await fetch(`${s.url}/api/tables`)).status).toBe(200);
  });
});

describe('table:chat chatId: what the table remembers is bounded', () => {
  // A server whose chat budget does not get in the way of sending many lines quickly.
  let big: TestServer;
  beforeAll(async () => {
    big = await startTestServer({ tableSettings: { chatPer10sMax: 10_000 } });
  });
  afterAll(async () => {
    await big?.close();
  });

  it('32 ids a sender, 500 senders a table; an anonymous socket cannot chat at all', async () => {
    const table = big.server.registry.listLobby()[0]!;
    const p = await TestClient.signup(big.url, `a36_mem_${process.pid % 1000}`);
    await p.connect();
    clients.push(p);
    await p.watch(table.id);
    const posted = () => p.received.filter((r) => r.event === 'table:chat' && JSON.parse(r.json).userId === p.userId).length;
    for (let i = 0; i < 40; i++) expect(await p.emit('table:chat', { tableId: table.id, text: `m${i}`, chatId: `m-${i}` })).toEqual({ ok: true });
    await p.until(() => posted() === 40, 5_000, '40 lines');
    // The last 32 are remembered: a repeat of m-39 is silent; m-0 was forgotten, so it is posted again.
    expect(await p.emit('table:chat', { tableId: table.id, text: 'm39', chatId: 'm-39' })).toEqual({ ok: true });
    expect(await p.emit('table:chat', { tableId: table.id, text: 'm0', chatId: 'm-0' })).toEqual({ ok: true });
    await p.until(() => posted() === 41, 5_000, 'm-0 again');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(posted()).toBe(41);
    const actor = big.server.registry.get(table.id)!;
    const ids = (actor as unknown as { chatIds: Map<number, string[]> }).chatIds;
    expect(ids.get(p.userId)).toHaveLength(32);
    // Many senders (callers made up here: 600 signups would take a minute): at most 500 remembered.
    for (let u = 0; u < 600; u++) actor.chat({ userId: 1_000_000 + u, username: `ghost${u}` }, 'x', 'g'.repeat(64));
    expect(ids.size).toBe(500);
    expect(ids.has(p.userId)).toBe(false);

    const anon = TestClient.anonymous(big.url);
    await anon.connect();
    clients.push(anon);
    await anon.watch(table.id);
    expect(await code(anon, 'table:chat', { tableId: table.id, text: 'hi', chatId: 'm-1' })).toBe('auth/required');
  });
});
