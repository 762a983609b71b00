import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../server/app';
import { NODES_MAX } from '../server/cluster/launch';
import type { Db } from '../server/db/client';
import { auditBotsInDb } from '../server/bots/db-audit';
import { sleep } from '../server/bots/bot';
import { mapLimit } from '../server/bots/http';
import { DEFAULT_OPTIONS, type BotRunOptions } from '../server/bots/options';
import { formatReport } from '../server/bots/report';
import { runBots, type BotReport, type DbAuditInput, type DbAuditResult } from '../server/bots/run';
import { STRATEGIES, type StrategyName } from '../server/bots/strategy';
import { loadConfig } from '../server/config';
import type { TableSettings } from '../server/tables/settings';
import { runBareBaseline, type BareResult } from './bare-socketio';
import { formatCluster, formatHop, runCluster, tempEmbeddedDatabase, type ClusterRun } from './load-cluster';
import { hostCpuMs, openPgProbe, pgWindow, processCpuMs, processSystemCpuMs, type PgSample, type PgWindow } from './support';
import { machineLine } from './machine';

// npm run bench:load [-- --quick | --scale] [options]: see USAGE below.
//
// Starts a server (a child process by default, so that the bots and the
// server use separate cores; or in this process), on a fresh database: the
// embedded PostgreSQL in a temp dir, or a new database on BENCH_DATABASE_URL.
// Creates the tables, runs the bots (server/bots) for a fixed scenario, audits
// the chips exactly in the database, measures the server's CPU, PostgreSQL's
// CPU and commits, the server's memory per idle socket and per active table,
// optionally profiles the server's CPU. With --nodes N, a cluster of N server
// processes instead (bench/load-cluster.ts). Then, on the same machine, with the
// poker server stopped, the bare Socket.IO baseline (bench/bare-socketio.ts)
// with the same sockets, rooms, frame size and closed loop. Prints the report,
// our ratio to the baseline, the issue's targets as PASS/FAIL lines, and ends
// with one RESULT line. Exit 1 only when an invariant breaks (chips, reconcile,
// a bot left seated) or the run fails; missed targets are printed, not enforced.

// The child inherits the parent's token through the environment.
const BOT_TOKEN = (process.env.BENCH_BOT_TOKEN ??= `bench-${randomBytes(12).toString('hex')}`);
/** Placeholder password hash of pre-created bot users: bots never log in with a password. */
const BOT_PASSWORD_PLACEHOLDER = 'bench-bot-no-password';

interface Scenario {
  tables: number;
  players: number;
  spectators: number;
  durationS: number;
  /** Unmeasured play before the window, until the tables settled a hand each, at most this long (s). */
  warmupS: number;
  thinkMs: [number, number];
  handIntervalMs: number;
  strategy: StrategyName;
  server: 'child' | 'inprocess';
  cpuProf: boolean;
  idleSockets: number;
  viaBotRoute: boolean;
  churn: number;
  /** The bare Socket.IO baseline: after the bots (on), not at all (off), or alone (only). */
  bare: 'on' | 'off' | 'only';
  /** Frame size of the baseline; null: the mean size of our server's table frames in this run. */
  bareFrameBytes: number | null;
  /** Connection-state recovery in the baseline too (our server keeps it on). */
  bareRecovery: boolean;
  /** Keep the tables' showdown hold and paced all-in run-out (off: the next hand after the hand interval). */
  tablePacing: boolean;
  /** A cluster of this many nodes instead of one server (null: one server). */
  nodes: number | null;
  /** With nodes: SIGKILL a node every this many seconds of the play window (null: never). */
  killNodeEveryS: number | null;
  /** With nodes: length of each hop phase (through the owner, then through another node), s; 0: none. */
  hopS: number;
}

type Preset = Omit<Scenario, 'server' | 'cpuProf' | 'viaBotRoute' | 'strategy' | 'churn' | 'bare' | 'bareFrameBytes' | 'bareRecovery' | 'tablePacing' | 'warmupS' | 'nodes' | 'killNodeEveryS' | 'hopS'>;

const PRESETS: Record<'quick' | 'throughput' | 'scale', Preset> = {
  // 30 s, so that the first and the last 15 s do not overlap.
  quick: { tables: 20, players: 6, spectators: 1, durationS: 30, thinkMs: [0, 0], handIntervalMs: 100, idleSockets: 500 },
  // Issue 6 "throughput": 200 tables at zero think time.
  throughput: { tables: 200, players: 6, spectators: 1, durationS: 60, thinkMs: [0, 0], handIntervalMs: 100, idleSockets: 1_000 },
  // Issue 6 "scale": 1,000 tables x (6 players + 1 spectator), think 1-3 s, 5 minutes.
  scale: { tables: 1_000, players: 6, spectators: 1, durationS: 300, thinkMs: [1_000, 3_000], handIntervalMs: 2_500, idleSockets: 1_000 },
};

/** Issue #11's targets: printed as PASS/FAIL lines, not enforced. */
const TARGETS = { ratioVsBare: 0.5, settleP99Ms: 50, ackP99Ms: 150, lastVsFirst: 0.9 } as const;
/** The baseline's frame size when this run has no frames of ours to measure (--bare-only, --nodes). */
const DEFAULT_BARE_FRAME_BYTES = 600;
/** Each hop phase of a cluster run, s, unless --hop-duration. */
const DEFAULT_HOP_S = 30;

// ---- the server, in a child process or here ------------------------------------------------

interface ServerHandle {
  url: string;
  pid: number;
  /** The server's database (bench:load reads PostgreSQL's CPU and commits through it). */
  databaseUrl: string;
  tableIds: number[];
  /** Broadcasts the server made so far, and the sampled size of its table frames. */
  frames(): Promise<FrameMeter>;
  audit(input: DbAuditInput): Promise<DbAuditResult>;
  /** Resident set of the server process after a full GC, bytes. */
  rssAfterGc(): Promise<number>;
  /** --cpu-prof: starts profiling the server's main thread / stops and writes the profile to `file`. */
  profile(phase: 'start' | 'stop', file: string): Promise<void>;
  stop(): Promise<void>;
}

type ChildRequest =
  | { id: number; type: 'audit'; input: DbAuditInput }
  | { id: number; type: 'rss' }
  | { id: number; type: 'frames' }
  | { id: number; type: 'profile'; phase: 'start' | 'stop'; file: string }
  | { id: number; type: 'stop' };

