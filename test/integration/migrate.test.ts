import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, readMigrations, type Migration } from '../../server/db/migrate';
import { withDatabase } from '../support/db';

// The project's migration runner: applies in order, records checksums, is
// idempotent, serialises concurrent boots, and refuses a changed migration.

const created: string[] = [];
async function emptyDatabase(): Promise<string> {
  const name = `${inject('pgRunPrefix')}_m${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: withDatabase(inject('pgServerUrl'), 'postgres') });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  created.push(name);
  return withDatabase(inject('pgServerUrl'), name);
}

afterAll(() => undefined);

describe('migration runner', () => {
  it('applies every migration once and records its checksum', async () => {
    const url = await emptyDatabase();
    const first = await migrate(url);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT name, checksum FROM "_app_migrations" ORDER BY name');
    await client.end();
    expect(rows).toEqual(readMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
  });

  it('five processes booting at once apply each migration exactly once', async () => {
    const url = await emptyDatabase();
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(url)));
    const appliedCounts = results.map((r) => r.applied.length);
    expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
  });

  it('refuses to boot when an applied migration was changed', async () => {
    const url = await emptyDatabase();
    await migrate(url);
    const tampered: Migration[] = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    await expect(migrate(url, tampered)).rejects.toThrow(/was changed after it was applied/);
  });

  it('rolls back a failing migration completely and does not record it', async () => {
    const url = await emptyDatabase();
    const bad: Migration = { name: '99999999999999_bad', sql: 'CREATE TABLE t_ok (id int); SELECT 1/0;', checksum: 'x' };
    await expect(migrate(url, [...readMigrations(), bad])).rejects.toThrow(/99999999999999_bad failed/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const table = await client.query(`SELECT to_regclass('t_ok') AS t`);
    const recorded = await client.query(`SELECT count(*)::int AS n FROM "_app_migrations" WHERE name = $1`, [bad.name]);
    await client.end();
    expect(table.rows[0].t).toBeNull();
    expect(recorded.rows[0].n).toBe(0);
  });
});
