import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandReplay } from '../../server/poker/history';
import { autoplay, prng, type AutoPlayer, type Chooser } from '../support/autoplay';
import { TestClient } from '../support/poker-client';
import { checkChips, parseHand, parseHistoryFile, type PsHand } from '../support/pokerstars-parser';
import { startTestServer, type TestServer } from '../support/server';
import { HAND_READS } from '../../server/http/hands';
import { threadCpuSeconds } from '../../server/thread-cpu';

// Issue #13: hand histories that trackers import, the "download my hands" export and the
// replay, over real HTTP on hands that a real server played (three players at a Hold'em and
// an Omaha table, random legal actions with all-ins, so side pots, uncalled bets and
// showdowns come up). Every history parses back with the PokerStars parser, its chips agree
// with the ledger's hand rows, and no viewer ever gets a card that was neither theirs nor
// shown: not in the text, not in the replay.

const HANDS_PER_TABLE_MIN = 12;

let s: TestServer;
let players: TestClient[];
let watcher: TestClient;
let anonymous: TestClient;
let tables: { id: number; name: string }[];

interface StoredHand {
  id: bigint;
  tableId: number;
  createdAt: Date;
  record: { holeCards: Record<string, string[]>; shownSeats: number[] };
  players: { userId: number; seatIndex: number; contributed: bigint; won: bigint }[];
}
let hands: StoredHand[];

/** Mostly calls and checks, with raises, bets, folds and now and then an all-in. */
function chooser(rand: (n: number) => number): Chooser {
  return (legal) => {
    const roll = rand(100);
    if (roll < 6 && legal.canAllIn) return { action: 'all_in' };
    if (roll < 20 && legal.minRaiseTo !== undefined) return { action: 'raise', amount: legal.minRaiseTo };
    if (roll < 30 && legal.minBet !== undefined) return { action: 'bet', amount: legal.minBet };
    if (roll < 45 && legal.canFold && !legal.canCheck) return { action: 'fold' };
    return legal.canCheck ? { action: 'check' } : { action: 'call' };
  };
}

const settled = (c: TestClient, tableId: number) =>
  c.frames.filter((f) => f.tableId === tableId).flatMap((f) => f.events).filter((e) => e.type === 'hand_settled').length;

beforeAll(async () => {
  s = await startTestServer();
  const lobby = s.server.registry.listLobby();
  tables = [lobby.find((t) => t.name === 'Main Street 1/2')!, lobby.find((t) => t.name === 'Omaha Lounge 1/2')!];
  players = [];
  for (const name of ['hxalice', 'hxbob', 'hxcarol']) {
    const p = await TestClient.signup(s.url, name);
    await p.buyChips(10_000);
    await p.connect();
    players.push(p);
  }
  watcher = await TestClient.signup(s.url, 'hxwatcher');
  anonymous = TestClient.anonymous(s.url);
  const autoplayers: AutoPlayer[] = [];
  for (const table of tables) {
    for (const [i, p] of players.entries()) {
      await p.watch(table.id);
      // Unequal stacks: an all-in of the short stack makes side pots.
      const sat = await p.emit('table:sit', { tableId: table.id, seat: i * 2, buyIn: [200, 60, 120][i]! });
      expect(sat.ok).toBe(true);
      autoplayers.push(autoplay(p, table.id, chooser(prng(17 + i + table.id * 7))));
    }
  }
  // A player who lost their stack tops up and sits back in, so both tables keep dealing.
  const toppingUp = new Set<string>();
  const rebuys = setInterval(() => {
    for (const table of tables) {
      for (const [i, p] of players.entries()) {
        const seat = p.view(table.id)?.seats[i * 2];
        const key = `${table.id}:${i}`;
        if (!seat || seat.stack > 0 || !seat.sittingOut || toppingUp.has(key)) continue;
        toppingUp.add(key);
        void p.emit('table:top_up', { tableId: table.id, amount: 100 })
          .then(() => p.until(() => (p.view(table.id)?.seats[i * 2]?.stack ?? 0) > 0, 10_000, 'the top-up'))
          .then(() => p.emit('table:sit_in', { tableId: table.id }))
          .catch(() => undefined)
          .finally(() => toppingUp.delete(key));
      }
    }
  }, 100);
  const handOn = (tableId: number) => s.server.registry.get(tableId)!.snapshot(null).view.street !== 'complete';
  try {
    await players[0]!.until(() => tables.every((t) => settled(players[0]!, t.id) >= HANDS_PER_TABLE_MIN), 90_000, 'hands at both tables');
    // Stop between hands: no rebuy left in flight, everyone sits out of the next deal and
    // plays the hand in progress to its end. (Stopping mid-hand left a hand that the action
    // clock finished later, after `hands` was read: one hand more in the export than here.)
    clearInterval(rebuys);
    await players[0]!.until(() => toppingUp.size === 0, 15_000, 'the rebuys in flight');
    for (const table of tables) for (const p of players) await p.emit('table:sit_out', { tableId: table.id });
    await players[0]!.until(() => tables.every((t) => !handOn(t.id)), 60_000, 'the hands in progress to end');
  } finally {
    clearInterval(rebuys);
    autoplayers.forEach((a) => a.stop());
  }
  for (const t of tables) await s.server.registry.get(t.id)!.idle();
  expect(tables.some((t) => handOn(t.id)), 'a hand was dealt after everyone sat out').toBe(false);
  hands = (await s.t.db.hand.findMany({ include: { players: true }, orderBy: { id: 'asc' } })) as unknown as StoredHand[];
}, 150_000);

