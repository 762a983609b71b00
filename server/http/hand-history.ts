import type { Db } from '../db/client';
import type { Viewer } from '../poker';
import { replayFor, storedHandLog, toPokerStarsText, type HandLog, type HandRecord, type HandReplay } from '../poker/history';

// A settled hand as one viewer may read it, from the log stored with it (hands.record.log):
// its PokerStars text and its step-by-step replay. A player of the hand reads it as their
// seat (their own cards), anyone else as a spectator (only the hands that were exposed or
// shown). The engine builds both from its one projection (server/poker/history.ts).
// Plus the export of a player's hands as one PokerStars file.

/** The parts of hands.record this file reads (server/tables/hand-log.ts handRecord writes them). */
export interface HistorySource {
  log: HandLog;
  /** ISO 8601. */
  startedAt?: string;
  players: { seat: number; userId?: number; username?: string }[];
  /** Seats taken but not dealt in (recorded since 2026-12-06; older hands print their player ids). */
  sittingOut?: { seat: number; userId?: number; username?: string }[];
}

/** The stored hand's own facts that the text prints beside the log. */
export interface HandFacts {
  /** The hands row id: PokerStars hand numbers are numeric, and this one is unique. */
  id: bigint;
  tableName: string;
  /** When the hand settled: the date printed when the record has no start time. */
  createdAt: Date;
}

/** The replayable part of a stored record, or null (a hand stored without its log). */
export function historySourceOf(record: unknown): HistorySource | null {
  const log = storedHandLog(record);
  const raw = record as Partial<HistorySource>;
  if (!log || !Array.isArray(raw.players)) return null;
  return {
    log: paidAsStored(log), players: raw.players,
    ...(Array.isArray(raw.sittingOut) ? { sittingOut: raw.sittingOut } : {}),
    ...(typeof raw.startedAt === 'string' ? { startedAt: raw.startedAt } : {}),
  };
}

/**
 * The log with the rake rule it was paid under. The server has named the rule in every raked
 * table's config since decision 028; a stored raked log without it was settled by the rule
 * before, the main pot first, and must replay that way to print what was paid.
 */
function paidAsStored(log: HandLog): HandLog {
  const rake = log.initial?.config?.rake;
  if (!rake || rake.from !== undefined) return log;
  const config = { ...log.initial.config, rake: { ...rake, from: 'main_pot_first' as const } };
  return { ...log, initial: { ...log.initial, config } };
}

/** The viewer a requester is for this hand: their seat when they played it, else a spectator. */
export function viewerOf(ownSeats: readonly number[]): Viewer {
  const seat = ownSeats[0];
  return seat === undefined ? { kind: 'spectator' } : { kind: 'player', seat };
}

function handRecordOf(source: HistorySource, facts: HandFacts): HandRecord {
  const names: Record<number, string> = {};
  for (const p of [...source.players, ...(source.sittingOut ?? [])]) if (typeof p.username === 'string') names[p.seat] = p.username;
  return {
    initial: source.log.initial,
    commands: source.log.commands,
    handNumber: facts.id.toString(),
    tableName: facts.tableName,
    startedAt: source.startedAt ?? facts.createdAt.toISOString(),
    names,
  };
}

/** PokerStars text of the hand for one viewer (throws if the log does not replay). */
export function pokerStarsTextFor(source: HistorySource, facts: HandFacts, viewer: Viewer): string {
  return toPokerStarsText(handRecordOf(source, facts), viewer);
}

/** The hand step by step for one viewer (throws if the log does not replay). */
export function handReplayFor(source: HistorySource, facts: HandFacts, viewer: Viewer): HandReplay {
  return replayFor(handRecordOf(source, facts), viewer);
}

// ---- the export of a player's hands ------------------------------------------------------------

/**
 * Most hands in one export. Past it the newest ones are exported and the reply says more
 * are left (`X-Hands-More: 1`); the player asks again with `to` before the oldest one.
 */
export const HANDS_EXPORT_MAX = 1_000;
/** Hands loaded from the database, and written by the export thread, at a time. */
const EXPORT_BATCH_HANDS = 100;

export interface ExportQuery {
  /** ISO 8601; inclusive. */
  from?: string;
  /** ISO 8601; exclusive. */
  to?: string;
  /** The newest this many (at most HANDS_EXPORT_MAX). */
  last?: number;
}

