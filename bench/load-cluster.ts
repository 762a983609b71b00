import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { auditBotsInDb } from '../server/bots/db-audit';
import { sleep } from '../server/bots/bot';
import type { BotRunOptions } from '../server/bots/options';
import { parseMetrics, type Scrape } from '../server/bots/prom';
import { formatReport } from '../server/bots/report';
import { runBots, serverFigures, type BotReport, type DbAuditInput, type DbAuditResult } from '../server/bots/run';
import { launchCluster, type Cluster, type ClusterNode } from '../server/cluster/launch';
import { createDb, type Db } from '../server/db/client';
import { startEmbeddedPostgres } from '../server/db/embedded';
import { migrate } from '../server/db/migrate';
import { insertTable } from '../server/tables/store';
import { openPgProbe, pgWindow, processCpuMs, type PgSample, type PgWindow } from './support';

// `npm run bench:load -- --nodes N [--kill-node-every S]`: the load bench
// against a cluster (issue #12) instead of one server. On a fresh database it
// creates the tables and the bot users, launches N nodes, a redis-server of
// their own and the front door (server/cluster/launch.ts), waits until the
// tables are spread, and runs the bots through the front door (so about
// (N-1)/N of the commands and frames take the extra hop through Redis).
// Optionally SIGKILLs a node every S seconds of the play window and restarts
// it. Then the extra hop alone: the tables of node-1, played first through
// node-1 (the owner) and then through node-2 (every command forwarded). At the
// end: the chips audited exactly, and from the lease history how often tables
// moved and whether any table ever had two owners at one instant.

/** What the cluster run needs of bench:load's scenario. */
export interface ClusterScenario {
  nodes: number;
  /** SIGKILL a node every this many seconds of the play window (null: never). */
  killNodeEveryS: number | null;
  /** Length of each of the two hop phases, s (0: no hop phases). */
  hopS: number;
  tables: number;
  players: number;
  durationS: number;
  thinkMs: [number, number];
  handIntervalMs: number;
  tablePacing: boolean;
}

export interface ClusterDeps {
  botToken: string;
  log: (line: string) => void;
  /** bench:load's bot options for one run at `url` on `tableIds` for `durationS`. */
  botOptions(url: string, tableIds: number[], durationS: number): BotRunOptions;
  /** Creates the bots' users beforehand (or nothing, with --via-bot-route). */
  precreateBots(db: Db, tableIds: number[]): Promise<void>;
}

export interface HopResult {
  owner: { node: string; report: BotReport };
  remote: { node: string; report: BotReport };
  tables: number;
  /** Claims of those tables during the two phases (0: the owner never changed). */
  claims: number;
}

export interface ClusterRun {
  report: BotReport;
  /** CPU of every node process over the play window (/proc; a killed process up to its kill), s. */
  serverCpuSeconds: number;
  pg: PgWindow | null;
  /** CPU over the play window of this process (the bots and the front door) and of the redis-server, s. */
  benchCpuSeconds: number;
  redisCpuSeconds: number | null;
  nodes: number;
  kills: number;
  /** History rows of the run's tables minus the tables: every claim after a table's first. */
  tablesMoved: number;
  /** Claims of the run's tables inside the main play window. */
  claimsInPlay: number;
  /** Most ownership intervals of one table that overlap at one instant: must be 1. */
  ownersMax: number;
  hop: HopResult | null;
  /** Chips of every bot and table exactly (after every phase, and once more at the end), reconcile clean. */
  chipsConserved: boolean;
  invariantsHeld: boolean;
  violations: string[];
}

/** The lease TTL of the nodes (default 10 s): a killed node's tables are free again within it. */
const LEASE_TTL_MS = 5_000;
/**
 * Pools per node (main thread, ledger thread). The default 20 + 20 for three
 * nodes would pass PostgreSQL's default max_connections (100) together with the
 * bench and anything else on the server; two cores use only a few at once anyway.
 */
