import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyChips, DESKTOP, openBrowserRoom, openPage, signUp, sit, type BrowserRoom } from '../support/e2e-steps';

// A hand's result names its winner for as long as it stays on the felt, also once the winner
// has left the table: the banner read the name from the seat's current player, so it said
// "Seat 1 wins 3" as soon as the winner's seat emptied (and would have named whoever sat
// down there next). It now goes by the result's player id and the names seen at the table, and
// a page opened after the winner left reads the name from the snapshot's `handNames`.

const SHOTS = path.resolve('test-results/screenshots');

let room: BrowserRoom;
beforeAll(async () => {
  room = await openBrowserRoom(SHOTS);
});
afterAll(async () => {
  await room?.close();
});

describe('the winner banner', () => {
  it('still names a winner who left the table', async () => {
    const { server, tableId } = room;
    const stamp = Date.now() % 100000;
    const names = [`wlann${stamp}`, `wlben${stamp}`];
    const pages: Page[] = [await openPage(room.browser, room.contexts, DESKTOP), await openPage(room.browser, room.contexts, DESKTOP)];
    for (const [i, page] of pages.entries()) {
      await signUp(page, server.url, names[i]!);
      await buyChips(page, server.url, '10');
      await sit(page, server.url, tableId, i * 3, 200);
    }
    // The first to act raises, the other folds: the raiser wins the blinds.
    let winner = -1;
    const deadline = Date.now() + 60_000;
    while (winner < 0) {
      if (Date.now() > deadline) throw new Error('nobody was asked to act');
      for (const [i, page] of pages.entries()) {
        const bar = page.getByTestId('action-bar');
        if (await bar.isVisible().catch(() => false)) {
          await bar.locator('button.act-raise').first().click();
          winner = i;
          break;
        }
      }
      await pages[0]!.waitForTimeout(100);
    }
    const loser = 1 - winner;
    const loserBar = pages[loser]!.getByTestId('action-bar');
    await loserBar.waitFor();
    await loserBar.locator('button.act-fold').click();
    const banner = pages[loser]!.getByTestId('winner-banner');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain(`${names[winner]} wins`);

    // The winner leaves before the next deal (a hand needs two): the seat empties, the result stays.
    await pages[winner]!.getByRole('button', { name: /^Leave/ }).first().click();
    await expect.poll(() => pages[loser]!.locator(`[data-username="${names[winner]}"]`).count(), { timeout: 10_000 }).toBe(0);
    await pages[loser]!.screenshot({ path: path.join(SHOTS, 'winner-left-1280x800.png') });
    expect(await banner.textContent()).toContain(`${names[winner]} wins`);

    // A page opened now never saw the winner seated: the snapshot names the hand's players
    // (`handNames`), so it too says who won, not "Seat N wins".
    const late = await openPage(room.browser, room.contexts, DESKTOP);
    await late.goto(`${server.url}/table/${tableId}`);
    const lateBanner = late.getByTestId('winner-banner');
    await expect.poll(() => lateBanner.textContent(), { timeout: 10_000 }).toContain(`${names[winner]} wins`);
  });
});
