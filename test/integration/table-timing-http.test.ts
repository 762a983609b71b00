import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LobbyTable, TableFrame } from '../../server/protocol';
import { autoplay } from '../support/autoplay';
import { uniqueKey } from '../support/db';
import { TestClient } from '../support/poker-client';
import { FAST_TABLES, startTestServer, type TestServer } from '../support/server';

// Issue #13 through the real server: the admin's POST /api/admin/tables takes a table's own
// showdown hold and run-out pace, refuses values out of range (400 request/invalid naming
// the field, nothing created, nothing audited), the table snapshot over Socket.IO carries
// the pace the table keeps, and a table created with a hold of HOLD_MS really keeps a
// showdown on the felt that long before the next deal, on a server whose own hold is none.

const HOLD_MS = 1_500;
let s: TestServer;
let boss: TestClient;
beforeAll(async () => {
  s = await startTestServer(); // FAST_TABLES: hand interval 30 ms, no showdown hold of its own
  boss = await client();
  await s.t.db.user.update({ where: { id: boss.userId }, data: { role: 'ADMIN' } });
});
afterAll(async () => {
  boss?.close();
  await s?.close();
});

let users = 0;
async function client(): Promise<TestClient> {
  const c = await TestClient.signup(s.url, `timing_${++users}_${process.pid % 1000}`);
  await c.buyChips(2_000);
  await c.connect();
  return c;
}

const table = (extra: Record<string, unknown> = {}) => ({
  name: `timing-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, ...extra,
});

async function create(extra: Record<string, unknown> = {}) {
  return boss.http<{ table: LobbyTable; error?: { code: string; message: string } }>('POST', '/api/admin/tables', table(extra));
}

describe('POST /api/admin/tables with a pace of its own', () => {
  it('refuses values out of range with request/invalid naming the field, creating and recording nothing', async () => {
    const counts = async () => ({
      rows: await s.t.db.pokerTable.count(),
      audit: await s.t.db.adminAction.count({ where: { action: 'table.create' } }),
      lobby: (await boss.http<{ tables: LobbyTable[] }>('GET', '/api/tables')).body.tables.length,
    });
    const before = await counts();
    const bad: [Record<string, unknown>, string][] = [
      [{ showdownHoldMs: 60_001 }, 'showdownHoldMs'],
      [{ showdownHoldMs: -1 }, 'showdownHoldMs'],
      [{ showdownHoldMs: 1_500.5 }, 'showdownHoldMs'],
      [{ showdownHoldMs: '1500' }, 'showdownHoldMs'],
      [{ showdownHoldMs: true }, 'showdownHoldMs'],
      [{ runOutStreetMs: 10_001 }, 'runOutStreetMs'],
      [{ runOutStreetMs: -1 }, 'runOutStreetMs'],
      [{ showdownHoldMs: 4_000, runOutStreetMs: [500] }, 'runOutStreetMs'],
    ];
    for (const [extra, field] of bad) {
      const r = await create(extra);
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(r.body).toMatchObject({ ok: false, error: { code: 'request/invalid' } });
      expect(r.body.error!.message).toMatch(new RegExp(`^${field}: must be a whole number of milliseconds from 0 to `));
    }
    expect(await counts()).toEqual(before);
  });

  it('stores the values given; null or absent leaves the server setting; the snapshot carries the pace kept', async () => {
    const own = await create({ showdownHoldMs: 4_000, runOutStreetMs: 0 });
    const defaults = await create({ showdownHoldMs: null });
    expect([own.status, defaults.status]).toEqual([201, 201]);
    const ids = [own.body.table.id, defaults.body.table.id];
    const rows = await s.t.db.pokerTable.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' }, select: { showdownHoldMs: true, runOutStreetMs: true } });
    expect(rows).toEqual([{ showdownHoldMs: 4_000, runOutStreetMs: 0 }, { showdownHoldMs: null, runOutStreetMs: null }]);
    const audit = await s.t.db.adminAction.findFirst({ where: { action: 'table.create', targetId: String(ids[0]) } });
    expect(audit?.details).toMatchObject({ showdownHoldMs: 4_000, runOutStreetMs: 0 });

    const watcher = await client();
    const handIntervalMs = FAST_TABLES.handIntervalMs!;
    expect((await watcher.watch(ids[0]!)).timing).toEqual({ showdownHoldMs: 4_000, runOutStreetMs: 0, handIntervalMs });
    // The server's own hold (0) is shorter than its hand interval: the interval is what a showdown gets.
    expect((await watcher.snapshot(ids[1]!)).timing).toEqual({ showdownHoldMs: handIntervalMs, runOutStreetMs: FAST_TABLES.runOutStreetMs, handIntervalMs });
    watcher.close();
  });
});

describe('a showdown at a table with its own hold', () => {
  it(`stays on the felt at least ${HOLD_MS} ms before the next deal`, async () => {
    const created = await create({ showdownHoldMs: HOLD_MS });
    expect(created.status).toBe(201);
    const tableId = created.body.table.id;
    const [alice, bob, carol] = [await client(), await client(), await client()];
    const seen: { at: number; frame: TableFrame }[] = [];
    carol.socket!.on('table:frame', (frame: TableFrame) => {
      if (frame.tableId === tableId) seen.push({ at: Date.now(), frame });
    });
    expect((await carol.watch(tableId)).timing.showdownHoldMs).toBe(HOLD_MS);
    for (const c of [alice, bob]) await c.watch(tableId);
    expect(await alice.emit('table:sit', { tableId, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
    expect(await bob.emit('table:sit', { tableId, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
    // Both check or call every street: every hand goes to a showdown and both keep chips.
    const players = [alice, bob].map((c) => autoplay(c, tableId, (legal) => ({ action: legal.canCheck ? 'check' : 'call' })));
    const has = (frame: TableFrame, type: string) => frame.events.some((e) => e.type === type);
    const showdownAt = () => seen.findIndex((x) => has(x.frame, 'hand_shown') && has(x.frame, 'hand_settled'));
    await carol.until(() => showdownAt() >= 0, 20_000, 'a showdown');
    const showdown = seen[showdownAt()]!;
    await carol.until(() => seen.slice(showdownAt()).some((x) => has(x.frame, 'hand_started')), HOLD_MS + 5_000, 'the next deal');
    for (const p of players) p.stop();
    expect(players.flatMap((p) => p.errors)).toEqual([]);
    const next = seen.slice(showdownAt()).find((x) => has(x.frame, 'hand_started'))!;
    // Measured on arrival at the spectator: the server counts from the settlement, which
    // comes a moment before its frame is sent, so allow that moment.
    const heldMs = next.at - showdown.at;
    expect(heldMs).toBeGreaterThanOrEqual(HOLD_MS - 25);
    expect(heldMs).toBeLessThan(HOLD_MS + 1_000);
    for (const c of [alice, bob, carol]) c.close();
  });
});
