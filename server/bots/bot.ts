import { performance } from 'node:perf_hooks';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { LegalActions } from '../poker';
import { createTableFeed, type Ack, type FeedOutcome, type PrivateFrame, type SeatPlayer, type TableEvent, type TableFrame, type TableNotice, type TableSnapshot } from '../protocol';
import { BotTokenRefused, HttpSession, ServerUnreachable, type ApiBody } from './http';
import type { BotRunOptions } from './options';
import type { Stats } from './stats';
import type { Decision, Strategy } from './strategy';

// One player bot: an ordinary client of the public protocol. HTTP for the
// account (the bot route), chips and the wallet; one Socket.IO connection for
// the table. It follows the table with the table feed (server/protocol/table-feed.ts),
// asks for a snapshot when the feed says frames were missed (and after a stale
// action), acts only on frames whose `legal` is non-null with that frame's seq,
// reads its cards and the board from the feed's view, tops up when short, sits back in
// when sat out, and can churn: drop its connection, reconnect, or leave and
// rejoin. Everything is event-driven; no per-bot polling while playing.

export interface TableInfo {
  id: number;
  maxSeats: number;
  minBuyIn: number;
  maxBuyIn: number;
  bigBlind: number;
}

export interface BotContext {
  options: BotRunOptions;
  stats: Stats;
  strategy: Strategy;
  random: () => number;
  stopping: boolean;
  noteHandSettled(tableId: number, handNumber: number): void;
}

/** Buy-ins a bot keeps in its wallet for top-ups and rejoins. */
const WALLET_BUY_INS = 10;
/** Largest single purchase (the server's CHIP_PURCHASE_MAX_CENTS default), in cents. */
const PURCHASE_CENTS_MAX = 1_000_000;
const PURCHASE_CENTS_MIN = 100;
/** A socket (re)connection not done within this fails the set-up or the leave. */
const CONNECT_TIMEOUT_MS = 20_000;
/** Sitting and leaving wait for the table's mailbox and a ledger transfer: on a saturated server that can take a while. */
const SIT_TIMEOUT_MS = 120_000;
/** How many times a top-up whose answer was lost is sent again with its key. */
const TOP_UP_RESENDS = 3;
/** Ack errors that say nothing of what the server did with the request. */
const OUTCOME_UNKNOWN = new Set(['client/disconnected', 'ack/timeout']);
const TRACE = process.env.BOTS_TRACE === '1';
/**
 * The bot keeps under the server's per-socket budget (50 messages/s, bursts of
 * 100: server/protocol/token-bucket.ts) with a wide margin, delaying rather than
 * being refused with rate/limited on a fast table.
 */
const SEND_RATE_PER_S = 16;
const SEND_BURST = 30;

class SendBudget {
  private tokens = SEND_BURST;
  private at = performance.now();

  /** Whether a message could go now, without taking its token. */
  canSendNow(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  /** 0 when a message may go now (and takes its token), else the ms to wait before asking again. */
  delayMs(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / SEND_RATE_PER_S);
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(SEND_BURST, this.tokens + ((now - this.at) / 1000) * SEND_RATE_PER_S);
    this.at = now;
  }
}
const CHAT_LINES = ['gg', 'nh', 'wp', 'ty', 'lol', 'ouch', 'nice hand'];
/** Refusals our own leave explains when it overtook the request (the seat left, or is leaving). */
const LEAVE_OVERTAKES: ReadonlySet<string> = new Set(['table/leave_pending', 'table/not_seated']);

type AnyAck = Ack<Record<string, unknown>>;
/** An ack as the bot sees it: the server's codes plus the client's own (client/disconnected, ack/timeout). */
type BotAck<T extends object> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

export function socketOptions(cookie: string): Partial<ManagerOptions & SocketOptions> {
  return {
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie } : {},
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 2_000,
    timeout: CONNECT_TIMEOUT_MS,
  };
}

export interface HandItem {
  handId: string;
  rake: number;
  net: number;
}

export class PlayerBot {
  readonly http: HttpSession;
  userId = 0;
  socket: Socket | null = null;
  seat: number | null = null;
  /** Chips in wallet + seats before the run, bought during it, and after leaving. */
  initialChips = 0;
  boughtChips = 0;
  finalWallet: number | null = null;
  finalSeats: { tableId: number; stack: number }[] = [];
  /** Newest hand of this bot before the run: the hands after it are the run's. */
  handMarker: bigint | null = null;
  churning = false;

  /** The watched table; no snapshot (feed.epoch null) while (re)watching. */
  private readonly feed = createTableFeed();
  private resyncing = false;
  private resyncAgain = false;
  private actedSeq = -1;
  /**
   * The newest seq (in this epoch) at which the table accepted an act of ours. A
   * snapshot asked for right after an act can be answered before the table's
   * mailbox applies that act, and then offers us the same turn again: acting on it
   * would send a second act at that seq, refused seq/stale (seen in resyncs).
   */
  private accepted = { epoch: -1, seq: -1 };
  inflight: { seq: number; startedMs: number } | null = null;
  /**
   * The newest legal options seen while an act was in flight. The server sends
   * the next frame before the ack, so when our action closes a street and we
   * open the next one, our turn arrives before the ack: act on it afterwards.
   */
  private deferred: { seq: number; legal: LegalActions } | null = null;
  private readonly budget = new SendBudget();
  private stack = 0;
  private wallet = 0;
  /**
   * One top-up at a time: set when one is decided, cleared when it is resolved: refused,
   * applied at once (its ack), or, if the table queued it for the end of the hand (ack
   * `pending`), applied (`chips_added`) or refused (`info`) there. Only then may another
   * go out: a late ack or `chips_added` of an earlier top-up must not clear it for a later
   * one (that let a reload and a top-up overlap and the second exceed the maximum).
   */
  private topUpInFlight = false;
  /** The top-up in flight was queued by the table for the end of the hand. */
  private topUpQueued = false;
  private wantSitIn = false;
  /** The table holds our seat until its big blind (decision 029): sitting in again changes nothing. */
  private waitingForBigBlind = false;
  private leaving = false;
  /** The table accepted our leave: the next wallet push is the cash-out. */
  private leaveAcked = false;
  private seatGoneWaiters: (() => void)[] = [];
  private expectDisconnect = false;
  private churnTimer: ReturnType<typeof setTimeout> | null = null;
  private keyCounter = 0;
  // Churn bookkeeping: a resume is "kept playing" once an action is acknowledged after it.
  reconnects = 0;
  /** Reconnections while seated (and not leaving): each must find the bot at its seat. */
  seatedReconnects = 0;
  resumes = 0;
  resumeMisses = 0;
  /** Reconnections that found the table had cashed the bot out meanwhile (sat out too long). */
  removedWhileAway = 0;
  /** What each miss looked like (expected seat, what the snapshot said, the trace before it). */
  readonly missDetails: string[] = [];
  resumedThenActed = 0;
  private awaitingActAfterResume = false;
  /** Last few things this bot did, for the stall report (BOTS_TRACE=1). */
  readonly trace: string[] = [];

