// Token buckets for socket messages. A bucket refills `ratePerSecond` tokens a
// second up to `burst`; a message costs one token; an empty bucket refuses the
// message with rate/limited (the socket stays connected).

export interface BucketConfig {
  ratePerSecond: number;
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly config: BucketConfig, now: number) {
    this.tokens = config.burst;
    this.updatedAt = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.config.burst, this.tokens + elapsed * this.config.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Buckets keyed by user id; entries unused for a minute are dropped. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>();
  private sweptAt = 0;

  constructor(private readonly config: BucketConfig) {}

  take(key: string, now: number): boolean {
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.config, now), usedAt: now };
      this.buckets.set(key, entry);
    }
    entry.usedAt = now;
    if (now - this.sweptAt > 60_000) this.sweep(now);
    return entry.bucket.take(now);
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, entry] of this.buckets) if (now - entry.usedAt > 60_000) this.buckets.delete(key);
  }
}

/**
 * Per-socket and per-user message budgets (a user may have several tabs open).
 * Generous enough for a bot acting with no think time heads-up (~25 actions/s),
 * tight enough that one client cannot flood a table's mailbox.
 */
export const SOCKET_MESSAGES: BucketConfig = { ratePerSecond: 50, burst: 100 };
export const USER_MESSAGES: BucketConfig = { ratePerSecond: 100, burst: 200 };
