import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { createAuthLimiters, type AuthRateLimits } from '../../server/auth/rate-limit';
import { loadConfig } from '../../server/config';
import { registerAdminRoutes } from '../../server/http/admin';
import { registerAuthRoutes } from '../../server/http/auth';
import type { HttpDeps } from '../../server/http/deps';
import { registerHandRoutes, type VerifyHand } from '../../server/http/hands';
import { registerLobbyRoutes } from '../../server/http/lobby';
import { registerWalletRoutes } from '../../server/http/wallet';
import { createMetrics, registerMetricsRoute, type Metrics } from '../../server/metrics';
import type { LobbyTable } from '../../server/protocol';
import type { CreateTableInput, RegistryResult, TableRegistryApi, UserNotifier } from '../../server/tables/registry-api';
import { createTestDatabase, type TestDatabase } from './db';

// A Fastify instance with every HTTP route of server/http on a fresh test
// database, a fake table registry and a notifier that records its calls.
// Requests go through app.inject (no network).

export class FakeRegistry implements TableRegistryApi {
  tables: LobbyTable[] = [];
  calls: { op: 'create' | 'close'; adminUserId: number; input: unknown }[] = [];
  private nextId = 1;

  listLobby(): LobbyTable[] {
    return this.tables;
  }

  async createTable(input: CreateTableInput, adminUserId: number): Promise<RegistryResult<LobbyTable>> {
    this.calls.push({ op: 'create', adminUserId, input });
    const table: LobbyTable = {
      id: this.nextId++,
      name: input.name,
      variant: input.variant,
      smallBlind: input.smallBlind,
      bigBlind: input.bigBlind,
      ante: input.ante ?? 0,
      minBuyIn: input.minBuyIn,
      maxBuyIn: input.maxBuyIn,
      maxSeats: input.maxSeats,
      seatsTaken: 0,
      waiting: 0,
      spectators: 0,
      averagePot: 0,
      handsPerHour: 0,
      status: 'OPEN',
    };
    this.tables.push(table);
    return { ok: true, value: table };
  }

  async closeTable(tableId: number, adminUserId: number, options: { now?: boolean } = {}): Promise<RegistryResult<{ tableId: number; pending: boolean }>> {
    this.calls.push({ op: 'close', adminUserId, input: options.now ? { tableId, now: true } : tableId });
    const table = this.tables.find((t) => t.id === tableId);
    if (!table) return { ok: false, error: { code: 'table/not_found', message: 'No such table.' } };
    if (table.status === 'CLOSED') return { ok: false, error: { code: 'table/closed', message: 'The table is closed.' } };
    table.status = 'CLOSED';
    return { ok: true, value: { tableId, pending: false } };
  }
}

export class RecordingNotifier implements UserNotifier {
  calls: { userId: number; balance: bigint }[] = [];
  walletChanged(userId: number, balance: bigint): void {
    this.calls.push({ userId, balance });
  }

  readonly disconnects: ({ sessionId: string } | { userId: number })[] = [];

  disconnectSession(sessionId: string): void {
    this.disconnects.push({ sessionId });
  }

  disconnectUser(userId: number): void {
    this.disconnects.push({ userId });
  }
}

export interface HttpTestApp {
  app: FastifyInstance;
  t: TestDatabase;
  deps: HttpDeps;
  registry: FakeRegistry;
  notifier: RecordingNotifier;
  metrics: Metrics;
  /** Signs a user up over HTTP; returns its id and the Cookie header value. */
  signup(username: string, password?: string): Promise<{ userId: number; cookie: string }>;
  /** Signs up and promotes to ADMIN in the database. */
  admin(username: string): Promise<{ userId: number; cookie: string }>;
  close(): Promise<void>;
}

export interface HttpTestOptions {
  limits?: AuthRateLimits;
  verifyHand?: VerifyHand;
}

export const TEST_PASSWORD = 'correct horse battery';

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'poker_sid');
  if (!cookie) throw new Error(`no poker_sid cookie in ${response.statusCode} ${response.body}`);
  return `poker_sid=${cookie.value}`;
}

export async function createHttpTestApp(options: HttpTestOptions = {}): Promise<HttpTestApp> {
  const t = await createTestDatabase();
  const registry = new FakeRegistry();
  const notifier = new RecordingNotifier();
  const metrics = createMetrics();
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test' });
  const log = pino({ level: 'silent' });
  const deps: HttpDeps = { db: t.db, ledger: t.ledger, config, registry, notifier, metrics, log };
  // pino's Logger type is wider than FastifyBaseLogger; the cast keeps FastifyInstance at its defaults.
  const app = Fastify({ loggerInstance: log as FastifyBaseLogger });
  await app.register(fastifyCookie);
  registerAuthRoutes(app, deps, { limiters: createAuthLimiters(options.limits ?? { ipAttemptsPerMinute: 1_000, usernameFailuresPerMinute: 1_000 }) });
  registerWalletRoutes(app, deps);
  registerLobbyRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerHandRoutes(app, deps, { verifyHand: options.verifyHand });
  registerMetricsRoute(app, metrics);
  await app.ready();

  const signup = async (username: string, password = TEST_PASSWORD) => {
    const response = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { username, password } });
    if (response.statusCode !== 200) throw new Error(`signup ${username}: ${response.statusCode} ${response.body}`);
    return { userId: response.json().user.id as number, cookie: sessionCookie(response) };
  };
  return {
    app,
    t,
    deps,
    registry,
    notifier,
    metrics,
    signup,
    admin: async (username) => {
      const user = await signup(username);
      await t.db.user.update({ where: { id: user.userId }, data: { role: 'ADMIN' } });
      return user;
    },
    close: async () => {
      await app.close();
      await t.close();
    },
  };
}
