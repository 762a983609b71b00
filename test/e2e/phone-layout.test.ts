import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin } from '../../server/auth/admin-bootstrap';
import { buyChips, checkAccessibility, DESKTOP, expectBottomWithin, openBrowserRoom, openPage, PHONE, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import { TestClient } from '../support/poker-client';
import { fullTable, rewriteSnapshots, type Json } from '../support/table-rig';
import type { TestServer } from '../support/server';

// The phone layout, in Chromium at 390x844: on your turn the action buttons,
// the board and your own hole cards are all on screen without scrolling, the
// best-hand line names your hand from the flop on, and no page (lobby, table,
// wallet, admin) scrolls sideways; no bet covers the pot, the board or another seat (phones and
// desktops, 2-10 seats); a phone on its side (844x390, 640x360) shows the felt, your cards, the board and
// the action bar at once; at 9-10 seats on an upright phone (390x844, 360x640) no seat plate covers
// another plate, another seat's cards or the pot line, every seat is on screen and a name shows
// eight letters or more (the seat to act too); several tables (/tables) on a phone on its side show one
// at a time with the action bar beside the felt; the table's head and the lobby's buttons are touch
// targets (44x44) and the head shows the table's whole name; no seat's plate or action tag covers
// the pot or the board (phones upright and on their side, 2-10 seats). Screenshots land in
// test-results/screenshots/ (and docs/screenshots/ with UPDATE_DOCS_SCREENSHOT=1).

const SHOTS = path.resolve('test-results/screenshots');

let server: TestServer;
let browser: Browser;
let tableId: number;
let room: BrowserRoom;

const newPage = () => openPage(browser, room.contexts, PHONE);

async function expectNoSidewaysScroll(page: Page, name: string): Promise<void> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  const width = page.viewportSize()?.width ?? PHONE.width;
  expect(scrollWidth, `${name} scrolls horizontally at ${width}px`).toBeLessThanOrEqual(width);
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

/** The desktop size of the browser audit (the other tests use 1280x800). */
const LAPTOP = { width: 1366, height: 768 };

/** Inside the page's viewport (left and right), as laid out now. */
async function expectInsideWidth(page: Page, selector: string, what: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  const width = page.viewportSize()!.width;
  expect(box, `${what} is rendered`).not.toBeNull();
  expect(box!.x, `${what} left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} right edge at ${width}px`).toBeLessThanOrEqual(width);
}

/** A phone on its side: the table takes the window, the action bar beside the felt. */
const LANDSCAPE = { width: 844, height: 390 };

/**
 * The dealer button audit's sizes and seat counts: 2-10 seats everywhere. (On an upright phone 9
 * and 10 seats were left out while the seats overlapped their neighbours; they now stand in two
 * columns, Felt.tsx PHONE_RING, checked by "9 and 10 seats fit an upright phone".)
 */
const BUTTON_SIZES: { width: number; height: number; seats: number[] }[] = [
  { ...LAPTOP, seats: [2, 3, 4, 6, 8, 9, 10] },
  { width: 1920, height: 1080, seats: [2, 3, 4, 6, 8, 9, 10] },
  { width: 360, height: 640, seats: [2, 3, 4, 6, 8, 9, 10] },
  { ...PHONE, seats: [2, 3, 4, 6, 8, 9, 10] },
  { width: 640, height: 360, seats: [2, 3, 4, 6, 8, 9, 10] },
  { ...LANDSCAPE, seats: [2, 3, 4, 6, 8, 9, 10] },
];

/**
 * What the dealer button covers, as laid out now: any card (hole cards and board), name,
 * stack, blind marker, bet or another seat's plate, and how far it is from its own seat's plate.
 */
async function buttonOverlaps(page: Page, button: number): Promise<{ covers: string[]; gap: number; onScreen: boolean }> {
  return page.evaluate((button) => {
    const d = document.querySelector('.dealer-button')!.getBoundingClientRect();
    const hit = (r: DOMRect) => Math.min(d.right, r.right) - Math.max(d.left, r.left) > 0.5 && Math.min(d.bottom, r.bottom) - Math.max(d.top, r.top) > 0.5;
    const covers: string[] = [];
    const check = (selector: string, skip?: (el: Element) => boolean) => {
      for (const el of Array.from(document.querySelectorAll(selector))) {
        if (skip?.(el) || !hit(el.getBoundingClientRect())) continue;
        covers.push(`${selector} of ${el.closest('[data-testid^=seat-], [data-testid^=bet-], [data-testid=board]')?.getAttribute('data-testid') ?? '?'}`);
      }
    };
    check('.card'); check('.seat-name'); check('.seat-stack'); check('.blind-marker'); check('.bet'); check('[data-testid=board]'); check('[data-testid=pot-total]');
    check('.seat-plate', (el) => el.closest('[data-testid^=seat-]')?.getAttribute('data-testid') === `seat-${button}`);
    const plate = document.querySelector(`[data-testid=seat-${button}] .seat-plate`)!.getBoundingClientRect();
    const gap = Math.hypot(Math.max(0, plate.left - d.right, d.left - plate.right), Math.max(0, plate.top - d.bottom, d.top - plate.bottom));
    return { covers, gap, onScreen: d.left >= 0 && d.top >= 0 && d.right <= innerWidth && d.bottom <= innerHeight };
  }, button);
}

/**
 * What the bets cover, as laid out now: for each bet on the felt, the pot line (the total and the
 * side pots), any board card (dealt or an empty slot), another bet, and any other seat's plate or
 * hole cards. Each entry names the bet and what it covers.
 */
async function betOverlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const hit = (a: DOMRect, b: DOMRect) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    const covers: string[] = [];
    const bets = Array.from(document.querySelectorAll('.bet'));
    for (const bet of bets) {
      const id = bet.getAttribute('data-testid')!;
      const seat = id.replace('bet-', '');
      // The bet's pill and the chips stacked over its top edge.
      const r = [bet, ...Array.from(bet.querySelectorAll('.chip'))].map((el) => el.getBoundingClientRect()).filter((b) => b.width > 0)
        .reduce((a, b) => DOMRect.fromRect({ x: Math.min(a.left, b.left), y: Math.min(a.top, b.top), width: Math.max(a.right, b.right) - Math.min(a.left, b.left), height: Math.max(a.bottom, b.bottom) - Math.min(a.top, b.top) }));
      const against = (selector: string, what: (el: Element) => string, skip?: (el: Element) => boolean) => {
        for (const el of Array.from(document.querySelectorAll(selector))) {
          if (el === bet || skip?.(el) || !hit(r, el.getBoundingClientRect())) continue;
          covers.push(`${id} covers ${what(el)}`);
        }
      };
      against('[data-testid=pot-total]', () => 'the pot');
      against('.side-pot', (el) => `the side pot "${el.textContent}"`);
      against('[data-testid=board] .card', (el) => `board card ${el.getAttribute('data-card') ?? '(slot)'}`);
      against('.bet', (el) => el.getAttribute('data-testid')!);
      const ofSeat = (el: Element) => el.closest('[data-testid^=seat-]')?.getAttribute('data-testid') ?? '?';
      against('[data-testid^=seat-] .seat-plate', (el) => `the plate of ${ofSeat(el)}`, (el) => ofSeat(el) === `seat-${seat}`);
      against('[data-testid^=seat-] .hole .card', (el) => `a card of ${ofSeat(el)}`, (el) => ofSeat(el) === `seat-${seat}`);
    }
    return covers;
  });
}

