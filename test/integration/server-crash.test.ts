import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/db/embedded';
import type { GameEvent } from '../../server/poker';
import { autoplay, type AutoPlayer, type Chooser } from '../support/autoplay';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TestClient } from '../support/poker-client';
import { startServerProcess, type ServerProcess } from '../support/server-process';

// Acceptance (issue 4, #4): the server process is killed with SIGKILL in the
// middle of hands, ten times, on different streets. After each restart every
// seat balance equals its value before the interrupted hand, no hand is
// settled twice, players are told their hand was cancelled, and reconcile is clean.

const KILLS = Number(process.env.CRASH_KILLS ?? 10);
const STREETS = ['preflop', 'flop', 'turn', 'river'] as const;

let t: TestDatabase;
let port: number;
let server: ServerProcess | null = null;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 4 });
  port = await freePort();
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await t?.close();
});

const env = () => ({
  DATABASE_URL: t.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
  HAND_INTERVAL_MS: '20', DISCONNECT_GRACE_MS: '30000', TIME_BANK_MS: '0',
});

/** Calls and checks, so hands reach every street. */
const passive: Chooser = (legal) => (legal.canCheck ? { action: 'check' } : { action: 'call' });

/** The latest hand's start event and the streets dealt since, from a client's frames. */
function currentHand(client: TestClient): { start: Extract<GameEvent, { type: 'hand_started' }>; street: string; settled: boolean } | null {
  const events = client.frames.flatMap((f) => f.events);
  let index = -1;
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === 'hand_started') { index = i; break; }
  if (index < 0) return null;
  const after = events.slice(index + 1);
  const dealt = after.filter((e) => e.type === 'street_dealt').map((e) => (e as { street: string }).street);
  return {
    start: events[index] as Extract<GameEvent, { type: 'hand_started' }>,
    street: dealt.at(-1) ?? 'preflop',
    settled: after.some((e) => e.type === 'hand_settled' || e.type === 'hand_complete'),
  };
}

describe('crash safety', () => {
  it(`survives ${KILLS} SIGKILLs mid-hand with every stack as it was before the hand`, async () => {
    server = await startServerProcess(env(), 120_000);
    const tableId = 1;
    const players = await Promise.all(['crash_a', 'crash_b'].map((name) => TestClient.signup(server!.baseUrl, name)));
    for (const [i, p] of players.entries()) {
      await p.buyChips(10_000);
      await p.connect();
      await p.watch(tableId);
      expect((await p.emit('table:sit', { tableId, seat: i * 2, buyIn: 200 })).ok).toBe(true);
    }
    let bots: AutoPlayer[] = players.map((p) => autoplay(p, tableId, passive));
    // One hand settles before the first kill: after every restart, its id (an earlier owner
    // epoch) must not read as a cancelled hand to a client that names it.
    await players[0]!.until(() => players[0]!.frames.some((f) => f.events.some((e) => e.type === 'hand_settled')), 30_000, 'a settled hand');

    for (let kill = 0; kill < KILLS; kill++) {
      const target = STREETS[kill % STREETS.length]!;
      await players[0]!.until(() => {
        const hand = currentHand(players[0]!);
        return !!hand && !hand.settled && hand.street === target;
      }, 30_000, `a hand on the ${target}`).catch((error) => {
        console.log(server?.output().slice(-3000), players[0]!.frames.slice(-5).map((f) => JSON.stringify(f).slice(0, 300)).join('\n'));
        throw error;
      });
      const hand = currentHand(players[0]!)!;
      bots.forEach((b) => b.stop());
      await server.stop('SIGKILL');

      // What the database holds right now is what the restarted server will use.
      const seats = await t.db.seatSession.findMany({ where: { tableId, status: 'OPEN' }, include: { account: true } });
      for (const seat of hand.start.seats) {
        const row = seats.find((s) => s.seatIndex === seat.seat)!;
        expect(row.account!.balance, `seat ${seat.seat} after a kill on the ${target}`).toBe(BigInt(seat.stack));
      }

      server = await startServerProcess(env(), 120_000);
      // A hand that settled before the kill (an earlier owner epoch) is not reported cancelled.
      const settledBefore = await t.db.hand.findFirst({ where: { tableId }, orderBy: { handNumber: 'desc' }, select: { record: true } });
      const settledHandId = (settledBefore?.record as { handId?: string } | undefined)?.handId;
      expect(settledHandId).toMatch(/^\d+-\d+-e\d+$/);
      for (const p of players) {
        p.close();
        p.frames = [];
        await p.connect();
        const ack = await p.emit<{ cancelledHandId?: string }>('table:watch', { tableId, lastHandId: hand.start.handId });
        expect(ack.ok && ack.cancelledHandId).toBe(hand.start.handId);
        const again = await p.emit<{ cancelledHandId?: string }>('table:watch', { tableId, lastHandId: settledHandId });
        expect(again.ok && again.cancelledHandId).toBeUndefined();
        p.legal.delete(tableId);
        await p.snapshot(tableId);
      }
      bots = players.map((p) => autoplay(p, tableId, passive));
    }
    bots.forEach((b) => b.stop());
    await server.stop('SIGTERM');
    server = null;

    const hands = await t.db.hand.findMany({ where: { tableId }, select: { handNumber: true }, orderBy: { handNumber: 'asc' } });
    expect(hands.map((h) => Number(h.handNumber))).toEqual(hands.map((_, i) => i + 1));
    expect(await t.db.ledgerTransfer.count({ where: { kind: 'SETTLE_HAND', tableId } })).toBe(hands.length);
    const report = await t.ledger.reconcile();
    expect(report.violations).toEqual([]);
  });
});
