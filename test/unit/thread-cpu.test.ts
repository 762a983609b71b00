import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/metrics';
import { nameWorkerThread, threadCpuSeconds, threadsNow } from '../../server/thread-cpu';

// A worker that spins for `ms` of wall time, then waits to be told to exit.
const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const until = Date.now() + workerData.ms;
while (Date.now() < until) {}
parentPort.postMessage('spun');
parentPort.once('message', () => process.exit(0));
`;

describe.runIf(existsSync('/proc/self/task'))('CPU time by thread (/proc)', () => {
  it("names a worker's thread, counts its CPU apart from the main thread's, and forgets it when it exits", async () => {
    const before = threadCpuSeconds()!;
    const tasks = threadsNow();
    const worker = new Worker(SPIN, { eval: true, workerData: { ms: 400 } });
    nameWorkerThread('spinner', worker, tasks);
    await once(worker, 'message');
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

    worker.postMessage('exit');
    await once(worker, 'exit');
    const after = threadCpuSeconds()!;
    expect(after.spinner).toBeUndefined();
    // Its time is not lost: the process total still holds it, now under "other".
    expect(after.other).toBeGreaterThanOrEqual(during.other! + during.spinner! - 0.05);
  });

  it('leaves a worker unnamed when it cannot tell its thread from another that started with it', async () => {
    const tasks = threadsNow();
    const first = new Worker(SPIN, { eval: true, workerData: { ms: 0 } });
    const second = new Worker(SPIN, { eval: true, workerData: { ms: 0 } });
    nameWorkerThread('first', first, tasks);
    await Promise.all([once(first, 'message'), once(second, 'message')]);
    expect(threadCpuSeconds()!.first).toBeUndefined();
    for (const w of [first, second]) w.postMessage('exit');
    await Promise.all([once(first, 'exit'), once(second, 'exit')]);
  });
});
