// No free database connection is an answer, not a crash: a money function that
// cannot begin its transaction within maxWait returns `ledger/busy` and writes
// nothing, and the same request succeeds once a connection is free.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger } from '../../server/ledger/transactions';
import { DEFAULT_RETRY } from '../../server/ledger/db-helpers';
import { createTestDatabase, uniqueKey, seedUsers, type TestDatabase } from '../support/db';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 1 });
});
afterAll(async () => {
  await t.close();
});

describe('a ledger call with no free connection', () => {
  it('answers ledger/busy, writes nothing, and succeeds when a connection is free', async () => {
    const [userId] = await seedUsers(t.db, 1);
    const ledger = createLedger({ ...t.deps, retry: { ...DEFAULT_RETRY, maxWaitMs: 200 } });
    const key = uniqueKey('busy');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The pool's only connection is held by an open transaction.
    const holder = t.db.$transaction(async (tx) => {
      await tx.$queryRawUnsafe('SELECT 1');
      await held;
    }, { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 50));
    const busy = await ledger.buyChips({ userId: userId!, amountCents: 1_000n, idempotencyKey: key });
    expect(busy).toMatchObject({ ok: false, error: { code: 'ledger/busy' } });
    release();
    await holder;
    const transfers = await t.db.ledgerTransfer.count({ where: { idempotencyKey: key } });
    expect(transfers).toBe(0);
    const later = await ledger.buyChips({ userId: userId!, amountCents: 1_000n, idempotencyKey: key });
    expect(later.ok).toBe(true);
  });
});
