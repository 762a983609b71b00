import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { idempotencyKey } from '../protocol/messages';
import { requireUser, userOf } from './guards';
import type { Db } from '../db/client';
import { accountCodes } from '../ledger/transactions';
import { formatUsd, usdFromCents } from '../ledger/money';
import type { HttpDeps } from './deps';
import { BODY_BYTES_MAX, jsonNumber, pageQuery, parseOrReply, registerScoped, sendLedgerError, spendOrReply, type PageQuery } from './errors';
import { createSharedLimiter } from '../cluster/shared-limiter';
import type { RedisClient } from '../cluster/bus';

// The logged-in player's wallet: balance and open seats, buying chips (the
// ledger's buyChips, nothing else moves money here), and the wallet's history.

const buyChipsSchema = z.strictObject({
  amountCents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  idempotencyKey,
});

/**
 * Purchases per user: 5 a second, bursts of 100. Each one is a ledger transfer kept for ever,
 * and a user's wallet history and the reconcile read them all: one user made 204 a second
 * (black-box audit 4).
 */
export const PURCHASES = { tokensMax: 100, refillMs: 20_000 } as const;

/** `redis`: the cluster's client, so that a user's purchases on every node spend one budget; null: per process. */
export function registerWalletRoutes(app: FastifyInstance, deps: HttpDeps, redis: RedisClient | null = null): void {
  const purchases = createSharedLimiter({ name: 'purchases', ...PURCHASES, redis, now: Date.now, log: deps.log });
  registerScoped(app, deps, (scope) => {
    const auth = { preHandler: requireUser(deps.db) };
    scope.get('/api/wallet', auth, async (request) => {
      const { userId } = userOf(request);
      const [balance, seats] = await Promise.all([walletBalance(deps.db, userId), openSeats(deps.db, userId)]);
      // The purchase range, so the wallet page can say what it accepts before the buyer asks.
      const purchase = { minCents: deps.config.CHIP_PURCHASE_MIN_CENTS, maxCents: deps.config.CHIP_PURCHASE_MAX_CENTS, chipsPerUsd: deps.config.CHIPS_PER_USD };
      return { ok: true, balance: jsonNumber(balance), seats, purchase };
    });
    scope.post('/api/wallet/buy-chips', { ...auth, bodyLimit: BODY_BYTES_MAX }, async (request, reply) =>
      ((await spendOrReply(purchases, String(userOf(request).userId), reply)) ? buyChips(deps, request, reply) : reply));
    scope.get('/api/wallet/history', auth, async (request, reply) => {
      const page = parseOrReply(reply, pageQuery, request.query);
      if (!page) return reply;
      return { ok: true, ...(await walletHistory(deps.db, userOf(request).userId, page)) };
    });
  });
}

async function buyChips(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const body = parseOrReply(reply, buyChipsSchema, request.body);
  if (!body) return reply;
  const { userId } = userOf(request);
  const result = await deps.ledger.buyChips({ userId, amountCents: BigInt(body.amountCents), idempotencyKey: body.idempotencyKey });
  if (!result.ok) return sendLedgerError(reply, result.error);
  const { chips, amountCents, walletBalance, replayed } = result.value;
  // A replay answers with the first result; its balance is history, not news for the sockets.
  if (!replayed) deps.notifier.walletChanged(userId, walletBalance);
  return {
    ok: true,
    transferId: result.value.transferId.toString(),
    chips: jsonNumber(chips),
    amountCents: jsonNumber(amountCents),
    balance: jsonNumber(walletBalance),
    formatted: formatUsd(usdFromCents(amountCents)),
  };
}

/** 0 for a user whose wallet account was never created (no money moved yet). */
export async function walletBalance(db: Db, userId: number): Promise<bigint> {
  const account = await db.account.findUnique({ where: { code: accountCodes.wallet(userId) }, select: { balance: true } });
  return account?.balance ?? 0n;
}

async function openSeats(db: Db, userId: number) {
  const rows = await db.$queryRawUnsafe<{ table_id: number; seat_session_id: bigint; seat_index: number; stack: bigint }[]>(
    `SELECT ss.table_id, ss.id AS seat_session_id, ss.seat_index, a.balance AS stack
       FROM seat_sessions ss JOIN accounts a ON a.seat_session_id = ss.id
      WHERE ss.user_id = $1 AND ss.status = 'OPEN'
      ORDER BY ss.id`,
    userId,
  );
  return rows.map((r) => ({
    tableId: r.table_id,
    seatSessionId: r.seat_session_id.toString(),
    seatIndex: r.seat_index,
    stack: jsonNumber(r.stack),
  }));
}

interface HistoryRow {
  transfer_id: bigint;
  kind: string;
  delta: bigint;
  balance_after: bigint;
  reason: string | null;
  table_id: number | null;
  created_at: Date;
}

// One statement, so the balance and the entries come from one snapshot. The
// wallet row is locked before any transfer touching it draws its id, so per
// wallet transfer ids follow commit order and the running balance is exact.
// Cost: a scan of this wallet's entries per page (indexed by account).
const HISTORY_SQL = `
  WITH acc AS (SELECT id, balance FROM accounts WHERE code = $1),
  moves AS (
    SELECT e.transfer_id, CASE WHEN e.side = 'CREDIT' THEN e.amount ELSE -e.amount END AS delta
      FROM ledger_entries e JOIN acc ON e.account_id = acc.id
  ),
  running AS (
    SELECT transfer_id, delta,
           (SELECT balance FROM acc) - COALESCE(sum(delta) OVER (ORDER BY transfer_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS balance_after
      FROM moves
  )
  SELECT r.transfer_id, t.kind::text AS kind, r.delta, r.balance_after, t.reason, t.table_id, t.created_at
    FROM running r JOIN ledger_transfers t ON t.id = r.transfer_id
   WHERE $2::bigint IS NULL OR r.transfer_id < $2::bigint
   ORDER BY r.transfer_id DESC
   LIMIT $3`;

export async function walletHistory(db: Db, userId: number, page: PageQuery) {
  const rows = await db.$queryRawUnsafe<HistoryRow[]>(
    HISTORY_SQL,
    accountCodes.wallet(userId),
    page.cursor?.toString() ?? null,
    page.limit + 1,
  );
  const items = rows.slice(0, page.limit).map((r) => ({
    transferId: r.transfer_id.toString(),
    kind: r.kind,
    amount: jsonNumber(r.delta),
    balanceAfter: jsonNumber(r.balance_after),
    reason: r.reason,
    tableId: r.table_id,
    createdAt: r.created_at.toISOString(),
  }));
  const nextCursor = rows.length > page.limit ? items[items.length - 1]!.transferId : null;
  return { items, nextCursor };
}