interface FrameMeter {
  /** Every room broadcast (adapter.broadcast): table frames, chat, notices, lobby. */
  broadcasts: number;
  tableFrames: number;
  sampled: number;
  sampledBytes: number;
}

/** One table frame in this many is measured (JSON.stringify costs the server CPU too). */
const FRAME_SAMPLE_EVERY = 25;

/**
 * Counts the server's room broadcasts and samples the JSON size of its public
 * table frames (the size the bare baseline sends). It wraps the adapter's
 * broadcast in the bench's server process; the server's code is unchanged.
 */
function meterFrames(server: RunningServer): () => FrameMeter {
  type Broadcast = (packet: { data?: unknown[] }, opts: unknown) => void;
  const adapter = server.io.of('/').adapter as unknown as { broadcast: Broadcast };
  const original: Broadcast = adapter.broadcast.bind(adapter);
  const m: FrameMeter = { broadcasts: 0, tableFrames: 0, sampled: 0, sampledBytes: 0 };
  adapter.broadcast = (packet, opts) => {
    m.broadcasts++;
    if (packet.data?.[0] === 'table:frame' && m.tableFrames++ % FRAME_SAMPLE_EVERY === 0) {
      m.sampled++;
      m.sampledBytes += JSON.stringify(packet.data[1]).length;
    }
    original(packet, opts);
  };
  return () => ({ ...m });
}

/**
 * A CPU profiler of this process's main thread through the inspector, so that
 * --cpu-prof covers the play window only (not the set-up, the audit or the
 * leave, which a whole-process --cpu-prof mixes in: a third of that profile
 * was the set-up's sessions and purchases). The ledger thread is not in it.
 */
function windowProfiler(): (phase: 'start' | 'stop', file: string) => Promise<void> {
  let session: Session | null = null;
  return async (phase, file) => {
    if (phase === 'start') {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await session.post('Profiler.start');
      return;
    }
    if (!session) return;
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    session = null;
  };
}

/** Runs in the child (`bench/load.ts --serve`): the server, plus audit/rss/stop over IPC. */
async function serveChild(): Promise<void> {
  const { server, tableIds } = await bootServer(JSON.parse(process.env.BENCH_SCENARIO!) as Scenario);
  const frames = meterFrames(server);
  const profile = windowProfiler();
  process.send!({ type: 'ready', url: server.url, tableIds, pid: process.pid, databaseUrl: server.database.url });
  // The parent died: do not linger with an open port and a running PostgreSQL.
  process.on('disconnect', () => void server.close(1_000).finally(() => process.exit(1)));
  process.on('message', (m: ChildRequest) => {
    const reply = (value: unknown) => process.send!({ id: m.id, value });
    if (m.type === 'audit') void auditBotsInDb(server.database.db, m.input).then(reply, (e: Error) => reply({ error: e.message }));
    if (m.type === 'rss') {
      (globalThis as { gc?: () => void }).gc?.();
      const adapter = server.io.of('/').adapter as unknown as { packets?: unknown[] };
      console.log(`[server] rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, connection-state-recovery packets buffered ${adapter.packets?.length ?? 'n/a'}`);
      reply(process.memoryUsage().rss);
    }
    if (m.type === 'frames') reply(frames());
    if (m.type === 'profile') void profile(m.phase, m.file).then(() => reply(true), (e: Error) => reply({ error: e.message }));
    if (m.type === 'stop') void server.close(5_000).then(() => reply(true)).finally(() => setTimeout(() => process.exit(0), 100));
  });
}

/**
 * Unless --table-pacing, the tables deal the next hand after the hand interval
 * even after a showdown, and run an all-in board out at once: those holds are
 * for people watching, and with them a zero-think run measures the timers, not
 * the server. Keys a server build does not have are ignored.
 */
function pacingSettings(s: Scenario): Partial<TableSettings> {
  if (s.tablePacing) return {};
  const settings: Record<string, number> = { showdownHoldMs: s.handIntervalMs, runOutStreetMs: 0 };
  return settings as Partial<TableSettings>;
}

