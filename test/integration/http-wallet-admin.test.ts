import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifiableHand } from '../../server/http/hands';
import { seedTable, uniqueKey } from '../support/db';
import { PURCHASES } from '../../server/http/wallet';
import { createHttpTestApp, type HttpTestApp } from '../support/http-app';

let h: HttpTestApp;
let admin: { userId: number; cookie: string };
const verified: VerifiableHand[] = [];
beforeAll(async () => {
  h = await createHttpTestApp({
    verifyHand: (record) => {
      verified.push(record);
      return record.seed === 'seed-1' ? { ok: true } : { ok: false, reason: 'commitment mismatch' };
    },
  });
  admin = await h.admin('root-admin');
});
afterAll(async () => {
  await h.close();
});

const get = (url: string, cookie?: string) => h.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
const post = (url: string, payload: unknown, cookie?: string) =>
  h.app.inject({ method: 'POST', url, payload: payload as object, headers: cookie ? { cookie } : {} });
const errorCode = (r: { json(): { error?: { code?: string } } }) => r.json().error?.code;

async function walletBalance(cookie: string): Promise<number> {
  const r = await get('/api/wallet', cookie);
  expect(r.statusCode).toBe(200);
  return r.json().balance;
}

describe('admin endpoints are admin-only', () => {
  const adminCalls: [string, string, unknown?][] = [
    ['POST', '/api/admin/adjustments', { userId: 1, amount: 5, reason: 'x', idempotencyKey: 'k-guard' }],
    ['GET', '/api/admin/ledger'],
    ['GET', '/api/admin/reconcile'],
    ['GET', '/api/admin/users'],
    ['GET', '/api/admin/actions'],
    ['POST', '/api/admin/tables', { name: 't', variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 }],
    ['POST', '/api/admin/tables/1/close', {}],
  ];

  it('anonymous gets 401 auth/required and a player 403 auth/forbidden, and nothing happens', async () => {
    const player = await h.signup('plain-player');
    for (const [method, url, payload] of adminCalls) {
      const anonymous = await h.app.inject({ method: method as 'GET', url, payload: payload as object });
      expect({ url, status: anonymous.statusCode, code: errorCode(anonymous) }).toEqual({ url, status: 401, code: 'auth/required' });
      const forbidden = await h.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { cookie: player.cookie } });
      expect({ url, status: forbidden.statusCode, code: errorCode(forbidden) }).toEqual({ url, status: 403, code: 'auth/forbidden' });
    }
    expect(h.registry.calls).toHaveLength(0);
    expect(await h.t.db.ledgerTransfer.count({ where: { kind: 'ADJUST' } })).toBe(0);
    for (const url of ['/api/wallet', '/api/wallet/history', '/api/hands/mine']) {
      expect((await get(url)).statusCode).toBe(401);
    }
    expect((await post('/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: 'k' })).statusCode).toBe(401);
  });
});

describe('adjustments', () => {
  it('credits the wallet, shows in the ledger browser with the admin and reason, and notifies the user', async () => {
    const player = await h.signup('adjusted-player');
    expect(await walletBalance(player.cookie)).toBe(0);
    h.notifier.calls.length = 0;
    const key = uniqueKey('adj');
    const body = { userId: player.userId, amount: 500, reason: 'welcome bonus', idempotencyKey: key };
    const first = await post('/api/admin/adjustments', body, admin.cookie);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ ok: true, transferId: expect.stringMatching(/^\d+$/), balance: 500, replayed: false });
    expect(await walletBalance(player.cookie)).toBe(500);
    expect(h.notifier.calls).toEqual([{ userId: player.userId, balance: 500n }]);

    // The same key again: one transfer, the same answer.
    const second = await post('/api/admin/adjustments', body, admin.cookie);
    expect(second.json()).toMatchObject({ ok: true, transferId: first.json().transferId, balance: 500, replayed: true });
    expect(await h.t.db.ledgerTransfer.count({ where: { idempotencyKey: key } })).toBe(1);
    expect(h.notifier.calls, 'a replay pushes no balance').toHaveLength(1);
    expect(await walletBalance(player.cookie)).toBe(500);
    // The same key with another body is refused.
    const reused = await post('/api/admin/adjustments', { ...body, amount: 600 }, admin.cookie);
    expect([reused.statusCode, errorCode(reused)]).toEqual([409, 'idempotency/key_reused']);

    const ledger = await get(`/api/admin/ledger?userId=${player.userId}`, admin.cookie);
    expect(ledger.statusCode).toBe(200);
    const [item] = ledger.json().items;
    expect(item).toMatchObject({
      transferId: first.json().transferId,
      kind: 'ADJUST',
      actorUserId: admin.userId,
      actorUsername: 'root-admin',
      reason: 'welcome bonus',
      entries: [
        { accountCode: 'adjustments', side: 'DEBIT', amount: 500 },
        { accountCode: `wallet:${player.userId}`, side: 'CREDIT', amount: 500 },
      ],
    });
    const byCode = await get(`/api/admin/ledger?accountCode=wallet:${player.userId}&kind=ADJUST`, admin.cookie);
    expect(byCode.json().items.map((i: { transferId: string }) => i.transferId)).toEqual([first.json().transferId]);
    const byKind = await get('/api/admin/ledger?kind=BUY_CHIPS', admin.cookie);
    expect(byKind.json().items.every((i: { kind: string }) => i.kind === 'BUY_CHIPS')).toBe(true);
    for (const id of ['0x1', `${player.userId}e0`, `%20${player.userId}`]) {
      expect([id, errorCode(await get(`/api/admin/ledger?userId=${id}`, admin.cookie))]).toEqual([id, 'request/invalid']);
    }
    const future = await get(`/api/admin/ledger?userId=${player.userId}&from=2999-01-01T00:00:00Z`, admin.cookie);
    expect(future.json().items).toEqual([]);
    expect(errorCode(await get('/api/admin/ledger?kind=NOPE', admin.cookie))).toBe('request/invalid');

    // The ledger wrote the audit row; the HTTP layer did not write a second one.
    const actions = await get('/api/admin/actions?action=chips.adjust', admin.cookie);
    const mine = actions.json().items.filter((a: { targetId: string }) => a.targetId === String(player.userId));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ adminUserId: admin.userId, action: 'chips.adjust', targetType: 'user' });
  });

  it('refuses a debit beyond the balance with adjust/negative_wallet and changes nothing', async () => {
    const player = await h.signup('poor-player');
    await post('/api/admin/adjustments', { userId: player.userId, amount: 100, reason: 'seed', idempotencyKey: uniqueKey() }, admin.cookie);
    const transfers = await h.t.db.ledgerTransfer.count();
    h.notifier.calls.length = 0;
    const refused = await post(
      '/api/admin/adjustments',
      { userId: player.userId, amount: -101, reason: 'clawback', idempotencyKey: uniqueKey() },
      admin.cookie,
    );
    expect([refused.statusCode, errorCode(refused)]).toEqual([409, 'adjust/negative_wallet']);
    expect(await walletBalance(player.cookie)).toBe(100);
    expect(await h.t.db.ledgerTransfer.count()).toBe(transfers);
    expect(h.notifier.calls).toEqual([]);
    const debit = await post(
      '/api/admin/adjustments',
      { userId: player.userId, amount: -100, reason: 'clawback', idempotencyKey: uniqueKey() },
      admin.cookie,
    );
    expect(debit.json().balance).toBe(0);
  });

  it('validates the body: zero, fractions, missing reason, unknown keys, adminUserId in the body, unknown users', async () => {
    const player = await h.signup('validated-player');
    const base = { userId: player.userId, amount: 10, reason: 'ok', idempotencyKey: uniqueKey() };
    for (const body of [
      { ...base, amount: 0 },
      { ...base, amount: 1.5 },
      { ...base, amount: '10' },
      { ...base, reason: '   ' },
      { ...base, reason: 'r'.repeat(501) },
      { ...base, reason: '\u{1F389}'.repeat(501) },
      // One line, read as written: no newline, no direction override, no invisible character.
      { ...base, reason: 'bonus\nsigned: the owner' },
      { ...base, reason: 'bonus \u202Eevil' },
      { ...base, reason: 'bo\u200Bnus' },
      { ...base, reason: 'bonus\u2028signed: the owner' },
      { ...base, adminUserId: player.userId },
    ]) {
      const r = await post('/api/admin/adjustments', body, admin.cookie);
      expect({ body, status: r.statusCode, code: errorCode(r) }).toEqual({ body, status: 400, code: 'request/invalid' });
    }
    expect(await walletBalance(player.cookie)).toBe(0);
    // 500 characters are 500 whatever their UTF-16 length: the route and the ledger count alike
    // (the ledger counted UTF-16 units and answered adjust/reason_required for 251 emoji).
    const emoji = await post('/api/admin/adjustments', { ...base, reason: '\u{1F389}'.repeat(500), idempotencyKey: uniqueKey() }, admin.cookie);
    expect(emoji.statusCode).toBe(200);
    expect(await walletBalance(player.cookie)).toBe(10);
    const unknown = await post('/api/admin/adjustments', { ...base, userId: 999_999 }, admin.cookie);
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'user/not_found']);
    expect(await walletBalance(player.cookie)).toBe(10);
  });
});

