import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createAuthLimiters } from '../../server/auth/rate-limit';
import { loadConfig } from '../../server/config';
import type { HttpDeps } from '../../server/http/deps';
import { registerAuthRoutes } from '../../server/http/auth';
import { registerHandRoutes } from '../../server/http/hands';
import { createMetrics } from '../../server/metrics';
import { cardToString } from '../../server/poker/cards';
import {
  type ClientSeed,
  type FairHandRecord,
  type PublishedHand,
  boardPositions,
  commitment,
  dealDeck,
  deckFromSeed,
  deckSeed,
  holePositions,
  openPositions,
  verifiableFromPublished,
  verifyHand,
} from '../../server/poker/fairness';
import { createTestDatabase, seedTable, uniqueKey, type TestDatabase } from '../support/db';
import { FakeRegistry, RecordingNotifier, TEST_PASSWORD, sessionCookie } from '../support/http-app';

// GET /api/hands/:id and /verify over real HTTP routes and a real database: before the
// reveal condition holds, nobody gets a hole card that was not shown (nor a burn or an
// undealt card, nor the seed); a player gets the openings of their own cards; once every
// seat session of the hand is closed and SEED_REVEAL_DELAY_MS (here 50 ms, on a fake
// clock) has passed, the seed is served and /verify checks the whole deck.

const DELAY_MS = 50;
let t: TestDatabase;
let app: FastifyInstance;
let clockMs = 0;

beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 4 });
  const config = loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', SEED_REVEAL_DELAY_MS: String(DELAY_MS) });
  const log = pino({ level: 'silent' });
  const deps: HttpDeps = {
    db: t.db, ledger: t.ledger, config, registry: new FakeRegistry(), notifier: new RecordingNotifier(), metrics: createMetrics(), log,
  };
  app = Fastify({ loggerInstance: log as FastifyBaseLogger });
  await app.register(fastifyCookie);
  registerAuthRoutes(app, deps, { limiters: createAuthLimiters({ ipAttemptsPerMinute: 1_000, usernameFailuresPerMinute: 1_000 }) });
  // The delay comes from the config; only the clock is faked.
  registerHandRoutes(app, deps, { now: () => clockMs });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

interface Player { userId: number; cookie: string; seat: number; seatSessionId: bigint }

async function signup(username: string): Promise<{ userId: number; cookie: string }> {
  const response = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { username, password: TEST_PASSWORD } });
  if (response.statusCode !== 200) throw new Error(`signup ${username}: ${response.statusCode} ${response.body}`);
  return { userId: response.json().user.id as number, cookie: sessionCookie(response) };
}

const get = (url: string, cookie?: string) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });

const HAND_ID = '9-1-e1';
const dealtSeats = [1, 2, 0]; // deal order; bob (seat 1) shows, alice (0) and carol (2) fold
const clientSeeds: ClientSeed[] = [{ seat: 0, seed: 'alice-says-hi' }, { seat: 2, seed: 'c:a:r:o:l' }];
const serverSeed = randomBytes(32);
const { deck, deckRoot } = dealDeck(serverSeed, HAND_ID, clientSeeds);
const cardsAt = (positions: number[]) => positions.map((p) => cardToString(deck[p]!));
const holes = (seat: number) => cardsAt(holePositions('NLHE', dealtSeats, seat));
const board = boardPositions('NLHE', 3, 5);
const allSalts = openPositions(serverSeed, HAND_ID, clientSeeds, deck.map((_, p) => p)).map((o) => o.salt);

function fairRecord(overrides: Partial<{ deckRoot: string; holeCards: Record<string, string[]> }> = {}) {
  return {
    handId: HAND_ID,
    variant: 'NLHE',
    dealtSeats,
    holeCards: overrides.holeCards ?? { 0: holes(0), 1: holes(1), 2: holes(2) },
    shownSeats: [1],
    board: cardsAt(board),
    fairness: { scheme: 2, seedCommitment: commitment(serverSeed), deckRoot: overrides.deckRoot ?? deckRoot, clientSeeds },
    // The engine log holds the whole deck: it must never leave the server.
    log: { initial: {}, commands: [{ type: 'start_hand', handId: HAND_ID, deck: deck.map(cardToString), marker: 'secret-log' }] },
    pokerstars: 'secret-pokerstars',
  };
}

