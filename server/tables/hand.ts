import { performance } from 'node:perf_hooks';
import { apply, cardToString, exposedSeats, type ApplyResult, type Command, type GameEvent, type GameState } from '../poker';
import { commitment as commitmentOf, dealDeck, FAIRNESS_SCHEME, type ClientSeed } from '../poker/fairness';
import { equity } from '../poker/equity';
import type { ActionClock, EquityFrame, Fairness, TableEvent } from '../protocol/frames';
import { isTransientDbError } from '../ledger/db-helpers';
import type { ActorDeps, SeatMeta } from './actor-types';

// The life of one hand inside a table actor: the fair deal (seed, commitment,
// deck), the log that replays it, the action clock, all-in equity, and the
// settlement through the ledger.

/**
 * settled: committed. retry: a transient failure (the ledger was busy, the
 * database unreachable); the same settlement may succeed later. void: it will
 * never succeed (the ledger refused it, or memory and ledger disagree): the
 * hand must be voided and the table rebuilt from the database.
 */
export type HandOutcome =
  | { kind: 'settled'; potTotal: number; extraEvents: TableEvent[] }
  | { kind: 'retry'; reason: string }
  /** code: a short label for the metrics (the ledger's error code, 'drift', 'error'). */
  | { kind: 'void'; code: string; reason: string };

interface CurrentHand {
  handId: string;
  handNumber: bigint;
  seedHex: string;
  commitment: string;
  deckRoot: string;
  clientSeeds: ClientSeed[];
  initial: GameState;
  commands: Command[];
  startedAt: string;
}

interface ClockState {
  seat: number;
  token: number;
  deadline: number;
  turnMs: number;
  usingTimeBank: boolean;
  startedAt: number;
  timer: unknown;
}

/** Without a worker, equity is computed inline only up to this many boards (a flop all-in: 990). */
const EQUITY_INLINE_BOARDS_MAX = 2_000;

/** The one ledger answer that is worth waiting out: it gave up retrying serialization failures and deadlocks. */
const TRANSIENT_SETTLE_CODE = 'ledger/busy';

export class HandRunner {
  private current: CurrentHand | null = null;
  private lastFairness: Fairness | null = null;
  private clock: ClockState | null = null;
  private clockTokens = 0;

  /**
   * The server seed of the next hand, drawn (and its commitment published) one
   * hand ahead: whatever client seeds the players set meanwhile, the server was
   * bound to its own seed before it could see them (docs/fairness.md).
   */
  private nextSeed: Uint8Array;

  constructor(
    private readonly deps: ActorDeps,
    private readonly game: () => GameState,
  ) {
    this.nextSeed = deps.newSeed();
  }

  // ---- dealing -----------------------------------------------------------------------

  nextCommitment(): string {
    return commitmentOf(this.nextSeed);
  }

  start(clientSeeds: ClientSeed[]): (ApplyResult & { ok: true; fairness: Extract<TableEvent, { type: 'fairness_commitment' }> }) | { ok: false; rejection: { code: string; message: string } } {
    const handNumber = this.deps.table.handNumber + 1n;
    // Unique even across restarts: a voided hand's number is dealt again under a new epoch.
    const handId = `${this.deps.table.id}-${handNumber}-e${this.deps.table.ownerEpoch}`;
    const seed = this.nextSeed;
    const { deck, deckRoot } = dealDeck(seed, handId, clientSeeds);
    const command: Command = { type: 'start_hand', handId, deck };
    const initial = this.game();
    const result = apply(initial, command);
    if (!result.ok) return result;
    this.nextSeed = this.deps.newSeed();
    const commitment = commitmentOf(seed);
    this.current = {
      handId, handNumber, seedHex: Buffer.from(seed).toString('hex'), commitment, deckRoot, clientSeeds, initial,
      commands: [command], startedAt: new Date(this.deps.clock.now()).toISOString(),
    };
    this.lastFairness = { handId, commitment, deckRoot, clientSeeds, revealed: false, nextCommitment: this.nextCommitment() };
    const fairness = { type: 'fairness_commitment' as const, handId, commitment, deckRoot, clientSeeds, nextCommitment: this.nextCommitment() };
    return { ...result, fairness };
  }

  noteCommand(command: Command): void {
    if (this.current && command.type !== 'start_hand') this.current.commands.push(command);
  }

  fairnessView(): Fairness | null {
    return this.lastFairness ? { ...this.lastFairness, nextCommitment: this.nextCommitment() } : null;
  }

  // ---- settlement --------------------------------------------------------------------

