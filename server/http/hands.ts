import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { loadUser, optionalUserOf, requireUser, userOf } from '../auth/sessions';
import type { Db } from '../db/client';
import type { HttpDeps } from './deps';
import { idParam, jsonNumber, pageQuery, parseOrReply, registerScoped, sendError, type PageQuery } from './errors';
import { pokerStarsTextFor, type HistorySource } from './hand-history';

// Hand histories. Anyone may read a settled hand, with the hole cards of the
// seats that showed; a player who played it also sees their own cards. The
// stored record is filtered through an allow-list: fields added to it later
// (the event log holds the deck) stay private until this file exposes them.

/** The settled hand's record as the table actor stores it (hands.record). */
export interface StoredHandRecord {
  handId: string;
  variant: string;
  dealtSeats: number[];
  holeCards: Record<string, string[]>;
  shownSeats: number[];
  board: string[];
  log?: unknown;
  pokerstars?: string;
}

/** The input of the poker engine's verifyHand (server/poker/fairness.ts). */
export interface VerifiableHand {
  handId: string;
  commitment: string;
  seed: string;
  variant: string;
  dealtSeats: number[];
  /** The shown hands only. */
  holeCards: Record<string, string[]>;
  board: string[];
}

export type VerifyHand = (record: VerifiableHand) => { ok: true } | { ok: false; reason: string };

export interface HandRouteOptions {
  /** server/poker/fairness.ts verifyHand; without it /verify answers 503 internal. */
  verifyHand?: VerifyHand;
}

const handParams = z.strictObject({ id: idParam });

export function registerHandRoutes(app: FastifyInstance, deps: HttpDeps, options: HandRouteOptions = {}): void {
  registerScoped(app, deps, (scope) => {
    scope.get('/api/hands/mine', { preHandler: requireUser(deps.db) }, async (request, reply) => {
      const page = parseOrReply(reply, pageQuery, request.query);
      if (!page) return reply;
      return { ok: true, ...(await myHands(deps.db, userOf(request).userId, page)) };
    });
    scope.get('/api/hands/:id', { preHandler: loadUser(deps.db) }, (request, reply) => showHand(deps, request, reply));
    scope.get('/api/hands/:id/verify', (request, reply) => verify(deps, options, request, reply));
    scope.get('/api/hands/:id/history', { preHandler: loadUser(deps.db) }, (request, reply) => history(deps, request, reply));
  });
}

async function myHands(db: Db, userId: number, page: PageQuery) {
  const rows = await db.$queryRawUnsafe<{
    hand_id: bigint; table_id: number; table_name: string; hand_number: bigint; seat_index: number;
    pot_total: bigint; rake: bigint; contributed: bigint; won: bigint; created_at: Date;
  }[]>(
    `SELECT hp.hand_id, h.table_id, pt.name AS table_name, h.hand_number, hp.seat_index, h.pot_total, h.rake,
            hp.contributed, hp.won, h.created_at
       FROM hand_players hp JOIN hands h ON h.id = hp.hand_id JOIN poker_tables pt ON pt.id = h.table_id
      WHERE hp.user_id = $1 AND ($2::bigint IS NULL OR hp.hand_id < $2::bigint)
      ORDER BY hp.hand_id DESC
      LIMIT $3`,
    userId,
    page.cursor?.toString() ?? null,
    page.limit + 1,
  );
  const items = rows.slice(0, page.limit).map((r) => ({
    handId: r.hand_id.toString(),
    tableId: r.table_id,
    tableName: r.table_name,
    handNumber: jsonNumber(r.hand_number),
    seatIndex: r.seat_index,
    potTotal: jsonNumber(r.pot_total),
    rake: jsonNumber(r.rake),
    contributed: jsonNumber(r.contributed),
    won: jsonNumber(r.won),
    net: jsonNumber(r.won - r.contributed),
    createdAt: r.created_at.toISOString(),
  }));
  const nextCursor = rows.length > page.limit ? items[items.length - 1]!.handId : null;
  return { items, nextCursor };
}

async function loadHand(db: Db, handId: bigint) {
  return db.hand.findUnique({
    where: { id: handId },
    include: {
      table: { select: { name: true } },
      players: { include: { user: { select: { username: true } } }, orderBy: { seatIndex: 'asc' } },
    },
  });
}

