import { createHash, randomBytes } from 'node:crypto';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import type { Role } from '../db/generated/enums';

// Login sessions. The cookie holds a random 32-byte token; the database holds
// only its SHA-256 (sessions.id), so a leaked sessions table logs nobody in.
// The same cookie authenticates HTTP requests and the Socket.IO handshake.

export const SESSION_COOKIE = 'poker_sid';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** A session is extended (sliding expiry) when less than this much of it is left. */
export const SESSION_RENEW_BELOW_MS = SESSION_TTL_MS - 24 * 60 * 60 * 1000;
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SessionUser {
  userId: number;
  username: string;
  role: Role;
  isBot: boolean;
}

/** A new random token for a cookie (32 bytes, base64url): sessions and known devices. */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether a cookie's value has the shape of a token we make (anything else is looked up nowhere). */
export function isToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_PATTERN.test(token);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: Db, userId: number, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.session.create({ data: { id: hashToken(token), userId, expiresAt } });
  await deleteExpired(db, userId, now);
  return { token, expiresAt };
}

/**
 * A login's session: created only while `verifiedHash`, the hash the password was checked
 * against, is still the user's. The user row is read FOR SHARE, so a password change either
 * commits first (then nothing is created: null) or waits for this session and then ends it
 * with the others (replacePassword). Without the check, a login with the old password that
 * raced a change kept its session.
 */
export async function createLoginSession(db: Db, userId: number, verifiedHash: string, now = new Date()): Promise<{ token: string; expiresAt: Date } | null> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const created = await db.$executeRawUnsafe(
    `INSERT INTO sessions (id, user_id, expires_at)
     SELECT $1, u.id, $3::timestamptz FROM users u WHERE u.id = $2 AND u.password_hash = $4 FOR SHARE`,
    hashToken(token), userId, expiresAt, verifiedHash,
  );
  if (created === 0) return null;
  await deleteExpired(db, userId, now);
  return { token, expiresAt };
}

async function deleteExpired(db: Db, userId: number, now: Date): Promise<void> {
  // Housekeeping while we are here: this user's expired sessions.
  await db.session.deleteMany({ where: { userId, expiresAt: { lt: now } } });
}

interface SessionRow {
  user_id: number;
  username: string;
  role: Role;
  is_bot: boolean;
  expires_at: Date;
}

/** A live session (by its id, the token's SHA-256) with its user, or undefined. */
async function sessionRow(db: Db, sessionId: string): Promise<SessionRow | undefined> {
  const rows = await db.$queryRawUnsafe<SessionRow[]>(
    `SELECT u.id AS user_id, u.username, u.role::text AS role, u.is_bot, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.expires_at > now()`,
    sessionId,
  );
  return rows[0];
}

/** The user behind a session token, or null when it is unknown, expired or malformed. */
export async function resolveSession(db: Db, token: string | undefined | null): Promise<SessionUser | null> {
  if (!isToken(token)) return null;
  const id = hashToken(token);
  const row = await sessionRow(db, id);
  if (!row) return null;
  if (row.expires_at.getTime() - Date.now() < SESSION_RENEW_BELOW_MS) {
    await db.session.updateMany({ where: { id }, data: { expiresAt: new Date(Date.now() + SESSION_TTL_MS) } });
  }
  return { userId: row.user_id, username: row.username, role: row.role, isBot: row.is_bot };
}

/** For the Socket.IO handshake: the raw Cookie header of the upgrade request. */
export async function userFromCookieHeader(db: Db, cookieHeader: string | undefined): Promise<SessionUser | null> {
  if (!cookieHeader) return null;
  return resolveSession(db, sessionTokenFromCookieHeader(cookieHeader));
}

/** A socket's session: who, which session (its id), and when to look at it again (its expiry). */
export interface SocketSessionRow {
  userId: number;
  username: string;
  role: Role;
  sessionId: string;
  checkAt: number;
}

/** The session behind a socket handshake's Cookie header, or null. */
export async function socketSession(db: Db, cookieHeader: string | undefined): Promise<SocketSessionRow | null> {
  const token = sessionTokenFromCookieHeader(cookieHeader);
  if (!isToken(token)) return null;
  if (!(await resolveSession(db, token))) return null; // also slides the expiry
  return socketSessionById(db, hashToken(token));
}

/** The same session looked up again by its id (when it is due), or null once it is gone or expired. */
export async function socketSessionById(db: Db, sessionId: string): Promise<SocketSessionRow | null> {
  const row = await sessionRow(db, sessionId);
  return row ? { userId: row.user_id, username: row.username, role: row.role, sessionId, checkAt: row.expires_at.getTime() } : null;
}

export function sessionTokenFromCookieHeader(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  return fastifyCookie.parse(cookieHeader)[SESSION_COOKIE];
}

export async function deleteSession(db: Db, token: string | undefined): Promise<void> {
  if (!isToken(token)) return;
  await db.session.deleteMany({ where: { id: hashToken(token) } });
}

/** Logs a user out everywhere (password reset, promotion to admin). */
export async function deleteUserSessions(db: Db | Prisma.TransactionClient, userId: number): Promise<void> {
  await db.session.deleteMany({ where: { userId } });
}

// ---- cookies -----------------------------------------------------------------

export interface CookiePolicy {
  /** Always set Secure (COOKIE_SECURE=1), e.g. behind a TLS-terminating proxy without trustProxy. */
  secureAlways: boolean;
}

export function cookiePolicyFromEnv(env: Record<string, string | undefined> = process.env): CookiePolicy {
  return { secureAlways: env.COOKIE_SECURE === '1' || env.COOKIE_SECURE === 'true' };
}

function cookieOptions(request: FastifyRequest, policy: CookiePolicy) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    path: '/',
    secure: policy.secureAlways || request.protocol === 'https',
  };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date, policy: CookiePolicy): void {
  reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(request, policy), expires: expiresAt });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request, policy));
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return request.cookies?.[SESSION_COOKIE] ?? sessionTokenFromCookieHeader(request.headers.cookie);
}
