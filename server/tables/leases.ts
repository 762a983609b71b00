import type { Db } from '../db/client';

// Table ownership by lease (docs/decisions/019-table-leases-and-placement.md).
// Every time here is the database's (clock_timestamp()), never this process's:
// nodes on different machines agree on one clock. The lease's epoch is
// poker_tables.owner_epoch, the fencing token every money transaction of the
// table compares (decision 018); the ledger also refuses once the lease has run
// out (LEASE_LIVE in server/ledger/transactions.ts), so a paused node commits
// nothing after its lease expired, even before anyone else claims the table.

export interface LeaseHolder {
  nodeId: string;
  /** Lease length; null: a single node's lease, which never expires. */
  ttlMs: number | null;
}

export interface ClaimOptions extends LeaseHolder {
  /** Take the table even if another node's lease is live (single-node mode: there is no other node). */
  force: boolean;
}

export interface LeaseRow {
  tableId: number;
  nodeId: string;
  epoch: bigint;
  expiresAt: Date | null;
}

/** How long a claim waits for a table row held by a transaction in flight. */
export const CLAIM_LOCK_TIMEOUT_MS = 1_000;

/**
 * Claims a table for this node, if its lease is free (expired, never taken, a
 * single node's), already this node's (a rebuild fences the old actor), or
 * `force`. Bumps the owner epoch, starts the lease and a history interval,
 * closing the previous one, in one transaction. Returns the new epoch, or null
 * when the table is someone else's or not open.
 */
