import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client';
import type { Ledger } from '../ledger/transactions';
import type { LobbyTable } from '../protocol/frames';
import { TableActor, type ActorDeps } from './actor';

type ActorDepsEquity = ActorDeps['equity'];
import type { Clock } from './clock';
import type { ActorMetrics } from './metrics-api';
import type { TableOutput } from './output';
import type { CreateTableInput, RegistryResult, TableRegistryApi } from './registry-api';
import { tableTimingProblem, withTableTiming, type TableSettings, type TableTimingInput, type TableTimingOverride } from './settings';
import {
  DEFAULT_TABLES,
  claimTable,
  createIntentStore,
  handWasSettled,
  insertTable,
  openSeats,
  openSeatsAtClosedTables,
  openTableIds,
  requestClose,
  tableNameTaken,
  type IntentStore,
} from './store';

// Owns every table actor of this process. At boot it claims each open table
// (bumping its owner epoch, which fences out any previous owner) and rebuilds
// it from the database: open seat sessions with their balances, and the leave
// and top-up requests that were waiting for a hand boundary. A hand that was
// being played when the process died simply never settled, so every stack is
// what it was before that hand. Seats left open at a closed table (a crash in
// the middle of closing it) are cashed out first.

export interface RegistryDeps {
  db: Db;
  ledger: Ledger;
  clock: Clock;
  settings: TableSettings;
  output: TableOutput;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  metrics?: ActorMetrics & { tables?(count: number): void };
  equity?: ActorDepsEquity;
  /** Called whenever lobby-visible numbers change (debounced by the caller). */
  onLobbyChanged?: () => void;
}

interface HandStat {
  at: number;
  pot: number;
}

const LOBBY_WINDOW_MS = 60 * 60_000;
/** A rebuild that fails (the database unreachable) is tried again after this long, doubling up to the max. */
const REBUILD_RETRY_MS = 1_000;
const REBUILD_RETRY_MS_MAX = 30_000;
/** How often idle tables look for players who sat out too long. */
const IDLE_SWEEP_MS = 30_000;

/** The table's own showdown hold and run-out pace, read at every load (boot, rebuild, creation). */
async function tableTiming(db: Db, tableId: number): Promise<TableTimingOverride> {
  return db.pokerTable.findUniqueOrThrow({ where: { id: tableId }, select: { showdownHoldMs: true, runOutStreetMs: true } });
}

export class TableRegistry implements TableRegistryApi {
  private readonly actors = new Map<number, TableActor>();
  private readonly stats = new Map<number, HandStat[]>();
  private stopping = false;
  private sweepTimer: unknown = null;
  private readonly intents: IntentStore;

  constructor(private readonly deps: RegistryDeps) {
    this.intents = createIntentStore(deps.db);
  }

  private scheduleSweep(): void {
    this.sweepTimer = this.deps.clock.setTimeout(() => {
      if (this.stopping) return;
      for (const actor of this.all()) void actor.sweepIdle();
      this.scheduleSweep();
    }, IDLE_SWEEP_MS);
  }

  async boot(options: { createDefaults: boolean }): Promise<void> {
    await this.cashOutClosedTables();
    let ids = await openTableIds(this.deps.db);
    if (ids.length === 0 && options.createDefaults) {
      for (const table of DEFAULT_TABLES) await insertTable(this.deps.db, table);
      ids = await openTableIds(this.deps.db);
    }
    for (const id of ids) await this.load(id);
    this.deps.metrics?.tables?.(this.actors.size);
    this.scheduleSweep();
  }

  /** Seats still open at CLOSED tables get their chips back: an audited cash-out each. */
  private async cashOutClosedTables(): Promise<void> {
    for (const seat of await openSeatsAtClosedTables(this.deps.db)) {
      const out = await this.deps.ledger.cashOut({ seatSessionId: seat.seatSessionId, reason: 'table closed: cashed out at boot' });
      if (!out.ok && out.error.code !== 'seat/closed') {
        this.deps.log.error({ ...seat, seatSessionId: String(seat.seatSessionId), error: out.error }, 'cash-out at a closed table failed');
        continue;
      }
      await this.intents.removeAllOf(seat.seatSessionId);
      this.deps.log.warn({ tableId: seat.tableId, userId: seat.userId, seatSessionId: String(seat.seatSessionId) }, 'open seat at a closed table cashed out');
    }
  }

  get(tableId: number): TableActor | undefined {
    return this.actors.get(tableId);
  }

  all(): TableActor[] {
    return [...this.actors.values()];
  }

  private async load(tableId: number): Promise<TableActor | null> {
    const table = await claimTable(this.deps.db, tableId);
    if (!table) return null;
    const actor = new TableActor({
      table,
      ledger: this.deps.ledger,
      clock: this.deps.clock,
      settings: withTableTiming(this.deps.settings, await tableTiming(this.deps.db, tableId)),
      output: this.deps.output,
      intents: this.intents,
      newSeed: () => randomBytes(32),
      log: this.deps.log,
      metrics: this.deps.metrics,
      onFatal: (id, reason) => void this.rebuild(id, reason),
      onClosed: (id) => this.retire(id, actor),
      onHandSettled: (id, pot) => this.recordHand(id, pot),
      onLobbyChanged: () => this.deps.onLobbyChanged?.(),
      handSettled: (id, handId) => handWasSettled(this.deps.db, id, handId),
      equity: this.deps.equity,
    });
    this.actors.set(tableId, actor);
    await actor.restore(await openSeats(this.deps.db, tableId), await this.intents.openOf(tableId));
    this.deps.onLobbyChanged?.();
    return actor;
  }

