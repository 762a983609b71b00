import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  clientMessages,
  errorAck,
  isClientMessageName,
  PAYLOAD_BYTES_MAX,
  SERVER_EVENTS,
  SOCKET_BUFFER_BYTES_MAX,
  type Ack,
  type ClientMessage,
  type ClientMessageName,
} from '../protocol';
import type { TableActor } from '../tables/actor';
import type { TableOutput } from '../tables/output';
import type { TableRegistry } from '../tables/registry';
import { KeyedBuckets, SOCKET_MESSAGES, TokenBucket, USER_MESSAGES } from './limits';

// Socket.IO wiring: the session cookie authenticates the handshake (anonymous
// sockets may browse and watch), every message is validated against the zod
// schemas before it reaches a table, every message is answered by an
// acknowledgement { ok: true, ... } or { ok: false, error: { code, message } },
// and the table actors' frames are routed to rooms:
//   user:<id>     every socket of a logged-in user (their private frames)
//   table:<id>    everyone at a table, seated or watching (chat, equity, notices)
//   spect:<id>    watchers without a seat there (the public frames)
//   lobby         lobby subscribers

export interface SessionUser {
  userId: number;
  username: string;
  role: 'PLAYER' | 'ADMIN';
}

export interface RealtimeDeps {
  httpServer: HttpServer;
  registry: () => TableRegistry;
  authenticate: (cookieHeader: string | undefined) => Promise<SessionUser | null>;
  metrics?: { socketsConnected(n: number): void; error(code: string): void };
  log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  now?: () => number;
}

interface SocketData {
  user: SessionUser | null;
  watching: Set<number>;
  bucket: TokenBucket;
}

/** How long Socket.IO keeps missed packets for a reconnecting socket. */
export const RECOVERY_WINDOW_MS = 15_000;
/** How often expired recovery packets are dropped (Socket.IO itself does it once a minute). */
const RECOVERY_PRUNE_MS = 1_000;

type AnyAck = Ack<Record<string, unknown>>;
type AckFn = (response: AnyAck) => void;

export interface Realtime {
  io: Server;
  output: TableOutput;
  lobbyChanged(): void;
  close(): Promise<void>;
}

