import { idleInTransactionTimeoutMs, type Config } from '../config';
import { createDb, type Db } from './client';
import { startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';

// Opens the application's database: DATABASE_URL when set, else the embedded
// PostgreSQL; applies pending migrations; returns the one Prisma client.

export interface OpenDatabase {
  db: Db;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, options: { log?: (message: string) => void } = {}): Promise<OpenDatabase> {
  const embedded = config.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: config.EMBEDDED_PG_DIR, preferredPort: config.EMBEDDED_PG_PORT, log: options.log });
  const url = config.DATABASE_URL ?? embedded!.url;
  try {
    const result = await migrate(url);
    if (result.applied.length > 0) options.log?.(`applied migrations: ${result.applied.join(', ')}`);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const db = createDb({
    url,
    poolMax: config.DB_POOL_MAX,
    lockTimeoutMs: config.DB_LOCK_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: idleInTransactionTimeoutMs(config),
  });
  return {
    db,
    url,
    embedded: embedded !== null,
    close: async () => {
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}
