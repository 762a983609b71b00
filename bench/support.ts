import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../server/db/embedded';
import { migrate } from '../server/db/migrate';
import { procStatCpu } from '../server/thread-cpu';

// Plumbing for the ledger benchmark: where the database comes from, a seeded
// PRNG for the workload, a closed-loop load runner, percentiles, and an
// optional per-statement timer hooked into node-postgres (which Prisma's
// adapter-pg also uses, so both sides are timed by the same code).

// ---- database ---------------------------------------------------------------------

/** Per-connection limits, the same for the Prisma pool and the raw pool (createDb's defaults). */
export const connectionLimits = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 30_000,
} as const;

export function pgOptionsString(): string {
  return [
    `-c lock_timeout=${connectionLimits.lockTimeoutMs}`,
    `-c statement_timeout=${connectionLimits.statementTimeoutMs}`,
    `-c idle_in_transaction_session_timeout=${connectionLimits.idleInTransactionTimeoutMs}`,
  ].join(' ');
}

export interface BenchDatabase {
  url: string;
  /** "external <host:port>" or "embedded". */
  source: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database: a new bench_<random> database on the server named
 * by BENCH_DATABASE_URL / DATABASE_URL, else a throw-away embedded cluster.
 */
export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  const opened = serverUrl ? await freshDatabaseOn(serverUrl) : await embeddedCluster(log);
  try {
    await migrate(opened.url);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

async function freshDatabaseOn(serverUrl: string): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(serverUrl, name);
  return {
    url,
    source: `external ${new URL(serverUrl).host}`,
    close: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function embeddedCluster(log: (line: string) => void): Promise<BenchDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-ledger-'));
  // As root, PostgreSQL runs as the postgres user, which must reach the data directory.
  chmodSync(dir, 0o755);
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    preferredPort: await freePort(),
    database: 'bench',
    persistent: false,
    log,
  });
  return {
    url: cluster.url,
    source: 'embedded',
    close: async () => {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

// ---- workload randomness ------------------------------------------------------------

/** mulberry32: small, seeded, reproducible; the workload is not security-relevant. */
export function seededRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function randomIntBelow(rng: () => number, bound: number): number {
  return Math.floor(rng() * bound);
}

// ---- load runner ----------------------------------------------------------------------

/** One timed run of one cell; several samples of a cell are merged by summarize(). */
export interface Sample {
  latenciesMs: number[];
  elapsedMs: number;
  errors: number;
  clientCpuMs: number;
  serverCpuMs: number;
  hostBusyMs: number;
  hostTotalMs: number;
}

export interface CellResult {
  ops: number;
  errors: number;
  opsPerSec: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of this Node process per operation (JS, Prisma, pg, hashing). */
  clientCpuMsPerOp: number;
  /** CPU time of the PostgreSQL backends serving this database, per operation; NaN if unknown. */
  serverCpuMsPerOp: number;
  /** Share of the machine's CPU time that was busy (every process, not just ours). */
  hostBusy: number;
}

export interface CellPlan {
  workers: number;
  warmupMs: number;
  durationMs: number;
  /** One operation by worker `worker`; throws on failure. */
  op: (worker: number) => Promise<void>;
  /** Process ids of the database backends (sampled after the warm-up), for CPU accounting. */
  backendPids: () => Promise<number[]>;
  onError: (error: unknown) => void;
}

/**
 * Closed loop: each worker issues its next operation as soon as the previous
 * one returns. A warm-up (not recorded) opens the pool's connections and warms
 * the plan caches; then every operation started before the deadline is timed.
 */
export async function runCell(plan: CellPlan): Promise<Sample> {
  await runWorkers(plan, performance.now() + plan.warmupMs, null);
  const serverBefore = backendCpuMs(await plan.backendPids());
  const hostBefore = hostCpuMs();
  const cpuBefore = process.cpuUsage();
  const latenciesMs: number[] = [];
  const start = performance.now();
  const errors = await runWorkers(plan, start + plan.durationMs, latenciesMs);
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const hostAfter = hostCpuMs();
  return {
    latenciesMs,
    elapsedMs,
    errors,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    serverCpuMs: cpuDelta(serverBefore, backendCpuMs([...serverBefore.keys()])),
    hostBusyMs: hostAfter.busy - hostBefore.busy,
    hostTotalMs: hostAfter.total - hostBefore.total,
  };
}

export function summarize(samples: Sample[]): CellResult {
  const latencies = samples.flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
  const sum = (pick: (s: Sample) => number) => samples.reduce((total, s) => total + pick(s), 0);
  const ops = latencies.length;
  const perOp = (ms: number) => ms / Math.max(ops, 1);
  return {
    ops,
    errors: sum((s) => s.errors),
    opsPerSec: (ops / sum((s) => s.elapsedMs)) * 1000,
    meanMs: perOp(latencies.reduce((a, b) => a + b, 0)),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    clientCpuMsPerOp: perOp(sum((s) => s.clientCpuMs)),
    serverCpuMsPerOp: perOp(sum((s) => s.serverCpuMs)),
    hostBusy: sum((s) => s.hostBusyMs) / sum((s) => s.hostTotalMs),
  };
}

async function runWorkers(plan: CellPlan, deadline: number, latencies: number[] | null): Promise<number> {
  let errors = 0;
  const worker = async (index: number) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await plan.op(index);
        latencies?.push(performance.now() - started);
      } catch (error) {
        errors++;
        plan.onError(error);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.workers }, (_, i) => worker(i)));
  return errors;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}

