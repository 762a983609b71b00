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
    ].join(' '),
  });
  // errorFormat 'minimal': otherwise Prisma captures a call site (`new Error()`, a stack trace)
  // on every call, only to point at the caller's line in an error message. Our callers
  // handle errors by code and log their own context; the capture was 65 µs of CPU per
  // transaction of two raw queries (docs/performance.md, "Prisma's call-site capture").
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}
