import { errorAck, type Ack, type ErrorCode } from '../protocol/errors';
import type { TableNotice, WaitlistPublic, WaitlistStatus } from '../protocol/frames';
import type { Clock } from './clock';
import type { TableOutput } from './output';

// The waiting list of a full table (docs/decisions/015-waiting-list.md).
//
//   join --> waiting (FIFO) --(a seat frees up)--> offered (the seat is held)
//   offered --(table:sit on that seat)--> seated, off the list
//   offered --(declined, or seatOfferMs passed)--> off the list; the seat goes to the next one
//
// `WaitingList` is the rules, pure (time comes in as `now`, no I/O), unit tested
// with a manual clock. `TableWaitlist` is what the table actor holds: the list,
// the one timer for the next offer to expire, and the private notices. It runs
// inside the actor's mailbox, so an offer, a sit on the offered seat and the
// offer's expiry never interleave. Nothing of it is persisted: a restart or a
// rebuild of the table starts with an empty list (no money is involved: a seat
// is only ever taken by a normal buy-in).

export interface WaitlistLimits {
  /** Players waiting at one table beyond this are refused with waitlist/full. */
  waitlistMax: number;
  /** A seat offered to the first player waiting is held for them this long; then it goes to the next one. */
  seatOfferMs: number;
}

export interface Waiter {
  userId: number;
  username: string;
  since: number;
}

export interface SeatOffer {
  seat: number;
  userId: number;
  username: string;
  /** Epoch milliseconds when the offer lapses. */
  deadline: number;
}

export type JoinRefusal = 'table/already_seated' | 'waitlist/already_waiting' | 'waitlist/seat_free' | 'waitlist/full';

export class WaitingList {
  private queue: Waiter[] = [];
  /** Offers by seat: each holds one free seat for one player. */
  private readonly offers = new Map<number, SeatOffer>();

  constructor(private readonly limits: WaitlistLimits) {}

  /** Players waiting for an offer (not counting the ones holding one). */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Joins at the back. Only a table with no seat to take has a list: a seated
   * player, or anyone while a seat is free and held for nobody, is refused.
   */
  join(person: { userId: number; username: string }, table: { seated: boolean; freeSeats: readonly number[] }, now: number): { ok: true; position: number } | { ok: false; code: JoinRefusal } {
    if (table.seated) return { ok: false, code: 'table/already_seated' };
    if (this.position(person.userId) !== null || this.offerOf(person.userId) !== null) return { ok: false, code: 'waitlist/already_waiting' };
    if (table.freeSeats.some((seat) => !this.offers.has(seat))) return { ok: false, code: 'waitlist/seat_free' };
    if (this.queue.length >= this.limits.waitlistMax) return { ok: false, code: 'waitlist/full' };
    this.queue.push({ userId: person.userId, username: person.username, since: now });
    return { ok: true, position: this.queue.length };
  }

  /** Leaves the list, or declines the seat held for this player (it is then free for the next one). */
  leave(userId: number): { ok: true; declined: SeatOffer | null } | { ok: false; code: 'waitlist/not_waiting' } {
    const offer = this.offerOf(userId);
    if (offer) {
      this.offers.delete(offer.seat);
      return { ok: true, declined: offer };
    }
    const before = this.queue.length;
    this.queue = this.queue.filter((w) => w.userId !== userId);
    return this.queue.length < before ? { ok: true, declined: null } : { ok: false, code: 'waitlist/not_waiting' };
  }

  /** 1 for the next player to be offered a seat; null when not waiting (or holding an offer). */
  position(userId: number): number | null {
    const index = this.queue.findIndex((w) => w.userId === userId);
    return index < 0 ? null : index + 1;
  }

  offerOf(userId: number): SeatOffer | null {
    for (const offer of this.offers.values()) if (offer.userId === userId) return offer;
    return null;
  }

  reservedSeats(): number[] {
    return [...this.offers.keys()].sort((a, b) => a - b);
  }

  /** Why `userId` may not buy in at `seat` now: it is held for someone else. */
  sitRefusal(userId: number, seat: number): 'seat/reserved' | null {
    const offer = this.offers.get(seat);
    return offer && offer.userId !== userId ? 'seat/reserved' : null;
  }

  /** `userId` took a seat (the offered one or another): they leave the list, and a seat held for them is let go. */
  tookSeat(userId: number): void {
    const offer = this.offerOf(userId);
    if (offer) this.offers.delete(offer.seat);
    this.queue = this.queue.filter((w) => w.userId !== userId);
  }

  /**
   * Each free seat held for nobody is offered to the next player waiting, in
   * seat order, until the list runs out. Returns the new offers. A held seat
   * that is not free any more is a bug: only its holder can take it.
   */
  offerSeats(freeSeats: readonly number[], now: number): SeatOffer[] {
    for (const seat of this.offers.keys()) {
      if (!freeSeats.includes(seat)) throw new Error(`seat ${seat} is held for a waiting player but is not free`);
    }
    const made: SeatOffer[] = [];
    for (const seat of [...freeSeats].sort((a, b) => a - b)) {
      if (this.offers.has(seat)) continue;
      const next = this.queue.shift();
      if (!next) break;
      const offer: SeatOffer = { seat, userId: next.userId, username: next.username, deadline: now + this.limits.seatOfferMs };
      this.offers.set(seat, offer);
      made.push(offer);
    }
    return made;
  }

