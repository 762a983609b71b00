import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GameEvent } from '../../server/poker';
import type { EquityFrame, LobbyTable, TableFrame } from '../../server/protocol';
import { uniqueKey } from '../support/db';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// Issue #13 over the public Socket.IO protocol: `table:show` reveals a player's own cards of
// the hand that just ended to everyone at the table (players and spectators), and nothing
// else: not someone else's cards, not during a hand, not twice, not for a spectator. And an
// all-in run-out reaches a spectator street by street, with equity per street.

const HAND_INTERVAL_MS = 2_500;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ tableSettings: { handIntervalMs: HAND_INTERVAL_MS, showdownHoldMs: 3_000, runOutStreetMs: 400 } });
});
afterAll(async () => {
  await s?.close();
});

let users = 0;
async function client(chipsCents = 2_000): Promise<TestClient> {
  const c = await TestClient.signup(s.url, `show_${++users}_${process.pid % 1000}`);
  await c.buyChips(chipsCents);
  await c.connect();
  return c;
}

/** A fresh heads-up table, two players seated and a spectator watching; resolves once the first hand is dealt. */
async function headsUp(prefix: string) {
  const boss = await client();
  await s.t.db.user.update({ where: { id: boss.userId }, data: { role: 'ADMIN' } });
  const created = await boss.http<{ table: LobbyTable }>('POST', '/api/admin/tables', {
    name: `${prefix}-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
  });
  expect(created.status).toBe(201);
  const tableId = created.body.table.id;
  const alice = await client();
  const bob = await client();
  const carol = await client(); // watches only
  for (const c of [alice, bob, carol]) await c.watch(tableId);
  expect(await alice.emit('table:sit', { tableId, seat: 0, buyIn: 100 })).toMatchObject({ ok: true });
  expect(await bob.emit('table:sit', { tableId, seat: 1, buyIn: 100 })).toMatchObject({ ok: true });
  await carol.until(() => (carol.view(tableId)?.toAct ?? null) !== null, 15_000, 'the first deal');
  return { tableId, alice, bob, carol, players: [alice, bob] };
}

const events = (c: TestClient, tableId: number): GameEvent[] =>
  c.frames.filter((f: TableFrame) => f.tableId === tableId).flatMap((f) => f.events as GameEvent[]);
const holeOf = (c: TestClient, tableId: number) =>
  (events(c, tableId).filter((e) => e.type === 'hole_cards').at(-1) as Extract<GameEvent, { type: 'hole_cards' }>).cards;

describe('table:show', () => {
  it('the folder shows after the hand: everyone sees it once; the hostile variants are refused', async () => {
    const { tableId, carol, players } = await headsUp('show');
    const seat = carol.view(tableId)!.toAct!;
    const folder = players[seat]!;
    const winner = players[1 - seat]!;
    const folderCards = holeOf(folder, tableId);
    const winnerCards = holeOf(winner, tableId);

    // Before the end of the hand.
    expect(await folder.emit('table:show', { tableId })).toMatchObject({ ok: false, error: { code: 'hand/in_progress' } });
    expect(await folder.emit('table:act', { tableId, action: 'fold', seq: folder.lastSeq.get(tableId)! })).toMatchObject({ ok: true });
    await carol.until(() => carol.view(tableId)?.street === 'complete', 5_000, 'the hand to end');

    // Someone else's cards: the payload cannot name a seat or a user.
    expect(await folder.emit('table:show', { tableId, seat: 1 - seat })).toMatchObject({ ok: false, error: { code: 'request/invalid' } });
    expect(await folder.emit('table:show', { tableId, userId: winner.userId })).toMatchObject({ ok: false, error: { code: 'request/invalid' } });
    // A spectator has nothing to show; an anonymous socket is not even a player.
    expect(await carol.emit('table:show', { tableId })).toMatchObject({ ok: false, error: { code: 'table/not_seated' } });
    const anonymous = TestClient.anonymous(s.url);
    await anonymous.connect();
    expect(await anonymous.emit('table:show', { tableId })).toMatchObject({ ok: false, error: { code: 'auth/required' } });
    anonymous.close();
    expect(await folder.emit('table:show', { tableId: 999_999 })).toMatchObject({ ok: false, error: { code: 'table/not_found' } });

    // The folder's own cards, once, to everyone.
    expect(await folder.emit('table:show', { tableId })).toEqual({ ok: true });
    const shown = { type: 'cards_shown', seat, cards: folderCards };
    for (const c of [carol, winner, folder]) {
      await c.until(() => events(c, tableId).some((e) => e.type === 'cards_shown'), 5_000, 'cards_shown');
      expect(events(c, tableId).filter((e) => e.type === 'cards_shown')).toEqual([shown]);
      expect(c.view(tableId)!.seats[seat]!.holeCards).toEqual(folderCards);
    }
    // Twice: refused, nothing sent again.
    expect(await folder.emit('table:show', { tableId })).toMatchObject({ ok: false, error: { code: 'show/already_face_up' } });
    // A snapshot shows the same thing to a newcomer.
    expect((await carol.snapshot(tableId)).view.seats[seat]!.holeCards).toEqual(folderCards);
    // The winner did not show: their cards never reached the spectator or the folder.
    for (const c of [carol, folder]) expect(c.received.map((r) => r.json).join('')).not.toContain(JSON.stringify(winnerCards));

    // Until the next deal only.
    await carol.until(() => carol.view(tableId)?.street === 'preflop', HAND_INTERVAL_MS + 5_000, 'the next deal');
    expect(carol.view(tableId)!.seats[seat]!.holeCards).toBeNull();
    expect(await folder.emit('table:show', { tableId })).toMatchObject({ ok: false, error: { code: 'hand/in_progress' } });
    for (const c of [folder, winner, carol]) c.close();
  });
});

describe('an all-in run-out seen by a spectator', () => {
  it('hands face up before the flop, then flop, turn and river runOutStreetMs apart, equity on each street', async () => {
    const { tableId, carol, players } = await headsUp('runout');
    const equities: { at: number; frame: EquityFrame }[] = [];
    carol.socket!.on('table:equity', (frame: EquityFrame) => equities.push({ at: Date.now(), frame }));
    const dealt: { at: number; street: string }[] = [];
    let exposedAt = 0;
    carol.socket!.on('table:frame', (frame: TableFrame) => {
      for (const e of frame.events) {
        if (e.type === 'street_dealt') dealt.push({ at: Date.now(), street: e.street });
        if (e.type === 'hands_exposed') exposedAt = Date.now();
      }
    });
    const first = players[carol.view(tableId)!.toAct!]!;
    expect(await first.emit('table:act', { tableId, action: 'all_in', seq: first.lastSeq.get(tableId)! })).toMatchObject({ ok: true });
    const second = players.find((p) => p !== first)!;
    await second.until(() => (second.legal.get(tableId)?.legal ?? null) !== null, 5_000, 'the call');
    expect(await second.emit('table:act', { tableId, action: 'call', seq: second.lastSeq.get(tableId)! })).toMatchObject({ ok: true });
    await carol.until(() => exposedAt > 0, 5_000, 'the hands face up');
    const view = carol.view(tableId)!;
    expect(view.board).toEqual([]);
    expect(view.seats.map((x) => x!.holeCards)).toEqual([holeOf(players[0]!, tableId), holeOf(players[1]!, tableId)]);
    await carol.until(() => carol.view(tableId)?.street === 'complete', 10_000, 'the end of the run-out');
    expect(dealt.map((d) => d.street)).toEqual(['flop', 'turn', 'river']);
    const gaps = [dealt[0]!.at - exposedAt, dealt[1]!.at - dealt[0]!.at, dealt[2]!.at - dealt[1]!.at];
    // Arrival times: a frame delivered late shortens the gap after it (a CI run saw 336 ms for
    // a 400 ms wait). Each street still waited (unpaced, they come within a few ms), and in all
    // the run-out took its three waits, give or take the delivery of the first frame.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(200);
    expect(dealt[2]!.at - exposedAt).toBeGreaterThanOrEqual(3 * 400 - 100);
    // Equity on the flop and on the turn (computed at once), and before the flop (the worker)
    // unless it came too late: a street's equity is never sent once the next street is out.
    await carol.until(() => equities.some((e) => e.frame.board.length === 4), 5_000, 'equity per street');
    const lengths = equities.map((e) => e.frame.board.length);
    expect(lengths.filter((n) => n > 0)).toEqual([3, 4]);
    expect(lengths.filter((n) => n === 0).length).toBeLessThanOrEqual(1);
    const starts = [exposedAt, ...dealt.map((d) => d.at)];
    for (const { at, frame } of equities) {
      const street = [0, 3, 4, 5].indexOf(frame.board.length);
      expect(at).toBeGreaterThanOrEqual(starts[street]!);
      expect(at).toBeLessThanOrEqual(starts[street + 1]! + 50);
    }
    for (const p of players) p.close();
    carol.close();
  });
});