export interface HandsExport {
  /** Every hand, oldest first, separated by blank lines as PokerStars writes its files. */
  text: string;
  count: number;
  /** Hands of the range left out: beyond `last` or HANDS_EXPORT_MAX. */
  more: boolean;
  /** Hands stored without a replayable log (left out). */
  skipped: number;
}

/**
 * One stored hand as the export thread takes it: the record still as its JSON text, so that
 * neither parsing it nor replaying it runs on the main thread, which runs every table.
 */
export interface ExportHand {
  id: string;
  /** hands.record as text; null: the hand is gone. */
  record: string | null;
  tableName: string;
  /** ISO 8601. */
  createdAt: string;
  /** The exporting player's seat in the hand. */
  seat: number;
}

export interface ExportTexts {
  texts: string[];
  /** Hands without a replayable log, or whose log does not replay (left out). */
  skipped: number;
}

/** Writes a batch of hands' texts off the main thread (server/http/export-thread.ts). */
export type ExportWriter = (hands: ExportHand[]) => Promise<ExportTexts>;

/** The PokerStars texts of a batch of hands, in order, each as the exporting seat saw it (the export thread runs this). */
export function exportTextsOf(hands: readonly ExportHand[]): ExportTexts {
  const texts: string[] = [];
  let skipped = 0;
  for (const hand of hands) {
    try {
      const source = hand.record === null ? null : historySourceOf(JSON.parse(hand.record));
      if (!source) {
        skipped++;
        continue;
      }
      const facts = { id: BigInt(hand.id), tableName: hand.tableName, createdAt: new Date(hand.createdAt) };
      texts.push(pokerStarsTextFor(source, facts, { kind: 'player', seat: hand.seat }));
    } catch {
      // A stored log that does not replay (or a date that does not print) costs its own hand, not
      // the file: it is left out and counted, as /history answers 500 for that hand alone (audit 7).
      skipped++;
    }
  }
  return { texts, skipped };
}

/**
 * The user's hands settled in [from, to), the newest `last` of them, as one PokerStars file.
 * This thread reads the rows; `write` (the export thread) parses and replays them.
 */
export async function exportHands(db: Db, write: ExportWriter, userId: number, query: ExportQuery): Promise<HandsExport> {
  const limit = Math.min(query.last ?? HANDS_EXPORT_MAX, HANDS_EXPORT_MAX);
  const rows = await db.$queryRawUnsafe<{ hand_id: bigint; seat_index: number }[]>(
    `SELECT hp.hand_id, hp.seat_index
       FROM hand_players hp JOIN hands h ON h.id = hp.hand_id
      WHERE hp.user_id = $1
        AND ($2::timestamptz IS NULL OR h.created_at >= $2::timestamptz)
        AND ($3::timestamptz IS NULL OR h.created_at < $3::timestamptz)
      ORDER BY hp.hand_id DESC
      LIMIT $4`,
    userId,
    query.from ?? null,
    query.to ?? null,
    limit + 1,
  );
  const chosen = rows.slice(0, limit).reverse();
  const texts: string[] = [];
  let skipped = 0;
  for (let i = 0; i < chosen.length; i += EXPORT_BATCH_HANDS) {
    const batch = chosen.slice(i, i + EXPORT_BATCH_HANDS);
    const stored = await db.$queryRawUnsafe<{ id: bigint; record: string; created_at: Date; table_name: string }[]>(
      `SELECT h.id, h.record::text AS record, h.created_at, t.name AS table_name
         FROM hands h JOIN poker_tables t ON t.id = h.table_id
        WHERE h.id = ANY($1::bigint[])`,
      batch.map((r) => r.hand_id.toString()),
    );
    const byId = new Map(stored.map((h) => [h.id, h]));
    const written = await write(
      batch.map((row) => {
        const hand = byId.get(row.hand_id);
        return hand
          ? { id: hand.id.toString(), record: hand.record, tableName: hand.table_name, createdAt: hand.created_at.toISOString(), seat: row.seat_index }
          : { id: row.hand_id.toString(), record: null, tableName: '', createdAt: new Date(0).toISOString(), seat: row.seat_index };
      }),
    );
    texts.push(...written.texts);
    skipped += written.skipped;
  }
  return { text: texts.join('\n\n'), count: texts.length, more: rows.length > limit, skipped };
}
