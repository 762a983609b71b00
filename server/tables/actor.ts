import { randomUUID } from 'node:crypto';
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
import { serverKeys, storedServerKey, type KeyInput } from '../ledger/keys';
import type { BuyInResult, WithTransfer } from '../ledger/transactions';
import { HandRunner } from './hand';
import type { ActorDeps, Caller, PendingTopUp, SeatMeta } from './actor-types';
import type { OpenSeat, StoredIntent, TableRow } from './store';

export type { ActorDeps, Caller, SeatMeta } from './actor-types';

// One actor per table: an awaited mailbox in which every command, including
// its ledger commit, finishes before the next begins (STYLE 6). The engine is
// pure; this class owns the clock, the seats' people (who sits where, who is
// connected), the ledger calls at hand boundaries, and the broadcasts, which
// are sent only after any commit of the step succeeded (STYLE 7).
//
// Money rules kept here (docs/decisions/007-idempotency-key-scopes.md):
// - a request the ledger answers as `replayed` is answered with its first
//   result and changes nothing in memory;
// - after every money step the seat's stack in memory must equal its balance in
//   the ledger, or the actor stops and is rebuilt from the database;
// - a settlement that fails for a reason that will not go away voids the hand
//   (the table is rebuilt from the database, where every stack is as before it);
//   one that fails transiently is retried for at most settleRetryBudgetMs.

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
  /** True while a hand's settlement is being committed or retried: leave, sit-out and close then take effect without queuing. */
  private settling = false;
  private closing = false;
  /** 'now': the live hand is voided and everyone is cashed out at once; 'boundary': at the end of the hand. */
  private closeMode: 'now' | 'boundary' = 'boundary';
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
   * Seats the players the database says are at this table (after a restart or
   * a rebuild). A player who is not connected sits out until they come back,
   * so no hand is dealt to an empty chair. Requests that were waiting for a
   * hand boundary when the previous owner stopped (leave, top-up: kept in
   * seat_intents) are applied now, as at any boundary; a seat left with no
   * chips and nothing to top it up is cashed out (closed), so no seat session
   * stays open that the table does not seat.
   */
  restore(seats: OpenSeat[], intents: StoredIntent[]): Promise<void> {
    return this.enqueue(async () => {
      for (const seat of seats) {
        const mine = intents.filter((i) => i.seatSessionId === seat.seatSessionId);
        await this.restoreSeat(seat, mine);
      }
      if (this.table.closeRequested) {
        this.closing = true;
        this.closeMode = 'now';
      }
      await this.handBoundary();
    }, () => undefined);
  }

  private async restoreSeat(seat: OpenSeat, intents: StoredIntent[]): Promise<void> {
    const meta = this.newMeta(seat, this.deps.output.isConnected?.(seat.userId) ?? false);
    for (const intent of intents) {
      if (intent.kind === 'LEAVE') meta.leaving = true;
      else meta.pendingTopUps.push(restoredTopUp(intent));
    }
    let stack = seat.stack;
    if (stack === 0n && !meta.leaving) {
      // A seat that busted just before the stop: its top-ups (if any) come first.
      for (const topUp of meta.pendingTopUps.splice(0)) {
        const done = await this.deps.ledger.topUp({ seatSessionId: seat.seatSessionId, amount: BigInt(topUp.amount), idempotencyKey: topUp.key });
        if (topUp.intentId !== null) await this.deps.intents.remove(topUp.intentId);
        if (done.ok) stack = done.value.stack;
      }
    }
    if (stack === 0n || meta.leaving) {
      await this.cashOutUnseated(meta, stack === 0n ? 'empty seat at restart' : 'left');
      return;
    }
    if (!this.applyCommand({ type: 'sit', seat: seat.seatIndex, playerId: String(seat.userId), stack: Number(stack) })) return;
    if (!meta.connected) {
      this.applyCommand({ type: 'sit_out', seat: seat.seatIndex });
      meta.autoSitIn = true;
      meta.sitOutSince = this.deps.clock.now();
    }
    this.seatMeta.set(seat.seatIndex, meta);
    this.deps.output.seatChanged(seat.userId, this.id, true);
  }

  /** Cash-out of a seat session that the engine does not seat (restore): closes it for good. */
  private async cashOutUnseated(meta: SeatMeta, why: string): Promise<void> {
    const out = await this.deps.ledger.cashOut({ seatSessionId: meta.seatSessionId, reason: why });
    if (!out.ok && out.error.code !== 'seat/closed') {
      throw new Error(`cash-out of seat session ${meta.seatSessionId} failed at restore: ${out.error.code}`);
    }
    await this.deps.intents.removeAllOf(meta.seatSessionId);
    if (out.ok && !out.value.replayed) this.deps.output.walletChanged(meta.userId, out.value.walletBalance);
    this.deps.log.info({ tableId: this.id, userId: meta.userId, why }, 'seat closed at restore');
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
      sitOutAfterHand: false,
      pendingTopUps: [],
      autoSitIn: false,
      pendingSit: false,
      pendingStack: 0,
      clientSeed: null,
      graceTimer: null,
    };
  }

  // ---- commands from players --------------------------------------------------------

  /**
   * Buys in and takes a seat. The ledger decides first (its idempotency
   * look-up comes before any check): a replay of an earlier sit is answered
   * with that sit's result and seats nobody a second time.
   */
  sit(caller: Caller, seat: number, buyIn: number, key: string | undefined): Promise<Ack<{ seat: number; stack: number; pending: boolean }>> {
    return this.command(async () => {
      if (this.closing) return errorAck('table/closed');
      if (!Number.isInteger(seat) || seat < 0 || seat >= this.table.maxSeats) return errorAck('seat/invalid');
      const seatedAt = this.seatOf(caller.userId);
      // Without a key nothing can be a replay: answer from memory, sparing the database.
      if (key === undefined && seatedAt !== null) return errorAck('table/already_seated');
      if (key === undefined && this.seatMeta.has(seat)) return errorAck('seat/taken');
      const bought = await this.deps.ledger.buyIn({
        userId: caller.userId, tableId: this.id, seatIndex: seat, amount: BigInt(buyIn),
        idempotencyKey: key ?? serverKeys.sit(randomUUID()),
      });
      if (!bought.ok) {
        const seatedHere = seatedAt !== null && (bought.error.code === 'seat/taken' || bought.error.code === 'seat/already_seated');
        return errorAck(seatedHere || bought.error.code === 'seat/already_seated' ? 'table/already_seated' : bought.error.code);
      }
      if (bought.value.replayed) return this.answerSitReplay(caller, bought.value);
      if (seatedAt !== null || this.seatMeta.has(seat)) {
        this.fatal(`the ledger opened seat ${seat} for user ${caller.userId}, which the table holds`);
        return errorAck('internal');
      }
      return this.seatBoughtIn(caller, seat, buyIn, bought.value);
    });
  }

  private answerSitReplay(caller: Caller, first: WithTransfer<BuyInResult>): Ack<{ seat: number; stack: number; pending: boolean }> {
    for (const [seat, meta] of this.seatMeta) {
      if (meta.seatSessionId === first.seatSessionId && meta.userId === caller.userId) {
        return { ok: true, seat, stack: Number(first.stack), pending: meta.pendingSit };
      }
    }
    return errorAck('seat/closed', 'That sit request was already used, and the seat it opened is closed.');
  }

  private seatBoughtIn(caller: Caller, seat: number, buyIn: number, bought: BuyInResult): Ack<{ seat: number; stack: number; pending: boolean }> {
    const meta = this.newMeta({ ...caller, seatSessionId: bought.seatSessionId }, true);
    this.seatMeta.set(seat, meta);
    this.deps.output.seatChanged(caller.userId, this.id, true);
    this.deps.output.walletChanged(caller.userId, bought.walletBalance);
    if (isHandInProgress(this.game)) {
      meta.pendingSit = true;
      meta.pendingStack = buyIn;
      if (!this.assertStack(seat, bought.stack, 'buy-in')) return errorAck('internal');
      this.broadcastPlayers();
      return { ok: true, seat, stack: buyIn, pending: true };
    }
    this.step({ type: 'sit', seat, playerId: String(caller.userId), stack: buyIn });
    if (!this.assertStack(seat, bought.stack, 'buy-in')) return errorAck('internal');
    this.scheduleNextHand();
    return { ok: true, seat, stack: buyIn, pending: false };
  }

  act(caller: Caller, action: ActionKind, amount: number | undefined, seq: number): Promise<Ack<{ seq: number }>> {
    const started = this.deps.clock.now();
    // Refused at the door: queuing actions behind a settlement being retried helps nobody.
    if (this.paused) return Promise.resolve(errorAck('table/paused'));
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
    if (this.settling) {
      // Never starved behind a settlement being retried: noted now, applied at the boundary.
      const seat = this.seatOf(caller.userId);
      if (seat === null) return Promise.resolve(errorAck('table/not_seated'));
      this.seatMeta.get(seat)!.sitOutAfterHand = true;
      return Promise.resolve({ ok: true });
    }
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

  /**
   * Wallet to seat. During a hand it waits for the boundary (kept in
   * seat_intents, so it survives a restart). A replay of a top-up, pending or
   * done, is answered and never added twice.
   */
  topUp(caller: Caller, amount: number, key: string | undefined): Promise<Ack<{ pending: boolean; stack?: number }>> {
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return errorAck('table/not_seated');
      const meta = this.seatMeta.get(seat)!;
      if (meta.leaving) return errorAck('table/leave_pending');
      const keyInput: KeyInput = key ?? serverKeys.topUp(randomUUID());
      if (isHandInProgress(this.game) || meta.pendingSit) return this.queueTopUp(meta, amount, keyInput);
      const done = await this.applyTopUp(seat, meta, { amount, key: keyInput, intentId: null });
      if (!done.ok) return done;
      this.scheduleNextHand();
      return { ok: true, pending: false, stack: done.stack };
    });
  }

  private async queueTopUp(meta: SeatMeta, amount: number, key: KeyInput): Promise<Ack<{ pending: boolean }>> {
    const twin = typeof key === 'string' ? meta.pendingTopUps.find((p) => p.key === key) : undefined;
    if (twin) return twin.amount === amount ? { ok: true, pending: true } : errorAck('idempotency/key_reused');
    const intentId = await this.deps.intents.add({
      seatSessionId: meta.seatSessionId, kind: 'TOP_UP', amount: BigInt(amount),
      keyScope: typeof key === 'string' ? 'CLIENT' : 'SERVER', key: typeof key === 'string' ? key : key.key,
    });
    meta.pendingTopUps.push({ amount, key, intentId });
    return { ok: true, pending: true };
  }

  leave(caller: Caller): Promise<Ack<{ pending: boolean; cashedOut?: number }>> {
    if (this.settling) {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return Promise.resolve(errorAck('table/not_seated'));
      return this.markLeaving(seat);
    }
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return errorAck('table/not_seated');
      const meta = this.seatMeta.get(seat)!;
      // The engine seats and unseats only between hands, so any leave during a
      // hand (even by a player who was not dealt in) waits for the boundary.
      if (isHandInProgress(this.game) || meta.pendingSit) {
        const marked = await this.markLeaving(seat);
        this.sitOutSeat(seat);
        return marked;
      }
      const out = await this.removeSeat(seat, 'left');
      return out.ok ? { ok: true, pending: false, cashedOut: out.amount } : errorAck(out.code);
    });
  }

  /** Notes a leave for the boundary, in memory and in seat_intents (it survives a restart). */
  private async markLeaving(seat: number): Promise<Ack<{ pending: boolean }>> {
    const meta = this.seatMeta.get(seat)!;
    if (!meta.leaving) {
      meta.leaving = true;
      await this.deps.intents.add({ seatSessionId: meta.seatSessionId, kind: 'LEAVE', amount: null, keyScope: null, key: null });
      this.broadcastPlayers();
    }
    return { ok: true, pending: true };
  }

  /** The player's own seed for the shuffle of the hands dealt to them, from the next hand on (docs/fairness.md). */
  setClientSeed(caller: Caller, seed: string): Promise<Ack> {
    return this.command(async () => {
      const seat = this.seatOf(caller.userId);
      if (seat === null) return errorAck('table/not_seated');
      this.seatMeta.get(seat)!.clientSeed = seed;
      return { ok: true };
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
      nextCommitment: this.hand.nextCommitment(),
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
    if (outcome.kind === 'void') return;
    this.hand.maybeEquity(events);
    this.broadcast(events, [...extra, ...outcome.extraEvents]);
    await this.handBoundary();
  }

  /**
   * Settles the finished hand. Transient failures are retried, paused, for at
   * most settleRetryBudgetMs; a failure that will not go away (or the budget
   * running out) voids the hand: the table is rebuilt from the database, where
   * every stack is as it was before the hand.
   */
  private async settleWithRetry(): Promise<{ kind: 'settled'; extraEvents: TableEvent[] } | { kind: 'void' }> {
    const started = this.deps.clock.now();
    let delay = this.deps.settings.settleRetryMs;
    this.settling = true;
    try {
      for (;;) {
        const outcome = await this.hand.settle(this.seatMeta);
        if (outcome.kind === 'settled') {
          this.resumeIfPaused();
          this.deps.onHandSettled?.(this.id, outcome.potTotal);
          return outcome;
        }
        if (this.stopped) return { kind: 'void' };
        const elapsed = this.deps.clock.now() - started;
        if (outcome.kind === 'void' || elapsed + delay > this.deps.settings.settleRetryBudgetMs) {
          if (outcome.kind === 'void') this.voidHand(outcome.code, outcome.reason);
          else this.voidHand('retries_exhausted', `settlement still failing after ${elapsed} ms: ${outcome.reason}`);
          return { kind: 'void' };
        }
        this.pause();
        this.deps.log.warn({ tableId: this.id, reason: outcome.reason, delay }, 'settlement failed; retrying');
        await new Promise((resolve) => this.deps.clock.setTimeout(() => resolve(undefined), delay));
        delay = Math.min(delay * 2, this.deps.settings.settleRetryMsMax);
      }
    } finally {
      this.settling = false;
    }
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.deps.output.tableNotice(this.id, { tableId: this.id, kind: 'paused', message: 'Saving the hand failed; retrying before play continues.' });
  }

  private resumeIfPaused(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deps.output.tableNotice(this.id, { tableId: this.id, kind: 'resumed', message: 'Settlement succeeded; play resumes.' });
  }

  /** An incident: logged, counted, told to the players; the table is rebuilt from the database. */
  private voidHand(code: string, reason: string): void {
    this.deps.log.error({ tableId: this.id, handId: this.game.handId, code, reason }, 'hand voided: its settlement cannot be committed');
    this.deps.metrics?.handVoided?.(code);
    this.fatal(`hand voided: ${reason}`);
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
   * long sit-outs are removed; a closing table cashes everyone out and closes;
   * then the next hand is scheduled.
   */
  private async handBoundary(): Promise<void> {
    for (const [seat, meta] of [...this.seatMeta]) {
      if (this.stopped) return;
      if (meta.leaving || this.closing) {
        await this.removeSeat(seat, this.closing ? 'closed' : 'left');
        continue;
      }
      if (meta.pendingSit) {
        meta.pendingSit = false;
        this.step({ type: 'sit', seat, playerId: String(meta.userId), stack: meta.pendingStack });
      }
      for (const topUp of meta.pendingTopUps.splice(0)) await this.applyTopUp(seat, meta, topUp);
      if (meta.sitOutAfterHand) {
        meta.sitOutAfterHand = false;
        this.sitOutSeat(seat);
      }
      await this.expireSitOut(seat, meta);
    }
    if (this.closing) {
      await this.finishClose();
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

  /** A top-up through the ledger; a replay (done before, even before a restart) changes nothing here. */
  private async applyTopUp(seat: number, meta: SeatMeta, topUp: PendingTopUp): Promise<{ ok: true; stack: number } | { ok: false; error: { code: ErrorCode; message: string } }> {
    const done = await this.deps.ledger.topUp({ seatSessionId: meta.seatSessionId, amount: BigInt(topUp.amount), idempotencyKey: topUp.key });
    if (topUp.intentId !== null) await this.deps.intents.remove(topUp.intentId);
    if (!done.ok) {
      this.deps.output.notice(meta.userId, { tableId: this.id, kind: 'info', message: `Top-up refused: ${done.error.message}` });
      return errorAck(done.error.code);
    }
    if (done.value.replayed) return { ok: true, stack: Number(done.value.stack) };
    this.step({ type: 'add_chips', seat, amount: topUp.amount });
    if (!this.assertStack(seat, done.value.stack, 'top-up')) return errorAck('internal');
    this.deps.output.walletChanged(meta.userId, done.value.walletBalance);
    return { ok: true, stack: Number(done.value.stack) };
  }

  /** Cash-out first (commit), then the engine and the broadcast. */
  private async removeSeat(seat: number, why: 'left' | 'removed' | 'closed'): Promise<{ ok: true; amount: number } | { ok: false; code: ErrorCode }> {
    const meta = this.seatMeta.get(seat)!;
    const out = await this.deps.ledger.cashOut({ seatSessionId: meta.seatSessionId, reason: why });
    if (!out.ok && out.error.code !== 'seat/closed') {
      this.deps.log.error({ tableId: this.id, seat, error: out.error }, 'cash-out failed');
      return { ok: false, code: out.error.code };
    }
    // The whole seat balance left the ledger: it must be what the table held for this seat.
    if (out.ok && !out.value.replayed && !this.assertStack(seat, out.value.amount, 'cash-out')) return { ok: false, code: 'internal' };
    await this.deps.intents.removeAllOf(meta.seatSessionId);
    const dropped = meta.pendingTopUps.length;
    this.deps.clock.clearTimeout(meta.graceTimer);
    this.seatMeta.delete(seat);
    if (this.game.seats[seat]) {
      if (!this.step({ type: 'leave', seat })) throw new Error(`engine refused to unseat seat ${seat} after its cash-out`);
    } else {
      this.broadcastPlayers();
    }
    this.deps.output.seatChanged(meta.userId, this.id, false);
    if (out.ok) this.deps.output.walletChanged(meta.userId, out.value.walletBalance);
    if (dropped > 0) {
      this.deps.output.notice(meta.userId, { tableId: this.id, kind: 'info', message: 'Your pending top-up was cancelled because you left the table.' });
    }
    this.deps.log.info({ tableId: this.id, seat, userId: meta.userId, why }, 'seat removed');
    return { ok: true, amount: out.ok ? Number(out.value.amount) : 0 };
  }

  /**
   * The invariant, asserted after every money step (STYLE 4): the chips the
   * table holds for a seat equal the seat's balance in the ledger. Between
   * hands that is the engine's stack; for a seat waiting for the boundary, its
   * pending stack. A mismatch stops the actor; it is rebuilt from the database.
   */
  private assertStack(seat: number, ledgerStack: bigint, what: string): boolean {
    const memory = this.memoryStackOf(seat);
    if (memory !== null && BigInt(memory) === ledgerStack) return true;
    this.fatal(`${what}: the ledger holds ${ledgerStack} for seat ${seat} but the table holds ${memory}`);
    return false;
  }

  /** What the ledger should hold for a seat now: its stack plus what it put in the live hand. */
  private memoryStackOf(seat: number): number | null {
    const meta = this.seatMeta.get(seat);
    if (!meta) return null;
    if (meta.pendingSit) return meta.pendingStack;
    const state = this.game.seats[seat];
    if (!state) return null;
    return state.stack + (isHandInProgress(this.game) ? state.committed : 0);
  }

  /** Every seat's stack as this table holds it, for comparing with the ledger (tests, audits). */
  memoryStacks(): { seat: number; seatSessionId: bigint; stack: number }[] {
    return [...this.seatMeta.entries()].map(([seat, meta]) => ({ seat, seatSessionId: meta.seatSessionId, stack: this.memoryStackOf(seat) ?? -1 }));
  }

  private scheduleNextHand(): void {
    if (this.nextHandTimer !== null || this.stopped || this.closing || this.paused) return;
    if (isHandInProgress(this.game) || this.readyPlayers() < 2) return;
    this.nextHandTimer = this.deps.clock.setTimeout(() => {
      this.nextHandTimer = null;
      void this.enqueue(() => this.startHand(), () => undefined);
    }, this.deps.settings.handIntervalMs);
  }

  /** The client seeds of the players about to be dealt in (those the engine deals: in, with chips). */
  private clientSeeds(): { seat: number; seed: string }[] {
    const seeds: { seat: number; seed: string }[] = [];
    for (const [seat, meta] of this.seatMeta) {
      const state = this.game.seats[seat];
      if (meta.clientSeed !== null && state && !state.sittingOut && state.stack > 0) seeds.push({ seat, seed: meta.clientSeed });
    }
    return seeds.sort((a, b) => a.seat - b.seat);
  }

  private readyPlayers(): number {
    return this.game.seats.filter((s) => s && !s.sittingOut && s.stack > 0).length;
  }

  private async startHand(): Promise<void> {
    if (this.stopped || this.closing || this.paused || isHandInProgress(this.game) || this.readyPlayers() < 2) return;
    for (const [seat, meta] of this.seatMeta) if (this.game.seats[seat]?.sittingOut) meta.sitOutHands++;
    const started = this.hand.start(this.clientSeeds());
    if (!started.ok) {
      this.deps.log.warn({ tableId: this.id, rejection: started.rejection }, 'could not start a hand');
      return;
    }
    // A hand can end inside start_hand (blinds put everyone all in and the
    // board runs out): then it settles right here, like any other last step.
    await this.afterStep(started.state, started.events, null, [started.fairness]);
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

  /**
   * Closes the table: at the end of the current hand (everyone is cashed out
   * at the boundary), or, with `now`, at once: the live hand is voided (no
   * chip of it was committed, so every stack is as before it) and everyone is
   * cashed out. The table is marked CLOSED in the ledger only once no seat is
   * open. Sits are refused from the moment this is called.
   */
  close(options: { now?: boolean } = {}): Promise<{ pending: boolean }> {
    this.closing = true;
    if (options.now) this.closeMode = 'now';
    return this.enqueue(async () => {
      await this.closeStep();
      return { pending: !this.stopped };
    }, () => ({ pending: false }));
  }

  private async closeStep(): Promise<void> {
    if (this.stopped) return;
    if (!isHandInProgress(this.game)) {
      await this.handBoundary();
      return;
    }
    if (this.closeMode !== 'now') return; // the boundary will do it
    this.hand.abandon();
    this.clearTimer();
    this.deps.output.tableNotice(this.id, {
      tableId: this.id, kind: 'hand_cancelled', message: 'The table is closing; this hand is cancelled and every stack is as before it.',
    });
    for (const [seat, meta] of [...this.seatMeta]) {
      const out = await this.deps.ledger.cashOut({ seatSessionId: meta.seatSessionId, reason: 'closed' });
      if (!out.ok && out.error.code !== 'seat/closed') {
        this.deps.log.error({ tableId: this.id, seat, error: out.error }, 'cash-out at close failed');
        continue;
      }
      await this.deps.intents.removeAllOf(meta.seatSessionId);
      this.deps.clock.clearTimeout(meta.graceTimer);
      this.seatMeta.delete(seat);
      this.deps.output.seatChanged(meta.userId, this.id, false);
      if (out.ok) this.deps.output.walletChanged(meta.userId, out.value.walletBalance);
    }
    await this.finishClose();
  }

  /** The last step of closing: CLOSED in the ledger once no seat is open; retried until then. */
  private async finishClose(): Promise<void> {
    const closed = this.seatMeta.size === 0
      ? await this.deps.ledger.closeTable({ tableId: this.id, ownerEpoch: this.table.ownerEpoch })
      : null;
    if (!closed?.ok) {
      this.deps.log.warn({ tableId: this.id, seats: this.seatMeta.size, error: closed?.error }, 'table not closed yet; trying again');
      this.nextHandTimer = this.deps.clock.setTimeout(() => {
        this.nextHandTimer = null;
        void this.enqueue(() => this.closeStep(), () => undefined);
      }, this.deps.settings.settleRetryMsMax);
      return;
    }
    this.deps.output.tableNotice(this.id, { tableId: this.id, kind: 'closed', message: 'The table is closed.' });
    this.stop();
    this.deps.onClosed?.(this.id);
  }

  private clearTimer(): void {
    this.deps.clock.clearTimeout(this.nextHandTimer);
    this.nextHandTimer = null;
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

function restoredTopUp(intent: StoredIntent): PendingTopUp {
  const key: KeyInput = intent.keyScope === 'SERVER' ? storedServerKey(intent.key!) : intent.key!;
  return { amount: Number(intent.amount), key, intentId: intent.id };
}
