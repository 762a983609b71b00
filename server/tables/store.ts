import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { sqlState } from '../ledger/db-helpers';
import { replay, storedHandLog, type Variant } from '../poker';
import type { CreateTableInput } from './registry-api';
import { claimLease, type ClaimOptions } from './leases';

// Table rows and seat sessions as the actors need them. Reads and the
// ownership claim only: money moves through server/ledger/transactions.ts.

export interface TableRow {
  id: number;
  name: string;
  variant: Variant;
  maxSeats: number;
  smallBlind: number;
  bigBlind: number;
  ante: number;
  minBuyIn: number;
  maxBuyIn: number;
  rakeBps: number;
  rakeCap: number;
  actionTimeoutMs: number;
  handNumber: bigint;
  ownerEpoch: bigint;
  status: 'OPEN' | 'CLOSED';
  /** An admin asked to close the table: it closes at its next hand boundary, even after a restart. */
  closeRequested: boolean;
}

export interface OpenSeat {
  seatSessionId: bigint;
  userId: number;
  username: string;
  seatIndex: number;
  stack: bigint;
  /** Since when it sits out (kept across a restart), or null. */
  sittingOutSince: Date | null;
  /** It sat out while the small blind passed it, and has not been dealt in since (decision 035). */
  owesSmallBlind: boolean;
}

type PrismaTable = Awaited<ReturnType<Db['pokerTable']['findUniqueOrThrow']>>;

function toRow(t: PrismaTable): TableRow {
  return {
    id: t.id,
    name: t.name,
    variant: t.variant,
    maxSeats: t.maxSeats,
    smallBlind: Number(t.smallBlind),
    bigBlind: Number(t.bigBlind),
    ante: Number(t.ante),
    minBuyIn: Number(t.minBuyIn),
    maxBuyIn: Number(t.maxBuyIn),
    rakeBps: t.rakeBps,
    rakeCap: Number(t.rakeCap),
    actionTimeoutMs: t.actionTimeoutMs,
    handNumber: t.handNumber,
    ownerEpoch: t.ownerEpoch,
    status: t.status,
    closeRequested: t.closeRequestedAt !== null,
  };
}