/**
 * betOverlaps once the bets have settled: they are placed from the laid-out page (Felt.tsx,
 * placeBets), again whenever it changes, so a page still settling (a busy machine, a late font)
 * is read again for up to 3 s; what still overlaps then is the answer.
 */
async function settledBetOverlaps(page: Page): Promise<string[]> {
  return settled(page, () => betOverlaps(page));
}

/**
 * What `read` finds once the page has settled: read again every 100 ms while it finds something,
 * for up to 3 s. A busy machine can be read mid-placement (the felt fitted to the window, then the
 * seats and bets placed); what is still wrong after 3 s is wrong.
 */
async function settled(page: Page, read: () => Promise<string[]>): Promise<string[]> {
  const deadline = Date.now() + 3_000;
  let problems = await read();
  while (problems.length > 0 && Date.now() < deadline) {
    await page.waitForTimeout(100);
    problems = await read();
  }
  return problems;
}

/** The sizes of the bet audit: the desktop the audit uses, the test's desktop, phones upright and on their side. */
const BET_SIZES = [LAPTOP, DESKTOP, { width: 1920, height: 1080 }, { width: 360, height: 640 }, PHONE, { width: 640, height: 360 }, LANDSCAPE];
const ALL_SEAT_COUNTS = [2, 3, 4, 5, 6, 7, 8, 9, 10];

/**
 * Opens the table's page at `tablePath`, or draws it again when the page is there already:
 * inside the app (away and back, as its own links do), so the table page mounts anew and
 * watches again and its snapshot is rewritten for the new layout. A reload would parse the
 * whole bundle again each time: most of this file's time on a slow machine (hundreds of loads).
 */
async function drawTable(page: Page, tablePath: string): Promise<void> {
  if (new URL(page.url()).pathname !== tablePath) {
    await page.goto(`${server.url}${tablePath}`);
    return;
  }
  const go = (path: string) => page.evaluate((to) => {
    window.history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
    window.scrollTo(0, 0);
  }, path);
  await go('/no-such-page');
  await page.getByTestId('table-page').waitFor({ state: 'detached' });
  await go(tablePath);
}

/** What a page drawn by fullTablePage shows besides `fullTable`; read at each load. */
interface FullTableLayout {
  n: number;
  variant: 'NLHE' | 'PLO';
  button: number;
  names?: (seat: number) => string;
  /** The action clock on this seat (not yours: your action bar stays up). */
  clockSeat?: number;
  /**
   * Every other seat acts after the snapshot, so each has its action tag, the widest there is
   * ("Raise to 12345", an all-in at seat 1), and a main and a side pot from the streets before.
   */
  tags?: boolean;
  /** Your top-ups waiting for the end of the hand. */
  pendingTopUps?: number[];
  /** None of the seats is yours. */
  watching?: boolean;
}

/**
 * A page at `size` drawing `fullTable` (a main pot and a side pot) on the idle table, `layout` read
 * at each load; `signUp`: a new player signed in first (the table's head has their controls).
 */
async function fullTablePage(size: { width: number; height: number }, layout: FullTableLayout, options: { signUp?: boolean } = {}): Promise<{ page: Page; load: (n: number) => Promise<void>; close: () => Promise<void> }> {
  const full = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
  const idle = full.tables.find((t) => t.name === 'Full Ring 1/2')!.id;
  const context = await browser.newContext({ viewport: size, bypassCSP: true, reducedMotion: 'reduce' });
  room.contexts.push(context);
  const page = await context.newPage();
  if (options.signUp) await signUp(page, server.url, `pf${Date.now() % 1_000_000}`);
  const { push } = await rewriteSnapshots(page, (snapshot) => {
    fullTable(snapshot, layout.n, layout.variant, layout.button);
    if (layout.names) for (const player of snapshot.players as Json[]) player.username = layout.names(player.seat as number);
    (snapshot.view as Json).pots = [{ amount: 3_456, eligible: [] }, { amount: 1_200, eligible: [] }];
    // The action clock on another seat (its plate shows the clock); your action bar stays up.
    if (layout.clockSeat !== undefined) {
      (snapshot.view as Json).toAct = layout.clockSeat;
      snapshot.clock = { seat: layout.clockSeat, deadline: Date.now() + 600_000, turnMs: 600_000, usingTimeBank: false };
    }
    if (layout.pendingTopUps) (snapshot.you as Json).pendingTopUps = layout.pendingTopUps;
    if (layout.watching) Object.assign(snapshot.you as Json, { userId: -1, seat: null, legal: null });
    // The frames that follow fold the pots again from what the seats put in before this street.
    if (layout.tags) for (const seat of (snapshot.view as Json).seats as Json[]) Object.assign(seat, seat.seat === 1 ? { bet: 40, committed: 340, stack: 0, allIn: true } : { bet: 12_345, committed: 12_945 });
  });
  const tablePath = `/table/${idle}`;
  const load = async (n: number) => {
    layout.n = n;
    await drawTable(page, tablePath);
    await page.locator(`[data-testid=hole-0] [data-card]`).nth(layout.variant === 'PLO' ? 3 : 1).waitFor();
    await page.locator('[data-testid=board] [data-card]').nth(2).waitFor();
    await page.locator(`[data-testid=bet-${n - 1}]`).waitFor();
    if (layout.tags) {
      // What the engine could send (a raise range, min below max): the action bar at its tallest.
      const legal = { canFold: true, canCheck: false, canCall: true, callAmount: 12_345, minRaiseTo: 24_690, maxRaiseTo: 185_000, canAllIn: true, allInAmount: 185_000, allInTo: 185_000 };
      const act = (seat: number) => seat === 1
        ? { type: 'action', seat, action: 'call', amount: 0, betTo: 40, allIn: true, timedOut: false }
        : { type: 'action', seat, action: 'raise', amount: 0, betTo: 12_345, allIn: false, timedOut: false };
      // Each seat but yours acts, then the action is back on you.
      push(Array.from({ length: n - 1 }, (_, i) => i + 1 === n - 1 ? [act(i + 1), { type: 'to_act', seat: 0, legal }] : [act(i + 1)]));
      await page.locator(`[data-testid=seat-${n - 1}] .seat-tag`).first().waitFor();
      await page.getByTestId('action-bar').waitFor();
    }
    await page.waitForTimeout(150);
  };
  return { page, load, close: () => context.close() };
}

