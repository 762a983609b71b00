import { performance } from 'node:perf_hooks';
import type { LobbyTable } from '../protocol';
import { PlayerBot, SpectatorBot, sleep, type BotContext, type HandItem, type TableInfo } from './bot';
import { HttpSession, ServerUnreachable, mapLimit, type ApiBody } from './http';
import type { BotRunOptions } from './options';
import { deltasByLabel, histogramWindow, parseMetrics, quantile, total, type Scrape } from './prom';
import { Stats, summarize, type LatencySummary, type WindowFigures } from './stats';
import { strategyByName } from './strategy';

// A whole bot run: pick (or create) the tables, set the bots up, play for the
// duration or the number of hands with a live progress line, make every bot
// leave and wait for the cash-outs, then audit the chips through the public
// API (and, when the caller can, directly in the database) and build the report.

export interface DbAuditInput {
  userIds: number[];
  tableIds: number[];
}

/** The exact check, for callers that can reach the database (bench:load, tests). */
export interface DbAuditResult {
  reconcileOk: boolean;
  violations: string[];
  /** Chips of the bots: wallets and still-open seats; rake of the run's tables; chips the bots bought (all time). */
  wallets: string;
  openSeats: number;
  seatChips: string;
  rake: string;
  bought: string;
  /** wallets + seats + rake == bought (valid on a database where only these bots played these tables). */
  conserved: boolean;
}

export interface RunHooks {
  log?: (line: string) => void;
  /** The progress line's sink; defaults to stderr. */
  progressOut?: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown };
  dbAudit?: (input: DbAuditInput) => Promise<DbAuditResult>;
  /** Called after the play phase, before the bots leave (bench:load measures memory there). */
  beforeLeave?: () => Promise<void>;
  /** Resolves to stop the run early (SIGINT). */
  stopSignal?: Promise<void>;
  /** Called when the play window opens and closes (bench:load samples CPU and commits there). */
  onPlay?: (phase: 'start' | 'end') => Promise<void>;
  /** More text for the progress line (bench:load: the server's CPU). */
  progressExtra?: () => string;
}

export interface ApiAudit {
  botsLeft: number;
  botsStillSeated: number;
  initialChips: number;
  boughtChips: number;
  finalChips: number;
  /** Distinct hands of the run and their rake (from GET /api/hands/mine). */
  hands: number;
  rake: number;
  netOfBots: number;
  /** Hands where players other than the run's bots took part (a person playing the bots), and their net. */
  handsWithOthers: number;
  netOfOthers: number;
  /** Hands whose players' nets (bots and others) plus rake are not zero: chips went missing. */
  unbalancedHands: number;
  /** final == initial + bought + sum of the bots' nets. */
  walletsMatchHands: boolean;
  /** final == initial + bought - rake - the other players' net. */
  chipsConserved: boolean;
}

