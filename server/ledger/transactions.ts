import { createHash } from 'node:crypto';
import type { Db } from '../db/client';
import {
  DEFAULT_RETRY,
  transferCtes,
  lookup,
  lookupParams,
  inTransaction,
  lockAccounts,
  lookupAndLock,
  postTransfer,
  replayOrConflict,
  requestHash,
  transferParams,
  validKey,
  encodeResult,
  type RetryPolicy,
  type LockedAccount,
  type RetryStats,
  type StoredTransfer,
  type Tx,
} from './db-helpers';
import { fail, ok, type LedgerResult } from './errors';
import { scopeKey, serverKeys, type KeyInput, type ScopedKey, type ServerKey } from './keys';
import { quoteChips, usdCents, usdFromCents, usdText, type Usd } from './money';
import { codePointLength } from '../protocol/text';
import { reconcile, type ReconcileReport } from './reconcile';

// Every function that moves money lives in this file (the talk's
// banking/transactions.py), one per business operation, each one Prisma
// interactive transaction in the same order:
//   1. idempotency look-up   2. validation   3. ONE ordered lock of every balance
//   row touched (SELECT ... WHERE ... ORDER BY id FOR UPDATE)   4. checks   5. writes.
// The whole function is retried on serialization failures, deadlocks and lock
// time-outs. Nothing here does I/O other than the database.

export interface LedgerDeps {
  db: Db;
  /** Chips per whole USD. */
  chipsPerUsd: number;
  purchaseMinCents: bigint;
  purchaseMaxCents: bigint;
  /** The wall clock, epoch ms (time is an input): read only against a call's `commitBy`. */
  now: () => number;
  retry?: RetryPolicy;
  stats?: RetryStats;
}

export type WithTransfer<T> = T & { transferId: bigint; replayed: boolean };

/** Every balance is within ±BALANCE_MAX (2^53 - 1, a JSON number): the database's accounts_balance_range_check. */
const BALANCE_MAX = 9_007_199_254_740_991n;

export const accountCodes = {
  wallet: (userId: number) => `wallet:${userId}`,
  seat: (seatSessionId: bigint) => `seat:${seatSessionId}`,
  pot: (tableId: number) => `pot:${tableId}`,
  rake: (tableId: number) => `rake:${tableId}`,
  cashier: 'cashier',
  adjustments: 'adjustments',
} as const;

function run<T>(deps: LedgerDeps, body: (tx: Tx) => Promise<LedgerResult<T>>, commitBy?: number): Promise<LedgerResult<T>> {
  if (commitBy === undefined) return inTransaction(deps.db, deps.retry ?? DEFAULT_RETRY, body, deps.stats);
  // The caller's answer is no longer awaited after `commitBy`: its sender has answered
  // "nothing happened" by then, so nothing may commit later (decision 020, amended).
  if (deps.now() > commitBy) return Promise.resolve(fail('ledger/late'));
  return inTransaction(deps.db, deps.retry ?? DEFAULT_RETRY, async (tx) => {
    const result = await body(tx);
    return result.ok && deps.now() > commitBy ? fail('ledger/late') : result; // a failure rolls back
  }, deps.stats);
}

/**
 * For calls made on behalf of a request whose sender stops waiting at a deadline (a table
 * command forwarded by another node of a cluster): epoch ms, wall clock. Checked before the
 * transaction and just before its commit; past it the transaction rolls back and the call
 * answers `ledger/late` (nothing changed). Not part of the request's hash.
 */
export interface CommitBy {
  commitBy?: number;
}

function positive(amount: bigint): boolean {
  return typeof amount === 'bigint' && amount > 0n;
}

async function ensureWallet(tx: Tx, userId: number): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<{ found: boolean }[]>(
    `WITH u AS (SELECT id FROM users WHERE id = $1),
          ins AS (INSERT INTO accounts (kind, code, user_id)
                  SELECT 'WALLET', 'wallet:' || u.id, u.id FROM u
                  ON CONFLICT (code) DO NOTHING)
     SELECT EXISTS (SELECT 1 FROM u) AS found`,
    userId,
  );
  return rows[0]?.found === true;
}

// ---- buyChips -------------------------------------------------------------------

export interface BuyChipsInput {
  userId: number;
  /** USD in cents (minor units): never a float. */
  amountCents: bigint;
  currency?: string;
  idempotencyKey: string;
}

export interface BuyChipsResult {
  chips: bigint;
  amountCents: bigint;
  currency: 'USD';
  walletBalance: bigint;
  paymentRef: string;
}

/** A user buys chips with USD. The card payment is simulated and recorded. */
export function buyChips(deps: LedgerDeps, input: BuyChipsInput): Promise<LedgerResult<WithTransfer<BuyChipsResult>>> {
  // An invalid key was never stored (so it replays nothing), and it must not reach a query: a NUL fails there.
  if (!validKey(input.idempotencyKey)) return Promise.resolve(fail('idempotency/key_invalid'));
  const hash = requestHash('BUY_CHIPS', { ...input, idempotencyKey: undefined });
  return run(deps, async (tx) => {
    const key = scopeKey(input.idempotencyKey, input.userId);
    const replay = replayOrConflict<BuyChipsResult>(await lookup(tx, 'BUY_CHIPS', key), hash);
    if (replay) return replay;
    const quote = validatePurchase(deps, input);
    if (!quote.ok) return quote;
    if (!(await ensureWallet(tx, input.userId))) return fail('user/not_found');
    const walletCode = accountCodes.wallet(input.userId);
    const locked = await lockAccounts(tx, [walletCode, accountCodes.cashier]);
    const wallet = locked.get(walletCode)!;
    const cashier = locked.get(accountCodes.cashier)!;
    const chipAmount = quote.value.chips;
    const paymentRef = `sim_${createHash('sha256').update(`${input.userId}:${input.idempotencyKey}`).digest('hex').slice(0, 24)}`;
    const result: BuyChipsResult = {
      chips: chipAmount,
      amountCents: usdCents(quote.value.usd),
      currency: 'USD',
      walletBalance: wallet.balance + chipAmount,
      paymentRef,
    };
    const transferId = await postTransferWithPurchase(tx, {
      kind: 'BUY_CHIPS',
      key,
      hash,
      actorUserId: input.userId,
      reason: null,
      tableId: null,
      result,
      postings: [
        { accountId: cashier.id, delta: -chipAmount },
        { accountId: wallet.id, delta: chipAmount },
      ],
    }, { userId: input.userId, usd: quote.value.usd, chips: chipAmount, chipsPerUsd: deps.chipsPerUsd, paymentRef });
    return ok({ ...result, transferId, replayed: false });
  });
}

