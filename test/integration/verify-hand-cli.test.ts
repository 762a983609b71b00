import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToString, commitment, dealBoard, dealHoleCards, deckFromSeed } from '../../server/poker';
import { createTestDatabase, seedTable, seedUsers, uniqueKey, type TestDatabase } from '../support/db';

// `npm run verify-hand -- <file | hand id>` on a real stored hand and on a tampered file.

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

describe('verify-hand CLI', () => {
  it('verifies a settled hand by id and refuses a tampered record file', async () => {
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
