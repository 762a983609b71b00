import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// Acceptance (issue 4, #3 and #5): out-of-turn, stale-seq, wrong-amount,
// malformed and oversized messages each get the right error code and change
// nothing; a player who drops mid-hand and comes back within the grace period
// keeps playing with the right state, and after it is sat out.

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ tableSettings: { handIntervalMs: 50, disconnectGraceMs: 1_500 } });
});
afterAll(async () => {
  await s?.close();
});

async function seatedPair(seatNames: [string, string]) {
  const created = await s.server.registry.createTable({
    name: `hu-${seatNames[0]}`, variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
  });
  if (!created.ok) throw new Error(created.error.message);
  const table = created.value;
  const a = await TestClient.signup(s.url, seatNames[0]);
  const b = await TestClient.signup(s.url, seatNames[1]);
  for (const p of [a, b]) {
    await p.buyChips(1_000);
    await p.connect();
    await p.watch(table.id);
  }
  expect((await a.emit('table:sit', { tableId: table.id, seat: 0, buyIn: 100 })).ok).toBe(true);
  expect((await b.emit('table:sit', { tableId: table.id, seat: 1, buyIn: 100 })).ok).toBe(true);
  await a.until(() => (a.legal.get(table.id)?.legal ?? b.legal.get(table.id)?.legal) != null, 10_000, 'a turn');
  const [toAct, waiting] = a.legal.get(table.id)?.legal ? [a, b] : [b, a];
  return { table, toAct, waiting };
}

describe('bad messages change nothing', () => {
  it('answers each with the right code', async () => {
    const { table, toAct, waiting } = await seatedPair(['proto_a', 'proto_b']);
    const tableId = table.id;
    const before = await toAct.snapshot(tableId);
    const seq = before.seq;
    const code = async (client: TestClient, event: string, payload: unknown) => {
      const ack = await client.emit(event, payload);
      return ack.ok ? 'ok' : ack.error.code;
    };
    expect(await code(waiting, 'table:act', { tableId, action: 'check', seq })).toBe('turn/not_your_turn');
    expect(await code(toAct, 'table:act', { tableId, action: 'call', seq: seq - 1 })).toBe('seq/stale');
    expect(await code(toAct, 'table:act', { tableId, action: 'raise', amount: 3, seq })).toBe('bet/below_min_raise');
    expect(await code(toAct, 'table:act', { tableId, action: 'raise', amount: 100_000, seq })).toBe('bet/above_max');
    expect(await code(toAct, 'table:act', { tableId, action: 'check', seq })).toBe('action/illegal');
    expect(await code(toAct, 'table:act', { tableId, action: 'raise', amount: 5.5, seq })).toBe('request/invalid');
    expect(await code(toAct, 'table:act', { tableId, action: 'raise', amount: -6, seq })).toBe('request/invalid');
    expect(await code(toAct, 'table:act', { tableId, action: 'raise', amount: '6', seq })).toBe('request/invalid');
    expect(await code(toAct, 'table:act', { tableId, action: 'shove', seq })).toBe('request/invalid');
    expect(await code(toAct, 'table:act', { tableId, action: 'call', seq, seat: 1 })).toBe('request/invalid');
    expect(await code(toAct, 'table:act', { tableId, action: 'call', seq, userId: 99 })).toBe('request/invalid');
    // An amount goes with bet and raise only: with a call (meant as a raise?) it is refused, not ignored.
    for (const action of ['fold', 'call', 'check', 'all_in']) {
      expect(await code(toAct, 'table:act', { tableId, action, amount: 6, seq }), action).toBe('request/invalid');
    }
    expect(await code(toAct, 'table:act', null)).toBe('request/invalid');
    // A lastHandId that no hand ever had (number 0, far ahead, a future epoch) is not "cancelled".
    for (const lastHandId of [`${tableId}-0-e0`, `${tableId}-99999-e0`, `${tableId}-1-e99999`, `${tableId}-0-e1`]) {
      const watched = await toAct.emit<{ cancelledHandId?: string }>('table:watch', { tableId, lastHandId });
      expect(watched.ok && watched.cancelledHandId, lastHandId).toBeUndefined();
    }
    expect(await code(toAct, 'table:chat', { tableId, text: 'x'.repeat(5_000) })).toBe('request/too_large');
    // 280 characters: an emoji counts as one (280 of them are 560 UTF-16 units), the 281st is refused.
    expect(await code(toAct, 'table:chat', { tableId, text: '\u{1F0A1}'.repeat(280) })).toBe('ok');
    expect(await code(toAct, 'table:chat', { tableId, text: 'x'.repeat(281) })).toBe('request/invalid');
    // Emoji sequences joined by U+200D stay; direction overrides, isolates and invisible characters do not (audit 5).
    expect(await code(toAct, 'table:chat', { tableId, text: 'gg \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \u2764\uFE0F' })).toBe('ok');
    // Nor a line or paragraph separator, or a letter that shows as nothing (audit 6).
    const blanks = ['gg\u2028Dealer: me wins the pot (9999)', 'gg\u2029x', 'gg \u3164', '\u2800 ', 'a\u115Fb', 'a\uFFA0b',
      '\uFE0F', 'a\u180Bb', 'a\u{E0100}', 'a\u{E0080}', `a${'\u0300'.repeat(270)}`]; // audit 7
    for (const text of ['nul\u0000here', 'half \uD83C a card', 'two\nlines', 'bell\u0007', 'gg \u202Ekcuf', 'Dealer:\u200B alice shows [Ah As]', 'a\u2066b\u2069', 'soft\u00ADhyphen', ...blanks]) {
      expect(await code(toAct, 'table:chat', { tableId, text }), JSON.stringify(text)).toBe('request/invalid');
    }
    expect(await code(toAct, 'table:fly', { tableId })).toBe('request/unknown_event');
    // Every message is answered exactly once, whatever its arguments: none, or more than one.
    const raw = toAct.socket!.timeout(5_000);
    const rawCode = (ack: { ok: boolean; error?: { code: string } }) => (ack.ok ? 'ok' : ack.error!.code);
    expect(rawCode(await raw.emitWithAck('table:watch'))).toBe('request/invalid');
    expect(rawCode(await raw.emitWithAck('table:act'))).toBe('request/invalid');
    expect(rawCode(await raw.emitWithAck('lobby:subscribe'))).toBe('ok');
    expect(rawCode(await raw.emitWithAck('table:act', { tableId, action: 'call', seq }, 'extra'))).toBe('request/invalid');
    expect(rawCode(await raw.emitWithAck('table:snapshot', { tableId }, { tableId }))).toBe('request/invalid');
    expect(rawCode(await raw.emitWithAck('lobby:unsubscribe'))).toBe('ok');
    expect(await code(toAct, 'table:act', { tableId: 999_999, action: 'call', seq })).toBe('table/not_found');
    expect(await code(toAct, 'table:sit', { tableId, seat: 1, buyIn: 100 })).toBe('table/already_seated');
    // A malformed idempotency key has its own code, over the socket as over HTTP.
    for (const idempotencyKey of ['', 'k'.repeat(201), 'clé', 'nul\u0000', 7]) {
      expect(await code(toAct, 'table:top_up', { tableId, amount: 10, idempotencyKey }), JSON.stringify(idempotencyKey)).toBe('idempotency/key_invalid');
      expect(await code(toAct, 'table:sit', { tableId, seat: 1, buyIn: 100, idempotencyKey }), JSON.stringify(idempotencyKey)).toBe('idempotency/key_invalid');
    }
    const stranger = TestClient.anonymous(s.url);
    await stranger.connect();
    expect(await code(stranger, 'table:act', { tableId, action: 'call', seq })).toBe('auth/required');
    expect(await code(stranger, 'table:sit', { tableId, seat: 1, buyIn: 100 })).toBe('auth/required');

    const after = await toAct.snapshot(tableId);
    expect(after.seq).toBe(seq);
    expect(after.view).toEqual(before.view);

    // A frame larger than the socket buffer limit closes that connection; the table is unaffected.
    const disconnected = new Promise<string>((resolve) => stranger.socket!.once('disconnect', (reason) => resolve(reason)));
    stranger.socket!.emit('table:chat', { tableId, text: 'y'.repeat(40_000) });
    expect(await disconnected).toMatch(/transport/);
    expect((await toAct.snapshot(tableId)).seq).toBe(seq);
    expect(await code(toAct, 'table:act', { tableId, action: 'call', seq })).toBe('ok');
    for (const c of [toAct, waiting]) c.close();
  });
});