const NODE_DB_POOL_MAX = 8;
const NODE_LEDGER_POOL_MAX = 8;
/** A killed node is started again this long after it died. */
const RESTART_AFTER_MS = 2_000;
/** Waits for the tables to spread and for every lobby to list them; past this the run fails. */
const SPREAD_TIMEOUT_MS = 90_000;
/** The tables count as spread once none has been claimed for this long (a few placement ticks of LEASE_TTL_MS / 5). */
const SPREAD_STABLE_MS = 3_000;
const LOBBY_TIMEOUT_MS = 30_000;
const POLL_MS = 250;
const SCRAPE_TIMEOUT_MS = 5_000;
/** The hop phases play the tables of this node, first through it, then through the next one. */
const HOP_OWNER_INDEX = 0;

export async function runCluster(c: ClusterScenario, deps: ClusterDeps, databaseUrl: string): Promise<ClusterRun> {
  const { log } = deps;
  await migrate(databaseUrl);
  const db = createDb({ url: databaseUrl, poolMax: 4 });
  let cluster: Cluster | null = null;
  try {
    const tableIds = await createTables(db, c.tables, c.players);
    await deps.precreateBots(db, tableIds);
    const started = Date.now();
    cluster = await launchCluster({ nodes: c.nodes, databaseUrl, spawnRedis: true, env: nodeEnv(c, deps.botToken), log });
    log(`cluster: ${c.nodes} nodes behind ${cluster.url} (${cluster.nodes.map((n) => `${n.id} pid ${n.pid}`).join(', ')}), up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await waitSpread(db, cluster, tableIds, log);
    await waitLobbies(cluster.nodes.map((n) => n.url), tableIds);
    const main = await mainPhase(c, deps, cluster, db, tableIds);
    const hop = c.hopS > 0 ? await hopPhase(c, deps, cluster, db, tableIds) : null;
    await cluster.close();
    cluster = null;
    const leases = await leaseFigures(db, tableIds, main.window);
    const final = await auditBotsInDb(db, { userIds: await botUserIds(db), tableIds });
    const reports = [main.report, ...(hop ? [hop.owner.report, hop.remote.report] : [])];
    const chipsConserved = reports.every(chipsHeld) && final.conserved && final.reconcileOk && final.openSeats === 0;
    const violations = [
      ...reports.flatMap((r) => r.violations),
      ...(final.reconcileOk ? [] : [`reconcile at the end: ${final.violations.join('; ')}`]),
      ...(final.conserved ? [] : [`at the end: wallets ${final.wallets} + seats ${final.seatChips} + rake ${final.rake} != bought ${final.bought}`]),
      ...(final.openSeats === 0 ? [] : [`${final.openSeats} bot seats still open at the end`]),
      ...(leases.ownersMax > 1 ? [`a table had ${leases.ownersMax} owners at one instant (table_lease_history)`] : []),
    ];
    return {
      report: main.report, serverCpuSeconds: main.cpuSeconds, pg: main.pg, benchCpuSeconds: main.benchCpuSeconds,
      redisCpuSeconds: main.redisCpuSeconds, nodes: c.nodes, kills: main.kills,
      ...leases, hop, chipsConserved, invariantsHeld: chipsConserved && violations.length === 0, violations,
    };
  } finally {
    await cluster?.close().catch((error: Error) => log(`cluster close: ${error.message}`));
    await db.$disconnect();
  }
}

/**
 * With no BENCH_DATABASE_URL: a PostgreSQL of the bench's own in a temp dir
 * (the cluster launcher's own embedded database is `npm start`'s, not a fresh one).
 */
export async function tempEmbeddedDatabase(log: (line: string) => void): Promise<{ url: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-load-pg-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach the data directory
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), preferredPort: 0, persistent: false, log });
  return {
    url: pg.url,
    drop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function nodeEnv(c: ClusterScenario, botToken: string): Record<string, string> {
  return {
    BOT_TOKEN: botToken, LOG_LEVEL: 'warn', HAND_INTERVAL_MS: String(c.handIntervalMs), LEASE_TTL_MS: String(LEASE_TTL_MS),
    DB_POOL_MAX: String(NODE_DB_POOL_MAX), LEDGER_POOL_MAX: String(NODE_LEDGER_POOL_MAX),
    // What the single server gets as table settings (bench:load's pacingSettings), here through its configuration.
    ...(c.tablePacing ? {} : { SHOWDOWN_HOLD_MS: String(c.handIntervalMs), RUN_OUT_STREET_MS: '0' }),
  };
}

/** The single-node run's tables (registry.createTable writes the same row through insertTable). */
async function createTables(db: Db, count: number, players: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = await insertTable(db, {
      name: `Load ${i + 1}`, variant: 'NLHE', maxSeats: Math.max(6, players), smallBlind: 1, bigBlind: 2,
      minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10,
    });
    ids.push(row.id);
  }
  return ids;
}

// ---- the main run ------------------------------------------------------------------------------

interface MainPhase {
  report: BotReport;
  cpuSeconds: number;
  pg: PgWindow | null;
  benchCpuSeconds: number;
  redisCpuSeconds: number | null;
  kills: number;
  /** The play window by the database's clock (the lease history's clock). */
  window: { from: Date; to: Date };
}

async function mainPhase(c: ClusterScenario, deps: ClusterDeps, cluster: Cluster, db: Db, tableIds: number[]): Promise<MainPhase> {
  const meter = nodesMeter(cluster);
  const killer = c.killNodeEveryS ? nodeKiller(cluster, c.killNodeEveryS, meter, deps.log) : null;
  const probe = await openPgProbe(cluster.databaseUrl).catch((error: Error) => {
    deps.log(`PostgreSQL CPU and commits not measured: ${error.message}`);
    return null;
  });
  const redis = await redisCpu(cluster.redisUrl);
  let pgStart: PgSample | null = null;
  let pgEnd: PgSample | null = null;
  const bench = { start: process.cpuUsage(), end: process.cpuUsage() };
  const redisWindow = { start: null as number | null, end: null as number | null };
  const window = { from: new Date(0), to: new Date(0) };
  try {
    const report = await runBots(deps.botOptions(cluster.url, tableIds, c.durationS), {
      log: deps.log,
      dbAudit: (input) => auditBotsInDb(db, input),
      progressExtra: nodesProgress(cluster),
      onPlay: async (phase) => {
        if (phase === 'start') {
          window.from = await dbNow(db);
          pgStart = (await probe?.sample().catch(() => null)) ?? null;
          redisWindow.start = await redis.seconds();
          bench.start = process.cpuUsage();
          await meter.start();
          killer?.start();
        } else {
          await killer?.stop();
          await meter.end();
          bench.end = process.cpuUsage();
          redisWindow.end = await redis.seconds();
          pgEnd = (await probe?.sample().catch(() => null)) ?? null;
          window.to = await dbNow(db);
        }
      },
    });
    // runBots scraped /metrics through the front door, which may be two different nodes: the sum of the nodes instead.
    report.server = meter.serverFigures();
    console.log(formatReport(report));
    for (const line of meter.notes()) deps.log(line);
    const benchUs = bench.end.user + bench.end.system - bench.start.user - bench.start.system;
    return {
      report, cpuSeconds: meter.cpuSeconds(), pg: pgStart && pgEnd ? pgWindow(pgStart, pgEnd) : null, kills: killer?.kills() ?? 0, window,
      benchCpuSeconds: benchUs / 1e6,
      redisCpuSeconds: redisWindow.start !== null && redisWindow.end !== null ? redisWindow.end - redisWindow.start : null,
    };
  } finally {
    await killer?.stop();
    await probe?.close().catch(() => undefined);
    await redis.close();
  }
}

/** The redis-server's own CPU time (INFO cpu: used_cpu_user + used_cpu_sys), s; null when it does not answer. */
async function redisCpu(url: string): Promise<{ seconds(): Promise<number | null>; close(): Promise<void> }> {
  const client = createClient({ url });
  client.on('error', () => undefined); // a failed reading is null; the nodes report Redis trouble themselves
  await client.connect();
  return {
    seconds: async () => {
      try {
        const info = await client.info('cpu');
        const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
        const total = field('used_cpu_user') + field('used_cpu_sys');
        return Number.isFinite(total) ? total : null;
      } catch {
        return null;
      }
    },
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}

interface Segment {
  pid: number;
  cpuMs: number;
  /** null: from the process's start (a node restarted inside the window). */
  scrape: Scrape | null;
}

/**
 * CPU (/proc) and /metrics of every node over the play window, summed. A
 * node's segment closes just before it is killed (its figures up to then
 * count) and a new one opens from zero when it is back: counters and CPU
 * time of a restarted process start at its start, inside the window.
 */
function nodesMeter(cluster: Cluster) {
  const open = new Map<string, Segment>();
  const deltas = new Map<string, number>();
  const endScrapes: Scrape[] = [];
  const lost: string[] = [];
  let cpuMs = 0;
  const read = async (node: ClusterNode): Promise<Segment | null> =>
    node.alive && node.pid !== undefined ? { pid: node.pid, cpuMs: processCpuMs(node.pid), scrape: await scrapeNode(node.url) } : null;
  const close = async (node: ClusterNode): Promise<Scrape | null> => {
    const base = open.get(node.id);
    open.delete(node.id);
    if (!base) return null;
    const now = await read(node);
    if (!now || now.pid !== base.pid || !now.scrape) {
      lost.push(`${node.id} (pid ${base.pid})`);
      return null;
    }
    cpuMs += now.cpuMs - base.cpuMs;
    addCounterDeltas(deltas, base.scrape, now.scrape);
    return now.scrape;
  };
  return {
    start: async () => {
      for (const node of cluster.nodes) {
        const segment = await read(node);
        if (segment) open.set(node.id, segment);
      }
    },
    /** Before a SIGKILL: what the node did up to now counts. */
    closeSegment: async (node: ClusterNode) => void (await close(node)),
    /** After a restart: a segment from the new process's start. */
    openFresh: (node: ClusterNode) => {
      if (node.pid !== undefined) open.set(node.id, { pid: node.pid, cpuMs: 0, scrape: null });
    },
    end: async () => {
      for (const node of cluster.nodes) {
        const scrape = await close(node);
        if (scrape) endScrapes.push(scrape);
      }
    },
    cpuSeconds: () => cpuMs / 1000,
    serverFigures: (): NonNullable<BotReport['server']> => {
      const figures = serverFigures(null, { samples: deltas });
      const gauges = (name: string) => endScrapes.map((s) => s.samples.get(name)).filter((v): v is number => v !== undefined);
      const lag = gauges('nodejs_eventloop_lag_p99_seconds');
      const rss = gauges('process_resident_memory_bytes');
      return {
        ...figures,
        eventLoopLagSeconds: lag.length > 0 ? Math.max(...lag) : null,
        residentMemoryBytes: rss.length > 0 ? rss.reduce((a, b) => a + b, 0) : null,
      };
    },
    notes: () => [
      `server figures above: /metrics of every node summed (settle and ack histograms bucket by bucket), RSS summed, event-loop lag the worst node's; CPU ${(cpuMs / 1000).toFixed(1)} s of all node processes (/proc)`,
      ...(lost.length > 0 ? [`not counted (the process was gone or /metrics did not answer when its segment closed): ${lost.join(', ')}`] : []),
    ],
  };
}

