import pino from 'pino';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { LobbyTable } from '../../server/protocol';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TestClient } from '../support/poker-client';
import { FAST_TABLES, startTestServer } from '../support/server';
import { SPECTATOR_SOCKETS_PER_VIEWER } from '../../server/realtime/gateway';
import { ANONYMOUS_ADDRESS_MESSAGES, REFUSED_MESSAGES, SOCKET_MESSAGES } from '../../server/protocol/token-bucket';

// The socket edge against a hostile client, over the real Socket.IO API: a
// socket never outlives its session (logout, password change, expiry), chat
// goes only where the socket is, the handshake checks its Origin, and chip
// amounts beyond 2^53 never reach a table.

const TRUSTED = 'http://trusted.example:8080';
const EVIL = 'http://evil.example';
const PASSWORD = 'correct horse battery';
/** How long a socket trusts its session here before looking it up again (production: minutes). */
const RECHECK_MS = 300;

let t: TestDatabase;
let server: RunningServer;
let url: string;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 20 });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: t.url, LOG_LEVEL: 'silent', ALLOWED_ORIGINS: TRUSTED });
  server = await startServer({
    config,
    database: { db: t.db, url: t.url, embedded: false, close: async () => {} },
    tableSettings: FAST_TABLES,
    logger: pino({ level: 'silent' }),
    authRoutes: { limits: { ipAttemptsPerMinute: 10_000, usernameFailuresPerMinute: 10_000 } },
    socketSessionRecheckMs: RECHECK_MS,
  });
  url = server.url;
});
afterAll(async () => {
  await server?.close(2_000);
  await t?.close();
});

let users = 0;
async function player(chipsCents = 2_000): Promise<TestClient> {
  const client = await TestClient.signup(url, `sock_${++users}_${process.pid % 1000}`, PASSWORD);
  if (chipsCents > 0) await client.buyChips(chipsCents);
  await client.connect();
  return client;
}

/** Another session of the same user (a second login), with its own socket. */
async function secondSession(client: TestClient, password = PASSWORD): Promise<TestClient> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: client.username, password }),
  });
  expect(response.status).toBe(200);
  const other = new TestClient(url, (response.headers.get('set-cookie') ?? '').split(';')[0]!, client.username);
  other.userId = client.userId;
  await other.connect();
  return other;
}

async function headsUp(name: string): Promise<LobbyTable> {
  const created = await server.registry.createTable({ name, variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 });
  if (!created.ok) throw new Error(created.error.message);
  return created.value;
}

function disconnected(client: TestClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.socket?.connected) return resolve();
    client.socket.once('disconnect', () => resolve());
  });
}