describe('wallet', () => {
  it('buys chips through HTTP, formats the USD amount and notifies', async () => {
    const player = await h.signup('buyer');
    h.notifier.calls.length = 0;
    const key = uniqueKey('buy');
    const r = await post('/api/wallet/buy-chips', { amountCents: 1234, idempotencyKey: key }, player.cookie);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ok: true, transferId: expect.any(String), chips: 1234, amountCents: 1234, balance: 1234, formatted: '$12.34' });
    expect(h.notifier.calls).toEqual([{ userId: player.userId, balance: 1234n }]);
    const again = await post('/api/wallet/buy-chips', { amountCents: 1234, idempotencyKey: key }, player.cookie);
    expect(again.json().balance).toBe(1234);
    expect(await walletBalance(player.cookie)).toBe(1234);
    const tooSmall = await post('/api/wallet/buy-chips', { amountCents: 50, idempotencyKey: uniqueKey() }, player.cookie);
    expect([tooSmall.statusCode, errorCode(tooSmall)]).toEqual([400, 'purchase/out_of_range']);
    // The message names the server's range (this test ledger's: 100 to 10,000,000 cents).
    expect(tooSmall.json().error.message).toBe('Buy between $1.00 and $100,000.00 at a time.');
    for (const body of [
      { amountCents: 0, idempotencyKey: uniqueKey() },
      { amountCents: 12.5, idempotencyKey: uniqueKey() },
      { amountCents: 500, idempotencyKey: uniqueKey(), userId: 1 },
    ]) {
      expect(errorCode(await post('/api/wallet/buy-chips', body, player.cookie))).toBe('request/invalid');
    }
    // No key is a malformed key.
    expect(errorCode(await post('/api/wallet/buy-chips', { amountCents: 500 }, player.cookie))).toBe('idempotency/key_invalid');
    expect(await walletBalance(player.cookie)).toBe(1234);
    // Printable ASCII includes the space: such a key works, and its replay is answered, not applied.
    const spaced = `order ${uniqueKey()} #1`;
    expect((await post('/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: spaced }, player.cookie)).json().balance).toBe(1334);
    expect((await post('/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: spaced }, player.cookie)).json().balance).toBe(1334);
    expect(await walletBalance(player.cookie)).toBe(1334);
    // A replay answers with the first result (balance 1234) but pushes nothing: that balance is old.
    const pushes = h.notifier.calls.length;
    expect((await post('/api/wallet/buy-chips', { amountCents: 1234, idempotencyKey: key }, player.cookie)).json().balance).toBe(1234);
    expect(h.notifier.calls.slice(pushes)).toEqual([]);
  });

  it('a user buys at most PURCHASES.tokensMax times at once: past it, 429 with Retry-After and nothing bought; another user is not held back', async () => {
    const player = await h.signup('eager-buyer');
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: PURCHASES.tokensMax + 30 }, () => post('/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: uniqueKey() }, player.cookie)));
    const bought = answers.filter((r) => r.statusCode === 200).length;
    const refused = answers.filter((r) => r.statusCode === 429);
    expect(bought + refused.length).toBe(answers.length);
    expect(bought).toBeGreaterThanOrEqual(PURCHASES.tokensMax);
    expect(bought).toBeLessThanOrEqual(PURCHASES.tokensMax + Math.ceil(((Date.now() - started) * PURCHASES.tokensMax) / PURCHASES.refillMs));
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect([errorCode(r), Number(r.headers['retry-after']) >= 1]).toEqual(['rate/limited', true]);
    expect(await walletBalance(player.cookie)).toBe(bought * 100);
    const other = await h.signup('patient-buyer');
    expect((await post('/api/wallet/buy-chips', { amountCents: 100, idempotencyKey: uniqueKey() }, other.cookie)).statusCode).toBe(200);
  });

  it('takes bodies as JSON only: what a cross-site form can send (text/plain, urlencoded, multipart) is 415 and buys nothing', async () => {
    const player = await h.signup('formed');
    const json = JSON.stringify({ amountCents: 100, idempotencyKey: uniqueKey() });
    for (const [type, payload] of [
      ['text/plain', json],
      ['text/plain;charset=UTF-8', json],
      ['application/x-www-form-urlencoded', `${encodeURIComponent(json.slice(0, -6))}=${encodeURIComponent(json.slice(-6))}`],
      ['multipart/form-data; boundary=XX', `--XX\r\nContent-Disposition: form-data; name="amountCents"\r\n\r\n100\r\n--XX--\r\n`],
    ]) {
      const r = await h.app.inject({ method: 'POST', url: '/api/wallet/buy-chips', payload, headers: { cookie: player.cookie, 'content-type': type } });
      expect([type, r.statusCode, errorCode(r)]).toEqual([type, 415, 'request/invalid']);
    }
    expect(await walletBalance(player.cookie)).toBe(0);
    // JSON in another charset than UTF-8 would be read as UTF-8 all the same: refused, not read as other text.
    for (const [type, payload] of [
      ['application/json; charset=utf-16', Buffer.from(json, 'utf16le')],
      ['application/json; charset=UTF-16LE', Buffer.from(json, 'utf16le')],
      ['application/json; charset="iso-8859-1"', Buffer.from(json, 'latin1')],
      ['application/json;charset=utf-8;charset=latin1', Buffer.from(json)],
    ] as const) {
      const r = await h.app.inject({ method: 'POST', url: '/api/wallet/buy-chips', payload, headers: { cookie: player.cookie, 'content-type': type } });
      expect([type, r.statusCode, errorCode(r)]).toEqual([type, 415, 'request/invalid']);
    }
    expect(await walletBalance(player.cookie)).toBe(0);
    // JSON with a charset, and a POST with no body at all, are fine.
    const withCharset = await h.app.inject({ method: 'POST', url: '/api/wallet/buy-chips', payload: json, headers: { cookie: player.cookie, 'content-type': 'Application/JSON; charset=utf-8' } });
    expect(withCharset.statusCode).toBe(200);
    const quoted = await h.app.inject({ method: 'POST', url: '/api/wallet/buy-chips', payload: JSON.stringify({ amountCents: 100, idempotencyKey: uniqueKey() }), headers: { cookie: player.cookie, 'content-type': 'application/json; charset="UTF8"' } });
    expect(quoted.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: player.cookie } })).statusCode).toBe(200);
  });

  it('lists open seats with their stacks', async () => {
    const player = await h.signup('seated');
    await post('/api/wallet/buy-chips', { amountCents: 1000, idempotencyKey: uniqueKey() }, player.cookie);
    const table = await seedTable(h.t.db);
    const seated = await h.t.ledger.buyIn({ userId: player.userId, tableId: table.id, seatIndex: 2, amount: 300n, idempotencyKey: uniqueKey() });
    expect(seated.ok).toBe(true);
    const r = await get('/api/wallet', player.cookie);
    expect(r.json()).toEqual({
      ok: true,
      balance: 700,
      seats: [{ tableId: table.id, seatSessionId: seated.ok ? seated.value.seatSessionId.toString() : '', seatIndex: 2, stack: 300 }],
      // The purchase range and rate (the defaults of CHIP_PURCHASE_MIN/MAX_CENTS, CHIPS_PER_USD), for the wallet page's form.
      purchase: { minCents: 100, maxCents: 1_000_000, chipsPerUsd: 100 },
    });
  });

  it('pages the history newest first, with running balances', async () => {
    const player = await h.signup('historian');
    const amounts = [100, 200, 300, 400, 500];
    for (const amountCents of amounts) {
      await post('/api/wallet/buy-chips', { amountCents, idempotencyKey: uniqueKey() }, player.cookie);
    }
    const seen: { transferId: string; amount: number; balanceAfter: number; kind: string }[] = [];
    let url = '/api/wallet/history?limit=2';
    const pageSizes: number[] = [];
    for (;;) {
      const r = await get(url, player.cookie);
      expect(r.statusCode).toBe(200);
      const body = r.json();
      pageSizes.push(body.items.length);
      seen.push(...body.items);
      if (!body.nextCursor) break;
      url = `/api/wallet/history?limit=2&cursor=${body.nextCursor}`;
    }
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen.map((i) => i.amount)).toEqual([500, 400, 300, 200, 100]);
    expect(seen.map((i) => i.balanceAfter)).toEqual([1500, 1000, 600, 300, 100]);
    expect(seen.every((i) => i.kind === 'BUY_CHIPS')).toBe(true);
    const ids = seen.map((i) => BigInt(i.transferId));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
    expect(errorCode(await get('/api/wallet/history?limit=101', player.cookie))).toBe('request/invalid');
    // Numbers in a query are digits: not read from exponents, hex, spaces or signs.
    for (const limit of ['1e1', '0x2', '%202', '+2', '2.0', '02']) {
      expect([limit, errorCode(await get(`/api/wallet/history?limit=${limit}`, player.cookie))]).toEqual([limit, 'request/invalid']);
    }
    expect(errorCode(await get('/api/wallet/history?cursor=abc', player.cookie))).toBe('request/invalid');
    // Another user's history is not visible.
    const other = await h.signup('nosy');
    expect((await get('/api/wallet/history', other.cookie)).json().items).toEqual([]);
  });
});