export interface BotReport {
  ok: boolean;
  violations: string[];
  options: Omit<BotRunOptions, 'botToken' | 'adminPassword'>;
  tables: number[];
  sockets: { players: number; spectators: number; peakConnected: number };
  setupSeconds: number;
  /** The unmeasured play before the window (options.warmupS). */
  warmup: { hands: number; seconds: number };
  playSeconds: number;
  hands: number;
  actions: number;
  handsPerSecond: number;
  actionsPerSecond: number;
  ackLatency: LatencySummary;
  /**
   * Table actors the server stopped and rebuilt from the database during the run (play and
   * leaves), by cause (poker_table_rebuilds_total); null when the server does not report it.
   * An `invariant` one (the table's memory and the ledger disagreed) fails the run.
   */
  tableRebuilds: Record<string, number> | null;
  server: {
    settleSeconds: { count: number; p50: number | null; p99: number | null; mean: number | null };
    /** The hand boundary after each settled hand (absent from servers without the metric: count 0). */
    boundarySeconds: { count: number; p50: number | null; p99: number | null; mean: number | null };
    /**
     * The settlement's time by stage on a server with a ledger thread (poker_ledger_stage_seconds):
     * waiting for the thread, the transaction in it, the reply waiting for the main thread.
     */
    settleStages: Record<'to_thread' | 'in_thread' | 'to_main', { count: number; p50: number | null; p99: number | null; mean: number | null }> | null;
    actionAckSeconds: { count: number; p50: number | null; p99: number | null; mean: number | null };
    /** process_cpu_seconds_total over the play window: the server process's CPU time. */
    cpuSeconds: number | null;
    /** poker_thread_cpu_seconds_total over the play window, by thread (main, ledger, equity, other); null without it. */
    threadCpuSeconds: Record<string, number> | null;
    handsTotal: number;
    actionsTotal: number;
    /** p99 of the main thread's event loop delay (prom-client resets it at each scrape: here, over the play window). */
    eventLoopLagSeconds: number | null;
    residentMemoryBytes: number | null;
  } | null;
  /** Every refusal, time-out and failure, except those counted apart (below). */
  errors: number;
  /** Refusals the run caused on purpose or crossed with a hand end (late/, churn/, reload/, crossed/: server/bots/stats.ts), counted apart. */
  countedApart: number;
  errorsByCode: Record<string, number>;
  errorsByEvent: Record<string, number>;
  counters: Record<string, number>;
  /** The first and the last 15 s of the play window, side by side (drift, warm-up, saturation). */
  windows: { first: WindowFigures; last: WindowFigures };
  churn: { bots: number; reconnects: number; seatedReconnects: number; resumes: number; resumeMisses: number; removedWhileAway: number; resumedThenActed: number; rejoins: number; missDetails: string[]; botsNeverResumedAndActed: string[] };
  audit: { api: ApiAudit | null; reconcile: { ok: boolean; violations: string[]; rakeCollected?: string } | null; db: DbAuditResult | null };
}

const PROGRESS_INTERVAL_MS = 1_000;
/** The play window is sampled once a second for the first-vs-last comparison. */
const TIMELINE_TICK_MS = 1_000;
/** Length of the first and the last stretch of the play window compared in the report. */
const WINDOW_MS = 15_000;