afterAll(async () => {
  for (const c of [...(players ?? []), watcher]) c?.close();
  await s?.close();
});

async function getText(client: TestClient, path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${s.url}${path}`, { headers: client.cookie ? { cookie: client.cookie } : {} });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Cards printed in brackets ("[Ah Kd]") or as JSON strings. */
function cardsIn(body: string): Set<string> {
  const bracketed = [...body.matchAll(/\[([^\]]+)\]/g)].flatMap((m) => m[1]!.split(' '));
  const quoted = [...body.matchAll(/"([2-9TJQKA][cdhs])"/g)].map((m) => m[1]!);
  return new Set([...bracketed, ...quoted]);
}

/** The cards of every seat that was neither the viewer's nor shown (exposed all-in hands are in shownSeats). */
function hiddenCards(hand: StoredHand, viewerSeat: number | null): string[] {
  return Object.entries(hand.record.holeCards)
    .filter(([seat]) => Number(seat) !== viewerSeat && !hand.record.shownSeats.includes(Number(seat)))
    .flatMap(([, cards]) => cards);
}

function seatOf(hand: StoredHand, client: TestClient): number | null {
  return hand.players.find((p) => p.userId === client.userId)?.seatIndex ?? null;
}

/** The text's chips against the ledger's hand rows: what each player put in and took out. */
function expectChipsMatchLedger(parsed: PsHand, hand: StoredHand): void {
  const chips = checkChips(parsed);
  for (const row of hand.players) {
    const name = players.find((p) => p.userId === row.userId)!.username;
    // The ledger counts returned (uncalled) chips in both contributed and won.
    expect(BigInt((chips.collected.get(name) ?? 0) - (chips.invested.get(name) ?? 0)), `${name} in hand ${hand.id}`).toBe(row.won - row.contributed);
  }
  expect(parsed.summary.totalPot - parsed.summary.rake).toBe([...chips.collected.values()].reduce((a, b) => a + b, 0));
}

describe('hand histories of played hands', () => {
  it('parse back for every viewer, match the ledger, and never show a hidden card', async () => {
    expect(hands.length).toBeGreaterThanOrEqual(2 * HANDS_PER_TABLE_MIN);
    const viewers = [...players, watcher, anonymous];
    const seen = { showdowns: 0, uncalled: 0, allIns: 0 };
    const totalPots = new Map<string, number>();
    for (const hand of hands) {
      const spectatorText = parseHand((await anonymous.http<{ text: string }>('GET', `/api/hands/${hand.id}/history`)).body.text);
      if (spectatorText.events.some((e) => e.type === 'show')) seen.showdowns++;
      if (spectatorText.events.some((e) => e.type === 'uncalled')) seen.uncalled++;
      // `pot` is the pot played for, the text's "Total pot"; `potTotal` is what the ledger moved,
      // which counts an uncalled bet given back.
      const detail = (await anonymous.http<{ hand: { pot: number; potTotal: number } }>('GET', `/api/hands/${hand.id}`)).body.hand;
      totalPots.set(hand.id.toString(), spectatorText.summary.totalPot);
      expect(detail.pot, `hand ${hand.id}`).toBe(spectatorText.summary.totalPot);
      if (spectatorText.events.some((e) => e.type === 'uncalled')) expect(detail.potTotal).toBeGreaterThan(detail.pot);
      if (spectatorText.events.some((e) => (e.type === 'action' || e.type === 'post') && e.allIn)) seen.allIns++;
      for (const viewer of viewers) {
        const seat = seatOf(hand, viewer);
        const response = await viewer.http<{ ok: boolean; text: string }>('GET', `/api/hands/${hand.id}/history`);
        expect(response.status).toBe(200);
        const text = response.body.text;
        const parsed = parseHand(text);
        expect(parsed.id).toBe(hand.id.toString());
        expect(parsed.table).toBe(tables.find((t) => t.id === hand.tableId)!.name);
        expect(parsed.game).toBe(hand.tableId === tables[1]!.id ? 'Omaha Pot Limit' : "Hold'em No Limit");
        expectChipsMatchLedger(parsed, hand);
        const dealt = parsed.events.filter((e) => e.type === 'dealt');
        expect(dealt).toEqual(seat === null ? [] : [{ type: 'dealt', name: viewer.username, cards: hand.record.holeCards[String(seat)] }]);
        const printed = cardsIn(text);
        for (const card of hiddenCards(hand, seat)) expect(printed.has(card), `${card} in hand ${hand.id} for ${viewer.username || 'anonymous'}`).toBe(false);
      }
    }
    // Each player's hand list gives the same pot.
    for (const player of players) {
      const items = (await player.http<{ items: { handId: string; pot: number }[] }>('GET', '/api/hands/mine?limit=100')).body.items;
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(item.pot, `hand ${item.handId} in ${player.username}'s list`).toBe(totalPots.get(item.handId));
    }
    // The played hands reached the cases worth checking.
    expect(seen.showdowns, JSON.stringify(seen)).toBeGreaterThan(0);
    expect(seen.uncalled, JSON.stringify(seen)).toBeGreaterThan(0);
    expect(seen.allIns, JSON.stringify(seen)).toBeGreaterThan(0);
  });

  it('the replay steps through every action of the text in order, filtered the same way', async () => {
    let folded = 0;
    for (const hand of hands) {
      for (const viewer of [...players, anonymous]) {
        const seat = seatOf(hand, viewer);
        const replay = (await viewer.http<{ ok: boolean; replay: HandReplay }>('GET', `/api/hands/${hand.id}/replay`)).body.replay;
        const text = (await viewer.http<{ text: string }>('GET', `/api/hands/${hand.id}/history`)).body.text;
        const isAction = (line: string) => / (folds|checks|calls \d+|bets \d+|raises \d+ to \d+)( and is all-in)?$/.test(line) || / posts /.test(line);
        expect(replay.steps.flatMap((st) => st.lines).filter(isAction)).toEqual(text.split('\n').filter(isAction));
        const printed = cardsIn(JSON.stringify(replay));
        const hidden = hiddenCards(hand, seat);
        if (hidden.length > 0) folded++;
        for (const card of hidden) expect(printed.has(card), `${card} in the replay of hand ${hand.id}`).toBe(false);
        if (seat !== null) expect(printed.has(hand.record.holeCards[String(seat)]![0]!)).toBe(true);
      }
    }
    expect(folded, 'hands where some cards stayed hidden').toBeGreaterThan(0);
  });
});

