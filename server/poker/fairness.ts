// Provably fair shuffle that never leaks a card nobody showed (docs/fairness.md has the
// byte-level algorithm for people writing a verifier; docs/decisions/008 says why).
//
// Scheme 2 (every new hand):
//   seedCommitment = hex SHA-256(serverSeed), published before any client seed is known.
//   deckSeed = HMAC-SHA256(serverSeed, "deck:" || u16be(len handId) || handId || clientSeeds)
//   deck     = Fisher-Yates of [0..51] driven by the HMAC stream of (deckSeed, handId)
//   salt_p   = HMAC-SHA256(serverSeed, "salt:" + handId + ":" + p)
//   leaf_p   = SHA-256(0x00 || salt_p || u8 p || u8 deck[p])
//   deckRoot = Merkle root of the 52 leaves (node = SHA-256(0x01 || left || right)),
//              published at hand start with seedCommitment and the client seeds.
// At hand end the openings (position, card, salt, proof) of the board and the shown hands
// are public and each player gets their own; the server seed, which re-derives the whole
// deck, is revealed only later. An opening proves one card against deckRoot and nothing
// about any other position: every leaf is hidden by its own 256-bit secret salt.
//
// Scheme 1 (hands stored before scheme 2, "legacy"): the deck is deckFromSeed(seed,
// handId) and only the seed can be checked.
//
// Pure and isomorphic: @noble/hashes is plain JavaScript, so the browser runs the same
// verifier. Functions that take a record never throw; they report.

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { createHmacBlocks, sha256Short, wordsToBytes } from './hmac-stream.js';
import { type Card, DECK_SIZE, cardToString, orderedDeck, parseCard } from './cards.js';
import { HOLE_CARDS_BY_VARIANT, type Variant, boardCardIndexes, holeCardIndex, DEALT_PLAYERS_MAX } from './deal.js';

export const SEED_BYTES = 32;
/** A client seed is 1..64 printable ASCII characters (0x20..0x7e). */
export const CLIENT_SEED_LENGTH_MAX = 64;
export const CLIENT_SEED_PATTERN = /^[\x20-\x7e]{1,64}$/;
/** Seats are one byte in the client seed encoding. */
export const SEAT_MAX = 255;
/** The current scheme; records without a scheme are scheme 1. */
export const FAIRNESS_SCHEME = 2;
const BLOCK_WORDS = 8;
const TWO_POW_32 = 0x1_0000_0000;
const HANDID_BYTES_MAX = 0xffff;

export type Seed = Uint8Array | string;

function seedBytes(seed: Seed): Uint8Array {
  const bytes = typeof seed === 'string' ? hexToBytes(seed) : seed;
  if (bytes.length !== SEED_BYTES) throw new RangeError(`seed must be ${SEED_BYTES} bytes, got ${bytes.length}`);
  return bytes;
}

/** Lowercase hex SHA-256 of the server seed (the seedCommitment), published before the hand. */
export function commitment(seed: Seed): string {
  return bytesToHex(sha256(seedBytes(seed)));
}

// ---------------------------------------------------------------------------------------
// The shuffle (shared by both schemes): HMAC stream, rejection sampling, Fisher-Yates.

/** uint32 stream: block i = HMAC-SHA256(key, handId + ":" + i), read as big-endian words. */
export function createRandomStream(key: Seed, handId: string): () => number {
  const words = new Int32Array(BLOCK_WORDS);
  const nextBlock = createHmacBlocks(seedBytes(key), handId + ':', words);
  let position = BLOCK_WORDS;
  return () => {
    if (position === BLOCK_WORDS) {
      nextBlock();
      position = 0;
    }
    return words[position++]! >>> 0;
  };
}

