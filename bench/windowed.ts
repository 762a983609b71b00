import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { percentile, type CellPlan } from './support';

// A closed-loop cell, like support.ts's runCell, that also cuts the timed run
// into windows of equal length: throughput, p99 and PostgreSQL backend CPU per
// operation of each window show whether the cost of an operation drifts while
// the ledger grows during the run (issue #11: it did, from ~0.5 to 10-12 ms of
// database CPU per commit within a minute).

export interface WindowStat {
  opsPerSec: number;
  p99Ms: number;
  /** CPU of this database's backends per successful operation in the window; NaN if unknown. */
  pgCpuMsPerOp: number;
}

export interface WindowedResult {
  ops: number;
  errors: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  pgCpuMsPerOp: number;
  nodeCpuMsPerOp: number;
  windows: WindowStat[];
}

/** A cell of support.ts's runCell, cut into windows of `windowMs`. */
export interface WindowedPlan extends CellPlan {
  windowMs: number;
}

interface Done {
  atMs: number;
  latencyMs: number;
}

export async function runWindowedCell(plan: WindowedPlan): Promise<WindowedResult> {
  await runWorkers(plan, performance.now() + plan.warmupMs, null);
  const backendCpuMs = backendCpuMeter(await plan.backendPids());
  const windowCount = Math.max(1, Math.round(plan.durationMs / plan.windowMs));
  const cpuMarks: number[] = [backendCpuMs()];
  const nodeBefore = process.cpuUsage();
  const done: Done[] = [];
  const start = performance.now();
  const ticker = setInterval(() => cpuMarks.push(backendCpuMs()), plan.windowMs);
  let errors: number;
  try {
    errors = await runWorkers(plan, start + windowCount * plan.windowMs, done, start);
  } finally {
    clearInterval(ticker);
  }
  const elapsedMs = performance.now() - start;
  const node = process.cpuUsage(nodeBefore);
  const cpuEnd = backendCpuMs();
  while (cpuMarks.length < windowCount + 1) cpuMarks.push(cpuEnd); // a late tick is folded into the last window
  cpuMarks[windowCount] = cpuEnd;
  const latencies = done.map((d) => d.latencyMs).sort((a, b) => a - b);
  return {
    ops: done.length,
    errors,
    opsPerSec: (done.length / elapsedMs) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    pgCpuMsPerOp: (cpuEnd - cpuMarks[0]!) / Math.max(done.length, 1),
    nodeCpuMsPerOp: ((node.user + node.system) / 1000) / Math.max(done.length, 1),
    windows: Array.from({ length: windowCount }, (_, w) => windowStat(done, w, plan.windowMs, cpuMarks[w + 1]! - cpuMarks[w]!)),
  };
}

function windowStat(done: Done[], w: number, windowMs: number, cpuMs: number): WindowStat {
  const inWindow = done.filter((d) => d.atMs >= w * windowMs && d.atMs < (w + 1) * windowMs);
  const latencies = inWindow.map((d) => d.latencyMs).sort((a, b) => a - b);
  return {
    opsPerSec: (inWindow.length / windowMs) * 1000,
    p99Ms: percentile(latencies, 0.99),
    pgCpuMsPerOp: cpuMs / Math.max(inWindow.length, 1),
  };
}

async function runWorkers(plan: WindowedPlan, deadline: number, done: Done[] | null, start = 0): Promise<number> {
  let errors = 0;
  const worker = async (index: number) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await plan.op(index);
        const now = performance.now();
        done?.push({ atMs: now - start, latencyMs: now - started });
      } catch (error) {
        errors++;
        plan.onError(error);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.workers }, (_, i) => worker(i)));
  return errors;
}

// Linux reports CPU time in clock ticks of 10 ms (USER_HZ is 100 on every
// mainstream architecture). It works only when PostgreSQL runs on this
// machine; elsewhere the figures are NaN.
const USER_HZ = 100;

/**
 * Summed CPU ms of the given backends. A backend that goes away (an idle
 * pooled connection closed) keeps counting with its last reading, so that the
 * sum never goes backwards.
 */
function backendCpuMeter(pids: number[]): () => number {
  const last = new Map<number, number>();
  return () => {
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        last.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ); // utime, stime
      } catch {
        // not on this machine, or the connection closed: its last reading stands
      }
    }
    return last.size === 0 ? NaN : [...last.values()].reduce((a, b) => a + b, 0);
  };
}
