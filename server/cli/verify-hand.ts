// `npm run verify-hand -- <record.json | hand id>`: re-derives a finished hand's
// deck from its revealed seed and checks the commitment and every dealt card
// (server/poker/fairness.ts). A file is a hand record JSON; a number is the id
// of a stored hand (GET /api/hands/:id); "1-5-e2" is an engine hand id. Hand
// ids are looked up in the configured database (DATABASE_URL or the embedded
// one). Exit code 0 = verified, 1 = failed or bad input.
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { type HandRecord, verifyHand } from '../poker/fairness';

const USAGE = 'usage: npm run verify-hand -- <hand-record.json | stored hand id | engine hand id like 1-5-e2>';

interface StoredRecord {
  handId: string;
  variant: HandRecord['variant'];
  dealtSeats: number[];
  holeCards: Record<string, string[]>;
  shownSeats: number[];
  board: string[];
}

async function recordFromDatabase(id: string): Promise<HandRecord | string> {
  const database = await openDatabase(loadConfig(), {});
  try {
    const rows = await database.db.$queryRawUnsafe<{ commitment: string; seed: string; record: StoredRecord }[]>(
      /^\d+$/.test(id)
        ? 'SELECT commitment, seed, record FROM hands WHERE id = $1::bigint'
        : "SELECT commitment, seed, record FROM hands WHERE record ->> 'handId' = $1",
      id,
    );
    const row = rows[0];
    if (!row) return `no settled hand ${id} in the database`;
    // Every hole card dealt is checked here (the operator's copy); the public API checks the shown ones.
    return {
      handId: row.record.handId,
      commitment: row.commitment,
      seed: row.seed,
      variant: row.record.variant,
      dealtSeats: row.record.dealtSeats,
      holeCards: row.record.holeCards,
      board: row.record.board,
    } as HandRecord;
  } finally {
    await database.close();
  }
}

function recordFromFile(path: string): HandRecord | string {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as HandRecord;
  } catch (error) {
    return `cannot read ${path}: ${(error as Error).message}`;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const target = argv[0];
  if (target === undefined || argv.length > 1) {
    console.error(USAGE);
    return 1;
  }
  const looksLikeId = /^\d+$/.test(target) || /^\d+-\d+-e\d+$/.test(target);
  if (!existsSync(target) && !looksLikeId) {
    console.error(`no such file: ${target}\n${USAGE}`);
    return 1;
  }
  const record = existsSync(target) ? recordFromFile(target) : await recordFromDatabase(target);
  if (typeof record === 'string') {
    console.error(record);
    return 1;
  }
  const result = verifyHand(record);
  if (result.ok) {
    console.log(`OK ${record.handId}: the deck follows from the revealed seed, which matches the commitment`);
    return 0;
  }
  console.log(`FAILED ${String(record.handId)}: ${result.reason}`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