/** Uniform integer in [0, bound) from a uint32 stream, by rejection (no modulo bias). */
export function uniformInt(next: () => number, bound: number): number {
  if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) throw new RangeError(`bad bound ${bound}`);
  const limit = Math.floor(TWO_POW_32 / bound) * bound;
  for (;;) {
    const x = next();
    if (x < limit) return x % bound;
  }
}

/**
 * Fisher-Yates of the ordered deck keyed by (key, handId). Scheme 1 calls it with the
 * server seed; scheme 2 with the deckSeed.
 */
export function deckFromSeed(key: Seed, handId: string): Card[] {
  const next = createRandomStream(key, handId);
  const deck = orderedDeck();
  for (let i = DECK_SIZE - 1; i >= 1; i--) {
    const j = uniformInt(next, i + 1);
    const card = deck[i]!;
    deck[i] = deck[j]!;
    deck[j] = card;
  }
  return deck;
}

// ---------------------------------------------------------------------------------------
// Scheme 2: client seeds, deckSeed, salts, leaves, Merkle tree.

export interface ClientSeed {
  seat: number;
  seed: string;
}

/** Why a client seed list is not acceptable, or null. */
export function clientSeedsProblem(clientSeeds: readonly ClientSeed[]): string | null {
  if (!Array.isArray(clientSeeds)) return 'clientSeeds must be a list';
  if (clientSeeds.length > DEALT_PLAYERS_MAX) return `at most ${DEALT_PLAYERS_MAX} client seeds`;
  const seats = new Set<number>();
  for (const entry of clientSeeds) {
    if (typeof entry !== 'object' || entry === null) return 'a client seed must be { seat, seed }';
    if (!Number.isInteger(entry.seat) || entry.seat < 0 || entry.seat > SEAT_MAX) return `bad client seed seat ${String(entry.seat)}`;
    if (seats.has(entry.seat)) return `two client seeds for seat ${entry.seat}`;
    seats.add(entry.seat);
    if (typeof entry.seed !== 'string' || !CLIENT_SEED_PATTERN.test(entry.seed)) {
      return `the client seed of seat ${entry.seat} must be 1..${CLIENT_SEED_LENGTH_MAX} printable ASCII characters`;
    }
  }
  return null;
}

/**
 * Canonical bytes of a client seed list: u8 count, then for each seed in ascending seat
 * order u8 seat, u8 length, the ASCII bytes. Injective: every field is fixed-size or
 * length-prefixed, and sorting makes the order of the input irrelevant.
 */
export function encodeClientSeeds(clientSeeds: readonly ClientSeed[]): Uint8Array {
  const problem = clientSeedsProblem(clientSeeds);
  if (problem !== null) throw new RangeError(problem);
  const sorted = [...clientSeeds].sort((a, b) => a.seat - b.seat);
  const parts: Uint8Array[] = [Uint8Array.of(sorted.length)];
  for (const { seat, seed } of sorted) {
    const bytes = utf8ToBytes(seed); // ASCII, so one byte per character
    parts.push(Uint8Array.of(seat, bytes.length), bytes);
  }
  return concatBytes(...parts);
}

function handIdBytes(handId: string): Uint8Array {
  const bytes = utf8ToBytes(handId);
  if (bytes.length === 0 || bytes.length > HANDID_BYTES_MAX) throw new RangeError('handId must be 1..65535 bytes');
  return bytes;
}

/** HMAC-SHA256(serverSeed, "deck:" || u16be(len handId) || handId || encodeClientSeeds). */
export function deckSeed(serverSeed: Seed, handId: string, clientSeeds: readonly ClientSeed[]): Uint8Array {
  const id = handIdBytes(handId);
  const message = concatBytes(utf8ToBytes('deck:'), Uint8Array.of(id.length >> 8, id.length & 0xff), id, encodeClientSeeds(clientSeeds));
  return hmac(sha256, seedBytes(serverSeed), message);
}

