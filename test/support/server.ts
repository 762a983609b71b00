import pino from 'pino';
import { startServer, type RunningServer } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { TableSettings } from '../../server/tables/settings';
import { createTestDatabase, type TestDatabase } from './db';

// A real server (HTTP + Socket.IO + table actors) on a fresh test database,
// listening on a free loopback port, with fast table timings.

export interface TestServer {
  server: RunningServer;
  t: TestDatabase;
  url: string;
  close(): Promise<void>;
}

export const FAST_TABLES: Partial<TableSettings> = {
  handIntervalMs: 30,
  // An all-in run-out still goes street by street (the paced path), only fast; no showdown hold.
  runOutStreetMs: 5,
  showdownHoldMs: 0,
  settleRetryMs: 20,
  disconnectGraceMs: 1_500,
  timeBankMs: 0,
};

export async function startTestServer(options: {
  tableSettings?: Partial<TableSettings>;
  env?: Record<string, string>;
  /** Reuse this database (a restart of the server): close() leaves it open. */
  database?: TestDatabase;
} = {}): Promise<TestServer> {
  const t = options.database ?? (await createTestDatabase({ poolMax: 20 }));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: t.url, LOG_LEVEL: 'silent', ...options.env });
  const server = await startServer({
    config,
    database: { db: t.db, url: t.url, embedded: false, close: async () => {} },
    tableSettings: { ...FAST_TABLES, ...options.tableSettings },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    authRoutes: { limits: { ipAttemptsPerMinute: 10_000, usernameFailuresPerMinute: 10_000 } },
  });
  return {
    server,
    t,
    url: server.url,
    close: async () => {
      await server.close(2_000);
      if (!options.database) await t.close();
    },
  };
}
