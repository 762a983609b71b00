import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableFrame } from '../../server/protocol';
import { buyChips, checkAccessibility, DESKTOP, expectBottomWithin, openBrowserRoom, openPage, PHONE, signUp, type BrowserRoom } from '../support/e2e-steps';
import { TestClient } from '../support/poker-client';

// Issue 13, "Several tables at once", in Chromium: one player opens two tables in one
// window (from a table page, then a third from the lobby), sits at both against players
// over the socket, acts at one table and then at the other from the same page, and the
// tab title (and, with the page in the background, a notification) names the table whose
// turn it is. Then the phone layout: one table at a time under a strip of tabs.
//
// The socket players act only when the test lets them, and the second one sits down only
// once we acted at the first table, so whose turn it is at each table is known when the
// title is read.

const SHOTS = path.resolve('test-results/screenshots');
const MY_SEAT = 0;
const THEIR_SEAT = 3;

let room: BrowserRoom;
beforeAll(async () => {
  room = await openBrowserRoom(SHOTS);
});
afterAll(async () => {
  await room?.close();
});

interface Opponent {
  client: TestClient;
  tableId: number;
  /** Acts (check, else call) whenever it is its turn. */
  auto: boolean;
  hasTurn(): boolean;
  act(): Promise<void>;
  close(): void;
}

/** A seated player over the socket at `tableId` that checks or calls, when told to (or always, with `auto`). */
async function opponent(baseUrl: string, tableId: number, username: string): Promise<Opponent> {
  const client = await TestClient.signup(baseUrl, username);
  await client.buyChips(1_000);
  await client.connect();
  await client.watch(tableId);
  expect(await client.emit('table:sit', { tableId, seat: THEIR_SEAT, buyIn: 100 })).toMatchObject({ ok: true });
  let busy = false;
  const self: Opponent = {
    client, tableId, auto: false,
    hasTurn: () => !busy && (client.legal.get(tableId)?.legal ?? null) !== null,
    act: async () => {
      const mine = client.legal.get(tableId);
      if (busy || !mine?.legal) return;
      busy = true;
      const action = mine.legal.canCheck ? 'check' : 'call';
      await client.emit('table:act', { tableId, action, seq: mine.seq }).catch(() => undefined);
      busy = false;
    },
    close: () => {
      clearInterval(timer);
      client.close();
    },
  };
  const timer = setInterval(() => {
    if (self.auto && self.hasTurn()) void self.act();
  }, 50);
  return self;
}

/**
 * Before the app loads: a stand-in for the browser's Notification (it records what would be
 * shown, and counts permission requests), and `document.hidden` under the test's control.
 */
async function stubNotifications(page: Page): Promise<void> {
  await page.context().addInitScript(() => {
    const w = window as unknown as { __notifications: { title: string; body?: string }[]; __permissionAsks: number; __hidden: boolean };
    w.__notifications = [];
    w.__permissionAsks = 0;
    w.__hidden = false;
    class RecordedNotification {
      static get permission(): string {
        return sessionStorage.getItem('test.notification-permission') ?? 'default';
      }
      static async requestPermission(): Promise<string> {
        w.__permissionAsks += 1;
        sessionStorage.setItem('test.notification-permission', 'granted');
        return 'granted';
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        w.__notifications.push({ title, body: options?.body });
      }
      close(): void {}
    }
    Object.defineProperty(window, 'Notification', { value: RecordedNotification, configurable: true, writable: true });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => w.__hidden });
  });
}

const tile = (page: Page, tableId: number): Locator => page.getByTestId(`table-tile-${tableId}`);
const actionBar = (page: Page, tableId: number): Locator => tile(page, tableId).getByTestId('action-bar');
/** The tile says the action is on us there (a phone hides the other tiles, action bars and all). */
const hasTurn = async (page: Page, tableId: number): Promise<boolean> => (await tile(page, tableId).getAttribute('data-turn').catch(() => null)) === 'yes';
const notifications = (page: Page) => page.evaluate(() => (window as unknown as { __notifications: { title: string }[] }).__notifications.map((n) => n.title));