/** For the progress line: nodes up, and CPU of the live node processes since the last call. */
function nodesProgress(cluster: Cluster): () => string {
  let last = new Map<number, number>();
  let lastAt = performance.now();
  return () => {
    const now = performance.now();
    const next = new Map<number, number>();
    let used = 0;
    for (const node of cluster.nodes) {
      if (!node.alive || node.pid === undefined) continue;
      const ms = processCpuMs(node.pid);
      if (!Number.isFinite(ms)) continue;
      next.set(node.pid, ms);
      used += ms - (last.get(node.pid) ?? ms);
    }
    const share = used / (now - lastAt);
    last = next;
    lastAt = now;
    const alive = cluster.nodes.filter((n) => n.alive).length;
    return ` | nodes up ${alive}/${cluster.nodes.length}, CPU ${Number.isFinite(share) ? (100 * share).toFixed(0) : '?'}%`;
  };
}

/** Adds after - before of every counter and histogram series (name ending _total, _count, _sum, _bucket). */
function addCounterDeltas(into: Map<string, number>, before: Scrape | null, after: Scrape): void {
  for (const [key, value] of after.samples) {
    const name = key.split('{', 1)[0]!;
    if (!/_(total|count|sum|bucket)$/.test(name)) continue;
    into.set(key, (into.get(key) ?? 0) + value - (before?.samples.get(key) ?? 0));
  }
}

