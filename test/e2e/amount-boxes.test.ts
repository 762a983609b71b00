import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyChips, DESKTOP, openBrowserRoom, openPage, signUp, sit, type BrowserRoom } from '../support/e2e-steps';

// A box where a player types chips (the bet/raise box, the buy-in and top-up dialogs) is what
// its button says and sends (black-box journey audit, High 1 and Medium 1): a typed amount
// outside the legal range, or not a whole number ("4.5", "-5", "1e2"), disables the button
// with a reason; it is never clamped or stripped into another amount behind a stale label.

const SHOTS = path.resolve('test-results/screenshots');
const NOT_CHIPS = ['-50', '4.5', '1e2', 'abc', '', '99999999'];

let room: BrowserRoom;
let alice: Page;
let bob: Page;
const stamp = Date.now() % 100000;

beforeAll(async () => {
  room = await openBrowserRoom(SHOTS);
  alice = await openPage(room.browser, room.contexts, DESKTOP);
  bob = await openPage(room.browser, room.contexts, DESKTOP);
});
afterAll(async () => {
  await room?.close();
});

describe('amount boxes', () => {
  it('the buy-in dialog: what is not a whole number of chips in range disables the button; what it shows is what is bought in', async () => {
    for (const [page, name] of [[alice, `boxa${stamp}`], [bob, `boxb${stamp}`]] as const) {
      await signUp(page, room.server.url, name);
      await buyChips(page, room.server.url, '10');
    }
    await alice.goto(`${room.server.url}/table/${room.tableId}`);
    await alice.getByTestId('sit-0').click();
    const box = alice.getByLabel('Chips', { exact: true });
    const submit = alice.getByRole('button', { name: /^Sit with/ });
    for (const text of NOT_CHIPS) {
      await box.fill(text);
      await expect.poll(() => submit.isDisabled(), { timeout: 2_000 }).toBe(true);
      expect(await alice.getByTestId('chips-problem').textContent(), `"${text}"`).toBeTruthy();
      expect(await submit.textContent()).toBe('Sit with');
    }
    await box.fill('150');
    expect(await submit.textContent()).toBe('Sit with 150');
    await submit.click();
    await alice.locator('.seat-me').waitFor();
    await expect.poll(() => alice.getByTestId('stack-0').textContent(), { timeout: 10_000 }).toBe('150');
  });

  it('the raise box: out of range or not whole disables the button with a reason; the label is what is sent', async () => {
    await sit(bob, room.server.url, room.tableId, 1, 200);
    const bar = (page: Page) => page.getByTestId('action-bar');
    let page: Page | null = null;
    await expect.poll(async () => {
      for (const p of [alice, bob]) if (await bar(p).isVisible().catch(() => false)) page = p;
      return page !== null;
    }, { timeout: 30_000 }).toBe(true);
    const me = page!;
    const seat = me === alice ? 0 : 1;
    const box = me.locator('.amount-box');
    const raise = me.locator('.act-raise');
    for (const text of NOT_CHIPS) {
      await box.fill(text);
      await expect.poll(() => raise.isDisabled(), { timeout: 2_000 }).toBe(true);
      expect(await me.getByTestId('amount-problem').textContent(), `"${text}"`).toBeTruthy();
    }
    expect(await me.getByTestId('amount-problem').textContent()).toContain('At most');
    await box.fill('4.5');
    expect(await me.getByTestId('amount-problem').textContent()).toContain('whole');
    // Pre-flop at 1/2 the smallest raise is to 4: 6 is legal, and the button says it.
    await box.fill('6');
    await expect.poll(() => raise.textContent(), { timeout: 2_000 }).toMatch(/^Raise to 6/);
    expect(await raise.isDisabled()).toBe(false);
    await raise.click();
    await expect.poll(() => me.getByTestId(`bet-${seat}`).textContent(), { timeout: 10_000 }).toContain('6');
  });
});
