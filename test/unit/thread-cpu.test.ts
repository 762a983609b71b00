import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/metrics';
import { parseCards } from '../../server/poker/cards';
import { nameWorkerThread, threadCpuSeconds } from '../../server/thread-cpu';

// A worker that reports its thread as the server's workers do (or not), spins for `ms` of
// wall time, then waits to be told to exit.
// It reports with the workers' own helper (server/worker-thread-id.mjs).
const REPORTER = new URL('../../server/worker-thread-id.mjs', import.meta.url).href;
const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  if (workerData.report) (await import(workerData.reporter)).reportOsThreadId(parentPort);
  const until = Date.now() + workerData.ms;
  while (Date.now() < until) {}
  parentPort.postMessage('spun');
  parentPort.once('message', () => process.exit(0));
})();
`;

async function spinner(name: string, ms: number, report: boolean): Promise<Worker> {
  const worker = new Worker(SPIN, { eval: true, workerData: { ms, report, reporter: REPORTER } });
  nameWorkerThread(name, worker);
  await new Promise<void>((resolve) => worker.on('message', (m) => m === 'spun' && resolve()));
  return worker;
}

async function stop(worker: Worker): Promise<void> {
  worker.postMessage('exit');
  await once(worker, 'exit');
}

describe.runIf(existsSync('/proc/thread-self'))('CPU time by thread (/proc)', () => {
  it("names a worker's thread, counts its CPU apart from the main thread's, and forgets it when it exits", async () => {
    const before = threadCpuSeconds()!;
    const worker = await spinner('spinner', 400, true);
    const during = threadCpuSeconds()!;
    // It spun for 0.4 s of wall time: most of that is its CPU (2 cores, a busy CI allowed for).
    expect(during.spinner).toBeGreaterThan(0.1);
    // The main thread only waited for it meanwhile.
    expect(during.main - before.main).toBeLessThan(during.spinner!);
    expect(during.other).toBeGreaterThanOrEqual(0);

    const metrics = createMetrics();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^poker_thread_cpu_seconds_total\{thread="main"\} \d/m);
    expect(text).toMatch(/^poker_thread_cpu_seconds_total\{thread="spinner"\} \d/m);

    await stop(worker);
    const after = threadCpuSeconds()!;
    expect(after.spinner).toBeUndefined();
    // Its time is not lost: the process total still holds it, now under "other".
    expect(after.other).toBeGreaterThanOrEqual(during.other + during.spinner! - 0.05);
  });

  it('leaves a worker that does not report its thread unnamed: its time counts as the rest', async () => {
    const worker = await spinner('silent', 200, false);
    expect(threadCpuSeconds()!.silent).toBeUndefined();
    await stop(worker);
  });

  it("names the equity pool's thread", async () => {
    const { createEquityPool } = await import('../../server/tables/equity-pool');
    const pool = createEquityPool();
    const result = await pool.compute({ variant: 'NLHE', hands: [parseCards('AsAh'), parseCards('KsKh')], board: [] });
    expect(result?.boards).toBe(1_712_304);
    expect(threadCpuSeconds()!.equity).toBeGreaterThanOrEqual(0);
    await pool.close();
    expect(threadCpuSeconds()!.equity).toBeUndefined();
  });
});