async function scrapeNode(url: string): Promise<Scrape | null> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    return response.ok ? parseMetrics(await response.text()) : null;
  } catch {
    return null;
  }
}

/**
 * At every `everyS` seconds of play: SIGKILL the next live node (in turn) and
 * start it again RESTART_AFTER_MS after it died. One node at a time: a kill
 * due while the last one is still restarting waits for it. None after stop().
 */
function nodeKiller(cluster: Cluster, everyS: number, meter: ReturnType<typeof nodesMeter>, log: (line: string) => void) {
  let next = 0;
  let kills = 0;
  let startedAt = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let wake = () => undefined as void;
  const wait = (ms: number) => new Promise<void>((resolve) => {
    wake = resolve;
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  const killOne = async () => {
    const node = cluster.nodes.map((_, i) => cluster.nodes[(next + i) % cluster.nodes.length]!).find((n) => n.alive);
    if (!node) return;
    next = cluster.nodes.indexOf(node) + 1;
    const at = ((performance.now() - startedAt) / 1000).toFixed(1);
    await meter.closeSegment(node);
    const pid = node.pid;
    node.kill('SIGKILL');
    await node.exited;
    kills++;
    log(`kill: ${node.id} (pid ${pid}) SIGKILLed at ${at} s of play`);
    await sleep(RESTART_AFTER_MS);
    const restarting = performance.now();
    await node.restart();
    meter.openFresh(node);
    log(`kill: ${node.id} back as pid ${node.pid}, healthy ${((performance.now() - restarting) / 1000).toFixed(1)} s after its restart`);
  };
  const loop = async () => {
    for (let k = 1; ; k++) {
      await wait(startedAt + k * everyS * 1000 - performance.now());
      if (stopped) return;
      await killOne();
    }
  };
  return {
    start: () => {
      startedAt = performance.now();
      running = loop().catch((error: Error) => log(`kill: ${error.message}`));
    },
    /** No more kills; waits for a node being killed or restarted now. */
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake();
      await running;
    },
    kills: () => kills,
  };
}

// ---- the extra hop ------------------------------------------------------------------------------

/**
 * The tables of one node, played for hopS through that node (its own sockets,
 * commands run where they arrive) and then for hopS through the next node
 * (every command forwarded to the owner over Redis, every frame back through
 * the Redis adapter). Same tables, bots and think time: the difference of the
 * client acks is the hop, under whatever load the machine has then.
 */
async function hopPhase(c: ClusterScenario, deps: ClusterDeps, cluster: Cluster, db: Db, tableIds: number[]): Promise<HopResult | null> {
  const owner = cluster.nodes[HOP_OWNER_INDEX]!;
  const via = cluster.nodes[(HOP_OWNER_INDEX + 1) % cluster.nodes.length]!;
  await waitSpread(db, cluster, tableIds, deps.log);
  const owners = await ownersOf(db, tableIds);
  const tables = tableIds.filter((id) => owners.get(id) === owner.id);
  if (tables.length === 0) {
    deps.log(`hop: ${owner.id} owns no table; no hop phases`);
    return null;
  }
  await waitLobbies([owner.url, via.url], tables);
  deps.log(`hop: ${tables.length} tables owned by ${owner.id}, played ${c.hopS} s through ${owner.id}, then ${c.hopS} s through ${via.id}`);
  const from = await dbNow(db);
  const phase = async (node: ClusterNode) => {
    const report = await runBots(deps.botOptions(node.url, tables, c.hopS), { log: deps.log, dbAudit: (input: DbAuditInput): Promise<DbAuditResult> => auditBotsInDb(db, input) });
    console.log(formatReport(report));
    return { node: node.id, report };
  };
  const ownerRun = await phase(owner);
  const remoteRun = await phase(via);
  const claims = await claimsBetween(db, tables, from, await dbNow(db));
  return { owner: ownerRun, remote: remoteRun, tables: tables.length, claims };
}

export function formatHop(hop: HopResult, thinkMs: [number, number]): string[] {
  const col = (a: string, b: string) => `${a.padStart(22)}${b.padStart(26)}`;
  const o = hop.owner.report;
  const r = hop.remote.report;
  const row = (name: string, f: (x: BotReport) => string) => `  ${name.padEnd(24)}${col(f(o), f(r))}`;
  return [
    '',
    `=== the extra hop: ${hop.tables} tables owned by ${hop.owner.node}, ${o.playSeconds.toFixed(0)} s each way, think ${thinkMs.join('-')} ms ===`,
    `  ${''.padEnd(24)}${col(`via ${hop.owner.node} (owner)`, `via ${hop.remote.node} (forwarded)`)}`,
    row('sockets', (x) => String(x.sockets.players + x.sockets.spectators)),
    row('actions/s', (x) => x.actionsPerSecond.toFixed(0)),
    row('client ack p50 (ms)', (x) => x.ackLatency.p50Ms.toFixed(1)),
    row('client ack p95 (ms)', (x) => x.ackLatency.p95Ms.toFixed(1)),
    row('client ack p99 (ms)', (x) => x.ackLatency.p99Ms.toFixed(1)),
    row('errors', (x) => String(x.errors)),
    `  claims of these tables during the two phases: ${hop.claims}${hop.claims > 0 ? ' (tables moved: part of the first phase was not at the owner)' : ' (the owner never changed)'}`,
  ];
}

// ---- leases and placement -----------------------------------------------------------------------

async function ownersOf(db: Db, ids: number[]): Promise<Map<number, string>> {
  const rows = await db.$queryRawUnsafe<{ table_id: number; node_id: string }[]>(
    `SELECT table_id, node_id FROM table_leases WHERE table_id = ANY($1::int[]) AND expires_at > clock_timestamp()`, ids,
  );
  return new Map(rows.map((r) => [r.table_id, r.node_id]));
}

/**
 * Until every table has a live owner, each live node owns at least a quarter
 * of them, and no table has been claimed for SPREAD_STABLE_MS (rebalancing is
 * over: a move inside the play window would be the bench's doing).
 */
async function waitSpread(db: Db, cluster: Cluster, tableIds: number[], log: (line: string) => void): Promise<void> {
  const started = Date.now();
  let claims = -1;
  let claimsSince = Date.now();
  for (;;) {
    const owners = await ownersOf(db, tableIds);
    const now = await claimCount(db, tableIds);
    if (now !== claims) [claims, claimsSince] = [now, Date.now()];
    const counts = new Map<string, number>();
    for (const owner of owners.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    const live = cluster.nodes.filter((n) => n.alive);
    const spread = owners.size === tableIds.length && live.every((n) => (counts.get(n.id) ?? 0) >= tableIds.length / 4);
    if (spread && Date.now() - claimsSince >= SPREAD_STABLE_MS) {
      log(`tables spread in ${((Date.now() - started) / 1000).toFixed(1)} s: ${live.map((n) => `${n.id} ${counts.get(n.id)}`).join(', ')}`);
      return;
    }
    if (Date.now() - started > SPREAD_TIMEOUT_MS) throw new Error(`tables not spread within ${SPREAD_TIMEOUT_MS} ms: ${JSON.stringify([...counts])}, ${owners.size}/${tableIds.length} owned`);
    await sleep(POLL_MS);
  }
}

/** Until the lobby of each url lists every table (the bots pick their tables from GET /api/tables). */
async function waitLobbies(urls: string[], tableIds: number[]): Promise<void> {
  const started = Date.now();
  for (const url of urls) {
    for (;;) {
      const listed = await fetch(`${url}/api/tables`).then((r) => r.json() as Promise<{ tables: { id: number }[] }>, () => ({ tables: [] }));
      const ids = new Set(listed.tables.map((t) => t.id));
      if (tableIds.every((id) => ids.has(id))) break;
      if (Date.now() - started > LOBBY_TIMEOUT_MS) throw new Error(`the lobby of ${url} lists ${tableIds.filter((id) => ids.has(id)).length} of the ${tableIds.length} tables`);
      await sleep(POLL_MS);
    }
  }
}

async function claimCount(db: Db, tableIds: number[]): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM table_lease_history WHERE table_id = ANY($1::int[])`, tableIds);
  return Number(row!.n);
}

async function dbNow(db: Db): Promise<Date> {
  const [row] = await db.$queryRawUnsafe<{ now: Date }[]>('SELECT clock_timestamp() AS now');
  return row!.now;
}

async function claimsBetween(db: Db, tableIds: number[], from: Date, to: Date): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n FROM table_lease_history WHERE table_id = ANY($1::int[]) AND acquired_at >= $2 AND acquired_at <= $3`,
    tableIds, from, to,
  );
  return Number(row!.n);
}

