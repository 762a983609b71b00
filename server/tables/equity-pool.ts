import { Worker } from 'node:worker_threads';
import type { EquityInput, EquityResult } from '../poker/equity';
import { nameWorkerThread } from '../thread-cpu';

// One worker thread computing all-in equity off the main event loop. Requests
// beyond `queueMax` are dropped (the equity display is a nicety, never worth
// delaying a table); a crashed worker is replaced on the next request.

export interface EquityPool {
  compute(input: EquityInput): Promise<EquityResult | null>;
  close(): Promise<void>;
}

export const EQUITY_QUEUE_MAX = 64;

export function createEquityPool(options: { queueMax?: number; onError?: (message: string) => void } = {}): EquityPool {
  const queueMax = options.queueMax ?? EQUITY_QUEUE_MAX;
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, (result: EquityResult | null) => void>();

  const start = (): Worker => {
    // Beside this module: server/tables/equity-worker.mjs under tsx and vitest; dist/equity-worker.mjs,
    // the same worker with the engine bundled in, when this runs compiled (scripts/build-server.mjs).
    const w = new Worker(new URL('./equity-worker.mjs', import.meta.url));
    nameWorkerThread('equity', w);
    w.unref();
    w.on('message', (m: { id?: number; result?: EquityResult; error?: string }) => {
      if (typeof m.id !== 'number') return; // the thread's id (thread-cpu)
      const resolve = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) options.onError?.(m.error);
      resolve?.(m.result ?? null);
    });
    w.on('error', (error) => options.onError?.(error.message));
    w.on('exit', () => {
      if (worker === w) worker = null;
      for (const resolve of pending.values()) resolve(null);
      pending.clear();
    });
    return w;
  };

  return {
    compute(input) {
      if (pending.size >= queueMax) return Promise.resolve(null);
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        worker!.postMessage({ id, input });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
