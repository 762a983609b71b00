import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin } from '../../server/auth/admin-bootstrap';
import { buyChips, checkAccessibility, DESKTOP, openBrowserRoom, openPage, PHONE, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import type { TestServer } from '../support/server';

// The browser client end to end, in Chromium: two players sign up, buy chips,
// sit and play to showdown by clicking; an anonymous spectator never sees a hole
// card early (neither in the DOM nor on the wire); an admin's adjustment reaches
// the player's open page; a dropped connection resyncs. Screenshots of every
// screen at desktop and phone sizes land in test-results/screenshots/.

const SHOTS = path.resolve('test-results/screenshots');

let server: TestServer;
let browser: Browser;
let tableId: number;
let room: BrowserRoom;

const newPage = () => openPage(browser, room.contexts, DESKTOP);

async function shot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  const file = path.join(SHOTS, `${name}-${size.width}x${size.height}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file });
  await checkAccessibility(page, `${name} at ${size.width}px`);
  if (size.width <= 390) {
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls horizontally at ${size.width}px`).toBeLessThanOrEqual(size.width);
  }
}

async function balanceOnServer(page: Page): Promise<{ balance: number; stack: number }> {
  const body = (await (await page.request.get(`${server.url}/api/wallet`)).json()) as { balance: number; seats: { tableId: number; stack: number }[] };
  return { balance: body.balance, stack: body.seats.find((s) => s.tableId === tableId)?.stack ?? 0 };
}

const digits = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

async function handOf(page: Page): Promise<string> {
  return (await page.getByTestId('table-page').getAttribute('data-hand')) ?? '';
}

/** Checks or calls for whichever player is to act until this hand's winner is shown. */
async function playToShowdown(players: Page[], onStreet?: (street: string) => Promise<void>): Promise<void> {
  const seen = new Set<string>();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await players[0]!.getByTestId('winner-banner').isVisible()) return;
    const street = (await players[0]!.getByTestId('table-page').getAttribute('data-street')) ?? '';
    if (onStreet && !seen.has(street)) {
      seen.add(street);
      await onStreet(street);
    }
    for (const page of players) {
      const button = page.locator('[data-testid=action-bar] button.act-check, [data-testid=action-bar] button.act-call');
      if (await button.isVisible().catch(() => false)) await button.click().catch(() => {});
    }
    await players[0]!.waitForTimeout(150);
  }
  throw new Error('the hand did not reach a showdown in time');
}

async function waitForHand(page: Page, notHand = ''): Promise<string> {
  await expect.poll(async () => {
    const hand = await handOf(page);
    const street = await page.getByTestId('table-page').getAttribute('data-street');
    return hand !== '' && hand !== notHand && street !== 'complete';
  }, { timeout: 30_000 }).toBe(true);
  return handOf(page);
}

