import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { verifyAgainstDummy, verifyPassword } from '../auth/passwords';
import { createAuthLimiters, type AuthLimiters, type AuthRateLimits, type RateDecision } from '../auth/rate-limit';
import type { RedisClient } from '../cluster/bus';
import { clearSessionCookie, cookiePolicyFromEnv, createLoginSession, createSession, deleteSession, hashToken, sessionTokenOf, setSessionCookie, type CookiePolicy } from '../auth/sessions';
import { requireUser, userOf } from './guards';
import {
  USERNAME_PATTERN,
  isBotUsername,
  createUser,
  findUserByUsername,
  normalizeUsername,
  passwordHashOf,
  publicUser,
  replacePassword,
  type PublicUser,
} from '../auth/users';
import { passwordProblem } from '../auth/passwords';
import type { HttpDeps } from './deps';
import { BODY_BYTES_MAX, parseOrReply, registerScoped, sendError, sendRateLimited } from './errors';

// POST /api/auth/signup, /login, /logout, /password and GET /api/auth/me.
// Sign-up and login share a per-IP attempt budget; failed logins (and wrong
// current passwords) also spend a per-username budget, so one account cannot
// be brute-forced from many addresses. Logging out closes the sockets of that
// session; changing the password ends every other session and closes all the
// user's sockets.

// Shape first (unknown keys, types); the username and password rules are
// checked after, so they get their own codes.
const credentialsSchema = z.strictObject({ username: z.string().max(256), password: z.string().max(4_096) });
const passwordChangeSchema = z.strictObject({ currentPassword: z.string().max(4_096), newPassword: z.string().max(4_096) });

export interface AuthRouteOptions {
  limits?: AuthRateLimits;
  /** Injected by tests to share or inspect the buckets. */
  limiters?: AuthLimiters;
  /** The cluster's Redis client, so that every node counts in one budget; null or absent: per process. */
  redis?: RedisClient | null;
  cookiePolicy?: CookiePolicy;
}

export function registerAuthRoutes(app: FastifyInstance, deps: HttpDeps, options: AuthRouteOptions = {}): void {
  const limiters = options.limiters ?? createAuthLimiters(options.limits, { redis: options.redis ?? null, log: deps.log });
  const policy = options.cookiePolicy ?? cookiePolicyFromEnv();
  registerScoped(app, deps, (scope) => {
    scope.post('/api/auth/signup', { bodyLimit: BODY_BYTES_MAX }, (request, reply) => signup(deps, limiters, policy, request, reply));
    scope.post('/api/auth/login', { bodyLimit: BODY_BYTES_MAX }, (request, reply) => login(deps, limiters, policy, request, reply));
    scope.post('/api/auth/logout', { bodyLimit: BODY_BYTES_MAX }, async (request, reply) => {
      const token = sessionTokenOf(request);
      await deleteSession(deps.db, token);
      if (token) deps.notifier.disconnectSession(hashToken(token));
      clearSessionCookie(request, reply, policy);
      return { ok: true };
    });
    scope.post('/api/auth/password', { preHandler: requireUser(deps.db), bodyLimit: BODY_BYTES_MAX }, (request, reply) =>
      changePassword(deps, limiters, request, reply));
    scope.get('/api/auth/me', { preHandler: requireUser(deps.db) }, async (request) => {
      const user = userOf(request);
      return { ok: true, user: { id: user.userId, username: user.username, role: user.role } };
    });
  });
}

function limited(reply: FastifyReply, decision: RateDecision): FastifyReply | null {
  if (decision.ok) return null;
  return sendRateLimited(reply, decision.retryAfterMs);
}

/**
 * The IP's attempt is spent first; the username's failures are only looked at
 * (failures spend them). A decision, not a reply: a FastifyReply is thenable,
 * so an async function returning one would resolve to what the reply resolves to.
 */