function validatePurchase(deps: LedgerDeps, input: BuyChipsInput): LedgerResult<{ usd: Usd; chips: bigint }> {
  if ((input.currency ?? 'USD') !== 'USD') return fail('purchase/currency_unsupported');
  if (!positive(input.amountCents)) return fail('amount/invalid');
  if (input.amountCents < deps.purchaseMinCents || input.amountCents > deps.purchaseMaxCents) {
    const refused = fail('purchase/out_of_range', {
      minCents: deps.purchaseMinCents.toString(),
      maxCents: deps.purchaseMaxCents.toString(),
    });
    // The message names this server's range, so the buyer knows what to ask for.
    refused.error.message = `Buy between ${usdText(deps.purchaseMinCents)} and ${usdText(deps.purchaseMaxCents)} at a time.`;
    return refused;
  }
  const quote = quoteChips(usdFromCents(input.amountCents), deps.chipsPerUsd);
  if (!quote.exact || quote.chips <= 0n) return fail('purchase/fractional_chips', { chipsPerUsd: deps.chipsPerUsd });
  return ok({ usd: quote.usd, chips: quote.chips });
}

async function postTransferWithPurchase(
  tx: Tx,
  write: Parameters<typeof postTransfer>[1],
  purchase: { userId: number; usd: Usd; chips: bigint; chipsPerUsd: number; paymentRef: string },
): Promise<bigint> {
  const rows = await tx.$queryRawUnsafe<{ id: bigint }[]>(
    `WITH ${transferCtes()},
       purchase AS (
         INSERT INTO chip_purchases (user_id, transfer_id, amount_minor, currency, chips, chips_per_unit, payment_ref)
         SELECT $12::int, tr.id, $13::bigint, 'USD', $14::bigint, $15::int, $16 FROM tr
       )
     SELECT tr.id FROM tr`,
    ...transferParams(write),
    purchase.userId,
    usdCents(purchase.usd).toString(),
    purchase.chips.toString(),
    purchase.chipsPerUsd,
    purchase.paymentRef,
  );
  return rows[0]!.id;
}

// ---- buyIn / topUp / cashOut ---------------------------------------------------------

export interface BuyInInput extends CommitBy {
  userId: number;
  tableId: number;
  seatIndex: number;
  amount: bigint;
  /** The client's key (a string, scoped to this user) or one the server made. */
  idempotencyKey: KeyInput;
  /** The table's owner epoch as the caller holds it: refused `table/not_owner` once another owner claimed the table. */
  ownerEpoch?: bigint;
}

export interface BuyInResult {
  seatSessionId: bigint;
  seatAccountId: bigint;
  stack: bigint;
  walletBalance: bigint;
}

interface TableRow {
  status: string | null;
  owner_epoch: bigint | null;
  min_buy_in: bigint | null;
  max_buy_in: bigint | null;
  max_seats: number | null;
}

/** Wallet to a new seat session at a table, within the table's buy-in limits. */
export function buyIn(deps: LedgerDeps, input: BuyInInput): Promise<LedgerResult<WithTransfer<BuyInResult>>> {
  // The epoch is who asks, not what is asked: a replay by the next owner is the same request.
  const hash = requestHash('BUY_IN', { ...input, idempotencyKey: undefined, ownerEpoch: undefined, commitBy: undefined });
  const key = scopeKey(input.idempotencyKey, input.userId);
  return run(deps, async (tx) => {
    // Buy-in is the hottest money path after settlement, so its steps are
    // packed into two statements: (1) idempotency look-up, table row and the
    // wallet's row lock; (2) every write.
    const [row] = await tx.$queryRawUnsafe<(StoredTransfer & TableRow & { wallet_id: bigint | null; wallet_balance: bigint | null })[]>(
      BUY_IN_READ_SQL, ...lookupParams('BUY_IN', key), input.tableId, accountCodes.wallet(input.userId),
    );
    const replay = replayOrConflict<BuyInResult>(row, hash);
    if (replay) return replay;
    const invalid = validateBuyIn(input, key.key, row);
    if (invalid) return invalid;
    // Read after the wallet's lock (its own statement, so its own snapshot): a cash-out of this
    // user's seat here credits that wallet, so it committed before, or it waits for this buy-in
    // and its seat is still open (the INSERT below then refuses a second seat).
    const returning = await lastSeatAt(tx, input.userId, input.tableId);
    // Only a short return asks what the player holds on their other seats (a rare path).
    const seated = returning !== null && input.amount < returning.leftWith ? await chipsSeated(tx, input.userId) : 0n;
    const outOfRange = checkBuyInRange(input.amount, row!, returning, seated);
    if (outOfRange) return outOfRange;
    if (row!.wallet_id === null || row!.wallet_balance! < input.amount) {
      return fail('funds/insufficient', { balance: (row!.wallet_balance ?? 0n).toString() });
    }
    const walletBalance = row!.wallet_balance! - input.amount;
    const result = { stack: input.amount, walletBalance };
    const [written] = await tx.$queryRawUnsafe<{ seat_session_id: bigint | null; account_id: bigint | null; transfer_id: bigint | null }[]>(
      BUY_IN_WRITE_SQL,
      input.tableId, input.userId, input.seatIndex, input.amount.toString(), row!.wallet_id.toString(),
      key.key, hash, encodeResult(result), key.scope, key.ownerId,
    );
    if (!written || written.transfer_id === null) {
      // A concurrent twin with the same key may have taken the seat while we
      // waited for the wallet lock: then its result is the answer.
      return replayOrConflict<BuyInResult>(await lookup(tx, 'BUY_IN', key), hash) ?? fail(await seatConflict(tx, input));
    }
    return ok({
      ...result, seatSessionId: written.seat_session_id!, seatAccountId: written.account_id!,
      transferId: written.transfer_id, replayed: false,
    });
  }, input.commitBy);
}

/**
 * The lease half of the owner fence (decision 019): a table whose lease has run
 * out, by the database's clock, has no owner, so no owner epoch matches. A table
 * never claimed under a lease (no row) and a single node's lease (no expiry) are
 * live. Evaluated inside each money transaction, after the table row's lock.
 */
const LEASE_LIVE = `NOT EXISTS (SELECT 1 FROM table_leases l WHERE l.table_id = poker_tables.id AND l.expires_at <= clock_timestamp())`;
/** The table's owner epoch, or NULL while its lease has run out. */
const LIVE_EPOCH = `CASE WHEN ${LEASE_LIVE} THEN owner_epoch END AS owner_epoch`;