/** Phones upright (a small one and the tests' own) and the same on their side. */
const PHONE_SIZES = [{ width: 360, height: 640 }, PHONE, { width: 640, height: 360 }, LANDSCAPE];

/** Apple's smallest touch target (Human Interface Guidelines: 44x44 pt). */
const TOUCH_TARGET_PX = 44;

/**
 * The touch targets among `selector` (those shown), as laid out now: each is at least
 * TOUCH_TARGET_PX wide and high, on screen and clear of the others. Each entry names the target
 * by its label and what is wrong.
 */
async function touchTargetProblems(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(({ selector, min }) => {
    const out: string[] = [];
    const targets = Array.from(document.querySelectorAll(selector)).filter((el) => el.getClientRects().length > 0);
    if (targets.length === 0) out.push(`no ${selector} shown`);
    const name = (el: Element) => `"${el.getAttribute('aria-label') ?? el.textContent?.trim()}"`;
    const boxes = targets.map((el) => el.getBoundingClientRect());
    targets.forEach((el, i) => {
      const r = boxes[i]!;
      if (r.width < min - 0.5 || r.height < min - 0.5) out.push(`${name(el)} is ${Math.round(r.width)}x${Math.round(r.height)}px`);
      if (r.left < -0.5 || r.right > innerWidth + 0.5 || r.top + scrollY < -0.5) out.push(`${name(el)} is off screen`);
      for (let j = i + 1; j < targets.length; j++) {
        const o = boxes[j]!;
        if (Math.min(r.right, o.right) - Math.max(r.left, o.left) > 0.5 && Math.min(r.bottom, o.bottom) - Math.max(r.top, o.top) > 0.5) out.push(`${name(el)} overlaps ${name(targets[j]!)}`);
      }
    });
    return out;
  }, { selector, min: TOUCH_TARGET_PX });
}

/**
 * The table's head on a phone, as laid out now: its buttons and links are touch targets
 * (touchTargetProblems), the table's name shows whole (not cut short by an ellipsis), and the
 * head fits the screen's width.
 */
async function headProblems(page: Page): Promise<string[]> {
  const out = await touchTargetProblems(page, '.table-head :is(button, a)');
  const name = await page.locator('.table-title :is(h1, h2)').evaluate((el) => ({ text: el.textContent ?? '', cut: el.scrollWidth > el.clientWidth + 0.5, width: el.clientWidth }));
  if (name.cut) out.push(`the table's name "${name.text}" is cut short (${name.width}px shown)`);
  const head = await page.locator('.table-head').boundingBox();
  if (head!.x < 0 || head!.x + head!.width > page.viewportSize()!.width + 0.5) out.push('the head is wider than the screen');
  return out;
}

/**
 * What the seats cover in the middle of the felt, as laid out now: a seat's plate or tag (its
 * action, "Raise 12.35K", a status, your best hand) on the pot line (the total and the side pots)
 * or a board card (or the slot of one to come); a tag on another seat's plate or cards; a tag cut
 * short by an ellipsis, off screen or under the action bar. Each entry names the seat and what it covers.
 */
