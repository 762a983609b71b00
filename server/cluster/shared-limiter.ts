import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TokenBucketLimiter, type RateDecision } from '../protocol/token-bucket';
import type { RedisClient } from './bus';

// A rate limit that every node of a cluster counts together (REDIS_URL set),
// or the per-process token bucket when there is no Redis (redis: null).
//
// With Redis the algorithm changes: rate-limiter-flexible's RateLimiterRedis
// counts in a fixed window, not a continuously refilled bucket. A key may take
// `tokensMax` times per window of `refillMs` (rounded up to whole seconds,
// Redis expiry has second resolution here) that starts at its first take; when
// the window ends the whole budget comes back at once. So a client can spend up
// to 2 x tokensMax across a window boundary, and a refusal waits for the end of
// the window (up to refillMs) rather than for one token. For login and sign-up
// budgets per minute this is the usual trade; a refusal never extends the
// window.
//
// Redis never decides whether a request is served: when it is unreachable or
// answers later than REDIS_LIMIT_TIMEOUT_MS, the same limits are counted in
// this process's memory instead (rate-limiter-flexible's insuranceLimiter), so
// each node then allows up to tokensMax per window on its own. Every call tries
// Redis again, so it is back in use as soon as Redis answers.

export { type RateDecision };

/** Longest a take waits for Redis before it counts in memory instead. */
export const REDIS_LIMIT_TIMEOUT_MS = 100;
const KEY_PREFIX = 'poker:rl';

export interface SharedLimiterLog {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface SharedLimiterOptions {
  /** Part of the Redis keys (`poker:rl:<name>:<key>`): one name per limit. */
  name: string;
  tokensMax: number;
  /** Time to refill a whole bucket from empty (with Redis: the window), in milliseconds. */
  refillMs: number;
  /** A connected client of the `redis` package, or null for the per-process token bucket. */
  redis: RedisClient | null;
  /** The clock of the token bucket; with Redis, windows follow Redis's clock and the fallback Date.now. */
  now: () => number;
  log?: SharedLimiterLog;
  /** Memory mode only: at most this many keys (see TokenBucketLimiter). */
  keysMax?: number;
  /** Tests may lengthen or shorten it. */
  timeoutMs?: number;
}

export interface SharedLimiter {
  /** Takes a token if there is one. Never rejects. */
  take(key: string): Promise<RateDecision>;
  /** Whether a token is available, without taking it. Never rejects. */
  check(key: string): Promise<RateDecision>;
  /** Forgets a key (a username after a successful login). Never rejects. */
  reset(key: string): Promise<void>;
}

export function createSharedLimiter(options: SharedLimiterOptions): SharedLimiter {
  if (!options.redis) return memoryLimiter(options);
  return redisLimiter(options, options.redis);
}

function memoryLimiter(options: SharedLimiterOptions): SharedLimiter {
  const bucket = new TokenBucketLimiter({ tokensMax: options.tokensMax, refillMs: options.refillMs, keysMax: options.keysMax, now: options.now });
  return {
    take: async (key) => bucket.take(key),
    check: async (key) => bucket.check(key),
    reset: async (key) => bucket.reset(key),
  };
}

/**
 * The fallback counter, which tells when it is used: every use means Redis
 * failed or was too slow for that call.
 */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(opts: ConstructorParameters<typeof RateLimiterMemory>[0], private readonly onUse: () => void) {
    super(opts);
  }
  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
  override get(key: string | number, options?: { [key: string]: unknown }): Promise<RateLimiterRes | null> {
    this.onUse();
    return super.get(key, options);
  }
}

function redisLimiter(options: SharedLimiterOptions, redis: RedisClient): SharedLimiter {
  if (!(options.tokensMax >= 1) || !(options.refillMs > 0)) throw new Error('rate limit: tokensMax >= 1 and refillMs > 0');
  const points = Math.floor(options.tokensMax);
  // Whole seconds, at least one: a zero duration would make Redis keys that never expire.
  const duration = Math.max(1, Math.ceil(options.refillMs / 1_000));
  const health = fallbackTracker(options.name, options.log);
  const insurance = new InsuranceLimiter({ points, duration, keyPrefix: `${KEY_PREFIX}:${options.name}` }, health.fellBack);
  const store = new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: true,
    keyPrefix: `${KEY_PREFIX}:${options.name}`,
    points,
    duration,
    // A disconnected client fails at once instead of queueing the command.
    rejectIfRedisNotReady: true,
  });
  // The insurance sits on the time-out wrapper, not on the store: a command that
  // times out and then fails later must not be counted in memory twice.
  const limiter: RateLimiterAbstract = new RLWrapperTimeouts({
    limiter: store,
    timeoutMs: options.timeoutMs ?? REDIS_LIMIT_TIMEOUT_MS,
    insuranceLimiter: insurance,
  });
  const unexpected = (error: unknown): RateDecision => {
    // Only a bug can get here (the insurance does not fail): let the request through rather than lock everyone out.
    options.log?.warn({ limiter: options.name, error: String(error) }, 'rate limiter failed; request allowed');
    return { ok: true };
  };
  return {
    take: (key) =>
      health.watch(async () => {
        try {
          await limiter.consume(key);
          return { ok: true };
        } catch (error) {
          return error instanceof RateLimiterRes ? refused(error) : unexpected(error);
        }
      }),
    check: (key) =>
      health.watch(async () => {
        try {
          const res = await limiter.get(key);
          return res && res.consumedPoints >= points ? refused(res) : { ok: true };
        } catch (error) {
          return unexpected(error);
        }
      }),
    reset: async (key) => {
      // Both: counts made in memory during an outage must go too.
      await Promise.allSettled([limiter.delete(key), insurance.delete(key)]);
    },
  };
}

function refused(res: RateLimiterRes): RateDecision {
  return { ok: false, retryAfterMs: Math.max(1, Math.ceil(res.msBeforeNext)) };
}

/** Logs once when a limiter starts counting in memory and once when Redis answers again. */
function fallbackTracker(name: string, log: SharedLimiterLog | undefined) {
  let fallbacksTotal = 0;
  let degraded = false;
  return {
    fellBack: () => {
      fallbacksTotal += 1;
      if (degraded) return;
      degraded = true;
      log?.warn({ limiter: name }, 'Redis unavailable for rate limits; counting per process until it answers');
    },
    async watch(call: () => Promise<RateDecision>): Promise<RateDecision> {
      const before = fallbacksTotal;
      const decision = await call();
      // Approximate with concurrent calls (only the log depends on it).
      if (degraded && fallbacksTotal === before) {
        degraded = false;
        log?.info({ limiter: name }, 'Redis answers again; rate limits shared across nodes');
      }
      return decision;
    },
  };
}
