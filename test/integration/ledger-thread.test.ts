// The ledger thread (decision 017): the same Ledger, its calls answered by a
// worker thread with its own pool. Results cross intact (bigints, replays), an
// error crosses with what callers classify it by, and money stays exact when
// many calls race through it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransientDbError } from '../../server/ledger/db-helpers';
import { createLedgerThread, type LedgerThread } from '../../server/ledger/thread';
import { threadCpuSeconds } from '../../server/thread-cpu';
import { createTestDatabase, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

let t: TestDatabase;
let thread: LedgerThread;
const timings: { op: string; stage: string; seconds: number }[] = [];
beforeAll(async () => {
  t = await createTestDatabase();
  thread = createLedgerThread({
    onTiming: (op, stage, seconds) => timings.push({ op, stage, seconds }),
    db: { url: t.url, poolMax: 4 },
    chipsPerUsd: t.deps.chipsPerUsd, purchaseMinCents: t.deps.purchaseMinCents, purchaseMaxCents: t.deps.purchaseMaxCents,
  });
});
afterAll(async () => {
  await thread.close();
  await t.close();
});

describe('the ledger thread', () => {
  it('answers like the ledger: bigints intact, a replay is a replay, a refusal is a refusal', async () => {
    const [userId] = await seedUsers(t.db, 1);
    const key = uniqueKey('thread');
    const first = await thread.buyChips({ userId: userId!, amountCents: 1_234n, idempotencyKey: key });
    expect(first.ok && typeof first.value.walletBalance).toBe('bigint');
    expect(first.ok && first.value.chips).toBe(1_234n);
    expect(first.ok && first.value.replayed).toBe(false);
    const again = await thread.buyChips({ userId: userId!, amountCents: 1_234n, idempotencyKey: key });
    expect(again.ok && again.value.replayed).toBe(true);
    expect(again.ok && first.ok && again.value.transferId).toBe(first.ok ? first.value.transferId : null);
    const refused = await thread.buyChips({ userId: userId!, amountCents: -5n, idempotencyKey: uniqueKey('neg') });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('amount/invalid');
  });

  it('times each call by stage: waiting for the thread, in it (the transaction), the reply waiting for this thread', async () => {
    timings.length = 0;
    const [userId] = await seedUsers(t.db, 1, 'timed');
    const started = performance.now();
    const bought = await thread.buyChips({ userId: userId!, amountCents: 500n, idempotencyKey: uniqueKey('timed') });
    const wallMs = performance.now() - started;
    expect(bought.ok).toBe(true);
    expect(timings.map((x) => `${x.op}:${x.stage}`)).toEqual(['buyChips:to_thread', 'buyChips:in_thread', 'buyChips:to_main']);
    for (const x of timings) expect(x.seconds).toBeGreaterThanOrEqual(0);
    // The transaction is database round trips: it takes time, and the stages fit in the call.
    const [toThread, inThread, toMain] = timings.map((x) => x.seconds * 1000);
    expect(inThread!).toBeGreaterThan(0);
    expect(toThread! + inThread! + toMain!).toBeLessThanOrEqual(wallMs + 1);
  });

  it.runIf(process.platform === 'linux')('names its OS thread for poker_thread_cpu_seconds_total{thread="ledger"}', async () => {
    // The thread has answered calls by now, so its first message (its thread id) has arrived.
    expect(threadCpuSeconds()?.ledger).toBeGreaterThan(0);
  });

  it('keeps every chip when 200 calls race through it', async () => {
    const users = await seedUsers(t.db, 10, 'race');
    await Promise.all(Array.from({ length: 200 }, (_, i) =>
      thread.buyChips({ userId: users[i % 10]!, amountCents: 100n, idempotencyKey: uniqueKey(`r${i}`) })));
    for (const userId of users) {
      const wallet = await t.db.account.findFirst({ where: { userId, kind: 'WALLET' } });
      expect(wallet?.balance).toBe(20n * 100n);
    }
    expect((await thread.reconcile()).violations).toEqual([]);
  });

  it('a database it cannot reach throws an error the callers still see as transient, and close lets it go', async () => {
    const broken = createLedgerThread({
      db: { url: 'postgresql://postgres@127.0.0.1:1/nowhere', poolMax: 1 },
      chipsPerUsd: 100, purchaseMinCents: 100n, purchaseMaxCents: 10_000n,
    });
    const error = await broken.buyChips({ userId: 1, amountCents: 500n, idempotencyKey: 'x' }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isTransientDbError(error)).toBe(true);
    await broken.close();
  });
});
