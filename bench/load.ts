import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../server/app';
import { auditBotsInDb } from '../server/bots/db-audit';
import { sleep } from '../server/bots/bot';
import { mapLimit } from '../server/bots/http';
import { DEFAULT_OPTIONS, type BotRunOptions } from '../server/bots/options';
import { formatReport } from '../server/bots/report';
import { runBots, type DbAuditInput, type DbAuditResult } from '../server/bots/run';
import { STRATEGIES, type StrategyName } from '../server/bots/strategy';
import { loadConfig } from '../server/config';

// npm run bench:load [-- --quick | --scale] [--tables N --players 6 --spectators 1 --duration 60
//   --think-ms 0-0 --hand-interval-ms 0 --strategy random-legal --server child|inprocess
//   --cpu-prof --idle-sockets 1000 --via-bot-route]
//
// Starts a server (a child process by default, so that the bots and the
// server use separate cores; or in this process), on a fresh database: the
// embedded PostgreSQL in a temp dir, or a new database on BENCH_DATABASE_URL.
// Creates the tables, runs the bots (server/bots) for a fixed scenario, audits
// the chips exactly in the database, measures the server's memory per idle
// socket and per active table, optionally profiles the server's CPU, prints
// the report and ends with one RESULT line.

// The child inherits the parent's token through the environment.
const BOT_TOKEN = (process.env.BENCH_BOT_TOKEN ??= `bench-${randomBytes(12).toString('hex')}`);
/** Placeholder password hash of pre-created bot users: bots never log in with a password. */
const BOT_PASSWORD_PLACEHOLDER = 'bench-bot-no-password';

interface Scenario {
  tables: number;
  players: number;
  spectators: number;
  durationS: number;
  thinkMs: [number, number];
  handIntervalMs: number;
  strategy: StrategyName;
  server: 'child' | 'inprocess';
  cpuProf: boolean;
  idleSockets: number;
  viaBotRoute: boolean;
  churn: number;
}

const PRESETS: Record<'quick' | 'throughput' | 'scale', Omit<Scenario, 'server' | 'cpuProf' | 'viaBotRoute' | 'strategy' | 'churn'>> = {
  quick: { tables: 20, players: 6, spectators: 1, durationS: 20, thinkMs: [0, 0], handIntervalMs: 100, idleSockets: 500 },
  // Issue 6 "throughput": 200 tables at zero think time.
  throughput: { tables: 200, players: 6, spectators: 1, durationS: 60, thinkMs: [0, 0], handIntervalMs: 100, idleSockets: 1_000 },
  // Issue 6 "scale": 1,000 tables x (6 players + 1 spectator), think 1-3 s, 5 minutes.
  scale: { tables: 1_000, players: 6, spectators: 1, durationS: 300, thinkMs: [1_000, 3_000], handIntervalMs: 2_500, idleSockets: 1_000 },
};

// ---- the server, in a child process or here ------------------------------------------------

interface ServerHandle {
  url: string;
  pid: number;
  tableIds: number[];
  audit(input: DbAuditInput): Promise<DbAuditResult>;
  /** Resident set of the server process after a full GC, bytes. */
  rssAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

type ChildRequest = { id: number; type: 'audit'; input: DbAuditInput } | { id: number; type: 'rss' } | { id: number; type: 'stop' };

/** Runs in the child (`bench/load.ts --serve`): the server, plus audit/rss/stop over IPC. */
async function serveChild(): Promise<void> {
  const { server, tableIds } = await bootServer(JSON.parse(process.env.BENCH_SCENARIO!) as Scenario);
  process.send!({ type: 'ready', url: server.url, tableIds, pid: process.pid });
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
    if (m.type === 'stop') void server.close(5_000).then(() => reply(true)).finally(() => setTimeout(() => process.exit(0), 100));
  });
}

