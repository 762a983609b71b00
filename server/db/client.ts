import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

// The one way the application talks to the database: a Prisma 7 client over
// node-postgres (no Rust engine). Timeouts are set per connection so that no
// transaction can hold balance locks for long: a stuck lock wait fails with
// lock_timeout and the ledger retries; a forgotten open transaction is killed.

export type Db = PrismaClient;

export interface DbOptions {
  url: string;
  poolMax?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /**
   * Names each statement (so PostgreSQL keeps its plan per connection): only for the what-if
   * of `bench:ledger -- --named-statements`. The server sends unnamed statements (decision 013).
   */
  nameStatement?: (sql: string) => string;
  /**
   * PostgreSQL's `plan_cache_mode` for the connections (default: the database's, `auto`).
   * `force_custom_plan` plans a named statement again on every execution, with its
   * parameters, so it can never keep a plan made while a table was small. Only with
   * nameStatement, for `bench:ledger -- --named-statements --custom-plans`: it saved no
   * database CPU that showed (docs/performance.md), so the server does not use it.
   */
  planCacheMode?: 'auto' | 'force_custom_plan';
}

export function createDb(options: DbOptions): Db {
  // Passing the pool *config* lets the adapter own the pool, so $disconnect() closes it.
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolMax ?? 20,
    options: [
      `-c lock_timeout=${options.lockTimeoutMs ?? 5_000}`,
      `-c statement_timeout=${options.statementTimeoutMs ?? 15_000}`,
      `-c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs ?? 30_000}`,
      ...(options.planCacheMode ? [`-c plan_cache_mode=${options.planCacheMode}`] : []),
    ].join(' '),
  }, options.nameStatement ? { statementNameGenerator: (query) => options.nameStatement!(query.sql) } : undefined);
  // errorFormat 'minimal': otherwise Prisma captures a call site (`new Error()`, a stack trace)
  // on every call, only to point at the caller's line in an error message. Our callers
  // handle errors by code and log their own context; the capture cost, in CPU per
  // transaction of two raw queries, 50-65 µs (docs/performance.md, "Prisma's call-site capture").
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}
