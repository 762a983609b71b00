import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToString, commitment, dealBoard, dealHoleCards, deckFromSeed } from '../../server/poker';
import { boardPositions, dealDeck, holePositions, openPositions, type PublishedHand } from '../../server/poker/fairness';
import { createTestDatabase, seedTable, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// `npm run verify-hand -- <file | hand id>` on real stored hands (scheme 1 and 2), on a
// GET /api/hands/:id answer, and on tampered files.

const run = promisify(execFile);
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await t.close();
});

async function verify(arg: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/cli/verify-hand.ts', arg], {
      env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function seatTwo(tableId: number) {
  const users = await seedUsers(t.db, 2);
  const seats = [];
  for (const [i, userId] of users.entries()) {
    await t.ledger.buyChips({ userId, amountCents: 500n, idempotencyKey: uniqueKey() });
    const r = await t.ledger.buyIn({ userId, tableId, seatIndex: i, amount: 100n, idempotencyKey: uniqueKey() });
    if (!r.ok) throw new Error(r.error.code);
    seats.push({ seatSessionId: r.value.seatSessionId, userId, seatIndex: i, contributed: 2n, won: i === 0 ? 4n : 0n });
  }
  return seats;
}

function writeJson(value: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'verify-')), 'hand.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('verify-hand CLI', () => {
  it('--help prints the usage and exits 0; no argument exits 1', async () => {
    const help = await verify('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/usage: npm run verify-hand/);
    const none = await run(process.execPath, ['--import', 'tsx', 'server/cli/verify-hand.ts']).then(() => 0, (e: { code: number }) => e.code);
    expect(none).toBe(1);
  });

  it('scheme 2: checks a stored hand by id (whole deck) and a published hand (openings), refuses tampering', async () => {
    const seed = randomBytes(32);
    const handId = '2-1-e1';
    const clientSeeds = [{ seat: 1, seed: 'from-seat-1' }];
    const { deck, deckRoot } = dealDeck(seed, handId, clientSeeds);
    const dealtSeats = [1, 0];
    const holes = dealtSeats.map((seat) => holePositions('NLHE', dealtSeats, seat).map((p) => cardToString(deck[p]!)));
    const boardAt = boardPositions('NLHE', 2, 5);
    const record = {
      handId, variant: 'NLHE', dealtSeats, holeCards: { 1: holes[0], 0: holes[1] }, shownSeats: [0],
      board: boardAt.map((p) => cardToString(deck[p]!)),
      fairness: { scheme: 2, seedCommitment: commitment(seed), deckRoot, clientSeeds },
    };
    const table = await seedTable(t.db);
    const settled = await t.ledger.settleHand({
      tableId: table.id, handNumber: 1n, ownerEpoch: 0n, seats: await seatTwo(table.id), rake: 0n,
      commitment: commitment(seed), seed: seed.toString('hex'), record,
    });
    if (!settled.ok) throw new Error(settled.error.code);
    const byId = await verify(String(settled.value.handId));
    expect(byId.code, byId.out).toBe(0);
    expect(byId.out).toContain(`OK ${handId}: the seed matches`);
    expect((await verify(handId)).code).toBe(0);

    // What GET /api/hands/:id gives seat 1's player before the seed is revealed.
    const published: PublishedHand = {
      record: { handId, variant: 'NLHE', dealtSeats, shownSeats: [0], board: record.board, holeCards: { 0: holes[1]!, 1: holes[0]! } },
      fairness: {
        scheme: 2, seedCommitment: commitment(seed), deckRoot, clientSeeds,
        openings: openPositions(seed, handId, clientSeeds, [...boardAt, ...holePositions('NLHE', dealtSeats, 0)]),
        yourOpenings: openPositions(seed, handId, clientSeeds, holePositions('NLHE', dealtSeats, 1)),
        seed: null, seedReveal: { revealed: false, notBefore: new Date().toISOString(), openSeatSessions: 2 },
      },
      yourSeats: [1],
    };
    const sealed = await verify(writeJson({ ok: true, hand: published }));
    expect(sealed.code, sealed.out).toBe(0);
    expect(sealed.out).toMatch(/OK .*every opening matches deckRoot/);
    const revealed = await verify(writeJson({ ok: true, hand: { ...published, fairness: { ...published.fairness, seed: seed.toString('hex') } } }));
    expect(revealed.out).toMatch(/OK .*the seed matches/);

    const swapped = structuredClone(published);
    swapped.record.board[0] = swapped.record.board[1]!;
    const wrongBoard = await verify(writeJson({ ok: true, hand: swapped }));
    expect([wrongBoard.code, wrongBoard.out]).toEqual([1, expect.stringMatching(/FAILED .*board card 1/)]);
    const forged = structuredClone(published);
    forged.fairness.yourOpenings[0]!.card = forged.fairness.openings[0]!.card;
    forged.record.holeCards['1']![0] = forged.fairness.openings[0]!.card;
    expect((await verify(writeJson(forged))).out).toMatch(/FAILED .*does not match deckRoot/);
    const wrongSeed = structuredClone(published);
    wrongSeed.fairness.seed = randomBytes(32).toString('hex');
    expect((await verify(writeJson(wrongSeed))).out).toMatch(/FAILED .*seedCommitment/);
  });

  it('scheme 1: verifies a settled hand by id and refuses a tampered record file', async () => {
    const seed = randomBytes(32);
    const handId = '1-1-e1';
    const deck = deckFromSeed(seed, handId);
    const holes = dealHoleCards(deck, 2, 2).map((cards) => cards.map(cardToString));
    const record = {
      handId, variant: 'NLHE', dealtSeats: [1, 0], holeCards: { 1: holes[0], 0: holes[1] },
      shownSeats: [0, 1], board: dealBoard(deck, 2, 2).map(cardToString),
    };
    const table = await seedTable(t.db);
    const users = await seedUsers(t.db, 2);
    const seats = [];
    for (const [i, userId] of users.entries()) {
      await t.ledger.buyChips({ userId, amountCents: 500n, idempotencyKey: uniqueKey() });
      const r = await t.ledger.buyIn({ userId, tableId: table.id, seatIndex: i, amount: 100n, idempotencyKey: uniqueKey() });
      if (!r.ok) throw new Error(r.error.code);
      seats.push({ seatSessionId: r.value.seatSessionId, userId, seatIndex: i, contributed: 2n, won: i === 0 ? 4n : 0n });
    }
    const settled = await t.ledger.settleHand({
      tableId: table.id, handNumber: 1n, ownerEpoch: 0n, seats, rake: 0n,
      commitment: commitment(seed), seed: seed.toString('hex'), record,
    });
    if (!settled.ok) throw new Error(settled.error.code);

    const byId = await verify(String(settled.value.handId));
    expect(byId.code, byId.out).toBe(0);
    expect(byId.out).toContain(`OK ${handId}`);
    expect((await verify(handId)).code).toBe(0);

    const dir = mkdtempSync(path.join(tmpdir(), 'verify-'));
    const file = path.join(dir, 'hand.json');
    const honest = { ...record, commitment: commitment(seed), seed: seed.toString('hex') };
    writeFileSync(file, JSON.stringify(honest));
    expect((await verify(file)).code).toBe(0);
    writeFileSync(file, JSON.stringify({ ...honest, board: [...record.board.slice(0, 4), record.board[4] === 'As' ? 'Ks' : 'As'] }));
    const tampered = await verify(file);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/FAILED/);
    expect((await verify('424242')).code).toBe(1);
  });
});