type LoadedHand = NonNullable<Awaited<ReturnType<typeof loadHand>>>;

function recordOf(hand: LoadedHand): StoredHandRecord {
  const raw = (hand.record ?? {}) as Partial<StoredHandRecord>;
  return {
    handId: String(raw.handId ?? hand.id),
    variant: String(raw.variant ?? ''),
    dealtSeats: Array.isArray(raw.dealtSeats) ? raw.dealtSeats : [],
    holeCards: raw.holeCards && typeof raw.holeCards === 'object' ? raw.holeCards : {},
    shownSeats: Array.isArray(raw.shownSeats) ? raw.shownSeats : [],
    board: Array.isArray(raw.board) ? raw.board : [],
  };
}

/** Hole cards of the given seats only. */
export function holeCardsFor(record: StoredHandRecord, seats: Iterable<number>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const seat of seats) {
    const cards = record.holeCards[String(seat)];
    if (cards) out[String(seat)] = cards;
  }
  return out;
}

async function showHand(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, handParams, request.params);
  if (!params) return reply;
  const hand = await loadHand(deps.db, params.id);
  if (!hand) return sendError(reply, 404, 'hand/not_found');
  const viewer = optionalUserOf(request);
  const record = recordOf(hand);
  const ownSeats = hand.players.filter((p) => viewer !== null && p.userId === viewer.userId).map((p) => p.seatIndex);
  return {
    ok: true,
    hand: {
      handId: hand.id.toString(),
      tableId: hand.tableId,
      tableName: hand.table.name,
      handNumber: jsonNumber(hand.handNumber),
      createdAt: hand.createdAt.toISOString(),
      potTotal: jsonNumber(hand.potTotal),
      rake: jsonNumber(hand.rake),
      commitment: hand.commitment,
      seed: hand.seed,
      players: hand.players.map((p) => ({
        seatIndex: p.seatIndex,
        userId: p.userId,
        username: p.user.username,
        contributed: jsonNumber(p.contributed),
        won: jsonNumber(p.won),
      })),
      record: {
        handId: record.handId,
        variant: record.variant,
        dealtSeats: record.dealtSeats,
        shownSeats: record.shownSeats,
        board: record.board,
        holeCards: holeCardsFor(record, new Set([...record.shownSeats, ...ownSeats])),
      },
      yourSeats: ownSeats,
    },
  };
}

/** PokerStars-style text: a player of the hand sees their own cards, everyone sees the shown ones. */
async function history(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, handParams, request.params);
  if (!params) return reply;
  const hand = await loadHand(deps.db, params.id);
  if (!hand) return sendError(reply, 404, 'hand/not_found');
  const raw = hand.record as unknown as Partial<HistorySource>;
  if (!raw.log || !Array.isArray(raw.players)) return sendError(reply, 404, 'hand/not_found', 'This hand has no replayable log.');
  const viewer = optionalUserOf(request);
  const ownSeats = new Set(hand.players.filter((p) => viewer !== null && p.userId === viewer.userId).map((p) => p.seatIndex));
  try {
    return { ok: true, text: pokerStarsTextFor({ ...(raw as HistorySource), tableName: hand.table.name }, ownSeats) };
  } catch {
    return sendError(reply, 500, 'internal', 'The hand log could not be replayed.');
  }
}

async function verify(deps: HttpDeps, options: HandRouteOptions, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, handParams, request.params);
  if (!params) return reply;
  if (!options.verifyHand) return sendError(reply, 503, 'internal', 'Hand verification is not available.');
  const hand = await loadHand(deps.db, params.id);
  if (!hand) return sendError(reply, 404, 'hand/not_found');
  const record = recordOf(hand);
  const input: VerifiableHand = {
    handId: record.handId,
    commitment: hand.commitment,
    seed: hand.seed,
    variant: record.variant,
    dealtSeats: record.dealtSeats,
    holeCards: holeCardsFor(record, record.shownSeats),
    board: record.board,
  };
  let result: ReturnType<VerifyHand>;
  try {
    result = options.verifyHand(input);
  } catch (error) {
    result = { ok: false, reason: `the stored record cannot be verified: ${(error as Error).message}` };
  }
  return {
    ok: true,
    handId: hand.id.toString(),
    commitment: hand.commitment,
    seed: hand.seed,
    verified: result.ok,
    ...(result.ok ? {} : { reason: result.reason }),
  };
}