/** salt_p = HMAC-SHA256(serverSeed, UTF-8("salt:" + handId + ":" + p)), p = 0..51 in decimal. */
// The deck's 52 salts, 52 leaves and 51 nodes are hashed with the allocation-free
// SHA-256 of hmac-stream.ts (a deal took about 0.7 ms through the generic objects;
// the unit test checks every function against @noble/hashes).
function saltsOf(serverSeed: Seed, handId: string): Uint8Array[] {
  const words = new Int32Array(8);
  const next = createHmacBlocks(seedBytes(serverSeed), `salt:${handId}:`, words);
  return Array.from({ length: DECK_SIZE }, () => {
    next();
    return wordsToBytes(words);
  });
}

function leafHash(salt: Uint8Array, position: number, card: number): Uint8Array {
  return sha256Short(concatBytes(Uint8Array.of(0x00), salt, Uint8Array.of(position, card)));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Short(concatBytes(Uint8Array.of(0x01), left, right));
}

/** Levels from the leaves up to the root; an odd last node moves up a level unchanged. */
function merkleLevels(leaves: Uint8Array[]): Uint8Array[][] {
  const levels = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!;
    const above: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2) above.push(i + 1 < below.length ? nodeHash(below[i]!, below[i + 1]!) : below[i]!);
    levels.push(above);
  }
  return levels;
}

/** Sibling hashes from the leaf up; a level where the node has no sibling adds nothing. */
function merkleProof(levels: Uint8Array[][], position: number): Uint8Array[] {
  const proof: Uint8Array[] = [];
  let index = position;
  for (const level of levels.slice(0, -1)) {
    const sibling = index ^ 1;
    if (sibling < level.length) proof.push(level[sibling]!);
    index >>= 1;
  }
  return proof;
}

/** The root a leaf and its proof lead to, or null if the proof has the wrong length. */
function rootFromProof(leaf: Uint8Array, position: number, proof: readonly Uint8Array[]): Uint8Array | null {
  let node = leaf;
  let index = position;
  let used = 0;
  for (let size = DECK_SIZE; size > 1; size = Math.ceil(size / 2)) {
    const hasSibling = (index ^ 1) < size;
    if (hasSibling) {
      const sibling = proof[used++];
      if (sibling === undefined) return null;
      node = index % 2 === 1 ? nodeHash(sibling, node) : nodeHash(node, sibling);
    }
    index >>= 1;
  }
  return used === proof.length ? node : null;
}

interface CommittedDeck {
  deck: Card[];
  salts: Uint8Array[];
  levels: Uint8Array[][];
}

function commitDeck(serverSeed: Seed, handId: string, clientSeeds: readonly ClientSeed[]): CommittedDeck {
  const deck = deckFromSeed(deckSeed(serverSeed, handId, clientSeeds), handId);
  const salts = saltsOf(serverSeed, handId);
  const levels = merkleLevels(deck.map((card, p) => leafHash(salts[p]!, p, card)));
  return { deck, salts, levels };
}

/**
 * The deck of a scheme-2 hand and its deckRoot (hex), to publish with the seedCommitment
 * and the client seeds when the hand starts. Throws on a bad seed, hand id or client seed.
 */
export function dealDeck(serverSeed: Seed, handId: string, clientSeeds: readonly ClientSeed[]): { deck: Card[]; deckRoot: string } {
  const { deck, levels } = commitDeck(serverSeed, handId, clientSeeds);
  return { deck, deckRoot: bytesToHex(levels[levels.length - 1]![0]!) };
}

/** One deck position proven against deckRoot: card text, salt hex, proof hashes hex. */
export interface Opening {
  position: number;
  card: string;
  salt: string;
  proof: string[];
}