/**
 * From table_lease_history: claims after each table's first, those inside the
 * play window, and the most intervals of one table open at one instant. An
 * interval is [acquired_at, end): its ended_at, else the live lease's
 * expires_at when it is that lease, else now. An end and a start at the same
 * instant do not overlap (the end is counted first).
 */
async function leaseFigures(db: Db, tableIds: number[], window: { from: Date; to: Date }): Promise<Pick<ClusterRun, 'tablesMoved' | 'claimsInPlay' | 'ownersMax'>> {
  const [row] = await db.$queryRawUnsafe<{ claims: bigint; in_play: bigint; owners_max: number | null }[]>(
    `WITH iv AS (
       SELECT h.table_id, h.acquired_at AS s,
              COALESCE(h.ended_at, CASE WHEN l.epoch = h.epoch THEN l.expires_at END, clock_timestamp()) AS e
         FROM table_lease_history h LEFT JOIN table_leases l ON l.table_id = h.table_id
        WHERE h.table_id = ANY($1::int[])),
     ev AS (SELECT table_id, s AS t, 1 AS d FROM iv UNION ALL SELECT table_id, e, -1 FROM iv),
     running AS (SELECT sum(d) OVER (PARTITION BY table_id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS n FROM ev)
     SELECT (SELECT count(*) FROM iv) AS claims,
            (SELECT count(*) FROM iv WHERE s >= $2 AND s <= $3) AS in_play,
            (SELECT max(n) FROM running)::int AS owners_max`,
    tableIds, window.from, window.to,
  );
  return { tablesMoved: Number(row!.claims) - tableIds.length, claimsInPlay: Number(row!.in_play), ownersMax: row!.owners_max ?? 0 };
}

