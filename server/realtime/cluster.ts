import { randomUUID } from 'node:crypto';
import type { ClusterBus } from '../cluster/bus';
import { BusError } from '../cluster/bus';
import type { Db } from '../db/client';
import { errorAck, type LobbyTable } from '../protocol';
import { tableOwners } from '../tables/leases';
import { missingTable, type MissingTable, type TableRegistry } from '../tables/registry';
import type { CreateTableInput, RegistryResult, TableRegistryApi } from '../tables/registry-api';
import { seatedTableIds, tableStatus } from '../tables/store';
import type { RemoteView } from './fanout';
import { isReadOnly, runTableCommand, type TableCommand, type TableCommandAck, type TableCommandName } from './table-commands';

// What a node needs to know of the other nodes of its cluster, over the
// cluster bus (docs/decisions/020-routing-table-commands.md):
// - routing: a table command for a table another node owns is forwarded to it
//   and its answer comes back (the owner is read from the leases in
//   PostgreSQL, cached for a second);
// - state reports: every node tells the others, every couple of seconds and
//   soon after a change, which users have sockets on it, how many spectators
//   each table has there, and its own tables' lobby rows; a report not renewed
//   within REPORT_TTL_MS is dropped (a dead node's users disconnect);
// - seat changes, so every node's sockets of a player join the table's room.
// Frames themselves go through the Socket.IO Redis adapter. Without Redis,
// commands to other nodes' tables answer `table/unavailable` and the reports
// go stale; tables keep playing for the sockets on their own node.

const REPORT_EVERY_MS = 2_000;
const REPORT_TTL_MS = 6_000;
const OWNERS_TTL_MS = 1_000;
/**
 * A request whose connection broke after it was sent (`lost`) is sent again, with its id,
 * once Redis is back within this long; otherwise the player hears `table/unavailable`.
 */
const RESEND_WAIT_MS = 1_000;
/** Sends of one request at most: to a table that moved (`moved`), or again after `lost`. */
const SENDS_MAX = 3;

interface StateReport {
  users: number[];
  spectators: [number, number][];
  lobby: LobbyTable[];
}

interface NodeState {
  at: number;
  users: Set<number>;
  spectators: Map<number, number>;
  lobby: LobbyTable[];
}

/** How the gateway reaches a table, wherever it is owned. */
export interface TableRouter {
  run<N extends TableCommandName>(command: TableCommand<N>): Promise<TableCommandAck<N>>;
  /** A user's first socket on this node connected, or its last one went away. */
  presenceChanged(userId: number, tableIds: number[]): void;
  /** Tables where the user holds a seat, wherever they are owned. */
  seatedTables(userId: number, local: number[]): Promise<number[]>;
}

/** A single node: every table is local. */
export function localRouter(registry: TableRegistry, isConnected: (userId: number) => boolean): TableRouter {
  return {
    run: async (command) => {
      const actor = registry.get(command.tableId);
      return actor ? runTableCommand(actor, command) : ((await registry.missing(command.tableId)) as TableCommandAck<typeof command.name>);
    },
    presenceChanged(userId, tableIds) {
      for (const tableId of tableIds) void registry.get(tableId)?.connectionChanged(userId, isConnected(userId));
    },
    seatedTables: async (_userId, local) => local,
  };
}

export interface ClusterLinkDeps {
  bus: ClusterBus;
  db: Db;
  log: { warn(obj: object, msg?: string): void };
}

export interface ClusterLocal {
  registry: TableRegistry;
  users(): number[];
  spectators(): [number, number][];
  isConnected(userId: number): boolean;
  applySeat(userId: number, tableId: number, seated: boolean): void;
  /** Another node's tables changed: push the lobby to this node's subscribers. */
  lobbyChanged(): void;
}