/** The openings of the given deck positions (server side: it needs the server seed). */
export function openPositions(
  serverSeed: Seed,
  handId: string,
  clientSeeds: readonly ClientSeed[],
  positions: readonly number[],
): Opening[] {
  const { deck, salts, levels } = commitDeck(serverSeed, handId, clientSeeds);
  return positions.map((position) => {
    if (!Number.isInteger(position) || position < 0 || position >= DECK_SIZE) throw new RangeError(`bad deck position ${position}`);
    return {
      position,
      card: cardToString(deck[position]!),
      salt: bytesToHex(salts[position]!),
      proof: merkleProof(levels, position).map(bytesToHex),
    };
  });
}

export type Check = { ok: true } | { ok: false; reason: string };

const HEX_64 = /^[0-9a-fA-F]{64}$/;

/** Checks one opening against a deckRoot. Never throws. */
export function verifyOpening(deckRoot: string, opening: Opening): Check {
  const where = `opening of position ${String(opening?.position)}`;
  if (typeof deckRoot !== 'string' || !HEX_64.test(deckRoot)) return { ok: false, reason: 'deckRoot must be 64 hex characters' };
  if (typeof opening !== 'object' || opening === null) return { ok: false, reason: 'an opening is not an object' };
  const { position, salt, proof } = opening;
  if (!Number.isInteger(position) || position < 0 || position >= DECK_SIZE) return { ok: false, reason: `${where}: bad position` };
  const card = parseOrNull(opening.card);
  if (card === null) return { ok: false, reason: `${where}: bad card ${String(opening.card)}` };
  if (typeof salt !== 'string' || !HEX_64.test(salt)) return { ok: false, reason: `${where}: salt must be 64 hex characters` };
  if (!Array.isArray(proof) || !proof.every((h) => typeof h === 'string' && HEX_64.test(h))) {
    return { ok: false, reason: `${where}: proof must list 64-hex hashes` };
  }
  const root = rootFromProof(leafHash(hexToBytes(salt), position, card), position, proof.map((h) => hexToBytes(h)));
  if (root === null) return { ok: false, reason: `${where}: proof has the wrong length` };
  if (bytesToHex(root) !== deckRoot.toLowerCase()) return { ok: false, reason: `${where}: ${opening.card} does not match deckRoot` };
  return { ok: true };
}

/** Deck positions of the first `count` board cards. */
export function boardPositions(variant: Variant, players: number, count: number): number[] {
  return boardCardIndexes(players, HOLE_CARDS_BY_VARIANT[variant]).slice(0, count);
}

/** Deck positions of one seat's hole cards (dealtSeats = deal order); [] if it was not dealt in. */
export function holePositions(variant: Variant, dealtSeats: readonly number[], seat: number): number[] {
  const k = dealtSeats.indexOf(seat);
  if (k < 0) return [];
  const h = HOLE_CARDS_BY_VARIANT[variant];
  return Array.from({ length: h }, (_, round) => holeCardIndex(dealtSeats.length, h, k, round));
}

// ---------------------------------------------------------------------------------------
// Verification of a finished hand.

export interface ClaimedCards {
  handId: string;
  variant: Variant;
  /** The deal order: seat numbers, first dealt first (see deal.ts). */
  dealtSeats: number[];
  /** Claimed hole cards by seat (shown hands, a player's own); null or absent = not claimed. */
  holeCards: Record<string, string[] | null | undefined>;
  /** The board cards dealt, in order (0..5). */
  board: string[];
  /** Optional full deck; when present (and a seed is given) it must equal the derived deck. */
  deck?: string[];
}

/** Scheme 1: the seed alone derives the deck. */
export interface LegacyHandRecord extends ClaimedCards {
  scheme?: 1;
  /** Hex SHA-256 of the seed, as published at hand start. */
  commitment: string;
  /** The revealed seed, hex. */
  seed: string;
}

/** Scheme 2: per-position commitments; the seed is optional (revealed late). */
export interface FairHandRecord extends ClaimedCards {
  scheme: 2;
  seedCommitment: string;
  deckRoot: string;
  clientSeeds: ClientSeed[];
  /** Openings to check against deckRoot; every claimed card needs one unless a seed is given. */
  openings: Opening[];
  /** The revealed server seed, hex; null or absent while it is sealed. */
  seed?: string | null;
}

