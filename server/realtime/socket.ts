import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { ClusterBus } from '../cluster/bus';
import type { Db } from '../db/client';
import { SERVER_EVENTS, SOCKET_BUFFER_BYTES_MAX, type LobbyTable } from '../protocol';
import type { TableOutput } from '../tables/output';
import type { TableRegistry } from '../tables/registry';
import type { TableRegistryApi } from '../tables/registry-api';
import { ClusterLink, localRouter } from './cluster';
import { coalesceSocketWrites } from './coalesce';
import { createFanout, type Fanout, type SocketSession } from './fanout';
import { attachGateway, type GatewayDeps } from './gateway';
import { RECOVERY_WINDOW_MS_DEFAULT } from '../config';

// The Socket.IO server, composed in the order its parts depend on each other:
// the server and the fan-out first (the table registry sends through the
// fan-out's TableOutput), then, once the registry exists, the gateway that
// routes client messages to it. Nothing is wired in a loop.

export interface RealtimeDeps {
  httpServer: HttpServer;
  authenticate: GatewayDeps['authenticate'];
  recheck: GatewayDeps['recheck'];
  /** Whether a handshake's Origin may open a socket (same-origin and configured origins). */
  originAllowed: (request: IncomingMessage) => boolean;
  metrics?: GatewayDeps['metrics'];
  log: GatewayDeps['log'];
  now?: () => number;
  /** Proxy hops trusted for the client's address (TRUST_PROXY). */
  trustProxy?: number;
  /** At most this long between two lookups of a socket's session (default SESSION_RECHECK_MS). */
  sessionRecheckMs?: number;
  /**
   * A node of a cluster (docs/decisions/020-routing-table-commands.md): the Socket.IO
   * Redis adapter, and the bus to the other nodes. Absent: a single node.
   */
  cluster?: { adapter: ServerOptions['adapter']; bus: ClusterBus; db: Db };
  /** One write per WebSocket per event-loop turn (server/realtime/coalesce.ts); default on. */
  coalesceWrites?: boolean;
  /** How long a single node keeps missed packets for a reconnecting socket; 0: no recovery (default RECOVERY_WINDOW_MS_DEFAULT). */
  recoveryWindowMs?: number;
}

/** How often expired recovery packets are dropped (Socket.IO itself does it once a minute). */
const RECOVERY_PRUNE_MS = 1_000;
/**
 * A socket trusts the session it was opened with for this long at most, then looks it up
 * again on its next message (sooner when the session expires first). A session ended where
 * this process cannot tell its sockets (another process, a logout racing the handshake) stops
 * working within this time; the lookup is one indexed query per socket per interval.
 */
export const SESSION_RECHECK_MS = 5 * 60_000;
/** Lobby pushes are coalesced to at most one per this long. */
const LOBBY_PUSH_MS = 1_000;

export type { SocketSession };

export interface Realtime {
  io: Server;
  fanout: Fanout;
  output: TableOutput;
  /** Routes client messages to the tables (call once the registry exists). */
  attach(registry: TableRegistry): void;
  /** The tables as HTTP sees them: in a cluster, every node's (call after attach). */
  tables(): TableRegistryApi;
  lobbyChanged(): void;
  /** A table this node ran moved away: its sockets hear it, and resync with the next owner. */
  tableLost(tableId: number, row?: LobbyTable): void;
  /** This node took a table: the other nodes hear of it soon. */
  tableClaimed(tableId: number): void;
  close(): Promise<void>;
}