export async function runBots(options: BotRunOptions, hooks: RunHooks = {}): Promise<BotReport> {
  const log = hooks.log ?? ((line: string) => console.error(line));
  const stats = new Stats();
  const http = new HttpSession(options.url);
  const lobby = await http.request<ApiBody & { tables: LobbyTable[] }>('GET', '/api/tables');
  if (lobby.status !== 200) throw new ServerUnreachable(`GET ${options.url}/api/tables answered ${lobby.status}`);
  const admin = options.adminUser ? await adminSession(options) : null;
  const tables = await chooseTables(options, lobby.body.tables, admin, log);

  // Every bot at a table hears of each settled hand: the table's hand number counts it once.
  const seen = new Map<number, number>();
  const ctx: BotContext = {
    options, stats, strategy: strategyByName(options.strategy), random: mulberry32(options.seed), stopping: false,
    noteHandSettled: (tableId, handNumber) => {
      const last = seen.get(tableId);
      if (last === undefined) stats.hands += 1;
      else if (handNumber > last) stats.hands += handNumber - last;
      else return;
      seen.set(tableId, handNumber);
    },
  };
  const hands = () => stats.hands;
  const players = tables.flatMap((t) =>
    Array.from({ length: options.playersPerTable }, (_, i) => new PlayerBot(`${options.namePrefix}${t.id}s${i}`, t, i, ctx)),
  );
  const spectators = tables.flatMap((t) => Array.from({ length: options.spectatorsPerTable }, () => new SpectatorBot(t.id, ctx)));

  log(`bots: ${tables.length} tables, ${players.length} players, ${spectators.length} spectators, strategy ${options.strategy}, think ${options.thinkMsMin}-${options.thinkMsMax} ms, churn ${options.churn}`);
  const setupStarted = performance.now();
  let setupDone = 0;
  let setupPhase = { name: 'prepared', of: players.length + spectators.length };
  const setupTicker = setInterval(() => log(`set-up: ${setupDone}/${setupPhase.of} ${setupPhase.name} (${stats.connected} sockets)`), 5_000);
  try {
    await mapLimit([...players, ...spectators], options.setupConcurrency, async (bot) => {
      if (bot instanceof PlayerBot) await bot.prepare();
      else await bot.connect();
      setupDone++;
    });
    log(`prepared in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s; seating ${players.length} players`);
    setupDone = 0;
    setupPhase = { name: 'seated', of: players.length };
    await mapLimit(players, options.setupConcurrency, async (bot) => {
      await bot.takeSeat();
      setupDone++;
    });
  } finally {
    clearInterval(setupTicker);
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  log(`set-up done in ${setupSeconds.toFixed(1)} s: ${stats.connected} sockets`);

  const churners = players.filter((_, i) => ((i * 0.618_033_988_75) % 1) < options.churn);
  for (const bot of churners) bot.startChurn();
  const warmup = await warmUp(options, tables.length, hands, hooks.stopSignal, log);
  const before = await scrape(options.url);
  await hooks.onPlay?.('start');
  stats.measuring = true;
  const playStarted = performance.now();
  stats.tick(playStarted);
  const timeline = setInterval(() => stats.tick(performance.now()), TIMELINE_TICK_MS);
  const handsAtStart = hands();
  const actionsAtStart = stats.actions;
  let peakConnected = stats.connected;
  const progress = progressPrinter(options, hooks, stats, hands, playStarted);
  let lastActions = stats.actions;
  let idleSince = performance.now();
  const sweep = setInterval(() => {
    const now = performance.now();
    if (stats.actions !== lastActions) {
      lastActions = stats.actions;
      idleSince = now;
    } else if (process.env.BOTS_TRACE === '1' && now - idleSince > 3_000) {
      idleSince = Infinity;
      for (const bot of players) log(`trace ${bot.name} seat ${bot.seat}:\n  ${bot.trace.join('\n  ')}`);
    }
    for (const bot of players) bot.expireAck(now);
    peakConnected = Math.max(peakConnected, stats.connected);
  }, 500);
  await waitForEnd(options, () => hands() - handsAtStart, hooks.stopSignal);
  const playEnded = performance.now();
  const playSeconds = (playEnded - playStarted) / 1000;
  stats.measuring = false;
  clearInterval(timeline);
  stats.tick(playEnded);
  const playedHands = hands() - handsAtStart;
  const playedActions = stats.actions - actionsAtStart;
  progress.stop();
  await hooks.onPlay?.('end');
  const after = await scrape(options.url);
  await hooks.beforeLeave?.();

  log('stopping: every bot leaves its table and waits for its cash-out');
  ctx.stopping = true;
  await mapLimit(players, Math.max(options.setupConcurrency, 256), (bot) => bot.finish().catch((error) => {
    stats.recordError('bot/leave_failed');
    log(`${bot.name}: leave failed: ${(error as Error).message}`);
  }));
  clearInterval(sweep);
  for (const s of spectators) s.close();
  const apiAudit = await auditThroughApi(players, options.setupConcurrency);
  for (const bot of players) bot.close();
  const reconcile = admin ? await adminReconcile(admin) : null;
  const db = hooks.dbAudit ? await hooks.dbAudit({ userIds: players.map((p) => p.userId), tableIds: tables.map((t) => t.id) }) : null;
  // Tables the server had to rebuild from the database, from the play window's start to
  // after every bot left (the leaves and their cash-outs included).
  const last = before ? await scrape(options.url) : null;
  const rebuilds = last ? deltasByLabel(before, last, 'poker_table_rebuilds_total', 'cause') : null;

  const report: BotReport = {
    ok: true,
    violations: [],
    options: redact(options),
    tables: tables.map((t) => t.id),
    sockets: { players: players.length, spectators: spectators.length, peakConnected },
    setupSeconds: round(setupSeconds),
    warmup,
    playSeconds: round(playSeconds),
    hands: playedHands,
    actions: playedActions,
    handsPerSecond: round(playedHands / playSeconds),
    actionsPerSecond: round(playedActions / playSeconds),
    ackLatency: summarize(stats.ack),
    server: after ? serverFigures(before, after) : null,
    errors: stats.errors(),
    countedApart: stats.countedApart(),
    errorsByCode: Object.fromEntries([...stats.errorsByCode].sort()),
    errorsByEvent: Object.fromEntries([...stats.errorsByEvent].sort()),
    counters: {
      frames: stats.frames, snapshots: stats.snapshots, resyncs: stats.resyncs, chats: stats.chats, topUps: stats.topUps,
      sitIns: stats.sitIns, reconnects: stats.reconnects, rejoins: stats.rejoins, disconnectsUnexpected: stats.disconnectsUnexpected,
      noticesInfo: stats.noticesInfo, reloads: stats.reloads,
    },
    windows: {
      first: stats.window(playStarted, playStarted + WINDOW_MS, playStarted),
      last: stats.window(playEnded - WINDOW_MS, playEnded + 1, playStarted),
    },
    churn: churnSummary(churners, stats.rejoins),
    audit: { api: apiAudit, reconcile, db },
    tableRebuilds: rebuilds,
  };
  report.violations = violationsOf(report, options);
  report.ok = report.violations.length === 0;
  return report;
}

// ---- tables -------------------------------------------------------------------------

async function chooseTables(options: BotRunOptions, lobby: LobbyTable[], admin: HttpSession | null, log: (l: string) => void): Promise<TableInfo[]> {
  const fits = (t: LobbyTable) => t.status === 'OPEN' && t.maxSeats >= options.playersPerTable;
  let chosen: LobbyTable[];
  if (options.tableIds) {
    chosen = options.tableIds.map((id) => {
      const t = lobby.find((x) => x.id === id);
      if (!t) throw new Error(`table ${id} is not in GET /api/tables`);
      if (!fits(t)) throw new Error(`table ${id} is closed or has fewer than ${options.playersPerTable} seats`);
      return t;
    });
  } else {
    // Empty tables first, so the run's hands are the bots' own.
    chosen = lobby.filter(fits).sort((a, b) => a.seatsTaken - b.seatsTaken || a.id - b.id).slice(0, options.tables);
    const missing = options.tables - chosen.length;
    if (missing > 0 && !admin) {
      throw new Error(`only ${chosen.length} open tables with ${options.playersPerTable}+ seats; pass --admin-user/--admin-password to create ${missing} more`);
    }
    if (missing > 0) {
      log(`creating ${missing} tables`);
      const stamp = Date.now().toString(36);
      const created = await mapLimit(Array.from({ length: missing }, (_, i) => i), 8, async (i) => {
        const r = await admin!.request<ApiBody & { table: LobbyTable }>('POST', '/api/admin/tables', {
          name: `Bots ${stamp}-${i}`, variant: 'NLHE', maxSeats: Math.max(6, options.playersPerTable),
          smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10,
        });
        if (r.status !== 201) throw new Error(`POST /api/admin/tables: ${r.status} ${JSON.stringify(r.body.error)}`);
        return r.body.table;
      });
      chosen = [...chosen, ...created];
    }
  }
  return chosen.map((t) => ({ id: t.id, maxSeats: t.maxSeats, minBuyIn: t.minBuyIn, maxBuyIn: t.maxBuyIn, bigBlind: t.bigBlind }));
}

async function adminSession(options: BotRunOptions): Promise<HttpSession> {
  const session = new HttpSession(options.url);
  const r = await session.request('POST', '/api/auth/login', { username: options.adminUser, password: options.adminPassword });
  if (r.status !== 200) throw new Error(`admin login failed: ${r.status} ${JSON.stringify(r.body.error)}`);
  return session;
}

async function adminReconcile(admin: HttpSession): Promise<{ ok: boolean; violations: string[]; rakeCollected?: string }> {
  const r = await admin.request<ApiBody & { report: { ok: boolean; violations: { message: string }[]; rakeCollected: string } }>('GET', '/api/admin/reconcile');
  if (r.status !== 200) return { ok: false, violations: [`GET /api/admin/reconcile: ${r.status} ${JSON.stringify(r.body.error)}`] };
  return { ok: r.body.report.ok, violations: r.body.report.violations.map((v) => v.message), rakeCollected: r.body.report.rakeCollected };
}

// ---- the run's end ------------------------------------------------------------------------

/**
 * Unmeasured play until the tables have settled as many hands as there are tables (a hand
 * each on average), for at most options.warmupS. Every table starts its first hand at
 * once, and with thinking time a hand takes tens of seconds: a window measured from the
 * start would hold only mid-hand actions, no settlement and no pause between hands, and
 * compare badly with any later one for no fault of the server.
 */
async function warmUp(
  options: BotRunOptions, tables: number, hands: () => number, stopSignal: Promise<void> | undefined, log: (line: string) => void,
): Promise<{ hands: number; seconds: number }> {
  if (options.warmupS <= 0) return { hands: 0, seconds: 0 };
  const stopped = stopFlag(stopSignal);
  const started = performance.now();
  const from = hands();
  while (!stopped() && hands() - from < tables && performance.now() - started < options.warmupS * 1000) await sleep(100);
  const warmup = { hands: hands() - from, seconds: round((performance.now() - started) / 1000) };
  log(`warm-up (not measured): ${warmup.hands} hands settled in ${warmup.seconds.toFixed(1)} s`);
  return warmup;
}

/** Whether the run's stop signal (RunHooks.stopSignal) has fired. */
function stopFlag(stopSignal: Promise<void> | undefined): () => boolean {
  let stopped = false;
  void stopSignal?.then(() => (stopped = true));
  return () => stopped;
}

async function waitForEnd(options: BotRunOptions, handsPlayed: () => number, stopSignal?: Promise<void>): Promise<void> {
  const stopped = stopFlag(stopSignal);
  const deadline = options.durationS === null ? Infinity : Date.now() + options.durationS * 1000;
  while (!stopped() && Date.now() < deadline && (options.hands === null || handsPlayed() < options.hands)) {
    await sleep(100);
  }
}

async function auditThroughApi(players: PlayerBot[], concurrency: number): Promise<ApiAudit> {
  const handLists = await mapLimit(players, concurrency, (bot) => bot.handsSinceMarker());
  const byHand = new Map<string, { rake: number; net: number }>();
  for (const item of handLists.flat() as HandItem[]) {
    const entry = byHand.get(item.handId) ?? { rake: item.rake, net: 0 };
    entry.net += item.net;
    byHand.set(item.handId, entry);
  }
  let rake = 0;
  let net = 0;
  for (const h of byHand.values()) {
    rake += h.rake;
    net += h.net;
  }
  // A hand whose bots' nets plus rake are not zero had other players (a person who sat down
  // to play the bots, as the README invites): their part is read from the hand itself, so that
  // only a hand whose every player's net plus rake is not zero counts as unbalanced.
  const botIds = new Set(players.map((p) => p.userId));
  const open = [...byHand.entries()].filter(([, h]) => h.net + h.rake !== 0);
  const others = await mapLimit(open, Math.min(concurrency, 8), ([handId], i) => netOfOthers(players[i % players.length]!.http, handId, botIds));
  let unbalanced = 0;
  let othersNet = 0;
  let handsWithOthers = 0;
  for (const [index, [, h]] of open.entries()) {
    const other = others[index]!;
    if (other === null || h.net + other + h.rake !== 0) {
      unbalanced++;
      continue;
    }
    handsWithOthers++;
    othersNet += other;
  }
  const initial = sum(players.map((p) => p.initialChips));
  const bought = sum(players.map((p) => p.boughtChips));
  const final = sum(players.map((p) => (p.finalWallet ?? 0) + sum(p.finalSeats.map((s) => s.stack))));
  return {
    botsLeft: players.filter((p) => p.finalWallet !== null && p.finalSeats.length === 0).length,
    botsStillSeated: players.filter((p) => p.finalSeats.length > 0).length,
    initialChips: initial,
    boughtChips: bought,
    finalChips: final,
    hands: byHand.size,
    rake,
    netOfBots: net,
    handsWithOthers,
    netOfOthers: othersNet,
    unbalancedHands: unbalanced,
    walletsMatchHands: final === initial + bought + net,
    chipsConserved: unbalanced === 0 && final === initial + bought - rake - othersNet,
  };
}

/** The net of the players of a hand who are not bots of this run (GET /api/hands/:id), or null if unreadable. */
async function netOfOthers(http: HttpSession, handId: string, botIds: Set<number>): Promise<number | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await http.request<ApiBody & { hand?: { players: { userId: number; contributed: number; won: number }[] } }>('GET', `/api/hands/${handId}`);
    if (r.status === 429) {
      await sleep(1000);
      continue;
    }
    if (!r.body.ok || !r.body.hand) return null;
    return sum(r.body.hand.players.filter((p) => !botIds.has(p.userId)).map((p) => p.won - p.contributed));
  }
  return null;
}

