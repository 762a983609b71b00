import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { isTransientDbError } from '../ledger/db-helpers';
import type { LedgerError } from '../ledger/errors';
import { chipsForJson } from '../protocol/chips';
import { clientCode, errorAck, httpStatusOf, isErrorCode, type ErrorCode } from '../protocol/errors';
import { payloadErrorCode } from '../protocol/messages';
import { isWellFormedText } from '../protocol/text';
import type { SharedLimiter } from '../cluster/shared-limiter';
import type { HttpDeps } from './deps';
import { duplicateKey } from './json-keys';

// Every HTTP error body is { ok: false, error: { code, message } } with a code
// from server/protocol/errors.ts. Routes reply through sendError; each route
// group runs in its own Fastify scope whose error handler turns Fastify's own
// failures (malformed JSON, body too large) into that shape too, without
// touching routes that other files register.

/** Largest JSON body any of these routes accepts, in bytes. */
export const BODY_BYTES_MAX = 16_384;

const errorCodes = new WeakMap<FastifyReply, ErrorCode>();

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message?: string): FastifyReply {
  errorCodes.set(reply, code);
  return reply.code(status).send(errorAck(code, message));
}

/** A ledger failure, with the same code a socket would get and its one HTTP status (server/protocol/errors.ts). */
export function sendLedgerError(reply: FastifyReply, error: LedgerError): FastifyReply {
  if (!isErrorCode(error.code)) return sendError(reply, 400, 'request/invalid', error.message);
  const code = clientCode(error.code);
  return sendError(reply, httpStatusOf(code), code, code === error.code ? error.message : undefined);
}

/** Parses with a zod schema, or replies 400 request/invalid and returns undefined. */
export function parseOrReply<S extends z.ZodType>(reply: FastifyReply, schema: S, value: unknown): z.infer<S> | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  sendError(reply, 400, payloadErrorCode(issue), issue ? `${where}${issue.message}` : undefined);
  return undefined;
}

/** A bigint as a JSON number; chip amounts never exceed 2^53 - 1, so going past it is a bug. */
/** Chips in a JSON body: the one checked conversion (server/protocol/chips.ts). */
export const jsonNumber = chipsForJson;

function fastifyErrorCode(error: FastifyError): { status: number; code: ErrorCode } {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'request/too_large' };
  if (error.statusCode === 429) return { status: 429, code: 'rate/limited' };
  if (error.validation || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
    return { status: error.statusCode ?? 400, code: 'request/invalid' };
  }
  // The database went away under the request (a connection cut, a restart, a failover): nothing
  // was done, or what was is kept under the request's idempotency key. Try again (503).
  if (isTransientDbError(error)) return { status: 503, code: 'ledger/busy' };
  return { status: 500, code: 'internal' };
}

/** Fastify's own failures (malformed JSON, body too large, a route's throw) in the one error shape. */
function replyToError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, code } = fastifyErrorCode(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  if (status === 503) reply.header('Retry-After', '1');
  return sendError(reply, status, code, status >= 500 ? undefined : error.message);
}

/** The body of a path or method no route takes. */
function sendNotFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'request/invalid', 'Not found.');
}

/**
 * The whole app's answers outside the route scopes, in the same shape: a path or method no
 * route takes (404; `notFound` may answer some first, as the client's pages), an error of a
 * route registered outside a scope, and Fastify's own refusals before any route (a URL that
 * does not decode: `frameworkErrors`, passed to Fastify's constructor).
 */
export function registerAppErrors(app: FastifyInstance, notFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined): void {
  app.setErrorHandler(replyToError);
  app.setNotFoundHandler((request, reply) => notFound?.(request, reply) ?? sendNotFound(reply));
}

export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, 400, 'request/invalid', error.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid (a bad %-escape).' : error.message);
}

