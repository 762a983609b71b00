import type { Ack } from '../protocol/errors';
import type { KeyInput } from '../ledger/keys';

// The life of a seat beside the engine, as an explicit state machine
// (docs/decisions/010-actor-step-path-and-seat-lifecycle.md):
//
//   (buy-in during a hand) --> joining --(boundary: enter the engine)--> seated
//   (buy-in between hands) ---------------------------------------------> seated
//   joining | seated --(leave)--> leaving --(boundary: cash-out)--> gone
//
// Everything a player asks for during a hand that changes the engine's seats
// (joining, a top-up, sitting out while a settlement is being retried,
// leaving) is an intent, queued here and applied in order at the hand
// boundary. Pure: time comes in as `now`, nothing here does I/O; the actor
// owns the ledger calls and the engine steps the intents turn into.

export type SeatPhase = 'joining' | 'seated' | 'leaving';

/** A request that waits for the hand boundary. */
export type SeatIntent =
  | {
    kind: 'top_up'; amount: number; key: KeyInput; intentId: bigint | null;
    /**
     * Its seat_intents row being written (a top-up asked for during a hand): true once it is
     * stored, false if that failed (the request was refused, nothing applies). Absent when the
     * row was already there (restored after a restart).
     */
    stored?: Promise<boolean>;
  }
  | { kind: 'sit_out' };

export interface SeatPerson {
  userId: number;
  username: string;
  seatSessionId: bigint;
}

export interface SeatRecord extends SeatPerson {
  phase: SeatPhase;
  /** Chips bought in for a seat that is still joining (it enters the engine with them). */
  joinStack: number;
  connected: boolean;
  timeBankMs: number;
  /** Hands dealt while sitting out, and since when (null: not sitting out). */
  sitOutHands: number;
  sitOutSince: number | null;
  /** Restored after a restart while disconnected: dealt in again when the player comes back. */
  autoSitIn: boolean;
  /** Its sitting out is stored (seat_sessions.sitting_out_since), to be cleared when it sits in. */
  sitOutStored?: boolean;
  /**
   * Held out of the deal (sitting out in the engine) until the hand in which it posts the big
   * blind, though its player wants to play (decision 029): it joined a running game, or sat
   * in after missing a blind. Not stored: after a restart a seat not dealt the last hand owes
   * the big blind again (decision 030).
   */
  waitingForBigBlind: boolean;
  /** Owes the big blind: it sat out through a blind (or joined a running game) and has not been dealt in since. */
  owesBigBlind: boolean;
  /**
   * Not dealt a hand since it sat down (a new player): it may post a big blind to enter
   * instead of waiting for it (decision 034). False for a seat restored after a restart.
   */
  newToTheGame: boolean;
  /**
   * Missed a small blind sitting out since it was last dealt in (never a new player's): posting
   * to enter, it posts that small blind dead with its big blind (decision 035). Cleared once dealt in.
   */
  owesSmallBlind: boolean;
  /** What seat_sessions.owes_small_blind says (kept across a restart), to write it only when it changes. */
  owesSmallBlindStored?: boolean;
  /** Its player chose to post a big blind to enter ("post now"); only ever set while it may (`newToTheGame` or `owesBigBlind`). */
  postsBigBlind: boolean;
  /** The player's own seed for the shuffle (docs/fairness.md), or null. */
  clientSeed: string | null;
  intents: SeatIntent[];
  /** A leave whose seat_intents row is being written (its answer); the seat turns `leaving` once it is stored. */
  leaveStored?: Promise<Ack<{ pending: boolean }>>;
  graceTimer: unknown;
}

/** What to do for one seat at a hand boundary, in this order. */
export type BoundaryStep =
  | { kind: 'cash_out' }
  | { kind: 'enter'; stack: number }
  | SeatIntent;

/** Top-ups waiting for one seat's hand boundary beyond this are refused (each is a ledger call there). */
export const PENDING_TOP_UPS_MAX = 3;

export interface SitOutLimits {
  sitOutHandsMax: number;
  sitOutMsMax: number;
}

export class SeatBook {
  private readonly seats = new Map<number, SeatRecord>();

  constructor(private readonly timeBankMs: number) {}

  get size(): number {
    return this.seats.size;
  }

  get(seat: number): SeatRecord | undefined {
    return this.seats.get(seat);
  }

  has(seat: number): boolean {
    return this.seats.has(seat);
  }

  entries(): [number, SeatRecord][] {
    return [...this.seats.entries()].sort(([a], [b]) => a - b);
  }

