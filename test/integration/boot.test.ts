import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server-process';

// Acceptance: with no DATABASE_URL the server starts its own embedded
// PostgreSQL, serves /healthz, and keeps its data across a stop and a start.

const dir = mkdtempSync(path.join(tmpdir(), 'poker-boot-'));
chmodSync(dir, 0o755);
const dataDir = path.join(dir, 'pg');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withEmbeddedDb<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const port = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
  const client = new pg.Client({ connectionString: `postgresql://poker:poker@127.0.0.1:${port}/poker` });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

describe('boot with the embedded database', () => {
  it('serves /healthz and /readyz with no DATABASE_URL, and keeps data across restarts', async () => {
    const env = { DATABASE_URL: undefined, EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: '0' };
    const first = await startServerProcess(env, 120_000);
    try {
      expect(await (await fetch(`${first.baseUrl}/healthz`)).json()).toEqual({ ok: true });
      expect((await fetch(`${first.baseUrl}/readyz`)).status).toBe(200);
      await withEmbeddedDb((c) => c.query(`INSERT INTO users (username, password_hash) VALUES ('survivor', 'x')`));
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    const second = await startServerProcess(env, 120_000);
    try {
      const rows = await withEmbeddedDb((c) => c.query(`SELECT username FROM users WHERE username = 'survivor'`));
      expect(rows.rowCount).toBe(1);
      expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses a bad configuration value with a message naming the variable', async () => {
    await expect(startServerProcess({ PORT: '70000', DATABASE_URL: 'mysql://nope' }, 20_000)).rejects.toThrow(
      /DATABASE_URL="mysql:\/\/nope": must be a URL starting with postgres/,
    );
  });
});
