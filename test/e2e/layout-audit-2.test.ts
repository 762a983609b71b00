import path from 'node:path';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin } from '../../server/auth/admin-bootstrap';
import { checkAccessibility, openBrowserRoom, openPage, signUp, type BrowserRoom } from '../support/e2e-steps';
import { TestClient } from '../support/poker-client';
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

/**
 * A seat's name as shown, on the page as laid out now: cut short (an ellipsis) or not, and its
 * font size in px.
 */
async function nameShown(page: Page, seat: number): Promise<{ text: string; cut: boolean; fontPx: number }> {
  return page.locator(`[data-testid=seat-${seat}] .seat-name`).evaluate((el) => ({
    text: el.textContent ?? '', cut: el.scrollWidth > el.clientWidth + 0.5, fontPx: parseFloat(getComputedStyle(el).fontSize),
  }));
}

/** The touch size (Apple's Human Interface Guidelines: 44x44 pt). */
const TOUCH_TARGET_PX = 44;

/** The buttons, links and boxes shown on the table's page smaller than a touch target, with their size. */
async function smallControls(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const out: string[] = [];
    const controls = Array.from(document.querySelectorAll('.table-page :is(button, a, input, select)')).filter((el) => el.getClientRects().length > 0);
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      const name = el.getAttribute('aria-label') ?? ((el as HTMLInputElement).placeholder || el.textContent?.trim());
      if (r.height < min - 0.5 || r.width < min - 0.5) out.push(`"${name}" is ${Math.round(r.width)}x${Math.round(r.height)}px`);
    }
    return out;
  }, TOUCH_TARGET_PX);
}

