import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { expectedSqlType, readSchema, type Schema } from '../support/prisma-schema';

// schema.prisma is the source of truth; migrations are written by hand. This
// proves they agree: every model, column, type, nullability, default, primary
// key, unique, index, enum and foreign key.

let t: TestDatabase;
let schema: Schema;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 2 });
  schema = readSchema(path.resolve('prisma/schema.prisma'));
});
afterAll(async () => {
  await t.close();
});

async function query<T>(sql: string): Promise<T[]> {
  const client = await t.raw();
  return (await client.query(sql)).rows as T[];
}

const sorted = (list: string[]) => [...list].sort();
const key = (table: string, columns: string[]) => `${table}(${columns.join(',')})`;

describe('schema.prisma and the migrated database agree', () => {
  it('has exactly the tables of the models', async () => {
    const rows = await query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_app_migrations'`,
    );
    expect(sorted(rows.map((r) => r.table_name))).toEqual(sorted(schema.models.map((m) => m.table)));
  });

  it('has every column with its type, nullability and default', async () => {
    const rows = await query<{ table_name: string; column_name: string; type: string; not_null: boolean; default: string | null }>(`
      SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
             a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_app_migrations'`);
    const actual = rows.map((r) => `${r.table_name}.${r.column_name} ${r.type} ${r.not_null ? 'NOT NULL' : 'NULL'} ${r.default === null ? 'no-default' : r.default.startsWith('nextval(') ? 'autoincrement' : 'default'}`);
    const expected = schema.models.flatMap((m) => m.fields.filter((f) => !f.relation).map((f) =>
      `${m.table}.${f.column} ${expectedSqlType(f, schema.enums)} ${f.optional ? 'NULL' : 'NOT NULL'} ${f.autoincrement ? 'autoincrement' : f.hasDefault ? 'default' : 'no-default'}`));
    expect(sorted(actual)).toEqual(sorted(expected));
  });

  it('has the primary keys, unique constraints and indexes', async () => {
    const rows = await query<{ table_name: string; columns: string[]; is_unique: boolean; is_primary: boolean }>(`
      SELECT t.relname AS table_name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
             array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND t.relname <> '_app_migrations'`);
    const pick = (filter: (r: (typeof rows)[number]) => boolean) => sorted(rows.filter(filter).map((r) => key(r.table_name, r.columns)));
    expect(pick((r) => r.is_primary)).toEqual(sorted(schema.models.map((m) => key(m.table, m.primaryKey))));
    expect(pick((r) => r.is_unique && !r.is_primary)).toEqual(sorted(schema.models.flatMap((m) => m.uniques.map((u) => key(m.table, u)))));
    expect(pick((r) => !r.is_unique)).toEqual(sorted(schema.models.flatMap((m) => m.indexes.map((u) => key(m.table, u)))));
  });

  it('has the enums with their values in order', async () => {
    const rows = await query<{ name: string; values: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.values]))).toEqual(Object.fromEntries(schema.enums));
  });

  it('has the foreign keys of the relations', async () => {
    const rows = await query<{ fk: string }>(`
      SELECT c.conrelid::regclass::text || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n)
             || ')->' || c.confrelid::regclass::text || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) || ')' AS fk
        FROM pg_constraint c WHERE c.contype = 'f'`);
    const tableOf = new Map(schema.models.map((m) => [m.name, m]));
    const expected = schema.models.flatMap((m) => m.fields.filter((f) => f.relation).map((f) => {
      const target = tableOf.get(f.type)!;
      const refColumns = f.relation!.references.map((r) => target.fields.find((x) => x.name === r)!.column);
      return `${m.table}(${f.relation!.fields.join(',')})->${target.table}(${refColumns.join(',')})`;
    }));
    expect(sorted(rows.map((r) => r.fk.replace(/"/g, '')))).toEqual(sorted(expected));
  });
});
