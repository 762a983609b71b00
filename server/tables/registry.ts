import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client';
import type { Ledger } from '../ledger/transactions';
import type { LobbyTable } from '../protocol/frames';
import { TableActor, type ActorDeps } from './actor';

type ActorDepsEquity = ActorDeps['equity'];
import type { Clock } from './clock';
import type { ActorMetrics } from './metrics-api';
import type { FatalCause } from './actor-types';
import type { TableOutput } from './output';
import type { CreateTableInput, RegistryResult, TableRegistryApi } from './registry-api';
import { tableTimingProblem, withTableTiming, type TableSettings, type TableTimingInput, type TableTimingOverride } from './settings';
import { deregisterNode, forgetSilentNodes, freeTables, heartbeatNode, liveNodes, releaseLease, renewLeases, type ClaimOptions, type NodeRow } from './leases';
import { rendezvousRanking, shouldClaim } from './placement';
import {
  DEFAULT_TABLES,
  claimTable,
  createIntentStore,
  handWasSettled,
  insertTable,
  isNameTakenError,
  openSeatsAtClosedTables,
  openTableIds,
  recentHands,
  requestClose,
  storedTable,
  tableNameTaken,
  tableStatus,
  type IntentStore,
  type TableRow,
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
  /** The wall clock (epoch ms) forwarded commands' deadlines are compared with (ActorDeps.wallNow). */
  wallNow: () => number;
  settings: TableSettings;
  output: TableOutput;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  metrics?: ActorMetrics & { tables?(count: number): void; tableRebuilt?(cause: FatalCause): void };
  equity?: ActorDepsEquity;
  /** Called whenever lobby-visible numbers change (debounced by the caller). */
  onLobbyChanged?: () => void;
  /** Who this process is, and whether it shares the database with other nodes. Default: a single node. */
  placement?: PlacementSettings;
  /** A table this node owned went to another node (or to nobody): its sockets are told; `row`: its last lobby row. */
  onTableLost?: (tableId: number, reason: string, row?: LobbyTable) => void;
  /** This node took a table (placement, rebalancing, a rebuild). */
  onTableClaimed?: (tableId: number) => void;
}

/**
 * Ownership (docs/decisions/019-table-leases-and-placement.md). A single node
 * takes every open table at boot, with leases that never expire. A cluster
 * node heartbeats, renews its leases well inside their TTL, and claims free
 * tables by rendezvous placement; every time is the database's.
 */
export interface PlacementSettings {
  nodeId: string;
  cluster: boolean;
  leaseTtlMs: number;
  /** Renewals, heartbeats and placement run this often (a third of the TTL or less). */
  tickMs: number;
  /** A node without a heartbeat for this long is dead for placement. */
  nodeTtlMs: number;
  /** At most this many tables per node. */
  capacity: number;
  /** The r-th ranked node claims a free table after r of these (r = 0: at once). */
  rankDelayMs: number;
  /** At most this many claims per tick (no stampede after a node dies). */
  claimsPerTick: number;
}

/**
 * A cluster node's settings from its lease TTL: renewals, heartbeats and placement
 * every fifth of it (200 ms to 1 s), a node dead after one TTL without a heartbeat,
 * two ticks between ranks, at most 20 claims a tick.
 */
export function clusterPlacement(nodeId: string, leaseTtlMs: number, capacity: number): PlacementSettings {
  const tickMs = Math.max(200, Math.min(1_000, Math.floor(leaseTtlMs / 5)));
  return { nodeId, cluster: true, leaseTtlMs, tickMs, nodeTtlMs: leaseTtlMs, capacity, rankDelayMs: 2 * tickMs, claimsPerTick: 20 };
}

export const SINGLE_NODE_PLACEMENT: PlacementSettings = {
  nodeId: 'single', cluster: false, leaseTtlMs: 0, tickMs: 0, nodeTtlMs: 0, capacity: 0, rankDelayMs: 0, claimsPerTick: 0,
};

/** Hands of a table that ended at about `at` (one, or a minute of them read back at a load): how many, and the pots played for. */
interface HandStat {
  at: number;
  hands: number;
  pot: number;
}

