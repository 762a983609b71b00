import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyChips, openBrowserRoom, openPage, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import type { TestServer } from '../support/server';

// The visual audit's fixes, at stakes in the hundreds of thousands and with a name of the
// server's longest (24 letters): the lobby's blinds and buy-in stay in their columns, Log out
// stays on a phone on its side, a raise of a big stack reads whole on a phone's button, a
// desktop's action tag groups its digits, the turn is said to a screen reader, and a player
// sitting out finds "I'm back" under the felt (not only in the ⋯ menu), and a busted player's Rebuy
// and Leave there are a thumb's size on a phone; the replayer groups the digits of its amounts.

const SHOTS = path.resolve('test-results/screenshots');
const PHONE_SMALL = { width: 360, height: 740 };
const PHONE_SIDEWAYS = { width: 844, height: 390 };
const LAPTOP = { width: 1366, height: 768 };

let room: BrowserRoom;
let server: TestServer;
let browser: Browser;
let tableId: number;

const suffix = String(Date.now() % 100000).padStart(5, '0');
// 24 characters: the server's longest username.
const names = { alice: `alice_long_name_xyz${suffix}`, bob: `vab${suffix}` };

/** The element's text lies inside its box (nothing cut off at either end) and it does not scroll. */
async function textFits(locator: Locator): Promise<{ fits: boolean; detail: string }> {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    const fits = el.scrollWidth <= el.clientWidth + 1 && text.left >= box.left - 1 && text.right <= box.right + 1;
    return { fits, detail: `"${el.textContent}": text ${Math.round(text.left)}-${Math.round(text.right)} in box ${Math.round(box.left)}-${Math.round(box.right)}, scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}` };
  });
}

async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  return box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 0.5 && box.y + box.height <= size.height + 0.5;
}