function churnSummary(churners: PlayerBot[], rejoins: number): BotReport['churn'] {
  return {
    bots: churners.length,
    reconnects: sum(churners.map((b) => b.reconnects)),
    seatedReconnects: sum(churners.map((b) => b.seatedReconnects)),
    resumes: sum(churners.map((b) => b.resumes)),
    resumeMisses: sum(churners.map((b) => b.resumeMisses)),
    removedWhileAway: sum(churners.map((b) => b.removedWhileAway)),
    resumedThenActed: sum(churners.map((b) => b.resumedThenActed)),
    rejoins,
    missDetails: churners.flatMap((b) => b.missDetails),
    botsNeverResumedAndActed: churners.filter((b) => b.seatedReconnects > 0 && b.resumedThenActed === 0).map((b) => b.name),
  };
}

function violationsOf(report: BotReport, options: BotRunOptions): string[] {
  const v: string[] = [];
  const api = report.audit.api;
  if (api) {
    if (api.botsStillSeated > 0) v.push(`${api.botsStillSeated} bots still seated after leaving`);
    if (!api.walletsMatchHands) v.push(`wallets ${api.finalChips} != initial ${api.initialChips} + bought ${api.boughtChips} + hands' net ${api.netOfBots}`);
    if (!api.chipsConserved) {
      v.push(api.unbalancedHands > 0
        ? `${api.unbalancedHands} hands where the players' nets plus rake are not zero (chips lost)`
        : `wallets ${api.finalChips} != initial ${api.initialChips} + bought ${api.boughtChips} - rake ${api.rake} - other players' net ${api.netOfOthers}`);
    }
  }
  if (report.audit.reconcile && !report.audit.reconcile.ok) v.push(`reconcile: ${report.audit.reconcile.violations.join('; ')}`);
  const db = report.audit.db;
  if (db && !db.reconcileOk) v.push(`reconcile (database): ${db.violations.join('; ')}`);
  if (db && !db.conserved) v.push(`database: wallets ${db.wallets} + seats ${db.seatChips} + rake ${db.rake} != bought ${db.bought}`);
  if (report.errors > options.errorThreshold) v.push(`${report.errors} errors (threshold ${options.errorThreshold})`);
  const broken = report.tableRebuilds?.invariant ?? 0;
  if (broken > 0) v.push(`${broken} tables stopped because their memory and the ledger disagreed (poker_table_rebuilds_total{cause="invariant"}; the server log says which)`);
  const unresumed = report.churn.seatedReconnects - report.churn.resumes - report.churn.removedWhileAway;
  if (unresumed !== 0) v.push(`${unresumed} reconnections while seated did not resume`);
  if (report.churn.resumeMisses > 0) v.push(`${report.churn.resumeMisses} reconnections did not find the bot at its seat (${report.churn.missDetails.join('; ')})`);
  return v;
}

