import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin } from '../../server/auth/admin-bootstrap';
import { checkAccessibility, DESKTOP, openBrowserRoom, openPage, PHONE, type BrowserRoom } from '../support/e2e-steps';
import { adminCreateTable, TestClient } from '../support/poker-client';

// The admin's and the player's forms in Chromium, as a black-box audit found them: the admin's
// tables list follows sits and leaves and closes both ways, the new-table form speaks plainly
// and posts once, an adjustment's idempotency key follows its content, the audit trail is
// on screen; the wallet and the hands download refuse what they cannot send.

const SHOTS = path.resolve('test-results/screenshots');

let room: BrowserRoom;
let boss: Page;
/** Every POST the admin's page sent, with its JSON body. */
const posts: { url: string; body: Record<string, unknown> }[] = [];

const newPage = () => openPage(room.browser, room.contexts, DESKTOP);
const bodyOf = (request: Request) => (JSON.parse(request.postData() ?? '{}') as Record<string, unknown>);
const postsTo = (suffix: string) => posts.filter((p) => p.url.endsWith(suffix));

/** Logs the admin in on `page` and opens the back office. */
async function adminPage(page: Page, admin: { username: string; password: string }): Promise<void> {
  await page.goto(`${room.server.url}/login`);
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('header-balance').waitFor();
  await page.goto(`${room.server.url}/admin`);
}

async function playerAt(tableId: number, name: string): Promise<TestClient> {
  const player = await TestClient.signup(room.server.url, name);
  await player.buyChips(1_000);
  await player.connect();
  const sat = await player.emit('table:sit', { tableId, seat: 0, buyIn: 100 });
  expect(sat).toMatchObject({ ok: true });
  return player;
}

