import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../server/cluster/bus';
import { createSharedLimiter, REDIS_LIMIT_TIMEOUT_MS, type SharedLimiter } from '../../server/cluster/shared-limiter';
import { freePort, startRedis, stopEveryRedis, stopRedis } from '../support/redis';

// Rate limits shared by the nodes of a cluster through Redis: two limiters with
// their own clients (two nodes) spend one budget; without Redis each counts
// alone; a Redis that dies or hangs leaves each limiter answering from memory
// within the time-out, and a Redis that comes back is used again. The shared
// Redis is TEST_REDIS_URL or a redis-server of this file's own; the outage
// tests start their own so they can kill or freeze it.

const TEST_TIMEOUT_MS = 5_000;
/** An answer from memory: the Redis time-out plus scheduling slack. */
const FALLBACK_ANSWER_MS_MAX = REDIS_LIMIT_TIMEOUT_MS + 250;
const MINUTE_MS = 60_000;

const clients = new Set<RedisClient>();
let sharedUrl: string;

beforeAll(async () => {
  sharedUrl = process.env.TEST_REDIS_URL ?? (await startRedis(await freePort())).url;
});

afterEach(() => {
  // Not close(): it waits for pending commands, and a Redis a test left stopped never answers them.
  for (const client of clients) if (client.isOpen) client.destroy();
  clients.clear();
});

afterAll(async () => {
  await stopEveryRedis();
});

async function connect(url: string): Promise<RedisClient> {
  // Reconnects quickly so that the recovery test does not wait on back-off.
  const client: RedisClient = createClient({ url, socket: { connectTimeout: 1_000, reconnectStrategy: () => 50 } });
  client.on('error', () => undefined);
  await client.connect();
  clients.add(client);
  return client;
}

async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uniqueName = () => `test-${randomUUID()}`;

function limiterOn(redis: RedisClient | null, name: string, tokensMax: number, now: () => number = Date.now): SharedLimiter {
  return createSharedLimiter({ name, tokensMax, refillMs: MINUTE_MS, redis, now });
}

async function timedTake(limiter: SharedLimiter, key: string) {
  const started = performance.now();
  const decision = await limiter.take(key);
  return { decision, elapsedMs: performance.now() - started };
}

