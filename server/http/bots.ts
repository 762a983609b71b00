import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createSession, setSessionCookie, cookiePolicyFromEnv } from '../auth/sessions';
import { BOT_USERNAME_PREFIX, findUserByUsername, normalizeUsername } from '../auth/users';
import type { HttpDeps } from './deps';
import { parseOrReply, registerScoped, sendError } from './errors';

// Accounts for load-test bots. Disabled unless BOT_TOKEN is configured; the
// caller proves it knows the token (Authorization: Bearer <token>). A bot is
// an ordinary player flagged is_bot, created on first use, and gets an
// ordinary session: from then on it uses the public protocol like anyone.

/** Not an argon2 hash: password logins of bot accounts always fail. */
const BOT_PASSWORD_HASH = '!bot-account-no-password';

const botBody = z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/) });

export function registerBotRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const token = deps.config.BOT_TOKEN;
  const policy = cookiePolicyFromEnv();
  // In a scope of errors.ts: a malformed or non-JSON body is refused in the one error shape.
  registerScoped(app, deps, (scope) => scope.post('/api/bots/session', async (request, reply) => {
    if (!token) return sendError(reply, 404, 'request/invalid', 'Bot accounts are disabled (no BOT_TOKEN).');
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) return sendError(reply, 403, 'auth/forbidden');
    const body = parseOrReply(reply, botBody, request.body);
    if (!body) return reply;
    const username = normalizeUsername(`${BOT_USERNAME_PREFIX}${body.name}`);
    let user = await findUserByUsername(deps.db, username);
    if (!user) {
      // Bots never log in with a password: store no usable hash (argon2id at
      // 64 MiB per bot would make creating thousands of them take minutes).
      await deps.db.user.createMany({ data: [{ username, passwordHash: BOT_PASSWORD_HASH, isBot: true }], skipDuplicates: true });
      user = await findUserByUsername(deps.db, username);
    }
    if (!user || !user.isBot) return sendError(reply, 403, 'auth/forbidden', 'That name belongs to a person.');
    const session = await createSession(deps.db, user.id);
    setSessionCookie(request, reply, session.token, session.expiresAt, policy);
    return { ok: true, user: { id: user.id, username: user.username, role: user.role }, token: session.token };
  }));
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