describe('admin and wallet forms in the browser', () => {
  beforeAll(async () => {
    room = await openBrowserRoom(SHOTS);
    const admin = await createOrPromoteAdmin(room.server.t.db, 'formsboss');
    boss = await newPage();
    boss.on('request', (r) => {
      if (r.method() === 'POST') posts.push({ url: r.url(), body: bodyOf(r) });
    });
    await adminPage(boss, admin);
  });

  afterAll(async () => {
    await room?.close();
  });

  it('Admin → Tables: seat counts follow sits and leaves without a reload; a close is offered at the end of the hand or at once', async () => {
    await boss.getByRole('tab', { name: 'Tables' }).click();
    const seats = boss.getByTestId(`admin-table-${room.tableId}`).getByTestId('admin-table-seats');
    await expect.poll(() => seats.textContent()).toBe('0/6');
    const player = await playerAt(room.tableId, `sitter${Date.now() % 100000}`);
    await expect.poll(() => seats.textContent(), { timeout: 5_000 }).toBe('1/6');
    expect(await player.emit('table:leave', { tableId: room.tableId })).toMatchObject({ ok: true });
    await expect.poll(() => seats.textContent(), { timeout: 5_000 }).toBe('0/6');
    player.socket?.disconnect();

    // Both closes the API has, each said plainly; "now" sends { now: true }.
    await boss.getByRole('button', { name: 'Close Main Street 1/2' }).click();
    const dialog = boss.getByRole('alertdialog', { name: 'Close Main Street 1/2' });
    expect(await dialog.textContent()).toMatch(/called off.*before it/);
    await dialog.getByRole('button', { name: 'Close at the end of the hand' }).waitFor();
    await dialog.getByRole('button', { name: 'Close now, voiding the hand' }).click();
    await expect.poll(() => boss.getByTestId(`admin-table-${room.tableId}`).count(), { timeout: 5_000 }).toBe(0);
    expect(postsTo(`/api/admin/tables/${room.tableId}/close`).map((p) => p.body)).toEqual([{ now: true }]);
  });

  it('Admin → New table: plain errors on their fields before anything is sent, a name of at most 64, one POST on a double-click, an empty form after a create', async () => {
    const form = boss.locator('section:has(h2:text-is("New table")) form');
    const fieldOf = (label: string) => form.locator(`label:has(.field-label:text-is("${label}"))`);
    const input = (label: string) => fieldOf(label).locator('input');
    const errorOf = (label: string) => fieldOf(label).locator('.field-error');
    expect(await input('Name').getAttribute('maxlength')).toBe('64');
    await input('Small blind').fill('1.5');
    await form.getByRole('button', { name: 'Create table' }).click();
    expect(await errorOf('Name').textContent()).toBe('A name of 1 to 64 characters, on one line.');
    expect(await errorOf('Small blind').textContent()).toBe('A whole number of chips, 1 or more.');
    expect(postsTo('/api/admin/tables')).toEqual([]);

    // The server's own refusal of a name is said as a sentence, on the name.
    await input('Small blind').fill('1');
    await input('Name').fill('Zero\u200bWidth');
    await form.getByRole('button', { name: 'Create table' }).click();
    await expect.poll(() => errorOf('Name').textContent()).toBe('The name must not contain invisible characters (zero-width space, direction marks, ...).');

    const name = `Forms ${Date.now() % 100000}`;
    await input('Name').fill(name);
    await form.getByRole('button', { name: 'Create table' }).dblclick();
    await expect.poll(() => form.getByTestId('table-created').textContent()).toMatch(new RegExp(`^Created ${name} \\(table \\d+\\)\\.$`));
    expect(postsTo('/api/admin/tables').map((p) => p.body.name)).toEqual(['Zero\u200bWidth', name]);
    expect(await input('Name').inputValue()).toBe('');
    await boss.getByRole('row', { name: new RegExp(name) }).waitFor();
  });

  it('Admin → New table: the ante, the time to act, the rake and its cap, each checked with a plain sentence and sent in the API\'s units', async () => {
    const form = boss.locator('section:has(h2:text-is("New table")) form');
    const fieldOf = (label: string) => form.locator(`label:has(.field-label:text-is("${label}"))`);
    const input = (label: string) => fieldOf(label).locator('input');
    const errorOf = (label: string) => fieldOf(label).locator('.field-error');
    const name = `Raked ${Date.now() % 100000}`;
    const before = postsTo('/api/admin/tables').length;
    await input('Name').fill(name);
    await input('Ante').fill('1');
    await input('Min buy-in').fill('3');
    await input('Time to act, s (5–300)').fill('3');
    await input('Rake, % of the pot').fill('5.555');
    await form.getByRole('button', { name: 'Create table' }).click();
    expect(await errorOf('Min buy-in').textContent()).toBe('A whole number of chips, more than the big blind and the ante.');
    expect(await errorOf('Time to act, s (5–300)').textContent()).toBe("Whole seconds from 5 to 300, or blank for the server's 20.");
    expect(await errorOf('Rake, % of the pot').textContent()).toMatch(/^A percentage from 0 to 100/);
    await input('Rake, % of the pot').fill('5.5');
    await form.getByRole('button', { name: 'Create table' }).click();
    expect(await errorOf('Rake cap, chips a hand').textContent()).toMatch(/^With a rake/);
    expect(postsTo('/api/admin/tables').length).toBe(before);

    await input('Min buy-in').fill('40');
    await input('Time to act, s (5–300)').fill('30');
    await input('Rake cap, chips a hand').fill('10');
    await form.getByRole('button', { name: 'Create table' }).click();
    await expect.poll(() => form.getByTestId('table-created').textContent()).toMatch(new RegExp(`^Created ${name} `));
    expect(postsTo('/api/admin/tables').at(-1)!.body).toMatchObject({ name, ante: 1, actionTimeoutMs: 30_000, rakeBps: 550, rakeCap: 10 });
    const row = await room.server.t.db.pokerTable.findFirstOrThrow({ where: { name } });
    expect([row.ante, row.actionTimeoutMs, row.rakeBps, row.rakeCap]).toEqual([1n, 30_000, 550, 10n]);
  });

  it('Admin → Adjust: a new idempotency key when the user, amount or reason changes; the same key for a retry of the same request', async () => {
    const target = await TestClient.signup(room.server.url, `adjustee${Date.now() % 100000}`);
    await boss.getByRole('tab', { name: 'Users & chips' }).click();
    await boss.getByLabel('Search users').fill(target.username);
    await boss.getByRole('button', { name: `Adjust chips of ${target.username}` }).click();
    const adjust = async (amount: string) => {
      await boss.getByLabel(/^Amount/).fill(amount);
      await boss.getByLabel('Reason').fill('audit LOW-9');
      await boss.getByRole('button', { name: 'Review adjustment' }).click();
      await boss.getByRole('button', { name: 'Confirm adjustment' }).click();
    };
    const formError = boss.getByTestId('adjust-form').locator('.form-error');
    await adjust('-99999999');
    await expect.poll(() => formError.textContent()).toMatch(/negative/);

    // The answer of the +500 is lost on its way back (the server did credit it); the retry is the same request.
    await boss.route('**/api/admin/adjustments', async (route) => {
      await route.fetch();
      await route.abort();
    }, { times: 1 });
    await adjust('500');
    await expect.poll(() => formError.textContent()).toBe('Cannot reach the server.');
    await adjust('500');
    await boss.getByTestId('adjust-result').waitFor();
    expect(await boss.getByTestId('adjust-wallet').textContent()).toBe('500');

    const keys = postsTo('/api/admin/adjustments').map((p) => [p.body.amount, p.body.idempotencyKey]);
    expect(keys.map(([amount]) => amount)).toEqual([-99_999_999, 500, 500]);
    expect(keys[1]![1]).not.toBe(keys[0]![1]);
    expect(keys[2]![1]).toBe(keys[1]![1]);
  });

  it("Admin → Audit trail: the tests' close, create and adjustment, newest first, with who, what, when and the details", async () => {
    await boss.getByRole('tab', { name: 'Audit trail' }).click();
    const rows = boss.getByRole('table', { name: 'Audit trail' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4);
    const texts = (await rows.allTextContents()).slice(0, 4);
    expect(texts[0]).toMatch(/formsboss.*Chip adjustment.*user #\d+.*\+500 chips \(transfer #\d+\) — “audit LOW-9”/);
    expect(texts[1]).toMatch(/formsboss.*Table created.*table #\d+.*Raked \d+: NLHE 1\/2, 6 seats, buy-in 40–200, ante 1, 30 s to act, rake 5\.5% capped at 10$/);
    expect(texts[2]).toMatch(/formsboss.*Table created.*table #\d+.*Forms \d+: NLHE 1\/2, 6 seats, buy-in 40–200$/);
    expect(texts[3]).toMatch(new RegExp(`formsboss.*Table closed.*table #${room.tableId}.*At once, the live hand voided`));
    for (const text of texts) expect(text).toMatch(/^\d+\/\d+\/\d+/);
    await checkAccessibility(boss, 'the audit trail');
  });

  it('Admin on a phone: the ledger and the audit trail are cards of label and value, every cell on screen (five columns did not fit)', async () => {
    // Its own rows, whatever ran before: a purchase (the ledger) and a table created by an admin (the audit trail).
    const maker = await TestClient.signup(room.server.url, `phonemaker${Date.now() % 100000}`);
    await maker.buyChips(500);
    await room.server.t.db.user.update({ where: { id: maker.userId }, data: { role: 'ADMIN' } });
    await adminCreateTable(maker, 'Phone');
    const admin = await createOrPromoteAdmin(room.server.t.db, 'phoneboss');
    const phone = await openPage(room.browser, room.contexts, PHONE);
    await adminPage(phone, admin);
    for (const [tab, table] of [['Ledger', 'Ledger transfers'], ['Audit trail', 'Audit trail']] as const) {
      await phone.getByRole('tab', { name: tab }).click();
      const rows = phone.getByRole('table', { name: table }).locator('tbody tr');
      await expect.poll(() => rows.first().locator('td').count()).toBe(5);
      const cells = await rows.first().locator('td').evaluateAll((tds) => tds.map((td) => {
        const box = td.getBoundingClientRect();
        return { label: td.getAttribute('data-label'), left: box.left, right: box.right, text: (td.textContent ?? '').trim() };
      }));
      expect(cells.length).toBe(5);
      for (const cell of cells) {
        expect(cell.left, `${table}: ${cell.label}`).toBeGreaterThanOrEqual(0);
        expect(cell.right, `${table}: ${cell.label}`).toBeLessThanOrEqual(PHONE.width);
      }
      // Each value is said with its column's name, the head being hidden on a phone.
      const label = await rows.first().locator('td').first().evaluate((td) => getComputedStyle(td, '::before').content);
      expect(label).toBe(`"${cells[0]!.label}"`);
      await phone.screenshot({ path: path.join(SHOTS, `admin-phone-${tab.replace(' ', '-').toLowerCase()}.png`) });
      await checkAccessibility(phone, `the admin ${tab} on a phone`);
    }
  });

  it('Wallet: an amount that is not dollars and cents above $0, or outside the server\'s purchase range, disables Buy, with the reason beside it', async () => {
    await boss.goto(`${room.server.url}/wallet`);
    const amount = boss.getByLabel('Amount (USD)');
    const buy = boss.locator('form.buy-form button[type=submit]');
    for (const [text, reason] of [
      ['-5', 'The amount must be more than $0.'],
      ['abc', 'Dollars and cents only, like 20 or 12.50.'],
      ['12.345', 'At most two decimals (whole cents).'],
      ['0', 'The amount must be more than $0.'],
      ['', 'Enter an amount in dollars.'],
      // The server's range (GET /api/wallet: CHIP_PURCHASE_MIN/MAX_CENTS), said before the buyer asks.
      ['0.50', 'Buy between $1.00 and $10,000.00 at a time.'],
      ['10000.01', 'Buy between $1.00 and $10,000.00 at a time.'],
    ]) {
      await amount.fill(text!);
      await expect.poll(() => boss.getByTestId('buy-hint').textContent()).toBe(reason); // the range comes with the page's GET /api/wallet
      expect(await buy.isDisabled(), `Buy with "${text}"`).toBe(true);
    }
    await amount.fill('12.5');
    expect(await buy.isEnabled()).toBe(true);
    expect(await buy.textContent()).toBe('Buy for $12.50');
    expect(await boss.getByTestId('buy-hint').textContent()).toBe('$12.50 buys 1,250 chips');
  });

  it('Download my hands: a count or days that cannot make a request are refused with a message and the download is disabled, never changed on the quiet', async () => {
    await boss.goto(`${room.server.url}/hands`);
    const download = boss.getByTestId('export-hands');
    const problem = boss.getByTestId('export-problem');
    const howMany = boss.getByLabel(/^How many/);
    for (const text of ['0', '-3', '2.5']) {
      await howMany.fill(text);
      expect(await download.isDisabled(), `download with "${text}"`).toBe(true);
      expect(await problem.textContent()).toBe('How many: a whole number of hands from 1 to 1000.');
    }
    await howMany.fill('25');
    expect(await download.getAttribute('href')).toBe('/api/hands/mine/export?last=25');

    await boss.locator('form.history-export select').selectOption('dates');
    expect(await download.isDisabled()).toBe(true);
    expect(await problem.textContent()).toBe('Pick both days, the first and the last.');
    const [from, to] = [0, 1].map((i) => boss.locator('form.history-export input[type=date]').nth(i));
    await from!.fill('2026-03-02');
    await to!.fill('2026-03-01');
    expect(await problem.textContent()).toBe('The first day must not be after the last.');
    await checkAccessibility(boss, 'the refused download', 'form.history-export');
    await to!.fill('2026-03-03');
    const href = new URL((await download.getAttribute('href'))!, room.server.url);
    expect(href.pathname).toBe('/api/hands/mine/export');
    // Two local days: from the first midnight to the midnight after the last.
    const [fromAt, toAt] = ['from', 'to'].map((k) => Date.parse(href.searchParams.get(k) ?? ''));
    expect((toAt! - fromAt!) / 3_600_000).toBeCloseTo(48, -1);
  });
});