export async function openTableIds(db: Db): Promise<number[]> {
  const rows = await db.pokerTable.findMany({ where: { status: 'OPEN' }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}

/** One process alone on its database: it takes every table, and its leases never expire. */
export const SINGLE_NODE: ClaimOptions = { nodeId: 'single', ttlMs: null, force: true };

/**
 * Takes ownership of a table under a lease (server/tables/leases.ts): bumps its
 * owner epoch (the fencing token every money transaction compares), so an older
 * owner can no longer move a chip of it. Null: another node holds it, or it is
 * not open.
 */
export async function claimTable(db: Db, tableId: number, holder: ClaimOptions = SINGLE_NODE): Promise<TableRow | null> {
  const epoch = await claimLease(db, tableId, holder);
  if (epoch === null) return null;
  return { ...toRow(await db.pokerTable.findUniqueOrThrow({ where: { id: tableId } })), ownerEpoch: epoch };
}

export async function openSeats(db: Db, tableId: number): Promise<OpenSeat[]> {
  const rows = await db.seatSession.findMany({
    where: { tableId, status: 'OPEN' },
    include: { account: true, user: { select: { username: true } } },
    orderBy: { seatIndex: 'asc' },
  });
  return rows.map((r) => ({
    seatSessionId: r.id,
    userId: r.userId,
    username: r.user.username,
    seatIndex: r.seatIndex,
    stack: r.account?.balance ?? 0n,
    sittingOutSince: r.sittingOutSince,
    owesSmallBlind: r.owesSmallBlind,
  }));
}

/**
 * Where the blinds were at a table's last settled hand, for the table's next owner (after a
 * restart or a move): the button, the big blind, and the seat sessions dealt in. Decision 030.
 */
export interface LastHand {
  button: number;
  bigBlindSeat: number;
  sittings: bigint[];
}

/**
 * The table's last settled hand (the top of its (table, hand number) index), replayed from its
 * stored log for its button and big blind; null when it has none, or its log does not replay
 * (a hand stored without one): then the next hand is dealt as at a new table.
 */
export async function lastHandOf(db: Db, tableId: number): Promise<LastHand | null> {
  const rows = await db.$queryRawUnsafe<{ record: unknown; sittings: string[] | null }[]>(
    `SELECT h.record, (SELECT array_agg(p.seat_session_id::text) FROM hand_players p WHERE p.hand_id = h.id) AS sittings
       FROM hands h WHERE h.table_id = $1 ORDER BY h.hand_number DESC LIMIT 1`,
    tableId,
  );
  const row = rows[0];
  const log = row ? storedHandLog(row.record) : null;
  if (!row || !log) return null;
  try {
    const state = replay(log);
    if (state.button === null || state.bigBlindSeat === null) return null;
    return { button: state.button, bigBlindSeat: state.bigBlindSeat, sittings: (row.sittings ?? []).map(BigInt) };
  } catch {
    return null;
  }
}

/** What a table's next owner reads back from the database (`TableActor.restore`). */
export interface StoredTable {
  seats: OpenSeat[];
  intents: StoredIntent[];
  lastHand: LastHand | null;
}

export async function storedTable(db: Db, intents: IntentStore, tableId: number): Promise<StoredTable> {
  return { seats: await openSeats(db, tableId), intents: await intents.openOf(tableId), lastHand: await lastHandOf(db, tableId) };
}

/**
 * An admin's request as the audit trail records it (admin_actions), written in the same
 * transaction as what it changes: a request that took effect is always recorded, whatever
 * happens to its answer (a time-out, a lost connection, a retry answered 409).
 */
export interface AdminAudit {
  adminUserId: number;
  details: Prisma.InputJsonValue;
}

function auditRow(audit: AdminAudit, action: 'table.create' | 'table.close', tableId: number) {
  return { adminUserId: audit.adminUserId, action, targetType: 'table', targetId: String(tableId), details: audit.details };
}

/** Creates a table with its pot and rake accounts (and the admin's `table.create` row), in one transaction. */
export async function insertTable(db: Db, input: CreateTableInput, audit?: AdminAudit): Promise<TableRow> {
  return db.$transaction(async (tx) => {
    const table = await tx.pokerTable.create({
      data: {
        name: input.name,
        variant: input.variant,
        maxSeats: input.maxSeats,
        smallBlind: BigInt(input.smallBlind),
        bigBlind: BigInt(input.bigBlind),
        ante: BigInt(input.ante ?? 0),
        minBuyIn: BigInt(input.minBuyIn),
        maxBuyIn: BigInt(input.maxBuyIn),
        actionTimeoutMs: input.actionTimeoutMs ?? 20_000,
        rakeBps: input.rakeBps ?? 0,
        rakeCap: BigInt(input.rakeCap ?? 0),
      },
    });
    await tx.account.createMany({
      data: [
        { kind: 'POT', code: `pot:${table.id}`, tableId: table.id },
        { kind: 'RAKE', code: `rake:${table.id}`, tableId: table.id },
      ],
    });
    if (audit) await tx.adminAction.create({ data: auditRow(audit, 'table.create', table.id) });
    return toRow(table);
  });
}

/** insertTable failed on the unique index of names (poker_tables_name_key): two creations raced past tableNameTaken. */
export function isNameTakenError(error: unknown): boolean {
  const unique = (error as { code?: unknown } | null)?.code === 'P2002' || sqlState(error) === '23505';
  return unique && /name/.test(String((error as Error).message ?? ''));
}

/**
 * Records an admin's request to close a table (the ledger's closeTable marks it CLOSED once it
 * is empty), with its `table.close` row in the same transaction.
 */
export async function requestClose(db: Db, tableId: number, audit?: AdminAudit): Promise<void> {
  const request = db.pokerTable.updateMany({ where: { id: tableId, closeRequestedAt: null }, data: { closeRequestedAt: new Date() } });
  if (!audit) {
    await request;
    return;
  }
  await db.$transaction([
    request,
    db.adminAction.create({ data: auditRow(audit, 'table.close', tableId) }),
  ]);
}

/** Seat sessions still open at a CLOSED table (left by a crash or an older version): to be cashed out. */
export async function openSeatsAtClosedTables(db: Db): Promise<{ seatSessionId: bigint; tableId: number; userId: number }[]> {
  const rows = await db.seatSession.findMany({
    where: { status: 'OPEN', table: { status: 'CLOSED' } },
    select: { id: true, tableId: true, userId: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ seatSessionId: r.id, tableId: r.tableId, userId: r.userId }));
}

// ---- seat intents: a leave or top-up asked for during a hand, applied at its end ----

export interface StoredIntent {
  id: bigint;
  seatSessionId: bigint;
  kind: 'LEAVE' | 'TOP_UP';
  amount: bigint | null;
  keyScope: 'CLIENT' | 'SERVER' | null;
  key: string | null;
}

/** An intent refused by the owner fence: the table is no longer the caller's (`table/not_owner`). */
export class NotOwnerError extends Error {
  readonly code = 'table/not_owner';
}

/** What a table actor needs of the seat_intents table (a port, so tests can see it). */
export interface IntentStore {
  /**
   * Stores an intent, only while the table is still the owner's of `ownerEpoch` (the table
   * actor's), with a live lease: else it throws NotOwnerError and writes nothing.
   */
  add(intent: Omit<StoredIntent, 'id'> & { ownerEpoch: bigint }): Promise<bigint>;
  remove(id: bigint): Promise<void>;
  removeAllOf(seatSessionId: bigint): Promise<void>;
  /** The intents of the table's open seat sessions, oldest first. */
  openOf(tableId: number): Promise<StoredIntent[]>;
  /**
   * Records that an open seat sits out (since when) or sits in again (null), for a restart to
   * restore: fenced as `add` is (throws NotOwnerError, writes nothing).
   */
  sittingOut(seatSessionId: bigint, since: Date | null, ownerEpoch: bigint): Promise<void>;
  /** Records that an open seat owes the small blind it missed, or no longer does (decision 035): fenced as `add` is. */
  owesSmallBlind(seatSessionId: bigint, owes: boolean, ownerEpoch: bigint): Promise<void>;
}

/**
 * The owner fence of a write about seat session $1 by the owner of epoch `epoch` (decision
 * 018): its table row FOR SHARE (ordered with a claim, which bumps the epoch under a row lock),
 * under that epoch and a live lease. A FROM clause: it yields the table row, or no row.
 */
function ownerFence(epoch: string): string {
  return `FROM poker_tables pt
          WHERE pt.id = (SELECT table_id FROM seat_sessions WHERE id = $1::bigint)
            AND pt.owner_epoch = ${epoch}::bigint
            AND NOT EXISTS (SELECT 1 FROM table_leases l WHERE l.table_id = pt.id AND l.expires_at <= clock_timestamp())
            FOR SHARE OF pt`;
}

const ADD_INTENT_SQL = `INSERT INTO seat_intents (seat_session_id, kind, amount, key_scope, idempotency_key)
         SELECT $1::bigint, $2::"SeatIntentKind", $3::bigint, $4::"KeyScope", $5
           ${ownerFence('$6')}
         RETURNING id`;

/** A fenced write of one column of an open seat session ($1), to $2, by the owner of epoch $3. */
function seatFlagSql(assignment: string): string {
  return `WITH fence AS (
           SELECT pt.id ${ownerFence('$3')}
         ), written AS (
           UPDATE seat_sessions SET ${assignment}
            WHERE id = $1::bigint AND status = 'OPEN' AND EXISTS (SELECT 1 FROM fence)
         )
         SELECT EXISTS (SELECT 1 FROM fence) AS owner`;
}

const SITTING_OUT_SQL = seatFlagSql('sitting_out_since = $2::timestamptz');
const OWES_SMALL_BLIND_SQL = seatFlagSql('owes_small_blind = $2::boolean');

async function writeSeatFlag(db: Db, sql: string, seatSessionId: bigint, value: unknown, ownerEpoch: bigint): Promise<void> {
  const [fence] = await db.$queryRawUnsafe<{ owner: boolean }[]>(sql, seatSessionId, value, ownerEpoch);
  if (!fence?.owner) throw new NotOwnerError(`seat session ${seatSessionId}: its table has another owner, or its lease ran out`);
}

export function createIntentStore(db: Db): IntentStore {
  return {
    // The hot path of a top-up (issue #11): one raw statement each, without the
    // model API's query building (about half the CPU per intent, measured).
    // The row is applied by whoever owns the table at its next restore, so it is fenced like a
    // transfer (decision 018): the table row FOR SHARE orders it with a claim (which bumps the
    // epoch under a row lock); a stale owner's row would otherwise be applied by a later owner.
    add: async (intent) => {
      const rows = await db.$queryRawUnsafe<{ id: bigint }[]>(
        ADD_INTENT_SQL,
        intent.seatSessionId, intent.kind, intent.amount, intent.keyScope, intent.key, intent.ownerEpoch,
      );
      if (rows.length === 0) throw new NotOwnerError(`seat session ${intent.seatSessionId}: its table has another owner, or its lease ran out`);
      return BigInt(rows[0]!.id);
    },
    remove: async (id) => {
      await db.$executeRawUnsafe('DELETE FROM seat_intents WHERE id = $1::bigint', id);
    },
    removeAllOf: async (seatSessionId) => {
      await db.$executeRawUnsafe('DELETE FROM seat_intents WHERE seat_session_id = $1::bigint', seatSessionId);
    },
    // Read back at the next restore like an intent, so fenced like one: a stale owner's flag
    // would sit out (or in) a player the table's owner deals by another.
    sittingOut: (seatSessionId, since, ownerEpoch) => writeSeatFlag(db, SITTING_OUT_SQL, seatSessionId, since, ownerEpoch),
    owesSmallBlind: (seatSessionId, owes, ownerEpoch) => writeSeatFlag(db, OWES_SMALL_BLIND_SQL, seatSessionId, owes, ownerEpoch),
    openOf: async (tableId) => {
      // Intents of seats that closed meanwhile are void: clean them up on the way.
      await db.seatIntent.deleteMany({ where: { seatSession: { tableId, status: 'CLOSED' } } });
      const rows = await db.seatIntent.findMany({
        where: { seatSession: { tableId, status: 'OPEN' } },
        orderBy: { id: 'asc' },
      });
      return rows.map((r) => ({
        id: r.id, seatSessionId: r.seatSessionId, kind: r.kind, amount: r.amount, keyScope: r.keyScope, key: r.idempotencyKey,
      }));
    },
  };
}

/** Whether a table has this name in any letter case ("main 1/2" and "Main 1/2" would read as one table). */
export async function tableNameTaken(db: Db, name: string): Promise<boolean> {
  return (await db.pokerTable.count({ where: { name: { equals: name, mode: 'insensitive' } } })) > 0;
}

/**
 * Whether the hand with this engine id (`<table>-<hand number>-e<owner epoch>`) settled, to
 * tell a returning client its hand was cancelled. Found by (table, hand number), the unique
 * index, then checked by the full id: a client-sent id costs one index probe, never a scan.
 */
export async function handWasSettled(db: Db, tableId: number, handNumber: bigint, handId: string): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<{ found: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM hands WHERE table_id = $1 AND hand_number = $2::bigint AND record ->> 'handId' = $3) AS found`,
    tableId,
    handNumber.toString(),
    handId,
  );
  return rows[0]?.found === true;
}

/** A minute of a table's recent hands: how long ago it ended, how many hands, the pots played for. */
export interface RecentHands {
  ageMs: number;
  hands: number;
  pot: number;
}

/** At most this many of a table's latest hands are read back into the lobby's figures at a load. */
export const RECENT_HANDS_READ_MAX = 1_000;

/**
 * A table's hands of the last `windowMs`, by minute, for the lobby's average pot and hands per
 * hour after a restart or a move to another node. Only the table's last RECENT_HANDS_READ_MAX
 * hand numbers are looked at (a range of the (table, hand number) index; hand numbers follow
 * each other), so a load reads a bounded number of rows however many hands the table has. The
 * pot is the one played for (`record.pot`); a hand stored before records carried it counts what
 * went in (`pot_total`). Ages come from the database's clock.
 */
export async function recentHands(db: Db, tableId: number, windowMs: number): Promise<RecentHands[]> {
  const rows = await db.$queryRawUnsafe<{ age_ms: number; hands: number; pot: string }[]>(
    `SELECT min(age_ms)::float8 AS age_ms, count(*)::int AS hands, sum(pot)::text AS pot
       FROM (SELECT extract(epoch FROM now() - created_at) * 1000 AS age_ms,
                    COALESCE((record ->> 'pot')::bigint, pot_total) AS pot
               FROM hands
              WHERE table_id = $1
                AND hand_number > (SELECT max(hand_number) FROM hands WHERE table_id = $1) - ${RECENT_HANDS_READ_MAX}
                AND created_at > now() - $2 * interval '1 millisecond') latest
      GROUP BY floor(age_ms / 60000)`,
    tableId,
    windowMs,
  );
  return rows.map((r) => ({ ageMs: Math.max(0, Number(r.age_ms)), hands: r.hands, pot: Number(r.pot) }));
}

export const DEFAULT_TABLES: CreateTableInput[] = [
  { name: 'Main Street 1/2', variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 },
  { name: 'High Roller 5/10', variant: 'NLHE', maxSeats: 6, smallBlind: 5, bigBlind: 10, minBuyIn: 200, maxBuyIn: 1_000 },
  { name: 'Full Ring 1/2', variant: 'NLHE', maxSeats: 9, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 },
  { name: 'Heads-Up 2/4', variant: 'NLHE', maxSeats: 2, smallBlind: 2, bigBlind: 4, minBuyIn: 80, maxBuyIn: 400 },
  { name: 'Omaha Lounge 1/2', variant: 'PLO', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 },
];

/** Tables where a user holds an open seat (a socket that connects to any node joins their rooms). */
export async function seatedTableIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db.seatSession.findMany({ where: { userId, status: 'OPEN' }, select: { tableId: true } });
  return rows.map((r) => r.tableId);
}

/** A table's status, or null when no table has this id. */
export async function tableStatus(db: Db, tableId: number): Promise<'OPEN' | 'CLOSED' | null> {
  const row = await db.pokerTable.findUnique({ where: { id: tableId }, select: { status: true } });
  return row?.status ?? null;
}
