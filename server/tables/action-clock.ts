import type { ActionClock as ActionClockView } from '../protocol/frames';
import type { Clock } from './clock';

// The countdown of the seat to act. Every arming gets a new token; a timer
// whose token is no longer current is ignored, so seats sitting out or in
// mid-turn never stall the clock. It decides nothing about seats: it reports
// the time a turn on the time bank used (usedTimeBank) and the caller charges it.

interface Armed {
  seat: number;
  token: number;
  deadline: number;
  turnMs: number;
  usingTimeBank: boolean;
  startedAt: number;
  timer: unknown;
  /** The deadline before a sit-out shortened the turn (restore puts it back on a sit-in). */
  fullDeadline?: number;
}

export class ActionClock {
  private armed: Armed | null = null;
  private tokens = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: (seat: number, token: number) => void,
  ) {}

  /** Starts `seat`'s turn of `turnMs` (its time bank when `usingTimeBank`). */
  arm(seat: number, turnMs: number, usingTimeBank: boolean): void {
    this.disarm();
    const now = this.clock.now();
    const token = ++this.tokens;
    this.armed = {
      seat, token, turnMs, usingTimeBank, startedAt: now, deadline: now + turnMs,
      timer: this.clock.setTimeout(() => this.onExpire(seat, token), turnMs),
    };
  }

  /**
   * `seat` sat out during its own turn: the turn ends within `maxMs`, never later than it
   * would have. The turn goes on as it was (its start, and whether it is on the time bank),
   * so a sit-out and a sit-in cannot give it a fresh clock or leave time bank uncharged.
   */
  shorten(seat: number, maxMs: number): void {
    const a = this.armed;
    if (!a || a.seat !== seat) return;
    const now = this.clock.now();
    const deadline = Math.min(a.deadline, now + maxMs);
    if (deadline === a.deadline) return;
    this.rearm(a, deadline, a.fullDeadline ?? a.deadline);
  }

  /**
   * `seat` sat in again during its own turn, shortened by a sit-out: the turn gets back what
   * is left of it (the deadline it had, on the clock it was on), never more. Whether the
   * deadline changed (the caller broadcasts the clock).
   */
  restore(seat: number): boolean {
    const a = this.armed;
    if (!a || a.seat !== seat || a.fullDeadline === undefined) return false;
    const now = this.clock.now();
    const deadline = a.fullDeadline;
    if (deadline <= a.deadline || deadline <= now) return false;
    this.rearm(a, deadline, undefined);
    return true;
  }

  /** The same turn with a new deadline (and a new token: the old timer is void). */
  private rearm(a: Armed, deadline: number, fullDeadline: number | undefined): void {
    this.clock.clearTimeout(a.timer);
    const token = ++this.tokens;
    const wait = Math.max(0, deadline - this.clock.now());
    this.armed = { ...a, token, deadline, fullDeadline, timer: this.clock.setTimeout(() => this.onExpire(a.seat, token), wait) };
  }

  disarm(): void {
    if (this.armed) this.clock.clearTimeout(this.armed.timer);
    this.armed = null;
  }

  isCurrent(token: number): boolean {
    return this.armed?.token === token;
  }

  /** Whether `seat`'s turn is running on its main clock (not yet on the time bank). */
  onMainClock(seat: number): boolean {
    return this.armed !== null && this.armed.seat === seat && !this.armed.usingTimeBank;
  }

  /** Milliseconds of time bank `seat` has used on this turn so far (0 when not on its time bank). */
  usedTimeBank(seat: number): number {
    const a = this.armed;
    return a && a.seat === seat && a.usingTimeBank ? this.clock.now() - a.startedAt : 0;
  }

  view(): ActionClockView | null {
    const a = this.armed;
    return a ? { seat: a.seat, deadline: a.deadline, turnMs: a.turnMs, usingTimeBank: a.usingTimeBank } : null;
  }
}
