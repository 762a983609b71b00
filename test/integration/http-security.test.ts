import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueKey } from '../support/db';
import { TEST_PASSWORD, createHttpTestApp, sessionCookie, type HttpTestApp } from '../support/http-app';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// The HTTP edge against a hostile page or client, over the real server: the
// Origin rule on every state-changing request, the security headers, the
// password change, and chip amounts that do not fit a JSON number exactly.

const TRUSTED = 'http://trusted.example:8080';
const EVIL = 'http://evil.example';
const MAX = Number.MAX_SAFE_INTEGER;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { ALLOWED_ORIGINS: `${TRUSTED}, https://other-trusted.example` } });
});
afterAll(async () => {
  await s?.close();
});

let users = 0;
async function player(): Promise<TestClient> {
  return TestClient.signup(s.url, `sec_${++users}_${process.pid % 1000}`);
}

async function admin(): Promise<TestClient> {
  const client = await player();
  await s.t.db.user.update({ where: { id: client.userId }, data: { role: 'ADMIN' } });
  return client;
}

interface Answer {
  status: number;
  headers: Headers;
  body: { ok: boolean; error?: { code: string; message: string } } & Record<string, unknown>;
}

async function request(method: string, path: string, options: { body?: unknown; raw?: string; cookie?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const hasBody = options.body !== undefined || options.raw !== undefined;
  const response = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text.startsWith('{') ? JSON.parse(text) : { ok: false, text } };
}