/** Whether every key and value of the URL's query string decodes (%-escapes of UTF-8, `+` for a space). */
export function queryDecodes(url: string): boolean {
  const start = url.indexOf('?');
  if (start < 0 || !url.includes('%', start)) return true;
  for (const part of url.slice(start + 1).split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers past Node's
 * --max-http-header-size, a request line or header that does not parse), answered in the
 * shape of every other error instead of Fastify's `{ error, message, statusCode }`; the
 * connection is closed after it (the parser cannot go on). Fastify's `clientErrorHandler`.
 */
export function clientErrors(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message]: [number, ErrorCode, string] = error.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'request/too_large', 'The request\'s headers are too large.']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request/invalid', 'The request took too long to arrive.']
      : [400, 'request/invalid', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ ok: false, error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Registers `body` in a child scope with this module's error handling and
 * error counting. Plugins registered on the parent before (the cookie parser)
 * are inherited.
 */
export function registerScoped(app: FastifyInstance, deps: HttpDeps, body: (scope: FastifyInstance) => void): void {
  app.register(async (scope) => {
    namePoisonedJson(scope);
    scope.addHook('onRequest', async (request, reply) => {
      // Fastify's query parser keeps a value it cannot decode as its literal %-text: a filter
      // would then search for other text than was sent. Refused, as a body that is not UTF-8 is.
      if (!queryDecodes(request.url)) {
        return sendError(reply, 400, 'request/invalid', 'The query string is not valid: a %-escape that is not UTF-8.');
      }
      if (hasBody(request.headers) && !isJsonType(request.headers['content-type'])) {
        return sendError(reply, 415, 'request/invalid', 'Send the body as JSON (Content-Type: application/json).');
      }
      if (hasBody(request.headers) && !isUtf8Charset(request.headers['content-type'])) {
        return sendError(reply, 415, 'request/invalid', 'Send the body as UTF-8 JSON (no charset, or charset=utf-8).');
      }
    });
    scope.setErrorHandler(replyToError);
    scope.addHook('onResponse', async (_request, reply) => {
      const code = errorCodes.get(reply);
      if (code) deps.metrics.errorsTotal.inc({ code });
    });
    body(scope);
  });
}

/**
 * Fastify's own JSON parser, which refuses a `__proto__` or `constructor.prototype` key (it
 * could poison an object's prototype later), but says "not valid JSON" for it: the refusal
 * stays, and its message names the key, since the body was valid JSON. A body that names one
 * key twice in an object is refused too (`duplicateKey`): JSON.parse keeps the last value, and
 * a proxy or log reading the first would see another request.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function namePoisonedJson(scope: FastifyInstance): void {
  const parse = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    // Bytes that are not UTF-8 are refused, not read as U+FFFD: text is never stored altered (audit 7).
    let body: string;
    try {
      body = UTF8.decode(raw as Buffer);
    } catch {
      const refused = new Error('body: not valid UTF-8') as FastifyError;
      refused.statusCode = 400;
      return done(refused, undefined);
    }
    void parse(request, body, (error, value) => {
      if (error && isJsonText(body)) {
        const named = new Error('body: a key named __proto__ or constructor.prototype is not allowed') as FastifyError;
        named.statusCode = 400;
        return done(named, undefined);
      }
      if (error) return done(error, undefined);
      const twice = duplicateKey(body);
      if (twice !== null) {
        const refused = new Error(`body: the key ${JSON.stringify(twice)} appears twice in one object`) as FastifyError;
        refused.statusCode = 400;
        return done(refused, undefined);
      }
      return done(null, value);
    });
  });
}

/**
 * Bodies are JSON only: a cross-site form can send text/plain, urlencoded or multipart
 * bodies without a preflight, never application/json (one of the three CSRF layers with
 * SameSite and the Origin check). Fastify would parse a text/plain body as a string, which
 * a schema then refuses, but nothing should get that far.
 */
function isJsonType(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * JSON is UTF-8 (RFC 8259 section 8.1). A body labelled with another charset (`utf-16`,
 * `latin1`) would be read as UTF-8 all the same, which is another text than the sender
 * meant: refused rather than read as something else. No charset, or `utf-8`, is fine.
 */
function isUtf8Charset(contentType: string | undefined): boolean {
  for (const param of (contentType ?? '').split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}

function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// ---- query parsing shared by the paged lists ------------------------------------

export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 20;

/** A bigint id from a query string. */
/** The largest id a PostgreSQL bigint holds: a larger one names no row and must not reach a query. */
export const ID_MAX = 9_223_372_036_854_775_807n;
export const idParam = z
  .string()
  .regex(/^[1-9]\d{0,18}$/)
  .transform((s) => BigInt(s))
  .refine((id) => id <= ID_MAX, { message: 'id out of range' });

/**
 * Spends one of `key`'s tokens; when there is none, answers 429 rate/limited with Retry-After
 * (whole seconds) and returns false.
 */
export async function spendOrReply(limiter: SharedLimiter, key: string, reply: FastifyReply): Promise<boolean> {
  const decision = await limiter.take(key);
  if (decision.ok) return true;
  sendRateLimited(reply, decision.retryAfterMs);
  return false;
}

/** The one 429 answer: `rate/limited`, with Retry-After in whole seconds (at least 1). */
export function sendRateLimited(reply: FastifyReply, retryAfterMs: number, message?: string): FastifyReply {
  reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return sendError(reply, 429, 'rate/limited', message);
}

/**
 * A whole number in a query string, in `min..max`, written as digits only: `1e2`, `0x10`,
 * ` 5`, `+5` or `5.0` are refused, not read as numbers.
 */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^(0|[1-9]\d{0,15})$/, { message: 'must be a whole number written in digits' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/**
 * ?cursor=<id of the last item of the previous page>&limit=1..100; newest first. Strict, as
 * bodies are: a mistyped filter (`?userid=5`) is refused, not read as "no filter".
 */
export const pageQuery = z.strictObject({
  cursor: idParam.optional(),
  limit: queryInt(1, PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
});

export type PageQuery = z.infer<typeof pageQuery>;

// ---- values PostgreSQL refuses, refused here first (400 request/invalid, not 500) --------

/**
 * Text that goes into a query or a row: PostgreSQL's text refuses the NUL character (22021),
 * and a lone surrogate has no UTF-8 form (the driver stores U+FFFD in its place in a text
 * column, and a jsonb value refuses it): both refused here.
 */
export function dbText<S extends z.ZodString>(schema: S) {
  return schema
    .refine((text) => !text.includes('\u0000'), { message: 'must not contain the NUL character' })
    .refine(isWellFormedText, { message: 'must be valid Unicode (a lone surrogate)' });
}

/**
 * An ISO date with its offset, for a timestamptz, passed on in UTC. PostgreSQL has no year
 * 0000 (1 BC), which the ISO format allows (22008), and takes offsets only up to ±15:59
 * where the format allows ±23:59 (22009): the instant must fall in the years 1 to 9999 (UTC),
 * and it goes to the database as `toISOString()`, without the sender's offset.
 */
const DATE_MIN_MS = Date.parse('0001-01-01T00:00:00Z');
const DATE_MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');
export const isoDate = z.iso
  .datetime({ offset: true })
  .refine((text) => Date.parse(text) >= DATE_MIN_MS && Date.parse(text) <= DATE_MAX_MS, { message: 'must fall in the years 1 to 9999 (UTC)' })
  .transform((text) => new Date(text).toISOString());
