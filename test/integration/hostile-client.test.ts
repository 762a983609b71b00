import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverKeys } from '../../server/ledger/keys';
import type { LobbyTable, TableSnapshot } from '../../server/protocol';
import { autoplay, type Chooser } from '../support/autoplay';
import { uniqueKey } from '../support/db';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// A hostile client, over the public HTTP and Socket.IO API only: each effect
// reproduced against the old code (issue "money at the edges") is tried again
// and must not happen. docs/decisions/007-idempotency-key-scopes.md.

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

let users = 0;
async function player(chipsCents = 2_000): Promise<TestClient> {
  const client = await TestClient.signup(s.url, `hostile_${++users}_${process.pid % 1000}`);
  await client.buyChips(chipsCents);
  await client.connect();
  return client;
}

async function admin(): Promise<TestClient> {
  const client = await player();
  await s.t.db.user.update({ where: { id: client.userId }, data: { role: 'ADMIN' } });
  return client;
}

function lobbyTable(predicate: (t: LobbyTable) => boolean): LobbyTable {
  const table = s.server.registry.listLobby().find((t) => t.status === 'OPEN' && predicate(t));
  if (!table) throw new Error('no such table in the lobby');
  return table;
}

/** The same user on the restarted server (a new port), with the same session cookie. */
async function reconnect(client: TestClient): Promise<TestClient> {
  const again = new TestClient(s.url, client.cookie, client.username);
  again.userId = client.userId;
  await again.connect();
  return again;
}

