import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../../server/db/client';
import { createLedger, type Ledger, type LedgerDeps } from '../../server/ledger/transactions';
import { withDatabase } from './global-setup';

// A fresh, migrated database per caller (cloned from the run's template).
// It is audited with reconcile and dropped by the global teardown.

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  ledger: Ledger;
  deps: LedgerDeps;
  /** A raw pg client for things the app never does (catalog queries, tampering). */
  raw(): Promise<pg.Client>;
  close(): Promise<void>;
}

export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const name = `${inject('pgRunPrefix')}_${randomBytes(4).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await adminClient.connect();
  try {
    await adminClient.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('pgTemplate')}"`);
  } finally {
    await adminClient.end();
  }
  const url = withDatabase(serverUrl, name);
  const db = createDb({ url, poolMax: options.poolMax ?? 20, lockTimeoutMs: 5_000 });
  const deps: LedgerDeps = { db, chipsPerUsd: 100, purchaseMinCents: 100n, purchaseMaxCents: 10_000_000n, now: () => Date.now(), stats: { retries: 0 } };
  const clients: pg.Client[] = [];
  return {
    url,
    name,
    db,
    deps,
    ledger: createLedger(deps),
    raw: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.end()));
      await db.$disconnect();
    },
  };
}

export { withDatabase };

let counter = 0;
export function uniqueKey(prefix = 'k'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** Users, a table with pot and rake accounts. */
export async function seedTable(db: Db, overrides: Partial<{ minBuyIn: bigint; maxBuyIn: bigint; maxSeats: number }> = {}) {
  const table = await db.pokerTable.create({
    data: {
      name: `table-${randomBytes(4).toString('hex')}`,
      variant: 'NLHE',
      maxSeats: overrides.maxSeats ?? 6,
      smallBlind: 1n,
      bigBlind: 2n,
      minBuyIn: overrides.minBuyIn ?? 40n,
      maxBuyIn: overrides.maxBuyIn ?? 1_000n,
    },
  });
  await db.account.createMany({
    data: [
      { kind: 'POT', code: `pot:${table.id}`, tableId: table.id },
      { kind: 'RAKE', code: `rake:${table.id}`, tableId: table.id },
    ],
  });
  return table;
}

export async function seedUsers(db: Db, count: number, prefix = 'user'): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const user = await db.user.create({ data: { username: `${prefix}-${i}-${randomBytes(3).toString('hex')}`, passwordHash: 'x' } });
    ids.push(user.id);
  }
  return ids;
}