/** A page at `size` with a fresh player signed in, on a table whose snapshots `edit` rewrites. */
async function riggedTable(size: { width: number; height: number }, edit: (snapshot: Json) => void): Promise<{ page: Page; path: string }> {
  const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
  const idle = tables.tables.find((t) => t.name === 'Full Ring 1/2')!.id;
  const context = await browser.newContext({ viewport: size, bypassCSP: true, reducedMotion: 'reduce' });
  room.contexts.push(context);
  const page = await context.newPage();
  await signUp(page, server.url, `la${size.width}${Date.now() % 1_000_000}`);
  await rewriteSnapshots(page, edit);
  return { page, path: `${server.url}/table/${idle}` };
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
      let n = 2;
      let finished = true;
      const { page, path: tablePath } = await riggedTable(size, (snapshot) => (finished ? showdown(snapshot, n) : fullTable(snapshot, n, 'NLHE', 0)));
      const problems: string[] = [];
      for (n of [2, 6, 9, 10]) {
        finished = true;
        await page.goto(tablePath);
        await page.getByTestId('winner-banner').waitFor();
        await page.waitForTimeout(200);
        await page.screenshot({ path: path.join(SHOTS, `audit2-showdown-${n}-seats-${size.width}x${size.height}.png`) });
        problems.push(...(await feltProblems(page)).map((p) => `${n} seats, the result: ${p}`));
        // Your turn on the flop: the felt keeps clear of the head and the whole action bar is on screen.
        finished = false;
        await page.goto(tablePath);
        await page.getByTestId('action-bar').waitFor();
        await page.waitForTimeout(200);
        problems.push(...(await feltProblems(page)).map((p) => `${n} seats, your turn: ${p}`));
        const bar = (await page.getByTestId('action-bar').boundingBox())!;
        if (bar.y + bar.height > size.height + 0.5) problems.push(`${n} seats: the action bar ends at ${Math.round(bar.y + bar.height)}px, below the window`);
      }
      expect(problems).toEqual([]);
    });
  }

  // Heads-up on an upright phone the two plates were a phone's narrowest (118 and 136 px, names of 11
  // px): "RiverRat_…" and "kingsse…" beside a felt with room to spare. Your turn on the flop, then the
  // result: each name whole at 13 px or more, no plate, card or tag on the pot, the board or the result
  // line, nothing off screen or under the action bar.
  for (const size of [{ width: 360, height: 740 }, { width: 390, height: 844 }, { width: 360, height: 640 }]) {
    it(`heads-up at ${size.width}x${size.height} the plates are readable and clear of the middle`, async () => {
      let finished = false;
      const names = ['kingsseven', 'RiverRat_1234'];
      const { page, path: tablePath } = await riggedTable(size, (snapshot) => {
        if (finished) showdown(snapshot, 2);
        else fullTable(snapshot, 2, 'NLHE', 0);
        for (const player of snapshot.players as Json[]) player.username = names[player.seat as number];
      });
      const problems: string[] = [];
      for (finished of [false, true]) {
        const state = finished ? 'the result' : 'your turn';
        await page.goto(tablePath);
        await page.getByTestId(finished ? 'winner-banner' : 'action-bar').waitFor();
        await page.waitForTimeout(200);
        await page.screenshot({ path: path.join(SHOTS, `audit2-heads-up-${finished ? 'result' : 'turn'}-${size.width}x${size.height}.png`) });
        problems.push(...(await feltProblems(page)).map((p) => `${state}: ${p}`));
        for (const seat of [0, 1]) {
          const name = await nameShown(page, seat);
          if (name.cut) problems.push(`${state}: the name "${name.text}" of seat ${seat} is cut short`);
          if (name.fontPx < 13) problems.push(`${state}: the name "${name.text}" of seat ${seat} is ${name.fontPx}px`);
        }
        problems.push(...(await page.evaluate(() => {
          const out: string[] = [];
          const hit = (a: DOMRect, b: DOMRect) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
          const bar = document.querySelector('.action-zone')!.getBoundingClientRect();
          for (const el of Array.from(document.querySelectorAll('[data-testid^=seat-] :is(.seat-plate, .hole .card, .seat-tag, .btn-show), .bet'))) {
            const r = el.getBoundingClientRect();
            if (r.top < -0.5 || r.bottom > innerHeight + 0.5) out.push(`"${el.textContent}" is off screen`);
            if (hit(r, bar)) out.push(`"${el.textContent}" is under the action bar`);
          }
          return out;
        })).map((p) => `${state}: ${p}`));
      }
      expect(problems).toEqual([]);
    });
  }

  // "Show cards" under your seat after a hand was 26 px high, the side panel's tabs and chat button
  // and a watcher's "+ Sit" under a thumb's 44 px too. On an upright phone and one on its side: every
  // button, link and box on the table's page, in the result with your cards to show and watching a
  // table with free seats, is at least 44 px high (and wide).
  for (const size of [{ width: 390, height: 844 }, { width: 360, height: 640 }, { width: 844, height: 390 }]) {
    it(`every control of the table's page is a thumb's size at ${size.width}x${size.height}`, async () => {
      let watching = false;
      const { page, path: tablePath } = await riggedTable(size, (snapshot) => {
        showdown(snapshot, 6);
        if (!watching) return;
        Object.assign(snapshot.you as Json, { userId: -1, seat: null, legal: null });
        snapshot.players = (snapshot.players as Json[]).filter((p) => (p.seat as number) % 2 === 1);
        (snapshot.view as Json).seats = ((snapshot.view as Json).seats as (Json | null)[]).map((seat, i) => (i % 2 === 1 ? seat : null));
      });
      const problems: string[] = [];
      for (watching of [false, true]) {
        await page.goto(tablePath);
        await page.getByTestId(watching ? 'sit-0' : 'show-cards').waitFor();
        await page.waitForTimeout(200);
        await page.screenshot({ path: path.join(SHOTS, `audit2-touch-${watching ? 'watching' : 'show-cards'}-${size.width}x${size.height}.png`), fullPage: true });
        // "Show cards" is in the bar under the felt (beside it on its side), where the thumbs are, on screen.
        problems.push(...(await feltProblems(page)).map((p) => `${watching ? 'watching' : 'seated'}: ${p}`));
        if (!watching) {
          const show = (await page.getByTestId('show-cards').boundingBox())!;
          const zone = (await page.locator('.action-zone').boundingBox())!;
          if (show.y < zone.y - 0.5 || show.y + show.height > zone.y + zone.height + 0.5) problems.push('seated: "Show cards" is not in the bar under the felt');
          if (show.y + show.height > size.height + 0.5) problems.push('seated: "Show cards" is below the window');
        }
        // Each tab of the side panel in turn (chat first): its buttons and boxes too.
        for (const tab of ['Chat', 'Log', 'Hands', 'Fairness']) {
          await page.getByRole('tab', { name: tab }).click();
          problems.push(...(await smallControls(page)).map((p) => `${watching ? 'watching' : 'seated'}: ${p}`));
        }
      }
      expect([...new Set(problems)]).toEqual([]);
    });
  }

  // A chat line typed while the connection was down stayed in the box with nothing to say it had not
  // gone. Now it shows in the list as waiting (the box says the page is reconnecting), and goes, once,
  // when the page is back.
  it('a chat line typed while disconnected shows as waiting, then goes once the page is back', async () => {
    const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
    const main = tables.tables.find((t) => t.name === 'Main Street 1/2')!.id;
    const [writer, reader] = [await openPage(browser, room.contexts, { width: 1366, height: 768 }), await openPage(browser, room.contexts, { width: 1366, height: 768 })];
    await signUp(writer, server.url, `cw${Date.now() % 1_000_000}`);
    await signUp(reader, server.url, `cr${Date.now() % 1_000_000}`);
    // The writer's socket goes through this route: `offline` drops it and refuses new ones.
    let offline = false;
    const open: WebSocketRoute[] = [];
    await writer.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (offline) {
        // Dropped at once: Engine.IO's handshake (so the client counts it a connection lost, and tries
        // again) and no Socket.IO connect, then the close.
        ws.send(`0${JSON.stringify({ sid: `offline${Date.now()}`, upgrades: [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 1_000_000 })}`);
        return void setTimeout(() => void ws.close(), 100);
      }
      const upstream = ws.connectToServer();
      open.push(ws);
      ws.onMessage((m) => upstream.send(m));
      upstream.onMessage((m) => ws.send(m));
      ws.onClose(() => upstream.close());
    });
    for (const page of [writer, reader]) {
      await page.goto(`${server.url}/table/${main}`);
      await page.getByRole('textbox', { name: 'Chat message' }).waitFor();
    }
    offline = true;
    for (const ws of open.splice(0)) await ws.close();
    await writer.getByTestId('connection-banner').waitFor();
    const text = `said offline ${Date.now() % 100_000}`;
    await writer.getByRole('textbox', { name: 'Chat message' }).fill(text);
    await writer.getByRole('textbox', { name: 'Chat message' }).press('Enter');
    const pending = writer.getByTestId('chat-pending');
    await pending.waitFor({ timeout: 5_000 });
    expect(await pending.textContent()).toContain(text);
    expect(await pending.getAttribute('data-state')).toBe('waiting');
    expect(await writer.getByTestId('chat-offline').isVisible(), 'the chat says the page is reconnecting').toBe(true);
    expect(await writer.getByRole('textbox', { name: 'Chat message' }).inputValue(), 'the box is free for the next line').toBe('');
    await writer.screenshot({ path: path.join(SHOTS, 'audit2-chat-waiting-1366x768.png') });
    await checkAccessibility(writer, 'the chat with a line waiting', '.side-panel');
    await reader.waitForTimeout(500);
    expect(await reader.locator('.chat-list').textContent()).not.toContain(text);

    offline = false;
    await writer.getByTestId('connection-banner').waitFor({ state: 'hidden', timeout: 15_000 });
    await pending.waitFor({ state: 'detached', timeout: 10_000 });
    for (const page of [writer, reader]) {
      await expect.poll(() => page.locator('.chat-list .chat-text').allTextContents(), { timeout: 10_000 }).toContain(text);
      expect((await page.locator('.chat-list .chat-text').allTextContents()).filter((t) => t === text), 'the line arrives once').toHaveLength(1);
    }
  });

  // On a phone on its side the amount box beside the slider was 76 px wide: "999999" showed its last
  // digits only (upright, "9999999" did). High stakes, your turn, the box holds 999,999, 9,999,999 and
  // 99,999,999 (the most you may raise to): the whole number shows (the box does not scroll), on screen.
  for (const size of [{ width: 844, height: 390 }, { width: 640, height: 360 }, { width: 360, height: 740 }, { width: 390, height: 844 }]) {
    it(`the amount box shows an eight-digit amount whole at ${size.width}x${size.height}`, async () => {
      const { page, path: tablePath } = await riggedTable(size, (snapshot) => {
        fullTable(snapshot, 6, 'NLHE', 0);
        for (const seat of (snapshot.view as Json).seats as Json[]) seat.stack = 99_999_999;
        Object.assign((snapshot.you as Json).legal as Json, { minRaiseTo: 24_690, maxRaiseTo: 99_999_999, allInAmount: 99_999_999, allInTo: 99_999_999 });
      });
      await page.goto(tablePath);
      const box = page.getByRole('textbox', { name: /^(Raise to|Bet amount)/ });
      await box.waitFor();
      const problems: string[] = [];
      for (const amount of ['999999', '9999999', '99999999']) {
        await box.fill(amount);
        await box.blur();
        const shown = await box.evaluate((el: HTMLInputElement) => ({ value: el.value, scroll: el.scrollWidth, client: el.clientWidth, r: el.getBoundingClientRect().toJSON() as DOMRect }));
        if (shown.scroll > shown.client + 0.5) problems.push(`"${shown.value}" needs ${shown.scroll}px in a box of ${shown.client}px`);
        if (shown.r.left < 0 || shown.r.right > size.width + 0.5 || shown.r.bottom > size.height + 0.5) problems.push(`the box with "${shown.value}" is off screen`);
      }
      await page.screenshot({ path: path.join(SHOTS, `audit2-amount-box-${size.width}x${size.height}.png`) });
      expect(problems).toEqual([]);
    });
  }

  // The admin's users table at 1366 px: three users of the longest names there are (24 letters), with
  // seven-digit wallets. It fits its panel (its box does not scroll, nor does the page sideways), each
  // name and wallet whole on one line, the row's buttons side by side inside the panel.
  it("the admin's users table fits its panel at 1366x768", async () => {
    const stamp = String(Date.now() % 100_000).padStart(5, '0');
    const names = ['a', 'b', 'c'].map((c) => `${c}${stamp}_very_long_username`.slice(0, 24));
    for (const name of names) {
      const client = await TestClient.signup(server.url, name);
      for (let i = 0; i < 3; i++) await client.buyChips(1_000_000); // the most at a time: 1,000,000 chips
    }
    const admin = await createOrPromoteAdmin(server.t.db, `boss${stamp}`);
    const page = await openPage(browser, room.contexts, { width: 1366, height: 768 });
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('header-balance').waitFor();
    await page.goto(`${server.url}/admin`);
    await page.getByLabel('Search users').fill(stamp);
    await page.getByRole('button', { name: `Ledger of ${names[2]}` }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'audit2-admin-users-1366x768.png') });
    const problems = await page.evaluate((names) => {
      const out: string[] = [];
      const table = document.querySelector('table[aria-label=Users]')!;
      const scroller = table.closest('.table-scroll')!;
      const panel = table.closest('.panel')!.getBoundingClientRect();
      if (scroller.scrollWidth > scroller.clientWidth + 0.5) out.push(`the table needs ${scroller.scrollWidth}px of a ${scroller.clientWidth}px box`);
      if (document.documentElement.scrollWidth > innerWidth) out.push('the page scrolls sideways');
      /** How many lines the first `length` characters of `el`'s text take. */
      const lines = (el: Element, length?: number) => {
        const range = document.createRange();
        const text = el.firstChild!;
        range.setStart(text, 0);
        range.setEnd(text, Math.min(length ?? Infinity, text.textContent!.length));
        return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
      };
      for (const row of Array.from(table.querySelectorAll('tbody tr'))) {
        const name = names.find((n) => row.textContent?.includes(n));
        if (!name) continue;
        const [user, , wallet] = Array.from(row.querySelectorAll('td'));
        if (lines(user!, name.length) > 1) out.push(`${name} is broken over two lines`);
        if (lines(wallet!) > 1) out.push(`the wallet of ${name} "${wallet!.textContent}" is broken over two lines`);
        const buttons = Array.from(row.querySelectorAll('button'));
        if (new Set(buttons.map((b) => Math.round(b.getBoundingClientRect().top))).size > 1) out.push(`the buttons of ${name} are not side by side`);
        for (const el of [user!, wallet!, ...buttons]) {
          const r = el.getBoundingClientRect();
          if (r.right > panel.right + 0.5 || r.left < panel.left - 0.5) out.push(`"${el.textContent}" of ${name} is outside the panel`);
        }
      }
      return out;
    }, names);
    // The adjust form, in the narrower column now, keeps its fields inside its panel.
    await page.getByRole('button', { name: `Adjust chips of ${names[0]}` }).click();
    const form = page.getByTestId('adjust-form');
    await form.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'audit2-admin-adjust-1366x768.png') });
    problems.push(...(await form.evaluate((panel) => {
      const p = panel.getBoundingClientRect();
      return Array.from(panel.querySelectorAll('input, select, button'))
        .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.left < p.left - 0.5 || r.right > p.right + 0.5); })
        .map((el) => `the adjust form's "${el.getAttribute('name') ?? el.textContent}" is outside its panel`);
    })));
    expect(problems).toEqual([]);
  });
});