async function attemptDecision(limiters: AuthLimiters, ip: string, usernameKey: string): Promise<RateDecision> {
  const byIp = await limiters.byIp.take(ip);
  return byIp.ok ? limiters.failuresByUsername.check(usernameKey) : byIp;
}

async function logIn(deps: HttpDeps, policy: CookiePolicy, request: FastifyRequest, reply: FastifyReply, user: PublicUser, verifiedHash?: string) {
  const session = verifiedHash === undefined ? await createSession(deps.db, user.id) : await createLoginSession(deps.db, user.id, verifiedHash);
  // The password changed while it was being checked: it is not the password any more.
  if (!session) return sendError(reply, 401, 'auth/invalid_credentials');
  setSessionCookie(request, reply, session.token, session.expiresAt, policy);
  return { ok: true, user: publicUser(user) };
}

async function signup(deps: HttpDeps, limiters: AuthLimiters, policy: CookiePolicy, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, credentialsSchema, request.body);
  if (!body) return reply;
  const tooMany = limited(reply, await limiters.byIp.take(request.ip));
  if (tooMany) return tooMany;
  if (!USERNAME_PATTERN.test(body.username)) return sendError(reply, 400, 'auth/invalid_username');
  if (isBotUsername(body.username)) return sendError(reply, 400, 'auth/invalid_username', 'Names beginning with "bot_" are kept for the load-test bots.');
  const weak = passwordProblem(body.password);
  if (weak) return sendError(reply, 400, 'auth/weak_password', weak);
  const created = await createUser(deps.db, { username: body.username, password: body.password });
  if (!created.ok) return sendError(reply, 409, created.code);
  deps.log.info({ userId: created.user.id }, 'user signed up');
  return logIn(deps, policy, request, reply, created.user);
}

async function login(deps: HttpDeps, limiters: AuthLimiters, policy: CookiePolicy, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, credentialsSchema, request.body);
  if (!body) return reply;
  const usernameKey = normalizeUsername(body.username);
  const tooMany = limited(reply, await attemptDecision(limiters, request.ip, usernameKey));
  if (tooMany) return tooMany;
  const user = USERNAME_PATTERN.test(body.username) ? await findUserByUsername(deps.db, body.username) : null;
  const valid = user ? await verifyPassword(user.passwordHash, body.password) : await verifyAgainstDummy(body.password);
  if (!user || !valid) {
    await limiters.failuresByUsername.take(usernameKey);
    return sendError(reply, 401, 'auth/invalid_credentials');
  }
  await limiters.failuresByUsername.reset(usernameKey);
  return logIn(deps, policy, request, reply, user, user.passwordHash);
}

async function changePassword(deps: HttpDeps, limiters: AuthLimiters, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, passwordChangeSchema, request.body);
  if (!body) return reply;
  const user = userOf(request);
  const usernameKey = normalizeUsername(user.username);
  const tooMany = limited(reply, await attemptDecision(limiters, request.ip, usernameKey));
  if (tooMany) return tooMany;
  const hash = await passwordHashOf(deps.db, user.userId);
  if (!hash || !(await verifyPassword(hash, body.currentPassword))) {
    await limiters.failuresByUsername.take(usernameKey);
    return sendError(reply, 401, 'auth/invalid_credentials', 'The current password is wrong.');
  }
  const weak = passwordProblem(body.newPassword);
  if (weak) return sendError(reply, 400, 'auth/weak_password', weak);
  const token = sessionTokenOf(request);
  const keepSessionId = token ? hashToken(token) : '';
  if (!(await replacePassword(deps.db, { userId: user.userId, verifiedHash: hash, newPassword: body.newPassword, keepSessionId }))) {
    return sendError(reply, 401, 'auth/required', 'Your session or your password changed meanwhile; log in again.');
  }
  deps.notifier.disconnectUser(user.userId);
  deps.log.info({ userId: user.userId }, 'password changed; other sessions ended');
  return { ok: true };
}