// Linux reports CPU time in clock ticks of 10 ms (USER_HZ is 100 on every
// mainstream architecture). Backend CPU works only when PostgreSQL runs on
// this machine; elsewhere the figures are NaN.
const USER_HZ = 100;

/** CPU ms per backend pid; a backend that is gone by the end was idle and is left out. */
function backendCpuMs(pids: number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    const stat = procStatCpu(`/proc/${pid}/stat`); // null: not on this machine, or the connection closed
    if (stat) cpu.set(pid, (stat.user + stat.system) * 1000);
  }
  return cpu;
}

/** System (kernel) CPU time of one process so far, ms: its syscalls, loopback TCP included; NaN without /proc. */
export function processSystemCpuMs(pid: number): number {
  const stat = procStatCpu(`/proc/${pid}/stat`);
  return stat === null ? NaN : stat.system * 1000;
}

/** CPU time (user + system) of one process so far, ms; NaN when /proc does not have it. */
export function processCpuMs(pid: number): number {
  return backendCpuMs([pid]).get(pid) ?? NaN;
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  if (before.size === 0) return NaN;
  let ms = 0;
  for (const [pid, end] of after) ms += end - before.get(pid)!;
  return ms;
}

/** The whole machine's CPU so far (/proc/stat), ms: busy (all but idle and iowait) and total, summed over its cores. */
export function hostCpuMs(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = ticks[3]! + (ticks[4] ?? 0); // idle + iowait
    return { busy: ((total - idle) * 1000) / USER_HZ, total: (total * 1000) / USER_HZ };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

// ---- PostgreSQL as a whole --------------------------------------------------------------------

/** One reading of the PostgreSQL behind a database, for deltas over a window. */
export interface PgSample {
  atMs: number;
  /** CPU ms so far of every process of the cluster (postmaster and children), by pid. */
  clusterCpu: Map<number, number>;
  /** CPU ms so far of the backends connected to this database (the probe's own left out), by pid. */
  databaseCpu: Map<number, number>;
  /** pg_stat_database.xact_commit of this database (every committed transaction, read-only ones included). */
  xactCommit: number;
}

export interface PgWindow {
  seconds: number;
  /** NaN when PostgreSQL does not run on this machine (no /proc entries to read). */
  clusterCpuSeconds: number;
  databaseCpuSeconds: number;
  commits: number;
  commitsPerSecond: number;
}

/**
 * Reads PostgreSQL's CPU from /proc (read-only) and its commit counter from
 * pg_stat_database, through one connection of its own. The cluster is the
 * postmaster (the parent of any backend) and all its children: background
 * writer, WAL writer, checkpointer, autovacuum and every backend, so on a
 * shared server it includes other databases' work; the database figure counts
 * only the backends connected to this database. Counters reach
 * pg_stat_database when a busy backend flushes them, at most about a second late.
 */
export async function openPgProbe(url: string): Promise<{ sample(): Promise<PgSample>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  // The server's embedded PostgreSQL may stop before the probe is closed: its connection then
  // ends with an error event, which must not crash the bench (it did, after the report).
  client.on('error', () => undefined);
  await client.connect();
  const own = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  // A pid from another machine (or container) may name an unrelated local process.
  const postmaster = isPostgres(own) ? parentPid(own) : null;
  return {
    sample: async () => {
      const { rows } = await client.query<{ pid: number; xact_commit: string }>(
        `SELECT a.pid, d.xact_commit::text AS xact_commit FROM pg_stat_database d
           LEFT JOIN pg_stat_activity a ON a.datid = d.datid AND a.pid <> pg_backend_pid()
          WHERE d.datname = current_database()`,
      );
      const databasePids = rows.flatMap((r) => (r.pid === null ? [] : [r.pid]));
      const clusterPids = postmaster === null ? [] : [postmaster, ...childrenOf(postmaster)].filter((pid) => pid !== own);
      return {
        atMs: performance.now(),
        clusterCpu: backendCpuMs(clusterPids),
        databaseCpu: backendCpuMs(databasePids),
        xactCommit: Number(rows[0]?.xact_commit ?? NaN),
      };
    },
    close: () => client.end(),
  };
}

export function pgWindow(before: PgSample, after: PgSample): PgWindow {
  const seconds = (after.atMs - before.atMs) / 1000;
  // A process that started inside the window spent all its CPU there; one that ended is lost (a pool keeps its backends).
  const grown = (a: Map<number, number>, b: Map<number, number>) =>
    b.size === 0 ? NaN : [...b].reduce((ms, [pid, end]) => ms + end - (a.get(pid) ?? 0), 0) / 1000;
  const commits = after.xactCommit - before.xactCommit;
  return {
    seconds,
    clusterCpuSeconds: grown(before.clusterCpu, after.clusterCpu),
    databaseCpuSeconds: grown(before.databaseCpu, after.databaseCpu),
    commits,
    commitsPerSecond: commits / seconds,
  };
}

function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null; // PostgreSQL runs elsewhere
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres');
  } catch {
    return false;
  }
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (parentPid(Number(entry)) === parent) pids.push(Number(entry));
  }
  return pids;
}