async function login(username: string, password = TEST_PASSWORD): Promise<string> {
  const response = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const me = async (cookie: string) => (await request('GET', '/api/auth/me', { cookie })).status;
const walletOf = async (cookie: string) => (await request('GET', '/api/wallet', { cookie })).body.balance as number;

describe('state-changing requests carry an origin of this server or none', () => {
  const buy = (cookie: string, headers: Record<string, string>) =>
    request('POST', '/api/wallet/buy-chips', { cookie, headers, body: { amountCents: 100, idempotencyKey: uniqueKey('origin') } });

  it('refuses a POST from another origin with 403 auth/forbidden, and nothing happens', async () => {
    const alice = await player();
    const refused = await buy(alice.cookie, { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ ok: false, error: { code: 'auth/forbidden', message: expect.stringMatching(/origin/i) } });
    expect(await walletOf(alice.cookie)).toBe(0);
    // Login CSRF and logout CSRF too: the session survives a foreign logout.
    expect((await request('POST', '/api/auth/logout', { cookie: alice.cookie, headers: { origin: EVIL }, body: {} })).status).toBe(403);
    expect(await me(alice.cookie)).toBe(200);
    const foreignLogin = await request('POST', '/api/auth/login', { headers: { origin: EVIL }, body: { username: alice.username, password: TEST_PASSWORD } });
    expect([foreignLogin.status, foreignLogin.headers.get('set-cookie')]).toEqual([403, null]);
  });

  it('refuses every look-alike of the own origin: another port, another scheme-less host, "null"', async () => {
    const bob = await player();
    const port = new URL(s.url).port;
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, `http://localhost:${port}`, 'null', `${s.url}.evil.example`, 'garbage']) {
      expect((await buy(bob.cookie, { origin })).status, origin).toBe(403);
    }
    expect(await walletOf(bob.cookie)).toBe(0);
  });

  it('accepts the own origin, a configured one, and a request without Origin (curl, bots)', async () => {
    const carol = await player();
    expect((await buy(carol.cookie, { origin: s.url })).status).toBe(200);
    expect((await buy(carol.cookie, { origin: TRUSTED })).status).toBe(200);
    expect((await buy(carol.cookie, { origin: 'https://other-trusted.example' })).status).toBe(200);
    expect((await buy(carol.cookie, {})).status).toBe(200);
    expect((await buy(carol.cookie, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(await walletOf(carol.cookie)).toBe(500);
  });

  it('refuses a request without Origin that the browser marks cross-site', async () => {
    const dave = await player();
    expect((await buy(dave.cookie, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(await walletOf(dave.cookie)).toBe(0);
  });

  it('checks every state-changing method, on known and unknown routes, but not reads', async () => {
    const erin = await player();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const foreign = await request(method, '/api/wallet', { cookie: erin.cookie, headers: { origin: EVIL }, body: {} });
      expect([method, foreign.status, foreign.body.error?.code]).toEqual([method, 403, 'auth/forbidden']);
      const own = await request(method, '/api/wallet', { cookie: erin.cookie, headers: { origin: s.url }, body: {} });
      expect([method, own.status]).toEqual([method, 404]);
    }
    // A read from another origin is answered (the browser keeps it from the page: no CORS header).
    const read = await request('GET', '/api/wallet', { cookie: erin.cookie, headers: { origin: EVIL } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('security headers', () => {
  function directives(policy: string | null): Map<string, string[]> {
    expect(policy).toBeTruthy();
    return new Map(policy!.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
  }

  it('sends a Content-Security-Policy the built client can live with, and the usual hardening headers', async () => {
    for (const path of ['/', '/api/tables', '/lobby']) {
      const response = await fetch(`${s.url}${path}`);
      const csp = directives(response.headers.get('content-security-policy'));
      // Only our own scripts, no inline script, no eval; inline styles (React style attributes) allowed.
      expect(csp.get('script-src'), path).toEqual(["'self'"]);
      expect(csp.get('style-src'), path).toEqual(expect.arrayContaining(["'self'", "'unsafe-inline'"]));
      expect(csp.get('connect-src'), path).toEqual(["'self'"]);
      expect(csp.get('object-src'), path).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp.get('default-src'), path).toEqual(["'self'"]);
      // Served over plain HTTP: upgrading every request to HTTPS would break the page.
      expect(csp.has('upgrade-insecure-requests'), path).toBe(false);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(response.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('sets them on refusals too', async () => {
    const refused = await request('POST', '/api/auth/login', { headers: { origin: EVIL }, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('POST /api/auth/password', () => {
  const change = (cookie: string, body: unknown, headers: Record<string, string> = {}) =>
    request('POST', '/api/auth/password', { cookie, body, headers });

  it('refuses a wrong current password clearly and changes nothing', async () => {
    const frank = await player();
    const other = await login(frank.username);
    const before = await s.t.db.user.findUniqueOrThrow({ where: { id: frank.userId } });
    const wrong = await change(frank.cookie, { currentPassword: 'not my password', newPassword: 'a brand new secret' });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeLessThan(500);
    expect(wrong.body.error).toEqual({ code: 'auth/invalid_credentials', message: expect.stringMatching(/current password/i) });
    const after = await s.t.db.user.findUniqueOrThrow({ where: { id: frank.userId } });
    expect(after.passwordHash).toBe(before.passwordHash);
    expect([await me(frank.cookie), await me(other)]).toEqual([200, 200]);
    await login(frank.username); // the old password still works
  });

  it('applies the sign-up rules to the new password, and refuses malformed bodies and anonymous callers', async () => {
    const grace = await player();
    const before = await s.t.db.user.findUniqueOrThrow({ where: { id: grace.userId } });
    for (const newPassword of ['short', 'x'.repeat(201), 'new\uD83Dsecret', 'new\u0000secret']) {
      const weak = await change(grace.cookie, { currentPassword: TEST_PASSWORD, newPassword });
      expect([weak.status, weak.body.error?.code]).toEqual([400, 'auth/weak_password']);
    }
    for (const body of [{}, { currentPassword: TEST_PASSWORD }, { currentPassword: TEST_PASSWORD, newPassword: 12345678 }, { currentPassword: TEST_PASSWORD, newPassword: 'a brand new secret', userId: 1 }]) {
      const bad = await change(grace.cookie, body);
      expect([JSON.stringify(body), bad.status, bad.body.error?.code]).toEqual([JSON.stringify(body), 400, 'request/invalid']);
    }
    const anonymous = await change('', { currentPassword: TEST_PASSWORD, newPassword: 'a brand new secret' });
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'auth/required']);
    expect((await s.t.db.user.findUniqueOrThrow({ where: { id: grace.userId } })).passwordHash).toBe(before.passwordHash);
  });

  it('changes the password (argon2id), keeps the calling session and ends every other one', async () => {
    const heidi = await player();
    const second = await login(heidi.username);
    const third = await login(heidi.username);
    const changed = await change(heidi.cookie, { currentPassword: TEST_PASSWORD, newPassword: 'a brand new secret' });
    expect([changed.status, changed.body]).toEqual([200, { ok: true }]);
    expect([await me(heidi.cookie), await me(second), await me(third)]).toEqual([200, 401, 401]);
    expect(await s.t.db.session.count({ where: { userId: heidi.userId } })).toBe(1);
    expect((await s.t.db.user.findUniqueOrThrow({ where: { id: heidi.userId } })).passwordHash).toMatch(/^\$argon2id\$/);
    await expect(login(heidi.username)).rejects.toThrow(/401/);
    await login(heidi.username, 'a brand new secret');
  });

  it('of two concurrent changes exactly one happens, and it leaves exactly its own session', async () => {
    const judy = await player();
    const other = await login(judy.username);
    const [a, b] = await Promise.all([
      change(judy.cookie, { currentPassword: TEST_PASSWORD, newPassword: 'the first new secret' }),
      change(other, { currentPassword: TEST_PASSWORD, newPassword: 'the second new secret' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const [winner, loser] = a.status === 200 ? [judy.cookie, other] : [other, judy.cookie];
    expect([await me(winner), await me(loser)]).toEqual([200, 401]);
    expect(await s.t.db.session.count({ where: { userId: judy.userId } })).toBe(1);
    const [won, lost] = a.status === 200 ? ['the first new secret', 'the second new secret'] : ['the second new secret', 'the first new secret'];
    await login(judy.username, won);
    await expect(login(judy.username, lost)).rejects.toThrow(/401/);
  });

  it('a login with the old password that races the change never outlives it', async () => {
    // The login verifies the old password (argon2, some 200 ms) while the change commits: swept
    // across the change's duration, some logins start before it and finish after it.
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const kate = await player();
      const changing = change(kate.cookie, { currentPassword: TEST_PASSWORD, newPassword: `the new secret ${i}` });
      await new Promise((resolve) => setTimeout(resolve, i * 50));
      const loggingIn = fetch(`${s.url}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: kate.username, password: TEST_PASSWORD }),
      });
      const [changed, loggedIn] = await Promise.all([changing, loggingIn]);
      expect(changed.status).toBe(200);
      if (loggedIn.status === 200) {
        // It finished before the change took effect: the change ended it with the others.
        const cookie = (loggedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
        expect(await me(cookie), `login ${i * 50} ms after the change began`).toBe(401);
        outcomes.push('ended');
      } else {
        expect(loggedIn.status).toBe(401);
        outcomes.push('refused');
      }
      expect([await me(kate.cookie), await s.t.db.session.count({ where: { userId: kate.userId } })]).toEqual([200, 1]);
    }
    // The first logins (started with the change) finish before it commits.
    expect(outcomes[0]).toBe('ended');
  });

  it('is refused from another origin', async () => {
    const ivan = await player();
    const refused = await change(ivan.cookie, { currentPassword: TEST_PASSWORD, newPassword: 'a brand new secret' }, { origin: EVIL });
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'auth/forbidden']);
    await login(ivan.username);
  });
});

describe('the password change is rate limited like login', () => {
  let h: HttpTestApp;
  beforeAll(async () => {
    h = await createHttpTestApp({ limits: { ipAttemptsPerMinute: 1_000, usernameFailuresPerMinute: 3 } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('wrong current passwords spend the username budget: then even the right one waits', async () => {
    const { cookie } = await h.signup('judy-limited');
    const change = (currentPassword: string) =>
      h.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword, newPassword: 'a brand new secret' } });
    for (let i = 0; i < 3; i++) expect((await change(`guess number ${i}`)).statusCode).not.toBe(200);
    const limited = await change(TEST_PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate/limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Login of that username is limited too: one budget per account.
    const loginNow = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'judy-limited', password: TEST_PASSWORD } });
    expect(loginNow.statusCode).toBe(429);
    expect(h.notifier.disconnects).toEqual([]);
  });

  it('tells the realtime layer: logout closes the session, a password change closes the user', async () => {
    const { userId, cookie } = await h.signup('kim-notified');
    const changed = await h.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword: TEST_PASSWORD, newPassword: 'a brand new secret' } });
    expect(changed.statusCode).toBe(200);
    const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'kim-notified', password: 'a brand new secret' } });
    const second = sessionCookie(login);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: second }, payload: {} })).statusCode).toBe(200);
    expect(h.notifier.disconnects).toEqual([{ userId }, { sessionId: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });
});

describe('chip amounts that do not fit a JSON number exactly are refused with 400', () => {
  const huge: unknown[] = [MAX + 1, MAX + 2, 1e300, -(MAX + 2), '9007199254740993', '5', 2.5, null];

  it('admin adjustments', async () => {
    const boss = await admin();
    const target = await player();
    for (const amount of huge) {
      const r = await boss.http<{ error: { code: string } }>('POST', '/api/admin/adjustments', { userId: target.userId, amount, reason: 'overflow', idempotencyKey: uniqueKey() });
      expect([String(amount), r.status, r.body.error?.code]).toEqual([String(amount), 400, 'request/invalid']);
    }
    // A literal in the JSON text beyond 2^53 (JSON.parse rounds it to a float) is refused too.
    const literal = await request('POST', '/api/admin/adjustments', {
      cookie: boss.cookie, raw: `{"userId":${target.userId},"amount":123456789012345678901234567890,"reason":"overflow","idempotencyKey":"${uniqueKey()}"}`,
    });
    expect([literal.status, literal.body.error?.code]).toEqual([400, 'request/invalid']);
    expect(await s.t.db.ledgerTransfer.count({ where: { kind: 'ADJUST', reason: 'overflow' } })).toBe(0);
  });

  it('chip purchases and table stakes', async () => {
    const buyer = await player();
    for (const amountCents of huge) {
      const r = await buyer.http<{ error: { code: string } }>('POST', '/api/wallet/buy-chips', { amountCents, idempotencyKey: uniqueKey() });
      expect([String(amountCents), r.status, r.body.error?.code]).toEqual([String(amountCents), 400, 'request/invalid']);
    }
    expect(await walletOf(buyer.cookie)).toBe(0);
    const boss = await admin();
    const table = { name: 'huge', variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 };
    for (const field of ['smallBlind', 'bigBlind', 'minBuyIn', 'maxBuyIn', 'rakeCap', 'ante']) {
      const r = await boss.http<{ error: { code: string } }>('POST', '/api/admin/tables', { ...table, [field]: MAX + 2 });
      expect([field, r.status, r.body.error?.code]).toEqual([field, 400, 'request/invalid']);
    }
  });

  it('a wallet at exactly 2^53 - 1 chips reads back exactly', async () => {
    const boss = await admin();
    const rich = await player();
    const up = await boss.http('POST', '/api/admin/adjustments', { userId: rich.userId, amount: MAX, reason: 'to the limit', idempotencyKey: uniqueKey() });
    expect(up.status).toBe(200);
    expect(up.body.balance).toBe(MAX);
    const wallet = await rich.http<{ balance: number }>('GET', '/api/wallet');
    expect([wallet.status, wallet.body.balance]).toEqual([200, MAX]);
    expect((await boss.http('POST', '/api/admin/adjustments', { userId: rich.userId, amount: -MAX, reason: 'back', idempotencyKey: uniqueKey() })).status).toBe(200);
  });
});

describe('answers outside the routes are in the one error shape', () => {
  // Audit 6: an unknown path, a URL that does not decode and the bot route's body errors
  // answered in Fastify's own shape ({ statusCode, error, message }, FST_ERR_* codes).
  it('an unknown path or method, a bad %-escape, a malformed or non-JSON body at the bot route', async () => {
    const shape = async (method: string, path: string, options: { raw?: string; headers?: Record<string, string> } = {}) => {
      const r = await request(method, path, options);
      return [r.status, r.body.ok, r.body.error?.code, Object.keys(r.body).sort().join(',')];
    };
    expect(await shape('GET', '/api/nope')).toEqual([404, false, 'request/invalid', 'error,ok']);
    expect(await shape('DELETE', '/api/wallet')).toEqual([404, false, 'request/invalid', 'error,ok']);
    expect(await shape('POST', '/api/nope', { raw: '{}' })).toEqual([404, false, 'request/invalid', 'error,ok']);
    expect(await shape('GET', '/api/%ff')).toEqual([400, false, 'request/invalid', 'error,ok']);
    expect(await shape('POST', '/api/bots/session', { raw: '{"name":' })).toEqual([400, false, 'request/invalid', 'error,ok']);
    expect(await shape('POST', '/api/bots/session', { raw: '{"__proto__":{}}' })).toEqual([400, false, 'request/invalid', 'error,ok']);
    expect(await shape('POST', '/api/bots/session', { raw: 'name=x', headers: { 'content-type': 'text/plain' } })).toEqual([415, false, 'request/invalid', 'error,ok']);
  });

  it("what Node's HTTP parser refuses (headers too large, a request that is not HTTP) is answered in the same shape", async () => {
    // Before: Fastify's { error, message, statusCode } (or Node's bare 400), unlike every other error.
    const raw = (text: string) => new Promise<string>((resolve, reject) => {
      const url = new URL(s.url);
      const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
      let got = '';
      socket.on('data', (chunk) => (got += chunk.toString('utf8')));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    const parse = (answer: string) => {
      const [head, body] = answer.split('\r\n\r\n');
      return [Number(head!.split(' ')[1]), /content-type: application\/json/i.test(head!), JSON.parse(body!) as unknown];
    };
    const big = await raw(`GET /api/tables HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    expect(parse(big)).toEqual([431, true, { ok: false, error: { code: 'request/too_large', message: expect.any(String) } }]);
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(parse(garbage)).toEqual([400, true, { ok: false, error: { code: 'request/invalid', message: expect.any(String) } }]);
    // The server goes on answering.
    expect((await request('GET', '/api/tables')).status).toBe(200);
  });

  it('a query string whose %-escapes are not UTF-8 is refused, not read as its literal text (conformance audit)', async () => {
    const boss = await admin();
    for (const query of ['search=%ED%A0%80', 'search=%FF', 'search=100%', 'search=a%2']) {
      const r = await request('GET', `/api/admin/users?${query}`, { cookie: boss.cookie });
      expect([query, r.status, r.body.error?.code]).toEqual([query, 400, 'request/invalid']);
    }
    const ledger = await request('GET', '/api/admin/ledger?accountCode=%ED%A0%80', { cookie: boss.cookie });
    expect([ledger.status, ledger.body.error?.code]).toEqual([400, 'request/invalid']);
    // Well-formed escapes are read as the text they encode.
    const ok = await request('GET', `/api/admin/users?search=${encodeURIComponent('sé c+')}`, { cookie: boss.cookie });
    expect(ok.status).toBe(200);
  });

  it('a body whose bytes are not UTF-8 is refused, not stored with U+FFFD in their place', async () => {
    const boss = await admin();
    const name = `bad-utf8-${process.pid % 1000}`;
    const body = Buffer.concat([Buffer.from(`{"name":"${name} `), Buffer.from([0xff]), Buffer.from('","variant":"NLHE","maxSeats":2,"smallBlind":1,"bigBlind":2,"minBuyIn":40,"maxBuyIn":200}')]);
    const r = await fetch(`${s.url}/api/admin/tables`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: boss.cookie }, body });
    expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([400, 'request/invalid']);
    expect(await s.t.db.pokerTable.count({ where: { name: { startsWith: name } } })).toBe(0);
  });

  it('a table id of any length is a table id: past PostgreSQL integers, 404', async () => {
    const boss = await admin();
    for (const id of ['2147483648', '99999999999', '9'.repeat(40), '9'.repeat(300)]) {
      const r = await request('POST', `/api/admin/tables/${id}/close`, { body: {}, cookie: boss.cookie });
      expect([id, r.status, r.body.error?.code]).toEqual([id, 404, 'table/not_found']);
    }
    for (const id of ['0', '012', '1e3', '-1']) {
      const r = await request('POST', `/api/admin/tables/${id}/close`, { body: {}, cookie: boss.cookie });
      expect([id, r.status, r.body.error?.code]).toEqual([id, 400, 'request/invalid']);
    }
  });
});
