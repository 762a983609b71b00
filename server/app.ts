import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import { createRedisBus, type ClusterBus, type RedisClient } from './cluster/bus';
import { ensureFirstAdmin, type AdminCredentials } from './auth/admin-bootstrap';
// main prints the first admin's banner; it imports only this module (test/unit/imports.test.ts).
export { firstAdminBanner } from './auth/admin-bootstrap';
import { socketSession, socketSessionById } from './auth/sessions';
import { idleInTransactionTimeoutMs, type Config } from './config';
import { openDatabase, type OpenDatabase } from './db/open';
import { registerAdminRoutes } from './http/admin';
import { registerAuthRoutes, type AuthRouteOptions } from './http/auth';
import { registerBotRoutes } from './http/bots';
import { clientErrors, frameworkErrors, registerAppErrors } from './http/errors';
import type { HttpDeps } from './http/deps';
import { registerHandRoutes } from './http/hands';
import { registerHealthRoutes } from './http/health';
import { registerLobbyRoutes } from './http/lobby';
import { originAllowed, registerOriginCheck } from './http/origin';
import { registerWalletRoutes } from './http/wallet';
import { createLedgerThread } from './ledger/thread';
import { createLedger, type Ledger } from './ledger/transactions';
import { createLogger, type Logger } from './logger';
import { createMetrics, registerMetricsRoute, type Metrics } from './metrics';
import { createRealtime, type Realtime } from './realtime/socket';
import { FATAL_CAUSES } from './tables/actor-types';
import { systemClock, type Clock } from './tables/clock';
import { createEquityPool } from './tables/equity-pool';
import { clusterPlacement, SINGLE_NODE_PLACEMENT, TableRegistry, type PlacementSettings } from './tables/registry';
import { DEFAULT_TABLE_SETTINGS, type TableSettings } from './tables/settings';
import { wallClock } from './wall-clock';

// Composition root: one Prisma client, one ledger, one registry of table
// actors, one Socket.IO server, the HTTP routes, and the built client.
// Dependencies point one way: poker, protocol <- ledger <- tables <- realtime, http <- app.

export interface ServerOptions {
  config: Config;
  /** An already opened database (tests); otherwise opened from config. */
  database?: OpenDatabase;
  clock?: Clock;
  tableSettings?: Partial<TableSettings>;
  createDefaultTables?: boolean;
  logger?: Logger;
  authRoutes?: AuthRouteOptions;
  /** At most this long between two lookups of a socket's session (tests shorten it). */
  socketSessionRecheckMs?: number;
  /** Called once when this boot created the first admin (`npm start` prints its one-time password). */
  onFirstAdmin?: (admin: AdminCredentials) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  io: Server;
  registry: TableRegistry;
  ledger: Ledger;
  database: OpenDatabase;
  metrics: Metrics;
  url: string;
  port: number;
  /** Graceful: finish (or void) hands for up to graceMs, close sockets, stop the database. */
  close(graceMs?: number): Promise<void>;
}

const CLIENT_DIST = fileURLToPath(new URL('../client/dist', import.meta.url));

