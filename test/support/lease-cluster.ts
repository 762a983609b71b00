import { launchCluster, type Cluster } from '../../server/cluster/launch';
import { insertTable } from '../../server/tables/store';
import { createTestDatabase, type TestDatabase } from './db';

// Two real nodes, a Redis of the test's own and one table, with a lease short enough for a
// test to make an owner lose it (SIGSTOP past LEASE_TTL_MS): the set-up of the cluster tests
// that stop an owner (cluster-pause, cluster-stale-owner).

export const LEASE_TTL_MS = 3_000;

export interface LeaseCluster {
  t: TestDatabase;
  cluster: Cluster;
  tableId: number;
  /** The node holding a live lease on the table now, if any. */
  ownerOf(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startLeaseCluster(tableName: string): Promise<LeaseCluster> {
  const t = await createTestDatabase({ poolMax: 4 });
  const tableId = (await insertTable(t.db, {
    name: tableName, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 400, actionTimeoutMs: 8_000,
  })).id;
  const cluster = await launchCluster({
    nodes: 2,
    databaseUrl: t.url,
    spawnRedis: true,
    env: {
      LOG_LEVEL: 'warn', LEASE_TTL_MS: String(LEASE_TTL_MS), DRAIN_GRACE_MS: '5000', LEDGER_THREAD: 'main',
      HAND_INTERVAL_MS: '300', SHOWDOWN_HOLD_MS: '300', RUN_OUT_STREET_MS: '100', DISCONNECT_GRACE_MS: '30000', TIME_BANK_MS: '0',
    },
  });
  return {
    t,
    cluster,
    tableId,
    ownerOf: async () => {
      const rows = await t.db.$queryRawUnsafe<{ node_id: string }[]>(
        `SELECT node_id FROM table_leases WHERE table_id = $1 AND expires_at > clock_timestamp()`, tableId,
      );
      return rows[0]?.node_id;
    },
    close: async () => {
      await cluster.close();
      await t.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it holds; throws naming `what` after `withinMs`. */
export async function until(check: () => Promise<boolean> | boolean, withinMs: number, what: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