  async settle(seats: Map<number, SeatMeta>): Promise<HandOutcome> {
    const hand = this.current;
    const state = this.game();
    const result = state.result;
    if (!hand || !result) return { kind: 'void', code: 'no_hand', reason: 'settle without a finished hand' };
    const participants = [];
    for (const r of result.seats) {
      const meta = seats.get(r.seat);
      if (!meta) return { kind: 'void', code: 'no_owner', reason: `seat ${r.seat} played the hand but has no owner` };
      participants.push({
        seatSessionId: meta.seatSessionId,
        userId: meta.userId,
        seatIndex: r.seat,
        contributed: BigInt(r.contributed),
        won: BigInt(r.won + r.returned),
      });
    }
    const started = performance.now();
    try {
      const settled = await this.deps.ledger.settleHand({
        tableId: this.deps.table.id,
        handNumber: hand.handNumber,
        ownerEpoch: this.deps.table.ownerEpoch,
        seats: participants,
        rake: BigInt(result.rake),
        commitment: hand.commitment,
        seed: hand.seedHex,
        record: this.record(hand, state, seats),
      });
      if (!settled.ok) {
        this.deps.log.warn({ tableId: this.deps.table.id, error: settled.error, handNumber: String(hand.handNumber) }, 'settlement refused');
        return settled.error.code === TRANSIENT_SETTLE_CODE
          ? { kind: 'retry', reason: settled.error.code }
          : { kind: 'void', code: settled.error.code, reason: `settlement refused: ${settled.error.code}` };
      }
      // Assert the invariant twice (STYLE 4): after the commit, every seat's
      // balance in the ledger must equal the engine's stack.
      const drift = participants.filter((p) => {
        const stored = settled.value.stacks.find((x) => x.seatSessionId === p.seatSessionId)?.stack;
        return stored !== BigInt(result.seats.find((r) => r.seat === p.seatIndex)!.endStack);
      });
      if (drift.length > 0) return { kind: 'void', code: 'drift', reason: `ledger and engine disagree on seats ${drift.map((d) => d.seatIndex).join(', ')}` };
      this.deps.metrics?.settlement((performance.now() - started) / 1000);
      this.deps.metrics?.handSettled();
      this.deps.table.handNumber = hand.handNumber;
      this.current = null;
      this.lastFairness = {
        handId: hand.handId, commitment: hand.commitment, deckRoot: hand.deckRoot, clientSeeds: hand.clientSeeds,
        revealed: true, nextCommitment: this.nextCommitment(),
      };
      return {
        kind: 'settled',
        potTotal: Number(settled.value.potTotal),
        extraEvents: [{ type: 'hand_settled', handId: hand.handId, handNumber: Number(hand.handNumber), recordId: settled.value.handId.toString() }],
      };
    } catch (error) {
      const reason = (error as Error).message;
      return isTransientDbError(error) ? { kind: 'retry', reason } : { kind: 'void', code: 'error', reason: `settlement failed: ${reason}` };
    }
  }

  /** The live hand will never settle (voided, or the table closes now): forget it. */
  abandon(): void {
    this.disarmClock();
    this.current = null;
  }

  /** What is stored with the hand: enough to replay it, verify its shuffle and print its history. */
  private record(hand: CurrentHand, state: GameState, seats: Map<number, SeatMeta>) {
    const result = state.result!;
    const holeCards: Record<number, string[]> = {};
    for (const seat of state.dealOrder) holeCards[seat] = (state.seats[seat]?.holeCards ?? []).map(cardToString);
    return {
      handId: hand.handId,
      handNumber: Number(hand.handNumber),
      tableId: this.deps.table.id,
      tableName: this.deps.table.name,
      variant: state.config.variant,
      startedAt: hand.startedAt,
      endedAt: new Date(this.deps.clock.now()).toISOString(),
      commitment: hand.commitment,
      fairness: { scheme: FAIRNESS_SCHEME, seedCommitment: hand.commitment, deckRoot: hand.deckRoot, clientSeeds: hand.clientSeeds },
      dealtSeats: state.dealOrder,
      holeCards,
      shownSeats: result.shown.map((h) => h.seat),
      board: result.board.map(cardToString),
      players: state.dealOrder.map((seat) => ({ seat, userId: seats.get(seat)?.userId, username: seats.get(seat)?.username })),
      log: { initial: hand.initial, commands: hand.commands },
    };
  }

  // ---- the action clock --------------------------------------------------------------