describe('lobby and tables', () => {
  it('GET /api/tables is public and lists the registry lobby', async () => {
    const r = await get('/api/tables');
    expect(r.json()).toEqual({ ok: true, tables: h.registry.tables });
  });

  it('validates table creation, creates and closes through the registry, naming the admin who asked', async () => {
    const valid = { name: 'Main 1/2', variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 };
    const invalid: object[] = [
      { ...valid, maxSeats: 1 },
      { ...valid, maxSeats: 11 },
      { ...valid, smallBlind: 0 },
      { ...valid, smallBlind: 3 },
      { ...valid, minBuyIn: 1 },
      { ...valid, maxBuyIn: 39 },
      { ...valid, variant: 'STUD' },
      { ...valid, name: '' },
      { ...valid, name: 'Main\u200B 1/2' },
      { ...valid, name: 'Main 1/2\u200F' },
      { ...valid, name: 'Main 1/2\u3164' },
      { ...valid, name: 'Line\u2028Seat 9: ghost' },
      // Audit 7: ignorable and unassigned-ignorable code points, no-break and wide spaces, zalgo.
      { ...valid, name: 'Main 1/2\uFE0F' },
      { ...valid, name: 'Main\u180B 1/2' },
      { ...valid, name: 'Main 1/2\u{E0080}' },
      { ...valid, name: 'Main\u00A01/2' },
      { ...valid, name: 'Main\u20021/2' },
      { ...valid, name: `Ma${'\u0300'.repeat(8)}in 1/2` },
      { ...valid, smallBlind: 1.5 },
      { ...valid, owner: 3 },
    ];
    for (const body of invalid) {
      const r = await post('/api/admin/tables', body, admin.cookie);
      expect({ body, status: r.statusCode, code: errorCode(r) }).toEqual({ body, status: 400, code: 'request/invalid' });
    }
    expect(h.registry.calls).toHaveLength(0);
    const created = await post('/api/admin/tables', valid, admin.cookie);
    expect(created.statusCode).toBe(201);
    const table = created.json().table;
    expect(table).toMatchObject({ name: 'Main 1/2', maxSeats: 6, status: 'OPEN' });
    expect(h.registry.calls[0]).toEqual({ op: 'create', adminUserId: admin.userId, input: valid });
    expect((await get('/api/tables')).json().tables).toEqual([table]);

    const closed = await post(`/api/admin/tables/${table.id}/close`, {}, admin.cookie);
    expect(closed.json()).toEqual({ ok: true, tableId: table.id, pending: false });
    const again = await post(`/api/admin/tables/${table.id}/close`, {}, admin.cookie);
    expect([again.statusCode, errorCode(again)]).toEqual([409, 'table/closed']);
    const missing = await post('/api/admin/tables/9999/close', {}, admin.cookie);
    expect([missing.statusCode, errorCode(missing)]).toEqual([404, 'table/not_found']);

    // The registry writes the audit rows with the changes themselves (hostile-client.test.ts checks
    // them on the real one): the route hands it the admin who asked, and audits nothing itself.
    expect(h.registry.calls.map((c) => [c.op, c.adminUserId])).toEqual([['create', admin.userId], ['close', admin.userId], ['close', admin.userId], ['close', admin.userId]]);
    const actions = (await get('/api/admin/actions', admin.cookie)).json().items;
    expect(actions.filter((a: { targetType: string }) => a.targetType === 'table')).toEqual([]);
  });
});