/** Many messages in a row: waits out the per-socket rate limit instead of counting it as an answer. */
async function emitPaced<T extends object>(client: TestClient, event: string, payload: unknown) {
  for (;;) {
    const ack = await client.emit<T>(event, payload);
    if (ack.ok || ack.error.code !== 'rate/limited') return ack;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A fresh heads-up table made by an admin, with two players watching and seated (a hand follows). */
async function headsUp(prefix: string, buyIn = 150): Promise<{ boss: TestClient; table: LobbyTable; alice: TestClient; bob: TestClient }> {
  const boss = await admin();
  const created = await boss.http<{ table: LobbyTable }>('POST', '/api/admin/tables', {
    name: `${prefix}-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
  });
  expect(created.status).toBe(201);
  const table = created.body.table;
  const alice = await player();
  const bob = await player();
  for (const p of [alice, bob]) await p.watch(table.id);
  expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn })).toMatchObject({ ok: true });
  expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn })).toMatchObject({ ok: true });
  return { boss, table, alice, bob };
}

/** Of a heads-up table's two players (seats 0 and 1), the one whose turn it is not. */
function notToAct(tableId: number, seat0: TestClient, seat1: TestClient): TestClient {
  return s.server.registry.get(tableId)!.snapshot(null).view.toAct === 0 ? seat1 : seat0;
}

async function walletOf(client: TestClient): Promise<number> {
  const r = await client.http<{ balance: number }>('GET', '/api/wallet');
  return r.body.balance;
}

async function seatBalance(userId: number, tableId: number): Promise<bigint | null> {
  const account = await s.t.db.account.findFirst({ where: { userId, tableId, kind: 'SEAT', seatSession: { status: 'OPEN' } } });
  return account?.balance ?? null;
}

const checkOrFold: Chooser = (legal) => (legal.canCheck ? { action: 'check' } : { action: 'fold' });

function settled(client: TestClient, tableId: number): number {
  return client.frames.filter((f) => f.tableId === tableId).flatMap((f) => f.events).filter((e) => e.type === 'hand_settled').length;
}

/** Every source file under a folder (for the grep of key shapes). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'generated' || name === 'node_modules') return [];
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('1. no client can touch a key the server makes', () => {
  it('the server builds idempotency keys only through serverKeys', () => {
    // Anything passed as an idempotency key in server code is either the
    // client's own value or a serverKeys builder: never a string put together here.
    const offenders = sources('server').flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, i) =>
        /idempotencyKey\s*:\s*[`'"]/.test(line) || /idempotencyKey\s*:\s*[^,}]*\$\{/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('every key shape the server builds, used as a client key on every route that takes one, leaves settlement and cash-out working', async () => {
    const tables = s.server.registry.listLobby();
    const lastSeat = await s.t.db.seatSession.aggregate({ _max: { id: true } });
    const nextSeats = Array.from({ length: 30 }, (_, i) => (lastSeat._max.id ?? 0n) + BigInt(i + 1));
    // One list per builder: a builder added to serverKeys without examples here does not compile.
    const examples: Record<keyof typeof serverKeys, string[]> = {
      settle: tables.flatMap((t) => [1n, 2n, 3n, 4n].map((n) => serverKeys.settle(t.id, n).key)),
      cashOut: nextSeats.map((id) => serverKeys.cashOut(id).key),
      sit: [serverKeys.sit('x').key, 'sit:00000000-0000-0000-0000-000000000000'],
      topUp: [serverKeys.topUp('x').key, 'topup:00000000-0000-0000-0000-000000000000'],
    };
    const keys = Object.values(examples).flat();
    expect(keys.length).toBeGreaterThan(40);

    const mallory = await player(100_000);
    const boss = await admin();
    const ring = lobbyTable((t) => t.maxSeats === 9);
    await mallory.watch(ring.id);
    for (const key of keys) {
      const bought = await mallory.http('POST', '/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: key });
      expect(bought.status, key).toBe(200);
      const adjusted = await boss.http('POST', '/api/admin/adjustments', { userId: mallory.userId, amount: 1, reason: 'squat test', idempotencyKey: key });
      expect(adjusted.status, key).toBe(200);
    }
    // Sits and top-ups with every shape (one seat, left and taken again for each sit key).
    for (const key of keys) {
      const sat = await emitPaced(mallory, 'table:sit', { tableId: ring.id, seat: 4, buyIn: ring.minBuyIn, idempotencyKey: key });
      expect(sat.ok, `${key}: ${JSON.stringify(sat)}`).toBe(true);
      const left = await emitPaced(mallory, 'table:leave', { tableId: ring.id });
      expect(left.ok, key).toBe(true);
    }
    expect((await emitPaced(mallory, 'table:sit', { tableId: ring.id, seat: 4, buyIn: ring.minBuyIn, idempotencyKey: uniqueKey() })).ok).toBe(true);
    for (const key of keys.slice(0, 50)) {
      const topped = await emitPaced(mallory, 'table:top_up', { tableId: ring.id, amount: 1, idempotencyKey: key });
      expect(topped.ok, `${key}: ${JSON.stringify(topped)}`).toBe(true);
    }
    expect((await emitPaced(mallory, 'table:leave', { tableId: ring.id })).ok).toBe(true);

    // The squatted table still settles its hands and cashes its players out.
    const heads = lobbyTable((t) => t.maxSeats === 2);
    const alice = await player();
    const bob = await player();
    for (const p of [alice, bob]) await p.watch(heads.id);
    expect((await alice.emit('table:sit', { tableId: heads.id, seat: 0, buyIn: heads.minBuyIn })).ok).toBe(true);
    expect((await bob.emit('table:sit', { tableId: heads.id, seat: 1, buyIn: heads.minBuyIn })).ok).toBe(true);
    const bots = [autoplay(alice, heads.id, checkOrFold), autoplay(bob, heads.id, checkOrFold)];
    await alice.until(() => settled(alice, heads.id) >= 3, 30_000, 'three settled hands');
    bots.forEach((b) => b.stop());
    for (const p of [alice, bob]) {
      const left = await p.emit('table:leave', { tableId: heads.id });
      expect(left.ok).toBe(true);
      await p.until(() => (p.received.some((r) => r.event === 'wallet:balance')), 5_000, 'wallet notice');
    }
    await alice.until(() => s.server.registry.get(heads.id)!.seatsTaken() === 0, 15_000, 'both seats cashed out');
    expect((await walletOf(alice)) + (await walletOf(bob))).toBe(4_000);
    expect((await s.t.ledger.reconcile()).violations).toEqual([]);
    for (const c of [mallory, boss, alice, bob]) c.close();
  });
});

describe('2-3. replays are answered, never re-applied', () => {
  it('a top-up replayed during a hand and after it adds its chips once', async () => {
    const table = lobbyTable((t) => t.maxSeats === 6 && t.variant === 'NLHE' && t.bigBlind === 2);
    const alice = await player();
    const bob = await player();
    for (const p of [alice, bob]) await p.watch(table.id);
    await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 });
    await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 });
    await alice.until(() => (s.server.registry.get(table.id)?.handInProgress() ?? false), 5_000, 'a hand');
    const key = uniqueKey('top');
    for (let i = 0; i < 3; i++) {
      expect(await alice.emit('table:top_up', { tableId: table.id, amount: 50, idempotencyKey: key })).toMatchObject({ ok: true, pending: true });
    }
    const bots = [autoplay(alice, table.id, checkOrFold), autoplay(bob, table.id, checkOrFold)];
    await alice.until(() => settled(alice, table.id) >= 1, 30_000, 'the hand ends');
    bots.forEach((b) => b.stop());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await alice.emit<{ stack?: number }>('table:top_up', { tableId: table.id, amount: 50, idempotencyKey: key });
    expect(again.ok).toBe(true);
    expect(await s.t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } })).toBe(1);
    // What the table holds equals the ledger, and what every player was told of it.
    await s.server.registry.get(table.id)!.idle();
    const actor = s.server.registry.get(table.id)!;
    const ledger = await seatBalance(alice.userId, table.id);
    const memory = actor.memoryStacks().find((m) => m.seat === 0)!.stack;
    expect(BigInt(memory)).toBe(ledger);
    const snap: TableSnapshot = await bob.snapshot(table.id);
    if (!actor.handInProgress()) expect(BigInt(snap.view.seats[0]!.stack)).toBe(ledger);
    for (const p of [alice, bob]) await p.emit('table:leave', { tableId: table.id });
    for (const c of [alice, bob]) c.close();
  });

  it('a top-up applied between hands and sent again during the next: pending, then an info notice at the boundary, chips added once', async () => {
    const boss = await admin();
    const created = await boss.http<{ table: LobbyTable }>('POST', '/api/admin/tables', {
      name: `resend-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
    });
    const table = created.body.table;
    const alice = await player();
    const bob = await player();
    for (const p of [alice, bob]) await p.watch(table.id);
    expect(await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    const key = uniqueKey('top');
    // Alone at the table: no hand, the top-up is applied at once.
    expect(await alice.emit('table:top_up', { tableId: table.id, amount: 50, idempotencyKey: key })).toMatchObject({ ok: true, pending: false, stack: 150 });
    expect(await bob.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    await alice.until(() => (s.server.registry.get(table.id)?.handInProgress() ?? false), 5_000, 'a hand');
    const seen = alice.received.length;
    // Its answer lost, the client sends the same key again: during a hand it waits for the boundary.
    expect(await alice.emit('table:top_up', { tableId: table.id, amount: 50, idempotencyKey: key })).toMatchObject({ ok: true, pending: true });
    const bots = [autoplay(alice, table.id, checkOrFold), autoplay(bob, table.id, checkOrFold)];
    await alice.until(() => alice.received.slice(seen).some((r) => r.event === 'table:notice' && r.json.includes('already applied')), 30_000, 'the info notice');
    bots.forEach((b) => b.stop());
    const after = alice.frames.filter((f) => f.tableId === table.id).flatMap((f) => f.events);
    expect(after.filter((e) => e.type === 'chips_added').map((e) => (e as { amount: number }).amount)).toEqual([50]);
    expect(await s.t.db.ledgerTransfer.count({ where: { kind: 'TOP_UP', idempotencyKey: key } })).toBe(1);
    await s.server.registry.get(table.id)!.idle();
    const ledger = await seatBalance(alice.userId, table.id);
    expect(BigInt(s.server.registry.get(table.id)!.memoryStacks().find((m) => m.seat === 0)!.stack)).toBe(ledger);
    for (const p of [alice, bob]) await p.emit('table:leave', { tableId: table.id });
    for (const c of [boss, alice, bob]) c.close();
  });

  it('a sit replayed after cashing out is refused and seats nobody', async () => {
    const table = lobbyTable((t) => t.variant === 'PLO');
    const carol = await player();
    await carol.watch(table.id);
    const key = uniqueKey('sit');
    expect(await carol.emit('table:sit', { tableId: table.id, seat: 2, buyIn: 100, idempotencyKey: key })).toMatchObject({ ok: true, seat: 2 });
    expect(await carol.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: false });
    const replay = await carol.emit('table:sit', { tableId: table.id, seat: 2, buyIn: 100, idempotencyKey: key });
    expect(replay.ok ? 'ok' : replay.error.code).toBe('seat/closed');
    expect(s.server.registry.get(table.id)!.seatOf(carol.userId)).toBeNull();
    expect(await walletOf(carol)).toBe(2_000);
    carol.close();
  });
});

describe('4. closing a table strands nothing', () => {
  async function tableWithHand(prefix: string) {
    const seated = await headsUp(prefix);
    await seated.alice.until(() => (s.server.registry.get(seated.table.id)?.handInProgress() ?? false), 5_000, 'a hand');
    return seated;
  }

  async function expectClosedAndPaid(tableId: number, players: TestClient[]) {
    await players[0]!.until(() => s.server.registry.get(tableId) === undefined, 20_000, 'the table retires');
    expect((await s.t.db.pokerTable.findUniqueOrThrow({ where: { id: tableId } })).status).toBe('CLOSED');
    expect(await s.t.db.seatSession.count({ where: { tableId, status: 'OPEN' } })).toBe(0);
    let total = 0;
    for (const p of players) total += await walletOf(p);
    expect(total).toBe(4_000);
    expect((await s.t.ledger.reconcile()).violations).toEqual([]);
  }

  it('closed mid-hand by an admin: the hand ends, then every player is cashed out', async () => {
    const { boss, table, alice, bob } = await tableWithHand('close');
    const closed = await boss.http<{ pending: boolean }>('POST', `/api/admin/tables/${table.id}/close`, {});
    expect(closed.status).toBe(200);
    expect(closed.body.pending).toBe(true);
    const late = await player();
    const refused = await late.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 });
    expect(refused.ok).toBe(false);
    const bots = [autoplay(alice, table.id, checkOrFold), autoplay(bob, table.id, checkOrFold)];
    await expectClosedAndPaid(table.id, [alice, bob]);
    bots.forEach((b) => b.stop());
    for (const c of [boss, alice, bob, late]) c.close();
  });

  it('closed again, concurrently: one close takes effect, a `now` escalates it once, every repeat is 409 and unaudited', async () => {
    const { boss, table, alice, bob } = await tableWithHand('repeat');
    const close = async (body: object) => {
      const r = await boss.http<{ pending?: boolean; error?: { code: string } }>('POST', `/api/admin/tables/${table.id}/close`, body);
      return r.status === 200 ? `200 pending=${r.body.pending}` : `${r.status} ${r.body.error?.code}`;
    };
    // Three at once, at the end of the hand: one is taken, the others change nothing.
    expect((await Promise.all([close({}), close({}), close({ now: false })])).sort())
      .toEqual(['200 pending=true', '409 table/closed', '409 table/closed']);
    expect(s.server.registry.get(table.id)?.handInProgress()).toBe(true);
    // `now` escalates the pending close, once: the live hand is voided, everyone is cashed out.
    expect((await Promise.all([close({ now: true }), close({ now: true }), close({})])).sort())
      .toEqual(['200 pending=false', '409 table/closed', '409 table/closed']);
    await expectClosedAndPaid(table.id, [alice, bob]);
    expect(await walletOf(alice)).toBe(2_000);
    // The table is gone from the registry and CLOSED: still 409, not 404.
    expect(await close({})).toBe('409 table/closed');
    expect(await close({ now: true })).toBe('409 table/closed');
    expect((await boss.http('POST', '/api/admin/tables/2147483647/close', {})).status).toBe(404);
    const audit = await s.t.db.adminAction.findMany({ where: { action: 'table.close', targetId: String(table.id) }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.details)).toEqual([{ now: false }, { now: true }]);
    for (const c of [boss, alice, bob]) c.close();
  });

  it('an admin\'s create and close are audited by the write that makes them, not by the HTTP answer', async () => {
    // Audit 6: a close forwarded to a paused owner was answered 503, done later by the owner,
    // and the admin's retry was 409 (unaudited): money moved with no table.close row. The row is
    // now written in the request's own transaction wherever it runs, here without any HTTP.
    const { boss, table, alice, bob } = await tableWithHand('audit');
    const created = await s.server.registry.createTable({ name: `audit-new-${Date.now()}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 }, boss.userId);
    expect(created.ok).toBe(true);
    const newId = created.ok ? String(created.value.id) : '';
    expect(await s.t.db.adminAction.findMany({ where: { action: 'table.create', targetId: newId }, select: { adminUserId: true } })).toEqual([{ adminUserId: boss.userId }]);
    expect((await s.server.registry.closeTable(table.id, boss.userId, { now: true })).ok).toBe(true);
    const audit = await s.t.db.adminAction.findMany({ where: { action: 'table.close', targetId: String(table.id) }, select: { adminUserId: true, details: true } });
    expect(audit).toEqual([{ adminUserId: boss.userId, details: { now: true } }]);
    await expectClosedAndPaid(table.id, [alice, bob]);
    for (const c of [boss, alice, bob]) c.close();
  });

  it('closed now: the live hand is voided and every player gets the stack they had before it', async () => {
    const { boss, table, alice, bob } = await tableWithHand('now');
    const closed = await boss.http<{ pending: boolean }>('POST', `/api/admin/tables/${table.id}/close`, { now: true });
    expect(closed.body.pending).toBe(false);
    await expectClosedAndPaid(table.id, [alice, bob]);
    expect(await walletOf(alice)).toBe(2_000);
    // The ledger browser finds what the close paid out: the table's cash-outs, reason `closed`, server keys.
    const outs = await boss.http<{ items: { reason: string; keyScope: string; actorUserId: number; tableId: number }[] }>('GET', `/api/admin/ledger?tableId=${table.id}&kind=CASH_OUT`);
    expect(outs.body.items.map((t) => [t.actorUserId, t.reason, t.keyScope, t.tableId]).sort()).toEqual(
      [[alice.userId, 'closed', 'SERVER', table.id], [bob.userId, 'closed', 'SERVER', table.id]].sort(),
    );
    const buyIns = await boss.http<{ items: { keyScope: string }[] }>('GET', `/api/admin/ledger?tableId=${table.id}&kind=BUY_IN`);
    expect(buyIns.body.items).toHaveLength(2);
    for (const c of [boss, alice, bob]) c.close();
  });

  it('a top-up at a closing table is refused; one queued before the close is cancelled with a notice, no chip taken', async () => {
    const { boss, table, alice, bob } = await tableWithHand('topup-close');
    expect(await bob.emit('table:top_up', { tableId: table.id, amount: 20 })).toEqual({ ok: true, pending: true });
    expect((await boss.http<{ pending: boolean }>('POST', `/api/admin/tables/${table.id}/close`, {})).body.pending).toBe(true);
    expect(await alice.emit('table:top_up', { tableId: table.id, amount: 20 })).toMatchObject({ ok: false, error: { code: 'table/closed' } });
    expect((await boss.http<{ pending: boolean }>('POST', `/api/admin/tables/${table.id}/close`, { now: true })).body.pending).toBe(false);
    await expectClosedAndPaid(table.id, [alice, bob]);
    expect([await walletOf(alice), await walletOf(bob)]).toEqual([2_000, 2_000]);
    const notices = (c: TestClient) => c.received.filter((r) => r.event === 'table:notice').map((r) => (JSON.parse(r.json) as { message: string }).message);
    await bob.until(() => notices(bob).some((m) => m.includes('top-up was cancelled because the table closed')), 5_000, "bob's notice");
    expect(notices(alice).filter((m) => m.includes('top-up'))).toEqual([]);
    for (const c of [boss, alice, bob]) c.close();
  });

  it('closed mid-hand, then the server restarts before the hand ends: the close still completes', async () => {
    const { boss, table, alice, bob } = await tableWithHand('restart');
    await boss.http('POST', `/api/admin/tables/${table.id}/close`, {});
    for (const c of [boss, alice, bob]) c.close();
    await s.server.close(0); // the live hand dies with the process
    s = await startTestServer({ database: s.t });
    expect(s.server.registry.get(table.id)).toBeUndefined();
    expect((await s.t.db.pokerTable.findUniqueOrThrow({ where: { id: table.id } })).status).toBe('CLOSED');
    expect(await s.t.db.seatSession.count({ where: { tableId: table.id, status: 'OPEN' } })).toBe(0);
    const wallets = await s.t.db.account.findMany({ where: { code: { in: [`wallet:${alice.userId}`, `wallet:${bob.userId}`] } } });
    expect(wallets.map((w) => w.balance)).toEqual([2_000n, 2_000n]);
    expect((await s.t.ledger.reconcile()).violations).toEqual([]);
  });
});