  /** Offers whose time is up are withdrawn: their holders are off the list. Returns them. */
  expire(now: number): SeatOffer[] {
    const lapsed = [...this.offers.values()].filter((o) => o.deadline <= now);
    for (const offer of lapsed) this.offers.delete(offer.seat);
    return lapsed;
  }

  /** When the first offer lapses (null: none is out). */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const offer of this.offers.values()) if (next === null || offer.deadline < next) next = offer.deadline;
    return next;
  }

  /** Everyone waiting, in order (not the ones holding an offer). */
  waiters(): readonly Waiter[] {
    return this.queue;
  }
}

export interface TableWaitlistDeps {
  tableId: number;
  tableName: string;
  clock: Clock;
  output: Pick<TableOutput, 'notice'>;
  limits: WaitlistLimits;
  /** Runs `work` in the table's mailbox, after every earlier command; `onBusy` instead when the mailbox refuses it. */
  enqueue: (work: () => void, onBusy: () => void) => void;
  /** Seats nobody holds now (bought in, joining or leaving all hold theirs). */
  freeSeats: () => number[];
  /** False while the table closes: no seat is offered then. */
  offering: () => boolean;
  /** Who waits or holds a seat changed (the lobby shows the count). */
  onChanged?: () => void;
}

/** An expiry the table's mailbox refused (full) is tried again this much later. */
export const OFFER_EXPIRY_RETRY_MS = 1_000;

/** The table actor's side of the list: call every method from inside the actor's mailbox. */
export class TableWaitlist {
  private readonly list: WaitingList;
  private timer: unknown = null;
  private timerAt: number | null = null;
  private stopped = false;

  constructor(private readonly deps: TableWaitlistDeps) {
    this.list = new WaitingList(deps.limits);
  }

  join(caller: { userId: number; username: string }, seated: boolean): Ack<{ position: number }> {
    const joined = this.list.join(caller, { seated, freeSeats: this.deps.freeSeats() }, this.deps.clock.now());
    if (!joined.ok) return errorAck(joined.code);
    this.deps.onChanged?.();
    return { ok: true, position: joined.position };
  }

  /** Leaves the list or declines the offered seat, which goes to the next player at once. */
  leave(userId: number): Ack {
    const left = this.list.leave(userId);
    if (!left.ok) return errorAck(left.code);
    if (left.declined) this.seatsChanged();
    else this.deps.onChanged?.();
    return { ok: true };
  }

  sitRefusal(userId: number, seat: number): ErrorCode | null {
    return this.list.sitRefusal(userId, seat);
  }

  /** After any successful buy-in at the table. */
  tookSeat(userId: number): void {
    this.list.tookSeat(userId);
    this.seatsChanged();
  }

  /** A seat may have freed up (a cash-out, a declined or lapsed offer): offer what is free. */
  seatsChanged(): void {
    if (this.stopped) return;
    const made = this.deps.offering() ? this.list.offerSeats(this.deps.freeSeats(), this.deps.clock.now()) : [];
    for (const offer of made) this.tellOffer(offer);
    if (made.length > 0) this.tellPositions();
    this.armTimer();
    this.deps.onChanged?.();
  }

  get waiting(): number {
    return this.list.waiting;
  }

  publicView(): WaitlistPublic {
    return { waiting: this.list.waiting, reservedSeats: this.list.reservedSeats() };
  }

  statusOf(userId: number): WaitlistStatus | null {
    const offer = this.list.offerOf(userId);
    if (offer) return { position: null, offer: { seat: offer.seat, deadline: offer.deadline } };
    const position = this.list.position(userId);
    return position === null ? null : { position, offer: null };
  }

  stop(): void {
    this.stopped = true;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One timer, for the offer that lapses first; re-armed whenever the offers change. */
  private armTimer(): void {
    const next = this.list.nextDeadline();
    if (next === this.timerAt || this.stopped) return;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = next;
    if (next === null) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = null;
      this.deps.enqueue(() => this.expire(), () => this.retryExpiry());
    }, Math.max(0, next - this.deps.clock.now()));
  }

  /** A full mailbox must not leave a seat held forever: the expiry is tried again a little later. */
  private retryExpiry(): void {
    if (this.stopped) return;
    this.timerAt = null;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.deps.enqueue(() => this.expire(), () => this.retryExpiry());
    }, OFFER_EXPIRY_RETRY_MS);
  }

  private expire(): void {
    if (this.stopped) return;
    for (const offer of this.list.expire(this.deps.clock.now())) {
      this.notice(offer.userId, 'waitlist', `You did not take seat ${offer.seat + 1} at ${this.deps.tableName} in time; it went to the next player and you are off the waiting list.`);
    }
    this.seatsChanged();
  }

  private tellOffer(offer: SeatOffer): void {
    const seconds = Math.round(this.deps.limits.seatOfferMs / 1000);
    this.deps.output.notice(offer.userId, {
      tableId: this.deps.tableId, kind: 'seat_offered',
      message: `Seat ${offer.seat + 1} at ${this.deps.tableName} is free for you: buy in within ${seconds} s to take it.`,
      seat: offer.seat, deadline: offer.deadline,
    });
  }

  /** The line moved: everyone still waiting hears their new place. */
  private tellPositions(): void {
    this.list.waiters().forEach((w, i) => this.notice(w.userId, 'waitlist', `You are #${i + 1} on the waiting list for ${this.deps.tableName}.`));
  }

  private notice(userId: number, kind: TableNotice['kind'], message: string): void {
    this.deps.output.notice(userId, { tableId: this.deps.tableId, kind, message });
  }
}
