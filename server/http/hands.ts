import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { loadUser, optionalUserOf, requireUser, userOf } from './guards';
import type { Db } from '../db/client';
import {
  FAIRNESS_SCHEME,
  boardPositions,
  holePositions,
  openPositions,
  verifiableFromPublished,
  verifyHand as verifyFairness,
  type ClientSeed,
  type HandRecord,
  type PublishedFairness,
  type PublishedHand,
  type SeedReveal,
} from '../poker/fairness';
import { HOLE_CARDS_BY_VARIANT, type Variant } from '../poker/deal';
import type { HttpDeps } from './deps';
import { createSharedLimiter } from '../cluster/shared-limiter';
import { idParam, isoDate, jsonNumber, pageQuery, parseOrReply, queryInt, registerScoped, sendError, sendRateLimited, spendOrReply, type PageQuery } from './errors';
import { createExportThread } from './export-thread';
import { exportHands, handReplayFor, HANDS_EXPORT_MAX, historySourceOf, pokerStarsTextFor, viewerOf, type ExportWriter, type HandFacts } from './hand-history';

// Hand histories. Anyone may read a settled hand, with the hole cards of the
// seats that showed; a player who played it also sees their own cards. The
// stored record is filtered through an allow-list: fields added to it later
// (the event log holds the deck) stay private until this file exposes them.
// The log itself is served only as the engine projects it for the requester
// (hand-history.ts): the PokerStars text, the replay steps, the export of a
// player's own hands.
//
// Fairness (docs/fairness.md): the openings of the board and the shown hands
// are public, a player also gets the openings of their own cards, and the
// server seed, which derives every card, folded ones too, is served only once
// every seat session of the hand is closed and SEED_REVEAL_DELAY_MS have
// passed since it settled. Nothing derived from the seed leaves this file
// before that, apart from those openings.

/** hands.record.fairness as the table actor stores it (scheme-2 hands only). */
export interface StoredFairness {
  scheme: 2;
  seedCommitment: string;
  deckRoot: string;
  clientSeeds: ClientSeed[];
}

/** The settled hand's record as the table actor stores it (hands.record). */
export interface StoredHandRecord {
  handId: string;
  variant: string;
  dealtSeats: number[];
  /** Every dealt seat's cards: server side only, filtered by holeCardsFor. */
  holeCards: Record<string, string[]>;
  shownSeats: number[];
  board: string[];
  /** The pot played for (absent in hands stored before 2026-12-05). */
  pot?: number;
  /** Absent in hands stored before scheme 2 (scheme 1: the seed alone). */
  fairness?: StoredFairness;
  log?: unknown;
  pokerstars?: string;
}

/** The input of the poker engine's verifyHand (server/poker/fairness.ts). */
export type VerifiableHand = HandRecord;

export type VerifyHand = (record: VerifiableHand) => { ok: true; checked?: 'deck' | 'openings' } | { ok: false; reason: string };

export interface HandRouteOptions {
  /** Replaces server/poker/fairness.ts verifyHand (tests). */
  verifyHand?: VerifyHand;
  /** Overrides config SEED_REVEAL_DELAY_MS. */
  seedRevealDelayMs?: number;
  /** Epoch milliseconds; Date.now by default. */
  now?: () => number;
}

const handParams = z.strictObject({ id: idParam });

/**
 * Exports are written one at a time in a process; at most EXPORTS_WAITING_MAX more wait in line,
 * one per user. Each costs up to ~0.4 s of CPU (1,000 hands): on the export thread since
 * 2026-12-06, on the main thread before, where several at once slowed other players' actions
 * from 2 ms to 100+ ms (black-box audit 4). The line still bounds the CPU and memory they take.
 */
export const EXPORTS_WAITING_MAX = 8;

export class ExportLine {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly users = new Set<number>();

