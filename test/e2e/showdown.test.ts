import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TABLE_SETTINGS } from '../../server/tables/settings';
import { buyChips, checkAccessibility, DESKTOP, openBrowserRoom, openPage, shotAtBothSizes, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import { TestClient } from '../support/poker-client';

// Issue #13, "All-in and showdown drama", in Chromium. Acceptance: an all-in called before
// the river: both hands face up for the opponent and a spectator before the turn card,
// equity shown, turn and river at least 1 s apart; the result stays at least 4 s. Then the
// winning five cards are highlighted, and after a hand a player may show their cards to
// everyone with the "Show cards" button.
//
// Two players in the browser (seats 0 and 1), an anonymous spectator in the browser, and a
// third player over the socket who always folds: whoever loses the all-in, two players with
// chips are left, so the next hand is dealt and the hold before it can be measured.

const SHOTS = path.resolve('test-results/screenshots');
const SEATS = [0, 1] as const;
const BOT_SEAT = 2;

let room: BrowserRoom;
beforeAll(async () => {
  room = await openBrowserRoom(SHOTS);
});
afterAll(async () => {
  await room?.close();
});

interface Sample {
  t: number;
  hand: string;
  board: number;
  /** Face-up hole cards of seats 0 and 1. */
  up: [number, number];
  /** Equity tags on the felt. */
  equity: number;
  banner: number;
  /** Cards highlighted as part of the winning hand. */
  wins: number;
}

/** Records what the page shows every 20 ms, one sample per change, in window.__timeline. */
async function recordTimeline(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __timeline: unknown[] };
    w.__timeline = [];
    let last = '';
    const count = (selector: string) => document.querySelectorAll(selector).length;
    const up = (seat: number) => count(`[data-testid=hole-${seat}] [data-card]:not([data-card=back])`);
    setInterval(() => {
      const sample = {
        hand: document.querySelector('[data-testid=table-page]')?.getAttribute('data-hand') ?? '',
        board: count('[data-testid=board] [data-card]'),
        up: [up(0), up(1)],
        equity: count('[data-testid^=equity-]'),
        banner: count('[data-testid=winner-banner]'),
        wins: count('.card-win'),
      };
      const key = JSON.stringify(sample);
      if (key !== last) w.__timeline.push({ t: performance.now(), ...sample });
      last = key;
    }, 20);
  });
}

/** Goes all in by clicking: the All-in size, then the bet/raise button (or the all-in button when it cannot size). */
async function shove(page: Page): Promise<void> {
  const bar = page.getByTestId('action-bar');
  const preset = bar.getByRole('button', { name: 'All-in', exact: true });
  if (await preset.isVisible().catch(() => false)) await preset.click();
  await bar.locator('button.act-raise').click();
  await expect.poll(() => bar.isVisible().catch(() => false)).toBe(false);
}

const timeline = (page: Page) => page.evaluate(() => (window as unknown as { __timeline: Sample[] }).__timeline);

/** A seated player over the socket that folds whenever it is its turn. */
async function foldingBot(baseUrl: string, tableId: number): Promise<{ close(): void }> {
  const bot = await TestClient.signup(baseUrl, `folder${Date.now() % 100000}`);
  await bot.buyChips(1_000);
  await bot.connect();
  await bot.watch(tableId);
  expect(await bot.emit('table:sit', { tableId, seat: BOT_SEAT, buyIn: 100 })).toMatchObject({ ok: true });
  let busy = false;
  const timer = setInterval(() => {
    const mine = bot.legal.get(tableId);
    if (busy || !mine?.legal) return;
    busy = true;
    void bot.emit('table:act', { tableId, action: 'fold', seq: mine.seq }).catch(() => undefined).finally(() => (busy = false));
  }, 50);
  return { close: () => (clearInterval(timer), bot.close()) };
}

