import {
  apply,
  createGame,
  eventsFor,
  isHandInProgress,
  legalActions,
  viewFor,
  type ActionKind,
  type Command,
  type GameEvent,
  type GameState,
  type Viewer,
} from '../poker';
import { errorAck, type Ack, type ErrorCode } from '../protocol/errors';
import type { ChatMessage, SeatPlayer, TableEvent, TableNotice, TableSnapshot } from '../protocol/frames';
import type { Ledger } from '../ledger/transactions';
import type { Clock } from './clock';
import { HandRunner, type HandOutcome } from './hand';
import type { TableSettings } from './settings';
import type { OpenSeat, TableRow } from './store';
import type { TableOutput } from './output';
import type { ActorMetrics } from './metrics-api';

// One actor per table: an awaited mailbox in which every command, including
// its ledger commit, finishes before the next begins (STYLE 6). The engine is
// pure; this class owns the clock, the seats' people (who sits where, who is
// connected), the ledger calls at hand boundaries, and the broadcasts, which
// are sent only after any commit of the step succeeded (STYLE 7).

export interface SeatMeta {
  userId: number;
  username: string;
  seatSessionId: bigint;
  connected: boolean;
  timeBankMs: number;
  /** Hands dealt while this seat sat out, and since when it sits out. */
  sitOutHands: number;
  sitOutSince: number | null;
  leaving: boolean;
  /** Top-ups requested during a hand, applied at the boundary. */
  pendingTopUps: { amount: number; key: string }[];
  /** Restored after a restart: sitting out until the player reconnects, then dealt in again. */
  autoSitIn: boolean;
  /** Seated in the ledger but waiting for the hand boundary to join the engine, with this stack. */
  pendingSit: boolean;
  pendingStack: number;
  graceTimer: unknown;
}

export interface ActorDeps {
  table: TableRow;
  ledger: Ledger;
  clock: Clock;
  settings: TableSettings;
  output: TableOutput;
  newSeed: () => Uint8Array;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  metrics?: ActorMetrics;
  /** Called when the actor cannot go on (stale owner, invariant broken): the registry rebuilds it from the database. */
  onFatal: (tableId: number, reason: string) => void;
  /** All-in equity off the event loop (a worker thread); absent in unit tests. */
  equity?: (input: import('../poker/equity').EquityInput) => Promise<import('../poker/equity').EquityResult | null>;
  /** Whether a hand with this id was settled (looked up in the hand records). */
  handSettled: (tableId: number, handId: string) => Promise<boolean>;
  /** Called after each settled hand, for the lobby statistics. */
  onHandSettled?: (tableId: number, potTotal: number) => void;
}

export interface Caller {
  userId: number;
  username: string;
}

type Step<T> = () => Promise<T>;

export class TableActor {
  readonly id: number;
  private game: GameState;
  private readonly seatMeta = new Map<number, SeatMeta>();
  private mailbox: Promise<unknown> = Promise.resolve();
  private mailboxDepth = 0;
  private readonly hand: HandRunner;
  private nextHandTimer: unknown = null;
  private paused = false;
  private closing = false;
  private stopped = false;
  spectators = 0;
  private readonly chatTimes = new Map<number, number[]>();

  constructor(private readonly deps: ActorDeps) {
    const t = deps.table;
    this.id = t.id;
    this.game = createGame({
      variant: t.variant,
      maxSeats: t.maxSeats,
      smallBlind: t.smallBlind,
      bigBlind: t.bigBlind,
      ante: t.ante,
      rake: t.rakeBps > 0 ? { percentBps: t.rakeBps, cap: t.rakeCap } : null,
    });
    this.hand = new HandRunner(deps, () => this.game);
  }

  get table(): TableRow {
    return this.deps.table;
  }

  get epoch(): number {
    return Number(this.deps.table.ownerEpoch);
  }

