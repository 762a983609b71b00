// `npm run verify-hand -- <file.json | hand id>`: checks a finished hand's shuffle
// (server/poker/fairness.ts, docs/fairness.md).
//
// A file may hold:
//   - the answer of GET /api/hands/:id (or its `hand`): the openings of the board, the
//     shown hands and your own cards are checked against deckRoot, and, once the seed is
//     revealed, the whole deck;
//   - a verifier record (scheme 2: seedCommitment, deckRoot, clientSeeds, openings, seed?;
//     or scheme 1: commitment, seed).
// A number is the id of a stored hand, "1-5-e2" an engine hand id: they are read from the
// configured database (DATABASE_URL or the embedded one) with the server seed, which is the
// operator's copy, so the whole deck and every dealt hand are checked, revealed or not.
// Exit code 0 = verified, 1 = failed, nothing to check yet, or bad input.
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { type HandRecord, type PublishedHand, verifiableFromPublished, verifyHand } from '../poker/fairness';
import type { StoredHandRecord } from '../http/hands';

const USAGE = `usage: npm run verify-hand -- <file.json | stored hand id | engine hand id like 1-5-e2>

  file.json   the answer of GET /api/hands/:id, or a verifier record (docs/fairness.md)
  hand id     a hand in the configured database (DATABASE_URL): checks the whole deck

Exit code 0 = verified, 1 = failed, nothing to check yet, or bad input.`;

type Loaded = { record: HandRecord } | { error: string };

/** The operator's copy: the stored record with the seed from the hands table. */
function recordFromRow(row: { commitment: string; seed: string; record: StoredHandRecord }): HandRecord {
  const r = row.record;
  const claimed = {
    handId: r.handId,
    variant: r.variant as HandRecord['variant'],
    dealtSeats: r.dealtSeats,
    holeCards: r.holeCards,
    board: r.board,
  };
  if (r.fairness?.scheme !== 2) return { ...claimed, commitment: row.commitment, seed: row.seed };
  const { seedCommitment, deckRoot, clientSeeds } = r.fairness;
  return { ...claimed, scheme: 2, seedCommitment, deckRoot, clientSeeds, openings: [], seed: row.seed };
}

async function recordFromDatabase(id: string): Promise<Loaded> {
  const database = await openDatabase(loadConfig(), {});
  try {
    const rows = await database.db.$queryRawUnsafe<{ commitment: string; seed: string; record: StoredHandRecord }[]>(
      /^\d+$/.test(id)
        ? 'SELECT commitment, seed, record FROM hands WHERE id = $1::bigint'
        : "SELECT commitment, seed, record FROM hands WHERE record ->> 'handId' = $1",
      id,
    );
    const row = rows[0];
    return row ? { record: recordFromRow(row) } : { error: `no settled hand ${id} in the database` };
  } finally {
    await database.close();
  }
}

function isPublishedHand(value: unknown): value is PublishedHand {
  const v = value as Partial<PublishedHand> | null;
  return typeof v === 'object' && v !== null && typeof v.fairness === 'object' && typeof v.record === 'object';
}

/** A file's JSON as a verifier record, or why not. */
function recordFromJson(json: unknown): Loaded {
  const hand = (json as { hand?: unknown } | null)?.hand ?? json;
  if (!isPublishedHand(hand)) return { record: json as HandRecord };
  const record = verifiableFromPublished({ ...hand, yourSeats: Array.isArray(hand.yourSeats) ? hand.yourSeats : [] });
  if (record !== null) return { record };
  return { error: `NOT YET ${hand.record.handId}: a scheme-1 hand has nothing to check until its seed is revealed (not before ${hand.fairness.seedReveal?.notBefore ?? '?'})` };
}

function recordFromFile(path: string): Loaded {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { error: `cannot read ${path}: ${(error as Error).message}` };
  }
  return recordFromJson(json);
}

async function main(argv: readonly string[]): Promise<number> {
  const target = argv[0];
  if (target === '--help' || target === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (target === undefined || argv.length > 1) {
    console.error(USAGE);
    return 1;
  }
  const looksLikeId = /^\d+$/.test(target) || /^\d+-\d+-e\d+$/.test(target);
  if (!existsSync(target) && !looksLikeId) {
    console.error(`no such file: ${target}\n${USAGE}`);
    return 1;
  }
  const loaded = existsSync(target) ? recordFromFile(target) : await recordFromDatabase(target);
  if ('error' in loaded) {
    console.error(loaded.error);
    return 1;
  }
  const result = verifyHand(loaded.record);
  const handId = String((loaded.record as { handId?: unknown }).handId);
  if (!result.ok) {
    console.log(`FAILED ${handId}: ${result.reason}`);
    return 1;
  }
  console.log(
    result.checked === 'deck'
      ? `OK ${handId}: the seed matches its commitment and deals the whole deck, and every card given`
      : `OK ${handId}: every opening matches deckRoot and every card given is opened; the whole deck is checked once the seed is revealed`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
