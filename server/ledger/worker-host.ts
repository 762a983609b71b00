import type { MessagePort } from 'node:worker_threads';
import { createDb, type DbOptions } from '../db/client';
import { createLedger, type Ledger } from './transactions';
import { wallClock } from '../wall-clock';

// The ledger's side of the ledger thread (docs/decisions/017-ledger-thread.md):
// its own Prisma client and pool, serving the Ledger's calls one message each.
// Every call still runs as one Prisma interactive transaction here; what moves
// is only whose event loop turns its round trips around. On the main thread
// that loop also encodes and writes every socket frame, and under load each
// BEGIN / lock / write / COMMIT waited behind it while the transaction held its
// row locks ("idle in transaction"). Here nothing else runs between them.

export interface LedgerThreadOptions {
  db: DbOptions;
  chipsPerUsd: number;
  purchaseMinCents: bigint;
  purchaseMaxCents: bigint;
}

export type LedgerOp = keyof Ledger;

export interface LedgerRequest {
  id: number;
  op: LedgerOp;
  input?: unknown;
  /** When the main thread posted it (performance.timeOrigin + performance.now(), ms). */
  sentAt?: number;
}

/**
 * Where a call's time went, in ms: waiting for the ledger thread to take the message,
 * inside the thread (its transaction, round trips and CPU), and when the reply was posted.
 */
export interface LedgerTiming {
  queuedMs: number;
  threadMs: number;
  repliedAt: number;
}

/** An error as it crosses the thread boundary: what isTransientDbError and sqlState read. */
export interface CrossedError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  meta?: unknown;
  cause?: { code?: unknown; originalCode?: unknown; message?: unknown };
}

export type LedgerReply = ({ id: number; result: unknown } | { id: number; error: CrossedError }) & { timing?: LedgerTiming };

/** A clock both threads read alike (performance.now() is per thread). */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

export function crossError(error: unknown): CrossedError {
  const e = (error ?? {}) as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown; meta?: unknown; cause?: { code?: unknown; originalCode?: unknown; message?: unknown } };
  return {
    name: String(e.name ?? 'Error'),
    message: String(e.message ?? error),
    stack: typeof e.stack === 'string' ? e.stack : undefined,
    code: e.code,
    // meta may hold anything; keep what survives a structured clone.
    meta: e.meta === undefined ? undefined : JSON.parse(JSON.stringify(e.meta, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))),
    cause: e.cause ? { code: e.cause.code, originalCode: e.cause.originalCode, message: e.cause.message } : undefined,
  };
}

const OPS: ReadonlySet<string> = new Set<LedgerOp>([
  'buyChips', 'buyIn', 'topUp', 'cashOut', 'settleHand', 'adjust', 'transferBetweenWallets', 'closeTable', 'reconcile',
]);

export function hostLedger(port: MessagePort, options: LedgerThreadOptions): void {
  const db = createDb(options.db);
  const ledger = createLedger({
    db, chipsPerUsd: options.chipsPerUsd, purchaseMinCents: options.purchaseMinCents, purchaseMaxCents: options.purchaseMaxCents,
    now: wallClock,
  });
  port.on('message', (request: LedgerRequest | { close: true }) => {
    if ('close' in request) {
      void db.$disconnect().finally(() => port.postMessage({ closed: true }));
      return;
    }
    if (!OPS.has(request.op)) {
      port.postMessage({ id: request.id, error: crossError(new Error(`no ledger operation ${String(request.op)}`)) } satisfies LedgerReply);
      return;
    }
    const received = sharedNow();
    const timing = (): LedgerTiming => {
      const repliedAt = sharedNow();
      return { queuedMs: request.sentAt === undefined ? 0 : Math.max(0, received - request.sentAt), threadMs: repliedAt - received, repliedAt };
    };
    const call = (ledger[request.op] as (input?: unknown) => Promise<unknown>)(request.input);
    call.then(
      (result) => port.postMessage({ id: request.id, result, timing: timing() } satisfies LedgerReply),
      (error: unknown) => port.postMessage({ id: request.id, error: crossError(error), timing: timing() } satisfies LedgerReply),
    );
  });
}
