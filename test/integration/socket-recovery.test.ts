import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// Connection-state recovery on a single node (SOCKET_RECOVERY_WINDOW_MS, docs/protocol.md):
// on by default, a socket that drops and comes back within the window gets the table
// frames it missed; off (0), it comes back without them and a snapshot brings it up to
// date, as after any longer absence.

let s: TestServer | null = null;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await s?.close();
  s = null;
});

/** A spectator drops its transport; a player sits meanwhile; the spectator's socket comes back. */
async function sitWhileSpectatorAway(env: Record<string, string>, name: string) {
  s = await startTestServer({ env });
  const created = await s.server.registry.createTable({
    name, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
  });
  if (!created.ok) throw new Error(created.error.message);
  const tableId = created.value.id;
  const watcher = TestClient.anonymous(s.url);
  await watcher.connect({ recovery: true });
  await watcher.watch(tableId);
  const [first, player] = [await TestClient.signup(s.url, `${name}_a`), await TestClient.signup(s.url, `${name}_b`)];
  clients.push(watcher, first, player);
  for (const p of [first, player]) {
    await p.buyChips(1_000);
    await p.connect();
  }
  // A socket can be recovered once it has received a broadcast (Socket.IO resumes from its offset).
  expect((await first.emit('table:sit', { tableId, seat: 0, buyIn: 100 })).ok).toBe(true);
  await watcher.until(() => watcher.view(tableId)?.seats[0] != null, 5_000, 'the first player_sat frame');
  const before = { seq: watcher.feeds.get(tableId)!.seq };

  const socket = watcher.socket!;
  // It comes back only after the sit below has been answered (about 100 ms).
  socket.io.reconnectionDelay(1_500).randomizationFactor(0);
  const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
  socket.io.engine.close(); // the network drops; the client reconnects on its own
  await gone;
  let satAlready = false;
  const back = new Promise<boolean>((resolve) => socket.once('connect', () => resolve(satAlready)));
  expect((await player.emit('table:sit', { tableId, seat: 2, buyIn: 100 })).ok).toBe(true);
  satAlready = true;
  expect(await back, 'the sit was answered while the spectator was away').toBe(true);
  return { tableId, watcher, socket, before };
}

/** The view shows the second player at seat 2 (a hand may have started since: its stack moves). */
const seatedPlayer = (watcher: TestClient, tableId: number) => watcher.view(tableId)?.seats[2] != null;

describe('connection-state recovery', () => {
  it('by default replays the frames a briefly dropped socket missed', async () => {
    const { tableId, watcher, socket, before } = await sitWhileSpectatorAway({}, 'recovery_on');
    expect(socket.recovered).toBe(true);
    // The missed frame arrives by itself: no snapshot asked for, the seat is there.
    await watcher.until(() => seatedPlayer(watcher, tableId), 5_000, 'the missed player_sat frame');
    expect(watcher.frames.some((f) => f.seq === before.seq + 1 && f.events.some((e) => e.type === 'player_sat'))).toBe(true);
  });

  it('with SOCKET_RECOVERY_WINDOW_MS=0 a socket comes back without them, and a snapshot brings it up to date', async () => {
    const { tableId, watcher, socket, before } = await sitWhileSpectatorAway({ SOCKET_RECOVERY_WINDOW_MS: '0' }, 'recovery_off');
    expect(socket.recovered).not.toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watcher.frames.some((f) => f.seq > before.seq)).toBe(false);
    expect(seatedPlayer(watcher, tableId)).toBe(false);
    const snapshot = await watcher.watch(tableId);
    expect(snapshot.seq).toBeGreaterThan(before.seq);
    expect(seatedPlayer(watcher, tableId)).toBe(true);
  });

  it("recovers a socket only for the session that owned it: another user's cookie, no cookie, or the owner's ended session connect fresh, without its missed packets", async () => {
    s = await startTestServer({ env: {} });
    const victim = await TestClient.signup(s.url, 'rec_victim');
    const other = await TestClient.signup(s.url, 'rec_other');
    clients.push(victim, other);
    await victim.connect();
    await victim.buyChips(100); // a wallet:balance push to the victim's room gives the socket an offset
    await victim.until(() => victim.balance !== null, 5_000, 'the first wallet push');
    /** Drops the victim's transport, pushes one more balance to its room meanwhile, and returns the socket's recovery id. */
    const dropAndMiss = async () => {
      const socket = victim.socket! as unknown as { _pid: string; _lastOffset: string; io: { engine: { close(): void } }; once(e: string, f: () => void): void };
      const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      socket.io.engine.close();
      await gone;
      await victim.buyChips(100);
      return { pid: socket._pid, offset: socket._lastOffset };
    };
    const attempt = async (auth: { pid: string; offset: string }, cookie: string) => {
      const socket: Socket = io(s!.url, { transports: ['websocket'], auth, extraHeaders: cookie ? { cookie } : {}, reconnection: false, forceNew: true });
      const pushes: unknown[] = [];
      socket.on('wallet:balance', (payload: unknown) => pushes.push(payload));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // (The client's own `recovered` flag says nothing here: it is set only for the client's own pid.)
      socket.close();
      return { pushes: pushes.length };
    };
    const id = await dropAndMiss();
    expect(id.pid).toEqual(expect.any(String));
    // Without the binding the first of these got the victim's missed push (and its rooms).
    expect(await attempt(id, other.cookie)).toEqual({ pushes: 0 });
    expect(await attempt(id, '')).toEqual({ pushes: 0 });
    // The owner's own session still recovers it: the missed push is replayed.
    expect(await attempt(id, victim.cookie)).toEqual({ pushes: 1 });

    await victim.connect();
    await victim.buyChips(100); // the new socket's offset
    await victim.until(() => victim.received.some((r) => r.event === 'wallet:balance'), 5_000, 'a push to the new socket');
    const again = await dropAndMiss();
    expect((await victim.http('POST', '/api/auth/logout', {})).status).toBe(200);
    expect(await attempt(again, victim.cookie)).toEqual({ pushes: 0 });
  });
});

