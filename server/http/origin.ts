import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors';

// Cross-site request forgery and cross-site WebSocket hijacking: a page on
// another site can make the browser send the player's cookie with a POST or a
// WebSocket handshake. Browsers say where such a request comes from (Origin,
// and Sec-Fetch-Site), so the server refuses any state-changing request and
// any socket handshake whose origin is neither its own nor configured.
// A request with no Origin is not from another site's page (curl, bots, the
// tests), unless Sec-Fetch-Site says it is cross-site.

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function originAllowed(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) return headers['sec-fetch-site'] !== 'cross-site';
  if (allowedOrigins.includes(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
  // Same origin: the page was served by this host (the scheme may differ behind a TLS proxy).
  // Host names are case-insensitive: the URL parser lowercases the Origin's, so the Host header is too.
  return host.length > 0 && host === headers.host?.toLowerCase();
}

/** One hook for every state-changing route: 403 auth/forbidden from a foreign origin. */
export function registerOriginCheck(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!STATE_CHANGING.has(request.method) || originAllowed(request.headers, allowedOrigins)) return;
    return sendError(reply, 403, 'auth/forbidden', 'Requests from another origin are not allowed (see ALLOWED_ORIGINS).');
  });
}