const BUY_IN_READ_SQL = `
  SELECT t.id, t.request_hash, t.result, pt.status::text AS status, pt.min_buy_in, pt.max_buy_in, pt.max_seats,
         pt.owner_epoch, w.id AS wallet_id, w.balance AS wallet_balance
    FROM (SELECT 1) one
    LEFT JOIN ledger_transfers t
           ON t.key_scope = $1::"KeyScope" AND t.key_owner_id = $2::int AND t.kind = $3::"TransferKind" AND t.idempotency_key = $4
    -- SHARE: a concurrent closeTable (FOR UPDATE) waits for this buy-in, then sees its seat; so
    -- does a new owner's claim (UPDATE owner_epoch), which is what makes the epoch a fence.
    LEFT JOIN LATERAL (SELECT status, min_buy_in, max_buy_in, max_seats, ${LIVE_EPOCH} FROM poker_tables WHERE id = $5 FOR SHARE) pt ON true
    LEFT JOIN LATERAL (SELECT id, balance FROM accounts WHERE code = $6 FOR UPDATE) w ON true`;

// Seat session and its SEAT account (created with the bought chips, so it needs
// no lock: nobody else can see it yet), the transfer, its two entries and the
// wallet's new balance. ON CONFLICT DO NOTHING on the seat's unique keys gates
// everything after it: a taken seat writes nothing.
const BUY_IN_WRITE_SQL = `
  WITH ss AS (
    INSERT INTO seat_sessions (table_id, user_id, seat_index, open_seat_key, open_user_key)
    VALUES ($1::int, $2::int, $3::int, concat($1::int, ':', $3::int), concat($1::int, ':', $2::int))
    ON CONFLICT DO NOTHING
    RETURNING id
  ), acc AS (
    INSERT INTO accounts (kind, code, user_id, table_id, seat_session_id, balance)
    SELECT 'SEAT', 'seat:' || ss.id, $2::int, $1::int, ss.id, $4::bigint FROM ss
    RETURNING id, seat_session_id
  ), tr AS (
    INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, actor_user_id, table_id, key_scope, key_owner_id, result)
    SELECT 'BUY_IN', $6, $7, $2::int, $1::int, $9::"KeyScope", $10::int,
           $8::jsonb || jsonb_build_object('seatSessionId', jsonb_build_object('$big', acc.seat_session_id::text),
                                           'seatAccountId', jsonb_build_object('$big', acc.id::text))
      FROM acc
    RETURNING id
  ), entries AS (
    INSERT INTO ledger_entries (transfer_id, account_id, side, amount)
    SELECT tr.id, $5::bigint, 'DEBIT'::"EntrySide", $4::bigint FROM tr
    UNION ALL
    SELECT tr.id, acc.id, 'CREDIT'::"EntrySide", $4::bigint FROM tr CROSS JOIN acc
  ), wallet AS (
    UPDATE accounts SET balance = balance - $4::bigint WHERE id = $5::bigint AND EXISTS (SELECT 1 FROM tr)
  )
  SELECT acc.seat_session_id, acc.id AS account_id, tr.id AS transfer_id FROM acc CROSS JOIN tr`;