describe('sitting out survives a restart', () => {
  it('a player who sat out is not dealt in after a restart, even connected; one who did not is; sitting in clears it', async () => {
    const boss = await admin();
    const created = await boss.http<{ table: LobbyTable }>('POST', '/api/admin/tables', {
      name: `sitout-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 3, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
    });
    const tableId = created.body.table.id;
    const players = [await player(), await player(), await player()];
    const [alice, bob, carol] = players as [TestClient, TestClient, TestClient];
    for (const p of players) await p.watch(tableId);
    // Carol sits and sits out before the others sit: no hand is on, nothing of hers is at stake.
    expect(await carol.emit('table:sit', { tableId, seat: 2, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await carol.emit('table:sit_out', { tableId })).toEqual({ ok: true });
    expect(await alice.emit('table:sit', { tableId, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await bob.emit('table:sit', { tableId, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    const stored = async (c: TestClient) =>
      (await s.t.db.seatSession.findFirstOrThrow({ where: { tableId, userId: c.userId, status: 'OPEN' } })).sittingOutSince !== null;
    expect(await Promise.all(players.map(stored))).toEqual([false, false, true]);

    for (const c of [boss, ...players]) c.close();
    await s.server.close(0);
    s = await startTestServer({ database: s.t });
    const back = await Promise.all(players.map(reconnect));
    for (const p of back) await p.watch(tableId);
    // Alice and Bob, restored as away, are sat in on their return and dealt the next hand; Carol is not.
    const [a2, b2, c2] = back as [TestClient, TestClient, TestClient];
    await a2.until(() => {
      const view = a2.view(tableId);
      return !!view && view.street !== 'complete' && (view.seats[0]?.inHand ?? false) && (view.seats[1]?.inHand ?? false);
    }, 10_000, 'a hand dealt to Alice and Bob');
    const during = await c2.snapshot(tableId);
    expect(during.view.seats[2]).toMatchObject({ sittingOut: true, inHand: false, stack: 100 });
    expect(during.you?.seat).toBe(2);

    // Sitting in clears the stored flag: she is dealt in from the next hand on.
    expect(await c2.emit('table:sit_in', { tableId })).toEqual({ ok: true });
    expect(await stored(c2)).toBe(false);
    const bots = [a2, b2, c2].map((p) => autoplay(p, tableId, checkOrFold));
    await c2.until(() => c2.view(tableId)?.seats[2]?.inHand === true, 15_000, 'Carol dealt in');
    bots.forEach((b) => b.stop());
    for (const p of back) p.close();
  });
});

describe('7. a seat with 0 chips at a crash does not become a ghost', () => {
  it('after the restart the player can leave and sit again', async () => {
    const table = lobbyTable((t) => t.maxSeats === 9);
    const dave = await player();
    const erin = await player();
    for (const p of [dave, erin]) await p.watch(table.id);
    await dave.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 40 });
    await erin.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 40 });
    for (const c of [dave, erin]) c.close();
    await s.server.close(0);
    // The hand that busted dave settled just before the process was killed.
    const row = await s.t.db.pokerTable.findUniqueOrThrow({ where: { id: table.id } });
    const seats = await s.t.db.seatSession.findMany({ where: { tableId: table.id, status: 'OPEN' }, orderBy: { seatIndex: 'asc' } });
    const [d, e] = [seats.find((x) => x.userId === dave.userId)!, seats.find((x) => x.userId === erin.userId)!];
    const bust = await s.t.ledger.settleHand({
      tableId: table.id, handNumber: row.handNumber + 1n, ownerEpoch: row.ownerEpoch, rake: 0n, commitment: 'c', seed: 's', record: {},
      seats: [
        { seatSessionId: d.id, userId: dave.userId, seatIndex: 0, contributed: 40n, won: 0n },
        { seatSessionId: e.id, userId: erin.userId, seatIndex: 1, contributed: 40n, won: 80n },
      ],
    });
    expect(bust.ok).toBe(true);
    s = await startTestServer({ database: s.t });
    const daveAgain = await reconnect(dave);
    await daveAgain.watch(table.id);
    const left = await daveAgain.emit('table:leave', { tableId: table.id });
    expect(left.ok ? 'ok' : left.error.code).toBe('table/not_seated');
    expect(await daveAgain.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 40 })).toMatchObject({ ok: true, seat: 0 });
    expect(await daveAgain.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true });
    const erinAgain = await reconnect(erin);
    expect(await erinAgain.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true });
    for (const c of [daveAgain, erinAgain]) c.close();
    expect((await s.t.ledger.reconcile()).violations).toEqual([]);
  });
});

describe('8. equity describes only hands that everyone can see', () => {
  it('all in and called: both hands are turned face up before the run-out, and equity covers exactly those', async () => {
    const { boss, table, alice, bob } = await headsUp('allin', 100);
    const watcher = TestClient.anonymous(s.url);
    await watcher.connect();
    await watcher.watch(table.id);
    const shove: Chooser = (legal) => (legal.canAllIn && !legal.canCall ? { action: 'all_in' } : legal.canCall ? { action: 'call' } : { action: 'all_in' });
    const bots = [autoplay(alice, table.id, shove), autoplay(bob, table.id, shove)];
    // Only hands the watcher saw from their start count (the first one may have been dealt before it watched).
    const events = () => watcher.frames.filter((f) => f.tableId === table.id).flatMap((f) => f.events);
    const equities = () => watcher.received.filter((r) => r.event === 'table:equity').map((r) => JSON.parse(r.json) as { handId: string; seats: { seat: number }[] });
    const seenFromStart = (handId: string) => events().some((e) => e.type === 'hand_started' && e.handId === handId);
    await watcher.until(() => equities().some((e) => seenFromStart(e.handId)), 30_000, 'an equity frame of a hand watched from its start');
    bots.forEach((b) => b.stop());
    const all = events();
    for (const frame of equities().filter((e) => seenFromStart(e.handId))) {
      const started = all.findIndex((e) => e.type === 'hand_started' && e.handId === frame.handId);
      const handEvents = all.slice(started);
      const exposed = handEvents.find((e) => e.type === 'hands_exposed');
      expect(exposed, 'hands exposed before equity').toBeDefined();
      const exposedSeats = exposed && exposed.type === 'hands_exposed' ? exposed.hands.map((h) => h.seat).sort() : [];
      expect(frame.seats.map((x) => x.seat).sort()).toEqual(exposedSeats);
      const firstRunOut = handEvents.findIndex((e) => e.type === 'street_dealt');
      if (firstRunOut >= 0) expect(handEvents.indexOf(exposed!)).toBeLessThan(firstRunOut);
      expect(handEvents.some((e) => e.type === 'hand_mucked')).toBe(false);
    }
    for (const c of [boss, alice, bob, watcher]) c.close();
  });
});

describe('6. a socket does not outlive its session', () => {
  async function login(username: string, password: string): Promise<string> {
    const response = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    expect(response.status).toBe(200);
    return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  }

  function disconnected(client: TestClient): Promise<void> {
    return new Promise((resolve) => {
      if (!client.socket?.connected) return resolve();
      client.socket.once('disconnect', () => resolve());
    });
  }

  it('logout disconnects the sockets of that session: they can no longer sit or cash out', async () => {
    const table = lobbyTable((t) => t.variant === 'PLO');
    const frank = await player();
    await frank.watch(table.id);
    expect(await frank.emit('table:sit', { tableId: table.id, seat: 5, buyIn: 100 })).toMatchObject({ ok: true });
    const gone = disconnected(frank);
    expect((await frank.http('POST', '/api/auth/logout', {})).status).toBe(200);
    await gone;
    // The same (now dead) cookie on a new socket is anonymous.
    const again = new TestClient(s.url, frank.cookie, frank.username);
    await again.connect();
    const leave = await again.emit('table:leave', { tableId: table.id });
    expect(leave.ok ? 'ok' : leave.error.code).toBe('auth/required');
    again.close();
    // Cleanup through a fresh login.
    const fresh = new TestClient(s.url, await login(frank.username, 'correct horse battery'), frank.username);
    await fresh.connect();
    expect(await fresh.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true });
    fresh.close();
  });

  it('a password change ends every other session and disconnects its sockets; the old password stops working', async () => {
    const grace = await player();
    const other = new TestClient(s.url, await login(grace.username, 'correct horse battery'), grace.username);
    await other.connect();
    const wrong = await grace.http<{ ok: boolean; error?: { code: string } }>('POST', '/api/auth/password', { currentPassword: 'not it at all', newPassword: 'a brand new secret' });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    const gone = Promise.all([disconnected(other), disconnected(grace)]);
    const changed = await grace.http('POST', '/api/auth/password', { currentPassword: 'correct horse battery', newPassword: 'a brand new secret' });
    expect(changed.status).toBe(200);
    await gone;
    expect((await other.http('GET', '/api/auth/me')).status).toBe(401);
    const oldLogin = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: grace.username, password: 'correct horse battery' }),
    });
    expect(oldLogin.status).toBe(401);
    await login(grace.username, 'a brand new secret');
  });
});

describe('9. the smaller holes', () => {
  it('chat reaches only a table the socket watches or sits at', async () => {
    const table = lobbyTable((t) => t.maxSeats === 9);
    const heidi = await player();
    const refused = await heidi.emit('table:chat', { tableId: table.id, text: 'hello from nowhere' });
    expect(refused.ok).toBe(false);
    await heidi.watch(table.id);
    expect(await heidi.emit('table:chat', { tableId: table.id, text: 'hello' })).toMatchObject({ ok: true });
    heidi.close();
  });

  it('amounts beyond 2^53 are refused at the edge, and balances always travel as exact numbers', async () => {
    const boss = await admin();
    const ivan = await player();
    const max = Number.MAX_SAFE_INTEGER;
    for (const amount of [max + 2, '9007199254740993', 1e300, -(max + 2)]) {
      const r = await boss.http('POST', '/api/admin/adjustments', { userId: ivan.userId, amount, reason: 'overflow', idempotencyKey: uniqueKey() });
      expect(r.status, String(amount)).toBe(400);
    }
    const near = max - (await walletOf(ivan));
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: ivan.userId, amount: near, reason: 'to the limit', idempotencyKey: uniqueKey() })).status).toBe(200);
    const wallet = await ivan.http<{ balance: number }>('GET', '/api/wallet');
    expect(wallet.status).toBe(200);
    expect(wallet.body.balance).toBe(max);
    await ivan.until(() => ivan.balance === max, 5_000, 'the exact balance pushed to the socket');
    const over = await boss.http<{ error: { code: string } }>('POST', '/api/admin/adjustments', { userId: ivan.userId, amount: 1, reason: 'one more', idempotencyKey: uniqueKey() });
    expect([over.status, over.body.error.code]).toEqual([409, 'amount/too_large']);
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: ivan.userId, amount: -near, reason: 'back', idempotencyKey: uniqueKey() })).status).toBe(200);
    for (const c of [boss, ivan]) c.close();
  });

  it("an admin's adjustment is pushed to the player's sockets with its amount and reason; a replay and other users hear nothing (journey audit)", async () => {
    const boss = await admin();
    const [kim, lou] = [await player(), await player()];
    const adjustments = (c: TestClient) => c.received.filter((r) => r.event === 'wallet:balance').map((r) => JSON.parse(r.json) as { balance: number; adjustment?: unknown }).filter((p) => p.adjustment);
    const key = uniqueKey();
    const credit = { userId: kim.userId, amount: 500, reason: '  Goodwill credit  ', idempotencyKey: key };
    expect((await boss.http('POST', '/api/admin/adjustments', credit)).status).toBe(200);
    await kim.until(() => adjustments(kim).length === 1, 5_000, 'the adjustment pushed');
    expect(adjustments(kim)[0]).toEqual({ balance: (await walletOf(kim)), adjustment: { amount: 500, reason: 'Goodwill credit' } });
    expect((await boss.http('POST', '/api/admin/adjustments', credit)).status).toBe(200); // a replay: nothing new
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: kim.userId, amount: -200, reason: 'Correction', idempotencyKey: uniqueKey() })).status).toBe(200);
    await kim.until(() => adjustments(kim).length === 2, 5_000, 'the debit pushed');
    expect(adjustments(kim)[1]).toMatchObject({ adjustment: { amount: -200, reason: 'Correction' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(adjustments(kim)).toHaveLength(2);
    expect(adjustments(lou)).toEqual([]);
    for (const c of [boss, kim, lou]) c.close();
  });

  it('state-changing requests and socket handshakes from another origin are refused; security headers are set', async () => {
    const judy = await player();
    const evil = await fetch(`${s.url}/api/wallet/buy-chips`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: judy.cookie, origin: 'http://evil.example' },
      body: JSON.stringify({ amountCents: 100, idempotencyKey: uniqueKey() }),
    });
    expect(evil.status).toBe(403);
    const same = await fetch(`${s.url}/api/wallet/buy-chips`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: judy.cookie, origin: s.url },
      body: JSON.stringify({ amountCents: 100, idempotencyKey: uniqueKey() }),
    });
    expect(same.status).toBe(200);
    const { io } = await import('socket.io-client');
    const socket = io(s.url, { transports: ['websocket'], extraHeaders: { cookie: judy.cookie, origin: 'http://evil.example' }, reconnection: false, forceNew: true });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', () => resolve('refused'));
    });
    socket.close();
    expect(outcome).toBe('refused');
    const page = await fetch(`${s.url}/`);
    expect(page.headers.get('content-security-policy')).toBeTruthy();
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    judy.close();
  });
});

describe('5. a folded hand stays private after the hand', () => {
  it('right after a hand, no route gives anyone the seed or a card that was not shown', async () => {
    const { boss, table, alice, bob } = await headsUp('fold', 100);
    const fold: Chooser = () => ({ action: 'fold' });
    const bots = [autoplay(alice, table.id, fold), autoplay(bob, table.id, fold)];
    await alice.until(() => settled(alice, table.id) >= 1, 15_000, 'a folded hand');
    bots.forEach((b) => b.stop());
    const recordId = alice.frames.flatMap((f) => f.events).find((e) => e.type === 'hand_settled');
    if (!recordId || recordId.type !== 'hand_settled') throw new Error('no settled hand');
    const stored = await s.t.db.hand.findUniqueOrThrow({ where: { id: BigInt(recordId.recordId) } });
    const dealt = (stored.record as { holeCards: Record<string, string[]> }).holeCards;
    const stranger = TestClient.anonymous(s.url);
    for (const [who, client, own] of [['stranger', stranger, null], ['alice', alice, '0'], ['bob', bob, '1']] as const) {
      for (const path of [`/api/hands/${recordId.recordId}`, `/api/hands/${recordId.recordId}/verify`, `/api/hands/${recordId.recordId}/history`]) {
        const text = JSON.stringify((await client.http('GET', path)).body);
        expect(text.includes(stored.seed), `${who} ${path}: seed`).toBe(false);
        for (const [seat, cards] of Object.entries(dealt)) {
          if (seat === own) continue;
          expect(text.includes(`"${cards[0]}","${cards[1]}"`) || text.includes(`[${cards.join(' ')}]`), `${who} ${path}: seat ${seat}'s folded cards`).toBe(false);
        }
      }
    }
    for (const p of [alice, bob]) await p.emit('table:leave', { tableId: table.id });
    for (const c of [boss, alice, bob]) c.close();
  });
});