async function bootServer(s: Scenario): Promise<{ server: RunningServer; tableIds: number[] }> {
  const env: Record<string, string | undefined> = {
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', BOT_TOKEN,
    HAND_INTERVAL_MS: String(s.handIntervalMs),
    DATABASE_URL: process.env.BENCH_LOAD_DB_URL,
  };
  if (!env.DATABASE_URL) {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-load-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach the data directory
    env.EMBEDDED_PG_DIR = path.join(dir, 'data');
    env.EMBEDDED_PG_PORT = '0';
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const server = await startServer({ config: loadConfig(env), createDefaultTables: false });
  const tableIds = await mapLimit(Array.from({ length: s.tables }, (_, i) => i), 8, async (i) => {
    const created = await server.registry.createTable({
      name: `Load ${i + 1}`, variant: 'NLHE', maxSeats: Math.max(6, s.players), smallBlind: 1, bigBlind: 2,
      minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10,
    });
    if (!created.ok) throw new Error(`createTable: ${created.error.message}`);
    return created.value.id;
  });
  if (!s.viaBotRoute) await precreateBots(server, tableIds, s.players);
  return { server, tableIds };
}

/**
 * The bot route hashes a random password with argon2id (64 MiB, t=3) for every
 * new bot: thousands of bots would spend minutes there. The bench creates the
 * bot users beforehand (is_bot, a placeholder hash), as it creates the tables;
 * the route then only opens sessions. --via-bot-route measures the slow path.
 */
async function precreateBots(server: RunningServer, tableIds: number[], players: number): Promise<void> {
  const names = tableIds.flatMap((id) => Array.from({ length: players }, (_, i) => `bot_${DEFAULT_OPTIONS.namePrefix}${id}s${i}`));
  for (let i = 0; i < names.length; i += 1_000) {
    await server.database.db.$executeRawUnsafe(
      `INSERT INTO users (username, password_hash, role, is_bot) SELECT u, $2, 'PLAYER', true FROM unnest($1::text[]) AS u ON CONFLICT (username) DO NOTHING`,
      names.slice(i, i + 1_000),
      BOT_PASSWORD_PLACEHOLDER,
    );
  }
}

async function startChild(s: Scenario, profDir: string | null): Promise<ServerHandle> {
  const execArgv = ['--import', 'tsx', '--expose-gc', ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--serve'], {
    execArgv, env: { ...process.env, BENCH_SCENARIO: JSON.stringify(s) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const ready = new Promise<{ url: string; tableIds: number[]; pid: number }>((resolve, reject) => {
    child.on('message', (m: { type?: string; id?: number; value?: unknown; url?: string; tableIds?: number[]; pid?: number }) => {
      if (m.type === 'ready') resolve(m as { url: string; tableIds: number[]; pid: number });
      else if (m.id !== undefined) pending.get(m.id)?.(m.value);
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it was ready`)));
  });
  const { url, tableIds, pid } = await ready;
  const ask = <T>(request: Omit<ChildRequest, 'id'>): Promise<T> => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, (value) => resolve(value as T));
    child.send({ ...request, id });
  });
  return {
    url, pid, tableIds,
    audit: async (input) => {
      const result = await ask<DbAuditResult | { error: string }>({ type: 'audit', input } as Omit<ChildRequest, 'id'>);
      if ('error' in result) throw new Error(`audit failed: ${result.error}`);
      return result;
    },
    rssAfterGc: () => ask<number>({ type: 'rss' }),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ type: 'stop' });
      await exited;
    },
  };
}

async function startHere(s: Scenario): Promise<ServerHandle> {
  const { server, tableIds } = await bootServer(s);
  return {
    url: server.url, pid: process.pid, tableIds,
    audit: (input) => auditBotsInDb(server.database.db, input),
    rssAfterGc: async () => process.memoryUsage().rss,
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
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)!;
    const key = keyOf(n);
    let t = (n.hitCount ?? 0) * perSampleUs;
    self.set(key, (self.get(key) ?? 0) + t);
    const nested = onStack.has(key);
    onStack.add(key);
    for (const c of n.children ?? []) t += walk(c, onStack);
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
  const lines = [`profile ${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / totalUs).toFixed(0)}%)`];
  lines.push('top self time (all code, % of busy):');
  for (const [k, v] of [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v).padStart(6)}  ${k}`);
  lines.push('top inclusive time, our code (server/**):');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v).padStart(6)}  ${k}`);
  return lines;
}

// ---- main --------------------------------------------------------------------------------------

const USAGE = `Usage: npm run bench:load -- [preset] [options]
Starts a server on a fresh database, runs the bots against it, audits the chips and prints a report
ending with one RESULT line. Database: a new database on BENCH_DATABASE_URL, else an embedded
PostgreSQL in a temporary folder.
  presets (default: throughput, ${PRESETS.throughput.tables} tables at zero think time for ${PRESETS.throughput.durationS} s)
  --quick                      ${PRESETS.quick.tables} tables for ${PRESETS.quick.durationS} s
  --scale                      ${PRESETS.scale.tables} tables, think ${PRESETS.scale.thinkMs.join('-')} ms, ${PRESETS.scale.durationS} s
  options (override the preset)
  --tables <n>                 tables to create and play at
  --players <n>                player bots per table
  --spectators <n>             watchers per table
  --duration <s>               length of the run
  --think-ms <min-max>         thinking time per decision
  --hand-interval-ms <ms>      the server's pause between hands
  --strategy <name>            ${STRATEGIES.join(' | ')} (default random-legal)
  --churn <share>              0..1 of the players drop/reconnect or leave/rejoin (default 0)
  --idle-sockets <n>           idle sockets opened to measure memory per socket
  --server child|inprocess     the server in a child process (default: separate cores) or in this one
  --cpu-prof                   profile the server's CPU into bench/profiles/ and summarise it
  --via-bot-route              create the bots through POST /api/bots/session (slow: argon2 per bot)
  -h, --help                   this text
Exit codes: 0 clean run with chips conserved, 1 errors or chips not conserved, 2 bad usage.`;

class UsageError extends Error {}

const CLI_OPTIONS = {
  quick: { type: 'boolean' }, scale: { type: 'boolean' }, tables: { type: 'string' }, players: { type: 'string' },
  spectators: { type: 'string' }, duration: { type: 'string' }, 'think-ms': { type: 'string' },
  'hand-interval-ms': { type: 'string' }, strategy: { type: 'string' }, server: { type: 'string' },
  'cpu-prof': { type: 'boolean' }, 'idle-sockets': { type: 'string' }, 'via-bot-route': { type: 'boolean' },
  churn: { type: 'string' }, serve: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
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
  const base = PRESETS[v.quick ? 'quick' : v.scale ? 'scale' : 'throughput'];
  const num = (name: keyof typeof CLI_OPTIONS, fallback: number) => {
    const text = v[name];
    if (typeof text !== 'string') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${name} needs a number >= 0, not ${text}`);
    return value;
  };
  const think = v['think-ms']?.split('-').map(Number);
  if (think && !think.every((ms) => Number.isFinite(ms) && ms >= 0)) throw new UsageError(`--think-ms needs <min-max> in ms, not ${v['think-ms']}`);
  return {
    tables: num('tables', base.tables),
    players: num('players', base.players),
    spectators: num('spectators', base.spectators),
    durationS: num('duration', base.durationS),
    thinkMs: think ? [think[0]!, think[1] ?? think[0]!] : base.thinkMs,
    handIntervalMs: num('hand-interval-ms', base.handIntervalMs),
    strategy: (v.strategy ?? 'random-legal') as StrategyName,
    server: v.server === 'inprocess' ? 'inprocess' : 'child',
    cpuProf: v['cpu-prof'] ?? false,
    idleSockets: num('idle-sockets', base.idleSockets),
    viaBotRoute: v['via-bot-route'] ?? false,
    churn: num('churn', 0),
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
  const external = await freshExternalDatabase();
  if (external) process.env.BENCH_LOAD_DB_URL = external.url;
  const profDir = s.cpuProf ? path.resolve('bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
  if (profDir) mkdirSync(profDir, { recursive: true });
  log(`bench:load: ${JSON.stringify(s)}; database ${external ? 'BENCH_DATABASE_URL (fresh database)' : 'embedded (temp dir)'}`);
  const started = Date.now();
  const server = s.server === 'child' ? await startChild(s, profDir) : await startHere(s);
  log(`server ready at ${server.url} (pid ${server.pid}) with ${server.tableIds.length} tables in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let stopped = false;
  try {
    const rssBase = await server.rssAfterGc();
    const perIdleSocket = await idleSocketCost(server.url, s.idleSockets, server.rssAfterGc);
    let rssPlaying: number | null = null;
    const options: BotRunOptions = {
      ...DEFAULT_OPTIONS,
      url: server.url, botToken: BOT_TOKEN, tables: s.tables, tableIds: server.tableIds,
      playersPerTable: s.players, spectatorsPerTable: s.spectators, durationS: s.durationS, hands: null,
      thinkMsMin: s.thinkMs[0], thinkMsMax: s.thinkMs[1], strategy: s.strategy, churn: s.churn,
      setupConcurrency: 64, progress: 'auto', leaveTimeoutMs: 120_000,
    };
    const report = await runBots(options, {
      log,
      dbAudit: (input) => server.audit(input),
      beforeLeave: async () => {
        rssPlaying = await server.rssAfterGc();
      },
    });
    console.log(formatReport(report));
    const sockets = report.sockets.players + report.sockets.spectators;
    const perTable = rssPlaying === null ? null : (rssPlaying - rssBase) / s.tables;
    const perTableWithoutSockets = perTable === null || perIdleSocket === null ? null : perTable - perIdleSocket * (s.players + s.spectators);
    const kib = (b: number | null) => (b === null ? 'n/a' : `${(b / 1024).toFixed(1)} KiB`);
    log(`memory (server RSS after GC, ${s.server}): base ${(rssBase / 2 ** 20).toFixed(0)} MiB; per idle socket ${kib(perIdleSocket)} (${s.idleSockets} sockets);` +
      ` while playing ${rssPlaying === null ? 'n/a' : `${((rssPlaying as number) / 2 ** 20).toFixed(0)} MiB`}: per active table ${kib(perTable)} with its ${s.players + s.spectators} sockets, ${kib(perTableWithoutSockets)} without them`);
    await server.stop();
    stopped = true;
    if (profDir) {
      // The largest profile is the main thread's (tsx's loader thread writes a small one too).
      const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
      for (const f of files.sort((a, b) => statSync(path.join(profDir, b)).size - statSync(path.join(profDir, a)).size).slice(0, 1)) {
        for (const line of summarizeProfile(path.join(profDir, f))) log(line);
        log(`(profile kept in ${path.join(profDir, f)}; open it in Chrome DevTools or speedscope)`);
      }
    }
    const db = report.audit.db;
    const conserved = !!report.audit.api?.chipsConserved && !!db?.conserved && !!db?.reconcileOk;
    log(
      `RESULT bench:load tables=${s.tables} sockets=${sockets} hands_per_s=${report.handsPerSecond.toFixed(1)} actions_per_s=${report.actionsPerSecond.toFixed(0)}` +
        ` ack_p50_ms=${report.ackLatency.p50Ms.toFixed(1)} ack_p99_ms=${report.ackLatency.p99Ms.toFixed(1)} errors=${report.errors} chips_conserved=${conserved}`,
    );
    return report.ok && conserved ? 0 : 1;
  } finally {
    if (!stopped) await server.stop().catch(() => undefined);
    await external?.drop().catch(() => undefined);
  }
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