describe('GET /api/hands/mine/export', () => {
  it('downloads the caller’s hands as one PokerStars file, each as their seat saw it', async () => {
    const alice = players[0]!;
    const mine = hands.filter((h) => seatOf(h, alice) !== null);
    const linux = threadCpuSeconds() !== null;
    if (linux) expect(threadCpuSeconds()!.export, 'no export thread before the first export').toBeUndefined();
    const response = await getText(alice, '/api/hands/mine/export');
    expect(response.status).toBe(200);
    // The text was written on the export thread (this process runs the server), not the main one.
    if (linux) expect(threadCpuSeconds()!.export).toBeGreaterThan(0);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="hands-hxalice-\d{4}-\d{2}-\d{2}\.txt"$/);
    expect(response.headers.get('x-hands-count')).toBe(String(mine.length));
    expect(response.headers.get('x-hands-more')).toBe('0');
    const parsed = parseHistoryFile(response.text);
    expect(parsed.map((h) => h.id)).toEqual(mine.map((h) => h.id.toString())); // oldest first
    for (const [i, hand] of parsed.entries()) {
      expect(hand.events.filter((e) => e.type === 'dealt').map((e) => (e as { name: string }).name)).toEqual(['hxalice']);
      expectChipsMatchLedger(hand, mine[i]!);
      const printed = cardsIn(response.text.split('\n\n\n')[i]!);
      for (const card of hiddenCards(mine[i]!, seatOf(mine[i]!, alice))) expect(printed.has(card)).toBe(false);
    }
    // The same text as each hand's own history.
    const single = (await alice.http<{ text: string }>('GET', `/api/hands/${mine[0]!.id}/history`)).body.text;
    expect(response.text.startsWith(single)).toBe(true);
  });

  it('takes the newest N, or a date range', async () => {
    const bob = players[1]!;
    const mine = hands.filter((h) => seatOf(h, bob) !== null);
    const last3 = await getText(bob, '/api/hands/mine/export?last=3');
    expect(parseHistoryFile(last3.text).map((h) => h.id)).toEqual(mine.slice(-3).map((h) => h.id.toString()));
    expect(last3.headers.get('x-hands-more')).toBe('1');
    const from = mine[2]!.createdAt.toISOString();
    const to = mine[5]!.createdAt.toISOString();
    const ranged = await getText(bob, `/api/hands/mine/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const expected = mine.filter((h) => h.createdAt >= mine[2]!.createdAt && h.createdAt < mine[5]!.createdAt);
    expect(parseHistoryFile(ranged.text).map((h) => h.id)).toEqual(expected.map((h) => h.id.toString()));
    const none = await getText(bob, '/api/hands/mine/export?to=2000-01-01T00:00:00Z');
    expect([none.status, none.text, none.headers.get('x-hands-count')]).toEqual([200, '', '0']);
  });

  it('needs a login and a valid query; a watcher has no hands', async () => {
    expect((await getText(anonymous, '/api/hands/mine/export')).status).toBe(401);
    for (const query of ['last=0', 'last=1001', 'from=yesterday', 'extra=1']) {
      const r = await getText(players[0]!, `/api/hands/mine/export?${query}`);
      expect(r.status, query).toBe(400);
      expect(JSON.parse(r.text)).toMatchObject({ ok: false, error: { code: 'request/invalid' } });
    }
    const empty = await getText(watcher, '/api/hands/mine/export');
    expect([empty.status, empty.text]).toEqual([200, '']);
  });

  it('one export per user at a time: asked again while it is written, 429 with Retry-After; afterwards it is served again', async () => {
    const carol = players[2]!;
    const answers = await Promise.all(Array.from({ length: 6 }, () => getText(carol, '/api/hands/mine/export')));
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(served.length + refused.length).toBe(6);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(r.text)).toMatchObject({ ok: false, error: { code: 'rate/limited' } });
    }
    for (const r of served) expect(r.text).toBe(served[0]!.text);
    // Another user's export is not refused because of hers.
    const [again, other] = await Promise.all([getText(carol, '/api/hands/mine/export'), getText(players[0]!, '/api/hands/mine/export')]);
    expect([again.status, other.status]).toEqual([200, 200]);
    expect(again.text).toBe(served[0]!.text);
  });
});

describe('GET /api/hands/:id/history and /replay', () => {
  it('a requester reads at most HAND_READS of them at once: past the burst, 429 with Retry-After; a logged-in user counts apart', async () => {
    const hand = hands[0]!;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    const started = Date.now();
    // Until refused: a slow machine serves fewer a second, and the refill (30 a second) keeps up longer.
    for (let round = 0; round < 40 && !statuses.includes(429); round++) {
      // The four routes that each replay or verify a hand share the budget (/api/hands/:id and /verify since audit 5).
      const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => getText(anonymous, `/api/hands/${hand.id}${['/replay', '/history', '', '/verify'][i % 4]}`)));
      for (const r of batch) {
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get('retry-after');
      }
    }
    const served = statuses.filter((x) => x === 200).length;
    expect(statuses.filter((x) => x !== 200 && x !== 429)).toEqual([]);
    expect(statuses).toContain(429);
    // Never more than the burst and what it refilled meanwhile (the earlier tests of this file
    // read some as anonymous too).
    const { tokensMax, refillMs } = HAND_READS;
    expect(served).toBeLessThanOrEqual(tokensMax + Math.ceil(((Date.now() - started) * tokensMax) / refillMs));
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await getText(players[0]!, `/api/hands/${hand.id}/history`)).status).toBe(200);
  });
});