/** Lets the opponents act until the action is on the player in the browser at one table at least. */
async function untilMyTurn(page: Page, tableIds: number[], opponents: Opponent[], only?: number): Promise<number[]> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const mine: number[] = [];
    for (const id of tableIds) if (await hasTurn(page, id)) mine.push(id);
    if (only === undefined ? mine.length > 0 : mine.includes(only)) return mine;
    for (const o of opponents) if ((only === undefined || o.tableId === only) && o.hasTurn()) await o.act();
    await page.waitForTimeout(100);
  }
  throw new Error(`the action never came to the player at ${only ?? tableIds.join(' or ')}`);
}

const seqOf = async (page: Page, tableId: number): Promise<number> => Number(await tile(page, tableId).getByTestId('table-page').getAttribute('data-seq'));

/** The opponent saw an action of ours (not a time-out) in a frame after `seq`. */
function ourActionSince(o: Opponent, seq: number): boolean {
  return o.client.frames.some((f: TableFrame) => f.tableId === o.tableId && f.seq > seq && f.events.some((e) => e.type === 'action' && e.seat === MY_SEAT && !e.timedOut));
}

async function sitInTile(page: Page, tableId: number, buyIn: number): Promise<void> {
  await tile(page, tableId).getByTestId(`sit-${MY_SEAT}`).click();
  await page.getByLabel('Chips', { exact: true }).fill(String(buyIn));
  await page.getByRole('button', { name: /^Sit with/ }).click();
  await tile(page, tableId).locator('.seat-me').waitFor();
}

async function expectNoSidewaysScroll(page: Page, name: string): Promise<void> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${name} scrolls horizontally`).toBeLessThanOrEqual(page.viewportSize()!.width);
}

async function shot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  // Toasts off the picture (one may go by itself meanwhile: no waiting for it).
  for (const close of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await close.click({ timeout: 1_000 }).catch(() => {});
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}-${size.width}x${size.height}.png`) });
}

const SIDEWAYS = { width: 844, height: 390 };