/** Everything that must stay private from `viewer` before the reveal (the viewer's own seat excepted). */
function secretsFor(viewerSeat: number | null): { cards: Set<string>; salts: Set<string>; strings: string[] } {
  const allowed = new Set([...board, ...holePositions('NLHE', dealtSeats, 1)]);
  if (viewerSeat !== null) for (const p of holePositions('NLHE', dealtSeats, viewerSeat)) allowed.add(p);
  const hidden = deck.map((_, p) => p).filter((p) => !allowed.has(p));
  return {
    cards: new Set(hidden.map((p) => cardToString(deck[p]!))),
    salts: new Set(hidden.map((p) => allSalts[p]!)),
    strings: [serverSeed.toString('hex'), Buffer.from(deckSeed(serverSeed, HAND_ID, clientSeeds)).toString('hex'), 'secret-log', 'secret-pokerstars'],
  };
}

function expectNothingSecret(body: string, viewerSeat: number | null, who: string): void {
  const secrets = secretsFor(viewerSeat);
  const quotedCards = [...body.matchAll(/"([2-9TJQKA][cdhs])"/g)].map((m) => m[1]!);
  expect(quotedCards.filter((c) => secrets.cards.has(c)), `${who}: hidden cards`).toEqual([]);
  const hexes = [...body.matchAll(/[0-9a-f]{64}/g)].map((m) => m[0]);
  expect(hexes.filter((h) => secrets.salts.has(h)), `${who}: salts of hidden positions`).toEqual([]);
  for (const s of secrets.strings) expect(body.includes(s), `${who}: ${s.slice(0, 12)}`).toBe(false);
}

let alice: Player, bob: Player, carol: Player;
let watcher: { userId: number; cookie: string };
let fairHandId: string, legacyHandId: string, forgedRootId: string, forgedCardsId: string;
let legacySeed: Buffer;

async function sit(user: { userId: number; cookie: string }, tableId: number, seat: number): Promise<Player> {
  await t.ledger.buyChips({ userId: user.userId, amountCents: 1_000n, idempotencyKey: uniqueKey() });
  const r = await t.ledger.buyIn({ userId: user.userId, tableId, seatIndex: seat, amount: 200n, idempotencyKey: uniqueKey() });
  if (!r.ok) throw new Error(r.error.code);
  return { ...user, seat, seatSessionId: r.value.seatSessionId };
}

async function settle(tableId: number, handNumber: bigint, seed: Buffer, record: unknown): Promise<string> {
  const seats = [alice, bob, carol].map((p) => ({
    seatSessionId: p.seatSessionId, userId: p.userId, seatIndex: p.seat, contributed: 10n, won: p === bob ? 30n : 0n,
  }));
  const settled = await t.ledger.settleHand({
    tableId, handNumber, ownerEpoch: 0n, seats, rake: 0n, commitment: commitment(seed), seed: seed.toString('hex'), record,
  });
  if (!settled.ok) throw new Error(settled.error.code);
  return settled.value.handId.toString();
}