  /** After a fatal error: drop the actor (its hand is void) and load the table again. */
  private async rebuild(tableId: number, reason: string): Promise<void> {
    if (this.stopping) return;
    this.deps.log.warn({ tableId, reason }, 'rebuilding table from the database');
    this.actors.get(tableId)?.stop();
    this.actors.delete(tableId);
    let delay = REBUILD_RETRY_MS;
    while (!this.stopping) {
      try {
        await this.load(tableId);
        return;
      } catch (error) {
        this.deps.log.error({ tableId, error: (error as Error).message, retryInMs: delay }, 'rebuild failed; trying again');
        this.actors.get(tableId)?.stop();
        this.actors.delete(tableId);
        await new Promise((resolve) => this.deps.clock.setTimeout(() => resolve(undefined), delay));
        delay = Math.min(delay * 2, REBUILD_RETRY_MS_MAX);
      }
    }
  }

  private recordHand(tableId: number, pot: number): void {
    const now = this.deps.clock.now();
    const list = (this.stats.get(tableId) ?? []).filter((s) => now - s.at < LOBBY_WINDOW_MS);
    list.push({ at: now, pot });
    this.stats.set(tableId, list);
    this.deps.onLobbyChanged?.();
  }

  listLobby(): LobbyTable[] {
    const now = this.deps.clock.now();
    return this.all().map((actor) => {
      const t = actor.table;
      const recent = (this.stats.get(t.id) ?? []).filter((s) => now - s.at < LOBBY_WINDOW_MS);
      const averagePot = recent.length ? Math.round(recent.reduce((sum, s) => sum + s.pot, 0) / recent.length) : 0;
      return {
        id: t.id, name: t.name, variant: t.variant,
        smallBlind: t.smallBlind, bigBlind: t.bigBlind, ante: t.ante,
        minBuyIn: t.minBuyIn, maxBuyIn: t.maxBuyIn, maxSeats: t.maxSeats,
        seatsTaken: actor.seatsTaken(), waiting: actor.waitlistSize(), spectators: actor.spectators,
        averagePot, handsPerHour: recent.length,
        status: actor.isClosing ? 'CLOSED' : 'OPEN',
      };
    });
  }

  /**
   * `showdownHoldMs` and `runOutStreetMs`: the table's own pace (absent or null: the
   * process settings); outside their ranges the table is refused (`request/invalid`,
   * naming the field) and nothing is written.
   */
  async createTable(input: CreateTableInput & TableTimingInput): Promise<RegistryResult<LobbyTable>> {
    const problem = tableTimingProblem(input);
    if (problem) return { ok: false, error: { code: 'request/invalid', message: problem } };
    if (await tableNameTaken(this.deps.db, input.name)) {
      return { ok: false, error: { code: 'request/invalid', message: 'A table with that name exists.' } };
    }
    const row = await insertTable(this.deps.db, input);
    // Before the load, so the actor starts with them. A second statement, outside
    // insertTable's transaction: store.ts writes only the columns every table has.
    const timing: TableTimingOverride = { showdownHoldMs: input.showdownHoldMs ?? null, runOutStreetMs: input.runOutStreetMs ?? null };
    if (timing.showdownHoldMs !== null || timing.runOutStreetMs !== null) {
      await this.deps.db.pokerTable.update({ where: { id: row.id }, data: timing });
    }
    await this.load(row.id);
    this.deps.metrics?.tables?.(this.actors.size);
    return { ok: true, value: this.listLobby().find((t) => t.id === row.id)! };
  }

  /**
   * Closes a table: recorded first (so a restart finishes the job), then at the
   * end of the current hand, or at once with `now` (the live hand is voided).
   * Every seat is cashed out before the ledger marks the table CLOSED.
   */
  async closeTable(tableId: number, _adminUserId?: number, options: { now?: boolean } = {}): Promise<RegistryResult<{ tableId: number; pending: boolean }>> {
    const actor = this.actors.get(tableId);
    if (!actor) return { ok: false, error: { code: 'table/not_found', message: 'No such table.' } };
    await requestClose(this.deps.db, tableId);
    const { pending } = await actor.close({ now: options.now ?? false });
    this.deps.onLobbyChanged?.();
    return { ok: true, value: { tableId, pending } };
  }

  /** A closed table leaves the lobby. */
  private retire(tableId: number, actor: TableActor): void {
    if (this.actors.get(tableId) === actor) this.actors.delete(tableId);
    this.deps.metrics?.tables?.(this.actors.size);
    this.deps.onLobbyChanged?.();
  }

  /**
   * Graceful shutdown: give hands in progress up to `graceMs` to finish (and
   * settle), then stop every actor. An unfinished hand is void: nothing of it
   * was committed.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    this.deps.clock.clearTimeout(this.sweepTimer);
    const deadline = this.deps.clock.now() + graceMs;
    while (this.all().some((a) => a.handInProgress()) && this.deps.clock.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const actor of this.all()) actor.stop();
    await Promise.all(this.all().map((a) => a.idle()));
  }
}
