import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from '../../server/protocol/token-bucket';

// The one rate limiter (sockets, users, logins, chat), with a manual clock.

describe('token bucket limiter', () => {
  it('allows a burst, refuses when empty with the wait until the next token, and refills evenly', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ tokensMax: 5, refillMs: 10_000, now: () => now });
    for (let i = 0; i < 5; i++) expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 2_000 });
    now += 1_999;
    expect(limiter.take('a').ok).toBe(false);
    now += 1;
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('b')).toEqual({ ok: true }); // keys are independent
    now += 60_000;
    for (let i = 0; i < 5; i++) expect(limiter.take('a').ok).toBe(true); // never more than tokensMax
    expect(limiter.take('a').ok).toBe(false);
  });

  it('check does not spend; reset forgives; a clock going backwards refills nothing', () => {
    let now = 1_000;
    const limiter = new TokenBucketLimiter({ tokensMax: 1, refillMs: 1_000, now: () => now });
    expect(limiter.check('k').ok).toBe(true);
    expect(limiter.take('k').ok).toBe(true);
    expect(limiter.check('k').ok).toBe(false);
    now -= 500;
    expect(limiter.take('k').ok).toBe(false);
    limiter.reset('k');
    expect(limiter.take('k').ok).toBe(true);
  });

  it('keeps at most keysMax buckets, dropping the oldest', () => {
    const limiter = new TokenBucketLimiter({ tokensMax: 1, refillMs: 60_000, keysMax: 2, now: () => 0 });
    expect(limiter.take('x').ok).toBe(true);
    expect(limiter.take('y').ok).toBe(true);
    expect(limiter.take('z').ok).toBe(true); // drops x
    expect(limiter.take('x').ok).toBe(true); // forgiven
    expect(limiter.take('z').ok).toBe(false);
  });

  it('refuses a nonsense configuration', () => {
    expect(() => new TokenBucketLimiter({ tokensMax: 0, refillMs: 1, now: () => 0 })).toThrow();
    expect(() => new TokenBucketLimiter({ tokensMax: 1, refillMs: 0, now: () => 0 })).toThrow();
  });
});