describe('shared rate limiter', () => {
  it('two nodes with their own Redis clients spend one budget', { timeout: TEST_TIMEOUT_MS }, async () => {
    const name = uniqueName();
    const [a, b] = [limiterOn(await connect(sharedUrl), name, 4), limiterOn(await connect(sharedUrl), name, 4)];
    expect(await a.take('1.2.3.4')).toEqual({ ok: true });
    expect(await b.take('1.2.3.4')).toEqual({ ok: true });
    expect(await a.take('1.2.3.4')).toEqual({ ok: true });
    expect(await b.check('1.2.3.4')).toEqual({ ok: true }); // check spends nothing
    expect(await b.take('1.2.3.4')).toEqual({ ok: true });
    for (const limiter of [a, b]) {
      const refused = await limiter.take('1.2.3.4');
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(MINUTE_MS);
      }
      expect((await limiter.check('1.2.3.4')).ok).toBe(false);
    }
    expect(await a.take('5.6.7.8')).toEqual({ ok: true }); // keys are independent
    await a.reset('1.2.3.4'); // a reset on one node frees the key on every node
    expect(await b.take('1.2.3.4')).toEqual({ ok: true });
    const probe = await connect(sharedUrl);
    expect(await probe.get(`poker:rl:${name}:1.2.3.4`)).toBe('1');
    await probe.del([`poker:rl:${name}:1.2.3.4`, `poker:rl:${name}:5.6.7.8`]);
  });

  it('without Redis each instance is its own token bucket, refilled evenly', { timeout: TEST_TIMEOUT_MS }, async () => {
    let now = 0;
    const name = uniqueName();
    const [a, b] = [limiterOn(null, name, 3, () => now), limiterOn(null, name, 3, () => now)];
    for (let i = 0; i < 3; i++) expect(await a.take('k')).toEqual({ ok: true });
    expect(await a.take('k')).toEqual({ ok: false, retryAfterMs: 20_000 });
    for (let i = 0; i < 3; i++) expect(await b.take('k')).toEqual({ ok: true }); // not shared
    expect((await b.take('k')).ok).toBe(false);
    now += 20_000;
    expect(await a.check('k')).toEqual({ ok: true });
    expect(await a.take('k')).toEqual({ ok: true });
    expect((await a.take('k')).ok).toBe(false);
    await b.reset('k');
    expect(await b.take('k')).toEqual({ ok: true });
  });

  it('a stopped Redis: answers from memory within the time-out, and uses Redis again once it is back', { timeout: TEST_TIMEOUT_MS }, async () => {
    const own = await startRedis(await freePort());
    const name = uniqueName();
    const [clientA, clientB] = [await connect(own.url), await connect(own.url)];
    const [a, b] = [limiterOn(clientA, name, 3), limiterOn(clientB, name, 3)];
    expect(await a.take('before')).toEqual({ ok: true });
    expect(await clientB.get(`poker:rl:${name}:before`)).toBe('1');

    await stopRedis(own.proc);
    await until(() => !clientA.isReady, 'the client to notice');
    // Memory of this process only: a fresh budget of 3, then a refusal.
    for (let i = 0; i < 3; i++) {
      const { decision, elapsedMs } = await timedTake(a, 'before');
      expect(decision).toEqual({ ok: true });
      expect(elapsedMs).toBeLessThan(FALLBACK_ANSWER_MS_MAX);
    }
    const { decision: refused, elapsedMs } = await timedTake(a, 'before');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(elapsedMs).toBeLessThan(FALLBACK_ANSWER_MS_MAX);
    expect((await a.check('before')).ok).toBe(false);

    await startRedis(own.port);
    await until(() => clientA.isReady && clientB.isReady, 'the clients to reconnect');
    // A key that a's memory never saw: a refusal can only come from the budget b spent in Redis.
    for (let i = 0; i < 3; i++) expect(await b.take('after')).toEqual({ ok: true });
    const shared = await a.take('after');
    expect(shared.ok).toBe(false);
    expect(await clientB.get(`poker:rl:${name}:after`)).toBe('4');
  });

  it('a hung Redis (SIGSTOP): answers from memory after the time-out, and from Redis once it resumes', { timeout: TEST_TIMEOUT_MS }, async () => {
    const own = await startRedis(await freePort());
    const name = uniqueName();
    const [clientA, clientB] = [await connect(own.url), await connect(own.url)];
    const [a, b] = [limiterOn(clientA, name, 2), limiterOn(clientB, name, 2)];
    expect(await a.take('k')).toEqual({ ok: true });

    own.proc.kill('SIGSTOP');
    try {
      expect(clientA.isReady).toBe(true); // the connection looks fine; only the answers are missing
      for (let i = 0; i < 2; i++) {
        const { decision, elapsedMs } = await timedTake(a, 'k');
        expect(decision).toEqual({ ok: true }); // a fresh budget in memory
        expect(elapsedMs).toBeGreaterThanOrEqual(REDIS_LIMIT_TIMEOUT_MS - 5);
        expect(elapsedMs).toBeLessThan(FALLBACK_ANSWER_MS_MAX);
      }
      expect((await timedTake(a, 'k')).decision.ok).toBe(false);
    } finally {
      own.proc.kill('SIGCONT');
    }
    for (let i = 0; i < 2; i++) expect(await b.take('fresh')).toEqual({ ok: true });
    expect((await a.take('fresh')).ok).toBe(false); // unseen by a's memory: refused by Redis
    // The commands that timed out reached Redis once it resumed (they came before
    // a's last one on its connection): counted there as well, so never fewer.
    expect(await clientB.get(`poker:rl:${name}:k`)).toBe('4');
  });
});
