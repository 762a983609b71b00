// An in-memory token bucket per key (an IP, a username). Each key holds up to
// `tokensMax` tokens and gets them back evenly over `refillMs`. When a bucket is
// empty the caller answers 429 with Retry-After. Memory is bounded: past
// `keysMax` keys the oldest bucket is dropped (which at worst forgives it).
// Per process: with several processes behind a balancer each one counts alone.

export interface RateLimitOptions {
  tokensMax: number;
  /** Time to refill a whole bucket from empty, in milliseconds. */
  refillMs: number;
  keysMax?: number;
  now?: () => number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export const RATE_LIMIT_KEYS_MAX = 100_000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly tokensMax: number;
  private readonly msPerToken: number;
  private readonly keysMax: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions) {
    if (!(options.tokensMax >= 1) || !(options.refillMs > 0)) throw new Error('rate limit: tokensMax >= 1 and refillMs > 0');
    this.tokensMax = options.tokensMax;
    this.msPerToken = options.refillMs / options.tokensMax;
    this.keysMax = options.keysMax ?? RATE_LIMIT_KEYS_MAX;
    this.now = options.now ?? Date.now;
  }

  /** Takes a token if there is one. */
  take(key: string): RateDecision {
    const decision = this.check(key);
    if (decision.ok) this.bucket(key).tokens -= 1;
    return decision;
  }

  /** Whether a token is available, without taking it. */
  check(key: string): RateDecision {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) return { ok: true };
    return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) * this.msPerToken) };
  }

  /** Forgets a key (e.g. a username after a successful login). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private refilled(key: string): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.tokensMax, updatedAt: this.now() };
    const now = this.now();
    bucket.tokens = Math.min(this.tokensMax, bucket.tokens + (now - bucket.updatedAt) / this.msPerToken);
    bucket.updatedAt = now;
    return bucket;
  }

  private bucket(key: string): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.keysMax) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.tokensMax, updatedAt: this.now() };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}

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

export function createAuthLimiters(limits: AuthRateLimits = DEFAULT_AUTH_RATE_LIMITS, now?: () => number): AuthLimiters {
  const minuteMs = 60_000;
  return {
    byIp: new TokenBucketLimiter({ tokensMax: limits.ipAttemptsPerMinute, refillMs: minuteMs, now }),
    failuresByUsername: new TokenBucketLimiter({ tokensMax: limits.usernameFailuresPerMinute, refillMs: minuteMs, now }),
  };
}
