import { describe, expect, it } from 'vitest';
import { rendezvousRanking, shouldClaim } from '../../server/tables/placement';

// Rendezvous placement of free tables (decision 019): every node computes the
// same ranking, tables spread evenly, and losing a node moves only its tables.

const nodes = ['node-1', 'node-2', 'node-3'];
const tables = Array.from({ length: 3_000 }, (_, i) => i + 1);
const firstOf = (tableId: number, among: string[]) => rendezvousRanking(tableId, among)[0]!;

describe('rendezvous placement', () => {
  it('is the same whatever order the nodes are listed in', () => {
    for (const tableId of tables.slice(0, 200)) {
      expect(rendezvousRanking(tableId, [...nodes].reverse())).toEqual(rendezvousRanking(tableId, nodes));
    }
  });

  it('spreads tables evenly (each of 3 nodes first for 30-37% of 3,000 tables)', () => {
    const counts = new Map<string, number>();
    for (const tableId of tables) counts.set(firstOf(tableId, nodes), (counts.get(firstOf(tableId, nodes)) ?? 0) + 1);
    for (const id of nodes) expect(counts.get(id)! / tables.length).toBeGreaterThan(0.3);
    for (const id of nodes) expect(counts.get(id)! / tables.length).toBeLessThan(0.37);
  });

  it('a dead node\'s tables spread over the others; every other table keeps its first choice', () => {
    const survivors = nodes.filter((n) => n !== 'node-2');
    let moved = 0;
    const to = new Map<string, number>();
    for (const tableId of tables) {
      const before = firstOf(tableId, nodes);
      const after = firstOf(tableId, survivors);
      if (before !== 'node-2') expect(after).toBe(before);
      else {
        moved++;
        to.set(after, (to.get(after) ?? 0) + 1);
      }
    }
    for (const id of survivors) expect(to.get(id)! / moved).toBeGreaterThan(0.4);
  });

  it('the first-ranked node claims at once; the r-th after r rank delays; a node not eligible never', () => {
    const ranking = rendezvousRanking(7, nodes);
    expect(shouldClaim(ranking[0]!, 7, 0, nodes, 1_000)).toBe(true);
    expect(shouldClaim(ranking[1]!, 7, 999, nodes, 1_000)).toBe(false);
    expect(shouldClaim(ranking[1]!, 7, 1_000, nodes, 1_000)).toBe(true);
    expect(shouldClaim(ranking[2]!, 7, 1_999, nodes, 1_000)).toBe(false);
    expect(shouldClaim(ranking[2]!, 7, 2_000, nodes, 1_000)).toBe(true);
    expect(shouldClaim('node-9', 7, 1e9, nodes, 1_000)).toBe(false);
  });
});
