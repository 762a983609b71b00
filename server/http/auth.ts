import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { verifyAgainstDummy, verifyPassword } from '../auth/passwords';
import { createAuthLimiters, type AuthLimiters, type AuthRateLimits, type RateDecision } from '../auth/rate-limit';
import type { RedisClient } from '../cluster/bus';
import type { SharedLimiter } from '../cluster/shared-limiter';
import { knownDeviceOf, rememberDevice } from '../auth/devices';
import { clearSessionCookie, cookiePolicyFromEnv, createLoginSession, createSession, deleteSession, hashToken, sessionTokenOf, setSessionCookie, type CookiePolicy } from '../auth/sessions';
import { requireUser, userOf } from './guards';
import {
  USERNAME_PATTERN,
  readsAsBotUsername,
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
// be brute-forced from many addresses, or, from a browser that logged in as
// that user before, the device's own budget (decision 031), so failures from
// elsewhere cannot lock the user out of it. Logging out closes the sockets of that
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

/** The failures an attempt spends: a known device's own (decision 031), or the username's, shared by every other browser. */
interface FailureBudget {
  limiter: SharedLimiter;
  key: string;
}

function failureBudget(limiters: AuthLimiters, usernameKey: string, device: string | null): FailureBudget {
  return device === null ? { limiter: limiters.failuresByUsername, key: usernameKey } : { limiter: limiters.failuresByDevice, key: device };
}

/**
 * The IP's attempt is spent first (before any database read); then `user` is looked up and
 * the failure budget is only looked at (failures spend it), with the device the request comes
 * from known or not for that user (a user that does not exist has no known device). A
 * decision, not a reply: a FastifyReply is thenable, so an async function returning one would
 * resolve to what the reply resolves to.
 */
async function attemptDecision<U extends { id: number }>(deps: HttpDeps, limiters: AuthLimiters, request: FastifyRequest, usernameKey: string, user: () => Promise<U | null>): Promise<{ decision: RateDecision; budget: FailureBudget; device: string | null; user: U | null }> {
  const byIp = await limiters.byIp.take(request.ip);
  if (!byIp.ok) return { decision: byIp, budget: failureBudget(limiters, usernameKey, null), device: null, user: null };
  const found = await user();
  const device = found === null ? null : await knownDeviceOf(deps.db, request, found.id);
  const budget = failureBudget(limiters, usernameKey, device);
  return { decision: await budget.limiter.check(budget.key), budget, device, user: found };
}

/** The session cookie, and the device cookie: this browser is known for the user from now on. */
async function logIn(deps: HttpDeps, policy: CookiePolicy, request: FastifyRequest, reply: FastifyReply, user: PublicUser, device: string | null, verifiedHash?: string) {
  const session = verifiedHash === undefined ? await createSession(deps.db, user.id) : await createLoginSession(deps.db, user.id, verifiedHash);
  // The password changed while it was being checked: it is not the password any more.
  if (!session) return sendError(reply, 401, 'auth/invalid_credentials');
  setSessionCookie(request, reply, session.token, session.expiresAt, policy);
  await rememberDevice(deps.db, request, reply, user.id, policy, device);
  return { ok: true, user: publicUser(user) };
}

async function signup(deps: HttpDeps, limiters: AuthLimiters, policy: CookiePolicy, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, credentialsSchema, request.body);
  if (!body) return reply;
  const tooMany = limited(reply, await limiters.byIp.take(request.ip));
  if (tooMany) return tooMany;
  if (!USERNAME_PATTERN.test(body.username)) return sendError(reply, 400, 'auth/invalid_username');
  if (readsAsBotUsername(body.username)) return sendError(reply, 400, 'auth/invalid_username', 'Names beginning with "bot_" (or reading like it) are kept for the load-test bots.');
  const weak = passwordProblem(body.password);
  if (weak) return sendError(reply, 400, 'auth/weak_password', weak);
  const created = await createUser(deps.db, { username: body.username, password: body.password });
  if (!created.ok) return sendError(reply, 409, created.code);
  deps.log.info({ userId: created.user.id }, 'user signed up');
  return logIn(deps, policy, request, reply, created.user, null);
}

async function login(deps: HttpDeps, limiters: AuthLimiters, policy: CookiePolicy, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, credentialsSchema, request.body);
  if (!body) return reply;
  const { decision, budget, device, user } = await attemptDecision(deps, limiters, request, normalizeUsername(body.username), async () =>
    (USERNAME_PATTERN.test(body.username) ? findUserByUsername(deps.db, body.username) : null));
  const tooMany = limited(reply, decision);
  if (tooMany) return tooMany;
  const valid = user ? await verifyPassword(user.passwordHash, body.password) : await verifyAgainstDummy(body.password);
  if (!user || !valid) {
    await budget.limiter.take(budget.key);
    return sendError(reply, 401, 'auth/invalid_credentials');
  }
  // A known device's success does not refill the username's budget: that one is everyone's.
  if (device === null) await budget.limiter.reset(budget.key);
  return logIn(deps, policy, request, reply, user, device, user.passwordHash);
}

async function changePassword(deps: HttpDeps, limiters: AuthLimiters, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, passwordChangeSchema, request.body);
  if (!body) return reply;
  const user = userOf(request);
  const { decision, budget, device } = await attemptDecision(deps, limiters, request, normalizeUsername(user.username), async () => ({ id: user.userId }));
  const tooMany = limited(reply, decision);
  if (tooMany) return tooMany;
  const hash = await passwordHashOf(deps.db, user.userId);
  if (!hash || !(await verifyPassword(hash, body.currentPassword))) {
    await budget.limiter.take(budget.key);
    return sendError(reply, 401, 'auth/invalid_credentials', 'The current password is wrong.');
  }
  const weak = passwordProblem(body.newPassword);
  if (weak) return sendError(reply, 400, 'auth/weak_password', weak);
  const token = sessionTokenOf(request);
  const keepSessionId = token ? hashToken(token) : '';
  if (!(await replacePassword(deps.db, { userId: user.userId, verifiedHash: hash, newPassword: body.newPassword, keepSessionId, keepDeviceId: device ?? '' }))) {
    return sendError(reply, 401, 'auth/required', 'Your session or your password changed meanwhile; log in again.');
  }
  deps.notifier.disconnectUser(user.userId);
  deps.log.info({ userId: user.userId }, 'password changed; other sessions ended, other devices forgotten');
  return { ok: true };
}
