import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay, type HandLog } from '../../server/poker';
import { autoplay, type Chooser } from '../support/autoplay';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// Acceptance (issue 4, #1): two players sign up, buy chips, sit, and play
// complete hands with folds, calls, raises, all-ins and showdowns over real
// Socket.IO; wallets, seat balances and hand records match the engine.

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

function settledCount(client: TestClient): number {
  return client.frames.flatMap((f) => f.events).filter((e) => e.type === 'hand_settled').length;
}

/** Hand by hand: a fold, a check-down, a raise, a check-down, then an all-in called to showdown. */
const scripted: Chooser = (legal, client) => {
  const hand = settledCount(client);
  if (hand === 0) return legal.canFold && !legal.canCheck ? { action: 'fold' } : legal.canCheck ? { action: 'check' } : { action: 'call' };
  if (hand === 2 && legal.minRaiseTo !== undefined && legal.minRaiseTo <= 10) return { action: 'raise', amount: legal.minRaiseTo };
  if (hand === 4) return legal.canAllIn && !legal.canCall ? { action: 'all_in' } : legal.canCall ? { action: 'call' } : { action: 'all_in' };
  if (legal.canCheck) return { action: 'check' };
  return { action: 'call' };
};

describe('two players over Socket.IO', () => {
  it('play complete hands; wallets, seats and hand records match the engine; reconcile is clean', async () => {
    const table = s.server.registry.listLobby().find((t) => t.maxSeats === 6 && t.variant === 'NLHE')!;
    const alice = await TestClient.signup(s.url, 'alice');
    const bob = await TestClient.signup(s.url, 'bob');
    for (const p of [alice, bob]) {
      await p.buyChips(1_000); // 1,000 chips
      await p.connect();
      await p.watch(table.id);
    }
    const sitA = await alice.emit('table:sit', { tableId: table.id, seat: 0, buyIn: table.maxBuyIn });
    const sitB = await bob.emit('table:sit', { tableId: table.id, seat: 3, buyIn: table.maxBuyIn });
    expect(sitA.ok && sitB.ok).toBe(true);

    const players = [autoplay(alice, table.id, scripted), autoplay(bob, table.id, scripted)];
    await alice.until(() => settledCount(alice) >= 5 && settledCount(bob) >= 5, 60_000, 'five settled hands').catch((error) => {
      console.log(alice.frames.slice(-6).map((f) => JSON.stringify(f).slice(0, 400)).join('\n'), players.map((p) => [p.actions, p.errors]));
      throw error;
    });
    players.forEach((p) => p.stop());
    expect(players.flatMap((p) => p.errors)).toEqual([]);

    const events = alice.frames.flatMap((f) => f.events);
    const actions = new Set(events.flatMap((e) => (e.type === 'action' ? [e.allIn ? 'all_in' : e.action] : [])));
    for (const kind of ['fold', 'call', 'raise', 'all_in']) expect(actions, kind).toContain(kind);
    expect(events.some((e) => e.type === 'hand_shown')).toBe(true);

    // Every settled hand: the ledger's record equals the engine's replay of its log.
    await s.server.registry.get(table.id)!.idle();
    const hands = await s.t.db.hand.findMany({ where: { tableId: table.id }, include: { players: true }, orderBy: { handNumber: 'asc' } });
    expect(hands.length).toBeGreaterThanOrEqual(5);
    for (const hand of hands) {
      const record = hand.record as unknown as { log: HandLog };
      const result = replay(record.log).result!;
      for (const r of result.seats) {
        const row = hand.players.find((p) => p.seatIndex === r.seat)!;
        expect(row.contributed).toBe(BigInt(r.contributed));
        expect(row.won).toBe(BigInt(r.won + r.returned));
      }
      expect(hand.rake).toBe(BigInt(result.rake));
    }

    // The history of a hand, as Alice may read it: her cards, never Bob's unless shown.
    const history = await alice.http<{ ok: boolean; text: string }>('GET', `/api/hands/${hands[0]!.id}/history`);
    expect(history.body.text).toContain('Dealt to alice [');
    expect(history.body.text).not.toContain('Dealt to bob');

    // Both leave (at the end of a hand in progress, if any: leaving players are sat out and time out fast).
    const leftA = await alice.emit<{ pending: boolean }>('table:leave', { tableId: table.id });
    const leftB = await bob.emit<{ pending: boolean }>('table:leave', { tableId: table.id });
    expect(leftA.ok && leftB.ok).toBe(true);
    await alice.until(() => s.server.registry.get(table.id)!.seatsTaken() === 0, 60_000, 'both seats empty');

    const wallets = await Promise.all([alice, bob].map(async (p) => (await p.http<{ balance: number }>('GET', '/api/wallet')).body.balance));
    const rake = (await s.t.db.account.findUniqueOrThrow({ where: { code: `rake:${table.id}` } })).balance;
    expect(BigInt(wallets[0]! + wallets[1]!) + rake).toBe(2_000n);
    expect(wallets[0]).not.toBe(1_000); // chips really changed hands
    const report = await s.server.ledger.reconcile();
    expect(report.violations).toEqual([]);
    alice.close();
    bob.close();
  });
});