export class ClusterLink implements RemoteView {
  private readonly nodes = new Map<string, NodeState>();
  private readonly departed = new Map<number, { row: LobbyTable; until: number }>();
  private local: ClusterLocal | null = null;
  private owners = new Map<number, string>();
  private ownersAt = 0;
  private ownersLoading: Promise<void> | null = null;
  private reportTimer: ReturnType<typeof setInterval> | null = null;
  private soonTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: ClusterLinkDeps) {}

  get nodeId(): string {
    return this.deps.bus.nodeId;
  }

  /** Once the registry exists: answers the other nodes and starts reporting. */
  start(local: ClusterLocal): void {
    this.local = local;
    this.deps.bus.onRequest((kind, payload, _from, deadline) => this.answer(kind, payload, deadline));
    this.deps.bus.onBroadcast((kind, payload, from) => this.heard(kind, payload, from));
    this.reportTimer = setInterval(() => {
      this.report();
      this.expire();
    }, REPORT_EVERY_MS);
    this.reportTimer.unref();
    this.report();
    // A node that just started asks the others for their state rather than wait for their next report.
    this.deps.bus.broadcast('hello', {});
  }

  stop(): void {
    if (this.reportTimer) clearInterval(this.reportTimer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
  }

  // ---- RemoteView (for the fan-out) ---------------------------------------------

  connected(userId: number): boolean {
    for (const node of this.nodes.values()) if (node.users.has(userId)) return true;
    return false;
  }

  spectators(tableId: number): number {
    let n = 0;
    for (const node of this.nodes.values()) n += node.spectators.get(tableId) ?? 0;
    return n;
  }

  seatChanged(userId: number, tableId: number, seated: boolean): void {
    this.deps.bus.broadcast('seat', { userId, tableId, seated });
  }

  /**
   * The lobby rows of the other nodes' tables, and of tables this node just gave
   * up that no node has reported yet (a table moving between owners stays listed).
   */
  remoteLobby(): LobbyTable[] {
    // A table that moved may be in two reports for a moment: the newest report wins.
    const rows = new Map<number, LobbyTable>();
    for (const node of [...this.nodes.values()].sort((a, b) => a.at - b.at)) {
      for (const row of node.lobby) rows.set(row.id, row);
    }
    const now = Date.now();
    for (const [id, { row, until }] of this.departed) {
      if (rows.has(id) || until < now) this.departed.delete(id);
      else rows.set(id, row);
    }
    return [...rows.values()];
  }

  /** This node gave a table up: it stays in the lobby until its next owner reports it. */
  tableDeparted(row: LobbyTable | undefined): void {
    if (row) this.departed.set(row.id, { row, until: Date.now() + REPORT_TTL_MS });
    this.reportSoon(50);
  }

  /** Sends this node's state soon (a user came or went, the lobby changed). */
  reportSoon(delayMs = 250): void {
    if (this.soonTimer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      this.report();
    }, delayMs);
    this.soonTimer.unref();
  }

  private report(): void {
    const local = this.local;
    if (!local) return;
    const state: StateReport = { users: local.users(), spectators: local.spectators(), lobby: local.registry.listLobby() };
    this.deps.bus.broadcast('state', state);
  }

  private heard(kind: string, payload: unknown, from: string): void {
    const local = this.local;
    if (!local) return;
    if (kind === 'hello') {
      this.reportSoon(50);
    } else if (kind === 'seat') {
      const { userId, tableId, seated } = payload as { userId: number; tableId: number; seated: boolean };
      local.applySeat(userId, tableId, seated);
    } else if (kind === 'state') {
      const report = payload as StateReport;
      const previous = this.nodes.get(from);
      const before = previous?.users ?? new Set<number>();
      const users = new Set(report.users);
      // A table that left this node's report is moving: listed until its next owner reports it.
      const still = new Set(report.lobby.map((t) => t.id));
      for (const row of previous?.lobby ?? []) if (!still.has(row.id)) this.departed.set(row.id, { row, until: Date.now() + REPORT_TTL_MS });
      this.nodes.set(from, { at: Date.now(), users, spectators: new Map(report.spectators), lobby: report.lobby });
      for (const u of users) if (!before.has(u)) this.userChanged(u);
      for (const u of before) if (!users.has(u)) this.userChanged(u);
      local.lobbyChanged();
    }
  }

  /** Drops the reports of nodes that stopped sending them. */
  private expire(): void {
    const now = Date.now();
    for (const [id, node] of this.nodes) {
      if (now - node.at < REPORT_TTL_MS) continue;
      this.nodes.delete(id);
      for (const u of node.users) this.userChanged(u);
      this.local?.lobbyChanged();
    }
  }

  /** Somewhere in the cluster a user's sockets came or went: their seats at this node's tables hear of it. */
  private userChanged(userId: number): void {
    const local = this.local!;
    const connected = local.isConnected(userId);
    for (const actor of local.registry.all()) {
      if (actor.seatOf(userId) !== null) void actor.connectionChanged(userId, connected);
    }
  }

  // ---- routing --------------------------------------------------------------------

  private async answer(kind: string, payload: unknown, deadline: number | null): Promise<unknown> {
    const registry = this.local!.registry;
    if (kind === 'table') {
      const command = payload as TableCommand;
      const actor = registry.get(command.tableId);
      if (!actor) return { moved: true };
      // Not run if the table's queue reaches it after the sender stopped waiting (it answered
      // table/unavailable, "nothing happened", by then).
      const run = () => runTableCommand(actor, command);
      return { ack: await (deadline === null ? run() : actor.withDeadline(deadline, run)) };
    }
    if (kind === 'close') {
      const { tableId, adminUserId, now } = payload as { tableId: number; adminUserId: number; now: boolean };
      if (!registry.get(tableId)) return { moved: true };
      return { result: await registry.closeTable(tableId, adminUserId, { now }) };
    }
    throw new Error(`unknown request ${kind}`);
  }

  private async ownerOf(tableId: number, fresh: boolean): Promise<string | undefined> {
    if (fresh || Date.now() - this.ownersAt > OWNERS_TTL_MS || !this.owners.has(tableId)) {
      this.ownersLoading ??= tableOwners(this.deps.db)
        .then((owners) => {
          this.owners = owners;
          this.ownersAt = Date.now();
        })
        .finally(() => {
          this.ownersLoading = null;
        });
      await this.ownersLoading;
    }
    return this.owners.get(tableId);
  }

  /**
   * Sends a request about a table to its owner: at most SENDS_MAX times (a `moved`
   * answer or a vanished owner makes it look the owner up again; a send whose connection
   * broke is sent again once Redis is back). Every send carries `requestId`, so an owner
   * that got it twice runs it once and answers both with that run. 'local': this node owns
   * it now; `missing`: no node runs it and it is not open (closed, or never a table).
   */
  private async forward<T>(tableId: number, kind: string, payload: unknown, requestId: string | undefined): Promise<T | 'local' | 'unavailable' | { missing: MissingTable }> {
    for (let attempt = 0; attempt < SENDS_MAX; attempt++) {
      if (this.local!.registry.get(tableId)) return 'local';
      const owner = await this.ownerOf(tableId, attempt > 0);
      if (!owner || owner === this.nodeId) {
        if (attempt === 0) continue;
        const status = await tableStatus(this.deps.db, tableId);
        return status === 'OPEN' ? 'unavailable' : { missing: missingTable(status) };
      }
      try {
        const reply = await this.deps.bus.request<{ moved?: true } & T>(owner, kind, payload, { requestId });
        if (reply.moved) continue;
        return reply;
      } catch (error) {
        if (!(error instanceof BusError)) throw error;
        this.deps.log.warn({ tableId, owner, kind, error: error.message }, 'forwarded table request failed');
        if (error.code === 'timeout') return 'unavailable';
        // It may have run: only a send with the same id may follow (the owner answers it with that run).
        if (error.code === 'lost' && !(await this.deps.bus.whenConnected(RESEND_WAIT_MS))) return 'unavailable';
      }
    }
    // Answered `moved` twice (a table just closed still names its last owner for a while), or
    // its owner is gone: a table that is not open is said so, not "try again" (audit 7).
    const status = await tableStatus(this.deps.db, tableId);
    return status === 'OPEN' ? 'unavailable' : { missing: missingTable(status) };
  }

  router(): TableRouter {
    return {
      run: async <N extends TableCommandName>(command: TableCommand<N>): Promise<TableCommandAck<N>> => {
        const registry = this.local!.registry;
        // One id for every send of a command that changes something, and the seed of the key a
        // keyless sit or top-up is made with: a re-send that reached another owner is a ledger
        // replay. A watch or snapshot is only read: sent again, it is answered again.
        const requestId = isReadOnly(command.name) ? undefined : randomUUID();
        const reply = registry.get(command.tableId) ? 'local' : await this.forward<{ ack: TableCommandAck<N> }>(command.tableId, 'table', { ...command, requestId }, requestId);
        if (reply === 'local') return runTableCommand(registry.get(command.tableId), command);
        if (reply === 'unavailable') return errorAck('table/unavailable') as TableCommandAck<N>;
        if ('missing' in reply) return reply.missing as TableCommandAck<N>;
        return reply.ack;
      },
      presenceChanged: (userId, tableIds) => {
        const local = this.local!;
        for (const tableId of tableIds) void local.registry.get(tableId)?.connectionChanged(userId, local.isConnected(userId));
        this.reportSoon();
      },
      seatedTables: async (userId, local) => {
        return [...new Set([...local, ...(await seatedTableIds(this.deps.db, userId))])];
      },
    };
  }

  /** The table registry as HTTP sees it: every node's tables in the lobby; a close goes to the owner. */
  tables(): TableRegistryApi {
    const registry = this.local!.registry;
    return {
      listLobby: () => [...registry.listLobby(), ...this.remoteLobby().filter((t) => !registry.get(t.id))].sort((a, b) => a.id - b.id),
      // The node that creates a table owns it first (its lease is free).
      createTable: (input: CreateTableInput, adminUserId: number) => registry.createTable(input, adminUserId),
      closeTable: async (tableId, adminUserId, options = {}) => {
        if (registry.get(tableId)) return registry.closeTable(tableId, adminUserId, options);
        const reply = await this.forward<{ result: RegistryResult<{ tableId: number; pending: boolean }> }>(
          tableId, 'close', { tableId, adminUserId, now: options.now ?? false }, randomUUID(),
        );
        if (reply === 'local') return registry.closeTable(tableId, adminUserId, options);
        if (reply === 'unavailable') return { ok: false, error: { code: 'table/unavailable', message: 'The server running this table is not answering; try again in a moment.' } };
        if ('missing' in reply) return reply.missing;
        return reply.result;
      },
    };
  }
}