async function code(client: TestClient, event: string, payload: unknown, timeoutMs?: number): Promise<string> {
  const ack = await client.emit(event, payload, timeoutMs);
  return ack.ok ? 'ok' : ack.error.code;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a socket does not outlive its session', () => {
  it('logout disconnects the sockets of that session only; the dead cookie cannot sit, act or cash out', async () => {
    const table = await headsUp('logout');
    const alice = await player();
    const bob = await player();
    for (const p of [alice, bob]) await p.watch(table.id);
    expect(await code(alice, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('ok');
    expect(await code(bob, 'table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toBe('ok');
    const laptop = await secondSession(alice);

    const gone = disconnected(alice);
    expect((await alice.http('POST', '/api/auth/logout', {})).status).toBe(200);
    await gone;
    await sleep(100);
    // The other session's socket is still alice, still seated.
    expect(laptop.socket?.connected).toBe(true);
    expect(await code(laptop, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('table/already_seated');

    // The logged-out cookie on a new socket is anonymous: nothing a seat can do.
    const again = new TestClient(url, alice.cookie, alice.username);
    await again.connect();
    const seq = (await again.snapshot(table.id)).seq;
    for (const [event, payload] of [
      ['table:sit', { tableId: table.id, seat: 0, buyIn: 100 }],
      ['table:act', { tableId: table.id, action: 'fold', seq }],
      ['table:top_up', { tableId: table.id, amount: 10 }],
      ['table:leave', { tableId: table.id }],
      ['table:sit_out', { tableId: table.id }],
      ['table:client_seed', { tableId: table.id, seed: 'mine' }],
    ] as const) {
      expect([event, await code(again, event, payload)]).toEqual([event, 'auth/required']);
    }
    expect(await t.db.seatSession.count({ where: { userId: alice.userId, status: 'OPEN' } })).toBe(1);
    expect(await code(laptop, 'table:leave', { tableId: table.id })).toBe('ok');
    for (const c of [again, laptop, bob]) c.close();
  });

  it('a password change disconnects every socket of the user and ends the other sessions', async () => {
    const carol = await player();
    const phone = await secondSession(carol);
    const wrong = await carol.http('POST', '/api/auth/password', { currentPassword: 'not it at all', newPassword: 'a brand new secret' });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    await sleep(100);
    expect([carol.socket?.connected, phone.socket?.connected]).toEqual([true, true]);

    const gone = Promise.all([disconnected(carol), disconnected(phone)]);
    expect((await carol.http('POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new secret' })).status).toBe(200);
    await gone;
    // The session that made the change stays logged in (its new sockets too); the other one is gone.
    expect((await carol.http('GET', '/api/auth/me')).status).toBe(200);
    expect((await phone.http('GET', '/api/auth/me')).status).toBe(401);
    const fresh = new TestClient(url, carol.cookie, carol.username);
    await fresh.connect();
    expect(await code(fresh, 'table:client_seed', { tableId: 999_999, seed: 'x' })).toBe('table/not_found');
    const stale = new TestClient(url, phone.cookie, phone.username);
    await stale.connect();
    expect(await code(stale, 'table:client_seed', { tableId: 999_999, seed: 'x' })).toBe('auth/required');
    for (const c of [fresh, stale]) c.close();
  });

  it('a socket whose session expired (or was deleted elsewhere) is refused and disconnected once it is due', async () => {
    const table = await headsUp('expiry');
    const dave = await player();
    const erin = await player();
    for (const p of [dave, erin]) await p.watch(table.id);
    expect(await code(dave, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('ok');
    // As if the session had reached its expiry: the row is there but in the past.
    await t.db.session.updateMany({ where: { userId: dave.userId }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    // As if another process (the admin CLI, another node) had ended it.
    await t.db.session.deleteMany({ where: { userId: erin.userId } });
    const bothGone = Promise.all([disconnected(dave), disconnected(erin)]);
    await sleep(RECHECK_MS + 100);
    // Refused either way: with auth/required, or by the disconnect that beats the answer.
    const refused = (client: TestClient, event: string, payload: unknown) =>
      code(client, event, payload).catch((error: Error) => (/disconnected/.test(error.message) ? 'auth/required' : error.message));
    expect(await refused(dave, 'table:leave', { tableId: table.id })).toBe('auth/required');
    expect(await refused(erin, 'table:chat', { tableId: table.id, text: 'still here?' })).toBe('auth/required');
    await bothGone;
    // Nothing was done in dave's name: still seated, cashed out only by a fresh login.
    expect(await t.db.seatSession.count({ where: { userId: dave.userId, status: 'OPEN' } })).toBe(1);
    const back = await secondSession(dave);
    expect(await code(back, 'table:leave', { tableId: table.id })).toBe('ok');
    back.close();
  });

  it('a socket whose session is still valid keeps working after it was looked up again', async () => {
    const frank = await player();
    await sleep(RECHECK_MS * 3);
    expect(await code(frank, 'lobby:subscribe', {})).toBe('ok');
    await sleep(RECHECK_MS + 100);
    expect(await code(frank, 'table:client_seed', { tableId: 999_999, seed: 'x' })).toBe('table/not_found');
    expect(frank.socket?.connected).toBe(true);
    frank.close();
  });
});

describe('chat goes only to a table the socket watches or sits at', () => {
  it('is refused elsewhere, and the refused line reaches nobody', async () => {
    const table = await headsUp('chat');
    const grace = await player();
    const watcher = await player();
    await watcher.watch(table.id);
    const chats = () => watcher.received.filter((r) => r.event === 'table:chat').map((r) => JSON.parse(r.json).text as string);

    expect(await code(grace, 'table:chat', { tableId: table.id, text: 'from nowhere' })).toBe('table/not_watching');
    expect(await code(grace, 'table:chat', { tableId: 999_999, text: 'no such table' })).toBe('table/not_found');
    const anonymous = TestClient.anonymous(url);
    await anonymous.connect();
    await anonymous.watch(table.id);
    expect(await code(anonymous, 'table:chat', { tableId: table.id, text: 'anonymous' })).toBe('auth/required');

    await grace.watch(table.id);
    expect(await code(grace, 'table:chat', { tableId: table.id, text: 'watching' })).toBe('ok');
    expect(await code(grace, 'table:unwatch', { tableId: table.id })).toBe('ok');
    expect(await code(grace, 'table:chat', { tableId: table.id, text: 'after unwatch' })).toBe('table/not_watching');
    // Seated without watching from this socket: a player may talk at their own table.
    expect(await code(grace, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('ok');
    const other = await secondSession(grace);
    expect(await code(other, 'table:chat', { tableId: table.id, text: 'seated' })).toBe('ok');

    await watcher.until(() => chats().includes('seated'), 5_000, 'the seated line');
    expect(chats()).toEqual(['watching', 'seated']);
    expect(await code(grace, 'table:leave', { tableId: table.id })).toBe('ok');
    for (const c of [grace, watcher, anonymous, other]) c.close();
  });
});

describe('the handshake checks its Origin', () => {
  async function handshake(headers: Record<string, string>, transport: 'websocket' | 'polling' = 'websocket'): Promise<'connected' | 'refused'> {
    const socket = io(url, { transports: [transport], extraHeaders: headers, reconnection: false, forceNew: true, timeout: 5_000 });
    const outcome = await new Promise<'connected' | 'refused'>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', () => resolve('refused'));
    });
    socket.close();
    return outcome;
  }

  it('refuses another origin, with or without a cookie, over either transport', async () => {
    const heidi = await player();
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await handshake({ cookie: heidi.cookie, origin: EVIL }, transport), transport).toBe('refused');
      expect(await handshake({ origin: EVIL }, transport), transport).toBe('refused');
      expect(await handshake({ cookie: heidi.cookie, origin: 'null' }, transport), transport).toBe('refused');
      expect(await handshake({ cookie: heidi.cookie, 'sec-fetch-site': 'cross-site' }, transport), transport).toBe('refused');
    }
    heidi.close();
  });

  it('accepts its own origin, a configured one, and none', async () => {
    const ivan = await player();
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await handshake({ cookie: ivan.cookie, origin: url }, transport), transport).toBe('connected');
      expect(await handshake({ cookie: ivan.cookie, origin: TRUSTED }, transport), transport).toBe('connected');
      expect(await handshake({ cookie: ivan.cookie }, transport), transport).toBe('connected');
    }
    ivan.close();
  });
});

describe('chip amounts beyond 2^53 never reach a table', () => {
  it('answers request/invalid for every amount that is not a safe whole number', async () => {
    const table = await headsUp('amounts');
    const judy = await player();
    await judy.watch(table.id);
    const MAX = Number.MAX_SAFE_INTEGER;
    for (const amount of [MAX + 1, MAX + 2, 1e300, -(MAX + 2), '100', 2.5]) {
      expect(await code(judy, 'table:sit', { tableId: table.id, seat: 0, buyIn: amount }), String(amount)).toBe('request/invalid');
    }
    expect(await code(judy, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('ok');
    const seq = (await judy.snapshot(table.id)).seq;
    for (const amount of [MAX + 1, 1e300, '9007199254740993']) {
      expect(await code(judy, 'table:top_up', { tableId: table.id, amount }), String(amount)).toBe('request/invalid');
      expect(await code(judy, 'table:act', { tableId: table.id, action: 'raise', amount, seq }), String(amount)).toBe('request/invalid');
    }
    expect(await code(judy, 'table:leave', { tableId: table.id })).toBe('ok');
    judy.close();
  });

  it('the wallet balance reaches the sockets as the exact number', async () => {
    const kim = await player(0);
    const boss = await player(0);
    await t.db.user.update({ where: { id: boss.userId }, data: { role: 'ADMIN' } });
    const MAX = Number.MAX_SAFE_INTEGER;
    const up = await boss.http('POST', '/api/admin/adjustments', { userId: kim.userId, amount: MAX, reason: 'to the limit', idempotencyKey: `exact-${kim.userId}` });
    expect(up.status).toBe(200);
    await kim.until(() => kim.balance === MAX, 5_000, 'the exact balance pushed to the socket');
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: kim.userId, amount: -MAX, reason: 'back', idempotencyKey: `back-${kim.userId}` })).status).toBe(200);
    await kim.until(() => kim.balance === 0, 5_000, 'the balance back to zero');
    for (const c of [kim, boss]) c.close();
  });
});

describe('one client cannot crowd out the others', () => {
  it("one viewer's sockets take at most SPECTATOR_SOCKETS_PER_VIEWER of a table's spectator places; anyone else still gets in", async () => {
    const table = await headsUp('spect-flood');
    const crowd: TestClient[] = [];
    for (let i = 0; i < SPECTATOR_SOCKETS_PER_VIEWER + 2; i++) {
      const c = TestClient.anonymous(url);
      await c.connect();
      crowd.push(c);
    }
    const codes = [];
    for (const c of crowd) codes.push(await code(c, 'table:watch', { tableId: table.id }));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(SPECTATOR_SOCKETS_PER_VIEWER);
    expect(codes.slice(SPECTATOR_SOCKETS_PER_VIEWER)).toEqual(['rate/limited', 'rate/limited']);
    // Watching again from a socket that already watches is not a new place.
    expect(await code(crowd[0]!, 'table:watch', { tableId: table.id })).toBe('ok');
    // Another viewer (a logged-in user) still gets a place; one socket gone frees one.
    const lee = await player(0);
    expect(await code(lee, 'table:watch', { tableId: table.id })).toBe('ok');
    crowd[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await code(crowd.at(-1)!, 'table:watch', { tableId: table.id })).toBe('ok');
    for (const c of [...crowd, lee]) c.close();
  });

  it('anonymous sockets of one address share one message budget: more sockets buy no more messages', async () => {
    const sockets: TestClient[] = [];
    for (let i = 0; i < 30; i++) {
      const c = TestClient.anonymous(url);
      await c.connect();
      sockets.push(c);
    }
    // 30 x 90 = 2,700 messages, each socket within its own budget (bursts of 100), together past
    // the address's 2,000.
    const started = Date.now();
    const answers = await Promise.all(sockets.flatMap((c) => Array.from({ length: 90 }, () => code(c, 'table:snapshot', { tableId: 999_999 }))));
    // What the budget allows: a full bucket, plus what it refilled while the messages went out.
    const { tokensMax, refillMs } = ANONYMOUS_ADDRESS_MESSAGES;
    const allowed = tokensMax + Math.ceil(((Date.now() - started) * tokensMax) / refillMs);
    const answered = answers.filter((a) => a === 'table/not_found').length;
    expect(answered).toBeLessThanOrEqual(allowed);
    expect(answers.filter((a) => a === 'rate/limited').length).toBe(2_700 - answered);
    expect(answered).toBeLessThan(2_700);
    // A logged-in user's messages are counted apart.
    const max = await player(0);
    expect(await code(max, 'table:snapshot', { tableId: 999_999 })).toBe('table/not_found');
    for (const c of [...sockets, max]) c.close();
  });
  it('a socket that keeps sending past its rate limit is closed; one that slows down when refused is not', async () => {
    // A flood: 400 messages at once on one socket. Its budget answers a burst, the next ones are
    // refused, and once it has been refused REFUSED_MESSAGES.tokensMax times the server closes it.
    const flooder = await player(0);
    const closed = new Promise<string>((resolve) => {
      flooder.socket!.once('disconnect', (reason) => resolve(reason));
      setTimeout(() => resolve('still open after 15 s'), 15_000);
    });
    const answers = await Promise.all(Array.from({ length: 400 }, () => code(flooder, 'table:snapshot', { tableId: 999_999 }, 15_000).catch(() => 'no answer')));
    expect(await closed).toBe('io server disconnect');
    const refused = answers.filter((a) => a === 'rate/limited').length;
    const answered = answers.filter((a) => a === 'table/not_found').length;
    // Refused as many times as it may be, and once more (the refusal that closed it). The
    // messages within its budget were taken, but their answers (which wait on the handler) may
    // not reach a socket closed meanwhile; nothing else is answered.
    expect(refused).toBeGreaterThanOrEqual(REFUSED_MESSAGES.tokensMax + 1);
    expect(refused).toBeLessThan(REFUSED_MESSAGES.tokensMax + 20);
    expect(answered).toBeLessThan(SOCKET_MESSAGES.tokensMax + 20);
    expect(answers.filter((a) => a === 'no answer').length).toBe(400 - answered - refused);
    expect(400 - answered - refused).toBeGreaterThan(150);
    // The user is not locked out: a new connection is answered.
    await flooder.connect();
    expect(await code(flooder, 'table:snapshot', { tableId: 999_999 })).toBe('table/not_found');

    // A client that overruns its budget but waits when refused keeps its connection.
    const pacer = await player(0);
    let gone = false;
    pacer.socket!.once('disconnect', () => { gone = true; });
    for (let round = 0; round < 3; round++) {
      // Past the budget until refused (a loaded machine refills the budget while it answers a
      // burst), 20 at a time: a few refusals a round, far from the REFUSED_MESSAGES that close it.
      let refused = 0;
      for (let extra = 0; refused === 0 && extra < 20; extra++) {
        const burst = await Promise.all(Array.from({ length: extra === 0 ? SOCKET_MESSAGES.tokensMax + 20 : 20 }, () => code(pacer, 'table:snapshot', { tableId: 999_999 })));
        refused += burst.filter((a) => a === 'rate/limited').length;
      }
      expect(refused).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, SOCKET_MESSAGES.refillMs + 200));
    }
    expect(gone).toBe(false);
    expect(await code(pacer, 'table:snapshot', { tableId: 999_999 })).toBe('table/not_found');
    for (const c of [flooder, pacer]) c.close();
  });
});