  /** Runs `work` after the exports before it, or null when the line is full or the user is in it already. */
  run<T>(userId: number, work: () => Promise<T>): Promise<T> | null {
    if (this.users.has(userId) || this.users.size > EXPORTS_WAITING_MAX) return null;
    this.users.add(userId);
    const done = this.tail.then(work).finally(() => this.users.delete(userId));
    this.tail = done.catch(() => undefined);
    return done;
  }
}

/**
 * One hand per request (its facts, its fairness check, its text or its replay), read by anyone:
 * each replays or verifies the hand (about 5 ms of the main thread, audit 5). A user, or an
 * anonymous address, may read 30 a second (bursts of 300), all four routes together.
 */
export const HAND_READS = { tokensMax: 300, refillMs: 10_000 } as const;

const exportQuery = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  last: queryInt(1, HANDS_EXPORT_MAX).optional(),
});

export function registerHandRoutes(app: FastifyInstance, deps: HttpDeps, options: HandRouteOptions = {}): void {
  const exports = new ExportLine();
  const exportThread = createExportThread({ onError: (message) => deps.log.error(message) });
  app.addHook('onClose', () => exportThread.close());
  // Per process even in a cluster: the budget guards this process's main thread.
  const reads = createSharedLimiter({ name: 'hand-reads', ...HAND_READS, redis: null, now: options.now ?? Date.now });
  /** Spends one of the requester's hand reads; answers 429 when there is none. */
  const readAllowed = (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const user = optionalUserOf(request);
    return spendOrReply(reads, user ? `user:${user.userId}` : `address:${request.ip}`, reply);
  };
  registerScoped(app, deps, (scope) => {
    scope.get('/api/hands/mine', { preHandler: requireUser(deps.db) }, async (request, reply) => {
      const page = parseOrReply(reply, pageQuery, request.query);
      if (!page) return reply;
      return { ok: true, ...(await myHands(deps.db, userOf(request).userId, page)) };
    });
    scope.get('/api/hands/mine/export', { preHandler: requireUser(deps.db) }, (request, reply) => exportMine(deps, options, exports, exportThread.write, request, reply));
    scope.get('/api/hands/:id', { preHandler: loadUser(deps.db) }, async (request, reply) => ((await readAllowed(request, reply)) ? showHand(deps, options, request, reply) : reply));
    scope.get('/api/hands/:id/verify', { preHandler: loadUser(deps.db) }, async (request, reply) => ((await readAllowed(request, reply)) ? verify(deps, options, request, reply) : reply));
    scope.get('/api/hands/:id/history', { preHandler: loadUser(deps.db) }, async (request, reply) => ((await readAllowed(request, reply)) ? history(deps, request, reply) : reply));
    scope.get('/api/hands/:id/replay', { preHandler: loadUser(deps.db) }, async (request, reply) => ((await readAllowed(request, reply)) ? replaySteps(deps, request, reply) : reply));
  });
}