describe('visual audit fixes in the browser', () => {
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    room = await openBrowserRoom(SHOTS);
    ({ server, browser } = room);
    const created = await server.server.registry.createTable({
      name: `High ${suffix}`, variant: 'NLHE', maxSeats: 6, smallBlind: 10_000, bigBlind: 20_000, minBuyIn: 200_000, maxBuyIn: 1_000_000,
    });
    if (!created.ok) throw new Error(created.error.message);
    tableId = created.value.id;
    alice = await openPage(browser, room.contexts, PHONE_SMALL);
    bob = await openPage(browser, room.contexts, LAPTOP);
  });

  afterAll(async () => {
    await room?.close();
  });

  it('two players sign up and buy a million chips each', async () => {
    await Promise.all([
      signUp(alice, server.url, names.alice).then(() => buyChips(alice, server.url, '10000', '1,000,000')),
      signUp(bob, server.url, names.bob).then(() => buyChips(bob, server.url, '10000', '1,000,000')),
    ]);
  });

  it("the lobby's blinds and buy-in in the hundreds of thousands stay inside their columns", async () => {
    await bob.goto(`${server.url}/`);
    const row = bob.getByTestId(`lobby-row-${tableId}`);
    await row.waitFor();
    for (const label of ['Blinds', 'Buy-in']) {
      const cell = row.locator(`[data-label="${label}"]`);
      const { fits, detail } = await textFits(cell);
      expect(fits, `${label} at 1366x768: ${detail}`).toBe(true);
    }
    expect(await row.locator('[data-label="Blinds"]').textContent()).toBe('10K/20K');
    expect(await row.locator('[data-label="Buy-in"]').textContent()).toBe('200K–1M');
    expect(await row.locator('[data-label="Blinds"]').getAttribute('title')).toBe('10,000/20,000');
    await bob.screenshot({ path: path.join(SHOTS, 'audit-lobby-big-blinds-1366x768.png') });
  });

  it('on a phone on its side a 24-letter name leaves Log out on screen', async () => {
    await alice.setViewportSize(PHONE_SIDEWAYS);
    try {
      await alice.goto(`${server.url}/`);
      const logOut = alice.getByRole('button', { name: 'Log out' });
      await logOut.waitFor();
      await alice.screenshot({ path: path.join(SHOTS, 'audit-topbar-long-name-844x390.png') });
      expect(await inViewport(alice, logOut), 'Log out is inside the window').toBe(true);
      expect(await alice.evaluate(() => document.documentElement.scrollWidth), 'nothing scrolls sideways').toBeLessThanOrEqual(PHONE_SIDEWAYS.width);
    } finally {
      await alice.setViewportSize(PHONE_SMALL);
    }
  });

  it('on a 360 px phone a raise of a big stack reads whole on its button, and the turn is announced', async () => {
    await alice.setViewportSize(PHONE_SMALL);
    await sit(alice, server.url, tableId, 0, 1_000_000);
    await sit(bob, server.url, tableId, 1, 1_000_000);
    // Bob checks or calls with the keyboard until the action is on Alice with a raise to size.
    const raise = alice.locator('.act-raise');
    await expect.poll(async () => {
      if (await bob.getByTestId('action-bar').count()) await bob.keyboard.press('c');
      return raise.count();
    }, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
    await expect.poll(() => alice.getByTestId('turn-announcer').textContent()).toMatch(/^Your turn/);
    await alice.getByLabel(/^(Raise to|Bet amount)/).first().fill('999999');
    await expect.poll(() => raise.textContent()).toMatch(/(Raise to|Bet) 999,999/);
    const { fits, detail } = await textFits(raise);
    await alice.screenshot({ path: path.join(SHOTS, 'audit-raise-big-stack-360x740.png') });
    expect(fits, `the raise button at 360x740: ${detail}`).toBe(true);
    expect(await inViewport(alice, raise), 'the raise button is on screen').toBe(true);
    await raise.click();
    // Bob's desktop names Alice's raise with its digits grouped, as every other amount.
    const tag = bob.locator('[data-testid=seat-0] .seat-tag').first();
    await expect.poll(() => tag.textContent(), { timeout: 10_000 }).toMatch(/999,999/);
    await expect.poll(() => bob.getByTestId('turn-announcer').textContent()).toMatch(/^Your turn: [\d,]+ to call\.$/);
    await bob.screenshot({ path: path.join(SHOTS, 'audit-action-tag-1366x768.png') });
    await bob.keyboard.press('f');
    await expect.poll(() => bob.getByTestId('turn-announcer').textContent()).toBe('');
  });

  it("sitting out on a phone, I'm back is under the felt, on screen, and sits the player in", async () => {
    await alice.getByRole('button', { name: 'Table menu' }).click();
    await alice.getByRole('menuitem', { name: 'Sit out' }).click();
    const back = alice.getByTestId('im-back');
    await back.waitFor({ timeout: 15_000 });
    expect(await inViewport(alice, back), "I'm back is on screen").toBe(true);
    expect((await back.boundingBox())!.height, "I'm back is a thumb's height").toBeGreaterThanOrEqual(44);
    // The seat fades while it sits out, but not its YOU tag (dark on gold, faded it is unreadable).
    const fade = await alice.locator('.seat-me .you-tag').evaluate((el) => {
      let opacity = 1;
      for (let e: Element | null = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      return opacity;
    });
    expect(fade, 'the YOU tag of a seat sitting out is not faded').toBe(1);
    expect(await alice.locator('.seat-me .seat-name').evaluate((el) => Number(getComputedStyle(el).opacity))).toBeLessThan(1);
    await alice.screenshot({ path: path.join(SHOTS, 'audit-im-back-360x740.png') });
    await back.click();
    await back.waitFor({ state: 'detached', timeout: 15_000 });
    await alice.getByRole('button', { name: 'Table menu' }).click();
    await alice.getByRole('menuitem', { name: 'Sit out' }).waitFor();
    await alice.keyboard.press('Escape');
  });

  it("busted on a phone, Rebuy and Leave under the felt are a thumb's size and on screen", async () => {
    // Both push all in (the A key, else C to call it) until one of them is out of chips.
    const pages = [alice, bob];
    let busted: Page | null = null;
    await expect.poll(async () => {
      for (const page of pages) {
        if (await page.getByTestId('rebuy-bar').count()) busted = page;
      }
      if (busted) return true;
      for (const page of pages) {
        if (!(await page.getByTestId('action-bar').count())) continue;
        await page.keyboard.press('a');
        await page.waitForTimeout(300);
        if (await page.getByTestId('action-bar').count()) await page.keyboard.press('c');
      }
      return false;
    }, { timeout: 150_000, interval: 500 }).toBe(true);
    const page = busted! as Page;
    const size = page.viewportSize()!;
    await page.setViewportSize(PHONE_SMALL);
    try {
      const bar = page.getByTestId('rebuy-bar');
      for (const name of ['Rebuy', 'Leave']) {
        const button = bar.getByRole('button', { name, exact: true });
        expect((await button.boundingBox())!.height, `${name} is a thumb's height`).toBeGreaterThanOrEqual(44);
        expect(await inViewport(page, button), `${name} is on screen`).toBe(true);
      }
      await page.screenshot({ path: path.join(SHOTS, 'audit-rebuy-bar-360x740.png') });
    } finally {
      await page.setViewportSize(size);
    }
  });

  it("the replayer groups a big raise's digits, the names left as they are", async () => {
    await alice.goto(`${server.url}/hands`);
    // The oldest hand: Alice raised to 999,999 and Bob folded.
    await alice.locator('.hand-item').last().click();
    const replayer = alice.getByTestId('replayer');
    await replayer.waitFor();
    const lines = await replayer.getByTestId('replay-line').allTextContents();
    expect(lines.some((line) => new RegExp(`^${names.alice}: raises \\d{3},\\d{3} to 999,999$`).test(line)), `the raise reads with its digits grouped: ${lines.join(' | ')}`).toBe(true);
    expect(lines.join('\n')).not.toMatch(/to 999999/);
    expect(await replayer.getByTestId('replay-step').textContent()).toBe('Blinds 10,000/20,000');
    await alice.screenshot({ path: path.join(SHOTS, 'audit-replayer-big-raise-360x740.png') });
  });
});
