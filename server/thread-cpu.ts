import { readFileSync, readdirSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';

// CPU time by thread of this process, for /metrics (poker_thread_cpu_seconds_total):
// the main thread (the event loop of every table and socket), each named worker thread
// (the ledger's, the equity's) and the rest (V8's GC helpers, libuv's pool). The process
// total hides which of them is busy, and a profile of the main thread does not see the
// others at all. Linux only (/proc); elsewhere there is nothing to report.
//
// A worker's OS thread is found by the task list: the one thread that appeared between
// `new Worker` and its 'online' event. If two workers start at once (more than one new
// thread), neither is named and their time counts as the rest's. One name, one thread: a
// process that runs two servers (tests) names the latest one's.

const TASKS = '/proc/self/task';
const USER_HZ = 100;

const named = new Map<string, string>(); // name -> tid

/** The task list now: take it just before `new Worker(...)` (the constructor starts the thread). */
export function threadsNow(): Set<string> | null {
  try {
    return new Set(readdirSync(TASKS));
  } catch {
    return null;
  }
}

/** Names the worker's thread once it is online; `before`: threadsNow() from just before it was created. */
export function nameWorkerThread(name: string, worker: Worker, before: Set<string> | null): void {
  if (!before) return;
  let tid: string | null = null;
  worker.once('online', () => {
    const added = [...(threadsNow() ?? [])].filter((t) => !before.has(t));
    if (added.length !== 1) return;
    tid = added[0]!;
    named.set(name, tid);
  });
  worker.once('exit', () => {
    if (tid !== null && named.get(name) === tid) named.delete(name);
  });
}

/** utime + stime of one /proc stat file, seconds; null when it cannot be read. */
function statCpuSeconds(file: string): number | null {
  try {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
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
