import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { idempotencyKey } from '../protocol/messages';
import { hasControlCharacter, hasInvisibleFormat } from '../protocol/text';
import { requireAdmin, userOf } from './guards';
import type { Db } from '../db/client';
import { REASON_LENGTH_MAX } from '../ledger/transactions';
import type { HttpDeps } from './deps';
import { BODY_BYTES_MAX, dbText, isoDate, jsonNumber, pageQuery, parseOrReply, queryInt, registerScoped, sendLedgerError } from './errors';

// Admin only: chip adjustments (through the ledger's adjust, which writes its
// own audit row), the ledger browser, the reconcile report, users with their
// wallet balances, and the audit trail of admin actions.

const adjustmentSchema = z.strictObject({
  userId: z.number().int().positive().max(2_147_483_647),
  amount: z
    .number()
    .int()
    .min(-Number.MAX_SAFE_INTEGER)
    .max(Number.MAX_SAFE_INTEGER)
    .refine((n) => n !== 0, { message: 'amount must not be zero' }),
  // One line of text, as the player reads it in their wallet history.
  reason: dbText(z.string().trim().min(1).max(REASON_LENGTH_MAX))
    .refine((reason) => !hasControlCharacter(reason), { message: 'must not contain control characters (newline, tab, ...)' })
    .refine((reason) => !hasInvisibleFormat(reason), { message: 'must not contain direction overrides or invisible characters' }),
  idempotencyKey,
});

const TRANSFER_KINDS = ['BUY_CHIPS', 'BUY_IN', 'TOP_UP', 'CASH_OUT', 'SETTLE_HAND', 'ADJUST', 'WALLET_TRANSFER'] as const;