/**
 * The built client loads only its own scripts; React's style attributes need
 * inline styles; sockets and fetches go to this origin only; no framing.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.logger ?? createLogger(config);
  const database = options.database ?? (await openDatabase(config, { log: (m) => log.info(m) }));
  const db = database.db;
  const metrics = createMetrics();
  // Every cause is printed from the start, at 0: a scraper tells "none" from "not reported".
  for (const cause of FATAL_CAUSES) metrics.tableRebuildsTotal.inc({ cause }, 0);
  const ledgerOptions = {
    chipsPerUsd: config.CHIPS_PER_USD,
    purchaseMinCents: BigInt(config.CHIP_PURCHASE_MIN_CENTS),
    purchaseMaxCents: BigInt(config.CHIP_PURCHASE_MAX_CENTS),
  };
  // Money transactions on their own thread and pool (decision 017), unless LEDGER_THREAD=main.
  const ledgerThread = config.LEDGER_THREAD === 'thread'
    ? createLedgerThread({
        ...ledgerOptions,
        db: {
          url: database.url,
          poolMax: config.LEDGER_POOL_MAX,
          lockTimeoutMs: config.DB_LOCK_TIMEOUT_MS,
          statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
          idleInTransactionTimeoutMs: idleInTransactionTimeoutMs(config),
        },
        onError: (message) => log.error({ message }, 'ledger thread error'),
        onTiming: (op, stage, seconds) => metrics.ledgerStageSeconds.observe({ op, stage }, seconds),
      })
    : null;
  const ledger: Ledger = ledgerThread ?? createLedger({ db, ...ledgerOptions, now: wallClock });
  const app = Fastify({
    loggerInstance: log,
    // One log line per request only when debugging: at load it would be most of the CPU.
    logController: new LogController({ disableRequestLogging: config.LOG_LEVEL !== 'debug' && config.LOG_LEVEL !== 'trace' }),
    bodyLimit: 16_384,
    // A URL that does not decode (/api/%ff) answered in the error shape of every route.
    frameworkErrors,
    // ... and what Node's HTTP parser refuses before any route (431, 400), in the same shape.
    clientErrorHandler: clientErrors,
    // A table id of any length is an id (404 past the integers), not "exceeding the max param length".
    // (Under routerOptions: at the top level Fastify 5 warns FSTDEP022 at every start.)
    routerOptions: { maxParamLength: 4_096 },
    // Behind HAProxy (docker-compose) the client's address is in X-Forwarded-For.
    trustProxy: config.TRUST_PROXY ? (_address: string, hop: number) => hop < config.TRUST_PROXY! : false,
  }) as unknown as FastifyInstance; // pino's Logger type is wider than Fastify's base logger
  // From the start of a shutdown every answer closes its connection: a kept-alive one would hold
  // the process for the keep-alive time-out (72 s) after its last request (black-box audit 7).
  let shuttingDown = false;
  app.addHook('onSend', async (_request, reply, payload) => {
    if (shuttingDown) reply.header('connection', 'close');
    return payload;
  });
  await app.register(fastifyCookie);
  // Upgrading every request to HTTPS breaks a server reached over plain HTTP (Safari does
  // it even on localhost), so only when it is known to sit behind TLS (COOKIE_SECURE=1).
  const upgradeInsecureRequests = config.COOKIE_SECURE === '1' ? [] : null;
  await app.register(fastifyHelmet, { contentSecurityPolicy: { directives: { ...CONTENT_SECURITY_POLICY, upgradeInsecureRequests } } });
  registerOriginCheck(app, config.ALLOWED_ORIGINS);
  // A cluster node (REDIS_URL set): Redis for what crosses nodes (decisions 019, 020).
  const cluster = config.REDIS_URL ? await connectCluster(config.REDIS_URL, nodeIdOf(config), log) : null;
  const placement: PlacementSettings = cluster
    ? clusterPlacement(cluster.bus.nodeId, config.LEASE_TTL_MS, config.TABLES_PER_NODE_MAX)
    : { ...SINGLE_NODE_PLACEMENT, nodeId: config.NODE_ID ?? SINGLE_NODE_PLACEMENT.nodeId };
  // In dependency order: the sockets and their fan-out, the tables that send
  // through it, then the gateway that routes client messages to the tables.
  const realtime: Realtime = createRealtime({
    cluster: cluster ? { adapter: cluster.adapter, bus: cluster.bus, db } : undefined,
    httpServer: app.server,
    authenticate: (cookie) => socketSession(db, cookie),
    recheck: (sessionId) => socketSessionById(db, sessionId),
    originAllowed: (request) => originAllowed(request.headers, config.ALLOWED_ORIGINS),
    metrics: { socketsConnected: (n) => metrics.socketsConnected.set(n), error: (code) => metrics.errorsTotal.inc({ code }) },
    log,
    sessionRecheckMs: options.socketSessionRecheckMs,
    coalesceWrites: config.SOCKET_WRITE_COALESCING === '1',
    recoveryWindowMs: config.SOCKET_RECOVERY_WINDOW_MS,
    trustProxy: config.TRUST_PROXY,
  });
  const equityPool = createEquityPool({ onError: (message) => log.warn({ message }, 'equity worker error') });
  const registry = new TableRegistry({
    db,
    equity: (input) => equityPool.compute(input),
    ledger,
    clock: options.clock ?? systemClock,
    wallNow: wallClock,
    settings: {
      ...DEFAULT_TABLE_SETTINGS,
      handIntervalMs: config.HAND_INTERVAL_MS,
      showdownHoldMs: config.SHOWDOWN_HOLD_MS,
      runOutStreetMs: config.RUN_OUT_STREET_MS,
      disconnectGraceMs: config.DISCONNECT_GRACE_MS,
      timeBankMs: config.TIME_BANK_MS,
      sitOutHandsMax: config.SIT_OUT_HANDS_MAX,
      spectatorsMax: config.SPECTATORS_PER_TABLE_MAX,
      ...options.tableSettings,
    },
    output: realtime.output,
    log,
    metrics: {
      actionAck: (action, seconds) => {
        metrics.actionsTotal.inc({ action });
        metrics.actionAckSeconds.observe(seconds);
      },
      settlement: (seconds) => metrics.handSettleSeconds.observe(seconds),
      handBoundary: (seconds) => metrics.handBoundarySeconds.observe(seconds),
      handSettled: () => metrics.handsTotal.inc(),
      handVoided: (reason) => metrics.handsVoidedTotal.inc({ reason }),
      tables: (count) => metrics.tables.set(count),
      tableRebuilt: (cause) => metrics.tableRebuildsTotal.inc({ cause }),
    },
    onLobbyChanged: () => realtime.lobbyChanged(),
    placement,
    onTableLost: (tableId, _reason, row) => realtime.tableLost(tableId, row),
    onTableClaimed: (tableId) => realtime.tableClaimed(tableId),
  });
  await registry.boot({ createDefaults: options.createDefaultTables ?? true });
  realtime.attach(registry);

  const deps: HttpDeps = {
    db, ledger, config, registry: realtime.tables(), metrics, log,
    notifier: {
      walletChanged: (userId, balance, adjustment) => realtime.output.walletChanged(userId, balance, adjustment),
      disconnectSession: (sessionId) => realtime.fanout.disconnectSession(sessionId),
      disconnectUser: (userId) => realtime.fanout.disconnectUser(userId),
    },
  };
  registerHealthRoutes(app, db, () => registry.isDraining);
  registerMetricsRoute(app, metrics);
  // Sign-up and login limits are shared by the nodes of a cluster (memory when Redis is away).
  registerAuthRoutes(app, deps, { ...options.authRoutes, redis: cluster?.pub ?? null });
  registerBotRoutes(app, deps);
  // So are a user's chip purchases; hand reads and exports are limited per process (its CPU).
  registerWalletRoutes(app, deps, cluster?.pub ?? null);
  registerLobbyRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerHandRoutes(app, deps);
  await serveClient(app);
  const firstAdmin = await ensureFirstAdmin(db, log);
  // Before listening: a boot that then fails (a port taken) has shown the password all the same.
  if (firstAdmin) options.onFirstAdmin?.(firstAdmin);

  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  let closed = false;
  return {
    app, io: realtime.io, registry, ledger, database, metrics, url, port,
    close: async (graceMs = 10_000) => {
      if (closed) return;
      closed = true;
      shuttingDown = true;
      await registry.shutdown(cluster ? Math.max(graceMs, config.DRAIN_GRACE_MS) : graceMs);
      await equityPool.close();
      await ledgerThread?.close();
      await realtime.close();
      await cluster?.close();
      app.server.closeIdleConnections();
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

function nodeIdOf(config: Config): string {
  return config.NODE_ID ?? `${hostname().replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 40)}-${process.pid}`;
}

interface ClusterConnection {
  adapter: ReturnType<typeof createShardedAdapter>;
  bus: ClusterBus;
  /** For commands that must not wait for Redis (shared rate limits): fails at once while it is away. */
  pub: RedisClient;
  close(): Promise<void>;
}