// ---- progress -------------------------------------------------------------------------------

function progressPrinter(options: BotRunOptions, hooks: RunHooks, stats: Stats, hands: () => number, startedMs: number) {
  const out = hooks.progressOut ?? process.stderr;
  const mode = options.progress === 'auto' ? (out.isTTY ? 'tty' : 'lines') : options.progress;
  if (mode === 'off') return { stop: () => undefined };
  let lastHands = hands();
  let lastActions = stats.actions;
  let lastAt = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const dt = (now - lastAt) / 1000;
    const h = hands();
    const line =
      `[${((now - startedMs) / 1000).toFixed(0).padStart(4)}s] sockets ${stats.connected}` +
      ` | hands/s ${((h - lastHands) / dt).toFixed(1)} | actions/s ${((stats.actions - lastActions) / dt).toFixed(0)}` +
      ` | ack p99 ${(stats.ackWindow.totalCount ? stats.ackWindow.getValueAtPercentile(99) / 1000 : 0).toFixed(1)} ms` +
      ` | errors ${stats.errors()} (+${stats.countedApart()} apart) | hands ${h}${hooks.progressExtra?.() ?? ''}`;
    stats.ackWindow.reset();
    lastHands = h;
    lastActions = stats.actions;
    lastAt = now;
    out.write(mode === 'tty' ? `\r\x1b[2K${line}` : `${line}\n`);
  }, PROGRESS_INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      if (mode === 'tty') out.write('\n');
    },
  };
}

