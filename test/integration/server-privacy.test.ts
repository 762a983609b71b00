import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../server/poker';
import { boardPositions, holePositions, verifiableFromPublished, verifyHand, type PublishedHand } from '../../server/poker/fairness';
import type { PrivateFrame, TableFrame } from '../../server/protocol';
import { autoplay, prng, randomChooser } from '../support/autoplay';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// Acceptance (issue 4, #2; issue 9, #4): a spectator and an opponent record
// every frame they receive over 200 random hands, and then read every hand's
// record, verification and history over HTTP (as anonymous, spectator and
// opponent): nothing they get contains another player's unshown hole cards,
// the deck, the seed, or an opening of a deck position that was not shown. A
// player verifies their own cards and the board right after each hand.

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
    expect(await hero.emit('table:client_seed', { tableId: table.id, seed: 'hero-lucky-7' })).toEqual({ ok: true });
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
      return { id: h.id.toString(), seed: h.seed, deckJson: JSON.stringify(start.deck), record };
    });
    expect(hands.some((h) => JSON.stringify(h.record).includes('hero-lucky-7')), 'the client seed was mixed in').toBe(true);

    for (const [viewer, ownSeat] of [[spectator, null], [villain, 1]] as const) {
      expect(viewer.received.length).toBeGreaterThan(HANDS * 3);
      for (const message of viewer.received) {
        expect(message.json).not.toMatch(/"deck"/);
        for (const secret of secrets) {
          expect(message.json.includes(secret.seed)).toBe(false);
          expect(message.json.includes(secret.deckJson)).toBe(false);
        }
        if (message.event === 'table:private') {
          // A private frame reaches only its own player, and holds only their own cards.
          expect(ownSeat, 'a private frame reached a spectator').not.toBeNull();
          const own = JSON.parse(message.json) as PrivateFrame;
          for (const event of own.events) expect(event.type === 'hole_cards' && event.to === ownSeat && event.seat === ownSeat).toBe(true);
          continue;
        }
        if (message.event !== 'table:frame') continue;
        const frame = JSON.parse(message.json) as TableFrame;
        // The public frame is the same for everyone: it never holds a private event.
        for (const event of frame.events) expect(event.type, 'hole cards in the public frame').not.toBe('hole_cards');
      }
      if (ownSeat !== null) expect(viewer.privateFrames.length, 'the villain got their own cards').toBeGreaterThanOrEqual(HANDS);
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
    await checkHandRoutes(secrets, { anonymous: TestClient.anonymous(s.url), spectator, villain, hero });
    // And the snapshots: a spectator's view never holds a hole card before showdown.
    const snap = await spectator.snapshot(table.id);
    for (const seat of snap.view.seats) if (seat && snap.view.street !== 'complete') expect(seat.holeCards).toBeNull();
    for (const c of [hero, villain, spectator]) c.close();
  });
});

interface Secret {
  id: string;
  seed: string;
  deckJson: string;
  record: { holeCards: Record<string, string[]>; shownSeats: number[]; variant?: string; dealtSeats?: number[]; board?: string[] };
}

/**
 * A GET that waits out the hand reads' budget (HAND_READS: 30 a second, bursts of 300) as a
 * client would, and sends it again after a failed connection (twice at most: a run at load
 * average 10 once lost one, `fetch failed`, cause not recorded; a client would retry a GET).
 */
async function read<T = unknown>(viewer: TestClient, path: string): Promise<{ status: number; body: T }> {
  let dropped = 0;
  for (;;) {
    let response: { status: number; body: T };
    try {
      response = await viewer.http<T>('GET', path);
    } catch (error) {
      if (!(error instanceof TypeError) || ++dropped > 2) throw error;
      continue;
    }
    if (response.status !== 429) return response;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * Every hand over HTTP, for every kind of viewer. Allowed: the board, the shown
 * hands, and (for a player of the hand) their own cards, as cards and as deck
 * openings. Anything else would let the viewer derive a hole card nobody showed.
 */
async function checkHandRoutes(secrets: Secret[], viewers: { anonymous: TestClient; spectator: TestClient; villain: TestClient; hero: TestClient }) {
  const own: Record<string, number | null> = { anonymous: null, spectator: null, villain: 1, hero: 0 };
  for (const secret of secrets) {
    const dealt = secret.record.dealtSeats ?? [0, 1];
    const variant = (secret.record.variant ?? 'NLHE') as 'NLHE';
    for (const [name, viewer] of Object.entries(viewers)) {
      const ownSeat = own[name]!;
      const visibleSeats = new Set([...secret.record.shownSeats, ...(ownSeat !== null && dealt.includes(ownSeat) ? [ownSeat] : [])]);
      const allowed = new Set([
        ...boardPositions(variant, dealt.length, (secret.record.board ?? []).length),
        ...[...visibleSeats].flatMap((seat) => holePositions(variant, dealt, seat)),
      ]);
      const hidden = dealt.filter((seat) => !visibleSeats.has(seat)).map((seat) => secret.record.holeCards[seat]!);
      const shown = await read<{ ok: boolean; hand: PublishedHand & { fairness: PublishedHand['fairness'] } }>(viewer, `/api/hands/${secret.id}`);
      const verify = await read(viewer, `/api/hands/${secret.id}/verify`);
      const history = await read<{ text?: string }>(viewer, `/api/hands/${secret.id}/history`);
      for (const response of [shown, verify, history]) {
        const text = JSON.stringify(response.body);
        expect(text.includes(secret.seed), `${name} got the seed`).toBe(false);
        expect(text.includes(secret.deckJson), `${name} got the deck`).toBe(false);
        for (const cards of hidden) expect(text.includes(`[${cards.join(' ')}]`), `${name} got hidden cards in a history`).toBe(false);
      }
      const hand = shown.body.hand;
      expect(Object.keys(hand.record.holeCards).map(Number).every((seat) => visibleSeats.has(seat)), `${name} got unshown hole cards`).toBe(true);
      for (const opening of [...hand.fairness.openings, ...hand.fairness.yourOpenings]) {
        expect(allowed.has(opening.position), `${name} got an opening of position ${opening.position}`).toBe(true);
      }
      if (name === 'hero' && dealt.includes(0)) {
        // Right after the hand: the player verifies their own cards and the board against the commitments.
        const mine = verifiableFromPublished(hand, 'own');
        expect(mine && verifyHand(mine)).toMatchObject({ ok: true });
        const board = verifiableFromPublished(hand, 'public');
        expect(board && verifyHand(board)).toMatchObject({ ok: true });
        expect(hand.fairness.yourOpenings.map((o) => o.card).sort()).toEqual([...secret.record.holeCards[0]!].sort());
      }
    }
  }
}