export type HandRecord = LegacyHandRecord | FairHandRecord;

/** checked: 'deck' = the whole deck was re-derived from the seed; 'openings' = only the openings. */
export type VerifyResult = { ok: true; checked: 'deck' | 'openings' } | { ok: false; reason: string };

function fail(reason: string): VerifyResult {
  return { ok: false, reason };
}

function parseOrNull(text: unknown): Card | null {
  if (typeof text !== 'string') return null;
  try {
    return parseCard(text);
  } catch {
    return null;
  }
}

function checkClaimShape(record: ClaimedCards): string | null {
  if (typeof record !== 'object' || record === null) return 'record is not an object';
  if (typeof record.handId !== 'string' || record.handId.length === 0) return 'handId missing';
  if (!(record.variant in HOLE_CARDS_BY_VARIANT)) return `unknown variant ${String(record.variant)}`;
  const seats = record.dealtSeats;
  if (!Array.isArray(seats) || seats.length < 2 || seats.length > DEALT_PLAYERS_MAX) {
    return `dealtSeats must list 2..${DEALT_PLAYERS_MAX} seats`;
  }
  if (new Set(seats).size !== seats.length || !seats.every((s) => Number.isInteger(s))) {
    return 'dealtSeats must be distinct integers';
  }
  if (!Array.isArray(record.board) || record.board.length > 5) return 'board must list 0..5 cards';
  if (typeof record.holeCards !== 'object' || record.holeCards === null) return 'holeCards missing';
  return null;
}

/** The card a source (derived deck or openings) gives for a position, or undefined. */
type CardAt = (position: number) => Card | undefined;

function checkDeck(record: ClaimedCards, deck: readonly Card[]): string | null {
  if (record.deck === undefined) return null;
  if (!Array.isArray(record.deck) || record.deck.length !== DECK_SIZE) return 'deck must list 52 cards';
  for (let i = 0; i < DECK_SIZE; i++) {
    if (parseOrNull(record.deck[i]) !== deck[i]) {
      return `deck position ${i} is ${String(record.deck[i])}, the seed gives ${cardToString(deck[i]!)}`;
    }
  }
  return null;
}

function checkHoleCards(record: ClaimedCards, cardAt: CardAt, source: string): string | null {
  const holeCount = HOLE_CARDS_BY_VARIANT[record.variant];
  for (const [seatText, claimed] of Object.entries(record.holeCards)) {
    if (claimed === null || claimed === undefined) continue;
    const positions = holePositions(record.variant, record.dealtSeats, Number(seatText));
    if (positions.length === 0) return `seat ${seatText} shows cards but was not dealt in`;
    if (!Array.isArray(claimed) || claimed.length !== holeCount) return `seat ${seatText} must show ${holeCount} hole cards`;
    const expected = positions.map(cardAt);
    const missing = positions.find((_, i) => expected[i] === undefined);
    if (missing !== undefined) return `seat ${seatText}: no opening for deck position ${missing}`;
    const given = claimed.map(parseOrNull);
    // Order-insensitive: a client may sort a hand for display; the set must match exactly.
    const same = given.every((card) => card !== null && expected.includes(card)) && new Set(given).size === holeCount;
    if (!same) return `seat ${seatText} shows ${claimed.join(' ')}, ${source} ${(expected as Card[]).map(cardToString).join(' ')}`;
  }
  return null;
}

function checkBoard(record: ClaimedCards, cardAt: CardAt, source: string): string | null {
  const positions = boardPositions(record.variant, record.dealtSeats.length, record.board.length);
  for (let i = 0; i < record.board.length; i++) {
    const expected = cardAt(positions[i]!);
    if (expected === undefined) return `board card ${i + 1}: no opening for deck position ${positions[i]}`;
    if (parseOrNull(record.board[i]) !== expected) {
      return `board card ${i + 1} is ${String(record.board[i])}, ${source} ${cardToString(expected)}`;
    }
  }
  return null;
}

