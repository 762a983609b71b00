import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin } from '../../server/auth/admin-bootstrap';
import { buyChips, checkAccessibility, DESKTOP, openBrowserRoom, openPage, PHONE, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import type { TestServer } from '../support/server';

// The phone layout, in Chromium at 390x844: on your turn the action buttons,
// the board and your own hole cards are all on screen without scrolling, the
// best-hand line names your hand from the flop on, and no page (lobby, table,
// wallet, admin) scrolls sideways. Screenshots land in test-results/screenshots/
// (and docs/screenshots/ with UPDATE_DOCS_SCREENSHOT=1).

const SHOTS = path.resolve('test-results/screenshots');

let server: TestServer;
let browser: Browser;
let tableId: number;
let room: BrowserRoom;

const newPage = () => openPage(browser, room.contexts, PHONE);

async function expectNoSidewaysScroll(page: Page, name: string): Promise<void> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${name} scrolls horizontally at 390px`).toBeLessThanOrEqual(PHONE.width);
}

async function shot(page: Page, name: string, docsName?: string): Promise<void> {
  const file = path.join(SHOTS, `${name}-${PHONE.width}x${PHONE.height}.png`);
  await page.screenshot({ path: file });
  await checkAccessibility(page, name);
  // The README's pictures are refreshed on request only, so a test run leaves the tree clean.
  if (docsName && process.env.UPDATE_DOCS_SCREENSHOT === '1') copyFileSync(file, path.resolve('docs/screenshots', docsName));
}

/** Inside the viewport as it is now, without scrolling. */
async function expectOnScreen(page: Page, selector: string, what: string): Promise<void> {
  const scrollY = await page.evaluate(() => window.scrollY);
  expect(scrollY, 'the page was not scrolled').toBe(0);
  const locator = page.locator(selector).first();
  const box = await locator.boundingBox();
  expect(box, `${what} is rendered`).not.toBeNull();
  expect(box!.x, `${what} left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} top edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} right edge`).toBeLessThanOrEqual(PHONE.width);
  expect(box!.y + box!.height, `${what} bottom edge`).toBeLessThanOrEqual(PHONE.height);
}

/** The page of the player to act, once one has the action bar. */
async function playerToAct(players: Page[]): Promise<Page> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const page of players) {
      if (await page.getByTestId('action-bar').isVisible().catch(() => false)) return page;
    }
    await players[0]!.waitForTimeout(100);
  }
  throw new Error('nobody got the action bar');
}

async function street(page: Page): Promise<string> {
  return (await page.getByTestId('table-page').getAttribute('data-street')) ?? '';
}

async function expectTurnOnScreen(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await expectOnScreen(page, '[data-testid=action-bar] .act-fold', 'the Fold button');
  await expectOnScreen(page, '[data-testid=action-bar] .act-check, [data-testid=action-bar] .act-call', 'the Check/Call button');
  await expectOnScreen(page, '[data-testid=board]', 'the board');
  const hole = page.locator('.seat-me [data-testid^=hole-] [data-card]');
  expect(await hole.count()).toBe(2);
  for (let i = 0; i < 2; i++) {
    const box = await hole.nth(i).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height, 'own hole card bottom edge').toBeLessThanOrEqual(PHONE.height);
    expect(box!.y, 'own hole card top edge').toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    expect(box!.x).toBeGreaterThanOrEqual(0);
  }
  // The hole cards are not hidden under the pinned action bar.
  const bar = await page.getByTestId('action-bar').boundingBox();
  const lastCard = await hole.nth(1).boundingBox();
  expect(lastCard!.y + lastCard!.height, 'own hole cards above the action bar').toBeLessThanOrEqual(bar!.y + 1);
  await expectNoSidewaysScroll(page, 'the table');
}

describe('the phone layout', () => {
  const alice = `pa${Date.now() % 100000}`;
  const bob = `pb${Date.now() % 100000}`;

  beforeAll(async () => {
    room = await openBrowserRoom(SHOTS);
    ({ server, browser, tableId } = room);
  });

  afterAll(async () => {
    await room?.close();
  });

  it('keeps the action, the board and your cards on screen on your turn, and never scrolls sideways', async () => {
    const a = await newPage();
    const b = await newPage();
    await signUp(a, server.url, alice);
    await signUp(b, server.url, bob);

    await a.goto(server.url);
    await a.getByTestId(`lobby-row-${tableId}`).waitFor();
    await expectNoSidewaysScroll(a, 'the lobby');
    await shot(a, 'phone-lobby', 'phone-lobby.png');

    await buyChips(a, server.url, '10');
    await buyChips(b, server.url, '10');
    await expectNoSidewaysScroll(a, 'the wallet');
    // Watching before sitting down: the head (lobby link, name, controls, "Watching") fits.
    await a.goto(`${server.url}/table/${tableId}`);
    await a.getByTestId('spectating').waitFor();
    await expectNoSidewaysScroll(a, 'the table, watching');

    // Below the table's maximum (200), so that there is room for a top-up mid-hand.
    await sit(a, server.url, tableId, 0, 150);
    await sit(b, server.url, tableId, 3, 150);

    // Pre-flop: whoever acts first sees everything at once.
    const first = await playerToAct([a, b]);
    await expectTurnOnScreen(first);
    // Pre-flop presets are in big blinds.
    await first.getByRole('button', { name: /^2\.5 ?BB$/ }).waitFor();
    // A toast never covers the action bar (on phones they sit at the top).
    const toastBoxes = await first.locator('.toast').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().bottom));
    const barTop = (await first.getByTestId('action-bar').boundingBox())!.y;
    for (const bottom of toastBoxes) expect(bottom, 'a toast over the action bar').toBeLessThanOrEqual(barTop);
    await shot(first, 'phone-preflop');

    // Check or call down to the flop, then look again from the player to act.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await street(a)) === 'preflop') {
      for (const page of [a, b]) {
        const button = page.locator('[data-testid=action-bar] button.act-check, [data-testid=action-bar] button.act-call');
        if (await button.isVisible().catch(() => false)) await button.click().catch(() => {});
      }
      await a.waitForTimeout(150);
    }
    expect(await street(a)).toBe('flop');
    const onFlop = await playerToAct([a, b]);
    await onFlop.locator('[data-testid=board] [data-card]').nth(2).waitFor();
    await expectTurnOnScreen(onFlop);
    // The best hand so far is named under your cards.
    await expect.poll(() => onFlop.getByTestId('my-best-hand').textContent()).toMatch(/High Card|Pair|Two Pair|Three of a Kind|Straight|Flush|Full House|Four of a Kind/);
    // The tab title says whose turn it is.
    expect(await onFlop.title()).toBe('● Your turn — Main Street 1/2');
    for (const close of await onFlop.getByRole('button', { name: 'Dismiss notification' }).all()) await close.click().catch(() => {});
    await onFlop.waitForTimeout(400);
    await shot(onFlop, 'phone-table', 'phone-table.png');

    // The table controls live in a menu on phones.
    await onFlop.getByRole('button', { name: 'Table menu' }).click();
    await onFlop.getByRole('menuitem', { name: 'Top up' }).waitFor();
    await expectNoSidewaysScroll(onFlop, 'the table with its menu open');
    await onFlop.keyboard.press('Escape');

    // A top-up asked mid-hand shows in the head as "+30": the head still fits, its menu and the
    // action bar stay on screen.
    await onFlop.getByRole('button', { name: 'Table menu' }).click();
    await onFlop.getByRole('menuitem', { name: 'Top up' }).click();
    const topUp = onFlop.getByRole('dialog', { name: 'Top up' });
    await topUp.getByLabel('Chips', { exact: true }).fill('30');
    await topUp.getByRole('button', { name: /^Add/ }).click();
    await onFlop.getByTestId('pending-top-up').waitFor({ timeout: 5_000 });
    await expectNoSidewaysScroll(onFlop, 'the table with a pending top-up');
    await expectOnScreen(onFlop, 'button.menu-btn', 'the table menu button');
    await expectTurnOnScreen(onFlop);
    await shot(onFlop, 'phone-pending-top-up');

    // The mute toggle is remembered.
    await onFlop.getByRole('button', { name: 'Mute sounds' }).click();
    expect(await onFlop.evaluate(() => localStorage.getItem('atomic-poker.muted'))).toBe('1');
    expect(await onFlop.getByRole('button', { name: 'Mute sounds' }).getAttribute('aria-pressed')).toBe('true');

    // The same turn at 1280x800: the action bar's hint line is on screen, names are whole.
    await onFlop.setViewportSize(DESKTOP);
    await onFlop.evaluate(() => window.scrollTo(0, 0));
    await onFlop.getByTestId('action-bar').waitFor();
    const hints = await onFlop.locator('[data-testid=action-bar] .key-hints').boundingBox();
    expect(hints!.y + hints!.height, 'the hint line is not clipped at 800px').toBeLessThanOrEqual(DESKTOP.height);
    for (const name of [alice, bob]) {
      const plate = onFlop.locator(`[data-username=${name}] .seat-name`);
      expect(await plate.getAttribute('title')).toBe(name);
      expect(await plate.evaluate((el) => el.scrollWidth <= el.clientWidth), `${name} is not cut short`).toBe(true);
    }
    await onFlop.screenshot({ path: path.join(SHOTS, `phone-layout-desktop-${DESKTOP.width}x${DESKTOP.height}.png`) });

    // The admin back office at 390 px: its buttons are reachable, nothing scrolls the page sideways.
    const admin = await createOrPromoteAdmin(server.t.db, 'phoneboss');
    const boss = await newPage();
    await boss.goto(`${server.url}/login`);
    await boss.getByLabel('Username').fill(admin.username);
    await boss.getByLabel('Password').fill(admin.password);
    await boss.getByRole('button', { name: 'Log in' }).click();
    await boss.getByTestId('header-balance').waitFor();
    await boss.goto(`${server.url}/admin`);
    await boss.getByLabel('Search users').fill(alice);
    const ledger = boss.getByRole('button', { name: `Ledger of ${alice}` });
    await ledger.waitFor();
    await expectNoSidewaysScroll(boss, 'the admin page');
    await ledger.scrollIntoViewIfNeeded();
    const box = await ledger.boundingBox();
    expect(box!.x + box!.width, 'the Ledger button is reachable').toBeLessThanOrEqual(PHONE.width);
    await shot(boss, 'phone-admin');
    for (const tab of ['Ledger', 'Reconcile', 'Tables']) {
      await boss.getByRole('tab', { name: tab }).click();
      await boss.waitForTimeout(300);
      await expectNoSidewaysScroll(boss, `the admin ${tab} tab`);
    }

    // The remaining pages at 390 px: hand history (signed in), log in, sign up, an unknown path.
    await a.setViewportSize(PHONE);
    await a.goto(`${server.url}/hands`);
    await a.getByRole('heading', { name: /hand/i }).first().waitFor();
    await expectNoSidewaysScroll(a, 'the hand history');
    const visitor = await newPage();
    for (const pagePath of ['/login', '/signup', '/no-such-page']) {
      await visitor.goto(`${server.url}${pagePath}`);
      await visitor.locator('main, h1, h2').first().waitFor();
      await expectNoSidewaysScroll(visitor, `the page at ${pagePath}`);
    }
  });
});