export function createRealtime(deps: RealtimeDeps): Realtime {
  const now = deps.now ?? (() => Date.now());
  const cluster = deps.cluster ?? null;
  const recoveryWindowMs = cluster ? 0 : deps.recoveryWindowMs ?? RECOVERY_WINDOW_MS_DEFAULT;
  const io = new Server(deps.httpServer, {
    maxHttpBufferSize: SOCKET_BUFFER_BYTES_MAX,
    perMessageDeflate: false,
    // Every broadcast packet is kept this long for replay to a socket that comes
    // back; at thousands of frames a second a long window costs gigabytes of heap
    // and GC time. A client away longer resyncs with a snapshot, which always works.
    // (In a cluster the Redis adapter keeps nothing: a client resyncs with a snapshot.)
    ...(cluster ? { adapter: cluster.adapter } : {}),
    ...(recoveryWindowMs > 0 ? { connectionStateRecovery: { maxDisconnectionDuration: recoveryWindowMs, skipMiddlewares: false } } : {}),
    serveClient: false,
    // A page on another site must not open a socket with the player's cookie.
    allowRequest: (request, callback) => callback(null, deps.originAllowed(request)),
  });
  if (deps.coalesceWrites ?? true) coalesceSocketWrites(io);
  const pruneTimer = recoveryWindowMs > 0 ? pruneRecoveryBuffer(io, recoveryWindowMs) : null;
  if (recoveryWindowMs > 0) bindRecoveryToSession(io, deps.authenticate, recoveryWindowMs);
  const link = cluster ? new ClusterLink({ bus: cluster.bus, db: cluster.db, log: deps.log }) : null;
  const fanout = createFanout(io, link);
  let registry: TableRegistry | null = null;
  let lobbyTimer: ReturnType<typeof setTimeout> | null = null;
  const lobby = () => (link ? link.tables().listLobby() : registry!.listLobby());
  // Each node pushes the whole lobby to its own subscribers, at most once a LOBBY_PUSH_MS.
  const pushLobby = () => {
    if (lobbyTimer || !registry) return;
    lobbyTimer = setTimeout(() => {
      lobbyTimer = null;
      io.local.to('lobby').emit(SERVER_EVENTS.lobbyTables, lobby());
    }, LOBBY_PUSH_MS);
    lobbyTimer.unref();
  };

  const realtime: Realtime = {
    io,
    fanout,
    output: fanout.output,
    attach(tables) {
      registry = tables;
      link?.start({
        registry: tables,
        users: () => fanout.localUsers(),
        spectators: () => fanout.localSpectators(),
        isConnected: (userId) => (fanout.output.isConnected?.(userId) ?? false),
        applySeat: (userId, tableId, seated) => fanout.applySeat(userId, tableId, seated),
        lobbyChanged: pushLobby,
      });
      const recheckMs = deps.sessionRecheckMs ?? SESSION_RECHECK_MS;
      const due = (session: SocketSession | null) => session && { ...session, checkAt: Math.min(session.checkAt, now() + recheckMs) };
      attachGateway({
        io, fanout, metrics: deps.metrics, log: deps.log, now, lobby,
        // The lobby's spectator counts (watch, unwatch, a spectator gone), pushed as every change.
        lobbyChanged: () => realtime.lobbyChanged(),
        router: link ? link.router() : localRouter(tables, (userId) => (fanout.output.isConnected?.(userId) ?? false)),
        authenticate: async (cookie) => due(await deps.authenticate(cookie)),
        recheck: async (sessionId) => due(await deps.recheck(sessionId)),
        trustProxy: deps.trustProxy,
      });
    },
    tables: () => (link ? link.tables() : registry!),
    lobbyChanged() {
      pushLobby();
      // Only this node's own changes go into its report (another node's report must not make
      // every node report again).
      link?.reportSoon(LOBBY_PUSH_MS);
    },
    tableClaimed() {
      link?.reportSoon(50);
    },
    tableLost(tableId, row) {
      link?.tableDeparted(row);
      fanout.output.tableNotice(tableId, {
        tableId, kind: 'info', message: 'This table is moving to another server; play resumes in a moment.',
      });
    },
    close: () => new Promise((resolve) => {
      if (pruneTimer) clearInterval(pruneTimer);
      if (lobbyTimer) clearTimeout(lobbyTimer);
      link?.stop();
      io.close(() => resolve());
    }),
  };
  return realtime;
}

type RecoveryOwner = { sessionId: string | null };
type NamespaceInternals = {
  _add?: (client: { request: IncomingMessage }, auth: Record<string, unknown> | undefined, fn?: unknown) => Promise<void>;
};

/**
 * A recovery id (`pid`) restores a socket's rooms and replays the packets it missed, and
 * Socket.IO does both while it builds the socket, before any middleware looks at the cookie:
 * whoever presented the id would get another user's private frames, wallet pushes and notices,
 * even after that user logged out or changed their password. So a socket is recovered only by
 * the session that owned it, and only while that session is still valid (the cookie is
 * authenticated again); anyone else's `pid` and `offset` are dropped, and the socket connects
 * fresh (a client resyncs with a snapshot). Wraps the namespace's private `_add`, the one
 * entry of every connection; the server refuses to start if that ever changes.
 */
function bindRecoveryToSession(io: Server, authenticate: RealtimeDeps['authenticate'], windowMs: number): void {
  const owners = new Map<string, RecoveryOwner>();
  io.on('connection', (socket) => {
    const pid = (socket as unknown as { pid?: string }).pid;
    if (typeof pid !== 'string') return;
    const owner: RecoveryOwner = { sessionId: (socket.data as { user?: SocketSession | null }).user?.sessionId ?? null };
    owners.set(pid, owner);
    socket.once('disconnect', () => {
      setTimeout(() => {
        if (owners.get(pid) === owner) owners.delete(pid);
      }, windowMs + 1_000).unref();
    });
  });
  const nsp = io.of('/') as unknown as NamespaceInternals;
  const add = nsp._add;
  if (typeof add !== 'function') throw new Error('Socket.IO internals changed (Namespace._add): recovery cannot be bound to sessions; set SOCKET_RECOVERY_WINDOW_MS=0');
  nsp._add = async (client, auth, fn) => {
    if (auth && typeof auth.pid === 'string') {
      const owner = owners.get(auth.pid);
      const session = owner?.sessionId ? await authenticate(client.request.headers.cookie).catch(() => null) : null;
      if (!owner || (session?.sessionId ?? null) !== owner.sessionId) {
        const { pid: _pid, offset: _offset, ...rest } = auth;
        auth = rest;
      }
    }
    return add.call(nsp, client, auth, fn);
  };
}

/**
 * Socket.IO's in-memory adapter keeps every packet for connection-state
 * recovery and prunes the expired ones only once a minute, whatever the
 * recovery window: at thousands of frames a second that is hundreds of
 * thousands of live objects for the garbage collector. Prune every second
 * (packets are kept in emission order, so expired ones are a prefix).
 */
function pruneRecoveryBuffer(io: Server, windowMs: number): ReturnType<typeof setInterval> {
  const adapter = io.of('/').adapter as unknown as { packets?: { emittedAt: number }[] };
  const timer = setInterval(() => {
    const packets = adapter.packets;
    if (!Array.isArray(packets) || packets.length === 0) return;
    const threshold = Date.now() - windowMs;
    let expired = 0;
    while (expired < packets.length && packets[expired]!.emittedAt < threshold) expired++;
    if (expired > 0) packets.splice(0, expired);
  }, RECOVERY_PRUNE_MS);
  timer.unref();
  return timer;
}
