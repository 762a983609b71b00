import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { resolveSession, sessionTokenOf, type SessionUser } from '../auth/sessions';
import type { Db } from '../db/client';
import { sendError } from './errors';

// Route guards: the session behind a request's cookie, attached to the request
// for the route (userOf), or an HTTP refusal.

const requestUsers = new WeakMap<FastifyRequest, SessionUser>();

/** The session user attached by requireUser/requireAdmin/loadUser. */
export function userOf(request: FastifyRequest): SessionUser {
  const user = requestUsers.get(request);
  if (!user) throw new Error('userOf: route has no requireUser/requireAdmin preHandler');
  return user;
}

export function optionalUserOf(request: FastifyRequest): SessionUser | null {
  return requestUsers.get(request) ?? null;
}

/** Attaches the user when the request carries a valid session; never refuses. */
export function loadUser(db: Db): preHandlerAsyncHookHandler {
  return async (request) => {
    const user = await resolveSession(db, sessionTokenOf(request));
    if (user) requestUsers.set(request, user);
  };
}

/** 401 auth/required without a valid session. */
export function requireUser(db: Db): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const user = await resolveSession(db, sessionTokenOf(request));
    if (!user) return sendError(reply, 401, 'auth/required');
    requestUsers.set(request, user);
  };
}

/** 401 auth/required without a session, 403 auth/forbidden for a non-admin. */
export function requireAdmin(db: Db): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const user = await resolveSession(db, sessionTokenOf(request));
    if (!user) return sendError(reply, 401, 'auth/required');
    if (user.role !== 'ADMIN') return sendError(reply, 403, 'auth/forbidden');
    requestUsers.set(request, user);
  };
}
