import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserRoom, signUp, type BrowserRoom } from '../support/e2e-steps';
import type { TestServer } from '../support/server';
import { fullTable, rewriteSnapshots, type Json } from '../support/table-rig';

// The second layout audit, in Chromium: at the common laptop size (1366x768) the winner banner
// stood under a side seat's plate and the top seat's cards over the table's head; on a phone
// heads-up the two plates were tight against the board and the pot; the "Show cards" button
// was 26 px high; a chat line typed while disconnected vanished; a phone on its side cut off a
// six-digit amount in its box; the admin's users table clipped at 1366 px. Each check measures
// the page as laid out (bounding boxes), and failed before its fix.

const SHOTS = path.resolve('test-results/screenshots');

let room: BrowserRoom;
let server: TestServer;
let browser: Browser;

const LONG_NAMES = ['kingsseven', 'queenshigh', 'the_grinder_2000', 'RiverRat_1234', 'xX_sharky_Xx', 'nuts4days', 'the_grinder_2001', 'aceface', 'fishmonger', 'lucky-lou'];

/**
 * A finished showdown at `n` seats: the board out, the pot split by the two seats of the
 * widest names across the table from each other, with the longest hand name there is, so the
 * banner is at its widest. The viewer (seat 0) has not shown, so "Show cards" is up.
 */
function showdown(snapshot: Json, n: number): void {
  fullTable(snapshot, n, 'NLHE', 0);
  const view = snapshot.view as Json;
  const seats = view.seats as Json[];
  for (const seat of seats) Object.assign(seat, { bet: 0, committed: 0 });
  const a = Math.floor(n / 2);
  const b = n > 2 ? 1 : 0;
  const hand = 'Full House, Queens full of Sevens';
  Object.assign(view, {
    street: 'complete', board: ['Qs', 'Qd', '7c', '7h', '2d'], toAct: null, currentBet: 0, pots: [],
    result: {
      handId: 'audit-2', endedBy: 'showdown', board: ['Qs', 'Qd', '7c', '7h', '2d'], rake: 0, seats: [], mucked: [],
      pots: [{ amount: 246_900, rake: 0, eligible: [a, b], winners: [{ seat: a, amount: 123_450 }, { seat: b, amount: 123_450 }], handName: hand }],
      shown: [a, b].filter((s) => s !== 0).map((seat) => ({ seat, cards: ['Qh', '7d'], value: 1, category: 'full_house', name: hand })),
    },
  });
  for (const shown of (view.result as { shown: { seat: number }[] }).shown) Object.assign(seats[shown.seat]!, { holeCards: ['Qh', '7d'] });
  (snapshot.you as Json).legal = null;
  snapshot.players = (snapshot.players as Json[]).map((p) => ({ ...p, username: LONG_NAMES[p.seat as number] }));
}

/**
 * What covers what on the table page, as laid out now: the winner banner, the pot and the board
 * under a seat's plate, cards or tags; a seat's plate or cards over the table's head (the line
 * above the felt); plates on each other; anything off the window's sides.
 */
async function feltProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const box = (r: DOMRect) => `(${Math.round(r.left)},${Math.round(r.top)})-(${Math.round(r.right)},${Math.round(r.bottom)})`;
    const hit = (a: DOMRect, b: DOMRect) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    const seatOf = (el: Element) => el.closest('[data-testid^=seat-]')?.getAttribute('data-testid') ?? '?';
    const head = document.querySelector('.table-page .table-head')!.getBoundingClientRect();
    const middle = Array.from(document.querySelectorAll('[data-testid=winner-banner], [data-testid=pot-total], [data-testid=board] .card'));
    const seatParts = Array.from(document.querySelectorAll('[data-testid^=seat-] :is(.seat-plate, .hole .card, .seat-tag, .btn-show)'));
    const what = (el: Element) => el.matches('.seat-plate') ? 'plate' : el.matches('.card') ? 'card' : `"${el.textContent}"`;
    for (const part of seatParts) {
      const r = part.getBoundingClientRect();
      for (const el of middle) if (hit(r, el.getBoundingClientRect())) out.push(`the ${what(part)} of ${seatOf(part)} ${box(r)} covers ${el.matches('.card') ? 'a board card' : `"${el.textContent}"`} ${box(el.getBoundingClientRect())}`);
      if (hit(r, head)) out.push(`the ${what(part)} of ${seatOf(part)} ${box(r)} covers the table's head ${box(head)}`);
      if (r.left < -0.5 || r.right > innerWidth + 0.5) out.push(`the ${what(part)} of ${seatOf(part)} is off screen ${box(r)}`);
    }
    const plates = Array.from(document.querySelectorAll('[data-testid^=seat-] .seat-plate'));
    plates.forEach((p, i) => {
      for (const q of plates.slice(i + 1)) if (hit(p.getBoundingClientRect(), q.getBoundingClientRect())) out.push(`the plates of ${seatOf(p)} and ${seatOf(q)} overlap`);
    });
    if (document.documentElement.scrollWidth > innerWidth) out.push('the page scrolls sideways');
    return out;
  });
}

describe('layout audit 2', () => {
  beforeAll(async () => {
    room = await openBrowserRoom(SHOTS);
    ({ server, browser } = room);
  });

  afterAll(async () => {
    await room?.close();
  });

  const DESKTOPS = [{ width: 1366, height: 768 }, { width: 1280, height: 720 }, { width: 1920, height: 1080 }];
  for (const size of DESKTOPS) {
    it(`at ${size.width}x${size.height} the result line and the top seat's cards are clear of the seats and the head, the action bar on screen (2, 6, 9, 10 seats)`, async () => {
      const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
      const idle = tables.tables.find((t) => t.name === 'Full Ring 1/2')!.id;
      const context = await browser.newContext({ viewport: size, bypassCSP: true, reducedMotion: 'reduce' });
      room.contexts.push(context);
      const page = await context.newPage();
      await signUp(page, server.url, `la${size.width}${Date.now() % 100000}`);
      let n = 2;
      let finished = true;
      await rewriteSnapshots(page, (snapshot) => (finished ? showdown(snapshot, n) : fullTable(snapshot, n, 'NLHE', 0)));
      const problems: string[] = [];
      for (n of [2, 6, 9, 10]) {
        finished = true;
        await page.goto(`${server.url}/table/${idle}`);
        await page.getByTestId('winner-banner').waitFor();
        await page.waitForTimeout(200);
        await page.screenshot({ path: path.join(SHOTS, `audit2-showdown-${n}-seats-${size.width}x${size.height}.png`) });
        problems.push(...(await feltProblems(page)).map((p) => `${n} seats, the result: ${p}`));
        // Your turn on the flop: the felt keeps clear of the head and the whole action bar is on screen.
        finished = false;
        await page.goto(`${server.url}/table/${idle}`);
        await page.getByTestId('action-bar').waitFor();
        await page.waitForTimeout(200);
        problems.push(...(await feltProblems(page)).map((p) => `${n} seats, your turn: ${p}`));
        const bar = (await page.getByTestId('action-bar').boundingBox())!;
        if (bar.y + bar.height > size.height + 0.5) problems.push(`${n} seats: the action bar ends at ${Math.round(bar.y + bar.height)}px, below the window`);
      }
      expect(problems).toEqual([]);
    });
  }
});
