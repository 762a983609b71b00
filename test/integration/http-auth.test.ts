import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin, ensureFirstAdmin, firstAdminBanner } from '../../server/auth/admin-bootstrap';
import { resolveSession, userFromCookieHeader } from '../../server/auth/sessions';
import { nameKey } from '../../server/auth/users';
import { TEST_PASSWORD, createHttpTestApp, sessionCookie, type HttpTestApp } from '../support/http-app';

let h: HttpTestApp;
beforeAll(async () => {
  h = await createHttpTestApp();
});
afterAll(async () => {
  await h.close();
});

const post = (url: string, payload: unknown, cookie?: string, remoteAddress?: string) =>
  h.app.inject({ method: 'POST', url, payload: payload as object, headers: cookie ? { cookie } : {}, remoteAddress });
const me = (cookie?: string) => h.app.inject({ method: 'GET', url: '/api/auth/me', headers: cookie ? { cookie } : {} });

describe('sign-up, login, logout, me', () => {
  it('signs up, sets an HttpOnly SameSite=Lax session cookie, and /me answers with the user', async () => {
    const response = await post('/api/auth/signup', { username: 'Alice_01', password: TEST_PASSWORD });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({ ok: true, user: { id: expect.any(Number), username: 'alice_01', role: 'PLAYER' } });
    const cookie = response.cookies.find((c) => c.name === 'poker_sid')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.path).toBe('/');
    expect(cookie.secure).toBeFalsy(); // plain HTTP, COOKIE_SECURE unset
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(cookie.expires!).getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600_000);
    // Only the token's hash is stored.
    const stored = await h.t.db.session.findMany({ where: { userId: body.user.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).not.toContain(cookie.value);
    expect(stored[0]!.id).toMatch(/^[0-9a-f]{64}$/);
    const who = await me(`poker_sid=${cookie.value}`);
    expect(who.statusCode).toBe(200);
    expect(who.json()).toEqual({ ok: true, user: body.user });
    const user = await h.t.db.user.findUniqueOrThrow({ where: { id: body.user.id } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('logs in with any letter case, and logging out makes the old cookie useless', async () => {
    await h.signup('bob-logout');
    const wrong = await post('/api/auth/login', { username: 'bob-logout', password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ ok: false, error: { code: 'auth/invalid_credentials', message: expect.any(String) } });
    const unknown = await post('/api/auth/login', { username: 'nobody-here', password: TEST_PASSWORD });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('auth/invalid_credentials');
    const login = await post('/api/auth/login', { username: 'BOB-Logout', password: TEST_PASSWORD });
    expect(login.statusCode).toBe(200);
    const cookie = sessionCookie(login);
    expect((await me(cookie)).statusCode).toBe(200);
    const logout = await post('/api/auth/logout', {}, cookie);
    expect(logout.statusCode).toBe(200);
    const cleared = logout.cookies.find((c) => c.name === 'poker_sid')!;
    expect(cleared.value).toBe('');
    const after = await me(cookie);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('auth/required');
  });

  it('answers 401 auth/required without a cookie, with a forged one, and with an expired session', async () => {
    expect((await me()).json()).toEqual({ ok: false, error: { code: 'auth/required', message: expect.any(String) } });
    expect((await me('poker_sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(401);
    expect((await me('poker_sid=garbage')).statusCode).toBe(401);
    const { userId, cookie } = await h.signup('carol-expired');
    await h.t.db.session.updateMany({ where: { userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('userFromCookieHeader authenticates a Socket.IO handshake with the same cookie', async () => {
    const { userId, cookie } = await h.signup('dave-socket');
    const user = await userFromCookieHeader(h.t.db, `theme=dark; ${cookie}; other=1`);
    expect(user).toEqual({ userId, username: 'dave-socket', role: 'PLAYER', isBot: false });
    expect(await userFromCookieHeader(h.t.db, undefined)).toBeNull();
    expect(await userFromCookieHeader(h.t.db, 'poker_sid=nope')).toBeNull();
    expect(await resolveSession(h.t.db, '')).toBeNull();
  });
});

describe('bad input creates nothing', () => {
  it('refuses unknown keys, bad usernames, weak passwords and taken names (any case) with their codes', async () => {
    await h.signup('Erin');
    const before = await h.t.db.user.count();
    const cases: [unknown, number, string][] = [
      [{ username: 'frank', password: TEST_PASSWORD, role: 'ADMIN' }, 400, 'request/invalid'],
      [{ username: 'frank' }, 400, 'request/invalid'],
      [{ username: 42, password: TEST_PASSWORD }, 400, 'request/invalid'],
      [{ username: 'fr', password: TEST_PASSWORD }, 400, 'auth/invalid_username'],
      [{ username: 'frank smith', password: TEST_PASSWORD }, 400, 'auth/invalid_username'],
      [{ username: 'x'.repeat(25), password: TEST_PASSWORD }, 400, 'auth/invalid_username'],
      [{ username: 'Bot_frank', password: TEST_PASSWORD }, 400, 'auth/invalid_username'],
      [{ username: 'frank', password: 'short' }, 400, 'auth/weak_password'],
      [{ username: 'frank', password: 'p'.repeat(201) }, 400, 'auth/weak_password'],
      // Counted in characters (code points): four cards are 8 UTF-16 units but 4 characters.
      [{ username: 'frank', password: '\u{1F0A1}'.repeat(4) }, 400, 'auth/weak_password'],
      // Not stored as sent: a lone surrogate would be hashed as U+FFFD; control characters.
      [{ username: 'frank', password: 'pass\uD800word' }, 400, 'auth/weak_password'],
      [{ username: 'frank', password: 'pass\uDC00word' }, 400, 'auth/weak_password'],
      [{ username: 'frank', password: 'pass\u0000word' }, 400, 'auth/weak_password'],
      [{ username: 'frank', password: 'pass\nword12' }, 400, 'auth/weak_password'],
      [{ username: 'ERIN', password: TEST_PASSWORD }, 409, 'auth/username_taken'],
      [{ username: 'erin', password: TEST_PASSWORD }, 409, 'auth/username_taken'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await post('/api/auth/signup', payload);
      expect({ payload, status: response.statusCode, code: response.json().error?.code }).toEqual({ payload, status, code });
      expect(response.cookies.find((c) => c.name === 'poker_sid')).toBeUndefined();
    }
    expect(await h.t.db.user.count()).toBe(before);
    const login = await post('/api/auth/login', { username: 'erin', password: TEST_PASSWORD, remember: true });
    expect(login.json().error.code).toBe('request/invalid');
  });

  it('takes any printable Unicode password of 8 to 200 characters, emoji counted as one, and logs in with it', async () => {
    for (const [username, password] of [['gina', '\u{1F0A1}'.repeat(8)], ['hank', 'ä'.repeat(3) + '\u{1F0A1}'.repeat(197)], ['iris', 'mot de passe ☃']]) {
      const created = await post('/api/auth/signup', { username, password });
      expect([username, created.statusCode]).toEqual([username, 200]);
      expect([username, (await post('/api/auth/login', { username, password })).statusCode]).toEqual([username, 200]);
    }
    const tooLong = await post('/api/auth/signup', { username: 'jack', password: '\u{1F0A1}'.repeat(201) });
    expect(tooLong.json().error).toEqual({ code: 'auth/weak_password', message: 'The password must be 8 to 200 characters.' });
  });

  it('answers malformed JSON and oversized bodies in the error shape', async () => {
    const bad = await h.app.inject({
      method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ ok: false, error: { code: 'request/invalid', message: expect.stringContaining('not valid JSON') } });
    // Valid JSON with a key that could poison a prototype: refused, and the message says why.
    for (const payload of ['{"username":"erin","password":"x","__proto__":{"role":"ADMIN"}}', '{"username":"erin","constructor":{"prototype":{"role":"ADMIN"}}}']) {
      const poisoned = await h.app.inject({ method: 'POST', url: '/api/auth/signup', headers: { 'content-type': 'application/json' }, payload });
      expect([poisoned.statusCode, poisoned.json().error]).toEqual([400, { code: 'request/invalid', message: 'body: a key named __proto__ or constructor.prototype is not allowed' }]);
    }
    // One key twice in an object: JSON.parse keeps the last value, a proxy or a log may read the
    // first. Refused, nothing done, and the message names the key.
    const twice = await h.app.inject({
      method: 'POST', url: '/api/auth/signup', headers: { 'content-type': 'application/json' },
      payload: '{"username":"frank_twice","password":"correct horse battery","username":"admin"}',
    });
    expect([twice.statusCode, twice.json().error]).toEqual([400, { code: 'request/invalid', message: 'body: the key "username" appears twice in one object' }]);
    expect(await h.t.db.user.count({ where: { username: { in: ['frank_twice', 'admin'] } } })).toBe(0);
    const big = await post('/api/auth/login', { username: 'erin', password: 'x'.repeat(20_000) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('request/too_large');
  });
});

describe('look-alike names (decision 037)', () => {
  it('refuses a name that reads like another person\'s, or like a bot\'s, and creates nothing', async () => {
    for (const name of ['john', 'mike', 'paul', 'dave', 'wendy']) await h.signup(name);
    await createOrPromoteAdmin(h.t.db, 'admin');
    const before = await h.t.db.user.count();
    const cases: [string, number, string][] = [
      ['j0hn', 409, 'auth/username_lookalike'],
      ['J0HN', 409, 'auth/username_lookalike'],
      ['rnike', 409, 'auth/username_lookalike'],
      ['pau1', 409, 'auth/username_lookalike'],
      ['clave', 409, 'auth/username_lookalike'],
      ['vvendy', 409, 'auth/username_lookalike'],
      ['aclmin', 409, 'auth/username_lookalike'],
      ['John', 409, 'auth/username_taken'],
      ['b0t_frank', 400, 'auth/invalid_username'],
      ['BOT_frank', 400, 'auth/invalid_username'],
    ];
    for (const [username, status, code] of cases) {
      const response = await post('/api/auth/signup', { username, password: TEST_PASSWORD });
      expect({ username, status: response.statusCode, code: response.json().error?.code }).toEqual({ username, status, code });
    }
    expect(await h.t.db.user.count()).toBe(before);
    // Names that only share letters are fine.
    for (const username of ['johnny', 'mikey', 'paula', 'david', 'wend1']) {
      expect((await post('/api/auth/signup', { username, password: TEST_PASSWORD })).statusCode, username).toBe(200);
    }
  });

  it('of eight look-alike sign-ups at once, one account is made', async () => {
    const names = ['kool', 'k0ol', 'ko0l', 'k00l', 'koo1', 'k0o1', 'ko01', 'k001'];
    const answers = await Promise.all(names.map((username) => post('/api/auth/signup', { username, password: TEST_PASSWORD })));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().error.code)).toEqual(Array(7).fill('auth/username_lookalike'));
    expect(await h.t.db.user.count({ where: { username: { in: names } } })).toBe(1);
  });

  it('the migration keys the names taken before it as nameKey does', async () => {
    const sql = readFileSync('prisma/migrations/20261207060000_user_name_key/migration.sql', 'utf8');
    const update = /^UPDATE "users" SET "name_key" = .*;$/m.exec(sql)![0];
    // "old-dock" and "old-cl0ck" share a key: taken before the check existed, both keep their accounts.
    const names = ['old_rnvvcl01', 'Old-Cl0ck', 'old-dock', 'rrnn_vvv', 'x1x0xclx', 'plain_name'];
    for (const username of names) await h.t.db.user.create({ data: { username: username.toLowerCase(), passwordHash: 'x' } });
    await h.t.db.$executeRawUnsafe(update);
    const rows = await h.t.db.user.findMany({ where: { username: { in: names.map((n) => n.toLowerCase()) } }, select: { username: true, nameKey: true } });
    expect(rows.map((r) => [r.username, r.nameKey]).sort()).toEqual(names.map((n) => [n.toLowerCase(), nameKey(n)]).sort());
    // Signing up as one of them again is "taken" (the name itself), not "looks like the other".
    for (const username of ['OLD-CL0CK', 'old-dock']) {
      expect((await post('/api/auth/signup', { username, password: TEST_PASSWORD })).json().error.code, username).toBe('auth/username_taken');
    }
    expect((await post('/api/auth/signup', { username: 'old-c1ock', password: TEST_PASSWORD })).json().error.code).toBe('auth/username_lookalike');
  });
});

describe('rate limits', () => {
  let limited: HttpTestApp;
  beforeAll(async () => {
    limited = await createHttpTestApp({ limits: { ipAttemptsPerMinute: 3, usernameFailuresPerMinute: 2 } });
  });
  afterAll(async () => {
    await limited.close();
  });
  const attempt = (url: string, payload: object, remoteAddress: string) =>
    limited.app.inject({ method: 'POST', url, payload, remoteAddress });

  it('limits attempts per IP with 429 rate/limited and Retry-After', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < 3; i++) {
      const r = await attempt('/api/auth/login', { username: `ghost-${i}`, password: 'whatever-1' }, ip);
      expect(r.statusCode).toBe(401);
    }
    const blocked = await attempt('/api/auth/signup', { username: 'newbie', password: TEST_PASSWORD }, ip);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual({ ok: false, error: { code: 'rate/limited', message: expect.any(String) } });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.t.db.user.count({ where: { username: 'newbie' } })).toBe(0);
    // Another address is unaffected.
    expect((await attempt('/api/auth/signup', { username: 'newbie', password: TEST_PASSWORD }, '203.0.113.8')).statusCode).toBe(200);
  });

  it('limits failed logins per username across addresses, even for the right password', async () => {
    await attempt('/api/auth/signup', { username: 'victim', password: TEST_PASSWORD }, '198.51.100.1');
    expect((await attempt('/api/auth/login', { username: 'victim', password: 'guess-0001' }, '198.51.100.2')).statusCode).toBe(401);
    expect((await attempt('/api/auth/login', { username: 'VICTIM', password: 'guess-0002' }, '198.51.100.3')).statusCode).toBe(401);
    const blocked = await attempt('/api/auth/login', { username: 'victim', password: TEST_PASSWORD }, '198.51.100.4');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    // Other usernames still log in.
    await attempt('/api/auth/signup', { username: 'bystander', password: TEST_PASSWORD }, '198.51.100.5');
    expect((await attempt('/api/auth/login', { username: 'bystander', password: TEST_PASSWORD }, '198.51.100.6')).statusCode).toBe(200);
  });
});

describe('known devices (decision 031)', () => {
  // Limits of the rate-limits block: 3 attempts per IP, 2 failures per username or device.
  let limited: HttpTestApp;
  beforeAll(async () => {
    limited = await createHttpTestApp({ limits: { ipAttemptsPerMinute: 3, usernameFailuresPerMinute: 2 } });
  });
  afterAll(async () => {
    await limited.close();
  });
  let address = 0;
  /** Every attempt from a new address: only the username's and the device's budgets count. */
  const attempt = (url: string, payload: object, device?: string, cookie?: string) =>
    limited.app.inject({
      method: 'POST', url, payload,
      headers: { cookie: [device && `poker_device=${device}`, cookie].filter(Boolean).join('; ') },
      remoteAddress: `192.0.2.${++address}`,
    });
  const deviceOf = (r: { cookies: { name: string; value: string; path?: string; httpOnly?: boolean; sameSite?: string }[] }) =>
    r.cookies.find((c) => c.name === 'poker_device');

  it('failures under a name from anywhere else do not lock the player out of a browser that logged in before', async () => {
    const signup = await attempt('/api/auth/signup', { username: 'regular', password: TEST_PASSWORD });
    const device = deviceOf(signup)!;
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    expect(device.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is stored.
    const stored = await limited.t.db.loginDevice.findMany({ where: { user: { username: 'regular' } } });
    expect(stored.map((d) => d.id)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(stored[0]!.id).not.toContain(device.value);

    // Someone fails twice under the name: every browser not known for it is refused, the right password too.
    for (const guess of ['guess-0001', 'guess-0002']) expect((await attempt('/api/auth/login', { username: 'regular', password: guess })).statusCode).toBe(401);
    expect((await attempt('/api/auth/login', { username: 'regular', password: TEST_PASSWORD })).statusCode).toBe(429);
    // A made-up device and another player's device are not known for this name.
    expect((await attempt('/api/auth/login', { username: 'regular', password: TEST_PASSWORD }, 'A'.repeat(43))).statusCode).toBe(429);
    const other = deviceOf(await attempt('/api/auth/signup', { username: 'neighbour', password: TEST_PASSWORD }))!.value;
    expect((await attempt('/api/auth/login', { username: 'regular', password: TEST_PASSWORD }, other)).statusCode).toBe(429);

    // The player's own browser logs in, keeps its device and is not asked to wait.
    const own = await attempt('/api/auth/login', { username: 'REGULAR', password: TEST_PASSWORD }, device.value);
    expect(own.statusCode).toBe(200);
    expect(deviceOf(own)!.value).toBe(device.value);
    // ... which does not refill the name's budget for the others.
    expect((await attempt('/api/auth/login', { username: 'regular', password: TEST_PASSWORD })).statusCode).toBe(429);
  });

  it('a known device has a budget of its own: its failures lock it, not the others', async () => {
    const device = deviceOf(await attempt('/api/auth/signup', { username: 'careless', password: TEST_PASSWORD }))!.value;
    const laptop = deviceOf(await attempt('/api/auth/login', { username: 'careless', password: TEST_PASSWORD }))!.value;
    expect(laptop).not.toBe(device);
    for (const guess of ['guess-0001', 'guess-0002']) expect((await attempt('/api/auth/login', { username: 'careless', password: guess }, device)).statusCode).toBe(401);
    expect((await attempt('/api/auth/login', { username: 'careless', password: TEST_PASSWORD }, device)).statusCode).toBe(429);
    expect((await attempt('/api/auth/login', { username: 'careless', password: TEST_PASSWORD }, laptop)).statusCode).toBe(200);
    expect((await attempt('/api/auth/login', { username: 'careless', password: TEST_PASSWORD })).statusCode).toBe(200);
  });

  it('a password change forgets every other device of the player', async () => {
    const signup = await attempt('/api/auth/signup', { username: 'mover', password: TEST_PASSWORD });
    const desk = deviceOf(signup)!.value;
    const sid = signup.cookies.find((c) => c.name === 'poker_sid')!.value;
    const phone = deviceOf(await attempt('/api/auth/login', { username: 'mover', password: TEST_PASSWORD }))!.value;
    const devices = () => limited.t.db.loginDevice.count({ where: { user: { username: 'mover' } } });
    expect(await devices()).toBe(2);
    const changed = await attempt('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'a brand new secret' }, desk, `poker_sid=${sid}`);
    expect(changed.statusCode).toBe(200);
    expect(await devices()).toBe(1);
    // Locked out by others' failures, the phone is a stranger now; the desk still logs in.
    for (const guess of ['guess-0001', 'guess-0002']) await attempt('/api/auth/login', { username: 'mover', password: guess });
    expect((await attempt('/api/auth/login', { username: 'mover', password: 'a brand new secret' }, phone)).statusCode).toBe(429);
    expect((await attempt('/api/auth/login', { username: 'mover', password: 'a brand new secret' }, desk)).statusCode).toBe(200);
  });
});

describe('first admin', () => {
  it('creates one admin with a one-time password, once, and it can log in', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    // The shared test database has admins from other tests only if they made them; use a fresh app.
    const fresh = await createHttpTestApp();
    try {
      const made = await ensureFirstAdmin(fresh.t.db, log, { ADMIN_USERNAME: 'Boss' });
      expect(made).toMatchObject({ username: 'boss', created: true });
      expect(made!.password).toHaveLength(24);
      // The password is printed by `npm start` (firstAdminBanner on standard output, plain lines),
      // never into the JSON log, where it was an escaped string or, at LOG_LEVEL=error, missing.
      expect(lines.join('')).not.toContain(made!.password);
      expect(lines.join('')).toContain('first admin created');
      const banner = firstAdminBanner(made!).split('\n');
      expect(banner).toContain(`  one-time password: ${made!.password}`);
      expect(banner).toContain('  username: boss');
      expect(await ensureFirstAdmin(fresh.t.db, log, { ADMIN_USERNAME: 'Boss' })).toBeNull();
      expect(await fresh.t.db.user.count({ where: { role: 'ADMIN' } })).toBe(1);
      const login = await fresh.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'boss', password: made!.password } });
      expect(login.json().user).toMatchObject({ username: 'boss', role: 'ADMIN' });
    } finally {
      await fresh.close();
    }
  });

  it('promoting an existing user replaces its password, ends its sessions and forgets its devices', async () => {
    const { userId, cookie } = await h.signup('squatter');
    expect(await h.t.db.loginDevice.count({ where: { userId } })).toBe(1);
    const promoted = await createOrPromoteAdmin(h.t.db, 'Squatter');
    expect(promoted).toMatchObject({ userId, created: false });
    expect(await h.t.db.loginDevice.count({ where: { userId } })).toBe(0);
    expect((await me(cookie)).statusCode).toBe(401);
    expect((await post('/api/auth/login', { username: 'squatter', password: TEST_PASSWORD })).statusCode).toBe(401);
    const login = await post('/api/auth/login', { username: 'squatter', password: promoted.password });
    expect(login.json().user.role).toBe('ADMIN');
  });
});