async function bootServer(s: Scenario): Promise<{ server: RunningServer; tableIds: number[] }> {
  const env: Record<string, string | undefined> = {
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', BOT_TOKEN,
    HAND_INTERVAL_MS: String(s.handIntervalMs),
    DATABASE_URL: process.env.BENCH_LOAD_DB_URL,
    // For an A/B of the write coalescing (server/realtime/coalesce.ts): SOCKET_WRITE_COALESCING=0.
    SOCKET_WRITE_COALESCING: process.env.SOCKET_WRITE_COALESCING,
    // For an A/B of connection-state recovery: SOCKET_RECOVERY_WINDOW_MS=0 turns it off.
    SOCKET_RECOVERY_WINDOW_MS: process.env.SOCKET_RECOVERY_WINDOW_MS,
  };
  if (!env.DATABASE_URL) {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-load-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach the data directory
    env.EMBEDDED_PG_DIR = path.join(dir, 'data');
    env.EMBEDDED_PG_PORT = '0';
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const server = await startServer({ config: loadConfig(env), createDefaultTables: false, tableSettings: pacingSettings(s) });
  const tableIds = await mapLimit(Array.from({ length: s.tables }, (_, i) => i), 8, async (i) => {
    const created = await server.registry.createTable({
      name: `Load ${i + 1}`, variant: 'NLHE', maxSeats: Math.max(6, s.players), smallBlind: 1, bigBlind: 2,
      minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10,
    });
    if (!created.ok) throw new Error(`createTable: ${created.error.message}`);
    return created.value.id;
  });
  if (!s.viaBotRoute) await precreateBots(server.database.db, tableIds, s.players);
  return { server, tableIds };
}

/**
 * The bot route hashes a random password with argon2id (64 MiB, t=3) for every
 * new bot: thousands of bots would spend minutes there. The bench creates the
 * bot users beforehand (is_bot, a placeholder hash), as it creates the tables;
 * the route then only opens sessions. --via-bot-route measures the slow path.
 */
async function precreateBots(db: Db, tableIds: number[], players: number): Promise<void> {
  const names = tableIds.flatMap((id) => Array.from({ length: players }, (_, i) => `bot_${DEFAULT_OPTIONS.namePrefix}${id}s${i}`));
  for (let i = 0; i < names.length; i += 1_000) {
    await db.$executeRawUnsafe(
      `INSERT INTO users (username, password_hash, role, is_bot) SELECT u, $2, 'PLAYER', true FROM unnest($1::text[]) AS u ON CONFLICT (username) DO NOTHING`,
      names.slice(i, i + 1_000),
      BOT_PASSWORD_PLACEHOLDER,
    );
  }
}

async function startChild(s: Scenario): Promise<ServerHandle> {
  // BENCH_SERVER_NODE_ARGS: extra flags for the server's Node (e.g. "--max-semi-space-size=64").
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
  const execArgv = ['--import', 'tsx', '--expose-gc', ...extra];
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--serve'], {
    execArgv, env: { ...process.env, BENCH_SCENARIO: JSON.stringify(s) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  type Ready = { url: string; tableIds: number[]; pid: number; databaseUrl: string };
  const ready = new Promise<Ready>((resolve, reject) => {
    child.on('message', (m: Partial<Ready> & { type?: string; id?: number; value?: unknown }) => {
      if (m.type === 'ready') resolve(m as Ready);
      else if (m.id !== undefined) pending.get(m.id)?.(m.value);
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it was ready`)));
  });
  const { url, tableIds, pid, databaseUrl } = await ready;
  const ask = <T>(request: Omit<ChildRequest, 'id'>): Promise<T> => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, (value) => resolve(value as T));
    child.send({ ...request, id });
  });
  return {
    url, pid, tableIds, databaseUrl,
    frames: () => ask<FrameMeter>({ type: 'frames' }),
    audit: async (input) => {
      const result = await ask<DbAuditResult | { error: string }>({ type: 'audit', input } as Omit<ChildRequest, 'id'>);
      if ('error' in result) throw new Error(`audit failed: ${result.error}`);
      return result;
    },
    rssAfterGc: () => ask<number>({ type: 'rss' }),
    profile: async (phase, file) => {
      await ask({ type: 'profile', phase, file } as Omit<ChildRequest, 'id'>);
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ type: 'stop' });
      await exited;
    },
  };
}

async function startHere(s: Scenario): Promise<ServerHandle> {
  const { server, tableIds } = await bootServer(s);
  const frames = meterFrames(server);
  return {
    url: server.url, pid: process.pid, tableIds, databaseUrl: server.database.url,
    frames: async () => frames(),
    audit: (input) => auditBotsInDb(server.database.db, input),
    rssAfterGc: async () => process.memoryUsage().rss,
    profile: windowProfiler(),
    stop: () => server.close(5_000),
  };
}

// ---- memory -------------------------------------------------------------------------------

/** Connects `count` anonymous sockets that do nothing, and measures the server's RSS growth per socket. */
async function idleSocketCost(url: string, count: number, rss: () => Promise<number>): Promise<number | null> {
  if (count <= 0) return null;
  const before = await rss();
  const sockets: Socket[] = [];
  await mapLimit(Array.from({ length: count }, (_, i) => i), 100, () => new Promise<void>((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(s);
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  }));
  await sleep(1_000);
  const after = await rss();
  for (const s of sockets) s.disconnect();
  await sleep(500);
  return (after - before) / count;
}

// ---- CPU profile ------------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** Self and inclusive time per function of a .cpuprofile; "ours" = files of this repository outside node_modules. */
function summarizeProfile(file: string, top = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
  const totalUs = profile.endTime - profile.startTime;
  const perSampleUs = totalUs / Math.max(1, profile.samples.length);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const root = process.cwd();
  const keyOf = (n: ProfileNode) => {
    const u = n.callFrame.url.replace('file://', '').replace(`${root}/`, '');
    return `${n.callFrame.functionName || '(anonymous)'} ${u}:${n.callFrame.lineNumber + 1}`;
  };
  const ours = (n: ProfileNode) => n.callFrame.url.includes(`${root}/`) && !n.callFrame.url.includes('node_modules');
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Self time by package (node_modules/<pkg>) or by our directory (server/<dir>); a native or
  // built-in frame counts for the nearest such frame above it (writev under ws counts for ws).
  const byPackage = new Map<string, number>();
  const packageOf = (url: string): string | null =>
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes(`${root}/`) ? /\/((?:server|bench|client)\/[^/]+?)(?:\/|\.ts)/.exec(url.replace(root, ''))?.[1] ?? null : null);
  const walk = (id: number, onStack: Set<string>, above: string | null = null): number => {
    const n = byId.get(id)!;
    const key = keyOf(n);
    let t = (n.hitCount ?? 0) * perSampleUs;
    self.set(key, (self.get(key) ?? 0) + t);
    const pkg = packageOf(n.callFrame.url) ?? above;
    const bucket = pkg ?? (n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : 'node (no package above)');
    if (!key.startsWith('(idle)')) byPackage.set(bucket, (byPackage.get(bucket) ?? 0) + t);
    const nested = onStack.has(key);
    onStack.add(key);
    for (const c of n.children ?? []) t += walk(c, onStack, pkg);
    if (!nested) {
      onStack.delete(key);
      if (ours(n)) inclusive.set(key, (inclusive.get(key) ?? 0) + t);
    }
    return t;
  };
  walk(profile.nodes[0]!.id, new Set());
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  const busy = totalUs - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`;
  const lines = [
    `profile ${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / totalUs).toFixed(0)}%)`,
    '  the main thread only (the worker threads: the report\'s "server CPU by thread"). A sample lands where the thread resumes, so on a',
    '  busy machine a native frame after which it waited for a CPU (writev, which wakes a bot) holds that wait too: its real',
    '  cost is within the server process\'s system CPU (docs/performance.md, "The equity thread").',
  ];
  lines.push('top self time (all code, % of busy):');
  for (const [k, v] of [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v).padStart(6)}  ${k}`);
  lines.push('top inclusive time, our code (server/**):');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v).padStart(6)}  ${k}`);
  lines.push('self time by package or directory (native frames count for the package that called them):');
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v).padStart(6)}  ${k}`);
  return lines;
}

// ---- main --------------------------------------------------------------------------------------

const USAGE = `Usage: npm run bench:load -- [preset] [options]
Starts a server on a fresh database, runs the bots against it, audits the chips; then runs the bare
Socket.IO baseline on the same machine (same sockets, rooms of the table size, frame size and closed
loop); prints a report, our ratio to the baseline, the targets as PASS/FAIL lines, and one RESULT line:
  RESULT bench:load ... actions_per_s bare_broadcasts_per_s ratio_vs_bare settle_p99_ms ack_p99_ms
    errors first15_actions_per_s last15_actions_per_s chips_conserved
  (with --nodes also nodes node_kills tables_moved owners_max ack_owner_p50_ms ack_owner_p99_ms
    ack_remote_p50_ms ack_remote_p99_ms, before chips_conserved)
Database: a new database on BENCH_DATABASE_URL, else an embedded PostgreSQL in a temporary folder.
  presets (default: throughput, ${PRESETS.throughput.tables} tables at zero think time for ${PRESETS.throughput.durationS} s)
  --quick                      ${PRESETS.quick.tables} tables for ${PRESETS.quick.durationS} s (a smoke run)
  --scale                      ${PRESETS.scale.tables} tables x (${PRESETS.scale.players} players + ${PRESETS.scale.spectators} spectator), think ${PRESETS.scale.thinkMs.join('-')} ms, ${PRESETS.scale.durationS} s
  options (override the preset)
  --tables <n>                 tables to create and play at
  --players <n>                player bots per table
  --spectators <n>             watchers per table
  --duration <s>               length of the play window, and of the baseline's
  --warmup <s>                 before the window, play until the tables settled a hand each, at most
                               this long (default ${DEFAULT_OPTIONS.warmupS}; 0: none)
  --think-ms <min-max>         thinking time per decision (the baseline's clients think as long)
  --hand-interval-ms <ms>      the server's pause between hands
  --strategy <name>            ${STRATEGIES.join(' | ')} (default random-legal)
  --churn <share>              0..1 of the players drop/reconnect or leave/rejoin (default 0)
  --idle-sockets <n>           idle sockets opened to measure memory per socket
  --server child|inprocess     the server in a child process (default: separate cores) or in this one
  --cpu-prof                   profile the server's main thread over the play window into bench/profiles/ and summarise it
  --via-bot-route              create the bots through POST /api/bots/session (slow: argon2 per bot)
  --table-pacing               keep the tables' showdown hold and paced all-in run-out (default: off,
                               the next hand comes after --hand-interval-ms, boards run out at once)
  --skip-bare                  no baseline (ratio_vs_bare=n/a)
  --bare-only                  only the baseline (no database, no bots)
  --bare-frame-bytes <n>       the baseline's frame size (default: our table frames' mean size in this
                               run, ${DEFAULT_BARE_FRAME_BYTES} with --bare-only)
  --bare-recovery              connection-state recovery in the baseline too, as our server has it
  --nodes <n>                  a cluster of n (2-${NODES_MAX}) server processes instead of one: a redis-server of its
                               own, the front door, lease TTL 5 s; the tables spread over the nodes before
                               the bots come (through the front door, so most commands and frames cross
                               nodes). Then the hop phases. Adds to RESULT: nodes tables_moved (claims after
                               each table's first) owners_max (most owners of one table at one instant, from
                               table_lease_history: must be 1) and ack_owner/remote_p50/p99_ms; settle
                               figures are the nodes' /metrics summed; no memory or frame figures
  --kill-node-every <s>        with --nodes: SIGKILL a node every s seconds of the play window, in turn,
                               and start it again 2 s after it died
  --hop-duration <s>           with --nodes: the extra hop, after the main run: the tables node-1 owns,
                               played s seconds through node-1 (the owner), then s seconds through node-2
                               (every command forwarded); same bots and think time (default ${DEFAULT_HOP_S}; 0: none)
  -h, --help                   this text
Errors: every refused request, time-out and failure of the bots, seq/stale included; only refusals
the run causes on purpose (labelled late/ or churn/) are counted apart.
Targets (printed as PASS/FAIL, not enforced): ratio_vs_bare >= ${TARGETS.ratioVsBare}, settle_p99_ms < ${TARGETS.settleP99Ms},
ack_p99_ms < ${TARGETS.ackP99Ms}, errors = 0, last15_actions_per_s >= ${TARGETS.lastVsFirst} x first15_actions_per_s.
Exit codes: 0 invariants held (targets may have failed), 1 an invariant broke (chips not conserved,
reconcile not clean, a bot still seated; with --nodes also owners_max > 1) or the run failed, 2 bad usage.`;

class UsageError extends Error {}

const CLI_OPTIONS = {
  quick: { type: 'boolean' }, scale: { type: 'boolean' }, tables: { type: 'string' }, players: { type: 'string' },
  spectators: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, 'think-ms': { type: 'string' },
  'hand-interval-ms': { type: 'string' }, strategy: { type: 'string' }, server: { type: 'string' },
  'cpu-prof': { type: 'boolean' }, 'idle-sockets': { type: 'string' }, 'via-bot-route': { type: 'boolean' },
  churn: { type: 'string' }, serve: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  'skip-bare': { type: 'boolean' }, 'bare-only': { type: 'boolean' }, 'bare-frame-bytes': { type: 'string' },
  'bare-recovery': { type: 'boolean' }, 'table-pacing': { type: 'boolean' },
  nodes: { type: 'string' }, 'kill-node-every': { type: 'string' }, 'hop-duration': { type: 'string' },
} as const;

/** The scenario, or 'help'; a UsageError for an unknown option or a bad value. */
function scenarioFromArgs(): Scenario | 'help' {
  let v;
  try {
    v = parseArgs({ options: CLI_OPTIONS, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (v.help) return 'help';
  if (v.strategy !== undefined && !STRATEGIES.includes(v.strategy as StrategyName)) throw new UsageError(`unknown strategy: ${v.strategy}`);
  if (v.server !== undefined && v.server !== 'child' && v.server !== 'inprocess') throw new UsageError(`--server must be child or inprocess, not ${v.server}`);
  if (v.quick && v.scale) throw new UsageError('--quick and --scale are two presets: choose one');
  if (v['skip-bare'] && v['bare-only']) throw new UsageError('--skip-bare and --bare-only contradict each other');
  const base = PRESETS[v.quick ? 'quick' : v.scale ? 'scale' : 'throughput'];
  const num = (name: keyof typeof CLI_OPTIONS, fallback: number) => {
    const text = v[name];
    if (typeof text !== 'string') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${name} needs a number >= 0, not ${text}`);
    return value;
  };
  const nodes = v.nodes === undefined ? null : num('nodes', 0);
  if (nodes !== null && (!Number.isInteger(nodes) || nodes < 2 || nodes > NODES_MAX)) throw new UsageError(`--nodes needs a whole number from 2 to ${NODES_MAX} (one server: leave --nodes out), not ${v.nodes}`);
  const clusterOnly = (['kill-node-every', 'hop-duration'] as const).find((name) => v[name] !== undefined);
  if (nodes === null && clusterOnly) throw new UsageError(`--${clusterOnly} needs --nodes`);
  if (nodes !== null && (v['cpu-prof'] || v.server === 'inprocess' || v['bare-only'])) throw new UsageError('--nodes runs node processes of its own: no --cpu-prof, --server inprocess or --bare-only');
  const killNodeEveryS = v['kill-node-every'] === undefined ? null : num('kill-node-every', 0);
  if (killNodeEveryS !== null && killNodeEveryS <= 0) throw new UsageError('--kill-node-every needs a number of seconds > 0');
  const think = v['think-ms']?.split('-').map(Number);
  if (think && !think.every((ms) => Number.isFinite(ms) && ms >= 0)) throw new UsageError(`--think-ms needs <min-max> in ms, not ${v['think-ms']}`);
  return {
    tables: num('tables', base.tables),
    players: num('players', base.players),
    spectators: num('spectators', base.spectators),
    durationS: num('duration', base.durationS),
    warmupS: num('warmup', DEFAULT_OPTIONS.warmupS),
    thinkMs: think ? [think[0]!, think[1] ?? think[0]!] : base.thinkMs,
    handIntervalMs: num('hand-interval-ms', base.handIntervalMs),
    strategy: (v.strategy ?? 'random-legal') as StrategyName,
    server: v.server === 'inprocess' ? 'inprocess' : 'child',
    cpuProf: v['cpu-prof'] ?? false,
    idleSockets: num('idle-sockets', base.idleSockets),
    viaBotRoute: v['via-bot-route'] ?? false,
    churn: num('churn', 0),
    bare: v['bare-only'] ? 'only' : v['skip-bare'] ? 'off' : 'on',
    bareFrameBytes: v['bare-frame-bytes'] === undefined ? null : num('bare-frame-bytes', DEFAULT_BARE_FRAME_BYTES),
    bareRecovery: v['bare-recovery'] ?? false,
    tablePacing: v['table-pacing'] ?? false,
    nodes,
    killNodeEveryS,
    hopS: num('hop-duration', DEFAULT_HOP_S),
  };
}