/**
 * Connects to Redis: one client publishes (adapter and bus), one subscribes for
 * the adapter, one for the bus. Publishing fails at once while Redis is away (no
 * offline queue: a frame for the owner's own sockets is never held back waiting
 * for it); subscribing waits for it. The clients reconnect by themselves. Boot fails with a clear message if Redis cannot be
 * reached at all.
 */
async function connectCluster(url: string, nodeId: string, log: Logger): Promise<ClusterConnection> {
  const pub: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
  let healthy = true;
  pub.on('error', (error: Error) => {
    if (healthy) log.warn({ error: error.message }, 'Redis unreachable; cross-node features wait for it');
    healthy = false;
  });
  pub.on('ready', () => {
    if (!healthy) log.info('Redis reachable again');
    healthy = true;
  });
  // Subscriptions are queued while Redis is away (and re-made on reconnect): the adapter
  // subscribes to a room's channel whenever a room appears, and nothing may reject then.
  const sub = pub.duplicate({ disableOfflineQueue: false });
  sub.on('error', () => undefined);
  const connect = Promise.all([pub.connect(), sub.connect()]);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`cannot reach Redis at ${url} (REDIS_URL): start it, or unset REDIS_URL to run a single node`)), 10_000).unref());
  await Promise.race([connect, timeout]);
  const bus = await createRedisBus({ pub, nodeId, log });
  return {
    adapter: createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }),
    bus,
    pub,
    close: async () => {
      await bus.close();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

/** The production build of the React client, with index.html for client-side routes. */
async function serveClient(app: FastifyInstance): Promise<void> {
  if (!existsSync(path.join(CLIENT_DIST, 'index.html'))) {
    app.get('/', async (_request, reply) =>
      reply.type('text/html').send('<!doctype html><title>atomic-poker</title><p>The client is not built: run <code>npm run build:client</code>.</p>'),
    );
    registerAppErrors(app);
    return;
  }
  await app.register(fastifyStatic, { root: CLIENT_DIST, wildcard: false });
  // The client's own routes (/table/3, /wallet) are its page; anything else unknown is a JSON 404.
  registerAppErrors(app, (request, reply) =>
    request.method === 'GET' && !request.url.startsWith('/api/') && !request.url.startsWith('/socket.io') ? reply.sendFile('index.html') : undefined,
  );
}
