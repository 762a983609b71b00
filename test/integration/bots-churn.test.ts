import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBotsInDb } from '../../server/bots/db-audit';
import { DEFAULT_OPTIONS } from '../../server/bots/options';
import { runBots } from '../../server/bots/run';
import { startTestServer, type TestServer } from '../support/server';

// Issue 6, test 2: 20% of the bots drop their connection, reconnect (with and
// without connection-state recovery), or leave and rejoin, every few seconds
// for 60 s (BOTS_CHURN_DURATION_S shortens it for local runs). No invariant
// breaks, and every reconnecting bot finds itself at its seat in the snapshot
// after reconnecting and goes on playing.

const BOT_TOKEN = 'bots-churn-token-0123456789';
const TABLES = 4;
const DURATION_S = Number(process.env.BOTS_CHURN_DURATION_S ?? 60);

let s: TestServer;
const tableIds: number[] = [];
beforeAll(async () => {
  s = await startTestServer({ env: { BOT_TOKEN } });
  for (let i = 0; i < TABLES; i++) {
    const created = await s.server.registry.createTable({
      name: `Churn ${i}`, variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10,
    });
    if (!created.ok) throw new Error(created.error.message);
    tableIds.push(created.value.id);
  }
});
afterAll(async () => {
  await s?.close();
});

describe('bots under churn', () => {
  it(`20% of the bots reconnect or rejoin every few seconds for ${DURATION_S} s; reconnecting bots resume their seats`, async () => {
    const report = await runBots(
      {
        ...DEFAULT_OPTIONS,
        url: s.url, botToken: BOT_TOKEN, tables: TABLES, tableIds, playersPerTable: 6, spectatorsPerTable: 1,
        durationS: DURATION_S, thinkMsMin: 0, thinkMsMax: 50, churn: 0.2, churnEveryMs: 3_000, progress: 'off', setupConcurrency: 16,
      },
      { log: () => undefined, dbAudit: (input) => auditBotsInDb(s.t.db, input) },
    );
    expect(report.violations, `errors by code: ${JSON.stringify(report.errorsByCode)}`).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.hands).toBeGreaterThan(0);
    const churn = report.churn;
    expect(churn.bots).toBeGreaterThanOrEqual(Math.floor(TABLES * 6 * 0.2));
    expect(churn.reconnects).toBeGreaterThan(0);
    // Every reconnection found the bot at its seat (or, rarely, found that the table had
    // cashed it out while it was away, for sitting out too long: its wallet history says
    // so), and every bot that reconnected played on afterwards.
    expect(churn.resumeMisses).toBe(0);
    expect(churn.seatedReconnects).toBeGreaterThan(0);
    expect(churn.resumes + churn.removedWhileAway).toBe(churn.seatedReconnects);
    expect(churn.removedWhileAway).toBeLessThanOrEqual(Math.ceil(churn.seatedReconnects / 10));
    expect(churn.botsNeverResumedAndActed).toEqual([]);
    expect(churn.resumedThenActed).toBeGreaterThan(0);
    const db = report.audit.db!;
    expect(db.reconcileOk).toBe(true);
    expect(db.conserved).toBe(true);
    expect(db.openSeats).toBe(0);
    expect(report.audit.api!.chipsConserved).toBe(true);
  });
});