describe('admin views', () => {
  it('reconcile reports a clean ledger, users show wallet balances', async () => {
    const r = await get('/api/admin/reconcile', admin.cookie);
    expect(r.json()).toMatchObject({ ok: true, report: { ok: true, violations: [] } });
    const player = await h.signup('Searchable_Zed');
    await post('/api/admin/adjustments', { userId: player.userId, amount: 77, reason: 'r', idempotencyKey: uniqueKey() }, admin.cookie);
    const users = await get('/api/admin/users?search=ZED', admin.cookie);
    expect(users.json().items).toEqual([
      { id: player.userId, username: 'searchable_zed', role: 'PLAYER', isBot: false, createdAt: expect.any(String), walletBalance: 77 },
    ]);
    // LIKE wildcards in the search are literal.
    expect((await get('/api/admin/users?search=%25', admin.cookie)).json().items).toEqual([]);
    const paged = await get('/api/admin/users?limit=1', admin.cookie);
    expect(paged.json().items).toHaveLength(1);
    expect(paged.json().nextCursor).toEqual(String(paged.json().items[0].id));
  });

  it('what PostgreSQL refuses (a NUL or a lone surrogate in text or a key, year 0000, offsets past ±15:59, int ids past 2^31) is a 400/404, not 500, and writes nothing', async () => {
    const player = await h.signup('nul-target');
    const audit = await h.t.db.adminAction.count();
    const registryCalls = h.registry.calls.length;
    const nul = encodeURIComponent('a\u0000b');
    for (const url of [
      // A mistyped filter is refused, not read as no filter.
      '/api/admin/ledger?userid=5', '/api/admin/users?q=x', '/api/admin/actions?admin=1', '/api/wallet/history?foo=1', '/api/hands/mine?userId=3',
      `/api/admin/users?search=${nul}`,
      `/api/admin/ledger?accountCode=${nul}`,
      `/api/admin/actions?action=${nul}`,
      '/api/admin/ledger?from=0000-06-01T00:00:00Z',
      '/api/admin/ledger?to=0000-12-31T23:59:59%2B00:00',
    ]) {
      const r = await get(url, admin.cookie);
      expect({ url, status: r.statusCode, code: errorCode(r) }).toEqual({ url, status: 400, code: 'request/invalid' });
    }
    // Dates past the years 1 to 9999 (UTC) are refused; an offset PostgreSQL would not take
    // (beyond ±15:59) is fine, the instant goes on in UTC.
    for (const url of ['/api/admin/ledger?to=9999-12-31T23:59:59-15:00', '/api/hands/mine/export?from=0001-01-01T00:00:00%2B00:01']) {
      const r = await get(url, admin.cookie);
      expect({ url, status: r.statusCode, code: errorCode(r) }).toEqual({ url, status: 400, code: 'request/invalid' });
    }
    for (const url of [
      '/api/admin/ledger?from=0001-01-01T00:00:00Z',
      '/api/admin/ledger?from=2026-01-01T00:00:00-16:00&to=2026-01-02T00:00:00%2B23:59',
      '/api/hands/mine/export?from=2026-01-01T00:00:00-23:59',
    ]) {
      expect((await get(url, admin.cookie)).statusCode, url).toBe(200);
    }
    const adjustment = { userId: player.userId, amount: 5, reason: 'bonus', idempotencyKey: uniqueKey() };
    const tableBody = { name: 'Odd Table', variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 };
    // A NUL, or a lone surrogate (no UTF-8 form: it became U+FFFD in a text column and broke the jsonb audit row).
    for (const [url, body] of [
      ['/api/admin/adjustments', { ...adjustment, reason: 'bonus\u0000' }],
      ['/api/admin/adjustments', { ...adjustment, reason: 'bonus \ud800' }],
      ['/api/admin/tables', { ...tableBody, name: 'Nul\u0000Table' }],
      ['/api/admin/tables', { ...tableBody, name: 'Sur\ud800rogate' }],
      ['/api/admin/tables', { ...tableBody, name: 'Low\udc00rogate' }],
      // One line, as histories print it; no text turned around.
      ['/api/admin/tables', { ...tableBody, name: 'Two\nLines' }],
      ['/api/admin/tables', { ...tableBody, name: 'Tab\tbed' }],
      ['/api/admin/tables', { ...tableBody, name: 'Over\u202Eride' }],
      // A minimum buy-in that the big blind (and ante) would take all in.
      ['/api/admin/tables', { ...tableBody, minBuyIn: 2, maxBuyIn: 2 }],
      ['/api/admin/tables', { ...tableBody, ante: 1, minBuyIn: 3 }],
    ] as const) {
      const r = await post(url, body, admin.cookie);
      expect({ body, status: r.statusCode, code: errorCode(r) }).toEqual({ body, status: 400, code: 'request/invalid' });
    }
    // A paired surrogate (an emoji) is fine.
    expect((await post('/api/admin/adjustments', { ...adjustment, reason: 'bonus 🎉', idempotencyKey: uniqueKey() }, admin.cookie)).statusCode).toBe(200);
    // A NUL in an idempotency key is an invalid key, refused before any query.
    const nulKey = await post('/api/admin/adjustments', { ...adjustment, idempotencyKey: 'a\u0000' }, admin.cookie);
    expect([nulKey.statusCode, errorCode(nulKey)]).toEqual([400, 'idempotency/key_invalid']);
    // Every malformed key gets the one code, whatever is wrong with it.
    for (const idempotencyKey of ['a\u0000', '', 'k'.repeat(201), 'clé', 'tab\tkey', 42, null]) {
      const bad = await post('/api/wallet/buy-chips', { amountCents: 100, idempotencyKey }, player.cookie);
      expect([JSON.stringify(idempotencyKey), bad.statusCode, errorCode(bad)]).toEqual([JSON.stringify(idempotencyKey), 400, 'idempotency/key_invalid']);
    }
    // A table id past PostgreSQL's integer names no table.
    const huge = await post('/api/admin/tables/2147483648/close', {}, admin.cookie);
    expect([huge.statusCode, errorCode(huge)]).toEqual([404, 'table/not_found']);
    expect(h.registry.calls).toHaveLength(registryCalls);
    expect(await walletBalance(player.cookie)).toBe(5);
    expect(await h.t.db.adminAction.count()).toBe(audit + 1);
  });
});

