import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * What the figures were measured on. The VM these benchmarks run on has not always been the
 * same hardware (an AMD EPYC for the engine figures of 2026-11-26, an Intel Xeon on
 * 2026-12-05), and the same code took a third more server CPU per action on one VM than on
 * another, with a scale-run ack p99 five to six times higher (docs/performance.md, "Another
 * machine"). So every benchmark prints this before its figures.
 */
export function machineLine(): string {
  const cpus = os.cpus();
  const mhz = cpus[0]?.speed ? `${cpus[0].speed} MHz` : cpuinfoMhz();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cpus (${mhz}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${load} at start`;
}

/** os.cpus() reports speed 0 in this VM; /proc/cpuinfo still has the clock. */
function cpuinfoMhz(): string {
  try {
    const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? `${Math.round(Number(m[1]))} MHz` : 'speed unknown';
  } catch {
    return 'speed unknown';
  }
}
