import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoplay, type AutoPlayer } from '../support/autoplay';
import { buyChips, DESKTOP, openBrowserRoom, openPage, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import { TestClient } from '../support/poker-client';
import type { SeatPlayer } from '../../server/protocol';

// Decision 029 in Chromium: a player who sits down at a table where a game is running is
// told they wait for the big blind (their seat says so to everyone), and is dealt in when it
// reaches them, posting it.

const SHOTS = path.resolve('test-results/screenshots');

let room: BrowserRoom;

/** The players list of the latest frame that carried one. */
function latestPlayers(client: TestClient, tableId: number): SeatPlayer[] {
  for (let i = client.frames.length - 1; i >= 0; i--) {
    const frame = client.frames[i]!;
    if (frame.tableId !== tableId) continue;
    for (const event of frame.events) if (event.type === 'players') return event.players;
  }
  return [];
}
const players: TestClient[] = [];
const autos: AutoPlayer[] = [];

beforeAll(async () => {
  room = await openBrowserRoom(SHOTS);
});

afterAll(async () => {
  for (const a of autos) a.stop();
  for (const p of players) p.close();
  await room?.close();
});

describe('waiting for the big blind, in the browser', () => {
  it('a new player at a running table sees "Waits for BB", then is dealt in as the big blind', async () => {
    const { server, browser } = room;
    const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
    const tableId = tables.tables.find((t) => t.name === 'Main Street 1/2')!.id;
    const suffix = Date.now() % 100000;
    // Three players start a game (they check or call every hand), a free seat between each two.
    for (const [i, seat] of [0, 2, 4].entries()) {
      const client = await TestClient.signup(server.url, `bbw${i}_${suffix}`);
      await client.buyChips(1_000);
      await client.connect();
      await client.watch(tableId);
      expect((await client.emit('table:sit', { tableId, seat, buyIn: 200 })).ok).toBe(true);
      players.push(client);
      autos.push(autoplay(client, tableId, (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' })));
    }
    const watcher = players[0]!;
    await watcher.until(() => (watcher.view(tableId)?.handId ?? null) !== null, 30_000, 'the first hand');

    const page: Page = await openPage(browser, room.contexts, DESKTOP);
    await signUp(page, server.url, `bbnew_${suffix}`);
    await buyChips(page, server.url, '10');
    // The free seat just after the next hand's button: there it would post the small blind, not
    // the big one, so it waits at least one hand (also if a hand ends while we sit: then it is
    // the seat before the button). Seats 0, 2 and 4 play; 1, 3 and 5 are free.
    const nextButton = (watcher.view(tableId)!.button! + 2) % 6;
    const seat = (nextButton + 1) % 6;
    await sit(page, server.url, tableId, seat, 200);
    const mine = page.locator('.seat-me');
    await expect.poll(() => mine.textContent(), { timeout: 10_000, interval: 50 }).toContain('Waits for BB');
    await expect.poll(() => page.getByText('You are dealt in when the big blind reaches you').isVisible(), { timeout: 10_000, interval: 50 }).toBe(true);
    // Everyone else sees it on the seat too (the players list).
    await watcher.until(() => latestPlayers(watcher, tableId).some((p) => p.seat === seat && p.waitingForBigBlind === true), 10_000, 'waitingForBigBlind');
    await page.screenshot({ path: path.join(SHOTS, 'big-blind-waiting.png') });

    // Dealt in within an orbit of four, posting the big blind in that hand.
    await watcher.until(() => watcher.view(tableId)?.seats[seat]?.inHand === true, 90_000, 'the new seat dealt in');
    expect(watcher.view(tableId)!.bigBlindSeat).toBe(seat);
    await expect.poll(() => mine.textContent(), { timeout: 10_000 }).not.toContain('Waits for BB');
    for (const a of autos) expect(a.errors).toEqual([]);
  });
});
