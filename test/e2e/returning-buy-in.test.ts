import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyChips, checkAccessibility, openBrowserRoom, openPage, PHONE, signUp, sit, type BrowserRoom } from '../support/e2e-steps';

// Decision 036 in Chromium: a player who leaves a table and opens its buy-in dialog again
// within two hours is told what they left with and until when, and the dialog's minimum is it.

const SHOTS = path.resolve('test-results/screenshots');

let room: BrowserRoom;
beforeAll(async () => {
  room = await openBrowserRoom(SHOTS);
});
afterAll(async () => {
  await room?.close();
});

describe('coming back to a table, in the browser', () => {
  it('the buy-in dialog says what you left with, and its minimum is that', async () => {
    const { server, browser, tableId } = room;
    const page = await openPage(browser, room.contexts, PHONE);
    await signUp(page, server.url, `back_${Date.now() % 100000}`);
    await buyChips(page, server.url, '10');
    await sit(page, server.url, tableId, 1, 150);
    // Alone at the table, no hand runs: the leave cashes out at once.
    await page.getByRole('button', { name: 'Table menu' }).click();
    await page.getByRole('menuitem', { name: 'Leave', exact: true }).click();
    await page.getByTestId('sit-1').waitFor({ timeout: 15_000 });

    await page.getByTestId('sit-1').click();
    const dialog = page.getByRole('dialog');
    const note = dialog.getByTestId('returning-note');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/You left this table at \d\d?:\d\d( [AP]M)? with 150 chips\. Until \d\d?:\d\d( [AP]M)? you come back with at least that/);
    expect(await dialog.locator('.facts div').first().textContent()).toContain('150');
    const box = dialog.getByLabel('Chips', { exact: true });
    await box.fill('100');
    expect(await dialog.getByRole('button', { name: /^Sit with/ }).isDisabled()).toBe(true);
    await checkAccessibility(page, 'returning buy-in dialog', 'dialog.dialog');
    await page.screenshot({ path: path.join(SHOTS, 'returning-buy-in-390x844.png') });
    await box.fill('150');
    await dialog.getByRole('button', { name: /^Sit with 150/ }).click();
    await page.locator('.seat-me').waitFor();
  });
});