// ---- statement timing --------------------------------------------------------------------

export interface StatementStat {
  count: number;
  totalMs: number;
}

/**
 * Times every query sent through node-postgres, by label, while enabled. The
 * time is from the call to the result: one round trip plus the server's work.
 */
export function createStatementTimer(label: (sql: string) => string) {
  const stats = new Map<string, StatementStat>();
  const ignored = new WeakSet<object>();
  let enabled = false;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function timedQuery(this: pg.Client, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (!enabled || ignored.has(this) || !(result instanceof Promise)) return result;
    const first = args[0];
    const sql = typeof first === 'string' ? first : String((first as { text?: string })?.text ?? '');
    const started = performance.now();
    const record = () => {
      const stat = stats.get(label(sql)) ?? { count: 0, totalMs: 0 };
      stat.count++;
      stat.totalMs += performance.now() - started;
      stats.set(label(sql), stat);
    };
    return result.then((value) => (record(), value), (error: unknown) => (record(), Promise.reject(error)));
  } as typeof pg.Client.prototype.query;
  return {
    /** The bench's own bookkeeping connection is not part of any operation. */
    ignore: (client: pg.Client) => ignored.add(client),
    start: () => {
      stats.clear();
      enabled = true;
    },
    stop: (): Map<string, StatementStat> => {
      enabled = false;
      return new Map(stats);
    },
  };
}

// ---- command line ------------------------------------------------------------------------

export interface BenchArgs {
  quick: boolean;
  /** Each cell runs in this many alternating slices (ledger then raw, raw then ledger, ...) so drift hits both alike. */
  rounds: number;
  durationMs: number;
  warmupMs: number;
  profileMs: number;
  workers: number[];
  poolMax: number;
  seed: number;
  namedStatements: boolean;
  customPlans: boolean;
}

const LEDGER_USAGE = `Usage: npm run bench:ledger -- [options]
Throughput and latency of settleHand and buyIn through the ledger and through a raw node-postgres
baseline, on a fresh database: a new one on BENCH_DATABASE_URL or DATABASE_URL, else an embedded
PostgreSQL in a temporary folder.
  --quick                 a smoke run (0.5 s cells, no profile)
  --duration=<s>          length of each cell (default 10)
  --rounds=<n>            alternating slices per cell (default 2)
  --warmup=<s>            warm-up per cell (default 1)
  --workers=<a,b,...>     concurrent workers, one cell each (default 8,32)
  --pool=<n>              connections in each pool (default 20)
  --profile=<s>           per-statement timing run (default 3; 0 with --quick)
  --seed=<n>              workload PRNG seed (default 1)
  --named-statements      Prisma with named (prepared) statements
  --custom-plans          with --named-statements: plan_cache_mode=force_custom_plan (parsed once, planned every time)
  -h, --help              this text`;

const LEDGER_FLAGS = ['--quick', '--named-statements', '--custom-plans'];
const LEDGER_VALUES = ['duration', 'rounds', 'warmup', 'workers', 'pool', 'profile', 'seed'];

/**
 * The ledger bench's command line. On --help it prints the usage and exits 0;
 * on an unknown option, exits 2, before any database is opened.
 */
export function parseArgs(argv: string[]): BenchArgs {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(LEDGER_USAGE);
    process.exit(0);
  }
  const unknown = argv.filter((a) => !LEDGER_FLAGS.includes(a) && !LEDGER_VALUES.some((name) => a.startsWith(`--${name}=`)));
  if (unknown.length > 0) {
    console.error(`unknown option: ${unknown.join(' ')}\n\n${LEDGER_USAGE}`);
    process.exit(2);
  }
  if (argv.includes('--custom-plans') && !argv.includes('--named-statements')) {
    console.error(`--custom-plans needs --named-statements (unnamed statements are planned every time anyway)\n\n${LEDGER_USAGE}`);
    process.exit(2);
  }
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const quick = argv.includes('--quick');
  const seconds = (name: string, fallback: number) => Math.round(Number(value(name) ?? fallback) * 1000);
  return {
    quick,
    rounds: Number(value('rounds') ?? 2),
    durationMs: seconds('duration', quick ? 0.5 : 10),
    warmupMs: seconds('warmup', quick ? 0.1 : 1),
    profileMs: seconds('profile', quick ? 0 : 3),
    workers: (value('workers') ?? '8,32').split(',').map(Number),
    poolMax: Number(value('pool') ?? 20),
    seed: Number(value('seed') ?? 1),
    namedStatements: argv.includes('--named-statements'),
    customPlans: argv.includes('--custom-plans'),
  };
}