async function freshExternalDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) return null;
  const name = `benchload_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Exit code 0 after --help, 2 on bad usage; otherwise the run's. */
async function cli(): Promise<number> {
  let s: Scenario | 'help';
  try {
    s = scenarioFromArgs();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (s === 'help') {
    console.log(USAGE);
    return 0;
  }
  return main(s);
}

async function main(s: Scenario): Promise<number> {
  const log = (line: string) => console.log(line);
  log(`bench:load: ${JSON.stringify(s)}`);
  log(machineLine());
  const poker = s.bare === 'only' ? null : await runPoker(s, log);
  const frameBytes = Math.round(s.bareFrameBytes ?? poker?.frames?.meanBytes ?? DEFAULT_BARE_FRAME_BYTES);
  const bare = s.bare === 'off' ? null : await runBare(s, frameBytes, log);
  if (bare) for (const line of formatComparison(poker, bare)) log(line);
  const figures = resultFigures(s, poker, bare);
  for (const line of targetLines(figures)) log(line);
  log(resultLine(figures));
  if (bare && bare.lost > 0) {
    log(`FAILED: the bare baseline lost ${bare.lost} messages: its figure is not a baseline`);
    return 1;
  }
  return poker && !poker.invariantsHeld ? 1 : 0;
}

// ---- our server under the bots ------------------------------------------------------------------

interface PokerRun {
  report: BotReport;
  /** CPU time of the server process over the play window (/proc), s. */
  serverCpuSeconds: number;
  /** The part of it in the kernel (/proc stime), s; absent for a cluster's processes. */
  serverSystemCpuSeconds?: number;
  /** The whole machine over the play window (/proc/stat; NaN elsewhere): busy and available CPU, and this bench process's own (the bots), s. */
  machine?: { busySeconds: number; totalSeconds: number; benchCpuSeconds: number };
  pg: PgWindow | null;
  /** The server's room broadcasts (metered in its process; null for a cluster). */
  frames: { broadcastsPerSecond: number; perAction: number; meanBytes: number | null } | null;
  chipsConserved: boolean;
  /** Chips conserved, reconcile clean, every bot left (a cluster: and never two owners of a table): what exits 1 when it breaks. */
  invariantsHeld: boolean;
  cluster: ClusterRun | null;
}

async function runPoker(s: Scenario, log: (line: string) => void): Promise<PokerRun> {
  if (s.nodes !== null) return runPokerCluster(s, s.nodes, log);
  const external = await freshExternalDatabase();
  if (external) process.env.BENCH_LOAD_DB_URL = external.url;
  try {
    return await runPokerOn(s, log, external !== null);
  } finally {
    await external?.drop().catch(() => undefined);
  }
}

async function runPokerOn(s: Scenario, log: (line: string) => void, external: boolean): Promise<PokerRun> {
  const profDir = s.cpuProf ? path.resolve('bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
  if (profDir) mkdirSync(profDir, { recursive: true });
  log(`database ${external ? 'BENCH_DATABASE_URL (fresh database)' : 'embedded (temp dir)'}`);
  const started = Date.now();
  const server = s.server === 'child' ? await startChild(s) : await startHere(s);
  log(`server ready at ${server.url} (pid ${server.pid}) with ${server.tableIds.length} tables in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let stopped = false;
  const probe = await openPgProbe(server.databaseUrl).catch((error: Error) => {
    log(`PostgreSQL CPU and commits not measured: ${error.message}`);
    return null;
  });
  try {
    const rssBase = await server.rssAfterGc();
    const perIdleSocket = await idleSocketCost(server.url, s.idleSockets, server.rssAfterGc);
    let rssPlaying: number | null = null;
    const window = playWindowMeter(server, probe, profDir);
    const report = await runBots(botOptions(s, server.url, server.tableIds), {
      log,
      dbAudit: (input) => server.audit(input),
      onPlay: window.onPlay,
      progressExtra: window.progressExtra,
      beforeLeave: async () => {
        rssPlaying = await server.rssAfterGc();
      },
    });
    console.log(formatReport(report));
    logMemory(s, log, rssBase, perIdleSocket, rssPlaying);
    await probe?.close().catch(() => undefined);
    await server.stop();
    stopped = true;
    if (profDir) logProfile(profDir, log);
    const measured = window.result(report);
    const inprocess = server.pid === process.pid ? ' (--server inprocess: the bots are in this process too)' : '';
    for (const line of formatPerformance(measured, report, `server process (pid ${server.pid}, /proc)${inprocess}`)) log(line);
    const db = report.audit.db;
    const chipsConserved = !!report.audit.api?.chipsConserved && !!db?.conserved && !!db?.reconcileOk;
    return { report, ...measured, chipsConserved, invariantsHeld: chipsConserved && report.violations.length === 0, cluster: null };
  } finally {
    await probe?.close().catch(() => undefined);
    if (!stopped) await server.stop().catch(() => undefined);
  }
}

