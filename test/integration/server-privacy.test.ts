import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../server/poker';
import type { TableFrame } from '../../server/protocol';
import { autoplay, prng, randomChooser } from '../support/autoplay';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// Acceptance (issue 4, #2): a spectator and an opponent record every frame they
// receive over 200 random hands: no frame ever contains another player's
// unshown hole cards, the deck or the seed.

const HANDS = Number(process.env.PRIVACY_HANDS ?? 200);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ tableSettings: { handIntervalMs: 5 } });
});
afterAll(async () => {
  await s?.close();
});

const settled = (c: TestClient) => c.frames.flatMap((f) => f.events).filter((e) => e.type === 'hand_settled').length;

describe('privacy of hole cards, deck and seed', () => {
  it(`holds for a spectator and an opponent over ${HANDS} random hands`, async () => {
    const table = s.server.registry.listLobby().find((t) => t.maxSeats === 2)!;
    const [hero, villain] = await Promise.all([TestClient.signup(s.url, 'hero'), TestClient.signup(s.url, 'villain')]);
    const spectator = TestClient.anonymous(s.url);
    for (const p of [hero, villain]) {
      await p.buyChips(100_000);
      await p.connect();
      await p.watch(table.id);
    }
    await spectator.connect();
    await spectator.watch(table.id);
    await hero.emit('table:sit', { tableId: table.id, seat: 0, buyIn: table.maxBuyIn });
    await villain.emit('table:sit', { tableId: table.id, seat: 1, buyIn: table.maxBuyIn });
    const rand = prng(42);
    const bots = [hero, villain].map((p) => autoplay(p, table.id, randomChooser(rand)));
    // Keep both stacks alive: top up whoever runs low (applied at the boundary) and sit back in.
    const refill = setInterval(() => {
      for (const p of [hero, villain]) {
        void p.emit('table:top_up', { tableId: table.id, amount: table.minBuyIn }).catch(() => undefined);
        void p.emit('table:sit_in', { tableId: table.id }).catch(() => undefined);
      }
    }, 300);
    await hero.until(() => settled(hero) >= HANDS, 240_000, `${HANDS} hands`);
    clearInterval(refill);
    bots.forEach((b) => b.stop());
    await s.server.registry.get(table.id)!.idle();

    const hands = await s.t.db.hand.findMany({ where: { tableId: table.id } });
    expect(hands.length).toBeGreaterThanOrEqual(HANDS);
    const secrets = hands.map((h) => {
      const record = h.record as unknown as { holeCards: Record<string, string[]>; shownSeats: number[]; log: { commands: Command[] } };
      const start = record.log.commands[0] as Extract<Command, { type: 'start_hand' }>;
      return { seed: h.seed, deckJson: JSON.stringify(start.deck), record };
    });

    for (const [viewer, ownSeat] of [[spectator, null], [villain, 1]] as const) {
      expect(viewer.received.length).toBeGreaterThan(HANDS * 3);
      for (const message of viewer.received) {
        expect(message.json).not.toMatch(/"deck"|"seed"/);
        for (const secret of secrets) {
          expect(message.json.includes(secret.seed)).toBe(false);
          expect(message.json.includes(secret.deckJson)).toBe(false);
        }
        if (message.event !== 'table:frame') continue;
        const frame = JSON.parse(message.json) as TableFrame;
        for (const event of frame.events) {
          if (event.type === 'hole_cards') expect(event.to, 'private hole cards reached another viewer').toBe(ownSeat);
        }
      }
      // Cards shown publicly must be exactly the hands shown at showdown in the record.
      const shownEvents = viewer.frames.flatMap((f) => f.events).filter((e) => e.type === 'hand_shown');
      const allowed = new Set(secrets.flatMap((x) => x.record.shownSeats.map((seat) => `${seat}:${x.record.holeCards[seat]!.join('')}`)));
      for (const e of shownEvents) expect(allowed.has(`${e.seat}:${e.cards.join('')}`)).toBe(true);
    }
    // All-in hands showed their equity to the spectator: percentages, never cards.
    const equities = spectator.received.filter((m) => m.event === 'table:equity').map((m) => JSON.parse(m.json) as { seats: { win: number; tie: number }[]; board: string[] });
    expect(equities.length).toBeGreaterThan(0);
    for (const e of equities) {
      expect(e.seats.length).toBeGreaterThanOrEqual(2);
      const total = e.seats.reduce((sum, x) => sum + x.win, 0);
      expect(total).toBeLessThanOrEqual(1 + 1e-9);
      expect(JSON.stringify(e.seats)).not.toMatch(/[2-9TJQKA][cdhs]/);
    }
    // And the snapshots: a spectator's view never holds a hole card before showdown.
    const snap = await spectator.snapshot(table.id);
    for (const seat of snap.view.seats) if (seat && snap.view.street !== 'complete') expect(seat.holeCards).toBeNull();
    for (const c of [hero, villain, spectator]) c.close();
  });
});