describe("a table's spectator places hold against a socket's concurrent watches", () => {
  it('two table:watch of one table sent at once from one socket of a full table: both refused, no place taken', async () => {
    const small = await startTestServer({ tableSettings: { spectatorsMax: 2 } });
    try {
      const created = await small.server.registry.createTable({ name: 'spect-race', variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 });
      if (!created.ok) throw new Error(created.error.message);
      const tableId = created.value.id;
      const crowd: TestClient[] = [];
      for (let i = 0; i < 6; i++) {
        const c = TestClient.anonymous(small.url);
        await c.connect();
        crowd.push(c);
      }
      for (const c of crowd.slice(0, 2)) expect(await code(c, 'table:watch', { tableId })).toBe('ok');
      for (const c of crowd.slice(2)) {
        const codes = await Promise.all([code(c, 'table:watch', { tableId }), code(c, 'table:watch', { tableId })]);
        expect(codes).toEqual(['table/spectators_full', 'table/spectators_full']);
      }
      const snapshot = await crowd[0]!.emit('table:snapshot', { tableId });
      expect(snapshot).toMatchObject({ ok: true, snapshot: { spectators: 2 } });
      for (const c of crowd) c.close();
    } finally {
      await small.close();
    }
  });
});

describe('the spectator count', () => {
  it("counts a new spectator in its own watch's snapshot, and the lobby hears every change of it", async () => {
    // Conformance audit: the first watcher's snapshot said 0 (it joins the count after the
    // answer), and the lobby got no push when someone started or stopped watching.
    const s2 = await startTestServer({});
    try {
      const created = await s2.server.registry.createTable({ name: 'spect-count', variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 });
      if (!created.ok) throw new Error(created.error.message);
      const tableId = created.value.id;
      const lobby = TestClient.anonymous(s2.url);
      await lobby.connect();
      expect(await code(lobby, 'lobby:subscribe', {})).toBe('ok');
      const pushedCount = () => {
        const pushes = lobby.received.filter((r) => r.event === 'lobby:tables');
        const last = pushes.at(-1);
        return last ? (JSON.parse(last.json) as LobbyTable[]).find((t) => t.id === tableId)?.spectators : undefined;
      };
      const [first, second] = [TestClient.anonymous(s2.url), TestClient.anonymous(s2.url)];
      for (const c of [first, second]) await c.connect();
      expect(await first.emit('table:watch', { tableId })).toMatchObject({ ok: true, snapshot: { spectators: 1 } });
      await lobby.until(() => pushedCount() === 1, 5_000, 'a lobby push with 1 spectator');
      expect(await second.emit('table:watch', { tableId })).toMatchObject({ ok: true, snapshot: { spectators: 2 } });
      // Watching again is not a second place.
      expect(await second.emit('table:watch', { tableId })).toMatchObject({ ok: true, snapshot: { spectators: 2 } });
      await lobby.until(() => pushedCount() === 2, 5_000, 'a lobby push with 2 spectators');
      expect(await second.emit('table:unwatch', { tableId })).toMatchObject({ ok: true });
      await lobby.until(() => pushedCount() === 1, 5_000, 'a lobby push after an unwatch');
      first.close(); // a dropped connection leaves the count too
      await lobby.until(() => pushedCount() === 0, 5_000, 'a lobby push after a disconnect');
      for (const c of [lobby, second]) c.close();
    } finally {
      await s2.close();
    }
  });
});

