import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandReplay } from '../../server/poker/history';
import { buyChips, checkAccessibility, DESKTOP, openBrowserRoom, openPage, PHONE, signUp, sit, type BrowserRoom } from '../support/e2e-steps';
import { checkChips, parseHistoryFile } from '../support/pokerstars-parser';

// Issue #13 in Chromium. Acceptance: "The replayer shows every action of a played hand in
// order; the exported history round-trips through the parser." Two players play one hand by
// clicking (a raise and a call before the flop, a bet and a fold on it), then one of them
// opens the hand on the History page, steps through the replayer action by action, and
// downloads their hands as a PokerStars file, which the parser reads back.

const SHOTS = path.resolve('test-results/screenshots');
/** What each click does, in the order the hand asks for them. */
const PLAN = ['raise', 'call', 'bet', 'fold'] as const;

let room: BrowserRoom;
beforeAll(async () => {
  room = await openBrowserRoom(SHOTS);
});
afterAll(async () => {
  await room?.close();
});

/** Clicks the planned actions for whoever is to act; returns who did each. */
async function playPlan(players: { page: Page; name: string }[]): Promise<string[]> {
  const who: string[] = [];
  const deadline = Date.now() + 60_000;
  while (who.length < PLAN.length) {
    if (Date.now() > deadline) throw new Error(`the hand stalled after ${who.join(', ')}`);
    for (const { page, name } of players) {
      const bar = page.getByTestId('action-bar');
      if (!(await bar.isVisible().catch(() => false))) continue;
      const action = PLAN[who.length]!;
      const button = action === 'fold' ? 'button.act-fold' : action === 'call' ? 'button.act-call' : 'button.act-raise';
      // The same player may be first to act on the next street: wait for the table to move on.
      const seq = async () => Number(await page.getByTestId('table-page').getAttribute('data-seq'));
      const before = await seq();
      await bar.locator(button).first().click();
      await expect.poll(seq, { timeout: 10_000 }).toBeGreaterThan(before);
      who.push(name);
      break;
    }
    await players[0]!.page.waitForTimeout(100);
  }
  return who;
}

/** Cards shown as faces in a part of the page. */
async function facesIn(page: Page, selector: string): Promise<string[]> {
  return page.locator(`${selector} [data-card]:not([data-card=back])`).evaluateAll((els) => els.map((e) => e.getAttribute('data-card')!));
}