describe('a recovered socket gets back only the rooms it is still entitled to', () => {
  it('a seat given up while the socket was away: the recovered socket, which never watched, gets no more of that table', async () => {
    s = await startTestServer({ env: {} });
    const created = await s.server.registry.createTable({
      name: 'recovery_rooms', variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
    });
    if (!created.ok) throw new Error(created.error.message);
    const tableId = created.value.id;
    const leaver = await TestClient.signup(s.url, 'rooms_leaver');
    const [b, c] = [await TestClient.signup(s.url, 'rooms_b'), await TestClient.signup(s.url, 'rooms_c')];
    clients.push(leaver, b, c);
    for (const p of [leaver, b, c]) await p.buyChips(1_000);
    await leaver.connect({ recovery: true });
    for (const p of [b, c]) await p.connect();
    // Seated alone (no hand): the socket is in the table's room and has an offset.
    expect((await leaver.emit('table:sit', { tableId, seat: 0, buyIn: 100 })).ok).toBe(true);
    await leaver.until(() => leaver.frames.some((f) => f.tableId === tableId), 5_000, 'the player_sat frame');

    const socket = leaver.socket!;
    socket.io.reconnectionDelay(1_500).randomizationFactor(0);
    const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    socket.io.engine.close();
    await gone;
    const back = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // The same user leaves from a second tab while the first is away: cashed out at once.
    const tab = new TestClient(s.url, leaver.cookie, leaver.username);
    clients.push(tab);
    await tab.connect();
    expect(await tab.emit('table:leave', { tableId })).toMatchObject({ ok: true, pending: false });
    tab.close();
    await back;
    expect(socket.recovered).toBe(true);

    const seen = leaver.frames.length;
    const chats = () => leaver.received.filter((r) => r.event === 'table:chat').length;
    const chatsBefore = chats();
    expect((await b.emit('table:sit', { tableId, seat: 1, buyIn: 100 })).ok).toBe(true);
    expect((await c.emit('table:sit', { tableId, seat: 2, buyIn: 100 })).ok).toBe(true);
    expect(await b.emit('table:chat', { tableId, text: 'only for the table' })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Neither seated nor watching: like a socket that never watched, it stops getting the table.
    expect(leaver.frames.slice(seen).filter((f) => f.tableId === tableId)).toEqual([]);
    expect(chats()).toBe(chatsBefore);
    for (const p of [b, c]) await p.emit('table:leave', { tableId });
  });
});
