// A worker thread's first message: its OS thread id, read from the /proc/thread-self link, so
// the main thread can file its CPU time under a name (server/thread-cpu.ts nameWorkerThread,
// poker_thread_cpu_seconds_total). Plain .mjs: the workers import it before any TypeScript
// loader is up, and the compiled build bundles it into each worker. Linux only; elsewhere
// it sends nothing.
import { readlinkSync } from 'node:fs';

export function reportOsThreadId(port) {
  let id;
  try {
    id = readlinkSync('/proc/thread-self').split('/').pop();
  } catch {
    return; // no /proc: nothing to name
  }
  port.postMessage({ osThreadId: id });
}
