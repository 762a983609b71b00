import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../server/db/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/db/embedded';
import { migrate } from '../../server/db/migrate';
import { reconcile } from '../../server/ledger/reconcile';

// One PostgreSQL server for the whole run: TEST_DATABASE_URL when set (CI has
// one), else a throw-away embedded cluster. A migrated template database is
// made once; each test file clones it (CREATE DATABASE ... TEMPLATE), so files
// run in parallel on isolated data. After the run every test database is
// audited with the ledger's reconcile: a violation anywhere fails the run.
// The tests that start the server as a process run the compiled build, so it
// is brought up to date first (a hash check when nothing changed).

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplate: string;
    pgRunPrefix: string;
  }
}

let embedded: EmbeddedDatabase | null = null;
let embeddedDir: string | null = null;

export default async function setup(project: TestProject) {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build-server.mjs', import.meta.url)), '--if-needed', '--quiet'], { stdio: 'inherit' });
  const serverUrl = await startServer();
  const runPrefix = `t${process.pid}_${Date.now().toString(36)}`;
  const template = `${runPrefix}_tmpl`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE "${template}"`));
  await migrate(withDatabase(serverUrl, template));
  project.provide('pgServerUrl', serverUrl);
  project.provide('pgTemplate', template);
  project.provide('pgRunPrefix', runPrefix);

  return async () => {
    const failures = await auditAndDrop(serverUrl, runPrefix);
    if (embedded) await embedded.stop();
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
    if (failures.length > 0) {
      process.exitCode = 1; // vitest reports a throwing teardown but still exits 0
      throw new Error(`reconcile found ledger violations after the tests:\n${failures.join('\n')}`);
    }
  };
}

async function startServer(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  embeddedDir = mkdtempSync(path.join(tmpdir(), 'poker-test-pg-'));
  chmodSync(embeddedDir, 0o755); // the server runs as "postgres" when we are root
  embedded = await startEmbeddedPostgres({
    dataDir: path.join(embeddedDir, 'data'),
    preferredPort: 0, // any free port: several test runs may share a machine
    persistent: false,
  });
  return withDatabase(embedded.url, 'postgres');
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(serverUrl: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

async function auditAndDrop(serverUrl: string, runPrefix: string): Promise<string[]> {
  const { rows } = await admin(serverUrl, (c) =>
    c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname', [`${runPrefix}%`]),
  );
  const failures: string[] = [];
  for (const { datname } of rows) {
    if (!datname.endsWith('_tmpl')) {
      const db = createDb({ url: withDatabase(serverUrl, datname), poolMax: 2 });
      try {
        const report = await reconcile(db);
        if (!report.ok) failures.push(`${datname}: ${report.violations.map((v) => v.message).join('; ')}`);
      } catch (error) {
        failures.push(`${datname}: reconcile failed: ${(error as Error).message}`);
      } finally {
        await db.$disconnect();
      }
    }
    if (process.env.KEEP_TEST_DATABASES !== '1') {
      await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`));
    }
  }
  return failures;
}