async function runPokerCluster(s: Scenario, nodes: number, log: (line: string) => void): Promise<PokerRun> {
  const external = await freshExternalDatabase();
  log(`database ${external ? 'BENCH_DATABASE_URL (fresh database)' : 'embedded (temp dir)'}; ${nodes} nodes`);
  const database = external ?? (await tempEmbeddedDatabase(log));
  try {
    const run = await runCluster({ ...s, nodes }, {
      botToken: BOT_TOKEN, log,
      botOptions: (url, tableIds, durationS) => botOptions(s, url, tableIds, durationS),
      precreateBots: (db, tableIds) => (s.viaBotRoute ? Promise.resolve() : precreateBots(db, tableIds, s.players)),
    }, database.url);
    const poker: PokerRun = {
      report: run.report, serverCpuSeconds: run.serverCpuSeconds, pg: run.pg, frames: null,
      chipsConserved: run.chipsConserved, invariantsHeld: run.invariantsHeld, cluster: run,
    };
    log(`memory: not measured with --nodes; frames: not metered with --nodes (the bare baseline uses ${DEFAULT_BARE_FRAME_BYTES}-byte frames unless --bare-frame-bytes)`);
    for (const line of formatPerformance(poker, run.report, `the ${nodes} node processes (/proc; a killed one up to its kill, a restarted one from its start)`)) log(line);
    for (const line of formatCluster(run, s.killNodeEveryS)) log(line);
    if (run.hop) for (const line of formatHop(run.hop, s.thinkMs)) log(line);
    return poker;
  } finally {
    await database.drop().catch(() => undefined);
  }
}

