import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBotsInDb } from '../../server/bots/db-audit';
import { DEFAULT_OPTIONS } from '../../server/bots/options';
import { runBots } from '../../server/bots/run';
import { startTestServer, type TestServer } from '../support/server';

// Issue 6, test 1: the load-test bots play 5 tables over the public protocol;
// afterwards every bot has left, reconcile is clean, and chips are conserved
// exactly: the bots' wallets plus the tables' rake equal what they bought.

const BOT_TOKEN = 'bots-test-token-0123456789';
const TABLES = 5;

let s: TestServer;
let tableIds: number[] = [];
beforeAll(async () => {
  s = await startTestServer({ env: { BOT_TOKEN } });
  for (let i = 0; i < TABLES; i++) {
    const created = await s.server.registry.createTable({
      name: `Bots ${i}`, variant: i === TABLES - 1 ? 'PLO' : 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2,
      minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10,
    });
    if (!created.ok) throw new Error(created.error.message);
    tableIds.push(created.value.id);
  }
});
afterAll(async () => {
  await s?.close();
});

describe('load-test bots', () => {
  it('play 5 tables; after they leave reconcile is clean and chips are conserved exactly', async () => {
    const report = await runBots(
      {
        ...DEFAULT_OPTIONS,
        url: s.url, botToken: BOT_TOKEN, tables: TABLES, tableIds, playersPerTable: 6, spectatorsPerTable: 1,
        durationS: Number(process.env.BOTS_TEST_DURATION_S ?? 12), strategy: 'random-legal', progress: 'off', setupConcurrency: 16,
      },
      { log: () => undefined, dbAudit: (input) => auditBotsInDb(s.t.db, input) },
    );
    expect(report.violations, `errors by code: ${JSON.stringify(report.errorsByCode)}`).toEqual([]);
    expect(report.hands).toBeGreaterThan(0);
    expect(report.actions).toBeGreaterThan(0);
    // The window is measured once the tables have settled about a hand each (unmeasured warm-up).
    expect(report.warmup.hands).toBeGreaterThanOrEqual(TABLES);
    // Every refusal counts (seq/stale included): only the final leave's late/ and a top-up that a hand the bot won
    // overtook (a speculative reload/ before an all-in, a crossed/ ordinary top-up) are counted apart (no churn here).
    expect(report.errors).toBe(0);
    expect(Object.keys(report.errorsByCode).filter((code) => !['late/', 'reload/', 'crossed/'].some((p) => code.startsWith(p)))).toEqual([]);
    expect(report.windows.first.actionsPerSecond).toBeGreaterThan(0);
    expect(report.windows.last.actionsPerSecond).toBeGreaterThan(0);
    // Every settled hand is followed by its boundary, and the server reports how long that took.
    const server = report.server!;
    expect(server.boundarySeconds.count).toBeGreaterThan(0);
    expect(report.tableRebuilds, 'no table stopped and rebuilt during the run').toEqual({ invariant: 0, owner_lost: 0, error: 0 });
    expect(server.boundarySeconds.count).toBeLessThanOrEqual(server.settleSeconds.count + TABLES);
    const db = report.audit.db!;
    expect(db.reconcileOk).toBe(true);
    expect(db.openSeats).toBe(0);
    expect(BigInt(db.wallets) + BigInt(db.rake)).toBe(BigInt(db.bought));
    expect(BigInt(db.rake)).toBeGreaterThan(0n);
    const api = report.audit.api!;
    expect(api.botsLeft).toBe(TABLES * 6);
    expect(api.unbalancedHands).toBe(0);
    expect(api.finalChips).toBe(api.initialChips + api.boughtChips - api.rake);
    expect(String(api.rake)).toBe(db.rake);
    expect(s.server.registry.all().filter((a) => tableIds.includes(a.id)).every((a) => a.seatsTaken() === 0)).toBe(true);
  });

  it('a rerun within two hours reuses the accounts: a bot whose last seat left with more than the maximum comes back with it (decision 036)', async () => {
    // The last seat of one bot at the first table left with 350 (more than the maximum of 200).
    const [last] = await s.t.db.$queryRawUnsafe<{ id: bigint; user_id: number }[]>(
      `SELECT id, user_id FROM seat_sessions WHERE table_id = $1 AND status = 'CLOSED' ORDER BY closed_at DESC LIMIT 1`, tableIds[0],
    );
    await s.t.db.$executeRawUnsafe(`UPDATE seat_sessions SET left_with = 350 WHERE id = $1::bigint`, last!.id.toString());
    const report = await runBots(
      {
        ...DEFAULT_OPTIONS,
        url: s.url, botToken: BOT_TOKEN, tables: TABLES, tableIds, playersPerTable: 6, spectatorsPerTable: 1,
        durationS: 3, warmupS: 5, strategy: 'random-legal', progress: 'off', setupConcurrency: 16,
      },
      { log: () => undefined, dbAudit: (input) => auditBotsInDb(s.t.db, input) },
    );
    expect(report.violations, `errors by code: ${JSON.stringify(report.errorsByCode)}`).toEqual([]);
    expect(Object.keys(report.errorsByCode).filter((code) => !['late/', 'reload/', 'crossed/'].some((p) => code.startsWith(p)))).toEqual([]);
    const [back] = await s.t.db.$queryRawUnsafe<{ amount: bigint }[]>(
      `SELECT e.amount FROM seat_sessions ss JOIN accounts a ON a.seat_session_id = ss.id
         JOIN ledger_entries e ON e.account_id = a.id JOIN ledger_transfers t ON t.id = e.transfer_id AND t.kind = 'BUY_IN'
        WHERE ss.table_id = $1 AND ss.user_id = $2 AND ss.id > $3::bigint ORDER BY ss.id LIMIT 1`,
      tableIds[0], last!.user_id, last!.id.toString(),
    );
    expect(back?.amount).toBe(350n);
    expect(report.audit.db!.reconcileOk).toBe(true);
    expect(report.audit.db!.openSeats).toBe(0);
  });
});
