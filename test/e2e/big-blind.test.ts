import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoplay, type AutoPlayer } from '../support/autoplay';
import { buyChips, DESKTOP, E2E_PASSWORD, openBrowserRoom, openPage, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
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

  it('"Post now": a new player posts a big blind to be dealt in without waiting for it, and can take it back', async () => {
    const { server, browser } = room;
    const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
    const tableId = tables.tables.find((t) => t.name === 'Full Ring 1/2')!.id;
    const suffix = Date.now() % 100000;
    const here: TestClient[] = [];
    for (const [i, seat] of [0, 3, 6].entries()) {
      const client = await TestClient.signup(server.url, `pbw${i}_${suffix}`);
      await client.buyChips(1_000);
      await client.connect();
      await client.watch(tableId);
      expect((await client.emit('table:sit', { tableId, seat, buyIn: 200 })).ok).toBe(true);
      players.push(client);
      here.push(client);
      autos.push(autoplay(client, tableId, (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' })));
    }
    const watcher = here[0]!;
    await watcher.until(() => (watcher.view(tableId)?.handId ?? null) !== null, 30_000, 'the first hand');

    const page: Page = await openPage(browser, room.contexts, DESKTOP);
    await signUp(page, server.url, `pbnew_${suffix}`);
    await buyChips(page, server.url, '10');
    // Just after the button: not the next hand's big blind, so without posting it would wait.
    const seat = (watcher.view(tableId)!.button! + 1) % 9;
    await sit(page, server.url, tableId, seat, 200);
    const post = page.getByTestId('post-blind');
    await expect.poll(() => post.textContent(), { timeout: 20_000, interval: 50 }).toBe('Post 2 now');
    // Taken back before a hand is dealt, then chosen again: the seat says which, to everyone.
    await post.click();
    await expect.poll(() => page.locator('.seat-me').textContent(), { timeout: 10_000, interval: 50 }).toContain('Posts BB');
    await expect.poll(() => post.textContent(), { timeout: 10_000, interval: 50 }).toBe('Wait for the big blind');
    await watcher.until(() => latestPlayers(watcher, tableId).some((p) => p.seat === seat && p.postsBigBlind === true), 10_000, 'postsBigBlind');
    await page.screenshot({ path: path.join(SHOTS, 'big-blind-post-now.png') });

    // Dealt in, having put a big blind in (its own post, or the big blind itself).
    const handsBefore = watcher.frames.length;
    await watcher.until(() => watcher.view(tableId)?.seats[seat]?.inHand === true, 60_000, 'the poster dealt in');
    const posted = watcher.frames.slice(handsBefore).flatMap((f) => (f.tableId === tableId ? f.events : []))
      .filter((e) => e.type === 'blinds_posted' && e.kind === 'big_blind');
    expect(posted.map((e) => (e as { seat: number }).seat)).toContain(seat);
    await expect.poll(() => page.getByTestId('post-blind').count(), { timeout: 10_000 }).toBe(0);
    for (const a of autos) expect(a.errors).toEqual([]);
  });

  it('coming back posting: a player who sat out through both blinds is offered "Post 15 now" (the small blind dead) and comes in', async () => {
    const { server, browser } = room;
    const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
    const tableId = tables.tables.find((t) => t.name === 'High Roller 5/10')!.id;
    const suffix = Date.now() % 100000;
    const here: TestClient[] = [];
    // Three players who check or call, and the one who will sit out, at seats 0, 2, 4 and 5.
    for (const [i, seat] of [0, 2, 4, 5].entries()) {
      const client = await TestClient.signup(server.url, `cbr${i}_${suffix}`, E2E_PASSWORD);
      await client.buyChips(1_000);
      await client.connect();
      await client.watch(tableId);
      expect((await client.emit('table:sit', { tableId, seat, buyIn: 400 })).ok).toBe(true);
      players.push(client);
      here.push(client);
      autos.push(autoplay(client, tableId, (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' })));
    }
    const [watcher, , , returner] = here as [TestClient, TestClient, TestClient, TestClient];
    await watcher.until(() => watcher.view(tableId)?.seats[5]?.inHand === true, 30_000, 'a hand with seat 5');
    expect((await returner.emit('table:sit_out', { tableId })).ok).toBe(true);
    // Three hands without it pass both its blinds over (seats 0, 2 and 4 take the button in turn).
    let dealtWithout = 0;
    let lastHand: string | null = null;
    await watcher.until(() => {
      const view = watcher.view(tableId);
      if (view?.handId && view.handId !== lastHand && view.street !== 'complete') {
        lastHand = view.handId;
        if (!view.seats[5]?.inHand) dealtWithout++;
      }
      return dealtWithout >= 4;
    }, 90_000, 'four hands without seat 5');
    expect((await returner.emit('table:sit_in', { tableId })).ok).toBe(true);
    await watcher.until(() => latestPlayers(watcher, tableId).some((p) => p.seat === 5 && p.owesSmallBlind === true && p.mayPostBigBlind === true), 20_000, 'owesSmallBlind');

    // The same player in the browser.
    const page: Page = await openPage(browser, room.contexts, DESKTOP);
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Username').fill(returner.username);
    await page.getByLabel('Password').fill(E2E_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('header-balance').waitFor();
    await page.goto(`${server.url}/table/${tableId}`);
    const post = page.getByTestId('post-blind');
    await expect.poll(() => post.textContent(), { timeout: 20_000, interval: 50 }).toBe('Post 15 now');
    const framesBefore = watcher.frames.length;
    await post.click();
    await expect.poll(() => page.getByTestId('waiting-for-big-blind').textContent(), { timeout: 10_000, interval: 50 }).toContain('the small blind you missed (5, dead)');
    await watcher.until(() => latestPlayers(watcher, tableId).some((p) => p.seat === 5 && p.postsBigBlind === true), 10_000, 'postsBigBlind');
    await page.screenshot({ path: path.join(SHOTS, 'big-blind-coming-back.png') });

    // Dealt in: with both blinds (15, 5 of them dead) where its seat is free, or as the big blind if that comes first.
    await watcher.until(() => watcher.view(tableId)?.seats[5]?.inHand === true, 60_000, 'the returner dealt in');
    const posts = watcher.frames.slice(framesBefore).flatMap((f) => (f.tableId === tableId ? f.events : []))
      .filter((e): e is Extract<typeof e, { type: 'blinds_posted' }> => e.type === 'blinds_posted' && e.seat === 5);
    expect(posts.length).toBe(1);
    expect([
      { kind: 'small_and_big_blinds', amount: 15, dead: 5 },
      { kind: 'big_blind', amount: 10, dead: undefined },
    ]).toContainEqual({ kind: posts[0]!.kind, amount: posts[0]!.amount, dead: posts[0]!.dead });
    await expect.poll(() => page.getByTestId('post-blind').count(), { timeout: 10_000 }).toBe(0);
    for (const a of autos) expect(a.errors).toEqual([]);
  });
});