  get seq(): number {
    return this.game.seq;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  settingsSpectatorsMax(): number {
    return this.deps.settings.spectatorsMax;
  }

  /** True when `handId` was a hand of this table that will never settle (void after a restart or error). */
  async wasCancelled(handId: string | undefined): Promise<boolean> {
    if (!handId) return false;
    const match = /^(\d+)-(\d+)-e(\d+)$/.exec(handId);
    if (!match || Number(match[1]) !== this.id || this.game.handId === handId) return false;
    const number = BigInt(match[2]!);
    if (BigInt(match[3]!) === this.table.ownerEpoch) return number > this.table.handNumber;
    return !(await this.deps.handSettled(this.id, handId));
  }

  seatsTaken(): number {
    return this.seatMeta.size;
  }

  seatOf(userId: number): number | null {
    for (const [seat, meta] of this.seatMeta) if (meta.userId === userId) return seat;
    return null;
  }

  seatedUserIds(): number[] {
    return [...this.seatMeta.values()].map((m) => m.userId);
  }

  // ---- the mailbox ---------------------------------------------------------------

  /** Runs `step` after every earlier command has finished. */
  enqueue<T>(step: Step<T>, onBusy: () => T): Promise<T> {
    if (this.stopped) return Promise.resolve(onBusy());
    if (this.mailboxDepth >= this.deps.settings.mailboxDepthMax) return Promise.resolve(onBusy());
    this.mailboxDepth++;
    const run = this.mailbox.then(async () => {
      try {
        if (this.stopped) return onBusy();
        return await step();
      } catch (error) {
        this.fatal(`command failed: ${(error as Error).stack ?? error}`);
        return onBusy();
      } finally {
        this.mailboxDepth--;
      }
    });
    this.mailbox = run.catch(() => undefined);
    return run;
  }

  private command<T extends object>(step: Step<Ack<T>>): Promise<Ack<T>> {
    return this.enqueue(step, () => errorAck(this.stopped ? 'table/closed' : 'table/busy') as Ack<T>);
  }

  // ---- boot ----------------------------------------------------------------------

  /**
   * Seats the players the database says are at this table (after a restart,
   * too), sitting out until each reconnects, so no hand is dealt to an empty chair.
   */
  restore(seats: OpenSeat[]): void {
    for (const seat of seats) {
      const sat = this.applyCommand({ type: 'sit', seat: seat.seatIndex, playerId: String(seat.userId), stack: Number(seat.stack) });
      if (!sat) continue;
      this.applyCommand({ type: 'sit_out', seat: seat.seatIndex });
      const meta = this.newMeta(seat, false);
      meta.autoSitIn = seat.stack > 0n;
      meta.sitOutSince = this.deps.clock.now();
      this.seatMeta.set(seat.seatIndex, meta);
      this.deps.output.seatChanged(seat.userId, this.id, true);
    }
  }

  private newMeta(seat: { userId: number; username: string; seatSessionId: bigint }, connected: boolean): SeatMeta {
    return {
      userId: seat.userId,
      username: seat.username,
      seatSessionId: seat.seatSessionId,
      connected,
      timeBankMs: this.deps.settings.timeBankMs,
      sitOutHands: 0,
      sitOutSince: null,
      leaving: false,
      pendingTopUps: [],
      autoSitIn: false,
      pendingSit: false,
      pendingStack: 0,
      graceTimer: null,
    };
  }

  // ---- commands from players --------------------------------------------------------

  sit(caller: Caller, seat: number, buyIn: number, key: string): Promise<Ack<{ seat: number; stack: number; pending: boolean }>> {
    return this.command(async () => {
      if (this.closing) return errorAck('table/closed');
      if (this.seatOf(caller.userId) !== null) return errorAck('table/already_seated');
      if (!Number.isInteger(seat) || seat < 0 || seat >= this.table.maxSeats) return errorAck('seat/invalid');
      if (this.seatMeta.has(seat) || this.game.seats[seat]) return errorAck('seat/taken');
      const bought = await this.deps.ledger.buyIn({
        userId: caller.userId, tableId: this.id, seatIndex: seat, amount: BigInt(buyIn), idempotencyKey: key,
      });
      if (!bought.ok) return errorAck(bought.error.code as ErrorCode);
      const meta = this.newMeta({ ...caller, seatSessionId: bought.value.seatSessionId }, true);
      this.seatMeta.set(seat, meta);
      this.deps.output.seatChanged(caller.userId, this.id, true);
      this.deps.output.walletChanged(caller.userId, bought.value.walletBalance);
      if (isHandInProgress(this.game)) {
        meta.pendingSit = true;
        meta.pendingStack = buyIn;
        this.broadcastPlayers();
        return { ok: true, seat, stack: buyIn, pending: true };
      }
      this.step({ type: 'sit', seat, playerId: String(caller.userId), stack: buyIn });
      this.scheduleNextHand();
      return { ok: true, seat, stack: buyIn, pending: false };
    });
  }

  act(caller: Caller, action: ActionKind, amount: number | undefined, seq: number): Promise<Ack<{ seq: number }>> {
    const started = this.deps.clock.now();
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null || this.seatMeta.get(seat)!.pendingSit) return errorAck('table/not_seated');
      if (this.paused) return errorAck('table/paused');
      const meta = this.seatMeta.get(seat)!;
      const result = apply(this.game, { type: 'act', seat, action, ...(amount === undefined ? {} : { amount }), expectedSeq: seq });
      if (!result.ok) return errorAck(result.rejection.code);
      this.hand.chargeTimeBank(seat, meta);
      await this.afterStep(result.state, result.events, { type: 'act', seat, action, ...(amount === undefined ? {} : { amount }) });
      this.deps.metrics?.actionAck(action, (this.deps.clock.now() - started) / 1000);
      return { ok: true, seq: this.game.seq };
    });
  }

  sitOut(caller: Caller): Promise<Ack> {
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return errorAck('table/not_seated');
      return this.sitOutSeat(seat) ? { ok: true } : errorAck('seat/already_sitting_out');
    });
  }

  sitIn(caller: Caller): Promise<Ack> {
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return errorAck('table/not_seated');
      const meta = this.seatMeta.get(seat)!;
      if (meta.pendingSit) return { ok: true };
      const state = this.game.seats[seat];
      if (state && state.stack === 0 && meta.pendingTopUps.length === 0) return errorAck('funds/insufficient', 'Top up before sitting in.');
      if (!this.step({ type: 'sit_in', seat })) return errorAck('seat/already_sitting_in');
      meta.sitOutHands = 0;
      meta.sitOutSince = null;
      this.scheduleNextHand();
      return { ok: true };
    });
  }

  topUp(caller: Caller, amount: number, key: string): Promise<Ack<{ pending: boolean; stack?: number }>> {
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return errorAck('table/not_seated');
      const meta = this.seatMeta.get(seat)!;
      if (meta.leaving) return errorAck('table/leave_pending');
      if (isHandInProgress(this.game) || meta.pendingSit) {
        meta.pendingTopUps.push({ amount, key });
        return { ok: true, pending: true };
      }
      const done = await this.applyTopUp(seat, meta, amount, key);
      if (!done.ok) return done;
      this.scheduleNextHand();
      return { ok: true, pending: false, stack: done.stack };
    });
  }

  leave(caller: Caller): Promise<Ack<{ pending: boolean; cashedOut?: number }>> {
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return errorAck('table/not_seated');
      const meta = this.seatMeta.get(seat)!;
      // The engine seats and unseats only between hands, so any leave during a
      // hand (even by a player who was not dealt in) waits for the boundary.
      if (isHandInProgress(this.game) || meta.pendingSit) {
        meta.leaving = true;
        this.sitOutSeat(seat);
        this.broadcastPlayers();
        return { ok: true, pending: true };
      }
      const out = await this.removeSeat(seat, 'left');
      return out.ok ? { ok: true, pending: false, cashedOut: out.amount } : errorAck(out.code);
    });
  }

  chat(caller: Caller, text: string): Ack {
    const now = this.deps.clock.now();
    const recent = (this.chatTimes.get(caller.userId) ?? []).filter((t) => now - t < 10_000);
    if (recent.length >= this.deps.settings.chatPer10sMax) return errorAck('rate/limited');
    recent.push(now);
    this.chatTimes.set(caller.userId, recent);
    const message: ChatMessage = { tableId: this.id, userId: caller.userId, username: caller.username, text, at: now };
    this.deps.output.chat(this.id, message);
    return { ok: true };
  }

  /** The socket layer tells us when a seated user's last socket went away or came back. */
  connectionChanged(userId: number, connected: boolean): Promise<void> {
    return this.enqueue(async () => {
      const seat = this.seatOf(userId);
      if (seat === null) return;
      const meta = this.seatMeta.get(seat)!;
      meta.connected = connected;
      if (connected) {
        this.deps.clock.clearTimeout(meta.graceTimer);
        meta.graceTimer = null;
        if (meta.autoSitIn) {
          meta.autoSitIn = false;
          if (this.step({ type: 'sit_in', seat })) {
            meta.sitOutSince = null;
            this.scheduleNextHand();
          }
        }
      } else {
        this.startGrace(seat);
      }
      this.broadcastPlayers();
    }, () => undefined);
  }

  private startGrace(seat: number): void {
    const meta = this.seatMeta.get(seat);
    if (!meta) return;
    this.deps.clock.clearTimeout(meta.graceTimer);
    meta.graceTimer = this.deps.clock.setTimeout(() => {
      void this.enqueue(async () => {
        const current = this.seatMeta.get(seat);
        if (!current || current !== meta || meta.connected) return;
        meta.graceTimer = null;
        if (this.sitOutSeat(seat)) {
          this.deps.output.notice(meta.userId, { tableId: this.id, kind: 'sat_out', message: 'You were sat out after disconnecting.' });
        }
      }, () => undefined);
    }, this.deps.settings.disconnectGraceMs);
  }

  // ---- snapshots -------------------------------------------------------------------

  snapshot(userId: number | null): TableSnapshot {
    const seat = userId === null ? null : this.seatOf(userId);
    const engineSeat = seat !== null && !this.seatMeta.get(seat)!.pendingSit ? seat : null;
    const viewer: Viewer = engineSeat === null ? { kind: 'spectator' } : { kind: 'player', seat: engineSeat };
    const t = this.table;
    return {
      tableId: this.id,
      name: t.name,
      epoch: this.epoch,
      seq: this.game.seq,
      view: viewFor(this.game, viewer),
      players: this.players(),
      you: userId === null ? null : { userId, seat, legal: engineSeat === null ? null : legalActions(this.game, engineSeat) },
      clock: this.hand.clockView(),
      fairness: this.hand.fairnessView(),
      paused: this.paused,
      spectators: this.spectators,
      minBuyIn: t.minBuyIn,
      maxBuyIn: t.maxBuyIn,
      actionTimeoutMs: t.actionTimeoutMs,
    };
  }

  players(): SeatPlayer[] {
    return [...this.seatMeta.entries()]
      .sort(([a], [b]) => a - b)
      .map(([seat, m]) => ({ seat, userId: m.userId, username: m.username, connected: m.connected, timeBankMs: m.timeBankMs, leaving: m.leaving }));
  }

  // ---- engine steps and broadcasts ---------------------------------------------------------

  /** Applies a command that must not hand chips over (seating, sitting out); broadcasts it. */
  private step(command: Command): boolean {
    const result = apply(this.game, command);
    if (!result.ok) return false;
    this.game = result.state;
    this.hand.noteCommand(command);
    // Seat changes carry the people behind the seats (names, connection) in the same frame.
    const seating = command.type === 'sit' || command.type === 'leave';
    this.broadcast(result.events, seating ? [{ type: 'players', players: this.players() }] : []);
    return true;
  }

  /** Like step, for restore: no broadcast (nobody is connected yet). */
  private applyCommand(command: Command): boolean {
    const result = apply(this.game, command);
    if (!result.ok) {
      this.deps.log.warn({ tableId: this.id, command, rejection: result.rejection }, 'restore command rejected');
      return false;
    }
    this.game = result.state;
    return true;
  }

  /**
   * After an accepted act/timeout: if the hand is over, settle it first and
   * broadcast its last events only once the ledger has committed.
   */
  private async afterStep(next: GameState, events: GameEvent[], command: Command | null, extra: TableEvent[] = []): Promise<void> {
    this.game = next;
    if (command) this.hand.noteCommand(command);
    if (isHandInProgress(next)) {
      this.hand.armClock(this.seatMeta, (seat, seq) => this.onClockExpired(seat, seq));
      this.broadcast(events, [...extra, { type: 'clock', clock: this.hand.clockView() }]);
      return;
    }
    this.hand.disarmClock();
    const outcome = await this.settleWithRetry();
    if (outcome.kind === 'fatal') return;
    this.hand.maybeEquity(events);
    this.broadcast(events, [...extra, ...outcome.extraEvents]);
    await this.handBoundary();
  }

  private async settleWithRetry(): Promise<Exclude<HandOutcome, { kind: 'retry' }>> {
    let delay = this.deps.settings.settleRetryMs;
    for (;;) {
      const outcome = await this.hand.settle(this.seatMeta);
      if (outcome.kind === 'settled') {
        if (this.paused) {
          this.paused = false;
          this.deps.output.tableNotice(this.id, { tableId: this.id, kind: 'resumed', message: 'Settlement succeeded; play resumes.' });
        }
        this.deps.onHandSettled?.(this.id, outcome.potTotal);
        return outcome;
      }
      if (outcome.kind === 'fatal') {
        this.fatal(outcome.reason);
        return outcome;
      }
      if (this.stopped) return { kind: 'fatal', reason: 'stopped' };
      if (!this.paused) {
        this.paused = true;
        this.deps.output.tableNotice(this.id, { tableId: this.id, kind: 'paused', message: 'Saving the hand failed; retrying before play continues.' });
      }
      this.deps.log.warn({ tableId: this.id, reason: outcome.reason, delay }, 'settlement failed; retrying');
      await new Promise((resolve) => this.deps.clock.setTimeout(() => resolve(undefined), delay));
      delay = Math.min(delay * 2, this.deps.settings.settleRetryMsMax);
    }
  }

  /** Sends each viewer their projection of the events, all with the same seq. */
  private broadcast(events: GameEvent[], extra: TableEvent[] = []): void {
    const frameBase = { tableId: this.id, epoch: this.epoch, seq: this.game.seq };
    for (const [seat, meta] of this.seatMeta) {
      const inEngine = !meta.pendingSit && this.game.seats[seat]?.playerId === String(meta.userId);
      const viewer: Viewer = inEngine ? { kind: 'player', seat } : { kind: 'spectator' };
      this.deps.output.toUser(meta.userId, {
        ...frameBase,
        events: [...eventsFor(events, viewer), ...extra],
        legal: inEngine ? legalActions(this.game, seat) : null,
      });
    }
    this.deps.output.toSpectators(this.id, { ...frameBase, events: [...eventsFor(events, { kind: 'spectator' }), ...extra] });
  }

  /** Seat metadata changed without an engine step: send it with the current seq. */
  private broadcastPlayers(): void {
    this.broadcast([], [{ type: 'players', players: this.players() }]);
  }

  // ---- the action clock ----------------------------------------------------------------

  private onClockExpired(seat: number, token: number): void {
    void this.enqueue(async () => {
      if (!this.hand.isCurrentClock(token) || this.game.toAct !== seat || this.paused) return;
      const meta = this.seatMeta.get(seat);
      if (meta && this.hand.useTimeBank(seat, meta)) {
        this.hand.armClock(this.seatMeta, (s, q) => this.onClockExpired(s, q), true);
        this.broadcast([], [{ type: 'clock', clock: this.hand.clockView() }]);
        return;
      }
      if (meta) this.hand.chargeTimeBank(seat, meta);
      const result = apply(this.game, { type: 'timeout', seat });
      if (!result.ok) return;
      await this.afterStep(result.state, result.events, { type: 'timeout', seat });
      if (this.seatMeta.get(seat) === meta && !this.stopped) {
        if (this.sitOutSeat(seat) && meta) {
          this.deps.output.notice(meta.userId, { tableId: this.id, kind: 'sat_out', message: 'You ran out of time and were sat out.' });
        }
      }
    }, () => undefined);
  }

  /** Sits a seat out (engine) and starts counting; false if it already sat out. */
  private sitOutSeat(seat: number): boolean {
    const meta = this.seatMeta.get(seat);
    if (!meta || meta.pendingSit) return false;
    const state = this.game.seats[seat];
    if (!state || state.sittingOut) return false;
    if (!this.step({ type: 'sit_out', seat })) return false;
    meta.sitOutSince = this.deps.clock.now();
    meta.sitOutHands = 0;
    if (this.game.toAct === seat && isHandInProgress(this.game)) {
      // Their turn now runs on the short sitting-out clock.
      this.hand.armClock(this.seatMeta, (s, q) => this.onClockExpired(s, q));
      this.broadcast([], [{ type: 'clock', clock: this.hand.clockView() }]);
    }
    return true;
  }

  // ---- hand boundaries -------------------------------------------------------------------

  /**
   * Between hands: pending leaves (cash-outs), joins and top-ups take effect;
   * long sit-outs are removed; then the next hand is scheduled.
   */
  private async handBoundary(): Promise<void> {
    for (const [seat, meta] of [...this.seatMeta]) {
      if (meta.leaving || this.closing) {
        await this.removeSeat(seat, this.closing ? 'closed' : 'left');
        continue;
      }
      if (meta.pendingSit) {
        meta.pendingSit = false;
        this.step({ type: 'sit', seat, playerId: String(meta.userId), stack: meta.pendingStack });
      }
      for (const topUp of meta.pendingTopUps.splice(0)) await this.applyTopUp(seat, meta, topUp.amount, topUp.key);
      await this.expireSitOut(seat, meta);
    }
    if (this.closing && this.seatMeta.size === 0) {
      this.deps.output.tableNotice(this.id, { tableId: this.id, kind: 'closed', message: 'The table is closed.' });
      return;
    }
    this.scheduleNextHand();
  }

  private async expireSitOut(seat: number, meta: SeatMeta): Promise<void> {
    const state = this.game.seats[seat];
    if (!state) return;
    if (state.stack === 0 && !state.sittingOut) this.sitOutSeat(seat);
    if (!this.game.seats[seat]?.sittingOut) return;
    const since = meta.sitOutSince ?? this.deps.clock.now();
    if (meta.sitOutHands >= this.deps.settings.sitOutHandsMax || this.deps.clock.now() - since >= this.deps.settings.sitOutMsMax) {
      const out = await this.removeSeat(seat, 'removed');
      if (out.ok) this.deps.output.notice(meta.userId, { tableId: this.id, kind: 'removed', message: 'You sat out too long and were cashed out.' });
    }
  }

  private async applyTopUp(seat: number, meta: SeatMeta, amount: number, key: string): Promise<{ ok: true; stack: number } | { ok: false; error: { code: ErrorCode; message: string } }> {
    const done = await this.deps.ledger.topUp({ seatSessionId: meta.seatSessionId, amount: BigInt(amount), idempotencyKey: key });
    if (!done.ok) {
      this.deps.output.notice(meta.userId, { tableId: this.id, kind: 'info', message: `Top-up refused: ${done.error.message}` });
      return errorAck(done.error.code as ErrorCode);
    }
    this.step({ type: 'add_chips', seat, amount });
    this.deps.output.walletChanged(meta.userId, done.value.walletBalance);
    return { ok: true, stack: Number(done.value.stack) };
  }

  /** Cash-out first (commit), then the engine and the broadcast. */
  private async removeSeat(seat: number, why: 'left' | 'removed' | 'closed'): Promise<{ ok: true; amount: number } | { ok: false; code: ErrorCode }> {
    const meta = this.seatMeta.get(seat)!;
    const out = await this.deps.ledger.cashOut({ seatSessionId: meta.seatSessionId, idempotencyKey: `cashout:${meta.seatSessionId}` });
    if (!out.ok && out.error.code !== 'seat/closed') {
      this.deps.log.error({ tableId: this.id, seat, error: out.error }, 'cash-out failed');
      return { ok: false, code: out.error.code as ErrorCode };
    }
    this.deps.clock.clearTimeout(meta.graceTimer);
    this.seatMeta.delete(seat);
    if (this.game.seats[seat]) {
      if (!this.step({ type: 'leave', seat })) throw new Error(`engine refused to unseat seat ${seat} after its cash-out`);
    } else {
      this.broadcastPlayers();
    }
    this.deps.output.seatChanged(meta.userId, this.id, false);
    if (out.ok) this.deps.output.walletChanged(meta.userId, out.value.walletBalance);
    this.deps.log.info({ tableId: this.id, seat, userId: meta.userId, why }, 'seat removed');
    return { ok: true, amount: out.ok ? Number(out.value.amount) : 0 };
  }

  private scheduleNextHand(): void {
    if (this.nextHandTimer !== null || this.stopped || this.closing || this.paused) return;
    if (isHandInProgress(this.game) || this.readyPlayers() < 2) return;
    this.nextHandTimer = this.deps.clock.setTimeout(() => {
      this.nextHandTimer = null;
      void this.enqueue(() => this.startHand(), () => undefined);
    }, this.deps.settings.handIntervalMs);
  }

  private readyPlayers(): number {
    return this.game.seats.filter((s) => s && !s.sittingOut && s.stack > 0).length;
  }

  private async startHand(): Promise<void> {
    if (this.stopped || this.closing || this.paused || isHandInProgress(this.game) || this.readyPlayers() < 2) return;
    for (const [seat, meta] of this.seatMeta) if (this.game.seats[seat]?.sittingOut) meta.sitOutHands++;
    const started = this.hand.start();
    if (!started.ok) {
      this.deps.log.warn({ tableId: this.id, rejection: started.rejection }, 'could not start a hand');
      return;
    }
    // A hand can end inside start_hand (blinds put everyone all in and the
    // board runs out): then it settles right here, like any other last step.
    await this.afterStep(started.state, started.events, null, [
      { type: 'fairness_commitment', handId: started.handId, commitment: started.commitment },
    ]);
  }

  /**
   * Between hands nothing else would notice a player sitting out for too long
   * when no hands are being dealt (fewer than two players in): the registry
   * calls this every so often.
   */
  sweepIdle(): Promise<void> {
    return this.enqueue(async () => {
      if (isHandInProgress(this.game)) return;
      for (const [seat, meta] of [...this.seatMeta]) if (!meta.pendingSit) await this.expireSitOut(seat, meta);
    }, () => undefined);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** Close after the current hand: everyone is cashed out at the boundary. */
  close(): Promise<void> {
    return this.enqueue(async () => {
      this.closing = true;
      if (!isHandInProgress(this.game)) await this.handBoundary();
    }, () => undefined);
  }

  /** Stops timers and refuses further commands; an unsettled hand is simply void. */
  stop(): void {
    this.stopped = true;
    this.deps.clock.clearTimeout(this.nextHandTimer);
    this.hand.disarmClock();
    for (const meta of this.seatMeta.values()) this.deps.clock.clearTimeout(meta.graceTimer);
  }

  /** Resolves when every queued command has finished. */
  idle(): Promise<void> {
    return this.mailbox.then(() => undefined);
  }

  handInProgress(): boolean {
    return isHandInProgress(this.game);
  }

  private fatal(reason: string): void {
    if (this.stopped) return;
    this.deps.log.error({ tableId: this.id, reason }, 'table actor stopped; it will be rebuilt from the database');
    this.stop();
    this.deps.output.tableNotice(this.id, {
      tableId: this.id,
      kind: 'hand_cancelled',
      message: 'The table hit an error and is being restarted; the current hand is cancelled and every stack is as before it.',
    } satisfies TableNotice);
    this.deps.onFatal(this.id, reason);
  }
}