describe('chat ids', () => {
  // A client may send its own id with a chat line (`chatId`): the table posts a line once per id
  // and sender, so a line sent again after no answer in time is not posted twice; the id is the
  // sender's own (the same id from another player is their own line), and a repeat spends no chat budget.
  it("a line sent again with its id is posted once; ids are the sender's own and are validated", async () => {
    const { table, toAct: a, waiting: b } = await seatedPair(['chatid_a', 'chatid_b']);
    const tableId = table.id;
    const lines = (client: TestClient) => client.received.filter((r) => r.event === 'table:chat').map((r) => JSON.parse(r.json) as { userId: number; text: string; chatId?: string });
    const code = async (client: TestClient, payload: unknown) => {
      const ack = await client.emit('table:chat', payload);
      return ack.ok ? 'ok' : ack.error.code;
    };
    // Sent ten times (more than the chat budget of 5 per 10 s): one broadcast, each send answered ok.
    for (let i = 0; i < 10; i++) expect(await code(a, { tableId, text: 'gg once', chatId: 'line-1' })).toBe('ok');
    // The same id from another player is that player's own line.
    expect(await code(b, { tableId, text: 'gg mine', chatId: 'line-1' })).toBe('ok');
    expect(await code(a, { tableId, text: 'gg twice', chatId: 'line-2' })).toBe('ok');
    expect(await code(a, { tableId, text: 'no id' })).toBe('ok');
    await b.until(() => lines(b).some((m) => m.text === 'no id'), 5_000, 'the last line');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines(b).map((m) => [m.text, m.chatId])).toEqual([['gg once', 'line-1'], ['gg mine', 'line-1'], ['gg twice', 'line-2'], ['no id', undefined]]);
    expect(lines(a)).toEqual(lines(b));
    for (const chatId of ['', 'x'.repeat(65), 'clé', 'with space', 'tab\t', 7, null]) {
      expect(await code(a, { tableId, text: 'bad id', chatId }), JSON.stringify(chatId)).toBe('request/invalid');
    }
  });
});