// ---- server metrics ---------------------------------------------------------------------------

async function scrape(url: string): Promise<Scrape | null> {
  try {
    const response = await fetch(`${url}/metrics`);
    return response.ok ? parseMetrics(await response.text()) : null;
  } catch {
    return null;
  }
}

export function serverFigures(before: Scrape | null, after: Scrape): NonNullable<BotReport['server']> {
  const hist = (name: string, labels = '') => {
    const w = histogramWindow(before, after, name, labels);
    return { count: w.count, p50: round(quantile(w, 0.5)), p99: round(quantile(w, 0.99)), mean: w.count ? round(w.sumSeconds / w.count) : null };
  };
  const stage = (name: 'to_thread' | 'in_thread' | 'to_main') => hist('poker_ledger_stage_seconds', `op="settleHand",stage="${name}"`);
  const stages = { to_thread: stage('to_thread'), in_thread: stage('in_thread'), to_main: stage('to_main') };
  return {
    settleSeconds: hist('poker_hand_settle_seconds'),
    boundarySeconds: hist('poker_hand_boundary_seconds'),
    settleStages: stages.in_thread.count > 0 ? stages : null,
    actionAckSeconds: hist('poker_action_ack_seconds'),
    cpuSeconds: after.samples.has('process_cpu_seconds_total') ? round(total(after, 'process_cpu_seconds_total') - total(before, 'process_cpu_seconds_total')) : null,
    threadCpuSeconds: threadCpuWindow(before, after),
    handsTotal: total(after, 'poker_hands_total') - total(before, 'poker_hands_total'),
    actionsTotal: total(after, 'poker_actions_total') - total(before, 'poker_actions_total'),
    eventLoopLagSeconds: after.samples.get('nodejs_eventloop_lag_p99_seconds') ?? null,
    residentMemoryBytes: after.samples.get('process_resident_memory_bytes') ?? null,
  };
}

/** CPU seconds by thread between two scrapes (poker_thread_cpu_seconds_total{thread}); null when the server has no such metric. */
function threadCpuWindow(before: Scrape | null, after: Scrape): Record<string, number> | null {
  const threads = deltasByLabel(before, after, 'poker_thread_cpu_seconds_total', 'thread');
  return threads && Object.fromEntries(Object.entries(threads).map(([thread, seconds]) => [thread, round(seconds)!]));
}

// ---- helpers -------------------------------------------------------------------------------------

function redact(options: BotRunOptions): BotReport['options'] {
  const { botToken: _t, adminPassword: _p, ...rest } = options;
  return rest;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round<T extends number | null>(value: T): T {
  return (value === null ? null : Math.round(value * 1e6) / 1e6) as T;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