describe('hands', () => {
  it('shows a settled hand publicly without mucked hole cards; a player also sees their own; /verify runs verifyHand', async () => {
    const alice = await h.signup('hand-alice');
    const bob = await h.signup('hand-bob');
    const watcher = await h.signup('hand-watcher');
    const table = await seedTable(h.t.db);
    const seats = [];
    for (const [i, p] of [alice, bob].entries()) {
      await post('/api/wallet/buy-chips', { amountCents: 1000, idempotencyKey: uniqueKey() }, p.cookie);
      const sat = await h.t.ledger.buyIn({ userId: p.userId, tableId: table.id, seatIndex: i, amount: 100n, idempotencyKey: uniqueKey() });
      if (!sat.ok) throw new Error(sat.error.code);
      seats.push(sat.value.seatSessionId);
    }
    const record = {
      handId: 'h-1',
      variant: 'NLHE',
      dealtSeats: [0, 1],
      holeCards: { '0': ['As', 'Ks'], '1': ['7c', '2d'] },
      shownSeats: [0],
      board: ['Ah', 'Kd', '5c', '9s', '3h'],
      log: { initial: {}, commands: [{ type: 'start_hand', deck: ['secret'] }] },
      pokerstars: 'Dealt to hand-bob [7c 2d]',
    };
    const settled = await h.t.ledger.settleHand({
      tableId: table.id, handNumber: 1n, ownerEpoch: 0n, rake: 0n, commitment: 'c-1', seed: 'seed-1', record,
      seats: [
        { seatSessionId: seats[0]!, userId: alice.userId, seatIndex: 0, contributed: 20n, won: 40n },
        { seatSessionId: seats[1]!, userId: bob.userId, seatIndex: 1, contributed: 20n, won: 0n },
      ],
    });
    if (!settled.ok) throw new Error(settled.error.code);
    const handId = settled.value.handId.toString();

    const anonymous = (await get(`/api/hands/${handId}`)).json();
    // A record stored without `pot` (before it existed) gives potTotal for it.
    expect(anonymous.hand).toMatchObject({ handId, tableId: table.id, potTotal: 40, pot: 40, yourSeats: [] });
    // The seed stays sealed while a seat session of the hand is open (docs/fairness.md).
    expect(anonymous.hand.fairness).toMatchObject({
      scheme: 1, seedCommitment: 'c-1', deckRoot: null, openings: [], yourOpenings: [], seed: null,
      seedReveal: { revealed: false, openSeatSessions: 2 },
    });
    expect(JSON.stringify(anonymous)).not.toContain('seed-1');
    expect(anonymous.hand.record).toEqual({
      handId: 'h-1', variant: 'NLHE', dealtSeats: [0, 1], shownSeats: [0], board: record.board, holeCards: { '0': ['As', 'Ks'] },
    });
    // The hidden cards, as JSON strings (the random table name may contain "7c" as plain hex).
    expect(JSON.stringify(anonymous)).not.toContain('"7c"');
    expect(JSON.stringify(anonymous)).not.toContain('7c 2d');
    expect(JSON.stringify(anonymous)).not.toContain('secret');
    expect((await get(`/api/hands/${handId}`, watcher.cookie)).json().hand.record.holeCards).toEqual({ '0': ['As', 'Ks'] });
    const bobView = (await get(`/api/hands/${handId}`, bob.cookie)).json().hand;
    expect(bobView.record.holeCards).toEqual({ '0': ['As', 'Ks'], '1': ['7c', '2d'] });
    expect(bobView.yourSeats).toEqual([1]);
    expect(errorCode(await get('/api/hands/999999'))).toBe('hand/not_found');
    expect(errorCode(await get('/api/hands/abc'))).toBe('request/invalid');

    const mine = (await get('/api/hands/mine', bob.cookie)).json();
    expect(mine).toEqual({
      ok: true,
      nextCursor: null,
      items: [{
        handId, tableId: table.id, tableName: table.name, handNumber: 1, seatIndex: 1, potTotal: 40, pot: 40, rake: 0,
        contributed: 20, won: 0, net: -20, createdAt: expect.any(String),
      }],
    });
    expect((await get('/api/hands/mine', watcher.cookie)).json().items).toEqual([]);

    const check = (await get(`/api/hands/${handId}/verify`)).json();
    expect(check).toMatchObject({ ok: true, handId, scheme: 1, seedCommitment: 'c-1', seed: null, verified: null, checked: 'nothing' });
    expect(JSON.stringify(check)).not.toContain('seed-1');
  });
});

describe('metrics', () => {
  it('serves Prometheus text with the poker metrics and error counts', async () => {
    h.metrics.actionAckSeconds.observe(0.004);
    h.metrics.actionsTotal.inc({ action: 'fold' });
    const r = await get('/metrics');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain; version=0.0.4');
    for (const name of [
      'poker_sockets_connected', 'poker_tables', 'poker_hands_total', 'poker_hand_settle_seconds_bucket', 'poker_hand_boundary_seconds_bucket',
      'poker_actions_total{action="fold"} 1', 'poker_action_ack_seconds_count 1', 'poker_errors_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(r.body).toContain(name);
    }
    expect(r.body).toMatch(/poker_errors_total\{code="auth\/forbidden"\} \d+/);
  });
});