describe('hand history in the browser', () => {
  it('the replayer shows every action of a played hand in order; the exported history round-trips through the parser', async () => {
    const { server, tableId } = room;
    const stamp = Date.now() % 100000;
    const names = [`hhann${stamp}`, `hhben${stamp}`];
    const pages = [await openPage(room.browser, room.contexts, DESKTOP), await openPage(room.browser, room.contexts, DESKTOP)];
    for (const [i, page] of pages.entries()) {
      await signUp(page, server.url, names[i]!);
      await buyChips(page, server.url, '10');
      await sit(page, server.url, tableId, i * 3, 200);
    }
    const who = await playPlan(pages.map((page, i) => ({ page, name: names[i]! })));
    const [opener, caller] = [who[0]!, who[1]!];
    expect(who).toEqual([opener, caller, caller, opener]);

    // The caller (who bet last and won without a showdown) opens the hand on the History page.
    const viewer = pages[names.indexOf(caller)]!;
    const folder = pages[names.indexOf(opener)]!;
    const listed = async () => ((await (await viewer.request.get(`${server.url}/api/hands/mine`)).json()) as { items: { handId: string; handNumber: number }[] }).items;
    await expect.poll(async () => (await listed()).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const hand = (await listed()).at(-1)!; // the first hand of the table
    await viewer.goto(`${server.url}/hands`);
    await viewer.locator('.hand-item', { hasText: `#${hand.handNumber} ·` }).click();
    const replayer = viewer.getByTestId('replayer');
    await replayer.waitFor();

    // Step through with "next": every step is the next line of the action list, in order.
    const listedLines = await replayer.getByTestId('replay-line').allTextContents();
    const stepped: string[] = [];
    const next = replayer.getByTestId('replay-next');
    while (await next.isEnabled()) {
      await next.click();
      const current = (await replayer.getByTestId('replay-step').textContent())!;
      stepped.push(current);
      expect(await replayer.locator('[data-testid=replay-line][aria-current=step]').textContent()).toBe(current);
      if (current.startsWith('*** FLOP ***')) {
        expect(await facesIn(viewer, '[data-testid=replay-board]')).toHaveLength(3);
        await checkAccessibility(viewer, 'the replayer', '[data-testid=replayer]');
        await viewer.screenshot({ path: path.join(SHOTS, 'replayer-1280x800.png') });
      }
    }
    expect(stepped).toEqual(listedLines);
    const actions = stepped.filter((line) => / (posts|raises|calls|bets|folds|checks)\b/.test(line));
    expect(actions.map((line) => line.replace(/ \d.*$/, ''))).toEqual([
      expect.stringMatching(/^hh(ann|ben)\d+: posts small blind$/),
      expect.stringMatching(/^hh(ann|ben)\d+: posts big blind$/),
      `${opener}: raises`,
      `${caller}: calls`,
      `${caller}: bets`,
      `${opener}: folds`,
    ]);
    const at = (prefix: string) => stepped.findIndex((line) => line.startsWith(prefix));
    expect(at(`Dealt to ${caller} [`)).toBeGreaterThan(stepped.findIndex((line) => line.includes(': posts big blind')));
    expect(at(`Dealt to ${caller} [`)).toBeLessThan(at(`${opener}: raises`));
    expect(at('*** FLOP ***')).toBeGreaterThan(at(`${caller}: calls`));
    expect(at('*** FLOP ***')).toBeLessThan(at(`${caller}: bets`));
    expect(at(`Uncalled bet (`)).toBeGreaterThan(at(`${opener}: folds`));
    expect(stepped.at(-1)).toMatch(new RegExp(`^${caller} collected \\d+ from pot$`));

    // The sealed seed's sentence is prose: it wraps between words, not mid-word as the
    // hashes beside it do ("every pl|ayer of this hand has left the ta|ble").
    const sealed = viewer.getByTestId('fair-seed');
    expect(await sealed.textContent()).toMatch(/^Sealed: /);
    expect(await sealed.evaluate((el) => getComputedStyle(el).wordBreak)).not.toBe('break-all');

    // On a phone the replayer fits the width.
    await viewer.setViewportSize(PHONE);
    await viewer.screenshot({ path: path.join(SHOTS, 'replayer-390x844.png') });
    expect(await viewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await viewer.setViewportSize(DESKTOP);

    // The same replayer in the table's side panel, at the audit's 1366x768: every name whole
    // (they were cut to three or four letters), the full name in its title either way.
    await viewer.setViewportSize({ width: 1366, height: 768 });
    await viewer.goto(`${server.url}/table/${tableId}`);
    await viewer.getByRole('tab', { name: 'Hands' }).click();
    await viewer.locator('.side-panel .hand-item', { hasText: `#${hand.handNumber} ·` }).click();
    const panelReplayer = viewer.locator('.side-panel [data-testid=replayer]');
    await panelReplayer.waitFor();
    for (const name of names) {
      const seat = names.indexOf(name) * 3;
      const label = panelReplayer.getByTestId(`replay-name-${seat}`);
      expect(await label.textContent()).toBe(name);
      expect(await label.getAttribute('title')).toBe(name);
      expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth), `${name} whole in the side panel's replayer`).toBe(true);
    }
    await viewer.screenshot({ path: path.join(SHOTS, 'replayer-side-panel-1366x768.png') });
    await viewer.setViewportSize(DESKTOP);
    await viewer.goto(`${server.url}/hands`);
    await viewer.getByTestId('export-hands').waitFor();

    // The folded hand never reaches the other player: not in the replay, not in the API's steps.
    const folderReplay = ((await (await folder.request.get(`${server.url}/api/hands/${hand.handId}/replay`)).json()) as { replay: HandReplay }).replay;
    const folded = folderReplay.steps.find((s) => s.lines[0]!.startsWith(`Dealt to ${opener}`))!.lines[0]!.match(/\[(.+)\]/)![1]!.split(' ');
    expect(folded).toHaveLength(2);
    const viewerJson = await (await viewer.request.get(`${server.url}/api/hands/${hand.handId}/replay`)).text();
    for (const card of folded) {
      expect(viewerJson).not.toContain(`"${card}"`);
      expect(await viewer.locator(`[data-testid=replayer] [data-card="${card}"]`).count()).toBe(0);
    }

    // Download my hands: one PokerStars file, read back by the parser.
    const [download] = await Promise.all([viewer.waitForEvent('download'), viewer.getByTestId('export-hands').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^hands-${caller}-\\d{4}-\\d{2}-\\d{2}\\.txt$`));
    const file = readFileSync((await download.path())!, 'utf8');
    const parsed = parseHistoryFile(file).find((h) => h.id === hand.handId)!;
    expect(parsed).toBeDefined();
    expect(parsed.table).toBe('Main Street 1/2');
    expect([parsed.smallBlind, parsed.bigBlind, parsed.playMoney]).toEqual([1, 2, true]);
    expect(parsed.events.filter((e) => e.type === 'dealt')).toEqual([
      { type: 'dealt', name: caller, cards: expect.any(Array) },
    ]);
    // The same actions, with the same amounts, in the same order as the replayer showed.
    const fileLines = file.split('\n');
    const fromHand = fileLines.slice(fileLines.findIndex((l) => l.startsWith(`PokerStars Hand #${hand.handId}:`)));
    const textActions = fromHand.slice(0, fromHand.indexOf('*** SUMMARY ***')).filter((line) => / (posts|raises|calls|bets|folds|checks)\b/.test(line));
    expect(textActions).toEqual(actions);
    for (const card of folded) expect(fromHand.slice(0, fromHand.indexOf('')).join('\n')).not.toMatch(new RegExp(`[\\[ ]${card}[\\] ]`));
    const chips = checkChips(parsed);
    expect(chips.finalStacks.get(caller)! + chips.finalStacks.get(opener)!).toBe(400 - parsed.summary.rake);
    expect(chips.finalStacks.get(caller)).toBeGreaterThan(200);
  });
});