describe('9. a leave asked for during a hand is not forgotten by a restart', () => {
  it('until it happens, sitting out, sitting in and topping up answer table/leave_pending', async () => {
    const { boss, table, alice, bob } = await headsUp('pending');
    await alice.until(() => (s.server.registry.get(table.id)?.handInProgress() ?? false), 5_000, 'a hand');
    // The player not to act leaves (a leave on one's own turn folds the hand at once).
    const leaver = notToAct(table.id, alice, bob);
    expect(await leaver.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: true });
    for (const [event, payload] of [['table:sit_out', {}], ['table:sit_in', {}], ['table:post_blind', { now: true }], ['table:top_up', { amount: 10 }]] as const) {
      expect(await leaver.emit(event, { tableId: table.id, ...payload }), event).toMatchObject({ ok: false, error: { code: 'table/leave_pending' } });
    }
    for (const c of [boss, alice, bob]) c.close();
  });

  it('the player is cashed out by the restarted server', async () => {
    const { boss, table, alice, bob } = await headsUp('leave');
    await alice.until(() => (s.server.registry.get(table.id)?.handInProgress() ?? false), 5_000, 'a hand');
    const kate = notToAct(table.id, alice, bob);
    const liam = kate === alice ? bob : alice;
    expect(await kate.emit('table:leave', { tableId: table.id })).toMatchObject({ ok: true, pending: true });
    expect(s.server.registry.get(table.id)!.handInProgress()).toBe(true);
    for (const c of [boss, kate, liam]) c.close();
    await s.server.close(0);
    s = await startTestServer({ database: s.t });
    expect(s.server.registry.get(table.id)!.seatOf(kate.userId)).toBeNull();
    const wallet = await s.t.db.account.findUniqueOrThrow({ where: { code: `wallet:${kate.userId}` } });
    expect(wallet.balance).toBe(2_000n);
    expect((await s.t.ledger.reconcile()).violations).toEqual([]);
  });
});