describe('disconnect and reconnect', () => {
  it('a player who comes back within the grace period keeps playing; after it, they are sat out', async () => {
    const { table, toAct, waiting } = await seatedPair(['recon_a', 'recon_b']);
    const tableId = table.id;
    // The player to act drops mid-hand ...
    toAct.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // ... and comes back within the grace period: same seat, same hand, still their turn.
    const back = new TestClient(s.url, toAct.cookie, toAct.username);
    await back.connect();
    const snap = await back.watch(tableId);
    expect(snap.you?.seat).not.toBeNull();
    expect(snap.view.seats[snap.you!.seat!]?.holeCards).toHaveLength(2);
    expect(snap.you?.legal).not.toBeNull();
    expect(snap.players.find((p) => p.seat === snap.you!.seat)!.connected).toBe(true);
    const ack = await back.emit('table:act', { tableId, action: 'call', seq: snap.seq });
    expect(ack.ok).toBe(true);

    // Now drop for longer than the grace period: the player is sat out.
    back.close();
    await waiting.until(() => {
      const seat = waiting.frames.flatMap((f) => f.events).some((e) => e.type === 'sat_out' && e.seat === snap.you!.seat);
      return seat;
    }, 15_000, 'the disconnected player to be sat out');
    const view = await waiting.snapshot(tableId);
    expect(view.view.seats[snap.you!.seat!]?.sittingOut).toBe(true);
    waiting.close();
  });
});

describe('pending requests in the snapshot', () => {
  it('a player who reconnects mid-hand reads their queued top-ups in the snapshot, in order; nobody else does; they end at the boundary', async () => {
    const { table, toAct, waiting } = await seatedPair(['pend_a', 'pend_b']);
    const tableId = table.id;
    expect(await waiting.emit('table:top_up', { tableId, amount: 30 })).toMatchObject({ ok: true, pending: true });
    expect(await waiting.emit('table:top_up', { tableId, amount: 20 })).toMatchObject({ ok: true, pending: true });
    // The player drops and comes back while the hand is on (their chips_added would be missed).
    waiting.close();
    const back = new TestClient(s.url, waiting.cookie, waiting.username);
    await back.connect();
    const mine = await back.watch(tableId);
    expect(mine.you?.pendingTopUps).toEqual([30, 20]);
    // The other player and a spectator see none of it.
    expect((await toAct.snapshot(tableId)).you?.pendingTopUps).toEqual([]);
    const spectator = TestClient.anonymous(s.url);
    await spectator.connect();
    expect((await spectator.watch(tableId)).you).toBeNull();
    // The hand ends (fold): the boundary applies both, in the order asked (101 + 30 + 20 <= 200).
    expect((await toAct.emit('table:act', { tableId, action: 'fold', seq: mine.seq })).ok).toBe(true);
    const added = () => back.frames.flatMap((f) => f.events).flatMap((e) => (e.type === 'chips_added' && e.seat === mine.you!.seat ? [e.amount] : []));
    await back.until(() => added().length === 2, 10_000, 'both top-ups applied');
    expect(added()).toEqual([30, 20]);
    const after = await back.snapshot(tableId);
    expect(after.you?.pendingTopUps).toEqual([]);
    for (const c of [back, toAct, spectator]) c.close();
  });
});

describe('a broken invariant is counted', () => {
  it('chips moved into a seat behind the table\'s back stop it at the next money step; /metrics counts the rebuild as an invariant', async () => {
    const created = await s.server.registry.createTable({
      name: 'tampered', variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
    });
    if (!created.ok) throw new Error(created.error.message);
    const tableId = created.value.id;
    const alone = await TestClient.signup(s.url, 'tamper_a');
    await alone.buyChips(1_000);
    await alone.connect();
    await alone.watch(tableId);
    expect((await alone.emit('table:sit', { tableId, seat: 0, buyIn: 100 })).ok).toBe(true);
    const counted = async () => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return Number(/^poker_table_rebuilds_total\{cause="invariant"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await counted();
    // The ledger moves 10 chips to the seat without the table (no hand runs with one player).
    const seat = await s.t.db.seatSession.findFirstOrThrow({ where: { tableId, userId: alone.userId, status: 'OPEN' } });
    expect((await s.t.ledger.topUp({ seatSessionId: seat.id, amount: 10n, idempotencyKey: 'behind-its-back' })).ok).toBe(true);
    // The leave's cash-out pays 110 where the table holds 100: the table stops and is rebuilt.
    await alone.emit('table:leave', { tableId });
    await expect.poll(counted, { timeout: 10_000 }).toBe(before + 1);
    alone.close();
  });
});
