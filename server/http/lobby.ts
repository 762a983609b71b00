import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireAdmin, requireUser, userOf } from './guards';
import { bindingReturn, buyInRange, chipsSeated, lastSeatAt, shortBankrollAmount, shortBankrollMin } from '../ledger/transactions';
import { walletBalance } from './wallet';
import { RUN_OUT_STREET_MS_MAX, SHOWDOWN_HOLD_MS_MAX, hasBidiControl, hasControlCharacter, hasInvisibleFormat } from '../protocol';
import type { CreateTableInput, RegistryResult } from '../tables/registry-api';
import { timingRangeMessage, type TableTimingInput } from '../tables/settings';
import type { HttpDeps } from './deps';
import { BODY_BYTES_MAX, dbText, parseOrReply, registerScoped, sendError } from './errors';

// The public lobby, and the admin's table creation and closing. The HTTP layer
// asks the table registry; it never touches table actors itself.

export const TABLE_NAME_LENGTH_MAX = 64;
export const TABLE_SEATS_MIN = 2;
export const TABLE_SEATS_MAX = 10;
export const ACTION_TIMEOUT_MS_MIN = 5_000;
export const ACTION_TIMEOUT_MS_MAX = 300_000;
export const RAKE_BPS_MAX = 10_000;

const chips = z.number().int().max(Number.MAX_SAFE_INTEGER);

/** A table's own showdown hold or run-out pace: whole milliseconds up to `max`; null or absent: the server's setting. */
function timingMs(field: keyof TableTimingInput, max: number) {
  const error = timingRangeMessage(field);
  return z.number({ error }).int({ error }).min(0, { error }).max(max, { error }).nullable().optional();
}

export const createTableSchema = z
  .strictObject({
    // One line, as it is printed in every hand history (a newline would split its header).
    name: dbText(z.string().trim().min(1).max(TABLE_NAME_LENGTH_MAX))
      .refine((name) => !hasControlCharacter(name), { message: 'must not contain control characters (newline, tab, ...)' })
      .refine((name) => !hasBidiControl(name), { message: 'must not contain bidirectional override characters' })
      .refine((name) => !hasInvisibleFormat(name), { message: 'must not contain invisible characters (zero-width space, direction marks, ...)' })
      // A no-break or wide space reads as a space: 'Main 1/2' twice (audit 7).
      .refine((name) => !/(?! )\p{Zs}/u.test(name), { message: 'spaces must be ordinary spaces (no no-break or wide space)' }),
    variant: z.enum(['NLHE', 'PLO']),
    maxSeats: z.number().int().min(TABLE_SEATS_MIN).max(TABLE_SEATS_MAX),
    smallBlind: chips.positive(),
    bigBlind: chips.positive(),
    ante: chips.nonnegative().optional(),
    minBuyIn: chips.positive(),
    maxBuyIn: chips.positive(),
    actionTimeoutMs: z.number().int().min(ACTION_TIMEOUT_MS_MIN).max(ACTION_TIMEOUT_MS_MAX).optional(),
    rakeBps: z.number().int().min(0).max(RAKE_BPS_MAX).optional(),
    rakeCap: chips.nonnegative().optional(),
    showdownHoldMs: timingMs('showdownHoldMs', SHOWDOWN_HOLD_MS_MAX),
    runOutStreetMs: timingMs('runOutStreetMs', RUN_OUT_STREET_MS_MAX),
  })
  .refine((t) => t.bigBlind >= t.smallBlind, { message: 'bigBlind must be at least smallBlind', path: ['bigBlind'] })
  // A stack of the minimum buy-in pays a hand's ante and big blind and is not all in by them.
  .refine((t) => t.minBuyIn > t.bigBlind + (t.ante ?? 0), { message: 'minBuyIn must be more than bigBlind + ante', path: ['minBuyIn'] })
  .refine((t) => t.maxBuyIn >= t.minBuyIn, { message: 'maxBuyIn must be at least minBuyIn', path: ['maxBuyIn'] });

// Any run of digits is an id (a long one names no table: 404 below), never 0 or a leading 0.
const tableIdParams = z.strictObject({ id: z.string().regex(/^[1-9]\d*$/).transform(Number) });
/** Table ids are PostgreSQL integers: a larger one names no table (404), and must not reach a query. */
const TABLE_ID_MAX = 2_147_483_647;