function checkCards(record: ClaimedCards, cardAt: CardAt, source: string): string | null {
  return checkHoleCards(record, cardAt, source) ?? checkBoard(record, cardAt, source);
}

function verifyLegacy(record: LegacyHandRecord): VerifyResult {
  const shapeError = checkClaimShape(record);
  if (shapeError !== null) return fail(shapeError);
  if (typeof record.seed !== 'string' || !HEX_64.test(record.seed)) return fail('seed must be 64 hex characters');
  if (typeof record.commitment !== 'string' || !HEX_64.test(record.commitment)) return fail('commitment must be 64 hex characters');
  if (commitment(record.seed) !== record.commitment.toLowerCase()) return fail('commitment does not match sha256(seed)');
  const deck = deckFromSeed(record.seed, record.handId);
  const error = checkDeck(record, deck) ?? checkCards(record, (p) => deck[p], 'the seed deals');
  return error === null ? { ok: true, checked: 'deck' } : fail(error);
}

function checkFairShape(record: FairHandRecord): string | null {
  const claimError = checkClaimShape(record);
  if (claimError !== null) return claimError;
  if (typeof record.seedCommitment !== 'string' || !HEX_64.test(record.seedCommitment)) return 'seedCommitment must be 64 hex characters';
  if (typeof record.deckRoot !== 'string' || !HEX_64.test(record.deckRoot)) return 'deckRoot must be 64 hex characters';
  const seedsError = clientSeedsProblem(record.clientSeeds);
  if (seedsError !== null) return seedsError;
  const stranger = record.clientSeeds.find((c) => !record.dealtSeats.includes(c.seat));
  if (stranger) return `client seed for seat ${stranger.seat}, which was not dealt in`;
  if (!Array.isArray(record.openings)) return 'openings must be a list';
  const seed = record.seed;
  if (seed !== undefined && seed !== null && (typeof seed !== 'string' || !HEX_64.test(seed))) return 'seed must be 64 hex characters';
  return null;
}

/** Every opening against deckRoot; the proven card of each position, or an error. */
function openedCards(record: FairHandRecord): Map<number, Card> | string {
  const cards = new Map<number, Card>();
  for (const opening of record.openings) {
    const check = verifyOpening(record.deckRoot, opening);
    if (!check.ok) return check.reason;
    const card = parseCard(opening.card);
    const earlier = cards.get(opening.position);
    if (earlier !== undefined && earlier !== card) return `two openings of position ${opening.position} disagree`;
    cards.set(opening.position, card);
  }
  return cards;
}

/** With the seed: commitment, derived deck and root, the openings' cards, the claimed cards. */
function checkWithSeed(record: FairHandRecord, seed: string, opened: Map<number, Card>): string | null {
  if (commitment(seed) !== record.seedCommitment.toLowerCase()) return 'seedCommitment does not match sha256(seed)';
  const { deck, deckRoot } = dealDeck(seed, record.handId, record.clientSeeds);
  if (deckRoot !== record.deckRoot.toLowerCase()) return 'deckRoot does not match the deck the seed and client seeds deal';
  for (const [position, card] of opened) {
    if (deck[position] !== card) return `the opening of position ${position} shows ${cardToString(card)}, the seed deals ${cardToString(deck[position]!)}`;
  }
  return checkDeck(record, deck) ?? checkCards(record, (p) => deck[p], 'the seed deals');
}

