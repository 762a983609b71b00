import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyChips, DESKTOP, openBrowserRoom, openPage, PHONE, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import type { TestServer } from '../support/server';

// The table page's fixes of the browser audit: a table closed at the end of the hand turns
// into the closed page with the chips cashed out (MEDIUM-2), a double click sends one request
// (LOW-1), a long chat word wraps (LOW-3), a leave says what it cashed out and asks first in a
// hand (LOW-6), and on a phone a toast leaves the table's head free and the clock ring the
// name (LOW-7).

const SHOTS = path.resolve('test-results/screenshots');

let room: BrowserRoom;
let server: TestServer;
let browser: Browser;
let tableId: number;

const suffix = Date.now() % 100000;
const names = { alice: `fixa${suffix}`, bob: `fixb${suffix}`, carol: `fixc${suffix}` };

/** The table messages a page sent, by event name (its Socket.IO frames, `42<ack id>["name",…]`). */
function countSent(page: Page): (name: string) => number {
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => {
    if (typeof frame.payload === 'string') sent.push(frame.payload);
  }));
  return (name) => sent.filter((p) => p.includes(`["${name}"`)).length;
}

async function box(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await page.locator(selector).first().boundingBox();
  expect(b, selector).not.toBeNull();
  return b!;
}

describe('table page fixes in the browser', () => {
  let alice: Page;
  let bob: Page;
  let carol: Page;
  let aliceSent: (name: string) => number;

  beforeAll(async () => {
    room = await openBrowserRoom(SHOTS);
    ({ server, browser } = room);
    const created = await server.server.registry.createTable({ name: `Fixes ${suffix}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 });
    if (!created.ok) throw new Error(created.error.message);
    tableId = created.value.id;
    alice = await openPage(browser, room.contexts, DESKTOP);
    bob = await openPage(browser, room.contexts, PHONE);
    carol = await openPage(browser, room.contexts, DESKTOP);
    aliceSent = countSent(alice);
  });

  afterAll(async () => {
    await room?.close();
  });

  it('three players sign up and buy chips', async () => {
    await Promise.all([
      signUp(alice, server.url, names.alice).then(() => buyChips(alice, server.url, '10')),
      signUp(bob, server.url, names.bob).then(() => buyChips(bob, server.url, '10')),
      signUp(carol, server.url, names.carol).then(() => buyChips(carol, server.url, '10')),
    ]);
  });

  it('a 280-character word in the chat wraps inside the panel', async () => {
    await sit(alice, server.url, tableId, 0, 200);
    await alice.getByRole('textbox', { name: 'Chat message' }).fill('x'.repeat(280));
    await alice.getByRole('button', { name: 'Send', exact: true }).click();
    const line = alice.locator('.chat-list li').filter({ hasText: 'xxxx' });
    await line.waitFor();
    expect(await line.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), 'the word is not clipped').toBe(true);
    expect((await line.boundingBox())!.height, 'the word wraps onto several lines').toBeGreaterThan(60);
  });

  it('leaving between hands is one click and says what went back to the wallet', async () => {
    // Alice sits out, so Carol's seat makes no game: her leave is at once.
    await alice.getByRole('button', { name: 'Sit out', exact: true }).click();
    await alice.getByRole('button', { name: 'Sit in', exact: true }).waitFor();
    await sit(carol, server.url, tableId, 2, 150);
    await carol.getByRole('button', { name: 'Leave', exact: true }).click();
    await carol.locator('.toast', { hasText: 'Left the table: 150 chips back to your wallet.' }).waitFor();
    expect(await carol.getByRole('dialog').count()).toBe(0);
    await carol.locator('.seat-me').waitFor({ state: 'detached' });
  });

  it('a double click on Sit in sends one request and raises no error', async () => {
    await alice.getByRole('button', { name: 'Sit in', exact: true }).dblclick();
    await alice.getByRole('button', { name: 'Sit out', exact: true }).waitFor();
    await alice.waitForTimeout(300);
    expect(aliceSent('table:sit_in')).toBe(1);
    expect(await alice.locator('.toast-error').count()).toBe(0);
  });

  it('on a phone a toast leaves the head free and goes with a tap', async () => {
    await sit(bob, server.url, tableId, 1, 200);
    const toast = bob.locator('.toast', { hasText: 'Seated with 200' });
    await toast.waitFor();
    const head = await box(bob, '.table-head');
    expect((await toast.boundingBox())!.y, 'the toast is below the head (back link, menu)').toBeGreaterThanOrEqual(head.y + head.height);
    await toast.click({ position: { x: 20, y: 10 } });
    await toast.waitFor({ state: 'detached', timeout: 1_000 });
  });

  it("on a phone the clock ring of the seat to act clears the first letter of its name", async () => {
    await bob.locator('.seat-acting .clock-ring').waitFor({ timeout: 15_000 });
    const ring = await box(bob, '.seat-acting .clock-ring');
    const name = await box(bob, '.seat-acting .seat-name');
    expect(ring.x + ring.width, 'the ring ends before the name').toBeLessThanOrEqual(name.x + 0.5);
  });

  it('leaving in a hand you are dealt into asks first', async () => {
    await alice.getByRole('button', { name: 'Leave', exact: true }).click();
    const dialog = alice.getByRole('dialog', { name: 'Leave the table?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('leaving folds it');
    await dialog.getByRole('button', { name: 'Stay' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(aliceSent('table:leave')).toBe(0);
  });

  it('a table closed at the end of the hand: "closes after this hand", then the closed page with the cash-out', async () => {
    const closing = await server.server.registry.closeTable(tableId);
    expect(closing.ok && closing.value.pending).toBe(true);
    // Everyone at the table hears it at once (the `closing` notice): the players and Carol, who
    // watches; the table takes nobody now, so her page offers no seat.
    for (const page of [alice, bob, carol]) {
      await page.getByTestId('closing-banner').waitFor({ timeout: 5_000 });
      expect(await page.getByTestId('closing-banner').textContent()).toBe('This table closes after this hand.');
    }
    expect(await carol.locator('[data-testid^=sit-]').count(), 'no seat to click').toBe(0);
    // A reload while it closes says so too (the snapshot's `closing`).
    await carol.reload();
    await carol.getByTestId('closing-banner').waitFor({ timeout: 10_000 });
    expect(await carol.locator('[data-testid^=sit-]').count(), 'no seat to click').toBe(0);

    // The hand ends: whoever is to act folds.
    const deadline = Date.now() + 30_000;
    while ((await alice.getByTestId('table-closed').count()) === 0 && Date.now() < deadline) {
      for (const page of [alice, bob]) {
        if (await page.getByTestId('action-bar').isVisible().catch(() => false)) await page.keyboard.press('f').catch(() => {});
      }
      await alice.waitForTimeout(200);
    }
    for (const page of [alice, bob]) {
      const closed = page.getByTestId('table-closed');
      await closed.waitFor({ timeout: 5_000 });
      expect(await closed.textContent()).toMatch(/Table closed.*The table is closed\. \d[\d,]* chips went back to your wallet\./);
      expect(await page.locator('[data-testid^=sit-]').count(), 'no seat to click').toBe(0);
    }
    await carol.getByTestId('table-closed').waitFor({ timeout: 5_000 });
    expect(await carol.getByTestId('table-closed').textContent()).toContain('The table is closed.');
    // It stays closed: the page does not come back as an open table.
    await alice.waitForTimeout(1_500);
    expect(await alice.getByTestId('table-page').count()).toBe(0);
  });
});