  constructor(
    readonly name: string,
    readonly table: TableInfo,
    readonly wantedSeat: number,
    private readonly ctx: BotContext,
  ) {
    this.http = new HttpSession(ctx.options.url);
  }

  /** Takes a function so that a run without tracing builds no string (it is called on every frame). */
  note(what: () => string): void {
    if (!TRACE) return;
    this.trace.push(`${Date.now() % 100_000} ${what()}`);
    if (this.trace.length > 40) this.trace.shift();
  }

  private key(kind: string): string {
    return `${this.name}-${kind}-${Date.now().toString(36)}-${++this.keyCounter}`;
  }

  // ---- set-up ------------------------------------------------------------------------

  /** Account, chips, connection and watching the table; no seat yet. */
  async prepare(): Promise<void> {
    const login = await this.http.request<ApiBody & { user?: { id: number } }>(
      'POST', '/api/bots/session', { name: this.name }, { authorization: `Bearer ${this.ctx.options.botToken}` },
    );
    if (login.status === 404) {
      throw new BotTokenRefused(`the server does not let bots in (POST /api/bots/session: 404): start it with BOT_TOKEN=<16+ characters> and pass the same --bot-token`);
    }
    if (login.status === 403 && login.body.error?.code === 'auth/forbidden') {
      throw new BotTokenRefused(`the server refused the bot token (POST /api/bots/session: 403): --bot-token must be the server's BOT_TOKEN`);
    }
    if (login.status !== 200 || !login.body.user) throw new Error(`bot session for ${this.name}: ${login.status} ${JSON.stringify(login.body.error ?? login.body)}`);
    this.userId = login.body.user.id;
    const wallet = await this.walletNow();
    this.initialChips = wallet.balance + wallet.seats.reduce((sum, s) => sum + s.stack, 0);
    this.wallet = wallet.balance;
    this.handMarker = await this.newestHand();
    await this.ensureWallet(this.table.maxBuyIn * WALLET_BUY_INS);
    await this.connect();
    if (!(await this.watch())) throw new Error(`${this.name}: watch failed`);
  }

  /** Sits down (after every bot is prepared, so that early tables do not play while the rest is set up). */
  takeSeat(): Promise<void> {
    return this.sitDown();
  }

  async walletNow(): Promise<{ balance: number; seats: { tableId: number; stack: number }[] }> {
    const r = await this.http.request<ApiBody & { balance: number; seats: { tableId: number; stack: number }[] }>('GET', '/api/wallet');
    if (r.status !== 200) throw new Error(`GET /api/wallet for ${this.name}: ${r.status} ${JSON.stringify(r.body.error)}`);
    return { balance: r.body.balance, seats: r.body.seats.map((s) => ({ tableId: s.tableId, stack: s.stack })) };
  }

  private async newestHand(): Promise<bigint | null> {
    const r = await this.http.request<ApiBody & { items: HandItem[] }>('GET', '/api/hands/mine?limit=1');
    const first = r.body.items?.[0];
    return first ? BigInt(first.handId) : null;
  }

  /** Buys chips until the wallet holds `chips` (1 chip = 1 cent at the default CHIPS_PER_USD). */
  private async ensureWallet(chips: number): Promise<void> {
    for (let attempt = 0; attempt < 5 && this.wallet < chips; attempt++) {
      const cents = Math.min(PURCHASE_CENTS_MAX, Math.max(PURCHASE_CENTS_MIN, chips - this.wallet));
      const r = await this.http.request<ApiBody & { chips: number; balance: number }>('POST', '/api/wallet/buy-chips', {
        amountCents: cents, idempotencyKey: this.key('buy'),
      });
      if (r.status !== 200) {
        this.ctx.stats.recordError(r.body.error?.code ?? `http/${r.status}`, 'buy-chips');
        throw new Error(`buy-chips for ${this.name}: ${r.status} ${JSON.stringify(r.body.error)}`);
      }
      this.boughtChips += r.body.chips;
      this.wallet = r.body.balance;
    }
  }