const ledgerQuery = pageQuery.extend({
  userId: queryInt(1, 2_147_483_647).optional(),
  accountCode: dbText(z.string().min(1).max(100)).optional(),
  /** The transfers of one table: buy-ins, top-ups, settlements, and cash-outs (reason `closed` for those an admin's close made). */
  tableId: queryInt(1, 2_147_483_647).optional(),
  kind: z.enum(TRANSFER_KINDS).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

const usersQuery = pageQuery.extend({ search: dbText(z.string().max(64)).optional() });
const actionsQuery = pageQuery.extend({
  adminUserId: queryInt(1, 2_147_483_647).optional(),
  action: dbText(z.string().max(64)).optional(),
});

export function registerAdminRoutes(app: FastifyInstance, deps: HttpDeps): void {
  registerScoped(app, deps, (scope) => {
    const admin = { preHandler: requireAdmin(deps.db) };
    scope.post('/api/admin/adjustments', { ...admin, bodyLimit: BODY_BYTES_MAX }, (request, reply) => adjust(deps, request, reply));
    scope.get('/api/admin/ledger', admin, async (request, reply) => {
      const query = parseOrReply(reply, ledgerQuery, request.query);
      if (!query) return reply;
      return { ok: true, ...(await browseLedger(deps.db, query)) };
    });
    scope.get('/api/admin/reconcile', admin, async () => ({ ok: true, report: await deps.ledger.reconcile() }));
    scope.get('/api/admin/users', admin, async (request, reply) => {
      const query = parseOrReply(reply, usersQuery, request.query);
      if (!query) return reply;
      return { ok: true, ...(await listUsers(deps.db, query)) };
    });
    scope.get('/api/admin/actions', admin, async (request, reply) => {
      const query = parseOrReply(reply, actionsQuery, request.query);
      if (!query) return reply;
      return { ok: true, ...(await listActions(deps.db, query)) };
    });
  });
}

async function adjust(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, adjustmentSchema, request.body);
  if (!body) return reply;
  const adminUserId = userOf(request).userId;
  const result = await deps.ledger.adjust({
    userId: body.userId,
    amount: BigInt(body.amount),
    reason: body.reason,
    adminUserId,
    idempotencyKey: body.idempotencyKey,
  });
  if (!result.ok) return sendLedgerError(reply, result.error);
  const { transferId, walletBalance, replayed } = result.value;
  // A replay answers with the first result; its balance is history, not news for the sockets.
  // The player hears of it, with the amount and the reason (the audit row's), wherever they are.
  if (!replayed) deps.notifier.walletChanged(body.userId, walletBalance, { amount: BigInt(body.amount), reason: body.reason.trim() });
  deps.log.info({ adminUserId, userId: body.userId, amount: body.amount, transferId: transferId.toString(), replayed }, 'chips adjusted');
  return { ok: true, transferId: transferId.toString(), balance: jsonNumber(walletBalance), replayed };
}

// ---- ledger browser ----------------------------------------------------------------

interface TransferRow {
  id: bigint;
  kind: string;
  actor_user_id: number | null;
  actor_username: string | null;
  reason: string | null;
  table_id: number | null;
  key_scope: 'CLIENT' | 'SERVER';
  idempotency_key: string;
  created_at: Date;
}

const TRANSFERS_SQL = `
  SELECT t.id, t.kind::text AS kind, t.actor_user_id, u.username AS actor_username, t.reason, t.table_id,
         t.key_scope::text AS key_scope, t.idempotency_key, t.created_at
    FROM ledger_transfers t LEFT JOIN users u ON u.id = t.actor_user_id
   WHERE ($1::bigint IS NULL OR t.id < $1::bigint)
     AND ($2::text IS NULL OR t.kind::text = $2::text)
     AND ($3::timestamptz IS NULL OR t.created_at >= $3::timestamptz)
     AND ($4::timestamptz IS NULL OR t.created_at < $4::timestamptz)
     AND ($5::int IS NULL OR EXISTS (
           SELECT 1 FROM ledger_entries e JOIN accounts a ON a.id = e.account_id
            WHERE e.transfer_id = t.id AND a.user_id = $5::int))
     AND ($6::text IS NULL OR EXISTS (
           SELECT 1 FROM ledger_entries e JOIN accounts a ON a.id = e.account_id
            WHERE e.transfer_id = t.id AND a.code = $6::text))
     AND ($7::int IS NULL OR t.table_id = $7::int)
   ORDER BY t.id DESC
   LIMIT $8`;

const ENTRIES_SQL = `
  SELECT e.transfer_id, a.code AS account_code, e.side::text AS side, e.amount
    FROM ledger_entries e JOIN accounts a ON a.id = e.account_id
   WHERE e.transfer_id = ANY($1::bigint[])
   ORDER BY e.id`;

export async function browseLedger(db: Db, query: z.infer<typeof ledgerQuery>) {
  const rows = await db.$queryRawUnsafe<TransferRow[]>(
    TRANSFERS_SQL,
    query.cursor?.toString() ?? null,
    query.kind ?? null,
    query.from ?? null,
    query.to ?? null,
    query.userId ?? null,
    query.accountCode ?? null,
    query.tableId ?? null,
    query.limit + 1,
  );
  const page = rows.slice(0, query.limit);
  const entries = page.length === 0 ? [] : await db.$queryRawUnsafe<{ transfer_id: bigint; account_code: string; side: string; amount: bigint }[]>(
    ENTRIES_SQL,
    page.map((r) => r.id.toString()),
  );
  const items = page.map((t) => ({
    transferId: t.id.toString(),
    kind: t.kind,
    actorUserId: t.actor_user_id,
    actorUsername: t.actor_username,
    reason: t.reason,
    tableId: t.table_id,
    /** CLIENT: a key the actor sent; SERVER: one the server made (a settlement, a cash-out). */
    keyScope: t.key_scope,
    idempotencyKey: t.idempotency_key,
    createdAt: t.created_at.toISOString(),
    entries: entries
      .filter((e) => e.transfer_id === t.id)
      .map((e) => ({ accountCode: e.account_code, side: e.side, amount: jsonNumber(e.amount) })),
  }));
  const nextCursor = rows.length > query.limit ? items[items.length - 1]!.transferId : null;
  return { items, nextCursor };
}

// ---- users and the audit trail -------------------------------------------------------

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listUsers(db: Db, query: z.infer<typeof usersQuery>) {
  const rows = await db.$queryRawUnsafe<{ id: number; username: string; role: string; is_bot: boolean; created_at: Date; wallet_balance: bigint }[]>(
    `SELECT u.id, u.username, u.role::text AS role, u.is_bot, u.created_at, COALESCE(a.balance, 0)::bigint AS wallet_balance
       FROM users u LEFT JOIN accounts a ON a.code = 'wallet:' || u.id
      WHERE ($1::text IS NULL OR u.username ILIKE $1::text ESCAPE '\\')
        AND ($2::bigint IS NULL OR u.id < $2::bigint)
      ORDER BY u.id DESC
      LIMIT $3`,
    query.search ? likePattern(query.search) : null,
    // As a bigint, as idParam made it: a cursor past the int ids is a page from the top, not a 500.
    query.cursor === undefined ? null : query.cursor.toString(),
    query.limit + 1,
  );
  const items = rows.slice(0, query.limit).map((u) => ({
    id: u.id,
    username: u.username,
    role: u.role,
    isBot: u.is_bot,
    createdAt: u.created_at.toISOString(),
    walletBalance: jsonNumber(u.wallet_balance),
  }));
  const nextCursor = rows.length > query.limit ? String(items[items.length - 1]!.id) : null;
  return { items, nextCursor };
}

export async function listActions(db: Db, query: z.infer<typeof actionsQuery>) {
  const rows = await db.adminAction.findMany({
    where: {
      ...(query.cursor === undefined ? {} : { id: { lt: query.cursor } }),
      ...(query.adminUserId === undefined ? {} : { adminUserId: query.adminUserId }),
      ...(query.action === undefined ? {} : { action: query.action }),
    },
    include: { admin: { select: { username: true } } },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
  });
  const items = rows.slice(0, query.limit).map((a) => ({
    id: a.id.toString(),
    adminUserId: a.adminUserId,
    adminUsername: a.admin.username,
    action: a.action,
    targetType: a.targetType,
    targetId: a.targetId,
    details: a.details,
    createdAt: a.createdAt.toISOString(),
  }));
  const nextCursor = rows.length > query.limit ? items[items.length - 1]!.id : null;
  return { items, nextCursor };
}
