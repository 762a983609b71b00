import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../../server/bots/options';
import { runBots } from '../../server/bots/run';
import { autoplay, prng, randomChooser } from '../support/autoplay';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// The README invites a person to play the bots (`npm run bots` against a running server).
// The bots' audit counted every hand that person won or lost as "chips lost": the run
// ended "FAILED" and exited 1 with the ledger balanced. The other players' part of each
// hand is read from the hand itself (GET /api/hands/:id) and counted apart.

const BOT_TOKEN = 'bots-person-token-0123456789';

let s: TestServer;
let tableId = 0;
beforeAll(async () => {
  s = await startTestServer({ env: { BOT_TOKEN } });
  const created = await s.server.registry.createTable({
    name: 'Bots and a person', variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, rakeBps: 500, rakeCap: 10,
  });
  if (!created.ok) throw new Error(created.error.message);
  tableId = created.value.id;
});
afterAll(async () => {
  await s?.close();
});

describe('load-test bots with a person at their table', () => {
  it('the person\'s wins and losses are counted apart, and the run is clean', async () => {
    const person = await TestClient.signup(s.url, 'person_at_bots');
    await person.buyChips(1_000);
    await person.connect();
    await person.watch(tableId);
    const sat = await person.emit('table:sit', { tableId, seat: 5, buyIn: 200 });
    expect(sat.ok).toBe(true);
    const player = autoplay(person, tableId, randomChooser(prng(11)));
    try {
      const report = await runBots(
        {
          ...DEFAULT_OPTIONS,
          url: s.url, botToken: BOT_TOKEN, tables: 1, tableIds: [tableId], playersPerTable: 3, spectatorsPerTable: 0,
          durationS: 8, strategy: 'random-legal', progress: 'off', setupConcurrency: 8,
        },
        { log: () => undefined },
      );
      const api = report.audit.api!;
      expect(api.handsWithOthers, 'the person played hands with the bots').toBeGreaterThan(0);
      expect(api.netOfOthers).not.toBe(0);
      expect(api.unbalancedHands).toBe(0);
      expect(api.chipsConserved).toBe(true);
      expect(api.finalChips).toBe(api.initialChips + api.boughtChips - api.rake - api.netOfOthers);
      expect(report.violations).toEqual([]);
    } finally {
      player.stop();
      person.socket?.disconnect();
    }
  });
});
