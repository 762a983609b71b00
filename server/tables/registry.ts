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
import type { TableSettings } from './settings';
import { DEFAULT_TABLES, claimTable, handWasSettled, insertTable, markTableClosed, openSeats, openTableIds, tableNameTaken } from './store';

// Owns every table actor of this process. At boot it claims each open table
// (bumping its owner epoch, which fences out any previous owner) and rebuilds
// it from the database: open seat sessions with their balances. A hand that
// was being played when the process died simply never settled, so every stack
// is what it was before that hand.

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
/** How often idle tables look for players who sat out too long. */
const IDLE_SWEEP_MS = 30_000;

export class TableRegistry implements TableRegistryApi {
  private readonly actors = new Map<number, TableActor>();
  private readonly stats = new Map<number, HandStat[]>();
  private stopping = false;
  private sweepTimer: unknown = null;

  constructor(private readonly deps: RegistryDeps) {}

  private scheduleSweep(): void {
    this.sweepTimer = this.deps.clock.setTimeout(() => {
      if (this.stopping) return;
      for (const actor of this.all()) void actor.sweepIdle();
      this.scheduleSweep();
    }, IDLE_SWEEP_MS);
  }

  async boot(options: { createDefaults: boolean }): Promise<void> {
    let ids = await openTableIds(this.deps.db);
    if (ids.length === 0 && options.createDefaults) {
      for (const table of DEFAULT_TABLES) await insertTable(this.deps.db, table);
      ids = await openTableIds(this.deps.db);
    }
    for (const id of ids) await this.load(id);
    this.deps.metrics?.tables?.(this.actors.size);
    this.scheduleSweep();
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
      settings: this.deps.settings,
      output: this.deps.output,
      newSeed: () => randomBytes(32),
      log: this.deps.log,
      metrics: this.deps.metrics,
      onFatal: (id, reason) => void this.rebuild(id, reason),
      onHandSettled: (id, pot) => this.recordHand(id, pot),
      handSettled: (id, handId) => handWasSettled(this.deps.db, id, handId),
      equity: this.deps.equity,
    });
    actor.restore(await openSeats(this.deps.db, tableId));
    this.actors.set(tableId, actor);
    this.deps.onLobbyChanged?.();
    return actor;
  }

  /** After a fatal error: drop the actor (its hand is void) and load the table again. */
  private async rebuild(tableId: number, reason: string): Promise<void> {
    if (this.stopping) return;
    this.deps.log.warn({ tableId, reason }, 'rebuilding table from the database');
    this.actors.get(tableId)?.stop();
    this.actors.delete(tableId);
    try {
      await this.load(tableId);
    } catch (error) {
      this.deps.log.error({ tableId, error: (error as Error).message }, 'rebuild failed');
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
        seatsTaken: actor.seatsTaken(), spectators: actor.spectators,
        averagePot, handsPerHour: recent.length,
        status: actor.isClosing ? 'CLOSED' : 'OPEN',
      };
    });
  }

  async createTable(input: CreateTableInput): Promise<RegistryResult<LobbyTable>> {
    if (await tableNameTaken(this.deps.db, input.name)) {
      return { ok: false, code: 'request/invalid', message: 'A table with that name exists.' };
    }
    const row = await insertTable(this.deps.db, input);
    await this.load(row.id);
    this.deps.metrics?.tables?.(this.actors.size);
    return { ok: true, value: this.listLobby().find((t) => t.id === row.id)! };
  }

  async closeTable(tableId: number): Promise<RegistryResult<{ tableId: number }>> {
    const actor = this.actors.get(tableId);
    if (!actor) return { ok: false, code: 'table/not_found', message: 'No such table.' };
    await markTableClosed(this.deps.db, tableId);
    await actor.close();
    void this.retireWhenEmpty(tableId, actor);
    return { ok: true, value: { tableId } };
  }

  /** A closed table leaves the lobby once its last player has been cashed out. */
  private async retireWhenEmpty(tableId: number, actor: TableActor): Promise<void> {
    while (actor.seatsTaken() > 0 && !this.stopping) {
      await new Promise((resolve) => this.deps.clock.setTimeout(() => resolve(undefined), 200));
    }
    actor.stop();
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