async function botUserIds(db: Db): Promise<number[]> {
  const rows = await db.$queryRawUnsafe<{ id: number }[]>('SELECT id FROM users WHERE is_bot');
  return rows.map((r) => r.id);
}

function chipsHeld(r: BotReport): boolean {
  const db = r.audit.db;
  return !!r.audit.api?.chipsConserved && !!db?.conserved && !!db?.reconcileOk;
}

export function formatCluster(run: ClusterRun, killEveryS: number | null): string[] {
  return [
    '',
    `=== cluster: ${run.nodes} nodes, one redis-server, one PostgreSQL database, the front door; lease TTL ${LEASE_TTL_MS} ms ===`,
    `  CPU over the play window: nodes ${run.serverCpuSeconds.toFixed(1)} s, this process (the bots and the front door, one event loop) ${run.benchCpuSeconds.toFixed(1)} s,` +
      ` redis-server ${run.redisCpuSeconds === null ? 'n/a' : `${run.redisCpuSeconds.toFixed(1)} s`}, PostgreSQL ${run.pg ? `${run.pg.clusterCpuSeconds.toFixed(1)} s` : 'n/a'}, in ${run.report.playSeconds.toFixed(1)} s on ${availableParallelism()} cores`,
    `  node kills: ${run.kills}${killEveryS ? ` (SIGKILL every ${killEveryS} s of play, in turn, restarted ${RESTART_AFTER_MS} ms after)` : ''}`,
    `  tables_moved ${run.tablesMoved} (claims after each table's first, set-up and shutdown included; ${run.claimsInPlay} claims inside the play window)`,
    `  owners_max ${run.ownersMax} (most overlapping ownership intervals of one table, table_lease_history; must be 1)`,
    `  chips conserved (every phase's audits and a final one over every bot and table): ${run.chipsConserved}`,
    ...run.violations.map((v) => `  violation: ${v}`),
  ];
}
