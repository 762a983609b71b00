import { z } from 'zod';

/** How long a single node keeps missed packets for a socket that comes back (SOCKET_RECOVERY_WINDOW_MS). */
export const RECOVERY_WINDOW_MS_DEFAULT = 15_000;

// All configuration comes from environment variables, validated once at boot.
// A bad value stops the process with a message naming the variable.

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const optionalUrl = (schemes: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine((value) => schemes.some((scheme) => value.startsWith(`${scheme}://`)), {
      message: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`,
    })
    .optional();

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is not set. */
  EMBEDDED_PG_DIR: z.string().trim().min(1).default('.data/postgres'),
  /** Preferred port of the embedded PostgreSQL; a free one is chosen when it is taken. */
  EMBEDDED_PG_PORT: port.default(54329),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Chips granted per whole USD when buying chips (integer). */
  CHIPS_PER_USD: positiveInt.default(100),
  /** Largest single chip purchase, in USD cents. */
  CHIP_PURCHASE_MAX_CENTS: positiveInt.default(1_000_000),
  /** Smallest single chip purchase, in USD cents. */
  CHIP_PURCHASE_MIN_CENTS: positiveInt.default(100),
  /** Enables POST /api/bots/session for load-test bots (Authorization: Bearer <token>); unset = disabled. */
  BOT_TOKEN: z.string().trim().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** Table timings (see server/tables/settings.ts). */
  HAND_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(2_500),
  /**
   * After a showdown the next deal waits at least this long, for tables without their own
   * hold; 0 to 60,000 (SHOWDOWN_HOLD_MS_MAX in server/protocol/frames.ts, which this
   * leaf may not import). The default is DEFAULT_TABLE_SETTINGS.showdownHoldMs.
   */
  SHOWDOWN_HOLD_MS: z.coerce.number().int().min(0).max(60_000).default(4_500),
  /** Between two streets of an all-in run-out, for tables without their own pace; 0 to 10,000 (RUN_OUT_STREET_MS_MAX); 0 deals the board at once. */
  RUN_OUT_STREET_MS: z.coerce.number().int().min(0).max(10_000).default(1_200),
  DISCONNECT_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  TIME_BANK_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  SIT_OUT_HANDS_MAX: positiveInt.default(5),
  SPECTATORS_PER_TABLE_MAX: positiveInt.default(200),
  /**
   * A hand's server seed (which re-derives every card, folded ones too) is revealed only
   * once every seat session of the hand is closed and this long after it settled
   * (docs/fairness.md). At most a year.
   */
  SEED_REVEAL_DELAY_MS: z.coerce.number().int().min(0).max(31_536_000_000).default(86_400_000),
  /**
   * Origins (besides the server's own) whose pages may make state-changing
   * requests and open sockets with a player's cookie: comma-separated, e.g.
   * "https://poker.example.com,http://localhost:5173". Empty: same-origin only.
   */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
    .pipe(z.array(z.string().refine(isOrigin, { message: 'each entry must be an origin like https://host[:port], without a path' }))),
  /**
   * Behind a load balancer: how many proxy hops to trust for the client's address
   * (X-Forwarded-For), which the per-IP rate limits use. Unset: the connection's own address.
   */
  TRUST_PROXY: z.coerce.number().int().min(1).max(10).optional(),
  /** Always mark the session cookie Secure (set it behind a TLS-terminating proxy). */
  COOKIE_SECURE: z.enum(['0', '1']).optional(),
  /** Name of the admin created on first boot (its one-time password is printed once). */
  ADMIN_USERNAME: z.string().trim().regex(/^[A-Za-z0-9_-]{3,24}$/, { message: 'must be 3 to 24 letters, digits, _ or -' }).optional(),
  /**
   * This process's name in a cluster (REDIS_URL set): stable across restarts is best
   * (docker-compose sets server-1..3). Default: <hostname>-<pid>.
   */
  NODE_ID: z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, _ . : or -' }).optional(),
  /** In a cluster: how long a table's lease lasts without renewal (renewed every fifth of it). */
  LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(300_000).default(10_000),
  /** In a cluster: at most this many tables per node. */
  TABLES_PER_NODE_MAX: positiveInt.default(1_000),
  /** On SIGTERM a cluster node lets hands finish for up to this long before it hands its tables over. */
  DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  /**
   * `1` (default): each WebSocket's frames of one event-loop turn leave in one write
   * (server/realtime/coalesce.ts); `0`: one write per frame (for comparison in benchmarks).
   */
  SOCKET_WRITE_COALESCING: z.enum(['0', '1']).default('1'),
  /**
   * How long Socket.IO keeps a single node's broadcast packets for a socket that comes
   * back (connection-state recovery); `0` turns recovery off: a client that comes back
   * resyncs with a snapshot, as it does after a longer absence and always in a cluster.
   */
  SOCKET_RECOVERY_WINDOW_MS: z.coerce.number().int().min(0).max(120_000).default(RECOVERY_WINDOW_MS_DEFAULT),
  DB_POOL_MAX: positiveInt.default(20),
  /** Connections of the ledger thread's own pool (every money transaction runs there). */
  LEDGER_POOL_MAX: positiveInt.default(20),
  /** `thread` (default): money transactions run on their own thread; `main`: on the main event loop. */
  LEDGER_THREAD: z.enum(['thread', 'main']).default('thread'),
  DB_LOCK_TIMEOUT_MS: positiveInt.default(5_000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(15_000),
  DB_IDLE_IN_TX_TIMEOUT_MS: positiveInt.default(30_000),
});

export type Config = z.infer<typeof configSchema>;

/**
 * How long a connection may sit idle inside a transaction before PostgreSQL ends it. In a
 * cluster (REDIS_URL set) at most one lease TTL: a money transaction holds its table's row
 * FOR SHARE, and a node that stops mid-transaction (SIGSTOP, a VM paused) would otherwise
 * keep the next owner's claim of that table waiting for DB_IDLE_IN_TX_TIMEOUT_MS after its
 * lease ran out (decision 019, amended).
 */
export function idleInTransactionTimeoutMs(config: Pick<Config, 'REDIS_URL' | 'LEASE_TTL_MS' | 'DB_IDLE_IN_TX_TIMEOUT_MS'>): number {
  return config.REDIS_URL ? Math.min(config.DB_IDLE_IN_TX_TIMEOUT_MS, config.LEASE_TTL_MS) : config.DB_IDLE_IN_TX_TIMEOUT_MS;
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [key, emptyToUndefined(env[key])]),
  );
  const parsed = configSchema.safeParse(relevant);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
