import { Worker } from 'node:worker_threads';
import { nameWorkerThread } from '../thread-cpu';
import type { ExportHand, ExportTexts, ExportWriter } from './hand-history';

// The thread that writes hand exports (server/http/export-worker.mjs), started at the first
// export and kept. Exports already run one at a time in a process (ExportLine), so it holds
// at most one batch at a time; a batch of a thread that exits fails, and the export with it
// (500, the player may ask again); the next batch starts a new thread.

export interface ExportThread {
  write: ExportWriter;
  close(): Promise<void>;
}

export function createExportThread(options: { onError?: (message: string) => void } = {}): ExportThread {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (texts: ExportTexts) => void; reject: (error: Error) => void }>();

  const start = (): Worker => {
    // Beside this module under tsx and vitest; dist/export-worker.mjs when compiled.
    const w = new Worker(new URL('./export-worker.mjs', import.meta.url));
    nameWorkerThread('export', w);
    w.unref(); // the server's sockets keep the process alive, not this thread
    w.on('message', (m: { id?: number; result?: ExportTexts; error?: string }) => {
      if (typeof m.id !== 'number') return; // the thread's id (thread-cpu)
      const call = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) call?.reject(new Error(`the export thread failed: ${m.error}`));
      else call?.resolve(m.result!);
    });
    w.on('error', (error) => options.onError?.(`export thread: ${error.message}`)); // 'exit' follows and fails what is in flight
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      for (const call of pending.values()) call.reject(new Error(`the export thread exited (code ${code})`));
      pending.clear();
    });
    return w;
  };

  return {
    write(hands: ExportHand[]) {
      worker ??= start();
      const id = nextId++;
      return new Promise<ExportTexts>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, hands });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