const LOBBY_WINDOW_MS = 60 * 60_000;
/** A rebuild that fails (the database unreachable) is tried again after this long, doubling up to the max. */
const REBUILD_RETRY_MS = 1_000;
const REBUILD_RETRY_MS_MAX = 30_000;
/** At most this many tables of a node are being handed over for rebalancing at once. */
const REBALANCE_IN_FLIGHT = 3;
/** A node silent for this many lease TTLs is forgotten (its cluster_nodes row deleted)... */
const NODE_FORGET_AFTER_TTLS = 30;
/** ...checked about this often by every node. */
const NODE_FORGET_EVERY_MS = 60_000;
/** How often idle tables look for players who sat out too long. */
const IDLE_SWEEP_MS = 30_000;

/** The table's own showdown hold and run-out pace, read at every load (boot, rebuild, creation). */
async function tableTiming(db: Db, tableId: number): Promise<TableTimingOverride> {
  return db.pokerTable.findUniqueOrThrow({ where: { id: tableId }, select: { showdownHoldMs: true, runOutStreetMs: true } });
}

/** What the lobby shows of a table's settings. */
function lobbySettingsOf(t: TableRow) {
  return {
    id: t.id, name: t.name, variant: t.variant,
    smallBlind: t.smallBlind, bigBlind: t.bigBlind, ante: t.ante,
    minBuyIn: t.minBuyIn, maxBuyIn: t.maxBuyIn, maxSeats: t.maxSeats,
  };
}

