import { createHash } from 'node:crypto';

// Where a free table goes (docs/decisions/019-table-leases-and-placement.md):
// rendezvous (highest random weight) hashing over the live nodes that have
// room. Every node computes the same ranking from the same inputs, so nobody
// has to coordinate: the first-ranked node claims at once, the second only if
// the table is still free after one rank delay, and so on (a first-ranked node
// that is stuck does not strand a table). A dead node's tables spread over the
// others in proportion; a node joining takes only free tables (nothing is
// moved away from a live owner), so a restart causes no stampede.

/** A node's weight for a table: the first 48 bits of SHA-256(node, table). */
function weight(nodeId: string, tableId: number): number {
  return createHash('sha256').update(`${nodeId}\u0000${tableId}`).digest().readUIntBE(0, 6);
}

/** The nodes in the order they should own `tableId` (ties, which need equal hashes, by id). */
export function rendezvousRanking(tableId: number, nodeIds: readonly string[]): string[] {
  return [...nodeIds]
    .map((id) => ({ id, w: weight(id, tableId) }))
    .sort((a, b) => b.w - a.w || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((n) => n.id);
}

/**
 * Whether `me` should claim a table that has been free for `freeForMs`: when it
 * ranks r-th (from 0) among `eligible` nodes and the table has waited r rank delays.
 */
export function shouldClaim(me: string, tableId: number, freeForMs: number, eligible: readonly string[], rankDelayMs: number): boolean {
  const rank = rendezvousRanking(tableId, eligible).indexOf(me);
  return rank >= 0 && freeForMs >= rank * rankDelayMs;
}
