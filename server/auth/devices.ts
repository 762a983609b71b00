import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { hashToken, isToken, newToken, type CookiePolicy } from './sessions';

// Known devices (docs/decisions/031-a-known-device-keeps-its-own-login-budget.md; OWASP's
// "device cookies"). Failed logins under a username are limited for everyone at once (5 a
// minute), so anyone can keep a player out by failing under their name from many addresses.
// A browser that logged in as the user before holds a device cookie for that user; its
// attempts spend a budget of its own, which nobody else's failures touch. The cookie proves
// nothing but a past login: it never logs anyone in. Like the session cookie it holds a
// random token, and the database only its SHA-256.

export const DEVICE_COOKIE = 'poker_device';
/** A device stays known this long after its last login. */
export const DEVICE_TTL_MS = 180 * 24 * 60 * 60 * 1000;
/** Only the login and password routes read it. */
const DEVICE_COOKIE_PATH = '/api/auth';

function deviceTokenOf(request: FastifyRequest): string | undefined {
  const token = request.cookies?.[DEVICE_COOKIE] ?? (request.headers.cookie ? fastifyCookie.parse(request.headers.cookie)[DEVICE_COOKIE] : undefined);
  return isToken(token) ? token : undefined;
}

/** The id of the request's device when it is a live known device of `userId`, else null. */
export async function knownDeviceOf(db: Db, request: FastifyRequest, userId: number, now = new Date()): Promise<string | null> {
  const token = deviceTokenOf(request);
  if (token === undefined) return null;
  const id = hashToken(token);
  const row = await db.loginDevice.findFirst({ where: { id, userId, expiresAt: { gt: now } }, select: { id: true } });
  return row ? id : null;
}

/**
 * After a login: the request's device is known for `userId` from now on (another
 * DEVICE_TTL_MS). A device known for this user keeps its token; otherwise a new one is
 * made (a browser shared by two players is known for the last one who logged in).
 */
export async function rememberDevice(db: Db, request: FastifyRequest, reply: FastifyReply, userId: number, policy: CookiePolicy, known: string | null, now = new Date()): Promise<void> {
  const expiresAt = new Date(now.getTime() + DEVICE_TTL_MS);
  const token = known !== null ? deviceTokenOf(request)! : newToken();
  if (known !== null) await db.loginDevice.updateMany({ where: { id: known, userId }, data: { expiresAt } });
  else {
    await db.loginDevice.create({ data: { id: hashToken(token), userId, expiresAt } });
    // Housekeeping while we are here: this user's devices not seen for DEVICE_TTL_MS.
    await db.loginDevice.deleteMany({ where: { userId, expiresAt: { lt: now } } });
  }
  reply.setCookie(DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: DEVICE_COOKIE_PATH,
    secure: policy.secureAlways || request.protocol === 'https',
    expires: expiresAt,
  });
}

/** Forgets a user's devices, all but `keepId` (a password change keeps the browser that made it). */
export async function forgetDevices(db: Db | Prisma.TransactionClient, userId: number, keepId = ''): Promise<void> {
  await db.loginDevice.deleteMany({ where: { userId, id: { not: keepId } } });
}