export function createRealtime(deps: RealtimeDeps): Realtime {
  const now = deps.now ?? (() => Date.now());
  const io = new Server(deps.httpServer, {
    maxHttpBufferSize: SOCKET_BUFFER_BYTES_MAX,
    perMessageDeflate: false,
    // Every broadcast packet is kept this long for replay to a socket that comes
    // back; at thousands of frames a second a long window costs gigabytes of heap
    // and GC time. A client away longer resyncs with a snapshot, which always works.
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
    serveClient: false,
  });
  const pruneTimer = pruneRecoveryBuffer(io);
  const userBuckets = new KeyedBuckets(USER_MESSAGES);
  const seatedAt = new Map<number, Set<number>>();
  /** Each logged-in user's open sockets, for direct sends of their private frames. */
  const socketsOf = new Map<number, Set<Socket>>();

  io.use(async (socket, next) => {
    try {
      const data = socket.data as SocketData;
      data.user = await deps.authenticate(socket.handshake.headers.cookie);
      data.watching ??= new Set();
      data.bucket = new TokenBucket(SOCKET_MESSAGES, now());
      next();
    } catch (error) {
      deps.log.error({ error: (error as Error).message }, 'socket authentication failed');
      next(new Error('internal'));
    }
  });

  io.on('connection', (socket) => {
    const data = socket.data as SocketData;
    deps.metrics?.socketsConnected(io.engine.clientsCount);
    if (data.user) onUserSocket(socket, data.user);
    for (const name of Object.keys(clientMessages) as ClientMessageName[]) {
      socket.on(name, (payload: unknown, ack: unknown) => void dispatch(socket, name, payload, ack));
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      if (isClientMessageName(event)) return;
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as AckFn)(errorAck('request/unknown_event'));
    });
    socket.on('disconnect', () => {
      deps.metrics?.socketsConnected(io.engine.clientsCount);
      for (const tableId of data.watching) updateSpectators(tableId);
      if (data.user) onUserSocketGone(socket, data.user.userId);
    });
  });

  function onUserSocket(socket: Socket, user: SessionUser): void {
    void socket.join(`user:${user.userId}`);
    const sockets = socketsOf.get(user.userId) ?? new Set<Socket>();
    sockets.add(socket);
    socketsOf.set(user.userId, sockets);
    for (const tableId of seatedAt.get(user.userId) ?? []) {
      void socket.join(`table:${tableId}`);
      if (sockets.size === 1) void deps.registry().get(tableId)?.connectionChanged(user.userId, true);
    }
  }

  function onUserSocketGone(socket: Socket, userId: number): void {
    const sockets = socketsOf.get(userId);
    sockets?.delete(socket);
    if (sockets && sockets.size > 0) return;
    socketsOf.delete(userId);
    for (const tableId of seatedAt.get(userId) ?? []) void deps.registry().get(tableId)?.connectionChanged(userId, false);
  }

  function updateSpectators(tableId: number): void {
    const actor = deps.registry().get(tableId);
    if (actor) actor.spectators = io.sockets.adapter.rooms.get(`spect:${tableId}`)?.size ?? 0;
  }

  async function dispatch(socket: Socket, name: ClientMessageName, payload: unknown, ackArg: unknown): Promise<void> {
    const ack: AckFn = typeof ackArg === 'function' ? (ackArg as AckFn) : () => undefined;
    const data = socket.data as SocketData;
    const reply = (response: AnyAck) => {
      if (!response.ok) deps.metrics?.error(response.error.code);
      ack(response);
    };
    if (!data.bucket.take(now()) || (data.user && !userBuckets.take(String(data.user.userId), now()))) {
      return reply(errorAck('rate/limited'));
    }
    if (payloadTooLarge(payload)) return reply(errorAck('request/too_large'));
    const parsed = clientMessages[name].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply(errorAck('request/invalid', `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`));
    }
    try {
      reply(await handle(socket, name, parsed.data as never));
    } catch (error) {
      deps.log.error({ event: name, error: (error as Error).stack }, 'socket handler failed');
      reply(errorAck('internal'));
    }
  }

  function tableOf(tableId: number): TableActor | { error: AnyAck } {
    const actor = deps.registry().get(tableId);
    return actor ? actor : { error: errorAck('table/not_found') };
  }

  async function handle<N extends ClientMessageName>(socket: Socket, name: N, message: ClientMessage<N>): Promise<AnyAck> {
    const data = socket.data as SocketData;
    switch (name) {
      case 'lobby:subscribe':
        await socket.join('lobby');
        return { ok: true, tables: deps.registry().listLobby() };
      case 'lobby:unsubscribe':
        await socket.leave('lobby');
        return { ok: true };
      case 'table:watch':
        return watch(socket, message as ClientMessage<'table:watch'>);
      case 'table:unwatch': {
        const { tableId } = message as ClientMessage<'table:unwatch'>;
        data.watching.delete(tableId);
        await socket.leave(`spect:${tableId}`);
        if (!seatedAt.get(data.user?.userId ?? -1)?.has(tableId)) await socket.leave(`table:${tableId}`);
        updateSpectators(tableId);
        return { ok: true };
      }
      case 'table:snapshot': {
        const actor = tableOf((message as ClientMessage<'table:snapshot'>).tableId);
        if ('error' in actor) return actor.error;
        return { ok: true, snapshot: actor.snapshot(data.user?.userId ?? null) };
      }
      case 'table:chat': {
        const user = data.user;
        if (!user) return errorAck('auth/required');
        const { tableId, text } = message as ClientMessage<'table:chat'>;
        const actor = tableOf(tableId);
        if ('error' in actor) return actor.error;
        return actor.chat({ userId: user.userId, username: user.username }, text);
      }
      default:
        return playerCommand(socket, name, message);
    }
  }

  async function watch(socket: Socket, message: ClientMessage<'table:watch'>): Promise<AnyAck> {
    const data = socket.data as SocketData;
    const actor = tableOf(message.tableId);
    if ('error' in actor) return actor.error;
    const userId = data.user?.userId ?? null;
    const seated = userId !== null && actor.seatOf(userId) !== null;
    if (!seated && !data.watching.has(message.tableId) && actor.spectators >= actor.settingsSpectatorsMax()) {
      return errorAck('table/spectators_full');
    }
    data.watching.add(message.tableId);
    await socket.join(`table:${message.tableId}`);
    if (!seated) await socket.join(`spect:${message.tableId}`);
    updateSpectators(message.tableId);
    const cancelled = await actor.wasCancelled(message.lastHandId);
    return { ok: true, snapshot: actor.snapshot(userId), ...(cancelled ? { cancelledHandId: message.lastHandId } : {}) };
  }

  async function playerCommand(socket: Socket, name: ClientMessageName, message: unknown): Promise<AnyAck> {
    const user = (socket.data as SocketData).user;
    if (!user) return errorAck('auth/required');
    const { tableId } = message as { tableId: number };
    const actor = tableOf(tableId);
    if ('error' in actor) return actor.error;
    const caller = { userId: user.userId, username: user.username };
    switch (name) {
      case 'table:sit': {
        const m = message as ClientMessage<'table:sit'>;
        return actor.sit(caller, m.seat, m.buyIn, m.idempotencyKey ?? `sit:${randomUUID()}`);
      }
      case 'table:act': {
        const m = message as ClientMessage<'table:act'>;
        return actor.act(caller, m.action, m.amount, m.seq);
      }
      case 'table:sit_out':
        return actor.sitOut(caller);
      case 'table:sit_in':
        return actor.sitIn(caller);
      case 'table:top_up': {
        const m = message as ClientMessage<'table:top_up'>;
        return actor.topUp(caller, m.amount, m.idempotencyKey ?? `topup:${randomUUID()}`);
      }
      case 'table:leave':
        return actor.leave(caller);
      default:
        return errorAck('request/unknown_event');
    }
  }

  const output: TableOutput = {
    // A player's frame goes straight to their sockets, without a room look-up.
    // (With connection-state recovery on, Socket.IO still keeps a copy of every
    // packet for RECOVERY_WINDOW_MS; a returning player may also resync from a snapshot.)
    toUser: (userId, frame) => {
      for (const socket of socketsOf.get(userId) ?? []) socket.emit(SERVER_EVENTS.tableFrame, frame);
    },
    toSpectators: (tableId, frame) => io.to(`spect:${tableId}`).emit(SERVER_EVENTS.tableFrame, frame),
    chat: (tableId, message) => io.to(`table:${tableId}`).emit(SERVER_EVENTS.tableChat, message),
    equity: (tableId, frame) => io.to(`table:${tableId}`).emit(SERVER_EVENTS.tableEquity, frame),
    notice: (userId, notice) => io.to(`user:${userId}`).emit(SERVER_EVENTS.tableNotice, notice),
    tableNotice: (tableId, notice) => io.to(`table:${tableId}`).emit(SERVER_EVENTS.tableNotice, notice),
    walletChanged: (userId, balance) => io.to(`user:${userId}`).emit(SERVER_EVENTS.walletBalance, { balance: Number(balance) }),
    seatChanged: (userId, tableId, seated) => {
      const tables = seatedAt.get(userId) ?? new Set<number>();
      if (seated) tables.add(tableId);
      else tables.delete(tableId);
      if (tables.size > 0) seatedAt.set(userId, tables);
      else seatedAt.delete(userId);
      void moveRooms(userId, tableId, seated);
    },
  };

  async function moveRooms(userId: number, tableId: number, seated: boolean): Promise<void> {
    const sockets = await io.in(`user:${userId}`).fetchSockets();
    for (const s of sockets) {
      const watching = (s.data as SocketData).watching?.has(tableId) ?? false;
      if (seated) {
        s.join(`table:${tableId}`);
        s.leave(`spect:${tableId}`);
      } else if (watching) {
        s.join(`spect:${tableId}`);
      } else {
        s.leave(`table:${tableId}`);
      }
    }
    updateSpectators(tableId);
  }

  let lobbyTimer: ReturnType<typeof setTimeout> | null = null;
  const lobbyChanged = () => {
    if (lobbyTimer) return;
    lobbyTimer = setTimeout(() => {
      lobbyTimer = null;
      io.to('lobby').emit(SERVER_EVENTS.lobbyTables, deps.registry().listLobby());
    }, 1_000);
    lobbyTimer.unref();
  };

  return {
    io,
    output,
    lobbyChanged,
    close: () => new Promise((resolve) => {
      clearInterval(pruneTimer);
      if (lobbyTimer) clearTimeout(lobbyTimer);
      io.close(() => resolve());
    }),
  };
}

/**
 * Socket.IO's in-memory adapter keeps every packet for connection-state
 * recovery and prunes the expired ones only once a minute, whatever the
 * recovery window: at thousands of frames a second that is hundreds of
 * thousands of live objects for the garbage collector. Prune every second
 * (packets are kept in emission order, so expired ones are a prefix).
 */
function pruneRecoveryBuffer(io: Server): ReturnType<typeof setInterval> {
  const adapter = io.of('/').adapter as unknown as { packets?: { emittedAt: number }[] };
  const timer = setInterval(() => {
    const packets = adapter.packets;
    if (!Array.isArray(packets) || packets.length === 0) return;
    const threshold = Date.now() - RECOVERY_WINDOW_MS;
    let expired = 0;
    while (expired < packets.length && packets[expired]!.emittedAt < threshold) expired++;
    if (expired > 0) packets.splice(0, expired);
  }, RECOVERY_PRUNE_MS);
  timer.unref();
  return timer;
}

function payloadTooLarge(payload: unknown): boolean {
  try {
    return JSON.stringify(payload ?? null).length > PAYLOAD_BYTES_MAX;
  } catch {
    return true;
  }
}
