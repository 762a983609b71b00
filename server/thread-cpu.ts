import { readFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';

// CPU time by thread of this process, for /metrics (poker_thread_cpu_seconds_total):
// the main thread (the event loop of every table and socket), each named worker thread
// (the ledger's, the equity's, the export's) and the rest (V8's GC helpers, libuv's pool). The process
// total hides which of them is busy, and a profile of the main thread does not see the
// others at all. Linux only (/proc); elsewhere there is nothing to report.
//
// A worker names its own OS thread: its entry file posts `{ osThreadId }`, read from the
// /proc/thread-self link, as its first message (server/worker-thread-id.mjs, called by
// server/ledger/ledger-worker.mjs and server/tables/equity-worker.mjs), and
// nameWorkerThread files it under a name. (Telling the
// new thread apart from outside, by the task list before and after, is ambiguous whenever
// another thread starts at the same time, such as libuv's pool on its first use.) One name,
// one thread: a process that runs two servers (tests) names the latest one's.

const TASKS = '/proc/self/task';
const USER_HZ = 100;

const named = new Map<string, string>(); // name -> tid

/** Files the worker's thread under `name` once the worker reports its thread id. */
export function nameWorkerThread(name: string, worker: Worker): void {
  let tid: string | null = null;
  const onMessage = (m: unknown) => {
    const reported = (m as { osThreadId?: unknown } | null)?.osThreadId;
    if (typeof reported !== 'string' || !/^\d+$/.test(reported)) return;
    tid = reported;
    named.set(name, tid);
    worker.off('message', onMessage);
  };
  worker.on('message', onMessage);
  worker.once('exit', () => {
    worker.off('message', onMessage);
    if (tid !== null && named.get(name) === tid) named.delete(name);
  });
}

/** User and system CPU time of one /proc stat file (a process's or a thread's), seconds; null when it cannot be read. */
export function procStatCpu(file: string): { user: number; system: number } | null {
  try {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return { user: Number(fields[11]) / USER_HZ, system: Number(fields[12]) / USER_HZ }; // utime, stime
  } catch {
    return null;
  }
}

function statCpuSeconds(file: string): number | null {
  const cpu = procStatCpu(file);
  return cpu === null ? null : cpu.user + cpu.system;
}

export type ThreadCpu = { main: number; other: number } & Record<string, number>;

/**
 * Seconds of CPU by thread since each started: `main`, every named worker that is running,
 * and `other`: the rest of the process's total (GC helpers, libuv's pool, exited workers).
 * Null where /proc is not there.
 */
export function threadCpuSeconds(): ThreadCpu | null {
  const processTotal = statCpuSeconds('/proc/self/stat');
  const main = statCpuSeconds(`${TASKS}/${process.pid}/stat`);
  if (processTotal === null || main === null) return null;
  const result: ThreadCpu = { main, other: 0 };
  let accounted = main;
  for (const [name, tid] of named) {
    const seconds = statCpuSeconds(`${TASKS}/${tid}/stat`);
    if (seconds === null) continue;
    result[name] = seconds;
    accounted += seconds;
  }
  result.other = Math.max(0, processTotal - accounted);
  return result;
}