  private connect(): Promise<void> {
    const socket = io(this.ctx.options.url, socketOptions(this.http.cookie));
    this.socket = socket;
    socket.on('table:frame', (frame: TableFrame) => this.onFrame(frame));
    socket.on('table:private', (frame: PrivateFrame) => this.onPrivate(frame));
    socket.on('table:notice', (notice: TableNotice) => this.onNotice(notice));
    socket.on('wallet:balance', (b: { balance: number }) => this.onWallet(b.balance));
    socket.on('disconnect', () => this.onDisconnect());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no connection in ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.ctx.stats.connected++;
        socket.on('connect', () => void this.onReconnected());
        resolve();
      });
      socket.on('connect_error', (error) => {
        if (!socket.active) {
          clearTimeout(timer);
          reject(new ServerUnreachable(`${this.name}: socket refused: ${error.message}`));
        }
      });
    });
  }

  /**
   * Counts a refusal (server/bots/stats.ts). Only what the run did on purpose is
   * labelled and counted apart: a request overtaken by our own leave, an act made
   * stale by another bot's deliberate leave at this table, a request cut off by our
   * own churn; `late/` during the run's final leave, `churn/` before it.
   * `actSinceMs`: for a refused act, when it was decided.
   */
  private fault(code: string, event: string, actSinceMs?: number): void {
    this.ctx.stats.recordError(this.labelOf(code, actSinceMs), event);
  }

  private labelOf(code: string, actSinceMs?: number): string {
    const prefix = this.ctx.stopping || !this.churning ? 'late/' : 'churn/';
    const label = `${prefix}${code.replace(/^table\//, '').replace('/', '_')}`;
    if (code === 'seq/stale') {
      // Stale on purpose only if a bot's leave may have stepped this table since we decided, or we are
      // leaving ourselves (our seat sits out, and its turn runs on the short sitting-out clock).
      const leftMeanwhile = actSinceMs !== undefined && this.ctx.stats.deliberateStepBetween(this.table.id, actSinceMs, performance.now());
      return leftMeanwhile || this.leaving ? `${this.ctx.stopping ? 'late/' : 'churn/'}seq_stale` : code;
    }
    if ((this.leaving || this.ctx.stopping) && LEAVE_OVERTAKES.has(code)) return label;
    if (code === 'client/disconnected' && (this.churning || this.ctx.stopping)) return label;
    // A churning bot races itself: its seat taken again by its own rejoin, or, after a reconnection,
    // its sit-in overtaken by the table's own (a seat sat out while away is sat in on return).
    if (this.churning && (code === 'seat/taken' || code === 'table/already_seated' || code === 'seat/already_sitting_in')) return label;
    return code;
  }

  /**
   * In a cluster a table is briefly without an owner while it moves (its node died or
   * handed it over): `table/unavailable`, nothing done. Each such refusal is counted;
   * the request is sent again, a little later, for up to UNAVAILABLE_RETRY_MS.
   */
  private async retryUnavailable<T extends object>(send: () => Promise<BotAck<T>>, event: string): Promise<BotAck<T>> {
    const deadline = performance.now() + UNAVAILABLE_RETRY_MS;
    for (let wait = 250; ; wait = Math.min(wait * 2, 1_000)) {
      const ack = await send();
      if (ack.ok || ack.error.code !== 'table/unavailable' || performance.now() + wait > deadline) return ack;
      this.fault(ack.error.code, event);
      await sleep(wait);
    }
  }

  private async emit<T extends object = Record<string, unknown>>(event: string, payload: unknown, timeoutMs = this.ctx.options.ackTimeoutMs): Promise<BotAck<T>> {
    for (let wait = this.budget.delayMs(); wait > 0; wait = this.budget.delayMs()) await sleep(wait);
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve({ ok: false, error: { code: 'client/disconnected', message: 'not connected' } });
    return socket.timeout(timeoutMs).emitWithAck(event, payload).catch(
      (error: Error) => ({ ok: false, error: { code: error.message.includes('timed out') ? 'ack/timeout' : 'client/disconnected', message: error.message } }),
    ) as Promise<BotAck<T>>;
  }

  /** Watches the table and sits: its own seat when free, else the first free one. Adopts a seat it already holds. */
  /** One sit-down at a time: a reconnection and a removal notice may both ask for one. */
  private sitting: Promise<void> | null = null;

  private sitDown(): Promise<void> {
    this.sitting ??= this.sitDownOnce().finally(() => {
      this.sitting = null;
    });
    return this.sitting;
  }

  /** Whether this bot had a seat at its table before: a return within two hours brings back what it left with (decision 036). */
  private satHere = false;

  /** The table's maximum; on a return, at least what the last seat left with (the server's figure). */
  private async buyInAmount(): Promise<number> {
    if (!this.satHere) return this.table.maxBuyIn;
    const r = await this.http.request<ApiBody & { max: number }>('GET', `/api/tables/${this.table.id}/buy-in`);
    if (r.status !== 200) {
      this.fault(r.body.error?.code ?? `http/${r.status}`, 'buy-in range');
      return this.table.maxBuyIn;
    }
    return r.body.max; // the table's maximum, or what the last seat left with when that is more
  }

  private async sitDownOnce(): Promise<void> {
    const watched = await this.watch();
    if (!watched) throw new Error(`${this.name}: watch failed`);
    if (this.seat !== null) return;
    for (let attempt = 0; attempt < 5; attempt++) {
      const snapshot = attempt === 0 ? watched : (await this.snapshotNow()) ?? watched;
      const taken = new Set(snapshot.players.map((p) => p.seat));
      const free = [this.wantedSeat, ...Array.from({ length: this.table.maxSeats }, (_, i) => i)].find((s) => s < this.table.maxSeats && !taken.has(s));
      if (free === undefined) throw new Error(`${this.name}: table ${this.table.id} is full`);
      const buyIn = await this.buyInAmount();
      await this.ensureWallet(buyIn);
      const ack = await this.emit<{ seat: number; stack: number }>('table:sit', {
        tableId: this.table.id, seat: free, buyIn, idempotencyKey: this.key('sit'),
      }, SIT_TIMEOUT_MS);
      if (ack.ok) {
        this.satHere = true;
        this.seat = ack.seat;
        this.stack = ack.stack;
        this.wallet -= ack.stack;
        // A new seat session sits in, and nothing of an earlier seat's top-ups is pending at it.
        this.topUpInFlight = false;
        this.topUpQueued = false;
        this.wantSitIn = false;
        return;
      }
      // A seat of ours at this table closed in the last two hours (an earlier run's, against the same
      // server) and left with more than the maximum: ask the range and sit with it (decision 036).
      if (ack.error.code === 'buyin/returning' && !this.satHere) {
        this.satHere = true;
        continue;
      }
      // Every refusal counts (a race with our own churn is labelled churn/), even those handled here.
      this.fault(ack.error.code, 'table:sit');
      if (ack.error.code === 'table/already_seated') {
        const again = await this.snapshotNow();
        if (again?.you?.seat != null) return void this.applySnapshot(again);
      }
      if (ack.error.code !== 'seat/taken') throw new Error(`${this.name}: sit refused: ${ack.error.code}`);
    }
    throw new Error(`${this.name}: could not find a free seat`);
  }

  private async watch(): Promise<TableSnapshot | null> {
    this.resyncing = true;
    const ack = await this.retryUnavailable(() => this.emit<{ snapshot: TableSnapshot }>('table:watch', { tableId: this.table.id }), 'table:watch');
    this.resyncing = false;
    if (!ack.ok) {
      this.fault(ack.error.code, 'table:watch');
      return null;
    }
    this.applySnapshot(ack.snapshot);
    return ack.snapshot;
  }

  private async snapshotNow(): Promise<TableSnapshot | null> {
    const ack = await this.emit<{ snapshot: TableSnapshot }>('table:snapshot', { tableId: this.table.id });
    this.ctx.stats.snapshots++;
    if (!ack.ok) {
      this.fault(ack.error.code, 'table:snapshot');
      return null;
    }
    return ack.snapshot;
  }

  // ---- frames ------------------------------------------------------------------------

  private onFrame(frame: TableFrame): void {
    this.ctx.stats.frames++;
    this.note(() => `frame e${frame.epoch} s${frame.seq} last${this.feed.seq} rs${this.resyncing} ${frame.events.map((e) => e.type).join(',')}`);
    if (this.resyncing || frame.tableId !== this.table.id || this.feed.epoch === null) return;
    this.onOutcome(this.feed.onFrame(frame));
  }

  /** Own hole cards (and options) at the seq just applied. */
  private onPrivate(frame: PrivateFrame): void {
    this.ctx.stats.frames++;
    this.note(() => `private e${frame.epoch} s${frame.seq} last${this.feed.seq} rs${this.resyncing} legal${frame.legal ? 1 : 0}`);
    if (this.resyncing || frame.tableId !== this.table.id || this.feed.epoch === null) return;
    this.onOutcome(this.feed.onPrivate(frame));
  }

  private onOutcome(outcome: FeedOutcome): void {
    if (outcome.kind === 'resync') return this.resync();
    if (outcome.kind === 'stale') return;
    for (const event of outcome.events) this.onEvent(event);
    if (outcome.legal) this.maybeAct(this.feed.seq, outcome.legal);
  }

  private onEvent(e: TableEvent): void {
    switch (e.type) {
      case 'hand_complete':
        this.note(() => `hand_complete stack${e.stacks.find((x) => x.seat === this.seat)?.stack}`);
        this.onHandComplete(e.stacks);
        break;
      case 'hand_settled':
        this.ctx.noteHandSettled(this.table.id, e.handNumber);
        break;
      case 'chips_added':
        if (e.seat === this.seat) this.note(() => `chips_added stack${e.stack}`);
        if (e.seat === this.seat) this.onChipsAdded(e.stack);
        break;
      case 'sat_out':
        // After the rest of the frame: its players list may say the seat waits for the big blind.
        if (e.seat === this.seat) queueMicrotask(() => this.onSatOut());
        break;
      case 'player_left':
        if (e.seat === this.seat && e.playerId === String(this.userId)) this.onSeatGone();
        break;
      case 'players':
        this.onPlayers(e.players);
        break;
      default:
        break;
    }
  }

  private applySnapshot(s: TableSnapshot): void {
    this.note(() => `snapshot e${s.epoch} s${s.seq} seat${s.you?.seat} legal${s.you?.legal ? 1 : 0}`);
    const taken = this.feed.onSnapshot(s);
    this.seat = s.you?.seat ?? null;
    this.notePlayers(s.players);
    const mine = this.seat === null ? null : s.view.seats[this.seat];
    if (mine) this.stack = mine.stack;
    // A queued top-up the table no longer holds was applied or refused while we were not
    // listening (its chips_added or notice missed): the snapshot's stack has the outcome.
    if (this.topUpQueued && s.you?.pendingTopUps?.length === 0) this.queuedTopUpResolved();
    if (!this.inflight) this.actedSeq = -1;
    if (taken && s.you?.legal) this.maybeAct(s.seq, s.you.legal);
    if (mine?.sittingOut) this.onSatOut();
  }

  private resync(): void {
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    if (!this.socket?.connected) return; // the reconnection re-watches
    this.resyncing = true;
    this.ctx.stats.resyncs++;
    void this.snapshotNow().then((snapshot) => {
      this.resyncing = false;
      if (snapshot) this.applySnapshot(snapshot);
      if (this.resyncAgain) {
        this.resyncAgain = false;
        this.resync();
      }
    });
  }

  // ---- acting ------------------------------------------------------------------------

  private maybeAct(seq: number, legal: LegalActions): void {
    this.note(() => `maybeAct s${seq} acted${this.actedSeq} inflight${this.inflight?.seq}`);
    if (seq === this.actedSeq) return;
    if (this.feed.epoch === this.accepted.epoch && seq <= this.accepted.seq) return;
    if (this.inflight) {
      this.deferred = { seq, legal };
      return;
    }
    this.deferred = null;
    this.actedSeq = seq;
    const { thinkMsMin, thinkMsMax } = this.ctx.options;
    const think = thinkMsMin + Math.floor(this.ctx.random() * (thinkMsMax - thinkMsMin + 1));
    if (think <= 0) return this.actWithinBudget(seq, legal);
    setTimeout(() => this.actWithinBudget(seq, legal), think);
  }

  private actWithinBudget(seq: number, legal: LegalActions): void {
    if (this.feed.seq !== seq || this.resyncing || this.actedSeq !== seq) return;
    const wait = this.budget.delayMs();
    if (wait > 0) {
      setTimeout(() => this.actWithinBudget(seq, legal), wait);
      return;
    }
    this.sendAct(seq, legal);
  }

  private decide(legal: LegalActions): Decision {
    if (this.leaving) return legal.canCheck ? { action: 'check' } : { action: 'fold' };
    const view = this.feed.view;
    const hole = (this.seat === null ? null : view?.seats[this.seat]?.holeCards) ?? [];
    return this.ctx.strategy(legal, { hole, board: view?.board ?? [], bigBlind: this.table.bigBlind }, this.ctx.random);
  }

  private sendAct(seq: number, legal: LegalActions): void {
    const socket = this.socket;
    if (!socket?.connected) {
      this.actedSeq = -1;
      return;
    }
    // One act in flight at a time. A reconnection (or a snapshot) re-offers the turn while the
    // thinking timer armed before it is still pending, so two timers can fire for one seq:
    // the second would be a second act at that seq, refused seq/stale (seen under churn).
    if (this.inflight) {
      if (this.inflight.seq !== seq) this.deferred = { seq, legal };
      return;
    }
    const decision = this.decide(legal);
    this.reloadBeforeAllIn(decision, legal);
    const startedMs = performance.now();
    // The epoch the act was decided in: by its ack the feed may be reset (a reconnection
    // re-watching), and an `accepted` without its epoch would not stop the snapshot that
    // follows from offering the same turn again (a second act at this seq: seq/stale).
    const epoch = this.feed.epoch ?? -1;
    const inflight = { seq, startedMs };
    this.inflight = inflight;
    socket.emit('table:act', { tableId: this.table.id, seq, ...decision }, (ack: AnyAck) => {
      if (this.inflight !== inflight) return; // timed out or dropped meanwhile
      this.inflight = null;
      this.ctx.stats.recordAck((performance.now() - startedMs) * 1000);
      if (ack.ok) {
        this.note(() => `act ok s${seq}`);
        this.accepted = { epoch, seq };
        this.ctx.stats.actions++;
        if (this.awaitingActAfterResume) {
          this.awaitingActAfterResume = false;
          this.resumedThenActed++;
        }
        const next = this.deferred;
        this.deferred = null;
        if (next && next.seq === this.feed.seq && !this.resyncing) this.maybeAct(next.seq, next.legal);
        return;
      }
      this.deferred = null;
      this.note(() => `act refused ${ack.error.code}`);
      // BOTS_TRACE=1: an act refused for no reason the run made is printed with this bot's trace.
      if (TRACE && this.labelOf(ack.error.code, startedMs - this.ctx.options.thinkMsMax) === ack.error.code) process.stderr.write(`${this.name} table ${this.table.id} act at s${seq} refused ${ack.error.code} (churning ${this.churning}): ${this.trace.join(' | ')}\n`);
      this.fault(ack.error.code, 'table:act', startedMs - this.ctx.options.thinkMsMax);
      this.resync();
    });
  }

  /** Called by the runner's sweep: an act unanswered for too long is an error; resync. */
  expireAck(nowMs: number): void {
    if (!this.inflight || nowMs - this.inflight.startedMs < this.ctx.options.ackTimeoutMs) return;
    this.inflight = null;
    this.deferred = null;
    this.ctx.stats.recordError('ack/timeout', 'table:act');
    this.resync();
  }

  // ---- stacks, top-ups, sitting in -----------------------------------------------------

  private onHandComplete(stacks: { seat: number; stack: number }[]): void {
    const mine = stacks.find((s) => s.seat === this.seat);
    if (!mine) return;
    this.stack = mine.stack;
    this.maybeTopUp();
    if (!this.leaving && !this.ctx.stopping && this.ctx.random() < this.ctx.options.chatPerHand) this.chat();
  }

  private maybeTopUp(): void {
    if (this.leaving || this.ctx.stopping || this.topUpInFlight || this.seat === null) return;
    if (this.stack >= this.table.maxBuyIn * this.ctx.options.topUpBelow) return;
    const amount = this.topUpTarget() - this.stack;
    if (amount <= 0) return;
    this.topUpInFlight = true;
    void this.topUp(amount, false, true);
  }

  /**
   * What a top-up after a hand brings the stack to: three quarters of the maximum, not all
   * of it. Under load the request may reach the table after the next hand (the server
   * answers acts in 200 ms and more at 200 busy tables); if the bot won that hand, a top-up
   * to the exact maximum would be refused topup/above_max. The headroom absorbs a win of up
   * to a quarter of the maximum, as a person topping up "to about the max" would.
   */
  private topUpTarget(): number {
    return Math.floor((this.table.maxBuyIn * 3) / 4);
  }

  /**
   * Before an action that puts our whole stack in, ask for a reload: during the
   * hand it waits for the boundary, where the table applies queued top-ups before
   * it sits out an empty seat. Without it a bust seat is sat out at the boundary and
   * misses the next hand while its top-up and sit-in go through. (It was added when
   * that sit-in also made the act in flight stale; since decisionSeq a sit-in changes
   * no decision. It stays so that the load bench's workload stays comparable: about
   * 2.4 top-ups a hand, a quarter of them refused; see docs/performance.md.)
   * Sent before the act on the same socket, so it is queued even when the act
   * ends the hand. If we win, the table refuses it whole at the boundary (an
   * `info` notice; nothing moves).
   */
  private reloadBeforeAllIn(decision: Decision, legal: LegalActions): void {
    if (this.leaving || this.ctx.stopping || this.topUpInFlight || this.seat === null) return;
    const betBefore = legal.allInTo - legal.allInAmount;
    const added = decision.action === 'all_in' ? legal.allInAmount
      : decision.action === 'call' ? legal.callAmount
      : decision.action === 'bet' || decision.action === 'raise' ? (decision.amount ?? 0) - betBefore
      : 0;
    if (added < legal.allInAmount || !this.canBust()) return;
    // Only when it can be emitted now, before the act: a wallet refill or a wait for the send
    // budget first would send it after the act, possibly after the hand, where a stack that
    // won is refused topup/above_max.
    if (!this.budget.canSendNow()) return;
    if (this.wallet < this.table.maxBuyIn) {
      void this.ensureWallet(this.table.maxBuyIn * WALLET_BUY_INS).catch(() => undefined);
      return;
    }
    this.topUpInFlight = true;
    this.ctx.stats.reloads++;
    void this.topUp(this.table.maxBuyIn, true);
  }

  /** Whether losing this hand can take our whole stack: some live opponent covers our chips (behind and in). */
  private canBust(): boolean {
    const seats = this.feed.view?.seats;
    const me = this.seat === null ? null : seats?.[this.seat];
    if (!seats || !me) return true;
    const ours = me.stack + me.committed;
    return seats.some((s) => s !== null && s.seat !== me.seat && s.inHand && !s.folded && s.stack + s.committed >= ours);
  }

  /** `reload`: the speculative reload before an all-in (reloadBeforeAllIn), refused whole if we won. */
  /**
   * `toMax`: the amount is what brings the stack to its target (the maximum from an empty
   * stack, else topUpTarget), computed again after any wallet refill: a purchase takes a
   * while, and a hand the bot won meanwhile would make the first figure too much
   * (`topup/above_max`).
   */
  private async topUp(amount: number, reload = false, toMax = false): Promise<void> {
    try {
      if (this.wallet < amount) await this.ensureWallet(amount * 2);
    } catch {
      this.topUpInFlight = false;
      return;
    }
    if (toMax) {
      amount = (this.stack === 0 ? this.table.maxBuyIn : this.topUpTarget()) - this.stack;
      if (amount <= 0 || this.leaving || this.ctx.stopping) {
        this.topUpInFlight = false;
        return;
      }
    }
    const endedAtSizing = this.lastHandEnded();
    this.note(() => `top_up ${amount} stack${this.stack} reload${reload} toMax${toMax}`);
    const idempotencyKey = this.key('top');
    let ack = await this.emit<{ pending: boolean; stack?: number }>('table:top_up', { tableId: this.table.id, amount, idempotencyKey });
    // A lost answer (our own churn dropped the socket, or the ack timed out) leaves the outcome
    // unknown: the table may have applied or queued it. Forgetting it would let the next top-up
    // overlap it and exceed the maximum, so ask again with the same key: the table answers what
    // it did the first time (applied, queued, refused), or does it now if it never saw it.
    let resent = false;
    for (let retry = 0; retry < TOP_UP_RESENDS && !ack.ok && OUTCOME_UNKNOWN.has(ack.error.code) && !this.ctx.stopping; retry++) {
      if (!(await this.waitConnected())) break;
      this.fault(ack.error.code, 'table:top_up');
      resent = true;
      ack = await this.emit<{ pending: boolean; stack?: number }>('table:top_up', { tableId: this.table.id, amount, idempotencyKey });
    }
    this.note(() => `top_up ${amount} answered ${ack.ok ? `pending${ack.pending} stack${ack.stack}` : ack.error.code}${resent ? ' (resent)' : ''}`);
    if (!ack.ok && TRACE && !reload) process.stderr.write(`${this.name} table ${this.table.id} top-up refused ${ack.error.code}: ${this.trace.join(' | ')}\n`);
    if (!ack.ok) {
      this.topUpInFlight = false;
      if (ack.error.code === 'topup/above_max' && this.overtakenByHandEnd(endedAtSizing, amount)) {
        // A reload is a bet on busting that the hand's end overtook and the bot won; an ordinary
        // top-up crossed the end of a hand it won. Counted apart, each under its own label.
        this.ctx.stats.recordError(`${reload ? 'reload' : 'crossed'}/topup_above_max`, 'table:top_up');
        if (!reload) this.maybeTopUp();
      } else this.fault(ack.error.code, 'table:top_up');
      return;
    }
    this.ctx.stats.topUps++;
    // Keep enough in the wallet that the next reload goes out at once, before its act.
    if (this.wallet < this.table.maxBuyIn * 2 && !this.leaving && !this.ctx.stopping) {
      void this.ensureWallet(this.table.maxBuyIn * WALLET_BUY_INS).catch(() => undefined);
    }
    if (ack.pending) {
      this.topUpQueued = true;
      return;
    }
    // A resent key's answer is the stack when it was first applied; the table's view is newer.
    const seen = resent && this.seat !== null ? this.feed.view?.seats[this.seat]?.stack : undefined;
    this.stack = seen ?? ack.stack ?? this.stack + amount;
    this.topUpInFlight = false;
    if (this.wantSitIn) void this.sitIn();
  }

  /**
   * Whether a top-up refused above the maximum met a stack that a hand's end gave us after we
   * sized it. The table applies a top-up at once only between hands, so one that reached it
   * after a hand ended (a reload the act overtook; an ordinary top-up a wallet purchase or the
   * send budget delayed) meets the stack that hand left. That hand's frame reaches us before
   * the refusal (one socket, in order), so the stack we know now is the one the table checked:
   * the refusal is explained if a hand ended since the sizing and that stack leaves no room.
   * (An ordinary top-up is sized to fit the stack it was sized from, so then the stack grew.)
   * A stack changed any other way (another top-up of ours) leaves it an error.
   */
  private overtakenByHandEnd(endedAtSizing: number, amount: number): boolean {
    return this.lastHandEnded() > endedAtSizing && this.stack + amount > this.table.maxBuyIn;
  }

  /**
   * The number of the newest hand we know has ended, from the view (frames and snapshots
   * alike): its own hand once that is complete, else the one before it.
   */
  private lastHandEnded(): number {
    const view = this.feed.view;
    if (!view) return -1;
    return view.street === 'complete' ? view.handNumber : view.handNumber - 1;
  }

  /** `chips_added` for our seat: an immediate top-up's (its ack resolves it) or a queued one's. */
  private onChipsAdded(stack: number): void {
    this.stack = stack;
    this.queuedTopUpResolved();
    if (this.wantSitIn) void this.sitIn();
  }

  /** The boundary applied (`chips_added`) or refused (`info`) the top-up the table had queued, if any. */
  private queuedTopUpResolved(): void {
    if (!this.topUpQueued) return;
    this.topUpQueued = false;
    this.topUpInFlight = false;
  }

  private onSatOut(): void {
    this.note(() => `sat out (stack${this.stack} inFlight${this.topUpInFlight} queued${this.topUpQueued})`);
    if (this.leaving || this.ctx.stopping || this.seat === null || this.waitingForBigBlind) return;
    // Handled after its frame: a later frame of the same read may have dealt the seat in already.
    if (this.feed.view?.seats[this.seat]?.sittingOut === false) return;
    this.wantSitIn = true;
    if (this.topUpInFlight) return;
    if (this.stack === 0) {
      this.topUpInFlight = true;
      void this.topUp(this.table.maxBuyIn, false, true);
      return;
    }
    void this.sitIn();
  }

  private async sitIn(): Promise<void> {
    this.wantSitIn = false;
    if (this.waitingForBigBlind) return;
    const ack = await this.emit('table:sit_in', { tableId: this.table.id });
    if (ack.ok) {
      this.ctx.stats.sitIns++;
      return;
    }
    this.note(() => `sit_in refused ${ack.error.code}`);
    if (TRACE) process.stderr.write(`${this.name} table ${this.table.id} sit-in refused ${ack.error.code}: ${this.trace.join(' | ')}\n`);
    this.fault(ack.error.code, 'table:sit_in');
    if (ack.error.code === 'funds/insufficient' && !this.topUpInFlight) {
      this.wantSitIn = true;
      this.topUpInFlight = true;
      void this.topUp(this.table.maxBuyIn, false, true);
    }
  }

  private chat(): void {
    const text = CHAT_LINES[Math.floor(this.ctx.random() * CHAT_LINES.length)]!;
    void this.emit('table:chat', { tableId: this.table.id, text }).then((ack) => {
      if (ack.ok) this.ctx.stats.chats++;
      else this.fault(ack.error.code, 'table:chat');
    });
  }

  private onNotice(notice: TableNotice): void {
    if (notice.tableId !== this.table.id) return;
    this.note(() => `notice ${notice.kind}`);
    if (notice.kind === 'info') {
      // A pending top-up refused at the hand boundary (the stack grew meanwhile), or found applied
      // already (a key we sent again after losing its answer), or another notice.
      this.ctx.stats.noticesInfo++;
      this.queuedTopUpResolved();
      if (this.wantSitIn) void this.sitIn();
    } else if (notice.kind === 'removed') {
      this.onSeatGone();
    } else if (notice.kind === 'hand_cancelled') {
      this.resync();
    }
  }

  private onWallet(balance: number): void {
    this.wallet = balance;
    if (this.leaving && this.leaveAcked) this.onSeatGone();
  }

  private notePlayers(players: SeatPlayer[]): void {
    this.waitingForBigBlind = players.some((p) => p.userId === this.userId && p.waitingForBigBlind === true);
  }

  private onPlayers(players: SeatPlayer[]): void {
    this.notePlayers(players);
    if (this.leaving && this.seat !== null && !players.some((p) => p.userId === this.userId)) this.onSeatGone();
  }

  private onSeatGone(): void {
    if (!this.leaving && this.seat !== null && !this.ctx.stopping) {
      // Removed by the table (sat out too long): sit down again.
      this.seat = null;
      void this.sitDown().catch(() => this.ctx.stats.recordError('bot/resit_failed'));
      return;
    }
    this.seat = null;
    for (const wake of this.seatGoneWaiters.splice(0)) wake();
  }

  // ---- connections and churn -------------------------------------------------------------

  private onDisconnect(): void {
    this.note(() => `disconnect seat${this.seat}`);
    this.ctx.stats.connected--;
    this.inflight = null;
    this.deferred = null;
    this.resyncing = false;
    this.resyncAgain = false;
    this.actedSeq = -1;
    if (!this.expectDisconnect && !this.ctx.stopping) this.ctx.stats.disconnectsUnexpected++;
    this.expectDisconnect = false;
  }

  /** After any reconnection: watch again and check that the table still has us at our seat. */
  private async onReconnected(): Promise<void> {
    this.ctx.stats.connected++;
    this.ctx.stats.reconnects++;
    this.reconnects++;
    const expected = this.seat;
    this.note(() => `reconnected seat${expected} leaving${this.leaving}`);
    this.feed.reset();
    const snapshot = await this.watch();
    if (expected === null || this.leaving) return;
    this.seatedReconnects++;
    if (snapshot && snapshot.you?.seat === expected) {
      this.resumes++;
      this.ctx.stats.resumes++;
      this.awaitingActAfterResume = true;
      return;
    }
    // The table may have cashed us out while we were away (sat out too long, or the table
    // closed): the notice went to a socket we no longer had. The ledger says so: the seat's
    // cash-out carries its reason. Anything else is a seat lost across a reconnection.
    const removal = snapshot ? await this.removalWhileAway() : null;
    if (removal) {
      this.removedWhileAway++;
      this.note(() => `removed while away (${removal})`);
    } else {
      this.resumeMisses++;
      this.ctx.stats.resumeMisses++;
      this.missDetails.push(`${this.name}: expected seat ${expected}, ${snapshot ? `snapshot seat ${snapshot.you?.seat ?? 'none'} players ${snapshot.players.map((p) => `${p.seat}:${p.userId}`).join(',')}` : 'no snapshot'}${this.trace.length ? `; trace ${this.trace.slice(-15).join(' | ')}` : ''}`);
    }
    if (this.seat === expected) this.seat = null;
    if (!this.ctx.stopping && this.seat === null) await this.sitDown().catch(() => this.ctx.stats.recordError('bot/resit_failed'));
  }

  /**
   * The reason, if our latest money movement at this table is a cash-out the table made
   * (not a leave of ours): a seat lost any other way has a buy-in or top-up as its latest.
   */
  private async removalWhileAway(): Promise<string | null> {
    const r = await this.http.request<ApiBody & { items?: { kind: string; reason: string | null; tableId: number | null }[] }>(
      'GET', '/api/wallet/history?limit=20',
    );
    const latest = r.body.items?.find((i) => i.tableId === this.table.id);
    return latest?.kind === 'CASH_OUT' && (latest.reason === 'removed' || latest.reason === 'closed') ? latest.reason : null;
  }

  startChurn(): void {
    this.churning = true;
    this.scheduleChurn();
  }

  private scheduleChurn(): void {
    if (this.ctx.stopping || !this.churning) return;
    const pause = this.ctx.options.churnEveryMs * (0.5 + this.ctx.random());
    this.churnTimer = setTimeout(() => void this.churnOnce().finally(() => this.scheduleChurn()), pause);
  }

  private async churnOnce(): Promise<void> {
    const socket = this.socket;
    if (this.ctx.stopping || !socket?.connected || this.seat === null || this.leaving) return;
    const roll = this.ctx.random();
    if (roll < 0.4) {
      // A network drop: the transport closes, the client reconnects with connection-state recovery.
      this.expectDisconnect = true;
      socket.io.engine.close();
      await this.waitConnected();
    } else if (roll < 0.8) {
      // A full reconnect: no recovery, the server forgets the socket's rooms.
      this.expectDisconnect = true;
      socket.disconnect();
      await sleep(50 + this.ctx.random() * 300);
      socket.connect();
      await this.waitConnected();
    } else {
      await this.leaveSeat();
      if (this.ctx.stopping) return;
      await sleep(200 + this.ctx.random() * 600);
      if (this.ctx.stopping) return;
      this.leaving = false;
      this.leaveAcked = false;
      await this.sitDown().catch(() => this.ctx.stats.recordError('bot/rejoin_failed'));
      this.ctx.stats.rejoins++;
    }
  }

  private waitConnected(timeoutMs = CONNECT_TIMEOUT_MS): Promise<boolean> {
    const socket = this.socket;
    if (!socket) return Promise.resolve(false);
    if (socket.connected && this.feed.epoch !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        if (socket.connected && this.feed.epoch !== null && !this.resyncing) return resolve(true);
        if (Date.now() > deadline) return resolve(false);
        setTimeout(check, 50);
      };
      check();
    });
  }

  // ---- leaving -----------------------------------------------------------------------------

  /** Leaves the table; when the leave waits for the hand's end, waits for the cash-out. */
  async leaveSeat(timeoutMs = this.ctx.options.leaveTimeoutMs, force = false): Promise<boolean> {
    if (this.churnTimer) clearTimeout(this.churnTimer);
    this.leaving = true;
    this.leaveAcked = false;
    if (!(await this.waitConnected())) return false;
    if (this.seat === null && !force) return true;
    const gone = new Promise<void>((resolve) => this.seatGoneWaiters.push(resolve));
    // A leave during a hand steps the table (the seat sits out): an act in flight at
    // this table meanwhile is refused seq/stale, on purpose, and counted apart.
    const step = this.ctx.stats.deliberateStep(this.table.id, performance.now());
    const ack = await this.retryUnavailable(() => this.emit<{ pending: boolean }>('table:leave', { tableId: this.table.id }, SIT_TIMEOUT_MS), 'table:leave');
    step.end(performance.now());
    this.leaveAcked = true;
    if (!ack.ok) {
      this.fault(ack.error.code, 'table:leave');
      if (ack.error.code === 'table/not_seated') {
        this.onSeatGone();
        return true;
      }
      return false;
    }
    if (!ack.pending) {
      this.onSeatGone();
      return true;
    }
    return Promise.race([gone.then(() => true), sleep(timeoutMs).then(() => false)]);
  }

  /** End of run: leave, then read the wallet until no seat is open (the cash-out committed). */
  async finish(): Promise<void> {
    this.churning = false;
    // A sit-down still in flight (a seat taken again after the table removed us) would open a
    // seat after this leave found none: the bench once ended with one such seat open. Let it
    // land first, then leave it.
    await this.sitting?.catch(() => undefined);
    await this.leaveSeat();
    const deadline = Date.now() + this.ctx.options.leaveTimeoutMs;
    let askedAgain = false;
    for (;;) {
      const wallet = await this.walletNow();
      this.finalWallet = wallet.balance;
      this.finalSeats = wallet.seats;
      if (wallet.seats.length === 0 || Date.now() > deadline) return;
      // Still seated halfway through: the leave may have been lost with a node (or this bot
      // lost track of its seat when its table moved): ask again, once.
      if (!askedAgain && Date.now() > deadline - this.ctx.options.leaveTimeoutMs / 2) {
        askedAgain = true;
        await this.leaveSeat(this.ctx.options.leaveTimeoutMs / 4, true);
      }
      await sleep(250);
    }
  }

  /** The bot's hands since its marker (newest first, paged). */
  async handsSinceMarker(): Promise<HandItem[]> {
    const items: HandItem[] = [];
    let cursor: string | null = null;
    for (;;) {
      const r: { body: ApiBody & { items: HandItem[]; nextCursor: string | null } } = await this.http.request(
        'GET', `/api/hands/mine?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      for (const item of r.body.items ?? []) {
        if (this.handMarker !== null && BigInt(item.handId) <= this.handMarker) return items;
        items.push({ handId: item.handId, rake: item.rake, net: item.net });
      }
      cursor = r.body.nextCursor ?? null;
      if (!cursor) return items;
    }
  }

  close(): void {
    this.churning = false;
    if (this.churnTimer) clearTimeout(this.churnTimer);
    this.expectDisconnect = true;
    if (this.socket?.connected) this.ctx.stats.connected--;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }
}

/** An anonymous watcher: follows one table's public frames through the table feed and re-watches on gaps. */
export class SpectatorBot {
  socket: Socket | null = null;
  private readonly feed = createTableFeed();
  private resyncing = false;

  constructor(readonly tableId: number, private readonly ctx: BotContext) {}

  connect(): Promise<void> {
    const socket = io(this.ctx.options.url, socketOptions(''));
    this.socket = socket;
    socket.on('table:frame', (frame: TableFrame) => this.onFrame(frame));
    socket.on('disconnect', () => {
      this.ctx.stats.connected--;
      if (!this.ctx.stopping) this.ctx.stats.disconnectsUnexpected++;
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`spectator ${this.tableId}: no connection`)), CONNECT_TIMEOUT_MS);
      socket.on('connect', () => {
        clearTimeout(timer);
        this.ctx.stats.connected++;
        void this.watch().then(() => resolve());
      });
    });
  }

  private async watch(): Promise<void> {
    this.resyncing = true;
    const ack = (await this.socket!.timeout(this.ctx.options.ackTimeoutMs).emitWithAck('table:watch', { tableId: this.tableId }).catch(() => null)) as AnyAck | null;
    this.resyncing = false;
    if (!ack?.ok) return this.ctx.stats.recordError(ack ? ack.error.code : 'ack/timeout', 'table:watch');
    // A fresh watch replaces whatever the feed held.
    this.feed.reset();
    this.feed.onSnapshot(ack.snapshot as TableSnapshot);
  }

  private onFrame(frame: TableFrame): void {
    this.ctx.stats.frames++;
    if (this.resyncing || this.feed.epoch === null) return;
    const outcome = this.feed.onFrame(frame);
    if (outcome.kind === 'resync') {
      this.ctx.stats.resyncs++;
      void this.watch();
      return;
    }
    if (outcome.kind === 'stale') return;
    for (const e of outcome.events) if (e.type === 'hand_settled') this.ctx.noteHandSettled(this.tableId, e.handNumber);
  }

  close(): void {
    if (this.socket?.connected) this.ctx.stats.connected--;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }
}

/** How long a bot keeps re-sending a request its table's owner could not answer (a move in a cluster). */
const UNAVAILABLE_RETRY_MS = 15_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