/** now: void the live hand and cash everyone out at once, instead of at the end of the hand. */
const closeTableSchema = z.strictObject({ now: z.boolean().optional() });

const REGISTRY_STATUS = { 'table/not_found': 404, 'table/closed': 409, 'table/unavailable': 503, 'request/invalid': 400 } as const;

function sendRegistryError(reply: FastifyReply, result: Extract<RegistryResult<unknown>, { ok: false }>) {
  return sendError(reply, REGISTRY_STATUS[result.error.code], result.error.code, result.error.message);
}

export function registerLobbyRoutes(app: FastifyInstance, deps: HttpDeps): void {
  registerScoped(app, deps, (scope) => {
    scope.get('/api/tables', async () => ({ ok: true, tables: deps.registry.listLobby() }));
    scope.get('/api/tables/:id/buy-in', { preHandler: requireUser(deps.db) }, (request, reply) => buyInFor(deps, request, reply));
    const admin = { preHandler: requireAdmin(deps.db), bodyLimit: BODY_BYTES_MAX };
    scope.post('/api/admin/tables', admin, (request, reply) => createTable(deps, request, reply));
    scope.post('/api/admin/tables/:id/close', admin, (request, reply) => closeTable(deps, request, reply));
  });
}

async function createTable(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, createTableSchema, request.body);
  if (!body) return reply;
  const adminUserId = userOf(request).userId;
  const input: CreateTableInput & TableTimingInput = body;
  // Audited (table.create) in the transaction that creates it.
  const result = await deps.registry.createTable(input, adminUserId);
  if (!result.ok) return sendRegistryError(reply, result);
  deps.log.info({ adminUserId, tableId: result.value.id }, 'table created');
  return reply.code(201).send({ ok: true, table: result.value });
}

async function closeTable(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, tableIdParams, request.params);
  if (!params) return reply;
  if (params.id > TABLE_ID_MAX) return sendError(reply, 404, 'table/not_found');
  const body = parseOrReply(reply, closeTableSchema, request.body ?? {});
  if (!body) return reply;
  const adminUserId = userOf(request).userId;
  const now = body.now ?? false;
  // Audited (table.close) in the transaction that records the request, by the table's owner.
  const result = await deps.registry.closeTable(params.id, adminUserId, { now });
  if (!result.ok) return sendRegistryError(reply, result);
  deps.log.info({ adminUserId, tableId: params.id, now, pending: result.value.pending }, 'table closing');
  // pending: the table finishes its current hand first; every seat is cashed out, then it is CLOSED.
  return { ok: true, tableId: params.id, pending: result.value.pending };
}

/**
 * The buy-in range of this table for the caller (decision 036): the table's, or, within two
 * hours of leaving it, at least what their last seat there left with. What the sit dialog
 * shows before the player chooses; the buy-in itself checks again in its transaction.
 */
async function buyInFor(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, tableIdParams, request.params);
  if (!params) return reply;
  if (params.id > TABLE_ID_MAX) return sendError(reply, 404, 'table/not_found');
  const table = await deps.db.pokerTable.findUnique({ where: { id: params.id }, select: { status: true, minBuyIn: true, maxBuyIn: true } });
  if (!table) return sendError(reply, 404, 'table/not_found');
  if (table.status !== 'OPEN') return sendError(reply, 409, 'table/closed');
  const { userId } = userOf(request);
  const back = bindingReturn(await lastSeatAt(deps.db, userId, params.id), table.minBuyIn);
  const { min, max } = buyInRange({ min_buy_in: table.minBuyIn, max_buy_in: table.maxBuyIn }, back);
  if (back === null) return { ok: true, tableId: params.id, min: Number(min), max: Number(max), returning: null };
  // The exception the buy-in would grant now (the ledger's own rule).
  const [wallet, seated] = await Promise.all([walletBalance(deps.db, userId), chipsSeated(deps.db, userId)]);
  const shortBankroll = shortBankrollAmount(back, table.minBuyIn, wallet, seated);
  return {
    ok: true, tableId: params.id, min: Number(min), max: Number(max),
    returning: {
      leftWith: Number(back.leftWith), leftAt: back.leftAt.toISOString(), until: back.until.toISOString(),
      shortBankrollMin: Number(shortBankrollMin(back.leftWith)), shortBankroll: shortBankroll === null ? null : Number(shortBankroll),
    },
  };
}