  /**
   * Starts the turn's countdown for the seat to act (or its time bank). Every
   * arming gets a new token; a timer whose token is no longer current is
   * ignored, so other seats sitting out or in mid-turn never stall the clock.
   */
  armClock(seats: Map<number, SeatMeta>, onExpire: (seat: number, token: number) => void, withTimeBank = false): void {
    const state = this.game();
    const seat = state.toAct;
    this.disarmClock();
    if (seat === null) return;
    const meta = seats.get(seat);
    const sittingOut = state.seats[seat]?.sittingOut ?? false;
    const turnMs = withTimeBank && meta
      ? meta.timeBankMs
      : sittingOut ? this.deps.settings.sittingOutTurnMs : this.deps.table.actionTimeoutMs;
    const now = this.deps.clock.now();
    const token = ++this.clockTokens;
    this.clock = {
      seat, token, turnMs, usingTimeBank: withTimeBank, startedAt: now, deadline: now + turnMs,
      timer: this.deps.clock.setTimeout(() => onExpire(seat, token), turnMs),
    };
  }

  isCurrentClock(token: number): boolean {
    return this.clock?.token === token;
  }

  disarmClock(): void {
    if (this.clock) this.deps.clock.clearTimeout(this.clock.timer);
    this.clock = null;
  }

  clockView(): ActionClock | null {
    const c = this.clock;
    return c ? { seat: c.seat, deadline: c.deadline, turnMs: c.turnMs, usingTimeBank: c.usingTimeBank } : null;
  }

  /** When the turn's clock runs out: switch to the time bank if the player has one left. */
  useTimeBank(seat: number, meta: SeatMeta): boolean {
    const sittingOut = this.game().seats[seat]?.sittingOut ?? false;
    return !sittingOut && !!this.clock && this.clock.seat === seat && !this.clock.usingTimeBank && meta.timeBankMs > 0;
  }

  /** After acting (or timing out) on the time bank, the time used is gone. */
  chargeTimeBank(seat: number, meta: SeatMeta): void {
    const c = this.clock;
    if (!c || c.seat !== seat || !c.usingTimeBank) return;
    meta.timeBankMs = Math.max(0, meta.timeBankMs - (this.deps.clock.now() - c.startedAt));
  }

  // ---- all-in equity -------------------------------------------------------------------

  /**
   * When the betting closed with players all in, the engine turns their hands
   * face up for everyone (hands_exposed) and runs the board out in one step.
   * Before those results are sent, everyone at the table gets each exposed
   * hand's exact equity on the board as it was when the betting closed. Only
   * exposed hands: equity describes a hand, so it is never published for one
   * that could still be mucked.
   */
  maybeEquity(events: GameEvent[]): void {
    const state = this.game();
    const exposedAt = events.findIndex((e) => e.type === 'hands_exposed');
    if (exposedAt < 0 || !state.result || state.result.endedBy !== 'showdown') return;
    const runOut = events.slice(exposedAt).filter((e): e is Extract<GameEvent, { type: 'street_dealt' }> => e.type === 'street_dealt');
    if (runOut.length === 0) return;
    const boardBefore = runOut[0]!.board.slice(0, runOut[0]!.board.length - runOut[0]!.cards.length);
    const live = exposedSeats(state).filter((seat) => state.seats[seat]?.exposed);
    if (live.length < 2) return;
    const remaining = 52 - boardBefore.length - live.length * state.seats[live[0]!]!.holeCards.length;
    const boards = combinations(remaining, 5 - boardBefore.length);
    if (boards > this.deps.settings.equityBoardsMax) return;
    const input = {
      variant: state.config.variant,
      hands: live.map((seat) => state.seats[seat]!.holeCards),
      board: state.board.slice(0, boardBefore.length),
    };
    const send = (result: { win: number[]; tie: number[] } | null) => {
      if (!result) return;
      const frame: EquityFrame = {
        tableId: this.deps.table.id,
        handId: state.result!.handId,
        board: boardBefore,
        seats: live.map((seat, i) => ({ seat, win: result.win[i]!, tie: result.tie[i]! })),
      };
      this.deps.output.equity(this.deps.table.id, frame);
    };
    // Off the event loop when a worker is available; inline only for small enumerations.
    if (this.deps.equity) void this.deps.equity(input).then(send, () => undefined);
    else if (boards <= EQUITY_INLINE_BOARDS_MAX) send(equity(input));
  }
}

function combinations(n: number, k: number): number {
  let result = 1;
  for (let i = 0; i < k; i++) result = (result * (n - i)) / (i + 1);
  return Math.round(result);
}