/** Why a seat could not be opened (only asked on that rare path). */
async function seatConflict(tx: Tx, input: BuyInInput): Promise<'seat/taken' | 'seat/already_seated'> {
  const rows = await tx.$queryRawUnsafe<{ taken: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM seat_sessions WHERE open_seat_key = concat($1::int, ':', $2::int)) AS taken`,
    input.tableId, input.seatIndex,
  );
  return rows[0]?.taken ? 'seat/taken' : 'seat/already_seated';
}

function validateBuyIn(input: BuyInInput, key: string, table: TableRow | undefined): LedgerResult<never> | null {
  if (!validKey(key)) return fail('idempotency/key_invalid');
  if (!positive(input.amount)) return fail('amount/invalid');
  if (!table || table.status === null) return fail('table/not_found');
  if (table.status !== 'OPEN') return fail('table/closed');
  if (input.ownerEpoch !== undefined && table.owner_epoch !== input.ownerEpoch) return fail('table/not_owner');
  if (!Number.isInteger(input.seatIndex) || input.seatIndex < 0 || input.seatIndex >= table.max_seats!) {
    return fail('seat/invalid');
  }
  return null;
}

/**
 * Coming back to a table (decision 036, PokerStars' rule for big-bet cash games): a player who
 * sits at a table less than RETURN_WINDOW_MINUTES after their last seat there closed brings back
 * at least the chips that seat left with, even above the table's maximum. One whose whole
 * wallet is less may bring all of it if that is at least 90% of what they left with. A seat
 * that left with less than the table's minimum changes nothing.
 */
export const RETURN_WINDOW_MINUTES = 120;

export interface Returning {
  leftWith: bigint;
  leftAt: Date;
  /** When the rule stops applying. */
  until: Date;
}

/** The user's last seat at the table if it closed within the window (by the database's clock), else null. */
const LAST_SEAT_SQL = `
  SELECT left_with, closed_at, closed_at + make_interval(mins => ${RETURN_WINDOW_MINUTES}) AS until
    FROM seat_sessions
   WHERE user_id = $1::int AND table_id = $2::int AND closed_at > now() - make_interval(mins => ${RETURN_WINDOW_MINUTES})
   ORDER BY closed_at DESC
   LIMIT 1`;

export async function lastSeatAt(db: Tx | Db, userId: number, tableId: number): Promise<Returning | null> {
  const [last] = await db.$queryRawUnsafe<{ left_with: bigint | null; closed_at: Date; until: Date }[]>(LAST_SEAT_SQL, userId, tableId);
  if (!last || last.left_with === null || last.left_with <= 0n) return null;
  return { leftWith: BigInt(last.left_with), leftAt: last.closed_at, until: last.until };
}

/** The buy-in's range for this user: the table's, raised to what a returning player left with. */
export function buyInRange(table: { min_buy_in: bigint | null; max_buy_in: bigint | null }, returning: Returning | null): { min: bigint; max: bigint } {
  const left = returning?.leftWith ?? 0n;
  return { min: left > table.min_buy_in! ? left : table.min_buy_in!, max: left > table.max_buy_in! ? left : table.max_buy_in! };
}

/** The least a returning player whose whole wallet is short may bring: 90% of what they left with, rounded up. */
export function shortBankrollMin(leftWith: bigint): bigint {
  return (leftWith * 9n + 9n) / 10n;
}

/** The return, if it asks more than the table's minimum (one that left with less changes nothing). */
export function bindingReturn(returning: Returning | null, tableMin: bigint): Returning | null {
  return returning !== null && returning.leftWith > tableMin ? returning : null;
}

/**
 * What a returning player may bring instead of what they left with: all of their wallet, when the
 * wallet and the chips on their seats at other tables hold less than that (chips parked elsewhere
 * count, else parking 10% there, sitting here with the rest and leaving, again and again, would
 * walk the amount down to the minimum) and the wallet is at least 90% of it and the table's
 * minimum. Null when that does not hold.
 */
export function shortBankrollAmount(returning: Returning, tableMin: bigint, wallet: bigint, seatedElsewhere: bigint): bigint | null {
  const short = wallet + seatedElsewhere < returning.leftWith && wallet >= shortBankrollMin(returning.leftWith) && wallet >= tableMin;
  return short ? wallet : null;
}

/**
 * The chips on the user's open seats (at other tables: the buy-in's own table has none open, or
 * its INSERT refuses). Their moves to and from the wallet (top-ups, cash-outs) take the wallet's
 * lock, which the buy-in holds, so this and the wallet it read are one picture of what they hold.
 */
export async function chipsSeated(tx: Tx | Db, userId: number): Promise<bigint> {
  const [row] = await tx.$queryRawUnsafe<{ chips: bigint | null }[]>(
    `SELECT sum(a.balance)::bigint AS chips FROM seat_sessions ss JOIN accounts a ON a.seat_session_id = ss.id
      WHERE ss.user_id = $1::int AND ss.status = 'OPEN'`,
    userId,
  );
  return row?.chips ?? 0n;
}

function checkBuyInRange(
  amount: bigint,
  row: { min_buy_in: bigint | null; max_buy_in: bigint | null; wallet_balance: bigint | null },
  returning: Returning | null,
  seatedElsewhere: bigint,
): LedgerResult<never> | null {
  const { min, max } = buyInRange(row, returning);
  if (amount > max) return fail('buyin/above_max', { max: max.toString() });
  if (amount >= min) return null;
  const back = bindingReturn(returning, row.min_buy_in!);
  if (back === null) return fail('buyin/below_min', { min: min.toString() });
  if (amount === shortBankrollAmount(back, row.min_buy_in!, row.wallet_balance ?? 0n, seatedElsewhere)) return null;
  return fail('buyin/returning', {
    min: min.toString(), leftWith: back.leftWith.toString(), leftAt: back.leftAt.toISOString(),
    until: back.until.toISOString(), shortBankrollMin: shortBankrollMin(back.leftWith).toString(),
  });
}

interface SeatRow {
  status: string | null;
  table_id: number | null;
  user_id: number | null;
  max_buy_in: bigint | null;
  owner_epoch: bigint | null;
}

// A client's key belongs to the seat's user, so the look-up joins through the seat.
const LOOKUP_WITH_SEAT_SQL = `
  SELECT t.id, t.request_hash, t.result, ss.status::text AS status, ss.table_id, ss.user_id, pt.max_buy_in, pt.owner_epoch
    FROM (SELECT 1) one
    LEFT JOIN seat_sessions ss ON ss.id = $1::bigint
    -- SHARE on the table row, before the accounts' locks (the order every table money path
    -- takes): a new owner's claim (UPDATE owner_epoch) waits for this transaction, and this
    -- one, if it comes after the claim, reads the new epoch (the fence of ownerEpoch).
    LEFT JOIN LATERAL (SELECT max_buy_in, ${LIVE_EPOCH} FROM poker_tables WHERE id = ss.table_id FOR SHARE) pt ON true
    LEFT JOIN ledger_transfers t
           ON t.key_scope = $2::"KeyScope"
          AND t.key_owner_id = CASE WHEN $2::"KeyScope" = 'CLIENT' THEN ss.user_id ELSE 0 END
          AND t.kind = $3::"TransferKind" AND t.idempotency_key = $4`;

function seatLookupParams(seatSessionId: bigint, kind: string, input: KeyInput): unknown[] {
  const key = scopeKey(input, 0);
  return [seatSessionId.toString(), key.scope, kind, key.key];
}

export interface TopUpInput extends CommitBy {
  seatSessionId: bigint;
  amount: bigint;
  /** The client's key (a string, scoped to the seat's user) or one the server made. */
  idempotencyKey: KeyInput;
  /** As in BuyInInput: the fence against a stale owner. */
  ownerEpoch?: bigint;
  /**
   * The seat_intents row this top-up answers (one queued during a hand): deleted in the
   * same transaction when the top-up is written, so the two never part. Refused or
   * replayed, the row stays for its caller to remove. Not part of the request's hash.
   */
  intentId?: bigint;
}

export interface TopUpResult {
  stack: bigint;
  walletBalance: bigint;
}

/**
 * Wallet to an open seat; the stack may not exceed the table's maximum buy-in.
 * The hottest path after the settlement (the bots' reloads): two statements, as the
 * settlement has. The first reads the key, the seat and the table row (FOR SHARE) and
 * takes the ordered lock of the wallet and the SEAT account; the second re-reads the
 * seat's status (its own snapshot, taken after the locks are held: a cash-out that
 * committed while we waited is seen) and writes only if it is still open.
 */
export function topUp(deps: LedgerDeps, input: TopUpInput): Promise<LedgerResult<WithTransfer<TopUpResult>>> {
  const hash = requestHash('TOP_UP', { ...input, idempotencyKey: undefined, ownerEpoch: undefined, intentId: undefined, commitBy: undefined });
  return run(deps, async (tx) => {
    const rows = await tx.$queryRawUnsafe<(StoredTransfer & SeatRow & { account_id: bigint | null; code: string | null; balance: bigint | null })[]>(
      TOP_UP_READ_SQL, ...seatLookupParams(input.seatSessionId, 'TOP_UP', input.idempotencyKey),
    );
    const row = rows[0];
    const replay = replayOrConflict<TopUpResult>(row, hash);
    if (replay) return replay;
    if (!row || row.status === null) return fail('seat/not_found');
    if (input.ownerEpoch !== undefined && row.owner_epoch !== input.ownerEpoch) return fail('table/not_owner');
    const key = scopeKey(input.idempotencyKey, row.user_id!);
    if (!validKey(key.key)) return fail('idempotency/key_invalid');
    if (!positive(input.amount)) return fail('amount/invalid');
    // Closed in this snapshot: a top-up with this key could only have committed before the
    // close, so the look-up above would have found it.
    if (row.status !== 'OPEN') return fail('seat/closed');
    const locked = new Map(rows.flatMap((r) => (r.account_id === null ? [] : [[r.code!, { id: r.account_id, balance: r.balance! }] as const])));
    const wallet = locked.get(accountCodes.wallet(row.user_id!));
    const seat = locked.get(accountCodes.seat(input.seatSessionId))!;
    if (!wallet || wallet.balance < input.amount) return fail('funds/insufficient');
    if (seat.balance + input.amount > row.max_buy_in!) return fail('topup/above_max', { max: row.max_buy_in!.toString() });
    const result: TopUpResult = { stack: seat.balance + input.amount, walletBalance: wallet.balance - input.amount };
    const [written] = await tx.$queryRawUnsafe<{ transfer_id: bigint | null }[]>(
      TOP_UP_WRITE_SQL,
      ...transferParams({
        kind: 'TOP_UP', key, hash, actorUserId: row.user_id, reason: null, tableId: row.table_id,
        result,
        postings: [
          { accountId: wallet.id, delta: -input.amount },
          { accountId: seat.id, delta: input.amount },
        ],
      }),
      input.seatSessionId.toString(),
      input.intentId === undefined ? null : input.intentId.toString(),
    );
    if (written?.transfer_id == null) {
      // The seat closed while we waited for the locks; if a twin with this key closed it, its answer.
      return replayOrConflict<TopUpResult>(await lookup(tx, 'TOP_UP', key), hash) ?? fail('seat/closed');
    }
    return ok({ ...result, transferId: written.transfer_id, replayed: false });
  }, input.commitBy);
}

// LOOKUP_WITH_SEAT_SQL and the ordered lock of the seat's wallet and SEAT account in one
// round trip: one row per locked account (or one with NULLs: no seat, no account). The
// accounts' lateral reads pt, so the table row's SHARE lock comes first, as on every
// table money path. The seat's status here is the statement's snapshot, taken before any
// lock wait: TOP_UP_WRITE_SQL reads it again.
const TOP_UP_READ_SQL = `
  SELECT t.id, t.request_hash, t.result, ss.status::text AS status, ss.table_id, ss.user_id, pt.max_buy_in, pt.owner_epoch,
         a.id AS account_id, a.code, a.balance
    FROM (SELECT 1) one
    LEFT JOIN seat_sessions ss ON ss.id = $1::bigint
    LEFT JOIN LATERAL (SELECT max_buy_in, ${LIVE_EPOCH} FROM poker_tables WHERE id = ss.table_id FOR SHARE) pt ON true
    LEFT JOIN ledger_transfers t
           ON t.key_scope = $2::"KeyScope"
          AND t.key_owner_id = CASE WHEN $2::"KeyScope" = 'CLIENT' THEN ss.user_id ELSE 0 END
          AND t.kind = $3::"TransferKind" AND t.idempotency_key = $4
    LEFT JOIN LATERAL (
      SELECT id, code, balance FROM accounts
       WHERE code IN ('wallet:' || ss.user_id, 'seat:' || ss.id) AND pt.max_buy_in IS NOT NULL
       ORDER BY id FOR UPDATE
    ) a ON true`;

// The transfer ($1..$11), written only while the seat is still open ($12), and the
// seat_intents row it answers ($13, or NULL), deleted with it.
const TOP_UP_WRITE_SQL = `
  WITH open_seat AS (
    SELECT 1 FROM seat_sessions WHERE id = $12::bigint AND status = 'OPEN'
  ),
  ${transferCtes('open_seat')},
  answered AS (
    DELETE FROM seat_intents
     WHERE id = $13::bigint AND seat_session_id = $12::bigint AND kind = 'TOP_UP' AND EXISTS (SELECT 1 FROM tr)
  )
  SELECT (SELECT id FROM tr) AS transfer_id`;

/**
 * The one ordered lock of a seat's wallet and SEAT account, then the seat's
 * status re-read under it (a concurrent cash-out may have closed it while we
 * waited). If a twin request with this key is what closed or changed it, its
 * stored result is the answer.
 */
async function lockOpenSeat<T extends object>(
  tx: Tx,
  seatSessionId: bigint,
  userId: number,
  kind: string,
  key: ScopedKey,
  hash: string,
): Promise<{ wallet: LockedAccount | undefined; seat: LockedAccount } | LedgerResult<WithTransfer<T>>> {
  const walletCode = accountCodes.wallet(userId);
  const seatCode = accountCodes.seat(seatSessionId);
  const locked = await lockAccounts(tx, [walletCode, seatCode]);
  const rows = await tx.$queryRawUnsafe<{ open: boolean }[]>(
    `SELECT status = 'OPEN' AS open FROM seat_sessions WHERE id = $1::bigint`,
    seatSessionId.toString(),
  );
  if (rows[0]?.open !== true) return replayOrConflict<T>(await lookup(tx, kind, key), hash) ?? fail('seat/closed');
  return { wallet: locked.get(walletCode), seat: locked.get(seatCode)! };
}

export interface CashOutInput extends CommitBy {
  seatSessionId: bigint;
  /**
   * Cash-outs are only ever made by the server (leave, removal, close,
   * recovery): the seat session's one key, serverKeys.cashOut(seatSessionId),
   * unless a caller has its own server key.
   */
  idempotencyKey?: ServerKey;
  /** Why the seat closes (left, removed, table closed, recovery): kept on the transfer for audit. */
  reason?: string;
  /** As in BuyInInput: the fence against a stale owner. */
  ownerEpoch?: bigint;
}

export interface CashOutResult {
  amount: bigint;
  walletBalance: bigint;
}

/** The whole seat back to the wallet; closes the seat session. */
export function cashOut(deps: LedgerDeps, input: CashOutInput): Promise<LedgerResult<WithTransfer<CashOutResult>>> {
  // The reason is an annotation, not part of the request: a seat closes once.
  const hash = requestHash('CASH_OUT', { seatSessionId: input.seatSessionId });
  const keyInput = input.idempotencyKey ?? serverKeys.cashOut(input.seatSessionId);
  return run(deps, async (tx) => {
    const [row] = await tx.$queryRawUnsafe<(StoredTransfer & SeatRow)[]>(
      LOOKUP_WITH_SEAT_SQL, ...seatLookupParams(input.seatSessionId, 'CASH_OUT', keyInput),
    );
    const replay = replayOrConflict<CashOutResult>(row, hash);
    if (replay) return replay;
    if (!row || row.status === null) return fail('seat/not_found');
    if (input.ownerEpoch !== undefined && row.owner_epoch !== input.ownerEpoch) return fail('table/not_owner');
    const key = scopeKey(keyInput, row.user_id!);
    if (!validKey(key.key)) return fail('idempotency/key_invalid');
    const held = await lockOpenSeat<CashOutResult>(tx, input.seatSessionId, row.user_id!, 'CASH_OUT', key, hash);
    if ('ok' in held) return held;
    const { seat } = held;
    const wallet = held.wallet!; // it paid for the buy-in, so it exists
    const result: CashOutResult = { amount: seat.balance, walletBalance: wallet.balance + seat.balance };
    await tx.$executeRawUnsafe(
      `UPDATE seat_sessions SET status = 'CLOSED', open_seat_key = NULL, open_user_key = NULL, closed_at = now(), left_with = $2::bigint
        WHERE id = $1::bigint`,
      input.seatSessionId.toString(), seat.balance.toString(),
    );
    const transferId = await postTransfer(tx, {
      kind: 'CASH_OUT', key, hash, actorUserId: row.user_id, reason: input.reason ?? null, tableId: row.table_id,
      result,
      postings: seat.balance > 0n
        ? [{ accountId: seat.id, delta: -seat.balance }, { accountId: wallet.id, delta: seat.balance }]
        : [],
    });
    return ok({ ...result, transferId, replayed: false });
  }, input.commitBy);
}

// ---- settleHand ------------------------------------------------------------------

export interface SettleSeat {
  seatSessionId: bigint;
  userId: number;
  seatIndex: number;
  /** Everything the seat put into the pot this hand. */
  contributed: bigint;
  /** Everything the seat took out of the pot (winnings and returned uncalled bets). */
  won: bigint;
}

export interface SettleHandInput {
  tableId: number;
  handNumber: bigint;
  ownerEpoch: bigint;
  seats: SettleSeat[];
  rake: bigint;
  commitment: string;
  seed: string;
  /** The hand's event log and anything needed to replay and verify it. */
  record: unknown;
}

export interface SettleHandResult {
  handId: bigint;
  handNumber: bigint;
  potTotal: bigint;
  rake: bigint;
  stacks: { seatSessionId: bigint; stack: bigint }[];
}


/**
 * One call per finished hand: contributions from the seats into the table's
 * pot, the pot out to the winners and the rake account, the pot back at zero.
 * Compare-and-swap on (hand number, owner epoch) fences out a stale owner; the
 * idempotency key settle:<table>:<hand> makes a retry return the first result.
 */
export function settleHand(deps: LedgerDeps, input: SettleHandInput): Promise<LedgerResult<WithTransfer<SettleHandResult>>> {
  const key = scopeKey(serverKeys.settle(input.tableId, input.handNumber), 0);
  const hash = requestHash('SETTLE_HAND', { ...input, record: undefined });
  const codes = [
    accountCodes.pot(input.tableId),
    accountCodes.rake(input.tableId),
    ...input.seats.map((s) => accountCodes.seat(s.seatSessionId)),
  ];
  return run(deps, async (tx) => {
    // Look-up and lock share one round trip (this is the hottest money path).
    const { stored, accounts } = await lookupAndLock(tx, 'SETTLE_HAND', key, codes);
    const replay = settlementReplay(stored, hash);
    if (replay) return replay;
    const invalid = validateSettlement(input);
    if (invalid) return invalid;
    const checked = checkSettlement(input, accounts);
    if (!checked.ok) return checked;
    return writeSettlement(tx, input, key, hash, checked.value);
  });
}

async function replaySettlement(tx: Tx, key: ScopedKey, hash: string): Promise<LedgerResult<WithTransfer<SettleHandResult>> | null> {
  const rows = await tx.$queryRawUnsafe<(StoredTransfer & { hand_id: bigint })[]>(
    `SELECT t.id, t.request_hash, t.result, h.id AS hand_id
       FROM ledger_transfers t JOIN hands h ON h.transfer_id = t.id
      WHERE t.key_scope = $1::"KeyScope" AND t.key_owner_id = $2::int AND t.kind = $3::"TransferKind" AND t.idempotency_key = $4`,
    ...lookupParams('SETTLE_HAND', key),
  );
  return settlementReplay(rows[0] ?? null, hash);
}

function settlementReplay(
  row: (StoredTransfer & { hand_id: bigint | null }) | null,
  hash: string,
): LedgerResult<WithTransfer<SettleHandResult>> | null {
  const replay = replayOrConflict<Omit<SettleHandResult, 'handId'>>(row, hash);
  if (!replay) return null;
  if (!replay.ok || !row || row.hand_id === null) return replay as LedgerResult<never>;
  return ok({ ...replay.value, handId: row.hand_id });
}

function validateSettlement(input: SettleHandInput): LedgerResult<never> | null {
  if (input.seats.length === 0 || input.handNumber <= 0n) return fail('settle/invalid');
  const ids = new Set(input.seats.map((s) => s.seatSessionId));
  if (ids.size !== input.seats.length) return fail('settle/invalid', { reason: 'duplicate seat' });
  let contributed = 0n;
  let won = 0n;
  for (const seat of input.seats) {
    if (seat.contributed < 0n || seat.won < 0n) return fail('settle/invalid', { reason: 'negative amount' });
    contributed += seat.contributed;
    won += seat.won;
  }
  if (input.rake < 0n || contributed !== won + input.rake) return fail('settle/unbalanced');
  return null;
}

interface CheckedSettlement {
  potId: bigint;
  rakeId: bigint;
  seatAccounts: Map<bigint, { id: bigint; balance: bigint }>;
}

function checkSettlement(input: SettleHandInput, locked: Map<string, { id: bigint; balance: bigint; table_id: number | null }>): LedgerResult<CheckedSettlement> {
  const pot = locked.get(accountCodes.pot(input.tableId));
  const rake = locked.get(accountCodes.rake(input.tableId));
  if (!pot || !rake) return fail('table/not_found');
  if (pot.balance !== 0n) throw new Error(`pot of table ${input.tableId} holds ${pot.balance} between hands`);
  const seatAccounts = new Map<bigint, { id: bigint; balance: bigint }>();
  for (const seat of input.seats) {
    const account = locked.get(accountCodes.seat(seat.seatSessionId));
    if (!account || account.table_id !== input.tableId) return fail('settle/invalid', { seatSessionId: seat.seatSessionId.toString() });
    if (account.balance < seat.contributed) return fail('funds/insufficient', { seatSessionId: seat.seatSessionId.toString() });
    seatAccounts.set(seat.seatSessionId, account);
  }
  return ok({ potId: pot.id, rakeId: rake.id, seatAccounts });
}

async function writeSettlement(
  tx: Tx,
  input: SettleHandInput,
  key: ScopedKey,
  hash: string,
  checked: CheckedSettlement,
): Promise<LedgerResult<WithTransfer<SettleHandResult>>> {
  const potTotal = input.seats.reduce((sum, s) => sum + s.contributed, 0n);
  const postings = settlementPostings(input, checked);
  const stacks = input.seats.map((s) => ({
    seatSessionId: s.seatSessionId,
    stack: checked.seatAccounts.get(s.seatSessionId)!.balance - s.contributed + s.won,
  }));
  const partial = { handNumber: input.handNumber, potTotal, rake: input.rake, stacks };
  const params = transferParams({
    kind: 'SETTLE_HAND', key, hash, actorUserId: null, reason: null, tableId: input.tableId,
    result: partial, postings,
  });
  const rows = await tx.$queryRawUnsafe<{ transfer_id: bigint | null; hand_id: bigint | null; seats_ok: boolean }[]>(
    SETTLE_SQL,
    ...params,
    input.tableId,
    input.handNumber.toString(),
    input.ownerEpoch.toString(),
    input.commitment,
    input.seed,
    potTotal.toString(),
    input.rake.toString(),
    encodeResult(input.record),
    input.seats.map((s) => s.seatSessionId.toString()),
    input.seats.map((s) => s.userId),
    input.seats.map((s) => s.seatIndex),
    input.seats.map((s) => s.contributed.toString()),
    input.seats.map((s) => s.won.toString()),
  );
  const row = rows[0];
  if (row && !row.seats_ok) return fail('settle/invalid', { reason: 'a seat session is closed or at another table' });
  if (!row || row.transfer_id === null || row.hand_id === null) {
    // A concurrent retry of this very settlement may have committed while we
    // waited for the locks: then the answer is its result, not "stale".
    return (await replaySettlement(tx, key, hash)) ?? fail('settle/stale');
  }
  return ok({ ...partial, handId: row.hand_id, transferId: row.transfer_id, replayed: false });
}

function settlementPostings(input: SettleHandInput, checked: CheckedSettlement) {
  const postings: { accountId: bigint; delta: bigint }[] = [];
  for (const seat of input.seats) {
    if (seat.contributed === 0n) continue;
    postings.push({ accountId: checked.seatAccounts.get(seat.seatSessionId)!.id, delta: -seat.contributed });
    postings.push({ accountId: checked.potId, delta: seat.contributed });
  }
  for (const seat of input.seats) {
    if (seat.won === 0n) continue;
    postings.push({ accountId: checked.potId, delta: -seat.won });
    postings.push({ accountId: checked.seatAccounts.get(seat.seatSessionId)!.id, delta: seat.won });
  }
  if (input.rake > 0n) {
    postings.push({ accountId: checked.potId, delta: -input.rake });
    postings.push({ accountId: checked.rakeId, delta: input.rake });
  }
  return postings;
}

// One statement: the compare-and-swap on the table row gates every write, so a
// stale owner or an out-of-order hand number writes nothing at all. The seat
// sessions are re-read here, after the account locks are held, so a cash-out
// that committed while we waited is seen.
export const SETTLE_SQL = `
  WITH seats_ok AS (
    SELECT NOT EXISTS (
      SELECT 1 FROM seat_sessions
       WHERE id = ANY($20::bigint[]) AND (status <> 'OPEN' OR table_id <> $12::int)
    ) AS ok
  ),
  cas AS (
    UPDATE poker_tables SET hand_number = $13::bigint
     WHERE id = $12::int AND hand_number = $13::bigint - 1 AND owner_epoch = $14::bigint AND status = 'OPEN'
       AND ${LEASE_LIVE}
       AND (SELECT ok FROM seats_ok)
    RETURNING id
  ),
  ${transferCtes('cas')},
  hand AS (
    INSERT INTO hands (table_id, hand_number, transfer_id, commitment, seed, pot_total, rake, record)
    SELECT $12::int, $13::bigint, tr.id, $15, $16, $17::bigint, $18::bigint, $19::jsonb FROM tr
    RETURNING id
  ),
  players AS (
    INSERT INTO hand_players (hand_id, seat_session_id, user_id, seat_index, contributed, won)
    SELECT hand.id, p.seat_session_id, p.user_id, p.seat_index, p.contributed, p.won
      FROM hand CROSS JOIN unnest($20::bigint[], $21::int[], $22::int[], $23::bigint[], $24::bigint[])
           AS p(seat_session_id, user_id, seat_index, contributed, won)
  )
  SELECT (SELECT id FROM tr) AS transfer_id, (SELECT id FROM hand) AS hand_id, (SELECT ok FROM seats_ok) AS seats_ok`;

// ---- adjust ------------------------------------------------------------------------

export interface AdjustInput {
  userId: number;
  /** Signed: positive adds chips to the wallet, negative removes them. */
  amount: bigint;
  reason: string;
  adminUserId: number;
  idempotencyKey: string;
}

export interface AdjustResult {
  amount: bigint;
  walletBalance: bigint;
}

export const REASON_LENGTH_MAX = 500;

/** An admin's signed adjustment of a wallet, with the admin's id and a reason. */
export function adjust(deps: LedgerDeps, input: AdjustInput): Promise<LedgerResult<WithTransfer<AdjustResult>>> {
  if (!validKey(input.idempotencyKey)) return Promise.resolve(fail('idempotency/key_invalid'));
  const hash = requestHash('ADJUST', { ...input, idempotencyKey: undefined });
  return run(deps, async (tx) => {
    const key = scopeKey(input.idempotencyKey, input.adminUserId);
    const replay = replayOrConflict<AdjustResult>(await lookup(tx, 'ADJUST', key), hash);
    if (replay) return replay;
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (reason.length === 0 || codePointLength(reason) > REASON_LENGTH_MAX) return fail('adjust/reason_required');
    if (typeof input.amount !== 'bigint' || input.amount === 0n) return fail('amount/invalid');
    if (!(await ensureWallet(tx, input.userId))) return fail('user/not_found');
    const walletCode = accountCodes.wallet(input.userId);
    const locked = await lockAccounts(tx, [walletCode, accountCodes.adjustments]);
    const wallet = locked.get(walletCode)!;
    const system = locked.get(accountCodes.adjustments)!;
    if (wallet.balance + input.amount < 0n) return fail('adjust/negative_wallet', { balance: wallet.balance.toString() });
    // Both sides are checked against the balance range here (the database's check would
    // refuse either as amount/too_large), so the answer names the balance that would overflow.
    if (wallet.balance + input.amount > BALANCE_MAX) return fail('amount/too_large', { balance: wallet.balance.toString() });
    if (system.balance - input.amount < -BALANCE_MAX || system.balance - input.amount > BALANCE_MAX) {
      return fail('adjust/house_limit', { houseBalance: system.balance.toString() });
    }
    const result: AdjustResult = { amount: input.amount, walletBalance: wallet.balance + input.amount };
    const params = transferParams({
      kind: 'ADJUST', key, hash, actorUserId: input.adminUserId, reason, tableId: null, result,
      postings: [
        { accountId: system.id, delta: -input.amount },
        { accountId: wallet.id, delta: input.amount },
      ],
    });
    const rows = await tx.$queryRawUnsafe<{ id: bigint }[]>(
      `WITH ${transferCtes()},
         audit AS (
           INSERT INTO admin_actions (admin_user_id, action, target_type, target_id, details)
           SELECT $4::int, 'chips.adjust', 'user', $12, jsonb_build_object('transferId', tr.id::text, 'amount', $13::text, 'reason', $5::text)
             FROM tr
         )
       SELECT tr.id FROM tr`,
      ...params,
      String(input.userId),
      input.amount.toString(),
    );
    return ok({ ...result, transferId: rows[0]!.id, replayed: false });
  });
}

// ---- transferBetweenWallets ---------------------------------------------------------

export interface WalletTransferInput {
  fromUserId: number;
  toUserId: number;
  amount: bigint;
  reason: string;
  adminUserId: number;
  idempotencyKey: string;
}

export interface WalletTransferResult {
  amount: bigint;
  fromBalance: bigint;
  toBalance: bigint;
}

/**
 * An admin moves chips from one wallet to another (the talk's send_money, for
 * corrections such as merging a player's duplicate accounts). Audited like adjust.
 */
export function transferBetweenWallets(
  deps: LedgerDeps,
  input: WalletTransferInput,
): Promise<LedgerResult<WithTransfer<WalletTransferResult>>> {
  if (!validKey(input.idempotencyKey)) return Promise.resolve(fail('idempotency/key_invalid'));
  const hash = requestHash('WALLET_TRANSFER', { ...input, idempotencyKey: undefined });
  return run(deps, async (tx) => {
    const key = scopeKey(input.idempotencyKey, input.adminUserId);
    const replay = replayOrConflict<WalletTransferResult>(await lookup(tx, 'WALLET_TRANSFER', key), hash);
    if (replay) return replay;
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (reason.length === 0 || codePointLength(reason) > REASON_LENGTH_MAX) return fail('adjust/reason_required');
    if (!positive(input.amount) || input.fromUserId === input.toUserId) return fail('amount/invalid');
    const fromCode = accountCodes.wallet(input.fromUserId);
    const toCode = accountCodes.wallet(input.toUserId);
    const locked = await lockAccounts(tx, [fromCode, toCode]);
    const from = locked.get(fromCode);
    const to = locked.get(toCode);
    if (!from || !to) return fail('user/not_found');
    if (from.balance < input.amount) return fail('funds/insufficient', { balance: from.balance.toString() });
    const result: WalletTransferResult = {
      amount: input.amount,
      fromBalance: from.balance - input.amount,
      toBalance: to.balance + input.amount,
    };
    const transferId = await postTransfer(tx, {
      kind: 'WALLET_TRANSFER', key, hash, actorUserId: input.adminUserId, reason, tableId: null,
      result,
      postings: [
        { accountId: from.id, delta: -input.amount },
        { accountId: to.id, delta: input.amount },
      ],
    });
    return ok({ ...result, transferId, replayed: false });
  });
}

// ---- closeTable -----------------------------------------------------------------------

export interface CloseTableInput {
  tableId: number;
  /** The closing owner's fencing token: a stale owner cannot close the table. */
  ownerEpoch: bigint;
}

/**
 * Marks a table CLOSED, the last step of closing it: only once every seat
 * session at it is closed (cashed out) and its pot is empty, so a closed table
 * can never strand chips. The table row is locked FOR UPDATE, which waits for
 * any buy-in in flight (it holds the row FOR SHARE) and then sees its seat.
 * Moves no money; idempotent (closing a closed table answers ok).
 */
export function closeTable(deps: LedgerDeps, input: CloseTableInput): Promise<LedgerResult<{ closed: true }>> {
  return run(deps, async (tx) => {
    const [table] = await tx.$queryRawUnsafe<{ status: string; owner_epoch: bigint }[]>(
      `SELECT status::text AS status, ${LIVE_EPOCH} FROM poker_tables WHERE id = $1 FOR UPDATE`,
      input.tableId,
    );
    if (!table) return fail('table/not_found');
    if (table.status === 'CLOSED') return ok({ closed: true });
    if (table.owner_epoch !== input.ownerEpoch) return fail('settle/stale');
    const [busy] = await tx.$queryRawUnsafe<{ open_seats: bigint; pot: bigint | null }[]>(
      `SELECT (SELECT count(*) FROM seat_sessions WHERE table_id = $1 AND status = 'OPEN') AS open_seats,
              (SELECT balance FROM accounts WHERE code = $2) AS pot`,
      input.tableId,
      accountCodes.pot(input.tableId),
    );
    if (busy!.open_seats > 0n || (busy!.pot ?? 0n) !== 0n) {
      return fail('table/not_empty', { openSeats: busy!.open_seats.toString() });
    }
    await tx.$executeRawUnsafe(`UPDATE poker_tables SET status = 'CLOSED', closed_at = now() WHERE id = $1`, input.tableId);
    return ok({ closed: true });
  });
}

// ---- the ledger as one object ------------------------------------------------------------

export interface Ledger {
  buyChips(input: BuyChipsInput): ReturnType<typeof buyChips>;
  buyIn(input: BuyInInput): ReturnType<typeof buyIn>;
  topUp(input: TopUpInput): ReturnType<typeof topUp>;
  cashOut(input: CashOutInput): ReturnType<typeof cashOut>;
  settleHand(input: SettleHandInput): ReturnType<typeof settleHand>;
  adjust(input: AdjustInput): ReturnType<typeof adjust>;
  transferBetweenWallets(input: WalletTransferInput): ReturnType<typeof transferBetweenWallets>;
  closeTable(input: CloseTableInput): ReturnType<typeof closeTable>;
  reconcile(): Promise<ReconcileReport>;
}

export function createLedger(deps: LedgerDeps): Ledger {
  return {
    buyChips: (input) => buyChips(deps, input),
    buyIn: (input) => buyIn(deps, input),
    topUp: (input) => topUp(deps, input),
    cashOut: (input) => cashOut(deps, input),
    settleHand: (input) => settleHand(deps, input),
    adjust: (input) => adjust(deps, input),
    transferBetweenWallets: (input) => transferBetweenWallets(deps, input),
    closeTable: (input) => closeTable(deps, input),
    reconcile: () => reconcile(deps.db),
  };
}