function botOptions(s: Scenario, url: string, tableIds: number[], durationS = s.durationS): BotRunOptions {
  return {
    ...DEFAULT_OPTIONS,
    url, botToken: BOT_TOKEN, tables: tableIds.length, tableIds,
    playersPerTable: s.players, spectatorsPerTable: s.spectators, durationS, hands: null, warmupS: s.warmupS,
    thinkMsMin: s.thinkMs[0], thinkMsMax: s.thinkMs[1], strategy: s.strategy, churn: s.churn,
    setupConcurrency: 64, progress: 'auto', leaveTimeoutMs: 120_000,
    // Errors are a target here (a PASS/FAIL line), not an invariant: the run exits 1 only on invariants.
    errorThreshold: Number.MAX_SAFE_INTEGER,
  };
}

/** Server CPU (/proc), PostgreSQL CPU and commits, and the frame meter over the play window; a live CPU figure for the progress line. */
function playWindowMeter(server: ServerHandle, probe: Awaited<ReturnType<typeof openPgProbe>> | null, profDir: string | null) {
  type Reading = { atMs: number; cpuMs: number; systemMs: number; host: { busy: number; total: number }; benchMs: number; pg: PgSample | null; frames: FrameMeter };
  const read = async (): Promise<Reading> => ({
    atMs: performance.now(), cpuMs: processCpuMs(server.pid), systemMs: processSystemCpuMs(server.pid),
    host: hostCpuMs(), benchMs: processCpuMs(process.pid), pg: (await probe?.sample().catch(() => null)) ?? null, frames: await server.frames(),
  });
  let start: Reading | null = null;
  let end: Reading | null = null;
  let live = { atMs: performance.now(), cpuMs: processCpuMs(server.pid) };
  return {
    onPlay: async (phase: 'start' | 'end') => {
      const profileFile = profDir ? path.join(profDir, 'play-window.main.cpuprofile') : null;
      if (phase === 'start') {
        if (profileFile) await server.profile('start', profileFile);
        start = await read();
      } else {
        end = await read();
        if (profileFile) await server.profile('stop', profileFile);
      }
    },
    progressExtra: () => {
      const now = { atMs: performance.now(), cpuMs: processCpuMs(server.pid) };
      const share = (now.cpuMs - live.cpuMs) / (now.atMs - live.atMs);
      live = now;
      return Number.isFinite(share) ? ` | server CPU ${(100 * share).toFixed(0)}%` : '';
    },
    result: (report: BotReport): Omit<PokerRun, 'report' | 'chipsConserved' | 'invariantsHeld' | 'cluster'> => {
      if (!start || !end) throw new Error('the play window was not measured');
      const a: Reading = start;
      const b: Reading = end;
      const seconds = (b.atMs - a.atMs) / 1000;
      const tableFrames = b.frames.tableFrames - a.frames.tableFrames;
      const sampled = b.frames.sampled - a.frames.sampled;
      return {
        serverCpuSeconds: (b.cpuMs - a.cpuMs) / 1000,
        serverSystemCpuSeconds: (b.systemMs - a.systemMs) / 1000,
        machine: {
          busySeconds: (b.host.busy - a.host.busy) / 1000,
          totalSeconds: (b.host.total - a.host.total) / 1000,
          benchCpuSeconds: (b.benchMs - a.benchMs) / 1000,
        },
        pg: a.pg && b.pg ? pgWindow(a.pg, b.pg) : null,
        frames: {
          broadcastsPerSecond: tableFrames / seconds,
          perAction: report.actions > 0 ? tableFrames / report.actions : NaN,
          meanBytes: sampled > 0 ? (b.frames.sampledBytes - a.frames.sampledBytes) / sampled : null,
        },
      };
    },
  };
}