async function myHands(db: Db, userId: number, page: PageQuery) {
  const rows = await db.$queryRawUnsafe<{
    hand_id: bigint; table_id: number; table_name: string; hand_number: bigint; seat_index: number;
    pot_total: bigint; rake: bigint; contributed: bigint; won: bigint; created_at: Date; pot: bigint | null;
  }[]>(
    `SELECT hp.hand_id, h.table_id, pt.name AS table_name, h.hand_number, hp.seat_index, h.pot_total, h.rake,
            hp.contributed, hp.won, h.created_at, (h.record ->> 'pot')::bigint AS pot
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
    pot: jsonNumber(r.pot ?? r.pot_total),
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
      players: {
        include: { user: { select: { username: true } }, seatSession: { select: { status: true } } },
        orderBy: { seatIndex: 'asc' },
      },
    },
  });
}

type LoadedHand = NonNullable<Awaited<ReturnType<typeof loadHand>>>;

function recordOf(hand: LoadedHand): StoredHandRecord {
  const raw = (hand.record ?? {}) as Partial<StoredHandRecord>;
  const fairness = storedFairnessOf(raw.fairness);
  return {
    handId: String(raw.handId ?? hand.id),
    variant: String(raw.variant ?? ''),
    dealtSeats: Array.isArray(raw.dealtSeats) ? raw.dealtSeats : [],
    holeCards: raw.holeCards && typeof raw.holeCards === 'object' ? raw.holeCards : {},
    shownSeats: Array.isArray(raw.shownSeats) ? raw.shownSeats : [],
    board: Array.isArray(raw.board) ? raw.board : [],
    ...(Number.isSafeInteger(raw.pot) ? { pot: raw.pot } : {}),
    ...(fairness ? { fairness } : {}),
  };
}

/** A scheme-2 fairness block, or null (then the hand is treated as scheme 1). */
function storedFairnessOf(raw: unknown): StoredFairness | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const f = raw as Partial<StoredFairness>;
  if (f.scheme !== FAIRNESS_SCHEME || typeof f.seedCommitment !== 'string' || typeof f.deckRoot !== 'string') return null;
  if (!Array.isArray(f.clientSeeds)) return null;
  const clientSeeds = f.clientSeeds.map((c) => ({ seat: Number(c?.seat), seed: String(c?.seed) }));
  return { scheme: FAIRNESS_SCHEME, seedCommitment: f.seedCommitment, deckRoot: f.deckRoot, clientSeeds };
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

/** The seed is served once every seat session of the hand is closed and the delay has passed. */
function seedRevealOf(hand: LoadedHand, delayMs: number, nowMs: number): SeedReveal {
  const notBeforeMs = hand.createdAt.getTime() + delayMs;
  const openSeatSessions = hand.players.filter((p) => p.seatSession.status !== 'CLOSED').length;
  return { revealed: openSeatSessions === 0 && nowMs >= notBeforeMs, notBefore: new Date(notBeforeMs).toISOString(), openSeatSessions };
}

function revealFor(deps: HttpDeps, options: HandRouteOptions, hand: LoadedHand): SeedReveal {
  const delayMs = options.seedRevealDelayMs ?? deps.config.SEED_REVEAL_DELAY_MS;
  return seedRevealOf(hand, delayMs, (options.now ?? Date.now)());
}

function isVariant(variant: string): variant is Variant {
  return Object.hasOwn(HOLE_CARDS_BY_VARIANT, variant);
}

/** Deck positions everyone may see opened: the board dealt and every shown hand. */
function publicPositions(record: StoredHandRecord, variant: Variant): number[] {
  const board = boardPositions(variant, record.dealtSeats.length, Math.min(record.board.length, 5));
  return [...board, ...record.shownSeats.flatMap((seat) => holePositions(variant, record.dealtSeats, seat))];
}

/**
 * The fairness block of a hand for one viewer (ownSeats: the viewer's seats in it).
 * Throws if a scheme-2 hand's stored seed or record cannot be opened.
 */
function publishedFairness(hand: LoadedHand, record: StoredHandRecord, reveal: SeedReveal, ownSeats: number[]): PublishedFairness {
  const seed = reveal.revealed ? hand.seed : null;
  const stored = record.fairness;
  if (!stored) {
    return { scheme: 1, seedCommitment: hand.commitment, deckRoot: null, clientSeeds: [], openings: [], yourOpenings: [], seed, seedReveal: reveal };
  }
  if (!isVariant(record.variant)) throw new Error(`unknown variant ${record.variant}`);
  const variant = record.variant;
  const shared = publicPositions(record, variant);
  const own = ownSeats.flatMap((seat) => holePositions(variant, record.dealtSeats, seat));
  const positions = [...shared, ...own];
  const openings = positions.length === 0 ? [] : openPositions(hand.seed, record.handId, stored.clientSeeds, positions);
  return {
    scheme: FAIRNESS_SCHEME,
    seedCommitment: stored.seedCommitment,
    deckRoot: stored.deckRoot,
    clientSeeds: stored.clientSeeds,
    openings: openings.slice(0, shared.length),
    yourOpenings: openings.slice(shared.length),
    seed,
    seedReveal: reveal,
  };
}

/** The allow-listed record: the shown hands, plus the viewer's own. */
function publicRecord(record: StoredHandRecord, ownSeats: number[]): PublishedHand['record'] {
  return {
    handId: record.handId,
    variant: record.variant,
    dealtSeats: record.dealtSeats,
    shownSeats: record.shownSeats,
    board: record.board,
    holeCards: holeCardsFor(record, new Set([...record.shownSeats, ...ownSeats])),
  };
}

async function showHand(deps: HttpDeps, options: HandRouteOptions, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, handParams, request.params);
  if (!params) return reply;
  const hand = await loadHand(deps.db, params.id);
  if (!hand) return sendError(reply, 404, 'hand/not_found');
  const viewer = optionalUserOf(request);
  const record = recordOf(hand);
  const ownSeats = hand.players.filter((p) => viewer !== null && p.userId === viewer.userId).map((p) => p.seatIndex);
  let fairness: PublishedFairness;
  try {
    fairness = publishedFairness(hand, record, revealFor(deps, options, hand), ownSeats);
  } catch (error) {
    deps.log.error({ handId: hand.id.toString(), err: error }, 'hand fairness data cannot be opened');
    return sendError(reply, 500, 'internal', 'The fairness data of this hand cannot be opened.');
  }
  return {
    ok: true,
    hand: {
      handId: hand.id.toString(),
      tableId: hand.tableId,
      tableName: hand.table.name,
      handNumber: jsonNumber(hand.handNumber),
      createdAt: hand.createdAt.toISOString(),
      potTotal: jsonNumber(hand.potTotal),
      pot: record.pot ?? jsonNumber(hand.potTotal),
      rake: jsonNumber(hand.rake),
      players: hand.players.map((p) => ({
        seatIndex: p.seatIndex,
        userId: p.userId,
        username: p.user.username,
        contributed: jsonNumber(p.contributed),
        won: jsonNumber(p.won),
      })),
      record: publicRecord(record, ownSeats),
      yourSeats: ownSeats,
      fairness,
    },
  };
}

/** The hand's log for the requester: a player of the hand reads it as their seat, anyone else as a spectator. */
async function handLogFor(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, handParams, request.params);
  if (!params) return null;
  const hand = await loadHand(deps.db, params.id);
  if (!hand) {
    sendError(reply, 404, 'hand/not_found');
    return null;
  }
  const source = historySourceOf(hand.record);
  if (!source) {
    sendError(reply, 404, 'hand/not_found', 'This hand has no replayable log.');
    return null;
  }
  const viewer = optionalUserOf(request);
  const viewerSeats = hand.players.filter((p) => viewer !== null && p.userId === viewer.userId).map((p) => p.seatIndex);
  const facts: HandFacts = { id: hand.id, tableName: hand.table.name, createdAt: hand.createdAt };
  return { source, facts, viewer: viewerOf(viewerSeats) };
}

/** PokerStars text: a player of the hand sees their own cards, everyone sees the exposed and shown ones. */
async function history(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const found = await handLogFor(deps, request, reply);
  if (!found) return reply;
  try {
    return { ok: true, text: pokerStarsTextFor(found.source, found.facts, found.viewer) };
  } catch (error) {
    deps.log.error({ handId: found.facts.id.toString(), err: error }, 'hand log cannot be replayed');
    return sendError(reply, 500, 'internal', 'The hand log could not be replayed.');
  }
}

/** The hand action by action, filtered like the history. */
async function replaySteps(deps: HttpDeps, request: FastifyRequest, reply: FastifyReply) {
  const found = await handLogFor(deps, request, reply);
  if (!found) return reply;
  try {
    return { ok: true, handId: found.facts.id.toString(), replay: handReplayFor(found.source, found.facts, found.viewer) };
  } catch (error) {
    deps.log.error({ handId: found.facts.id.toString(), err: error }, 'hand log cannot be replayed');
    return sendError(reply, 500, 'internal', 'The hand log could not be replayed.');
  }
}

/** The caller's hands as one PokerStars file, each as their seat saw it. */
async function exportMine(deps: HttpDeps, options: HandRouteOptions, exports: ExportLine, write: ExportWriter, request: FastifyRequest, reply: FastifyReply) {
  const query = parseOrReply(reply, exportQuery, request.query);
  if (!query) return reply;
  const user = userOf(request);
  let exported: Awaited<ReturnType<typeof exportHands>>;
  try {
    const running = exports.run(user.userId, () => exportHands(deps.db, write, user.userId, query));
    if (!running) return sendRateLimited(reply, 1_000, 'An export of yours is being written, or too many are: try again in a moment.');
    exported = await running;
  } catch (error) {
    deps.log.error({ userId: user.userId, err: error }, 'hand export failed');
    return sendError(reply, 500, 'internal', 'The hands could not be exported.');
  }
  const day = new Date((options.now ?? Date.now)()).toISOString().slice(0, 10);
  return reply
    .header('content-type', 'text/plain; charset=utf-8')
    .header('content-disposition', `attachment; filename="hands-${user.username}-${day}.txt"`)
    .header('x-hands-count', String(exported.count))
    .header('x-hands-more', exported.more ? '1' : '0')
    .header('x-hands-skipped', String(exported.skipped))
    .send(exported.text);
}

/**
 * Verifies what is public: the openings against deckRoot, the board and the shown hands;
 * once the seed is revealed, the whole deck and every dealt hand (all derivable by then).
 */
async function verify(deps: HttpDeps, options: HandRouteOptions, request: FastifyRequest, reply: FastifyReply) {
  const params = parseOrReply(reply, handParams, request.params);
  if (!params) return reply;
  const hand = await loadHand(deps.db, params.id);
  if (!hand) return sendError(reply, 404, 'hand/not_found');
  const record = recordOf(hand);
  const reveal = revealFor(deps, options, hand);
  const summary = { ok: true, handId: hand.id.toString() };
  let fairness: PublishedFairness;
  try {
    fairness = publishedFairness(hand, record, reveal, []);
  } catch (error) {
    const reason = `the stored hand cannot be opened: ${(error as Error).message}`;
    return { ...summary, scheme: record.fairness ? FAIRNESS_SCHEME : 1, seed: null, seedReveal: reveal, verified: false, checked: 'nothing', reason };
  }
  const { scheme, seedCommitment, deckRoot, clientSeeds, seed, seedReveal } = fairness;
  const published = { scheme, seedCommitment, deckRoot, clientSeeds, seed, seedReveal };
  const input = verifiableFromPublished({ record: publicRecord(record, []), fairness, yourSeats: [] }, 'public');
  if (input === null) return { ...summary, ...published, verified: null, checked: 'nothing' };
  // After the reveal every dealt hand is derivable from the seed, so all of them are checked.
  if (reveal.revealed) input.holeCards = record.holeCards;
  const result = runVerifier(options.verifyHand ?? verifyFairness, input);
  if (!result.ok) return { ...summary, ...published, verified: false, checked: 'nothing', reason: result.reason };
  return { ...summary, ...published, verified: true, checked: result.checked ?? (seed === null ? 'openings' : 'deck') };
}

function runVerifier(verifier: VerifyHand, input: HandRecord): ReturnType<VerifyHand> {
  try {
    return verifier(input);
  } catch (error) {
    return { ok: false, reason: `the stored record cannot be verified: ${(error as Error).message}` };
  }
}
