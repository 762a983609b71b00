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
   * Only for the what-if of `bench:ledger -- --named-statements [--custom-plans]`: names
   * each statement by its text, so each connection parses it once, with this
   * `plan_cache_mode` (`auto`: from its sixth execution PostgreSQL may keep a generic plan;
   * `force_custom_plan`: planned every time with its parameters). The first cost more
   * database CPU, the second saved none that showed (docs/performance.md), so the server
   * sends unnamed statements (decision 013).
   */
  namedStatements?: 'auto' | 'force_custom_plan';
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
      ...(options.namedStatements ? [`-c plan_cache_mode=${options.namedStatements}`] : []),
    ].join(' '),
  }, options.namedStatements ? { statementNameGenerator: statementNames() } : undefined);
  // errorFormat 'minimal': otherwise Prisma captures a call site (`new Error()`, a stack trace)
  // on every call, only to point at the caller's line in an error message. Our callers
  // handle errors by code and log their own context; the capture cost, in CPU per
  // transaction of two raw queries, 50-65 µs (docs/performance.md, "Prisma's call-site capture").
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}

/** One name per statement text, shared by the pool's connections (unbounded: the bench's statements are a fixed set). */
function statementNames(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined) names.set(sql, (name = `s${names.size}`));
    return name;
  };
}