describe('all-in and showdown drama', () => {
  it('an all-in called before the river: hands face up and equity before the turn, streets 1 s apart, the result held 4 s, winners highlighted, show after a fold', async () => {
    const { server, tableId } = room;
    const url = server.url;
    const stamp = Date.now() % 100000;
    const players = [await openPage(room.browser, room.contexts, DESKTOP), await openPage(room.browser, room.contexts, DESKTOP)];
    const spectator = await openPage(room.browser, room.contexts, DESKTOP);
    // Screenshots and the accessibility check run on a page of their own: axe busies a page
    // for about a second, which would delay the very frames whose timing is measured.
    const camera = await openPage(room.browser, room.contexts, DESKTOP);
    for (const [i, page] of players.entries()) {
      await signUp(page, url, `drama${i}${stamp}`);
      await buyChips(page, url, '10');
    }
    for (const page of [spectator, camera]) {
      await page.goto(`${url}/table/${tableId}`);
      await page.getByTestId('spectating').waitFor();
    }
    for (const [i, page] of players.entries()) await sit(page, url, tableId, SEATS[i]!, 100);
    const bot = await foldingBot(url, tableId);
    try {
      for (const page of [spectator, ...players]) await recordTimeline(page);

      // The first to act in the browser shoves; the other calls. The bot folds if asked.
      let shover: Page | null = null;
      let caller: Page | null = null;
      const deadline = Date.now() + 60_000;
      while (caller === null && Date.now() < deadline) {
        for (const page of players) {
          if (page === shover || !(await page.getByTestId('action-bar').isVisible().catch(() => false))) continue;
          if (shover === null) {
            await shove(page);
            shover = page;
          } else {
            await page.locator('[data-testid=action-bar] button.act-call').click();
            caller = page;
            break;
          }
        }
        await spectator.waitForTimeout(100);
      }
      expect(caller, 'an all-in and a call').not.toBeNull();
      const hand = (await spectator.getByTestId('table-page').getAttribute('data-hand'))!;

      // Mid run-out: the spectator sees both hands and the equity of each.
      await expect
        .poll(async () => (await timeline(spectator)).some((s) => s.equity === 2), { timeout: 10_000, message: `equity on the felt: ${JSON.stringify(await timeline(spectator))}` })
        .toBe(true);
      await camera.locator('[data-testid^=equity-]').nth(1).waitFor();
      await shotAtBothSizes(camera, SHOTS, 'run-out');
      await checkAccessibility(camera, 'the all-in run-out');

      // The result, highlighted; then the next hand.
      await camera.getByTestId('winner-banner').waitFor({ timeout: 15_000 });
      await camera.waitForTimeout(600); // the river card and the banner settle in
      await shotAtBothSizes(camera, SHOTS, 'all-in-showdown');
      await expect.poll(async () => (await timeline(spectator)).some((s) => s.hand !== '' && s.hand !== hand), { timeout: 20_000 }).toBe(true);

      for (const [who, page] of [['spectator', spectator], ['opponent', caller!]] as const) {
        const samples = (await timeline(page)).filter((s) => s.hand === hand);
        const what = `${who}: ${JSON.stringify(samples)}`;
        const turn = samples.find((s) => s.board >= 4);
        const river = samples.find((s) => s.board === 5);
        expect(turn && river, what).toBeTruthy();
        // Both hands face up, with their equity, while the board still had fewer than four cards.
        const before = samples.filter((s) => s.t < turn!.t);
        expect(before.some((s) => s.up[0] === 2 && s.up[1] === 2 && s.board < 4), what).toBe(true);
        expect(before.some((s) => s.up[0] === 2 && s.up[1] === 2 && s.equity === 2), what).toBe(true);
        expect(river!.t - turn!.t, what).toBeGreaterThanOrEqual(1_000);
        // The result stays at least 4 s: from the banner until the next hand replaces it.
        const shown = samples.find((s) => s.banner === 1)!;
        const after = (await timeline(page)).find((s) => s.t > shown.t && (s.hand !== hand || s.banner === 0));
        expect(after, what).toBeDefined();
        expect(after!.t - shown.t, what).toBeGreaterThanOrEqual(4_000);
        // The five cards of the winning hand (a split pot may light more).
        expect(samples.filter((s) => s.banner === 1).every((s) => s.wins >= 5), what).toBe(true);
      }
      expect(DEFAULT_TABLE_SETTINGS.runOutStreetMs).toBeGreaterThanOrEqual(1_000);
      expect(DEFAULT_TABLE_SETTINGS.showdownHoldMs).toBeGreaterThanOrEqual(4_000);

      // The next hand: the players in the browser fold until it ends (the one who lost the
      // all-in may have no chips left); then one whose cards are still hidden shows them,
      // and the spectator sees them face up.
      const showDeadline = Date.now() + 60_000;
      let showing: { page: Page; seat: number } | null = null;
      while (showing === null && Date.now() < showDeadline) {
        for (const [i, page] of players.entries()) {
          if (await page.getByTestId('action-bar').isVisible().catch(() => false)) await page.keyboard.press('f');
          if (await page.getByTestId('show-cards').isVisible().catch(() => false)) showing = { page, seat: SEATS[i]! };
        }
        await spectator.waitForTimeout(100);
      }
      expect(showing, 'a Show cards button after the hand').not.toBeNull();
      const hidden = await spectator.locator(`[data-testid=hole-${showing!.seat}] [data-card]:not([data-card=back])`).count();
      expect(hidden).toBe(0);
      await showing!.page.getByTestId('show-cards').click();
      await spectator.locator(`[data-testid=hole-${showing!.seat}] [data-card]:not([data-card=back])`).nth(1).waitFor({ timeout: 5_000 });
      await spectator.getByTestId(`shown-after-${showing!.seat}`).waitFor();
      await camera.getByTestId(`shown-after-${showing!.seat}`).waitFor();
      await shotAtBothSizes(camera, SHOTS, 'shown-after-the-hand');
      await expect.poll(() => showing!.page.getByTestId('show-cards').count()).toBe(0);
      await checkAccessibility(camera, 'cards shown after the hand');
    } finally {
      bot.close();
    }
  });
});