export class TableRegistry implements TableRegistryApi {
  private readonly actors = new Map<number, TableActor>();
  /** Tables being loaded (claimed, their seats read) and not yet in `actors`. */
  private readonly loading = new Set<number>();
  private readonly stats = new Map<number, HandStat[]>();
  private stopping = false;
  private sweepTimer: unknown = null;
  private readonly intents: IntentStore;
  private readonly placement: PlacementSettings;
  private draining = false;
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  /** performance.now() of the last renewal that succeeded (a node paused past its TTL drops its tables). */
  private renewedAt = 0;
  /** When forgetSilentNodes last ran (performance.now()). */
  private forgotAt = 0;
  /** Tables held for a hand-over to another node (rebalancing), released once their hand is over. */
  private readonly handingOver = new Set<number>();
  /** The close request being taken for each table (closeTable): the next one waits for it. */
  private readonly closeRequests = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: RegistryDeps) {
    this.intents = createIntentStore(deps.db);
    this.placement = deps.placement ?? SINGLE_NODE_PLACEMENT;
  }

  get nodeId(): string {
    return this.placement.nodeId;
  }

  /** A cluster node handing its tables over before it stops. */
  get isDraining(): boolean {
    return this.draining;
  }

  private holder(): ClaimOptions {
    return this.placement.cluster
      ? { nodeId: this.placement.nodeId, ttlMs: this.placement.leaseTtlMs, force: false }
      : { nodeId: this.placement.nodeId, ttlMs: null, force: true };
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
      for (const table of DEFAULT_TABLES) {
        // Nodes of a cluster booting together may race here: the name is unique, one insert wins.
        if (!(await tableNameTaken(this.deps.db, table.name))) await insertTable(this.deps.db, table).catch(() => undefined);
      }
      ids = await openTableIds(this.deps.db);
    }
    if (this.placement.cluster) {
      this.renewedAt = performance.now();
      await heartbeatNode(this.deps.db, this.nodeId, this.placement.capacity, false);
      await this.place();
      this.scheduleTick();
    } else {
      for (const id of ids) await this.load(id);
    }
    this.deps.metrics?.tables?.(this.actors.size);
    this.scheduleSweep();
  }

  // ---- cluster: heartbeat, renewals, placement --------------------------------------

  private scheduleTick(): void {
    if (this.stopping) return;
    this.tickTimer = setTimeout(() => {
      this.tick().catch((error: Error) => this.deps.log.warn({ error: error.message }, 'cluster tick failed'))
        .finally(() => this.scheduleTick());
    }, this.placement.tickMs);
    this.tickTimer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    await this.renew();
    await heartbeatNode(this.deps.db, this.nodeId, this.placement.capacity, this.draining);
    if (!this.draining) await this.place();
    await this.forgetSilentNodes();
  }

  /** About once a minute, the rows of nodes silent for NODE_FORGET_AFTER_TTLS leases go. */
  private async forgetSilentNodes(): Promise<void> {
    const now = performance.now();
    if (now - this.forgotAt < NODE_FORGET_EVERY_MS) return;
    this.forgotAt = now;
    try {
      const forgotten = await forgetSilentNodes(this.deps.db, this.placement.leaseTtlMs * NODE_FORGET_AFTER_TTLS);
      if (forgotten > 0) this.deps.log.info({ forgotten }, 'forgot the rows of silent nodes');
    } catch (error) {
      this.deps.log.warn({ error: (error as Error).message }, 'could not forget silent nodes (tried again later)');
    }
  }

  /** Extends every lease this node holds; a table whose lease it lost is dropped at once. */
  private async renew(): Promise<void> {
    const held = this.all().map((a) => ({ tableId: a.id, epoch: a.table.ownerEpoch }));
    let kept: Set<number>;
    try {
      kept = await renewLeases(this.deps.db, this.holder(), held);
    } catch (error) {
      // Without a renewal for a whole TTL the leases may have run out: stop before anyone else deals.
      if (performance.now() - this.renewedAt >= this.placement.leaseTtlMs) {
        for (const { tableId } of held) this.lose(tableId, 'lease renewal failed for a whole TTL');
      }
      throw error;
    }
    this.renewedAt = performance.now();
    for (const { tableId } of held) if (!kept.has(tableId)) this.lose(tableId, 'lease lost');
  }

  /** Claims free tables that rank this node first (or have waited for it long enough), then rebalances. */
  private async place(): Promise<void> {
    const nodes = await liveNodes(this.deps.db, this.placement.nodeTtlMs);
    const free = await freeTables(this.deps.db);
    // A node takes tables only up to its share, so the first node up after a cold start
    // does not take them all, and a table handed over for balance is not taken back.
    const serving = nodes.filter((n) => !n.draining);
    const share = Math.ceil((nodes.reduce((sum, n) => sum + n.owned, 0) + free.length) / Math.max(1, serving.length));
    const eligible = serving.filter((n) => n.owned < Math.min(n.capacity, share)).map((n) => n.id);
    if (eligible.includes(this.nodeId)) {
      let room = this.placement.capacity - this.actors.size;
      let claims = 0;
      for (const table of free) {
        if (room <= 0 || claims >= this.placement.claimsPerTick || this.stopping || this.draining) break;
        if (this.actors.has(table.tableId) || this.loading.has(table.tableId)) continue;
        if (!shouldClaim(this.nodeId, table.tableId, table.freeForMs, eligible, this.placement.rankDelayMs)) continue;
        claims++;
        // One table that cannot be claimed now (its row still held by a stopped owner's
        // transaction: the claim's lock wait ran out) leaves the others to claim this tick.
        try {
          if (await this.load(table.tableId)) {
            room--;
            this.deps.log.info({ tableId: table.tableId, node: this.nodeId }, 'table claimed');
          }
        } catch (error) {
          this.deps.log.warn({ tableId: table.tableId, error: (error as Error).message }, 'could not claim a free table (tried again next tick)');
        }
      }
      if (claims > 0) this.deps.metrics?.tables?.(this.actors.size);
    }
    await this.rebalance(nodes, eligible, free.length, share);
  }

  /**
   * A node holding more than its share of the tables (after a cold start, where
   * the first node up takes everything, or when a node comes back) hands some
   * over, between hands, each to the node rendezvous ranks first for it, as long
   * as that node is below its share: at most REBALANCE_IN_FLIGHT at a time, so
   * tables move a few at a time, never in a stampede. Nothing moves while tables
   * are waiting for an owner.
   */
  private async rebalance(nodes: NodeRow[], eligible: string[], free: number, share: number): Promise<void> {
    for (const tableId of [...this.handingOver]) {
      const actor = this.actors.get(tableId);
      if (!actor) this.handingOver.delete(tableId);
      else if (actor.readyToHandOver) {
        this.handingOver.delete(tableId);
        await this.handOver(actor, 'rebalanced');
      }
    }
    const below = eligible.filter((id) => id !== this.nodeId);
    if (free > 0 || below.length === 0 || this.draining || this.stopping) return;
    const owned = new Map(nodes.map((n) => [n.id, n.owned]));
    let excess = this.actors.size - this.handingOver.size - share;
    for (const actor of this.all()) {
      if (excess <= 0 || this.handingOver.size >= REBALANCE_IN_FLIGHT) break;
      if (this.handingOver.has(actor.id) || actor.isClosing) continue;
      // The node that placement will pick for it once it is free: the first below its share.
      const target = rendezvousRanking(actor.id, below).find((id) => (owned.get(id) ?? 0) < share);
      if (!target) continue;
      this.deps.log.info({ tableId: actor.id, from: this.nodeId, to: target }, 'handing a table over (rebalancing)');
      actor.hold();
      this.handingOver.add(actor.id);
      owned.set(target, (owned.get(target) ?? 0) + 1);
      excess--;
    }
  }

  /** Gives a table up between hands: its actor stops and its lease is released for the next owner. */
  private async handOver(actor: TableActor, reason: string): Promise<void> {
    const row = this.lobbyRow(actor);
    actor.stop();
    await actor.idle();
    if (this.actors.get(actor.id) === actor) this.actors.delete(actor.id);
    // Its next owner counts its hands: if it comes back here, the figures are read again.
    this.stats.delete(actor.id);
    await releaseLease(this.deps.db, this.nodeId, actor.id, actor.table.ownerEpoch, reason)
      .catch((error: Error) => this.deps.log.warn({ tableId: actor.id, error: error.message }, 'lease release failed (it will expire)'));
    this.deps.metrics?.tables?.(this.actors.size);
    this.deps.onTableLost?.(actor.id, reason, row);
    this.deps.onLobbyChanged?.();
  }

  /** This node no longer owns the table: its actor stops (a live hand is void) and its sockets are told. */
  private lose(tableId: number, reason: string): void {
    const actor = this.actors.get(tableId);
    if (!actor) return;
    this.deps.log.warn({ tableId, node: this.nodeId, reason }, 'table lost');
    const row = this.lobbyRow(actor);
    actor.stop();
    this.actors.delete(tableId);
    this.stats.delete(tableId);
    this.deps.metrics?.tables?.(this.actors.size);
    this.deps.onTableLost?.(tableId, reason, row);
    this.deps.onLobbyChanged?.();
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

  /** The answer to a command for a table this registry does not run: closed if it was, else not found. */
  missing(tableId: number): Promise<MissingTable> {
    return tableMissing(this.deps.db, tableId);
  }

  get(tableId: number): TableActor | undefined {
    return this.actors.get(tableId);
  }

  all(): TableActor[] {
    return [...this.actors.values()];
  }

  private async load(tableId: number): Promise<TableActor | null> {
    // One load of a table at a time in this process: placement could otherwise claim a table
    // that createTable is still loading (its actor not registered yet) and, the lease being
    // this node's own, claim it again under a new epoch (black-box audit 6).
    if (this.loading.has(tableId)) return null;
    this.loading.add(tableId);
    try {
      return await this.loadOnce(tableId);
    } finally {
      this.loading.delete(tableId);
    }
  }

  private async loadOnce(tableId: number): Promise<TableActor | null> {
    const table = await claimTable(this.deps.db, tableId, this.holder());
    if (!table) return null;
    const actor = new TableActor({
      table,
      ledger: this.deps.ledger,
      clock: this.deps.clock,
      wallNow: this.deps.wallNow,
      settings: withTableTiming(this.deps.settings, await tableTiming(this.deps.db, tableId)),
      output: this.deps.output,
      intents: this.intents,
      newSeed: () => randomBytes(32),
      log: this.deps.log,
      metrics: this.deps.metrics,
      onFatal: (id, reason, cause) => void this.rebuild(id, reason, cause),
      onClosed: (id) => this.retire(id, actor),
      onHandSettled: (id, pot) => this.recordHand(id, pot),
      onLobbyChanged: () => this.deps.onLobbyChanged?.(),
      handSettled: (id, handNumber, handId) => handWasSettled(this.deps.db, id, handNumber, handId),
      equity: this.deps.equity,
    });
    if (!this.stats.has(tableId)) {
      const now = this.deps.clock.now();
      const minutes = await recentHands(this.deps.db, tableId, LOBBY_WINDOW_MS);
      this.stats.set(tableId, minutes.map((m) => ({ at: now - m.ageMs, hands: m.hands, pot: m.pot })));
    }
    // The stored seats are read before the actor is registered, and restore() takes the head
    // of its mailbox at once: a command can reach the actor only after it (before, a top-up in
    // the gap of a rebuild was answered table/not_seated, a watch saw an empty table).
    const stored = await storedTable(this.deps.db, this.intents, tableId);
    this.actors.set(tableId, actor);
    await actor.restore(stored);
    this.deps.onTableClaimed?.(tableId);
    this.deps.onLobbyChanged?.();
    return actor;
  }

  /** After a fatal error: drop the actor (its hand is void) and load the table again. */
  private async rebuild(tableId: number, reason: string, cause: FatalCause): Promise<void> {
    if (this.stopping) return;
    this.deps.log.warn({ tableId, reason, cause }, 'rebuilding table from the database');
    this.deps.metrics?.tableRebuilt?.(cause);
    this.actors.get(tableId)?.stop();
    this.actors.delete(tableId);
    let delay = REBUILD_RETRY_MS;
    while (!this.stopping) {
      try {
        if (!(await this.load(tableId))) this.deps.onTableLost?.(tableId, reason);
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
    list.push({ at: now, hands: 1, pot });
    this.stats.set(tableId, list);
    this.deps.onLobbyChanged?.();
  }

  listLobby(): LobbyTable[] {
    return this.all().map((actor) => this.lobbyRow(actor));
  }

  private lobbyRow(actor: TableActor): LobbyTable {
    const now = this.deps.clock.now();
    const t = actor.table;
    const recent = (this.stats.get(t.id) ?? []).filter((s) => now - s.at < LOBBY_WINDOW_MS);
    let hands = 0;
    let pots = 0;
    for (const s of recent) {
      hands += s.hands;
      pots += s.pot;
    }
    return {
      ...lobbySettingsOf(t),
      seatsTaken: actor.seatsTaken(), waiting: actor.waitlistSize(), spectators: actor.spectators,
      averagePot: hands ? Math.round(pots / hands) : 0, handsPerHour: hands,
      status: actor.isClosing ? 'CLOSED' : 'OPEN',
      node: this.nodeId,
    };
  }

  /**
   * `showdownHoldMs` and `runOutStreetMs`: the table's own pace (absent or null: the
   * process settings); outside their ranges the table is refused (`request/invalid`,
   * naming the field) and nothing is written.
   */
  async createTable(input: CreateTableInput & TableTimingInput, adminUserId?: number): Promise<RegistryResult<LobbyTable>> {
    const problem = tableTimingProblem(input);
    if (problem) return { ok: false, error: { code: 'request/invalid', message: problem } };
    const taken = { ok: false, error: { code: 'request/invalid', message: 'A table with that name exists.' } } as const;
    if (await tableNameTaken(this.deps.db, input.name)) return taken;
    const audit = adminUserId === undefined ? undefined : { adminUserId, details: { ...input } };
    const row = await insertTable(this.deps.db, input, audit).catch((error: unknown) => {
      if (isNameTakenError(error)) return null;
      throw error;
    });
    if (!row) return taken;
    // Before the load, so the actor starts with them. A second statement, outside
    // insertTable's transaction: store.ts writes only the columns every table has.
    const timing: TableTimingOverride = { showdownHoldMs: input.showdownHoldMs ?? null, runOutStreetMs: input.runOutStreetMs ?? null };
    if (timing.showdownHoldMs !== null || timing.runOutStreetMs !== null) {
      await this.deps.db.pokerTable.update({ where: { id: row.id }, data: timing });
    }
    await this.load(row.id);
    this.deps.metrics?.tables?.(this.actors.size);
    // Another node may have claimed the new table first (a cluster): it is created all the same.
    const listed = this.listLobby().find((t) => t.id === row.id);
    // Before any node has loaded it: empty and open.
    const unloaded: LobbyTable = { ...lobbySettingsOf(row), seatsTaken: 0, waiting: 0, spectators: 0, averagePot: 0, handsPerHour: 0, status: 'OPEN' };
    return { ok: true, value: listed ?? unloaded };
  }

  /**
   * Closes a table: recorded first (so a restart finishes the job), then at the
   * end of the current hand, or at once with `now` (the live hand is voided).
   * Every seat is cashed out before the ledger marks the table CLOSED.
   *
   * A request that changes nothing is refused `table/closed`: a table already
   * closing (or closed), unless the request escalates a close at the end of the
   * hand to `now`. Requests for one table are taken one at a time, so that of two
   * concurrent requests the second sees the first (one audit row per close).
   */
  closeTable(tableId: number, adminUserId?: number, options: { now?: boolean } = {}): Promise<RegistryResult<{ tableId: number; pending: boolean }>> {
    const previous = this.closeRequests.get(tableId) ?? Promise.resolve();
    // After the one before it, however it ended (a failed request does not fail the next).
    const mine = previous.then(noop, noop).then(() => this.closeOnce(tableId, options.now ?? false, adminUserId));
    this.closeRequests.set(tableId, mine);
    const forget = () => {
      if (this.closeRequests.get(tableId) === mine) this.closeRequests.delete(tableId);
    };
    mine.then(forget, forget);
    return mine;
  }

  private async closeOnce(tableId: number, now: boolean, adminUserId: number | undefined): Promise<RegistryResult<{ tableId: number; pending: boolean }>> {
    const actor = this.actors.get(tableId);
    if (!actor) return tableMissing(this.deps.db, tableId);
    const current = actor.closeRequest;
    if (current === 'now' || (current === 'boundary' && !now)) {
      return { ok: false, error: { code: 'table/closed', message: 'The table is already closing.' } };
    }
    // Audited with the request itself, on the node that owns the table (decision 020 forwards it here).
    await requestClose(this.deps.db, tableId, adminUserId === undefined ? undefined : { adminUserId, details: { now } });
    const { pending } = await actor.close({ now });
    this.deps.onLobbyChanged?.();
    return { ok: true, value: { tableId, pending } };
  }

  /** A closed table leaves the lobby. */
  private retire(tableId: number, actor: TableActor): void {
    if (this.actors.get(tableId) === actor) this.actors.delete(tableId);
    this.stats.delete(tableId);
    this.deps.metrics?.tables?.(this.actors.size);
    this.deps.onLobbyChanged?.();
  }

  /**
   * Graceful shutdown: give hands in progress up to `graceMs` to finish (and
   * settle), then stop every actor. An unfinished hand is void: nothing of it
   * was committed. A cluster node drains instead: no new hand is dealt, each
   * table is handed over (its lease released) as soon as its hand has settled,
   * and the node leaves the cluster.
   */
  async shutdown(graceMs: number): Promise<void> {
    if (this.placement.cluster) return this.drain(graceMs);
    this.stopping = true;
    this.deps.clock.clearTimeout(this.sweepTimer);
    const deadline = this.deps.clock.now() + graceMs;
    while (this.all().some((a) => a.handInProgress()) && this.deps.clock.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const actor of this.all()) actor.stop();
    await Promise.all(this.all().map((a) => a.idle()));
  }

  private async drain(graceMs: number): Promise<void> {
    this.draining = true;
    this.deps.clock.clearTimeout(this.sweepTimer);
    await heartbeatNode(this.deps.db, this.nodeId, this.placement.capacity, true).catch(() => undefined);
    for (const actor of this.all()) actor.hold();
    const deadline = performance.now() + graceMs;
    // Each table goes as soon as its hand has settled, so the others' players wait the least.
    while (this.actors.size > 0) {
      for (const actor of this.all()) {
        if (!actor.readyToHandOver && performance.now() < deadline) continue;
        await this.handOver(actor, 'drained');
      }
      if (this.actors.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.stopping = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    await deregisterNode(this.deps.db, this.nodeId).catch(() => undefined);
  }
}

function noop(): void {}

export type MissingTable = { ok: false; error: { code: 'table/closed' | 'table/not_found' | 'table/unavailable'; message: string } };

/**
 * The answer for a table nobody runs here, by its status: closed (409) if it was; open
 * (503, try again): it is being loaded again (a rebuild after a fatal error, the database
 * unreachable meanwhile), not gone; else not found (404).
 */
export function missingTable(status: 'OPEN' | 'CLOSED' | null): MissingTable {
  if (status === 'CLOSED') return { ok: false, error: { code: 'table/closed', message: 'The table is closed.' } };
  if (status === 'OPEN') return { ok: false, error: { code: 'table/unavailable', message: 'The table is being loaded again; try again in a moment.' } };
  return { ok: false, error: { code: 'table/not_found', message: 'No such table.' } };
}

/** The answer for a table this node does not run. */
export async function tableMissing(db: Db, tableId: number): Promise<MissingTable> {
  return missingTable(await tableStatus(db, tableId));
}
