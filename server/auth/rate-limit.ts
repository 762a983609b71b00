// Rate limits of sign-up, login and password changes, per IP and per username.
// When a budget is spent the route answers 429 with Retry-After. Without Redis
// they are the per-process token buckets (server/protocol/token-bucket.ts);
// given the cluster's Redis client every node counts in one shared budget
// (server/cluster/shared-limiter.ts: a fixed window there, and per process
// again while Redis is unreachable).
import { createSharedLimiter, type SharedLimiter, type SharedLimiterLog } from '../cluster/shared-limiter';
import type { RedisClient } from '../cluster/bus';
import { TokenBucketLimiter, type RateDecision } from '../protocol/token-bucket';

export { TokenBucketLimiter, type RateDecision };

export interface AuthRateLimits {
  /** Sign-up and login attempts per IP per minute. */
  ipAttemptsPerMinute: number;
  /**
   * Failed logins per username per minute, from browsers not known for that user; a known
   * device (server/auth/devices.ts) has as many of its own.
   */
  usernameFailuresPerMinute: number;
}

export const DEFAULT_AUTH_RATE_LIMITS: AuthRateLimits = { ipAttemptsPerMinute: 10, usernameFailuresPerMinute: 5 };

export interface AuthLimiters {
  byIp: SharedLimiter;
  failuresByUsername: SharedLimiter;
  /** Keyed by a known device's id: its own budget of failures for its user. */
  failuresByDevice: SharedLimiter;
}

export interface AuthLimiterDeps {
  /** The cluster's Redis client (REDIS_URL set), or null (the default) to count per process. */
  redis?: RedisClient | null;
  now?: () => number;
  log?: SharedLimiterLog;
}

export function createAuthLimiters(limits: AuthRateLimits = DEFAULT_AUTH_RATE_LIMITS, deps: AuthLimiterDeps = {}): AuthLimiters {
  const minuteMs = 60_000;
  const common = { refillMs: minuteMs, redis: deps.redis ?? null, now: deps.now ?? Date.now, log: deps.log };
  return {
    byIp: createSharedLimiter({ ...common, name: 'auth-ip', tokensMax: limits.ipAttemptsPerMinute }),
    failuresByUsername: createSharedLimiter({ ...common, name: 'auth-username-failures', tokensMax: limits.usernameFailuresPerMinute }),
    failuresByDevice: createSharedLimiter({ ...common, name: 'auth-device-failures', tokensMax: limits.usernameFailuresPerMinute }),
  };
}
