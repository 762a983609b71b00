import { Worker } from 'node:worker_threads';
import { nameWorkerThread } from '../thread-cpu';
import type { Ledger } from './transactions';
import { sharedNow, type CrossedError, type LedgerOp, type LedgerReply, type LedgerThreadOptions } from './worker-host';

// The main thread's handle on the ledger thread (docs/decisions/017-ledger-thread.md):
// a Ledger whose every call is one message to the thread and one reply. Inputs
// and results (bigints included) cross by structured clone; an error crosses
// with the fields the callers classify it by (code, meta, cause), so a
// transient database error is still transient on this side.
//
// If the thread dies, its calls in flight fail with `ledger/thread_exited`
// (thrown as a transient error: their transactions either committed before or
// were rolled back with the connection; an idempotent retry answers which) and
// the next call starts a new thread.

export interface LedgerThread extends Ledger {
  close(): Promise<void>;
}

/** Thrown for calls in flight when the thread exits; classified as transient (a connection lost). */
export class LedgerThreadExited extends Error {
  readonly code = 'ECONNRESET';
  constructor(message: string) {
    super(message);
    this.name = 'LedgerThreadExited';
  }
}

function uncross(crossed: CrossedError): Error {
  const error = new Error(crossed.message) as Error & { code?: unknown; meta?: unknown; cause?: unknown };
  error.name = crossed.name;
  if (crossed.stack) error.stack = crossed.stack;
  if (crossed.code !== undefined) error.code = crossed.code;
  if (crossed.meta !== undefined) error.meta = crossed.meta;
  if (crossed.cause !== undefined) error.cause = crossed.cause;
  return error;
}

/** Seconds a call spent in each stage: to the thread, in it, and back to this thread. */
export type LedgerStage = 'to_thread' | 'in_thread' | 'to_main';

export function createLedgerThread(options: LedgerThreadOptions & {
  onError?: (message: string) => void;
  onTiming?: (op: LedgerOp, stage: LedgerStage, seconds: number) => void;
}): LedgerThread {
  const { onError, onTiming, ...workerData } = options;
  let worker: Worker | null = null;
  let ready: Promise<void> | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; op?: LedgerOp }>();

  const start = (): Worker => {
    // Beside this module under tsx and vitest; dist/ledger-worker.mjs when compiled.
    const w = new Worker(new URL('./ledger-worker.mjs', import.meta.url), { workerData });
    nameWorkerThread('ledger', w);
    w.unref(); // the server's sockets keep the process alive, not this thread
    let markReady!: () => void;
    ready = new Promise((resolve) => (markReady = resolve));
    w.on('message', (m: LedgerReply | { ready: true } | { closed: true }) => {
      if ('ready' in m) return markReady();
      if (!('id' in m)) return;
      const call = pending.get(m.id);
      pending.delete(m.id);
      if (!call) return;
      if (m.timing && call.op && onTiming) {
        onTiming(call.op, 'to_thread', m.timing.queuedMs / 1000);
        onTiming(call.op, 'in_thread', m.timing.threadMs / 1000);
        onTiming(call.op, 'to_main', Math.max(0, sharedNow() - m.timing.repliedAt) / 1000);
      }
      if ('error' in m) call.reject(uncross(m.error));
      else call.resolve(m.result);
    });
    w.on('error', (error) => onError?.(`ledger thread: ${error.message}`));
    w.on('exit', (code) => {
      if (worker === w) {
        worker = null;
        ready = null;
      }
      for (const call of pending.values()) call.reject(new LedgerThreadExited(`the ledger thread exited (code ${code})`));
      pending.clear();
      markReady();
    });
    return w;
  };

  const call = async <T>(op: LedgerOp, input?: unknown): Promise<T> => {
    if (!worker) worker = start();
    const w = worker;
    await ready;
    if (worker !== w) throw new LedgerThreadExited('the ledger thread exited before the call was sent');
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, op });
      w.postMessage({ id, op, input, sentAt: sharedNow() });
    });
  };

  return {
    buyChips: (input) => call('buyChips', input),
    buyIn: (input) => call('buyIn', input),
    topUp: (input) => call('topUp', input),
    cashOut: (input) => call('cashOut', input),
    settleHand: (input) => call('settleHand', input),
    adjust: (input) => call('adjust', input),
    transferBetweenWallets: (input) => call('transferBetweenWallets', input),
    closeTable: (input) => call('closeTable', input),
    reconcile: () => call('reconcile'),
    async close() {
      const w = worker;
      worker = null;
      if (!w) return;
      // Let the calls in flight finish, then close the pool inside the thread.
      await Promise.allSettled([...pending.keys()].map((id) => new Promise<void>((resolve) => {
        const entry = pending.get(id);
        if (!entry) return resolve();
        const { resolve: done, reject } = entry;
        pending.set(id, { resolve: (v) => (done(v), resolve()), reject: (e) => (reject(e), resolve()) });
      })));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        w.once('message', () => (clearTimeout(timer), resolve()));
        w.postMessage({ close: true });
      });
      await w.terminate();
    },
  };
}