export async function claimLease(db: Db, tableId: number, options: ClaimOptions): Promise<bigint | null> {
  return db.$transaction(async (tx) => {
    // A table row held by a money transaction in flight (FOR SHARE) is waited for, but not for
    // the connection's whole lock_timeout: a claim stuck behind a stopped owner's transaction
    // gives up within a second and is tried again at the next tick, the other tables meanwhile.
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${CLAIM_LOCK_TIMEOUT_MS}`);
    await tx.$executeRawUnsafe(
      `INSERT INTO table_leases (table_id, node_id, epoch, acquired_at, expires_at)
       SELECT id, '', owner_epoch, clock_timestamp(), clock_timestamp() FROM poker_tables WHERE id = $1
       ON CONFLICT (table_id) DO NOTHING`,
      tableId,
    );
    const [lease] = await tx.$queryRawUnsafe<{ node_id: string; expires_at: Date | null; expired: boolean }[]>(
      `SELECT node_id, expires_at, (expires_at IS NULL OR expires_at <= clock_timestamp()) AS expired
         FROM table_leases WHERE table_id = $1 FOR UPDATE`,
      tableId,
    );
    if (!lease) return null;
    const free = lease.expired || lease.node_id === options.nodeId || lease.node_id === '';
    if (!free && !options.force) return null;
    // After the lease row's lock, so claims of one table are serialized; this
    // update waits for any money transaction of the table in flight (they hold
    // the row FOR SHARE), and every later one reads the new epoch.
    const [bumped] = await tx.$queryRawUnsafe<{ owner_epoch: bigint }[]>(
      `UPDATE poker_tables SET owner_epoch = owner_epoch + 1 WHERE id = $1 AND status = 'OPEN' RETURNING owner_epoch`,
      tableId,
    );
    if (!bumped) return null;
    const reason = lease.node_id === options.nodeId ? 'reclaimed' : lease.expired ? 'expired' : 'taken over';
    await tx.$executeRawUnsafe(
      `UPDATE table_lease_history
          SET ended_at = GREATEST(acquired_at, LEAST(clock_timestamp(), COALESCE($2::timestamptz, clock_timestamp()))), end_reason = $3
        WHERE table_id = $1 AND ended_at IS NULL`,
      tableId, lease.expires_at, reason,
    );
    await tx.$executeRawUnsafe(
      `WITH l AS (
         UPDATE table_leases
            SET node_id = $2, epoch = $3::bigint, acquired_at = clock_timestamp(),
                expires_at = CASE WHEN $4::int IS NULL THEN NULL ELSE clock_timestamp() + $4::int * interval '1 millisecond' END
          WHERE table_id = $1
         RETURNING table_id, node_id, epoch, acquired_at
       )
       INSERT INTO table_lease_history (table_id, node_id, epoch, acquired_at) SELECT table_id, node_id, epoch, acquired_at FROM l`,
      tableId, options.nodeId, bumped.owner_epoch, options.ttlMs,
    );
    return bumped.owner_epoch;
  });
}

/**
 * Extends this node's live leases. A lease that already ran out, moved or was
 * re-claimed is not renewed (and cannot be: another node may hold it now).
 * Returns the ids of the tables still held.
 */
export async function renewLeases(db: Db, holder: LeaseHolder, leases: { tableId: number; epoch: bigint }[]): Promise<Set<number>> {
  if (leases.length === 0 || holder.ttlMs === null) return new Set(leases.map((l) => l.tableId));
  const rows = await db.$queryRawUnsafe<{ table_id: number }[]>(
    `UPDATE table_leases l SET expires_at = clock_timestamp() + $2::int * interval '1 millisecond'
       FROM unnest($3::int[], $4::bigint[]) AS r(table_id, epoch)
      WHERE l.table_id = r.table_id AND l.epoch = r.epoch AND l.node_id = $1 AND l.expires_at > clock_timestamp()
     RETURNING l.table_id`,
    holder.nodeId, holder.ttlMs, leases.map((l) => l.tableId), leases.map((l) => l.epoch.toString()),
  );
  return new Set(rows.map((r) => r.table_id));
}

/** Gives a table up at once (drain, shutdown): the next node may claim it now. */
export async function releaseLease(db: Db, nodeId: string, tableId: number, epoch: bigint, reason: string): Promise<boolean> {
  const rows = await db.$queryRawUnsafe<{ table_id: number }[]>(
    `WITH l AS (
       UPDATE table_leases SET expires_at = clock_timestamp()
        WHERE table_id = $1 AND node_id = $2 AND epoch = $3::bigint AND (expires_at IS NULL OR expires_at > clock_timestamp())
       RETURNING table_id, epoch, expires_at
     ), h AS (
       UPDATE table_lease_history h SET ended_at = GREATEST(h.acquired_at, l.expires_at), end_reason = $4
         FROM l WHERE h.table_id = l.table_id AND h.epoch = l.epoch AND h.ended_at IS NULL
     )
     SELECT table_id FROM l`,
    tableId, nodeId, epoch.toString(), reason,
  );
  return rows.length > 0;
}

// ---- nodes and placement ----------------------------------------------------

export interface NodeRow {
  id: string;
  capacity: number;
  draining: boolean;
  /** Tables whose live lease it holds. */
  owned: number;
}

/** Registers (or re-registers, after a restart with the same id) and heartbeats. */
export async function heartbeatNode(db: Db, nodeId: string, capacity: number, draining: boolean): Promise<void> {
  await db.$executeRawUnsafe(
    `INSERT INTO cluster_nodes (id, capacity, draining) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = clock_timestamp(), capacity = $2, draining = $3`,
    nodeId, capacity, draining,
  );
}

/** Marks a node as gone (graceful stop): placement stops counting it at once. */
export async function deregisterNode(db: Db, nodeId: string): Promise<void> {
  await db.$executeRawUnsafe(`DELETE FROM cluster_nodes WHERE id = $1`, nodeId);
}

/**
 * Forgets the rows of nodes silent for longer than `silentMs` (a node that died without
 * deregistering). Placement already ignores them after one TTL; this keeps the table from
 * growing with every crashed or renamed node. A node that comes back registers again.
 */
export async function forgetSilentNodes(db: Db, silentMs: number): Promise<number> {
  return db.$executeRawUnsafe(
    `DELETE FROM cluster_nodes WHERE heartbeat_at < clock_timestamp() - $1::int * interval '1 millisecond'`,
    silentMs,
  );
}

/** Nodes that heartbeat within `ttlMs`, with how many live leases each holds. */
export async function liveNodes(db: Db, ttlMs: number): Promise<NodeRow[]> {
  const rows = await db.$queryRawUnsafe<{ id: string; capacity: number; draining: boolean; owned: bigint }[]>(
    `SELECT n.id, n.capacity, n.draining,
            (SELECT count(*) FROM table_leases l WHERE l.node_id = n.id AND l.expires_at > clock_timestamp()) AS owned
       FROM cluster_nodes n
      WHERE n.heartbeat_at > clock_timestamp() - $1::int * interval '1 millisecond'
      ORDER BY n.id`,
    ttlMs,
  );
  return rows.map((r) => ({ id: r.id, capacity: r.capacity, draining: r.draining, owned: Number(r.owned) }));
}

export interface FreeTable {
  tableId: number;
  /** How long its lease has been free, by the database clock (a never-leased table: very long). */
  freeForMs: number;
}

/** Open tables without a live lease. */
export async function freeTables(db: Db): Promise<FreeTable[]> {
  const rows = await db.$queryRawUnsafe<{ id: number; free_ms: number }[]>(
    `SELECT t.id,
            COALESCE(floor(extract(epoch FROM clock_timestamp() - l.expires_at) * 1000), 1e9)::float8 AS free_ms
       FROM poker_tables t LEFT JOIN table_leases l ON l.table_id = t.id
      WHERE t.status = 'OPEN' AND (l.table_id IS NULL OR l.expires_at IS NULL OR l.expires_at <= clock_timestamp())
      ORDER BY t.id`,
  );
  return rows.map((r) => ({ tableId: r.id, freeForMs: Number(r.free_ms) }));
}

/** Who owns each open table now (a live lease), for routing and the lobby. */
export async function tableOwners(db: Db): Promise<Map<number, string>> {
  const rows = await db.$queryRawUnsafe<{ table_id: number; node_id: string }[]>(
    `SELECT table_id, node_id FROM table_leases WHERE node_id <> '' AND (expires_at IS NULL OR expires_at > clock_timestamp())`,
  );
  return new Map(rows.map((r) => [r.table_id, r.node_id]));
}