describe('table:post_blind over the socket (decision 034)', () => {
  it('is checked like every message: the shape, the caller and the seat; a stranger changes nobody', async () => {
    const table = await headsUp('post-blind');
    const ann = await player();
    const ben = await player();
    await ann.watch(table.id);
    expect(await code(ann, 'table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toBe('ok');
    for (const payload of [{ tableId: table.id }, { tableId: table.id, now: 'yes' }, { tableId: table.id, now: 1 }, { tableId: table.id, now: true, seat: 0 }, { now: true }]) {
      expect(await code(ann, 'table:post_blind', payload), JSON.stringify(payload)).toBe('request/invalid');
    }
    // Not seated here: refused, whatever seat it means.
    expect(await code(ben, 'table:post_blind', { tableId: table.id, now: true })).toBe('table/not_seated');
    const anonymous = new TestClient(url, '', 'anonymous');
    await anonymous.connect();
    expect(await code(anonymous, 'table:post_blind', { tableId: table.id, now: true })).toBe('auth/required');
    // Alone at the table, the seat was dealt nothing yet: its choice is kept, and nobody else's changed.
    expect(await code(ann, 'table:post_blind', { tableId: table.id, now: true })).toBe('ok');
    expect((await ann.snapshot(table.id)).players.find((p) => p.seat === 0)).not.toHaveProperty('postsBigBlind');
    expect(await code(ann, 'table:leave', { tableId: table.id })).toBe('ok');
    for (const c of [ann, ben, anonymous]) c.close();
  });
});