/** `server`: which processes the server CPU is of, e.g. "server process (pid 123, /proc)". */
function formatPerformance(m: Omit<PokerRun, 'report' | 'chipsConserved' | 'invariantsHeld' | 'cluster'>, report: BotReport, server: string): string[] {
  const share = (cpuS: number) => `${((100 * cpuS) / report.playSeconds).toFixed(0)}% of one core`;
  const system = m.serverSystemCpuSeconds === undefined || Number.isNaN(m.serverSystemCpuSeconds) ? '' : `, of which system (syscalls, loopback TCP) ${m.serverSystemCpuSeconds.toFixed(1)} s`;
  const lines = [`${server}: CPU ${m.serverCpuSeconds.toFixed(1)} s in ${report.playSeconds.toFixed(1)} s of play, ${share(m.serverCpuSeconds)}${system}`];
  if (m.machine && Number.isFinite(m.machine.totalSeconds) && m.machine.totalSeconds > 0) {
    const { busySeconds, totalSeconds, benchCpuSeconds } = m.machine;
    const pgSeconds = m.pg && Number.isFinite(m.pg.clusterCpuSeconds) ? m.pg.clusterCpuSeconds : 0;
    const rest = busySeconds - m.serverCpuSeconds - benchCpuSeconds - pgSeconds;
    lines.push(
      `machine (/proc/stat): ${((100 * busySeconds) / totalSeconds).toFixed(0)}% busy, ${busySeconds.toFixed(1)} of ${totalSeconds.toFixed(1)} CPU-seconds:` +
        ` server ${m.serverCpuSeconds.toFixed(1)}, PostgreSQL ${m.pg ? fixed(m.pg.clusterCpuSeconds, 1) : 'n/a'}, this bench (bots) ${benchCpuSeconds.toFixed(1)}, the rest ${rest.toFixed(1)}`,
    );
  }
  if (m.pg) {
    lines.push(
      `PostgreSQL (/proc, read-only): the cluster's processes ${fixed(m.pg.clusterCpuSeconds, 1)} s of CPU (${share(m.pg.clusterCpuSeconds)}; on a shared server this includes other databases),` +
        ` this database's backends ${fixed(m.pg.databaseCpuSeconds, 1)} s; commits ${m.pg.commits} (${m.pg.commitsPerSecond.toFixed(1)}/s, pg_stat_database.xact_commit, read-only transactions included)`,
    );
  }
  if (m.frames) {
    lines.push(
      `table frames: ${m.frames.broadcastsPerSecond.toFixed(0)} room broadcasts/s, ${fixed(m.frames.perAction, 2)} per action;` +
        ` mean ${m.frames.meanBytes === null ? 'n/a' : m.frames.meanBytes.toFixed(0)} bytes of JSON (1 in ${FRAME_SAMPLE_EVERY} measured)`,
    );
  }
  return lines;
}

function logMemory(s: Scenario, log: (line: string) => void, rssBase: number, perIdleSocket: number | null, rssPlaying: number | null): void {
  const perTable = rssPlaying === null ? null : (rssPlaying - rssBase) / s.tables;
  const perTableWithoutSockets = perTable === null || perIdleSocket === null ? null : perTable - perIdleSocket * (s.players + s.spectators);
  const kib = (b: number | null) => (b === null ? 'n/a' : `${(b / 1024).toFixed(1)} KiB`);
  log(`memory (server RSS after GC, ${s.server}): base ${(rssBase / 2 ** 20).toFixed(0)} MiB; per idle socket ${kib(perIdleSocket)} (${s.idleSockets} sockets);` +
    ` while playing ${rssPlaying === null ? 'n/a' : `${(rssPlaying / 2 ** 20).toFixed(0)} MiB`}: per active table ${kib(perTable)} with its ${s.players + s.spectators} sockets, ${kib(perTableWithoutSockets)} without them`);
}

function logProfile(profDir: string, log: (line: string) => void): void {
  // The play window's profile of the server's main thread (windowProfiler).
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files.sort((a, b) => statSync(path.join(profDir, b)).size - statSync(path.join(profDir, a)).size).slice(0, 1)) {
    for (const line of summarizeProfile(path.join(profDir, f))) log(line);
    log(`(profile kept in ${path.join(profDir, f)}; open it in Chrome DevTools or speedscope)`);
  }
}

// ---- the bare Socket.IO baseline ----------------------------------------------------------------

function runBare(s: Scenario, frameBytes: number, log: (line: string) => void): Promise<BareResult> {
  log(`bare Socket.IO baseline: ${s.tables} rooms x ${s.players + s.spectators} sockets, ${s.durationS} s, the poker server stopped`);
  return runBareBaseline({
    rooms: s.tables, roomSize: s.players + s.spectators, actorsPerRoom: s.players, durationS: s.durationS, thinkMs: s.thinkMs,
    frameBytes, recovery: s.bareRecovery, ackTimeoutMs: DEFAULT_OPTIONS.ackTimeoutMs, log,
    progress: process.stderr,
  });
}

function formatComparison(poker: PokerRun | null, bare: BareResult): string[] {
  const r = poker?.report;
  const col = (ours: string, theirs: string) => `${ours.padStart(16)}${theirs.padStart(16)}`;
  const na = 'n/a';
  return [
    '',
    `=== ours vs bare Socket.IO (same machine, same run; bare: ${bare.frameBytes}-byte frames, broadcasts counted as delivered messages / ${bare.roomSize}) ===`,
    `  ${''.padEnd(26)}${col('ours', 'bare')}`,
    `  ${'sockets'.padEnd(26)}${col(r ? String(r.sockets.players + r.sockets.spectators) : na, String(bare.sockets))}`,
    `  ${'actions | broadcasts /s'.padEnd(26)}${col(r ? r.actionsPerSecond.toFixed(0) : na, bare.broadcastsPerSecond.toFixed(0))}`,
    `  ${'client ack p50 (ms)'.padEnd(26)}${col(r ? r.ackLatency.p50Ms.toFixed(1) : na, bare.ack.p50Ms.toFixed(1))}`,
    `  ${'client ack p99 (ms)'.padEnd(26)}${col(r ? r.ackLatency.p99Ms.toFixed(1) : na, bare.ack.p99Ms.toFixed(1))}`,
    `  ${'server CPU (s, /proc)'.padEnd(26)}${col(poker ? poker.serverCpuSeconds.toFixed(1) : na, bare.serverCpuSeconds.toFixed(1))}`,
    `  ${'first 15 s: per s, p99'.padEnd(26)}${col(r ? `${r.windows.first.actionsPerSecond.toFixed(0)}, ${r.windows.first.ackP99Ms.toFixed(0)} ms` : na, `${bare.windows.first.broadcastsPerSecond.toFixed(0)}, ${bare.windows.first.ackP99Ms.toFixed(0)} ms`)}`,
    `  ${'last 15 s: per s, p99'.padEnd(26)}${col(r ? `${r.windows.last.actionsPerSecond.toFixed(0)}, ${r.windows.last.ackP99Ms.toFixed(0)} ms` : na, `${bare.windows.last.broadcastsPerSecond.toFixed(0)}, ${bare.windows.last.ackP99Ms.toFixed(0)} ms`)}`,
    `  ${'errors'.padEnd(26)}${col(r ? String(r.errors) : na, `${bare.errors} (${bare.lost} lost)`)}`,
    `bare: ${bare.messagesDelivered} messages delivered (${bare.messagesPerSecond.toFixed(0)}/s), ${bare.actsAcked} acts acknowledged, set-up ${bare.setupSeconds.toFixed(1)} s`,
  ];
}