describe("the lobby's figures", () => {
  it('average the pots played for (an uncalled bet given back is not in them), and survive a restart', async () => {
    const { boss, table, alice, bob } = await headsUp('lobby');
    const turn = () => [alice, bob].find((p) => p.legal.get(table.id)?.legal != null);
    await alice.until(() => turn() !== undefined, 10_000, 'a turn');
    const first = turn()!;
    // Heads-up, the button posts 1 and acts first: raise to 10, then the big blind folds.
    // 12 went in, 8 of it uncalled and given back: the pot played for is 4.
    expect(await first.emit('table:act', { tableId: table.id, action: 'raise', amount: 10, seq: first.legal.get(table.id)!.seq })).toMatchObject({ ok: true });
    const second = first === alice ? bob : alice;
    await second.until(() => second.legal.get(table.id)?.legal != null, 10_000, "the big blind's turn");
    expect(await second.emit('table:act', { tableId: table.id, action: 'fold', seq: second.legal.get(table.id)!.seq })).toMatchObject({ ok: true });
    await alice.until(() => settled(alice, table.id) === 1, 10_000, 'the hand settled');
    const row = () => s.server.registry.listLobby().find((t) => t.id === table.id)!;
    expect(row()).toMatchObject({ averagePot: 4, handsPerHour: 1 });

    for (const c of [boss, alice, bob]) c.close();
    await s.server.close(0);
    s = await startTestServer({ database: s.t });
    expect(row()).toMatchObject({ averagePot: 4, handsPerHour: 1 });
  });
});