describe('hand fairness over HTTP', () => {
  beforeAll(async () => {
    const table = await seedTable(t.db);
    alice = await sit(await signup('fair-alice'), table.id, 0);
    bob = await sit(await signup('fair-bob'), table.id, 1);
    carol = await sit(await signup('fair-carol'), table.id, 2);
    watcher = await signup('fair-watcher');
    fairHandId = await settle(table.id, 1n, serverSeed, fairRecord());
    // A scheme-1 hand (stored before client seeds and deckRoot existed).
    legacySeed = randomBytes(32);
    const legacyDeck = deckFromSeed(legacySeed, '9-2-e1').map(cardToString);
    legacyHandId = await settle(table.id, 2n, legacySeed, {
      handId: '9-2-e1', variant: 'NLHE', dealtSeats: [0, 1], holeCards: { 0: [legacyDeck[0], legacyDeck[2]], 1: [legacyDeck[1], legacyDeck[3]] },
      shownSeats: [], board: [],
    });
    // Two broken records: a deckRoot the cards do not open against, and a folded hand the deck did not deal.
    forgedRootId = await settle(table.id, 3n, serverSeed, fairRecord({ deckRoot: 'ab'.repeat(32) }));
    forgedCardsId = await settle(table.id, 4n, serverSeed, fairRecord({ holeCards: { 0: cardsAt([40, 41]), 1: holes(1), 2: holes(2) } }));
    const created = await t.db.hand.findMany({ select: { createdAt: true } });
    clockMs = Math.max(...created.map((h) => h.createdAt.getTime()));
  });

  it('anonymous users, spectators and opponents get the board, the shown hand and nothing else', async () => {
    const viewers: Array<[string, string | undefined, number | null]> = [
      ['anonymous', undefined, null],
      ['spectator', watcher.cookie, null],
      ['alice (folded)', alice.cookie, 0],
      ['bob (showed)', bob.cookie, 1],
      ['carol (folded)', carol.cookie, 2],
    ];
    clockMs += 10 * DELAY_MS; // long past the delay: the open seat sessions alone keep the seed sealed
    for (const [who, cookie, seat] of viewers) {
      for (const url of [`/api/hands/${fairHandId}`, `/api/hands/${fairHandId}/verify`, `/api/hands/${fairHandId}/history`]) {
        const response = await get(url, cookie);
        expectNothingSecret(response.body, seat, `${who} ${url}`);
      }
      const hand = (await get(`/api/hands/${fairHandId}`, cookie)).json().hand;
      expect(hand.fairness).toMatchObject({
        scheme: 2, seedCommitment: commitment(serverSeed), deckRoot, clientSeeds, seed: null,
        seedReveal: { revealed: false, openSeatSessions: 3 },
      });
      expect(hand).not.toHaveProperty('seed');
      expect(hand.fairness.openings.map((o: { position: number }) => o.position).sort((a: number, b: number) => a - b))
        .toEqual([...board, ...holePositions('NLHE', dealtSeats, 1)].sort((a, b) => a - b));
      expect(Object.keys(hand.record.holeCards).sort()).toEqual(seat === null || seat === 1 ? ['1'] : ['1', String(seat)].sort());
      // What everyone can check right after the hand.
      const publicPart = verifiableFromPublished(hand as PublishedHand, 'public');
      expect(verifyHand(publicPart!), who).toEqual({ ok: true, checked: 'openings' });
    }
  });

  it('a player of the hand gets the openings of their own hole cards, and only those', async () => {
    for (const player of [alice, carol]) {
      const hand = (await get(`/api/hands/${fairHandId}`, player.cookie)).json().hand as PublishedHand;
      expect(hand.yourSeats).toEqual([player.seat]);
      expect(hand.record.holeCards[String(player.seat)]).toEqual(holes(player.seat));
      expect(hand.fairness.yourOpenings.map((o) => o.position)).toEqual(holePositions('NLHE', dealtSeats, player.seat));
      expect(hand.fairness.yourOpenings.map((o) => o.card)).toEqual(holes(player.seat));
      expect(verifyHand(verifiableFromPublished(hand, 'own')!)).toEqual({ ok: true, checked: 'openings' });
      expect(verifyHand(verifiableFromPublished(hand, 'all')!)).toEqual({ ok: true, checked: 'openings' });
    }
    for (const cookie of [undefined, watcher.cookie]) {
      expect((await get(`/api/hands/${fairHandId}`, cookie)).json().hand.fairness.yourOpenings).toEqual([]);
    }
  });

  it('/verify checks the public openings before the reveal and catches a broken commitment', async () => {
    const sealed = (await get(`/api/hands/${fairHandId}/verify`)).json();
    expect(sealed).toMatchObject({ ok: true, handId: fairHandId, scheme: 2, deckRoot, seed: null, verified: true, checked: 'openings' });
    const forged = (await get(`/api/hands/${forgedRootId}/verify`)).json();
    expect(forged).toMatchObject({ verified: false, reason: expect.stringMatching(/deckRoot/) });
    expectNothingSecret(JSON.stringify(forged), null, 'forged verify');
    // Its folded hand cannot be checked before the reveal: nobody may see it.
    expect((await get(`/api/hands/${forgedCardsId}/verify`)).json()).toMatchObject({ verified: true, checked: 'openings' });
    const legacy = (await get(`/api/hands/${legacyHandId}/verify`)).json();
    expect(legacy).toMatchObject({ scheme: 1, seed: null, verified: null, checked: 'nothing' });
    expect(JSON.stringify(legacy)).not.toContain(legacySeed.toString('hex'));
    const legacyHand = (await get(`/api/hands/${legacyHandId}`, alice.cookie)).json().hand;
    expect(legacyHand.fairness).toMatchObject({ scheme: 1, seedCommitment: commitment(legacySeed), deckRoot: null, seed: null, openings: [] });
    expect(JSON.stringify(legacyHand)).not.toContain(legacySeed.toString('hex'));
  });

  it('the seed stays sealed until every seat session is closed AND the delay has passed, then the whole deck verifies', async () => {
    await t.ledger.cashOut({ seatSessionId: alice.seatSessionId });
    await t.ledger.cashOut({ seatSessionId: bob.seatSessionId });
    const oneOpen = (await get(`/api/hands/${fairHandId}`)).json().hand.fairness;
    expect(oneOpen).toMatchObject({ seed: null, seedReveal: { revealed: false, openSeatSessions: 1 } });
    expectNothingSecret(JSON.stringify(oneOpen), null, 'carol still seated');

    await t.ledger.cashOut({ seatSessionId: carol.seatSessionId });
    const hand = await t.db.hand.findUniqueOrThrow({ where: { id: BigInt(fairHandId) } });
    clockMs = hand.createdAt.getTime() + DELAY_MS - 1;
    const early = (await get(`/api/hands/${fairHandId}`)).json().hand.fairness;
    expect(early).toMatchObject({ seed: null, seedReveal: { revealed: false, openSeatSessions: 0, notBefore: new Date(hand.createdAt.getTime() + DELAY_MS).toISOString() } });
    expectNothingSecret((await get(`/api/hands/${fairHandId}/verify`)).body, null, 'before the delay');

    clockMs += 1;
    const revealed = (await get(`/api/hands/${fairHandId}`)).json().hand as PublishedHand;
    expect(revealed.fairness).toMatchObject({ seed: serverSeed.toString('hex'), seedReveal: { revealed: true, openSeatSessions: 0 } });
    expect(verifyHand(verifiableFromPublished(revealed)!)).toEqual({ ok: true, checked: 'deck' });
    // Anyone can now re-derive every card, the folded ones included.
    const full = verifiableFromPublished(revealed, 'public') as FairHandRecord;
    expect(dealDeck(full.seed!, HAND_ID, full.clientSeeds).deck).toEqual(deck);
    const check = (await get(`/api/hands/${fairHandId}/verify`)).json();
    expect(check).toMatchObject({ verified: true, checked: 'deck', seed: serverSeed.toString('hex'), scheme: 2 });

    // After the reveal /verify checks every dealt hand: a folded hand the deck did not deal is caught.
    const created = await t.db.hand.findMany({ select: { createdAt: true } });
    clockMs = Math.max(...created.map((h) => h.createdAt.getTime())) + DELAY_MS;
    const forgedCards = (await get(`/api/hands/${forgedCardsId}/verify`)).json();
    expect(forgedCards).toMatchObject({ verified: false, reason: expect.stringMatching(/seat 0/) });
    // The scheme-1 hand: the same condition, then its seed re-derives the deck.
    const legacy = (await get(`/api/hands/${legacyHandId}/verify`)).json();
    expect(legacy).toMatchObject({ scheme: 1, seed: legacySeed.toString('hex'), verified: true, checked: 'deck' });
    // The engine log never leaves the server, revealed or not.
    for (const url of [`/api/hands/${fairHandId}`, `/api/hands/${fairHandId}/verify`]) {
      const body = (await get(url, alice.cookie)).body;
      expect(body).not.toContain('secret-log');
      expect(body).not.toContain('secret-pokerstars');
    }
  });
});