// ---- targets and the RESULT line ------------------------------------------------------------------

interface ResultFigures {
  s: Scenario;
  poker: PokerRun | null;
  bare: BareResult | null;
  ratioVsBare: number | null;
  settleP50Ms: number | null;
  settleP99Ms: number | null;
}

function resultFigures(s: Scenario, poker: PokerRun | null, bare: BareResult | null): ResultFigures {
  const settle = poker?.report.server?.settleSeconds;
  const ms = (seconds: number | null | undefined) => (seconds == null ? null : seconds * 1000);
  return {
    s, poker, bare,
    ratioVsBare: poker && bare && bare.broadcastsPerSecond > 0 ? poker.report.actionsPerSecond / bare.broadcastsPerSecond : null,
    settleP50Ms: ms(settle?.p50),
    settleP99Ms: ms(settle?.p99),
  };
}

function targetLines(f: ResultFigures): string[] {
  const r = f.poker?.report;
  const check = (name: string, value: number | null | undefined, pass: (v: number) => boolean, shown = (v: number) => fixed(v, 2)) =>
    `  ${value == null || !Number.isFinite(value) ? 'SKIP' : pass(value) ? 'PASS' : 'FAIL'}  ${name}: ${value == null ? 'n/a' : shown(value)}`;
  const first = r?.windows.first.actionsPerSecond;
  const last = r?.windows.last.actionsPerSecond;
  return [
    'targets (issue #11; printed, not enforced):',
    check(`ratio_vs_bare >= ${TARGETS.ratioVsBare}`, f.ratioVsBare, (v) => v >= TARGETS.ratioVsBare),
    check(`settle_p99_ms < ${TARGETS.settleP99Ms}`, f.settleP99Ms, (v) => v < TARGETS.settleP99Ms, (v) => fixed(v, 1)),
    check(`ack_p99_ms < ${TARGETS.ackP99Ms}`, r?.ackLatency.p99Ms, (v) => v < TARGETS.ackP99Ms, (v) => fixed(v, 1)),
    check('errors = 0', r?.errors, (v) => v === 0, String),
    check(`last15 >= ${TARGETS.lastVsFirst} x first15 actions/s (${fixed(last, 0)} vs ${fixed(first, 0)})`,
      first && last !== undefined ? last / first : null, (v) => v >= TARGETS.lastVsFirst),
    ...(f.poker && !f.poker.invariantsHeld ? [`  FAIL  invariants: ${(f.poker.cluster?.violations ?? f.poker.report.violations).join('; ') || 'chips not conserved'}`] : []),
  ];
}

function resultLine(f: ResultFigures): string {
  const r = f.poker?.report;
  const pg = f.poker?.pg;
  const fields: [string, string][] = [
    ['tables', String(f.s.tables)],
    ['sockets', String(f.s.tables * (f.s.players + f.s.spectators))],
    ['duration_s', fixed(r?.playSeconds, 1)],
    ['hands_per_s', fixed(r?.handsPerSecond, 1)],
    ['settle_p50_ms', fixed(f.settleP50Ms, 1)],
    ['ack_p50_ms', fixed(r?.ackLatency.p50Ms, 1)],
    ['server_cpu_s', fixed(f.poker?.serverCpuSeconds, 1)],
    ['pg_cpu_s', fixed(pg?.clusterCpuSeconds, 1)],
    ['pg_db_cpu_s', fixed(pg?.databaseCpuSeconds, 1)],
    ['commits_per_s', fixed(pg?.commitsPerSecond, 1)],
    ['bare_server_cpu_s', fixed(f.bare?.serverCpuSeconds, 1)],
    ['deliberate', r ? String(r.countedApart) : 'n/a'],
    ['actions_per_s', fixed(r?.actionsPerSecond, 0)],
    ['bare_broadcasts_per_s', fixed(f.bare?.broadcastsPerSecond, 0)],
    ['ratio_vs_bare', fixed(f.ratioVsBare, 3)],
    ['settle_p99_ms', fixed(f.settleP99Ms, 1)],
    ['ack_p99_ms', fixed(r?.ackLatency.p99Ms, 1)],
    ['errors', r ? String(r.errors) : 'n/a'],
    ['first15_actions_per_s', fixed(r?.windows.first.actionsPerSecond, 0)],
    ['last15_actions_per_s', fixed(r?.windows.last.actionsPerSecond, 0)],
    ...(f.s.nodes === null ? [] : clusterFields(f.poker?.cluster ?? null)),
    ['chips_conserved', f.poker ? String(f.poker.chipsConserved) : 'n/a'],
  ];
  return `RESULT bench:load ${fields.map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

function clusterFields(c: ClusterRun | null): [string, string][] {
  const ack = (phase: 'owner' | 'remote', q: 'p50Ms' | 'p99Ms') => fixed(c?.hop?.[phase].report.ackLatency[q], 1);
  return [
    ['nodes', c ? String(c.nodes) : 'n/a'],
    ['node_kills', c ? String(c.kills) : 'n/a'],
    ['tables_moved', c ? String(c.tablesMoved) : 'n/a'],
    ['owners_max', c ? String(c.ownersMax) : 'n/a'],
    ['ack_owner_p50_ms', ack('owner', 'p50Ms')],
    ['ack_owner_p99_ms', ack('owner', 'p99Ms')],
    ['ack_remote_p50_ms', ack('remote', 'p50Ms')],
    ['ack_remote_p99_ms', ack('remote', 'p99Ms')],
  ];
}

function fixed(value: number | null | undefined, digits: number): string {
  return value == null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

if (process.argv.includes('--serve')) {
  serveChild().catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  cli().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
