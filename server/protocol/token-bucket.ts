// The one rate limiter: a token bucket per key (a socket, a user, an IP, a
// username, a player at a table). Each key holds up to `tokensMax` tokens and
// gets them back evenly over `refillMs`; a request costs one; an empty bucket
// refuses, and says how long until the next token. Memory is bounded: past
// `keysMax` keys the oldest bucket is dropped (which at worst forgives it).
// Time is passed in (`now`), so it is pure and runs anywhere. Per process: with
// several processes each one counts alone.

export interface TokenBucketOptions {
  tokensMax: number;
  /** Time to refill a whole bucket from empty, in milliseconds. */
  refillMs: number;
  keysMax?: number;
  now: () => number;
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

  constructor(options: TokenBucketOptions) {
    if (!(options.tokensMax >= 1) || !(options.refillMs > 0)) throw new Error('rate limit: tokensMax >= 1 and refillMs > 0');
    this.tokensMax = options.tokensMax;
    this.msPerToken = options.refillMs / options.tokensMax;
    this.keysMax = options.keysMax ?? RATE_LIMIT_KEYS_MAX;
    this.now = options.now;
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

  /** Forgets a key (a username after a successful login, a socket that closed). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private refilled(key: string): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.tokensMax, updatedAt: this.now() };
    const now = this.now();
    bucket.tokens = Math.min(this.tokensMax, bucket.tokens + Math.max(0, now - bucket.updatedAt) / this.msPerToken);
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

/**
 * The message budgets of the socket protocol (docs/protocol.md): per socket,
 * per user (a user may have several tabs open), and chat per player per table.
 * Generous enough for a bot acting with no think time heads-up (~25 actions/s),
 * tight enough that one client cannot flood a table's mailbox.
 */
export const SOCKET_MESSAGES = { tokensMax: 100, refillMs: 2_000 } as const; // 50/s, bursts of 100
export const USER_MESSAGES = { tokensMax: 200, refillMs: 2_000 } as const; // 100/s, bursts of 200
/** Every anonymous socket of one client address together: 200/s, bursts of 2,000 (a crowd behind one NAT still fits). */
export const ANONYMOUS_ADDRESS_MESSAGES = { tokensMax: 2_000, refillMs: 10_000 } as const;
/**
 * Refusals a socket may collect (bursts of 100, then 10/s) before it is disconnected: a client
 * that keeps sending into an empty budget is not pacing itself, and every message it sends is
 * still decoded before it can be refused; closing the connection is what stops that cost.
 */
export const REFUSED_MESSAGES = { tokensMax: 100, refillMs: 10_000 } as const;
export const CHAT_WINDOW_MS = 10_000;
/**
 * Sit-outs and sit-ins of one player at one table: 1 a second, bursts of 20. Each is an engine
 * command kept in the hand's log and, when it changes what is stored, a database write: a
 * player toggling at the socket budget wrote about 38 a second and grew one hand's log to
 * 2,300 commands (black-box audit 5). A bot sits in once per bust.
 */
export const SEAT_TOGGLES = { tokensMax: 20, refillMs: 20_000 } as const;