  seatOf(userId: number): number | null {
    for (const [seat, record] of this.seats) if (record.userId === userId) return seat;
    return null;
  }

  /** A bought-in seat: straight into the engine between hands, or joining at the next boundary. */
  /** `restored`: a seat rebuilt after a restart, not known to be new to the game (decision 034). */
  add(seat: number, person: SeatPerson, stack: number, options: { handLive: boolean; connected: boolean; restored?: boolean }): SeatRecord {
    if (this.seats.has(seat)) throw new Error(`seat ${seat} is taken`);
    const record: SeatRecord = {
      ...person,
      phase: options.handLive ? 'joining' : 'seated',
      joinStack: options.handLive ? stack : 0,
      connected: options.connected,
      timeBankMs: this.timeBankMs,
      sitOutHands: 0,
      sitOutSince: null,
      autoSitIn: false,
      waitingForBigBlind: false,
      owesBigBlind: false,
      newToTheGame: !options.restored,
      owesSmallBlind: false,
      postsBigBlind: false,
      clientSeed: null,
      intents: [],
      graceTimer: null,
    };
    this.seats.set(seat, record);
    return record;
  }

  remove(seat: number): SeatRecord | undefined {
    const record = this.seats.get(seat);
    this.seats.delete(seat);
    return record;
  }

  /** joining | seated -> leaving. False if it was already leaving. */
  leave(seat: number): boolean {
    const record = this.require(seat);
    if (record.phase === 'leaving') return false;
    record.phase = 'leaving';
    return true;
  }

  /** Queues a top-up; a twin with the same client key is the same request, another amount under that key a misuse. */
  queueTopUp(seat: number, intent: Extract<SeatIntent, { kind: 'top_up' }>): 'queued' | { twin: Extract<SeatIntent, { kind: 'top_up' }> } | 'key_reused' | 'too_many' {
    const record = this.require(seat);
    const key = intent.key;
    const twin = typeof key === 'string'
      ? record.intents.find((i): i is Extract<SeatIntent, { kind: 'top_up' }> => i.kind === 'top_up' && i.key === key)
      : undefined;
    if (twin) return twin.amount === intent.amount ? { twin } : 'key_reused';
    if (record.intents.filter((i) => i.kind === 'top_up').length >= PENDING_TOP_UPS_MAX) return 'too_many';
    record.intents.push(intent);
    return 'queued';
  }

  queueSitOut(seat: number): void {
    const record = this.require(seat);
    if (!record.intents.some((i) => i.kind === 'sit_out')) record.intents.push({ kind: 'sit_out' });
  }

  /**
   * The steps of one seat at a hand boundary, and the seat's next phase. A
   * leaving seat only cashes out (its queued top-ups are dropped); a joining
   * seat enters the engine first, then its intents apply in the order asked.
   */
  boundary(seat: number): BoundaryStep[] {
    const record = this.require(seat);
    if (record.phase === 'leaving') return [{ kind: 'cash_out' }];
    const steps: BoundaryStep[] = record.phase === 'joining' ? [{ kind: 'enter', stack: record.joinStack }] : [];
    steps.push(...record.intents);
    record.phase = 'seated';
    record.joinStack = 0;
    record.intents = [];
    return steps;
  }

  /** Sitting out starts now (for the limits below); sitting in clears it. */
  sittingOut(seat: number, now: number | null): void {
    const record = this.require(seat);
    record.sitOutSince = now;
    record.sitOutHands = 0;
  }

  /** A hand was dealt: every seat sitting out has missed one more. */
  handDealt(isSittingOut: (seat: number) => boolean): void {
    for (const [seat, record] of this.seats) if (isSittingOut(seat)) record.sitOutHands++;
  }

  /** Sat out too long (in hands or in time): to be cashed out. */
  sitOutExpired(seat: number, now: number, limits: SitOutLimits): boolean {
    const record = this.require(seat);
    const since = record.sitOutSince ?? now;
    return record.sitOutHands >= limits.sitOutHandsMax || now - since >= limits.sitOutMsMax;
  }

  /** Time bank used on a turn is gone (not refilled). */
  chargeTimeBank(seat: number, usedMs: number): void {
    const record = this.seats.get(seat);
    if (record && usedMs > 0) record.timeBankMs = Math.max(0, record.timeBankMs - usedMs);
  }

  private require(seat: number): SeatRecord {
    const record = this.seats.get(seat);
    if (!record) throw new Error(`no seat ${seat}`);
    return record;
  }
}
