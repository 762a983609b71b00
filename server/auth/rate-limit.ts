// Rate limits of sign-up, login and password changes: token buckets (the one
// limiter, server/protocol/token-bucket.ts) per IP and per username. When a
// bucket is empty the route answers 429 with Retry-After. Per process: with
// several processes behind a balancer each one counts alone.
import { TokenBucketLimiter, type RateDecision } from '../protocol/token-bucket';

export { TokenBucketLimiter, type RateDecision };

export interface AuthRateLimits {
  /** Sign-up and login attempts per IP per minute. */
  ipAttemptsPerMinute: number;
  /** Failed logins per username per minute. */
  usernameFailuresPerMinute: number;
}

export const DEFAULT_AUTH_RATE_LIMITS: AuthRateLimits = { ipAttemptsPerMinute: 10, usernameFailuresPerMinute: 5 };

export interface AuthLimiters {
  byIp: TokenBucketLimiter;
  failuresByUsername: TokenBucketLimiter;
}

export function createAuthLimiters(limits: AuthRateLimits = DEFAULT_AUTH_RATE_LIMITS, now: () => number = Date.now): AuthLimiters {
  const minuteMs = 60_000;
  return {
    byIp: new TokenBucketLimiter({ tokensMax: limits.ipAttemptsPerMinute, refillMs: minuteMs, now }),
    failuresByUsername: new TokenBucketLimiter({ tokensMax: limits.usernameFailuresPerMinute, refillMs: minuteMs, now }),
  };
}