function verifyFair(record: FairHandRecord): VerifyResult {
  const shapeError = checkFairShape(record);
  if (shapeError !== null) return fail(shapeError);
  const opened = openedCards(record);
  if (typeof opened === 'string') return fail(opened);
  if (typeof record.seed === 'string') {
    const error = checkWithSeed(record, record.seed, opened);
    return error === null ? { ok: true, checked: 'deck' } : fail(error);
  }
  const error = checkCards(record, (p) => opened.get(p), 'the opening shows');
  return error === null ? { ok: true, checked: 'openings' } : fail(error);
}

/**
 * Checks a finished hand. Scheme 2: every opening against deckRoot, every claimed board
 * and hole card against an opening, and, when the seed is given, its commitment and the
 * whole deck. Scheme 1 (no `scheme`): the seed against its commitment and the deck.
 * Pure; never throws on a malformed record, it reports it.
 */
export function verifyHand(record: HandRecord): VerifyResult {
  try {
    if (typeof record !== 'object' || record === null) return fail('record is not an object');
    return record.scheme === FAIRNESS_SCHEME ? verifyFair(record as FairHandRecord) : verifyLegacy(record as LegacyHandRecord);
  } catch (error) {
    return fail(`the record cannot be verified: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------
// The published form (GET /api/hands/:id), shared by the HTTP route, the CLI and the client.

/** When the server seed of a hand is revealed: every seat session closed and the delay passed. */
export interface SeedReveal {
  revealed: boolean;
  /** createdAt + SEED_REVEAL_DELAY_MS: the earliest reveal, ISO 8601. */
  notBefore: string;
  /** Seat sessions of the hand's players still open; the seed stays sealed until 0. */
  openSeatSessions: number;
}

export interface PublishedFairness {
  scheme: 1 | 2;
  seedCommitment: string;
  /** null for scheme 1. */
  deckRoot: string | null;
  clientSeeds: ClientSeed[];
  /** Board cards dealt and the hole cards of every shown hand. */
  openings: Opening[];
  /** The requester's own hole cards (a player of the hand only; [] for everyone else). */
  yourOpenings: Opening[];
  /** The server seed once revealed, else null. */
  seed: string | null;
  seedReveal: SeedReveal;
}

export interface PublishedHand {
  record: { handId: string; variant: string; dealtSeats: number[]; shownSeats: number[]; board: string[]; holeCards: Record<string, string[]> };
  fairness: PublishedFairness;
  yourSeats: number[];
}

/** Which published cards to check: the public ones, the viewer's own, or both. */
export type PublishedPart = 'public' | 'own' | 'all';

function pickSeats(holeCards: Record<string, string[]>, seats: readonly number[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const seat of seats) if (holeCards[String(seat)]) out[String(seat)] = holeCards[String(seat)]!;
  return out;
}

/**
 * The verifyHand input for a published hand, or null when nothing can be checked yet (a
 * scheme-1 hand whose seed is still sealed). 'own' leaves the board out.
 */
export function verifiableFromPublished(hand: PublishedHand, part: PublishedPart = 'all'): HandRecord | null {
  const { record, fairness } = hand;
  const seats = part === 'public' ? record.shownSeats : part === 'own' ? hand.yourSeats : [...record.shownSeats, ...hand.yourSeats];
  const claimed: ClaimedCards = {
    handId: record.handId,
    variant: record.variant as Variant,
    dealtSeats: record.dealtSeats,
    holeCards: pickSeats(record.holeCards, seats),
    board: part === 'own' ? [] : record.board,
  };
  if (fairness.scheme !== FAIRNESS_SCHEME) {
    return fairness.seed === null ? null : { ...claimed, commitment: fairness.seedCommitment, seed: fairness.seed };
  }
  const openings = part === 'public' ? fairness.openings : part === 'own' ? fairness.yourOpenings : [...fairness.openings, ...fairness.yourOpenings];
  return {
    ...claimed,
    scheme: 2,
    seedCommitment: fairness.seedCommitment,
    deckRoot: fairness.deckRoot ?? '',
    clientSeeds: fairness.clientSeeds,
    openings,
    seed: fairness.seed,
  };
}