describe('poker room in the browser', () => {
  let alice: Page;
  let bob: Page;
  let watcher: Page;
  const aliceName = `alice${Date.now() % 100000}`;
  const bobName = `bob${Date.now() % 100000}`;
  const spectatorFrames: string[] = [];

  beforeAll(async () => {
    // A turn of 20 s and a time bank of 60 s: the flop's screenshots and accessibility checks run
    // while a player is to act, and on a loaded machine they can outlast a 20 s turn.
    room = await openBrowserRoom(SHOTS, { timeBankMs: 60_000 });
    ({ server, browser, tableId } = room);
  });

  afterAll(async () => {
    await room?.close();
  });

  it('two players sign up, buy chips, sit and play a hand to showdown; a spectator sees no hole card early', async () => {
    alice = await newPage();
    bob = await newPage();
    watcher = await newPage();
    watcher.on('websocket', (ws) => ws.on('framereceived', (f) => spectatorFrames.push(String(f.payload))));

    await signUp(alice, server.url, aliceName);
    await signUp(bob, server.url, bobName);
    await alice.goto(server.url);
    await alice.getByTestId(`lobby-row-${tableId}`).waitFor();
    await shot(alice, 'lobby');
    await buyChips(alice, server.url, '10');
    await buyChips(bob, server.url, '10.00');
    await shot(alice, 'wallet');
    // A purchase out of the server's range says what the range is (before it is sent: the wallet
    // page knows the range from GET /api/wallet), and Buy is off.
    await alice.getByLabel('Amount (USD)').fill('0.50');
    await expect.poll(() => alice.getByTestId('buy-hint').textContent()).toBe('Buy between $1.00 and $10,000.00 at a time.');
    expect(await alice.locator('form.buy-form button[type=submit]').isDisabled()).toBe(true);
    // The password card is a form of its own: no rule above it (it borrowed the buy form's).
    const passwordForm = alice.getByRole('form', { name: 'Change password' });
    expect(await passwordForm.evaluate((el) => getComputedStyle(el).borderTopStyle)).toBe('none');
    expect(await passwordForm.evaluate((el) => getComputedStyle(el).paddingTop)).toBe('0px');

    await watcher.goto(`${server.url}/table/${tableId}`);
    await watcher.getByTestId('spectating').waitFor();
    await sit(alice, server.url, tableId, 0, 200);
    await sit(bob, server.url, tableId, 3, 200);

    await waitForHand(alice);
    let boardAtFlop: string[] = [];
    let handAtFlop = '';
    await playToShowdown([alice, bob], async (street) => {
      if (street !== 'flop') return;
      handAtFlop = await handOf(alice);
      await alice.locator('[data-testid=board] [data-card]').nth(2).waitFor();
      boardAtFlop = await alice.locator('[data-testid=board] [data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card')!));
      await shot(alice, 'table');
      // The README's picture is refreshed on request only, so a test run leaves the tree clean.
      if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
        copyFileSync(path.join(SHOTS, 'table-1280x800.png'), path.resolve('docs/screenshots/table.png'));
      }
      // The spectator, mid-hand: bets and board yes, hole cards no.
      await watcher.locator('[data-testid=board] [data-card]').nth(2).waitFor();
      expect(await watcher.locator('[data-testid^=hole-] [data-card]:not([data-card=back])').count()).toBe(0);
      expect(await watcher.locator('[data-testid^=hole-] [data-card=back]').count()).toBe(4);
      await shot(watcher, 'spectator');
    });
    expect(boardAtFlop).toHaveLength(3);

    // Showdown: the same five cards everywhere, both hands face up, the winner named.
    const boards = await Promise.all([alice, bob, watcher].map(async (p) => {
      await p.getByTestId('winner-banner').waitFor();
      return p.locator('[data-testid=board] [data-card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-card')!));
    }));
    expect(await handOf(alice), 'the showdown is of the hand whose flop was read').toBe(handAtFlop);
    expect(boards[0]).toHaveLength(5);
    expect(boards[1]).toEqual(boards[0]);
    expect(boards[2]).toEqual(boards[0]);
    expect(boards[0]!.slice(0, 3)).toEqual(boardAtFlop);
    // At least the first hand to show is face up (a beaten hand may be mucked).
    expect(await watcher.locator('[data-testid^=hole-] [data-card]:not([data-card=back])').count()).toBeGreaterThanOrEqual(2);
    await shot(alice, 'showdown');
    const banner = (await alice.getByTestId('winner-banner').textContent()) ?? '';

    // The pot went to the player the server paid, and every stack and wallet agrees with the server.
    const mine = (await (await alice.request.get(`${server.url}/api/hands/mine`)).json()) as { items: { net: number; won: number }[] };
    const aliceNet = mine.items[0]!.net;
    if (aliceNet > 0) expect(banner).toContain(aliceName);
    else if (aliceNet < 0) expect(banner).toContain(bobName);
    for (const [page, seat] of [[alice, 0], [bob, 3]] as const) {
      const { balance, stack } = await balanceOnServer(page);
      await expect.poll(async () => digits(await page.getByTestId(`stack-${seat}`).textContent())).toBe(stack);
      await expect.poll(async () => digits(await page.getByTestId('header-balance').textContent())).toBe(balance);
      expect(balance).toBe(800);
    }
    expect(await balanceOnServer(alice).then((a) => a.stack) + (await balanceOnServer(bob)).stack).toBe(400);

    // On the wire: the spectator never received a hole card before the first showdown.
    const firstShown = spectatorFrames.findIndex((f) => f.includes('"hand_shown"'));
    expect(firstShown).toBeGreaterThan(0);
    const before = spectatorFrames.slice(0, firstShown);
    expect(before.some((f) => f.includes('"street_dealt"'))).toBe(true);
    expect(before.filter((f) => f.includes('"hole_cards"'))).toEqual([]);
    expect(before.filter((f) => /"holeCards":\["/.test(f))).toEqual([]);
    expect(spectatorFrames.filter((f) => f.includes('"type":"hole_cards"'))).toEqual([]);
  });

  it("an admin's chip adjustment shows on the player's open page without a reload", async () => {
    const admin = await createOrPromoteAdmin(server.t.db, 'pitboss');
    const boss = await newPage();
    await boss.goto(`${server.url}/login`);
    await boss.getByLabel('Username').fill(admin.username);
    await boss.getByLabel('Password').fill(admin.password);
    await boss.getByRole('button', { name: 'Log in' }).click();
    await boss.getByRole('link', { name: 'Admin' }).click();
    await boss.getByLabel('Search users').fill(aliceName);
    await boss.getByRole('button', { name: `Adjust chips of ${aliceName}` }).click();
    const before = digits(await alice.getByTestId('header-balance').textContent());
    expect(digits(await boss.getByTestId('adjust-wallet').textContent())).toBe(before);
    await boss.getByLabel(/^Amount/).fill('500');
    await boss.getByLabel('Reason').fill('welcome bonus');
    await boss.getByRole('button', { name: 'Review adjustment' }).click();
    await boss.getByRole('button', { name: 'Confirm adjustment' }).click();
    await boss.getByTestId('adjust-result').waitFor();
    expect(await boss.getByTestId('adjust-result').textContent()).toContain(`wallet:`);
    // The form says the balance the adjustment left, and is cleared, so a second click posts nothing twice.
    expect(digits(await boss.getByTestId('adjust-wallet').textContent())).toBe(before + 500);
    expect(await boss.getByLabel(/^Amount/).inputValue()).toBe('');
    await expect.poll(async () => digits(await alice.getByTestId('header-balance').textContent()), { timeout: 10_000 }).toBe(before + 500);
    await shot(boss, 'admin');
    await boss.setViewportSize(PHONE);
    await shot(boss, 'admin');

    // Reconcile: readable labels, and sums that count every account kind the report has:
    // wallets + tables + pots + rake = chips sold + the adjustments (the 500 above, and any before it).
    await boss.getByRole('tab', { name: 'Reconcile' }).click();
    await boss.getByTestId('reconcile-status').waitFor();
    expect(await boss.getByTestId('reconcile-status').textContent()).toContain('Ledger balanced');
    const report = ((await (await boss.request.get(`${server.url}/api/admin/reconcile`)).json()) as { report: Record<string, string> }).report;
    const inPlay = Number(report.chipsInWallets) + Number(report.chipsOnTables) + Number(report.chipsInPots) + Number(report.rakeCollected);
    expect(Number(report.chipsAdjusted)).toBe(500);
    expect(inPlay).toBe(Number(report.chipsSold) + 500);
    expect(digits(await boss.getByTestId('reconcile-in-play').textContent())).toBe(inPlay);
    expect(await boss.getByTestId('reconcile-adjustments').textContent()).toBe('+500');
    expect(digits(await boss.getByTestId('reconcile-total-balance').textContent())).toBe(0);
    const facts = (await boss.locator('.facts').allTextContents()).join(' ');
    for (const label of ['In wallets', 'On tables', 'Rake collected', 'Chips sold', 'Admin adjustments']) expect(facts).toContain(label);
    expect(facts, 'no raw field names').not.toMatch(/\b(chipsSold|chipsInWallets|chipsOnTables|chipsInPots|chipsAdjusted|rakeCollected|totalBalance|durationMs|checkedAt)\b/);
    await shot(boss, 'admin-reconcile');
    await boss.setViewportSize({ width: 1366, height: 768 });
    await shot(boss, 'admin-reconcile');

    // The ledger browser filtered to the table the two played at: their buy-ins, nothing else.
    await boss.getByRole('tab', { name: 'Ledger' }).click();
    await boss.getByLabel('Table id').fill(String(tableId));
    await boss.getByLabel('Kind').selectOption('BUY_IN');
    await boss.getByRole('button', { name: 'Filter' }).click();
    const rows = boss.getByRole('table', { name: 'Ledger transfers' }).locator('tbody tr');
    // The unfiltered list (Alice's buy-in is in it too) shows until the filtered one replaces it.
    const onlyBuyIns = new RegExp(`BUY_IN t${tableId}(?!\\d)`);
    await expect.poll(async () => {
      const texts = await rows.allTextContents();
      return texts.length > 0 && texts.every((text) => onlyBuyIns.test(text)) && texts.join('\n').includes(aliceName);
    }, { timeout: 10_000 }).toBe(true);
    const texts = await rows.allTextContents();
    expect(texts.join('\n')).toContain(bobName);
    for (const text of texts) expect(text).toMatch(new RegExp(`BUY_IN t${tableId}(?!\\d)`));
  });

  it('a dropped connection shows the banner, then the table resyncs and play goes on', async () => {
    const handBefore = await handOf(bob);
    await bob.context().setOffline(true);
    await bob.getByTestId('connection-banner').waitFor({ timeout: 30_000 });
    await bob.waitForTimeout(1_000);
    await bob.context().setOffline(false);
    await bob.getByTestId('connection-banner').waitFor({ state: 'hidden', timeout: 30_000 });
    // Phone-sized views of the next hand.
    await alice.setViewportSize(PHONE);
    await watcher.setViewportSize(PHONE);
    // Resynced: bob's page shows the hand the table is on (the one in progress, or the next).
    const next = await waitForHand(bob);
    expect(next >= handBefore || handBefore === '').toBe(true);
    await expect.poll(() => handOf(alice)).toBe(next);
    let phoneShot = false;
    await playToShowdown([alice, bob], async (street) => {
      if (street !== 'flop' || phoneShot) return;
      phoneShot = true;
      await shot(alice, 'table');
      await shot(watcher, 'spectator');
    });
    await shot(alice, 'showdown');
    expect(await handOf(bob)).toBe(next);
    const stacks = await Promise.all([balanceOnServer(alice), balanceOnServer(bob)]);
    expect(stacks[0].stack + stacks[1].stack).toBe(400);
    await expect.poll(async () => digits(await bob.getByTestId('stack-3').textContent())).toBe(stacks[1].stack);

    for (const p of [alice]) {
      await p.goto(server.url);
      await p.getByTestId(`lobby-row-${tableId}`).waitFor();
      await shot(p, 'lobby');
      await p.goto(`${server.url}/wallet`);
      await p.getByTestId('wallet-balance').waitFor();
      await shot(p, 'wallet');
    }

    // The session ends elsewhere (a logout through the API, with the page's cookie): the server
    // closes the page's socket. The page looks its session up again, shows it logged out, and
    // reconnects (Socket.IO does not, after a close by the server) rather than saying
    // "reconnecting" for ever.
    expect((await alice.context().request.post(`${server.url}/api/auth/logout`, { data: {} })).status()).toBe(200);
    await alice.getByRole('link', { name: 'Log in' }).first().waitFor({ timeout: 10_000 });
    await alice.waitForTimeout(1_500);
    await alice.getByTestId('connection-banner').waitFor({ state: 'hidden', timeout: 10_000 });
  });
});