async function seatOverlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const hit = (a: DOMRect, b: DOMRect) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    const seatOf = (el: Element) => el.closest('[data-testid^=seat-]')?.getAttribute('data-testid') ?? '?';
    const middle = Array.from(document.querySelectorAll('[data-testid=pot-total], .side-pot, [data-testid=board] .card'));
    const what = (el: Element) => (el.closest('[data-testid=board]') ? `board card ${el.getAttribute('data-card') ?? '(slot)'}` : `the pot line's "${el.textContent}"`);
    const bar = document.querySelector('[data-testid=action-bar]')?.getBoundingClientRect() ?? null;
    const plates = Array.from(document.querySelectorAll('[data-testid^=seat-] .seat-plate'));
    const cards = Array.from(document.querySelectorAll('[data-testid^=seat-] .hole .card'));
    for (const plate of plates) {
      for (const el of middle) if (hit(plate.getBoundingClientRect(), el.getBoundingClientRect())) out.push(`the plate of ${seatOf(plate)} covers ${what(el)}`);
    }
    for (const tag of Array.from(document.querySelectorAll('[data-testid^=seat-] .seat-tag'))) {
      const seat = seatOf(tag);
      const r = tag.getBoundingClientRect();
      const label = `the tag "${tag.textContent}" of ${seat}`;
      for (const el of middle) if (hit(r, el.getBoundingClientRect())) out.push(`${label} covers ${what(el)}`);
      for (const el of [...plates, ...cards]) if (seatOf(el) !== seat && hit(r, el.getBoundingClientRect())) out.push(`${label} meets ${el.classList.contains('card') ? 'a card' : 'the plate'} of ${seatOf(el)}`);
      if (tag.scrollWidth > tag.clientWidth + 0.5) out.push(`${label} is cut short`);
      if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${label} is off screen`);
      if (bar && hit(r, bar)) out.push(`${label} is under the action bar`);
    }
    return out;
  });
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
    expect(await touchTargetProblems(a, '[data-testid^=lobby-row-] :is(button, a)'), 'the lobby rows\' buttons').toEqual([]);
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
    // The best hand so far is named under your cards, short on a phone (the whole name in its
    // title); a high card keeps its rank ("Ace High", not "High Card").
    const myBest = onFlop.getByTestId('my-best-hand');
    await expect.poll(() => myBest.textContent()).toMatch(/^(Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Jack|Queen|King|Ace) High$|^Pair of \w+$|^Two Pair$|^Three of a Kind$|^Straight$|^Flush$|^Full House$|^Four of a Kind$|^Straight Flush$|^Royal Flush$/);
    const [bestText, bestTitle] = [await myBest.textContent(), await myBest.getAttribute('title')];
    if (bestTitle?.startsWith('High Card, ')) expect(bestText).toBe(`${bestTitle.slice('High Card, '.length)} High`);
    else expect(bestTitle?.startsWith(bestText!)).toBe(true);
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

    // The mute toggle (in the table menu on a phone) is remembered.
    await onFlop.getByRole('button', { name: 'Table menu' }).click();
    await onFlop.getByRole('menuitemcheckbox', { name: 'Mute sounds' }).click();
    expect(await onFlop.evaluate(() => localStorage.getItem('atomic-poker.muted'))).toBe('1');
    await onFlop.getByRole('button', { name: 'Table menu' }).click();
    expect(await onFlop.getByRole('menuitemcheckbox', { name: 'Mute sounds' }).getAttribute('aria-checked')).toBe('true');
    await onFlop.keyboard.press('Escape');

    // The same turn at 1280x800: the action bar's hint line is on screen, names are whole.
    await onFlop.setViewportSize(DESKTOP);
    await onFlop.evaluate(() => window.scrollTo(0, 0));
    await onFlop.getByTestId('action-bar').waitFor();
    await expectBottomWithin(onFlop.locator('[data-testid=action-bar] .key-hints'), DESKTOP.height, 'the hint line is not clipped at 800px');
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
    // "Adjust" on a phone: the form opens below the list, so it is scrolled to, and the amount focused.
    await boss.getByLabel('Search users').fill('');
    // Every user listed (the list is reloaded as the search changes), so the form sits further down.
    await boss.getByRole('button', { name: `Adjust chips of ${bob}` }).waitFor();
    await boss.evaluate(() => window.scrollTo(0, 0));
    await boss.getByRole('button', { name: `Adjust chips of ${alice}` }).click();
    await boss.getByTestId('adjust-form').waitFor();
    await expect.poll(async () => {
      const form = await boss.getByTestId('adjust-form').boundingBox();
      return form !== null && form.y >= 0 && form.y + form.height <= PHONE.height;
    }, { timeout: 3_000, message: 'the adjust form is on screen' }).toBe(true);
    expect(await boss.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('amount');
    await boss.screenshot({ path: path.join(SHOTS, `phone-admin-adjust-${PHONE.width}x${PHONE.height}.png`) });
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

  it('a seat taken mid-hand shows its buy-in; a split pot and side pots name each winner; shown hands and names fit a phone', async () => {
    const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
    const roller = tables.tables.find((t) => t.name === 'High Roller 5/10')!.id;
    // Ten letters each: a phone's seat showed about six.
    const [kings, queens] = ['kingsseven', 'queenshigh'];
    const joiner = await newPage();
    const joinerName = `pj${Date.now() % 100000}`;
    await signUp(joiner, server.url, joinerName);
    await buyChips(joiner, server.url, '10');
    // Two players over the socket at seats 0 and 4 (4 is on the right of the rail).
    const bots: { client: TestClient; seat: number }[] = [];
    for (const [name, seat] of [[kings, 0], [queens, 4]] as const) {
      const client = await TestClient.signup(server.url, name);
      await client.buyChips(1_000_00);
      await client.connect();
      await client.watch(roller);
      expect(await client.emit('table:sit', { tableId: roller, seat, buyIn: 300 })).toMatchObject({ ok: true });
      bots.push({ client, seat });
    }
    try {
      const live = () => { const v = bots[0]!.client.view(roller); return v !== null && v.handId !== null && v.street !== 'complete'; };
      await bots[0]!.client.until(live, 20_000, 'a hand at the table');

      // Seated while the hand is on: the buy-in shows on the seat with "Next hand", not a dash.
      await sit(joiner, server.url, roller, 5, 250);
      expect(await street(joiner)).not.toBe('complete');
      await expect.poll(() => joiner.getByTestId('stack-5').textContent(), { timeout: 5_000 }).toBe('250');
      expect(await joiner.getByTestId('seat-status-5').textContent()).toBe('Next hand');
      // Everyone else reads it too: the players list carries what a joining seat brings.
      expect((await bots[0]!.client.snapshot(roller)).players.find((p) => p.seat === 5)).toMatchObject({ username: joinerName, joiningStack: 250 });
      // Your own name is whole beside its "you" tag.
      expect(await joiner.locator(`[data-username=${joinerName}] .seat-name`).evaluate((el) => el.scrollWidth <= el.clientWidth), 'your own name is not cut short').toBe(true);
      await joiner.screenshot({ path: path.join(SHOTS, `joined-mid-hand-${PHONE.width}x${PHONE.height}.png`) });

      // The hand ends (both sit out, whoever is to act folds) and the table stalls on its result.
      for (const { client } of bots) expect(await client.emit('table:sit_out', { tableId: roller })).toMatchObject({ ok: true });
      const deadline = Date.now() + 30_000;
      while (live() && Date.now() < deadline) {
        for (const { client } of bots) {
          const mine = client.legal.get(roller);
          if (mine?.legal) await client.emit('table:act', { tableId: roller, action: 'fold', seq: mine.seq }).catch(() => undefined);
        }
        await joiner.waitForTimeout(50);
      }
      expect(live(), 'the hand ended').toBe(false);

      // Results the shuffle will not deal on demand, drawn from the stalled table's snapshot.
      const twoPair = 'Two Pair, Kings and Sevens';
      let pots: Json[] = [];
      const viewer = await newPage();
      await rewriteSnapshots(viewer, (snapshot) => {
        const view = snapshot.view as { street: string; result: Json | null; seats: (Json | null)[] };
        if (view.street !== 'complete' || !view.result) return;
        view.result.pots = pots;
        view.result.shown = [{ seat: 4, cards: ['Kh', '7d'], category: 'two_pair', name: twoPair }];
        Object.assign(view.seats[4]!, { holeCards: ['Kh', '7d'], folded: false, inHand: true, cardCount: 2 });
      });
      const look = async (viewport: { width: number; height: number }) => {
        await viewer.setViewportSize(viewport);
        await viewer.goto(`${server.url}/table/${roller}`);
        // (The result stays up for the table's showdown hold, then gives way to "waiting for players".)
        await viewer.getByTestId('winner-banner').waitFor({ timeout: 10_000 });
        return (await viewer.getByTestId('winner-banner').textContent()) ?? '';
      };

      // A pot split two ways: both named, the pot said once, no "&" and no "wins" of the whole.
      pots = [{ amount: 600, rake: 0, eligible: [0, 4], winners: [{ seat: 0, amount: 300 }, { seat: 4, amount: 300 }], handName: twoPair }];
      const split = await look(PHONE);
      expect(split).toBe(`${kings} and ${queens} split 600 with Two Pair`);
      await expectInsideWidth(viewer, '[data-testid=winner-banner]', 'the split-pot banner');
      // The shown hand under the right-hand seat: its short name, inside the screen; the full one in its title.
      expect(await viewer.getByTestId('shown-name-4').textContent()).toBe('Two Pair');
      expect(await viewer.getByTestId('shown-name-4').getAttribute('title')).toBe(twoPair);
      await expectInsideWidth(viewer, '[data-testid=shown-name-4]', 'the shown hand of the right-hand seat');
      await expectNoSidewaysScroll(viewer, 'the table with a shown hand');
      // Ten-letter names are whole on a phone's seats.
      for (const name of [kings, queens]) {
        const plate = viewer.locator(`[data-username=${name}] .seat-name`);
        expect(await plate.evaluate((el) => el.scrollWidth <= el.clientWidth), `${name} is not cut short on a phone`).toBe(true);
      }
      await viewer.screenshot({ path: path.join(SHOTS, `split-pot-${PHONE.width}x${PHONE.height}.png`) });

      // A main pot and a side pot won by different players: each with their own amount.
      pots = [
        { amount: 600, rake: 0, eligible: [0, 4, 5], winners: [{ seat: 0, amount: 600 }], handName: 'Flush, Ace high' },
        { amount: 200, rake: 0, eligible: [0, 4], winners: [{ seat: 4, amount: 200 }], handName: twoPair },
      ];
      expect(await look(PHONE)).toBe(`${kings} wins 600 · ${queens} wins 200`);
      await expectInsideWidth(viewer, '[data-testid=winner-banner]', 'the side-pot banner');
      await viewer.screenshot({ path: path.join(SHOTS, `side-pots-${PHONE.width}x${PHONE.height}.png`) });

      // At the audit's desktop size the full hand name shows, under the seat and in the banner.
      pots = [{ amount: 600, rake: 0, eligible: [0, 4], winners: [{ seat: 0, amount: 300 }, { seat: 4, amount: 300 }], handName: twoPair }];
      expect(await look(LAPTOP)).toBe(`${kings} and ${queens} split 600 with ${twoPair}`);
      expect(await viewer.getByTestId('shown-name-4').textContent()).toBe(twoPair);
      await expectInsideWidth(viewer, '[data-testid=shown-name-4]', 'the shown hand at 1366px');
      await viewer.screenshot({ path: path.join(SHOTS, `split-pot-${LAPTOP.width}x${LAPTOP.height}.png`) });
    } finally {
      for (const { client } of bots) client.close();
    }
  });

  // The table's head on a phone had 34 px buttons (mute, another table, the menu) and, at 360 px,
  // room for four letters of the table's name. Seated, signed in, with the time bank and a top-up
  // waiting: every button of the head is a touch target (44x44), the name shows whole, and the
  // menu holds what left the head (the sound, the turn notifications) beside the seat's controls;
  // watching, the same. Upright and on its side, small and large phones.
  for (const size of PHONE_SIZES) {
    it(`the table's head: touch-sized buttons, the whole name, every control reachable at ${size.width}x${size.height}`, async () => {
      const layout: FullTableLayout = { n: 6, variant: 'NLHE', button: 0, pendingTopUps: [20] };
      const { page, load, close } = await fullTablePage(size, layout, { signUp: true });
      await load(6);
      const problems = (await headProblems(page)).map((p) => `seated: ${p}`);
      expect(await page.locator('.table-head').innerText(), 'the time bank and the top-up show in the head').toMatch(/30s[\s\S]*\+20|\+20[\s\S]*30s/);
      await page.getByRole('button', { name: 'Table menu' }).click();
      const menu = page.getByRole('menu', { name: 'Table menu' });
      for (const item of ['Mute sounds', "Notify me when it's my turn", 'Sit out', 'Top up', 'Leave']) {
        const entry = menu.getByRole('menuitem', { name: item, exact: true }).or(menu.getByRole('menuitemcheckbox', { name: item, exact: true }));
        if (!(await entry.isVisible())) problems.push(`the menu has no "${item}"`);
      }
      problems.push(...(await touchTargetProblems(page, '[role=menu] [role^=menuitem]')).map((p) => `the menu: ${p}`));
      await page.screenshot({ path: path.join(SHOTS, `table-head-menu-${size.width}x${size.height}.png`) });
      await page.keyboard.press('Escape');
      // Watching: the same table, none of its seats yours.
      layout.watching = true;
      await load(6);
      await page.getByTestId('spectating').waitFor();
      problems.push(...(await headProblems(page)).map((p) => `watching: ${p}`));
      await page.screenshot({ path: path.join(SHOTS, `table-head-watching-${size.width}x${size.height}.png`) });
      expect(problems, `the table's head at ${size.width}x${size.height}`).toEqual([]);
      await close();
    });
  }

  // A lobby row's "+ Add" (the table beside your others) was a 24 px pill on a phone. Signed in,
  // upright and on its side: it and the row's Play and Watch are touch targets (44x44), on screen
  // and clear of each other, and so are the site's bar's links and buttons and the filters.
  for (const size of [{ width: 360, height: 640 }, { width: 640, height: 360 }]) {
    it(`the lobby's buttons are touch-sized at ${size.width}x${size.height}`, async () => {
      const page = await openPage(browser, room.contexts, size);
      await signUp(page, server.url, `pl${Date.now() % 1_000_000}`);
      await page.goto(server.url);
      await page.getByTestId(`add-table-${tableId}`).waitFor();
      const problems = (await touchTargetProblems(page, '.topbar :is(a, button), .filters :is(button, select, .check)')).map((p) => `the bar and the filters: ${p}`);
      for (const row of await page.locator('[data-testid^=lobby-row-]').all()) {
        const id = await row.getAttribute('data-testid');
        problems.push(...(await touchTargetProblems(page, `[data-testid=${id}] :is(button, a)`)).map((p) => `${id}: ${p}`));
      }
      await expectNoSidewaysScroll(page, 'the lobby');
      await page.screenshot({ path: path.join(SHOTS, `lobby-${size.width}x${size.height}.png`), fullPage: true });
      expect(problems, `the lobby at ${size.width}x${size.height}`).toEqual([]);
    });
  }

  // At 360x640 with six seats the upper seats' plates touched the pot by a few px, and an action
  // tag ("Raise 136") on the pot was only ever measured by hand. Every seat but yours with the
  // widest tag there is, a main and a side pot, your best hand named: no plate and no tag covers
  // the pot line or a board card, no tag covers another seat, is cut short, off screen or under
  // the action bar; 2-10 seats, Hold'em and Omaha, phones upright and on their side. (The bets are
  // the bet audit's: at 640x360 with 9-10 seats, each with a tag and a bet, some find no free spot.)
  for (const size of PHONE_SIZES) {
    it(`no seat plate or action tag covers the pot or the board at ${size.width}x${size.height}`, async () => {
      const layout: FullTableLayout = { n: 2, variant: 'NLHE', button: 0, tags: true };
      const { page, load, close } = await fullTablePage(size, layout);
      const problems: string[] = [];
      for (const variant of ['NLHE', 'PLO'] as const) for (const n of ALL_SEAT_COUNTS) {
        layout.variant = variant;
        await load(n);
        if (await page.locator('.side-pot').count() < 2) problems.push(`${n} seats, ${variant}: no side pot drawn`);
        if (await page.locator('[data-testid^=seat-] .seat-tag').count() < n) problems.push(`${n} seats, ${variant}: a tag is missing`);
        const found = await settled(page, () => seatOverlaps(page));
        for (const problem of found) problems.push(`${n} seats, ${variant}: ${problem}`);
        // A picture of the fullest table, and of any that is wrong (a PNG each is much of this test's time).
        if (n === 10 || found.length > 0) await page.screenshot({ path: path.join(SHOTS, `seat-tags-${n}-seats-${variant}-${size.width}x${size.height}.png`) });
      }
      expect(problems, `the seats at ${size.width}x${size.height}`).toEqual([]);
      await close();
    });
  }

  // The dealer button once covered the rank of the bottom seat's second hole card; moved, it
  // covered other things at other seat counts. At each seat count, in Hold'em and Omaha, with the
  // button at every seat, it covers no card, name, stack, blind marker, bet, plate or the board,
  // and it is on its own seat's plate.
  // One test per size and variant: each stays well inside the e2e time-out on a loaded machine.
  for (const { seats: seatCounts, ...size } of BUTTON_SIZES) for (const variant of ['NLHE', 'PLO'] as const) {
    it(`the dealer button covers nothing at any seat at ${size.width}x${size.height} (${variant})`, async () => {
      const full = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
      // A table nobody plays at in this file: no frame moves the drawn hand on.
      const idle = full.tables.find((t) => t.name === 'Full Ring 1/2')!.id;
      const context = await browser.newContext({ viewport: size, bypassCSP: true, reducedMotion: 'reduce' });
      room.contexts.push(context);
      const page = await context.newPage();
      let layout = { n: 2, variant, button: 0 };
      await rewriteSnapshots(page, (snapshot) => fullTable(snapshot, layout.n, layout.variant, layout.button));
      const problems: string[] = [];
      for (const n of seatCounts) {
        for (let button = 0; button < n; button++) {
          layout = { n, variant, button };
          await drawTable(page, `/table/${idle}`);
          await page.locator('.dealer-button').waitFor();
          await page.locator(`[data-testid=hole-0] [data-card]`).nth(variant === 'PLO' ? 3 : 1).waitFor();
          // The flop is dealt and the page has fitted the felt to the window (--fit-h on a phone).
          await page.locator('[data-testid=board] [data-card]').nth(2).waitFor();
          const where = `${n} seats, ${variant}, button at seat ${button}`;
          problems.push(...await settled(page, async () => {
            const { covers, gap, onScreen } = await buttonOverlaps(page, button);
            const found: string[] = [];
            if (covers.length > 0) found.push(`${where}: covers ${covers.join(', ')}`);
            if (gap > 0) found.push(`${where}: ${Math.round(gap)}px from its seat`);
            if (!onScreen) found.push(`${where}: off screen`);
            return found;
          }));
        }
      }
      expect(problems, `the dealer button at ${size.width}x${size.height}`).toEqual([]);
      await context.close();
    });
  }

  // A seat's bet sits between the seat and the middle: at 8-10 seats on a phone it covered the
  // pot and the board, and at some counts the next seat's plate. At every seat count, every seat
  // betting (the widest amount "12.35K"), a main and a side pot: no bet covers the pot line, a
  // board card (or the slot of one to come), another bet, or another seat's plate or cards.
  for (const size of BET_SIZES) {
    it(`no bet covers the pot, the board or another seat at ${size.width}x${size.height}`, async () => {
      const { page, load, close } = await fullTablePage(size, { n: 2, variant: 'NLHE', button: 0 });
      const problems: string[] = [];
      for (const n of ALL_SEAT_COUNTS) {
        await load(n);
        expect(await page.locator('.bet').count(), `${n} seats: every seat bets`).toBe(n);
        for (const cover of await settledBetOverlaps(page)) problems.push(`${n} seats: ${cover}`);
      }
      await page.screenshot({ path: path.join(SHOTS, `bets-10-seats-${size.width}x${size.height}.png`) });
      expect(problems, `the bets at ${size.width}x${size.height}`).toEqual([]);
      await close();
    });
  }

  // A phone on its side (844x390) had the desktop layout squeezed into 390 px of height: the head,
  // the felt and the action bar did not fit, the top seat sat under the head (and at 640x360 an
  // upright phone's felt was drawn into it as well). On your turn, at every seat count, Hold'em and
  // Omaha: the felt, your cards, the board and the action buttons are on screen without scrolling,
  // nothing scrolls sideways, every seat's plate is on screen and no two plates overlap.
  for (const size of [LANDSCAPE, { width: 640, height: 360 }]) for (const variant of ['NLHE', 'PLO'] as const) {
    it(`a phone on its side (${size.width}x${size.height}) shows the felt, your cards, the board and the action bar (${variant})`, async () => {
      const { page, load, close } = await fullTablePage(size, { n: 2, variant, button: 0 });
      const problems: string[] = [];
      for (const n of ALL_SEAT_COUNTS) {
        await load(n);
        await page.getByTestId('action-bar').waitFor();
        const found = await page.evaluate(() => {
          const out: string[] = [];
          const inside = (what: string, el: Element | null) => {
            if (!el) return out.push(`${what} is missing`);
            const r = el.getBoundingClientRect();
            if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${what} is off screen (${Math.round(r.left)},${Math.round(r.top)})-(${Math.round(r.right)},${Math.round(r.bottom)})`);
          };
          if (scrollY !== 0) out.push('the page is scrolled');
          if (document.documentElement.scrollWidth > innerWidth) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px)`);
          inside('the felt', document.querySelector('.felt'));
          inside('the board', document.querySelector('[data-testid=board]'));
          inside('the pot', document.querySelector('[data-testid=pot-total]'));
          inside('the Fold button', document.querySelector('[data-testid=action-bar] .act-fold'));
          inside('the Call button', document.querySelector('[data-testid=action-bar] .act-call'));
          inside('the raise button', document.querySelector('[data-testid=action-bar] .act-raise'));
          const bar = document.querySelector('[data-testid=action-bar]')!.getBoundingClientRect();
          const hole = Array.from(document.querySelectorAll('.seat-me .hole [data-card]'));
          if (hole.length === 0) out.push('your cards are missing');
          hole.forEach((card, i) => {
            inside(`your card ${i + 1}`, card);
            const r = card.getBoundingClientRect();
            if (Math.min(r.right, bar.right) - Math.max(r.left, bar.left) > 0.5 && r.bottom > bar.top + 1) out.push(`your card ${i + 1} is under the action bar`);
          });
          const plates = Array.from(document.querySelectorAll('[data-testid^=seat-] .seat-plate'));
          plates.forEach((plate, i) => {
            const seat = plate.closest('[data-testid^=seat-]')!.getAttribute('data-testid');
            inside(`the plate of ${seat}`, plate);
            const a = plate.getBoundingClientRect();
            for (const other of plates.slice(i + 1)) {
              const b = other.getBoundingClientRect();
              if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5) out.push(`the plate of ${seat} overlaps the plate of ${other.closest('[data-testid^=seat-]')!.getAttribute('data-testid')}`);
            }
          });
          return out;
        });
        for (const problem of found) problems.push(`${n} seats: ${problem}`);
        if (n === 6 || n === 9) await page.screenshot({ path: path.join(SHOTS, `landscape-${n}-seats-${variant}-${size.width}x${size.height}.png`) });
      }
      expect(problems, `a phone on its side at ${size.width}x${size.height} (${variant})`).toEqual([]);
      await close();
    });
  }

  // At 9 and 10 seats an upright phone's seats overlapped their neighbours (the top two at 9, most
  // at 10 on 360 px), a name showed about six letters and some seats covered the side-pot line.
  // The seat to act (the clock on a seat of the right-hand column) kept a small avatar for its
  // clock ring and showed five letters: its clock is a bar along the plate's foot now.
  // On your turn, every seat betting, a main and a side pot, 13-letter names, Hold'em and Omaha:
  // no two plates overlap, no plate covers another seat's cards, the pot line or the board, every
  // plate and card is on screen, a name shows at least eight letters, your cards, the board, the
  // pot and the action buttons are on screen and no bet covers anything (betOverlaps).
  for (const size of [PHONE, { width: 360, height: 640 }]) {
    it(`9 and 10 seats fit an upright phone at ${size.width}x${size.height}`, async () => {
      const layout = { n: 9, variant: 'NLHE' as 'NLHE' | 'PLO', button: 0, names: (seat: number) => `RiverRat_${1234 + seat}`, clockSeat: 7 };
      const { page, load, close } = await fullTablePage(size, layout);
      const problems: string[] = [];
      for (const variant of ['NLHE', 'PLO'] as const) for (const n of [9, 10]) {
        layout.variant = variant;
        await load(n);
        await page.getByTestId('action-bar').waitFor();
        await page.locator('[data-testid=seat-7] [role=timer]:visible').waitFor();
        const found = await page.evaluate(() => {
          const out: string[] = [];
          const hit = (a: DOMRect, b: DOMRect) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
          const box = (r: DOMRect) => `(${Math.round(r.left)},${Math.round(r.top)})-(${Math.round(r.right)},${Math.round(r.bottom)})`;
          const inside = (what: string, el: Element | null) => {
            if (!el) return out.push(`${what} is missing`);
            const r = el.getBoundingClientRect();
            if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${what} is off screen ${box(r)}`);
          };
          const seatOf = (el: Element) => el.closest('[data-testid^=seat-]')!.getAttribute('data-testid')!;
          if (scrollY !== 0) out.push('the page is scrolled');
          if (document.documentElement.scrollWidth > innerWidth) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px)`);
          inside('the board', document.querySelector('[data-testid=board]'));
          inside('the pot', document.querySelector('[data-testid=pot-total]'));
          inside('the Fold button', document.querySelector('[data-testid=action-bar] .act-fold'));
          inside('the Call button', document.querySelector('[data-testid=action-bar] .act-call'));
          const bar = document.querySelector('[data-testid=action-bar]')!.getBoundingClientRect();
          const plates = Array.from(document.querySelectorAll('[data-testid^=seat-] .seat-plate'));
          const cards = Array.from(document.querySelectorAll('[data-testid^=seat-] .hole .card'));
          const middle = Array.from(document.querySelectorAll('[data-testid=pot-total], .side-pot, [data-testid=board] .card'));
          for (const card of cards) {
            inside(`a card of ${seatOf(card)}`, card);
            if (card.closest('.seat-me') && hit(card.getBoundingClientRect(), bar)) out.push('your cards are under the action bar');
          }
          plates.forEach((plate, i) => {
            const seat = seatOf(plate);
            const a = plate.getBoundingClientRect();
            inside(`the plate of ${seat}`, plate);
            if (hit(a, bar)) out.push(`the plate of ${seat} is under the action bar`);
            for (const other of plates.slice(i + 1)) if (hit(a, other.getBoundingClientRect())) out.push(`the plate of ${seat} overlaps the plate of ${seatOf(other)}`);
            for (const card of cards) if (seatOf(card) !== seat && hit(a, card.getBoundingClientRect())) out.push(`the plate of ${seat} overlaps a card of ${seatOf(card)}`);
            for (const el of middle) if (hit(a, el.getBoundingClientRect())) out.push(`the plate of ${seat} overlaps ${el.closest('[data-testid=board]') ? `board card ${el.getAttribute('data-card') ?? '(slot)'}` : `"${el.textContent}"`}`);
            // How many letters of the name show: all of it, or as many as fit before the ellipsis.
            const name = plate.querySelector<HTMLElement>('.seat-name')!;
            const text = name.textContent ?? '';
            let shown = text.length;
            if (name.scrollWidth > name.clientWidth) {
              const ctx = document.createElement('canvas').getContext('2d')!;
              const style = getComputedStyle(name);
              ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
              shown = 0;
              while (shown < text.length && ctx.measureText(`${text.slice(0, shown + 1)}…`).width <= name.clientWidth) shown++;
            }
            if (shown < 8) out.push(`the name of ${seat} shows ${shown} letters ("${text.slice(0, shown)}…")`);
          });
          return out;
        });
        for (const problem of found) problems.push(`${n} seats, ${variant}: ${problem}`);
        for (const cover of await settledBetOverlaps(page)) problems.push(`${n} seats, ${variant}: ${cover}`);
        await page.screenshot({ path: path.join(SHOTS, `upright-${n}-seats-${variant}-${size.width}x${size.height}.png`) });
      }
      expect(problems, `9 and 10 seats at ${size.width}x${size.height}`).toEqual([]);
      await close();
    });
  }

  // Several tables (/tables) on a phone on its side showed two tiles one above the other, each a
  // small felt with the action bar under it, below the screen's edge, and the seats covering the
  // board. Now one table shows at a time under the strip of tabs, laid out as a lone table on its
  // side: on your turn the felt, your cards, the board, the pot and the action buttons are on
  // screen, the action bar beside the felt and clear of the tile's head, no plate on another.
  it('several tables on a phone on its side (844x390): one at a time, the action bar beside the felt', async () => {
    const lobby = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
    const idle = lobby.tables.find((t) => t.name === 'Full Ring 1/2')!.id;
    const other = lobby.tables.find((t) => t.name === 'Heads-Up 2/4')!.id;
    const context = await browser.newContext({ viewport: LANDSCAPE, bypassCSP: true, reducedMotion: 'reduce' });
    room.contexts.push(context);
    const page = await context.newPage();
    const layout = { n: 2, variant: 'NLHE' as const, button: 0 };
    await rewriteSnapshots(page, (snapshot) => fullTable(snapshot, layout.n, layout.variant, layout.button));
    const problems: string[] = [];
    for (const n of [2, 6, 9, 10]) {
      layout.n = n;
      await page.goto(`${server.url}/tables?ids=${idle},${other}`);
      const tile = page.getByTestId(`table-tile-${idle}`);
      await tile.getByTestId('action-bar').waitFor();
      await tile.locator('[data-testid=board] [data-card]').nth(2).waitFor();
      await page.waitForTimeout(150);
      if (await page.getByTestId(`table-tile-${other}`).isVisible()) problems.push(`${n} seats: both tables show at once`);
      const found = await settled(page, () => page.evaluate((id) => {
        const out: string[] = [];
        const tile = document.querySelector(`[data-testid=table-tile-${id}]`)!;
        const hit = (a: DOMRect, b: DOMRect) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        const inside = (what: string, el: Element | null) => {
          if (!el) return out.push(`${what} is missing`);
          const r = el.getBoundingClientRect();
          if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${what} is off screen (${Math.round(r.left)},${Math.round(r.top)})-(${Math.round(r.right)},${Math.round(r.bottom)})`);
        };
        if (scrollY !== 0) out.push('the page is scrolled');
        if (document.documentElement.scrollWidth > innerWidth) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px)`);
        for (const [what, selector] of [['the felt', '.felt'], ['the board', '[data-testid=board]'], ['the pot', '[data-testid=pot-total]'], ['the Fold button', '.act-fold'], ['the Call button', '.act-call'], ['the raise button', '.act-raise']] as const) inside(what, tile.querySelector(selector));
        tile.querySelectorAll('.seat-me .hole [data-card]').forEach((card, i) => inside(`your card ${i + 1}`, card));
        const felt = tile.querySelector('.felt')!.getBoundingClientRect();
        const bar = tile.querySelector('[data-testid=action-bar]')!.getBoundingClientRect();
        if (bar.left < felt.right - 0.5) out.push('the action bar is not beside the felt');
        for (const el of Array.from(tile.querySelectorAll('.table-head button, .table-head a, .table-head .time-bank'))) if (hit(bar, el.getBoundingClientRect())) out.push(`the action bar covers "${el.getAttribute('aria-label') ?? el.textContent}" of the head`);
        const plates = Array.from(tile.querySelectorAll('[data-testid^=seat-] .seat-plate'));
        plates.forEach((plate, i) => {
          inside(`a plate`, plate);
          for (const other of plates.slice(i + 1)) if (hit(plate.getBoundingClientRect(), other.getBoundingClientRect())) out.push('two plates overlap');
          for (const el of Array.from(tile.querySelectorAll('[data-testid=pot-total], [data-testid=board] .card'))) if (hit(plate.getBoundingClientRect(), el.getBoundingClientRect())) out.push('a plate covers the pot or the board');
        });
        return out;
      }, idle));
      for (const problem of found) problems.push(`${n} seats: ${problem}`);
      if (n === 9) await page.screenshot({ path: path.join(SHOTS, `multi-table-landscape-${n}-seats-${LANDSCAPE.width}x${LANDSCAPE.height}.png`) });
    }
    expect(problems, 'several tables on a phone on its side').toEqual([]);
    await context.close();
  });
});