describe('several tables at once', () => {
  it('one window: sits at two tables, acts at one and then the other, and the title names the table whose turn it is', async () => {
    const { server } = room;
    const url = server.url;
    const stamp = Date.now() % 100000;
    const lobby = (await (await fetch(`${url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
    const idOf = (name: string) => lobby.tables.find((t) => t.name === name)!.id;
    const a = { id: idOf('Main Street 1/2'), name: 'Main Street 1/2' };
    const b = { id: idOf('Full Ring 1/2'), name: 'Full Ring 1/2' };
    const c = { id: idOf('High Roller 5/10'), name: 'High Roller 5/10' };

    const page = await openPage(room.browser, room.contexts, DESKTOP);
    await stubNotifications(page);
    await signUp(page, url, `multi${stamp}`);
    await buyChips(page, url, '10');

    // From a table page, "Open another table" puts a second table beside it.
    await page.goto(`${url}/table/${a.id}`);
    await page.getByTestId('spectating').waitFor();
    await shot(page, 'multi-table-open-another');
    await page.getByRole('button', { name: 'Open another table' }).click();
    await page.getByRole('menuitem', { name: new RegExp(b.name) }).click();
    await page.waitForURL(`${url}/tables?ids=${a.id},${b.id}`);
    for (const t of [a, b]) await tile(page, t.id).getByTestId('spectating').waitFor();
    // Two tiles side by side at 1280 px.
    const [boxA, boxB] = [await tile(page, a.id).boundingBox(), await tile(page, b.id).boundingBox()];
    expect(boxB!.x, 'the second tile is to the right of the first').toBeGreaterThan(boxA!.x + boxA!.width - 1);
    expect(Math.abs(boxB!.y - boxA!.y)).toBeLessThan(2);

    // Notifications: permission is asked only from the toggle's click, and remembered.
    expect(await page.evaluate(() => (window as unknown as { __permissionAsks: number }).__permissionAsks)).toBe(0);
    await page.getByRole('button', { name: "Notify me when it's my turn" }).click();
    await expect.poll(() => page.getByTestId('notify-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate(() => (window as unknown as { __permissionAsks: number }).__permissionAsks)).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('atomic-poker.notify-turn'))).toBe('1');

    await sitInTile(page, a.id, 100);
    await sitInTile(page, b.id, 100);
    // From here the page is "in the background": each turn that comes is notified.
    await page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = true));
    // One opponent at a time, so whose turn it is at each table is known: first at A only.
    const opponents = [await opponent(url, a.id, `mta${stamp}`)];
    try {
      await untilMyTurn(page, [a.id, b.id], opponents, a.id);
      await expect.poll(() => page.title()).toBe(`● Your turn — ${a.name}`);
      expect(await tile(page, b.id).getAttribute('data-turn')).toBe('no');
      await page.getByTestId(`table-tab-${a.id}`).getByTestId('your-turn-badge').waitFor();
      expect(await page.getByTestId(`table-tab-${b.id}`).getByTestId('your-turn-badge').count()).toBe(0);
      await expect.poll(() => notifications(page)).toEqual([`Your turn — ${a.name}`]);
      await shot(page, 'multi-table-turn');
      await checkAccessibility(page, 'two tables, your turn at one');

      // Act at A by clicking in its tile: a raise, which leaves the action with A's opponent
      // (who waits), so the turn does not come back to A while B is looked at.
      const seqA = await seqOf(page, a.id);
      await actionBar(page, a.id).locator('button.act-raise').click();
      await expect.poll(() => hasTurn(page, a.id)).toBe(false);
      await opponents[0]!.client.until(() => ourActionSince(opponents[0]!, seqA), 10_000, 'our action at the first table');

      // Then B: its opponent sits down and plays until the action is on us there, and the
      // title names B.
      opponents.push(await opponent(url, b.id, `mtb${stamp}`));
      await untilMyTurn(page, [a.id, b.id], opponents, b.id);
      await expect.poll(() => page.title()).toBe(`● Your turn — ${b.name}`);
      expect(await tile(page, b.id).getAttribute('data-turn')).toBe('yes');
      expect(await tile(page, a.id).getAttribute('data-turn')).toBe('no');
      await expect.poll(() => notifications(page)).toEqual([`Your turn — ${a.name}`, `Your turn — ${b.name}`]);
      await shot(page, 'multi-table-second-turn');

      // Act at B from the same page: the server takes our action at that table.
      const seqB = await seqOf(page, b.id);
      await actionBar(page, b.id).locator('button.act-check, button.act-call').click();
      await opponents[1]!.client.until(() => ourActionSince(opponents[1]!, seqB), 10_000, 'our action at the second table');
      await expect.poll(() => seqOf(page, b.id)).toBeGreaterThan(seqB);

      // The phone: one table at a time, a tab strip with each table's name and a your-turn badge.
      await page.evaluate(() => ((window as unknown as { __hidden: boolean }).__hidden = false));
      for (const o of opponents) o.auto = true;
      await page.setViewportSize(PHONE);
      const onPhone = (await untilMyTurn(page, [a.id, b.id], opponents))[0]!;
      const onPhoneName = onPhone === a.id ? a.name : b.name;
      const tab = page.getByTestId(`table-tab-${onPhone}`);
      await tab.getByTestId('your-turn-badge').waitFor();
      await tab.getByRole('button', { name: new RegExp(`^${onPhoneName.replace('/', '\\/')}`) }).click();
      await actionBar(page, onPhone).waitFor();
      const other = onPhone === a.id ? b.id : a.id;
      expect(await tile(page, other).isVisible(), 'one table at a time on a phone').toBe(false);
      await expectBottomWithin(actionBar(page, onPhone).locator('.act-fold'), PHONE.height, 'the action bar is on screen');
      await expectNoSidewaysScroll(page, 'the multi-table page on a phone');
      expect(await page.title()).toMatch(new RegExp(`^● Your turn.*${onPhoneName.replace('/', '\\/')}`));
      await shot(page, 'multi-table-phone-turn');
      await checkAccessibility(page, 'the multi-table page on a phone');
      await actionBar(page, onPhone).locator('button.act-check, button.act-call').click();

      // The other tab shows the other table.
      await page.getByTestId(`table-tab-${other}`).locator('.tt-select').click();
      await tile(page, other).getByTestId('table-page').waitFor();
      expect(await tile(page, onPhone).isVisible()).toBe(false);
      await shot(page, 'multi-table-phone-other-tab');
      await expectNoSidewaysScroll(page, 'the other tab on a phone');
      // A toast (the bell's, turned off and on again) comes down below the shown table's head, as
      // on a lone table's page: the strip of tabs and the head stay free.
      await page.getByTestId('notify-toggle').click();
      await expect.poll(() => page.getByTestId('notify-toggle').getAttribute('aria-pressed')).toBe('false');
      await page.getByTestId('notify-toggle').click();
      const bell = page.locator('.toast', { hasText: 'You will be notified' });
      await bell.waitFor();
      const head = (await tile(page, other).locator('.table-head').boundingBox())!;
      expect((await bell.boundingBox())!.y, 'the toast is below the table\'s head and the tabs').toBeGreaterThanOrEqual(head.y + head.height);
      await bell.click({ position: { x: 20, y: 10 } });
      await bell.waitFor({ state: 'detached', timeout: 2_000 });

      // Held sideways: the tile's felt fills what the screen leaves, whole on screen (it collapsed
      // to nothing before: its width came from the height left after 460 px). One table at a
      // time there too (phone-layout.test.ts checks its layout on your turn).
      await page.setViewportSize(SIDEWAYS);
      await page.evaluate(() => window.scrollTo(0, 0));
      expect(await tile(page, onPhone).isVisible(), 'one table at a time on a phone held sideways').toBe(false);
      const firstFelt = tile(page, other).locator('.felt-wrap');
      await expect.poll(async () => (await firstFelt.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(300);
      // Once the page has fitted the felt to the new window (a CI run read 746 px mid-fit).
      await expectBottomWithin(firstFelt, SIDEWAYS.height, 'the felt is on screen on a phone held sideways');
      await expectNoSidewaysScroll(page, 'the multi-table page on a phone held sideways');
      await shot(page, 'multi-table-phone-sideways');

      // Back on the desktop: the lobby adds a third table beside the two (3 tiles in a grid).
      for (const o of opponents) o.auto = true;
      await page.setViewportSize(DESKTOP);
      await page.getByRole('link', { name: 'Lobby', exact: true }).first().click();
      await page.getByTestId('my-tables').waitFor();
      expect(await page.getByTestId('my-tables').textContent()).toContain('2 tables');
      await shot(page, 'multi-table-lobby');
      await checkAccessibility(page, 'the lobby with tables open');
      await page.getByTestId(`add-table-${c.id}`).click();
      await page.waitForURL(`${url}/tables?ids=${a.id},${b.id},${c.id}`);
      await tile(page, c.id).getByTestId('spectating').waitFor();
      await shot(page, 'multi-table-three');

      // Closing a table you only watch closes it; closing one where you sit asks first.
      await page.getByRole('button', { name: `Close ${c.name}` }).click();
      await page.waitForURL(`${url}/tables?ids=${a.id},${b.id}`);
      await page.getByRole('button', { name: `Close ${b.name}` }).click();
      await page.getByRole('button', { name: 'Keep playing' }).click();
      expect(await page.getByTestId('table-tile-' + b.id).count()).toBe(1);
      expect(new URL(page.url()).search).toBe(`?ids=${a.id},${b.id}`);

      // A tile opens on its own page (chat, hands, fairness); on a phone its head still fits.
      await page.setViewportSize(PHONE);
      await page.getByRole('link', { name: `Open ${a.name} on its own page` }).click();
      await page.waitForURL(`${url}/table/${a.id}`);
      await page.locator('.seat-me').waitFor();
      await page.getByRole('button', { name: 'Open another table' }).waitFor();
      await expectNoSidewaysScroll(page, 'a table page with the multi-table buttons on a phone');
      await shot(page, 'multi-table-full-view');
    } finally {
      for (const o of opponents) o.close();
    }
  });
});
