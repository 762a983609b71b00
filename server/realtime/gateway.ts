import type { Server, Socket } from 'socket.io';
import {
  clientMessages,
  errorAck,
  isClientMessageName,
  PAYLOAD_BYTES_MAX,
  payloadErrorCode,
  type AckOf,
  type ClientMessage,
  type ClientMessageName,
} from '../protocol';
import type { LobbyTable } from '../protocol';
import type { TableRouter } from './cluster';
import type { Fanout, SocketData, SocketSession } from './fanout';
import type { TableCommandName } from './table-commands';
import { ANONYMOUS_ADDRESS_MESSAGES, REFUSED_MESSAGES, SOCKET_MESSAGES, TokenBucketLimiter, USER_MESSAGES } from '../protocol/token-bucket';

// The incoming half of the realtime layer: every client message passes the
// same gate (session still valid, rate limits, size, zod schema) and then one
// handler from an exhaustive table keyed by message name, whose result type is
// the message's acknowledgement as declared in server/protocol (ClientAcks).
// Identity never comes from a payload: it is the session that authenticated
// the socket, re-checked when that session is due to expire.

export interface GatewayDeps {
  io: Server;
  /** Every table, wherever it is owned (server/realtime/cluster.ts). */
  router: TableRouter;
  /** The lobby: every open table of the cluster. */
  lobby: () => LobbyTable[];
  /** A lobby number changed (here: a table's spectator count); the lobby is pushed, debounced. */
  lobbyChanged?: () => void;
  fanout: Fanout;
  /** The session behind a socket's cookie (at the handshake). */
  authenticate: (cookieHeader: string | undefined) => Promise<SocketSession | null>;
  /** The same session looked up again by id (when it is due), or null if it is gone. */
  recheck: (sessionId: string) => Promise<SocketSession | null>;
  metrics?: { socketsConnected(n: number): void; error(code: string): void };
  log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  now: () => number;
  /** Proxy hops whose X-Forwarded-For is trusted for the client's address (TRUST_PROXY); unset: the connection's own address. */
  trustProxy?: number;
}

/**
 * Sockets of one viewer (a user, or an anonymous client address) that may watch one table:
 * the table's spectator places are shared by people, not taken by one client's sockets.
 */
export const SPECTATOR_SOCKETS_PER_VIEWER = 10;

/** The client's address: the connection's, or with `trustProxy` hops the X-Forwarded-For entry that many hops back. */
export function clientAddress(handshake: { address: string; headers: Record<string, string | string[] | undefined> }, trustProxy?: number): string {
  if (!trustProxy) return handshake.address;
  const header = handshake.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((a) => a.trim()).filter((a) => a.length > 0);
  // Nearest first: the connection, then the forwarded addresses from the right.
  const chain = [handshake.address, ...forwarded.reverse()];
  return chain[Math.min(trustProxy, chain.length - 1)]!;
}

function viewerKey(data: SocketData): string {
  return data.user ? `user:${data.user.userId}` : `address:${data.address}`;
}

interface Context {
  socket: Socket;
  data: SocketData;
  deps: GatewayDeps;
}

type Handler<N extends ClientMessageName> = (ctx: Context, message: ClientMessage<N>) => Promise<AckOf<N>> | AckOf<N>;
type AckFn = (response: AckOf<ClientMessageName>) => void;

/**
 * A table message: run by the table's owner (this node or another), as the socket's
 * own user; every one but a snapshot needs a logged-in user.
 */
function table<N extends TableCommandName>(name: N): Handler<N> {
  return (ctx, message) => {
    const user = ctx.data.user;
    if (!user && name !== 'table:snapshot') return errorAck('auth/required');
    const tableId = (message as { tableId: number }).tableId;
    return ctx.deps.router.run({
      name, tableId, message, caller: user ? { userId: user.userId, username: user.username } : null,
      watching: watchingConfirmed(ctx, tableId),
    }) as Promise<AckOf<N>>;
  };
}

const watchQueues = new WeakMap<Socket, Map<number, Promise<unknown>>>();

/**
 * Tables a socket's first watch of is still waiting for the table's answer: the socket is in
 * `watching` already (its room is joined before the snapshot is taken), but the table may yet
 * refuse it (`table/spectators_full`), and in a cluster that answer takes a round trip. Until it
 * is in, the socket does not count as watching for anything else it sends (a chat).
 */
const unconfirmedWatches = new WeakMap<Socket, Set<number>>();

function watchingConfirmed(ctx: Context, tableId: number): boolean {
  return ctx.data.watching.has(tableId) && !(unconfirmedWatches.get(ctx.socket)?.has(tableId) ?? false);
}

/** Runs `work` after the socket's earlier watches of this table have been answered. */
function oneWatchAtATime<T>(ctx: Context, tableId: number, work: () => Promise<T>): Promise<T> {
  let queues = watchQueues.get(ctx.socket);
  if (!queues) watchQueues.set(ctx.socket, (queues = new Map()));
  const previous = queues.get(tableId) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.then(() => undefined, () => undefined);
  queues.set(tableId, settled);
  void settled.then(() => {
    if (queues.get(tableId) === settled) queues.delete(tableId);
  });
  return run;
}

async function watchTable(ctx: Context, message: ClientMessage<'table:watch'>): Promise<AckOf<'table:watch'>> {
  const { tableId } = message;
  const already = ctx.data.watching.has(tableId);
  if (!already && ctx.deps.fanout.spectatorSocketsOf(tableId, (data) => viewerKey(data) === viewerKey(ctx.data)) >= SPECTATOR_SOCKETS_PER_VIEWER) {
    return errorAck('rate/limited', `At most ${SPECTATOR_SOCKETS_PER_VIEWER} connections of one viewer may watch a table.`);
  }
  let unconfirmed = unconfirmedWatches.get(ctx.socket);
  if (!unconfirmed) unconfirmedWatches.set(ctx.socket, (unconfirmed = new Set()));
  if (!already) unconfirmed.add(tableId);
  const ack = await runWatch(ctx, message, already).finally(() => unconfirmed.delete(tableId));
  if (!ack.ok) return ack;
  const { seated, ...answer } = ack;
  if (!seated) {
    await ctx.deps.fanout.watch(ctx.socket, tableId, false);
    if (!already) ctx.deps.lobbyChanged?.(); // one spectator more
  }
  return answer;
}

/** Joins the table's room, then asks the table; a refused first watch leaves the room again. */
async function runWatch(ctx: Context, message: ClientMessage<'table:watch'>, already: boolean) {
  const { tableId } = message;
  await ctx.deps.fanout.watch(ctx.socket, tableId, true);
  const user = ctx.data.user;
  const ack = await ctx.deps.router.run({
    name: 'table:watch', tableId, message, caller: user ? { userId: user.userId, username: user.username } : null, watching: already,
  });
  if (!ack.ok && !already) await ctx.deps.fanout.unwatch(ctx.socket, tableId);
  return ack;
}

const handlers: { [N in ClientMessageName]: Handler<N> } = {
  'lobby:subscribe': async (ctx) => {
    await ctx.socket.join('lobby');
    return { ok: true, tables: ctx.deps.lobby() };
  },
  'lobby:unsubscribe': async (ctx) => {
    await ctx.socket.leave('lobby');
    return { ok: true };
  },
  // The table's room is joined before the snapshot is taken, so no frame after it is missed.
  // One socket's watches of one table run one at a time: the socket is marked as watching
  // before the table answers, so a second watch sent meanwhile would pass as "already
  // watching" (no spectator place needed) while the first is refused for a full table.
  'table:watch': (ctx, message) => oneWatchAtATime(ctx, message.tableId, () => watchTable(ctx, message)),
  'table:unwatch': async (ctx, message) => {
    const spectating = ctx.deps.fanout.isSpectator(ctx.socket, message.tableId);
    await ctx.deps.fanout.unwatch(ctx.socket, message.tableId);
    if (spectating) ctx.deps.lobbyChanged?.(); // one spectator fewer
    return { ok: true };
  },
  'table:snapshot': table('table:snapshot'),
  'table:chat': table('table:chat'),
  'table:sit': table('table:sit'),
  'table:act': table('table:act'),
  'table:sit_out': table('table:sit_out'),
  'table:sit_in': table('table:sit_in'),
  'table:post_blind': table('table:post_blind'),
  'table:top_up': table('table:top_up'),
  'table:leave': table('table:leave'),
  'table:client_seed': table('table:client_seed'),
  'table:show': table('table:show'),
  'table:waitlist_join': table('table:waitlist_join'),
  'table:waitlist_leave': table('table:waitlist_leave'),
};

/** Wires every client message of a connected socket to its handler. */
export function attachGateway(deps: GatewayDeps): void {
  const socketBudget = new TokenBucketLimiter({ ...SOCKET_MESSAGES, now: deps.now });
  const userBudget = new TokenBucketLimiter({ ...USER_MESSAGES, now: deps.now });
  const anonymousBudget = new TokenBucketLimiter({ ...ANONYMOUS_ADDRESS_MESSAGES, now: deps.now });
  const refusals = new TokenBucketLimiter({ ...REFUSED_MESSAGES, now: deps.now });

  deps.io.use(async (socket, next) => {
    try {
      const data = socket.data as Context['data'];
      data.user = await deps.authenticate(socket.handshake.headers.cookie);
      data.watching ??= new Set();
      data.address = clientAddress(socket.handshake, deps.trustProxy);
      next();
    } catch (error) {
      deps.log.error({ error: (error as Error).message }, 'socket authentication failed');
      next(new Error('internal'));
    }
  });

  deps.io.on('connection', (socket) => {
    const ctx: Context = { socket, data: socket.data as Context['data'], deps };
    deps.metrics?.socketsConnected(deps.io.engine.clientsCount);
    if (socket.recovered) deps.fanout.recovered(socket, ctx.data.user?.userId ?? null);
    if (ctx.data.user) userConnected(ctx, ctx.data.user.userId);
    for (const name of Object.keys(clientMessages) as ClientMessageName[]) {
      socket.on(name, (...args: unknown[]) => {
        // The acknowledgement is the last argument, wherever it falls: a message sent with
        // no payload (`emitWithAck('table:watch')`) or with extra arguments is still answered.
        const last = args[args.length - 1];
        const ack = typeof last === 'function' ? (last as AckFn) : undefined;
        void dispatch(ctx, name, ack ? args.slice(0, -1) : args, ack);
      });
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      if (isClientMessageName(event)) return;
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as AckFn)(errorAck('request/unknown_event'));
    });
    socket.on('disconnect', () => {
      deps.metrics?.socketsConnected(deps.io.engine.clientsCount);
      socketBudget.reset(socket.id);
      refusals.reset(socket.id);
      if (ctx.data.user) userGone(ctx, ctx.data.user.userId);
      // A spectator gone: its spect:<id> rooms are left, the lobby's counts change.
      if (ctx.data.watching.size > 0) deps.lobbyChanged?.();
    });
  });

  // A user's first socket here joins the rooms of every table where they sit (in a
  // cluster, looked up in the database: the seat may be at another node's table).
  function userConnected(ctx: Context, userId: number): void {
    if (!deps.fanout.userSocketConnected(ctx.socket, userId)) return;
    deps.router.seatedTables(userId, deps.fanout.seatedTables(userId)).then(
      (tableIds) => {
        for (const tableId of tableIds) if (!deps.fanout.isSeated(userId, tableId)) deps.fanout.applySeat(userId, tableId, true);
        deps.router.presenceChanged(userId, tableIds);
      },
      (error: Error) => deps.log.warn({ userId, error: error.message }, 'could not look up the seats of a connecting user'),
    );
  }

  function userGone(ctx: Context, userId: number): void {
    if (!deps.fanout.userSocketGone(ctx.socket, userId)) return;
    deps.router.presenceChanged(userId, deps.fanout.seatedTables(userId));
  }

  async function dispatch<N extends ClientMessageName>(ctx: Context, name: N, payloads: unknown[], ack: AckFn | undefined): Promise<void> {
    const reply = (response: AckOf<ClientMessageName>) => {
      if (!response.ok) deps.metrics?.error(response.error.code);
      ack?.(response);
    };
    if (!(await sessionStillValid(ctx))) {
      // The answer first, so the client knows why; then the socket goes.
      reply(errorAck('auth/required', 'Your session has ended; log in again.'));
      ctx.socket.disconnect(true);
      return;
    }
    const user = ctx.data.user;
    // Anonymous sockets share one budget per client address: opening more sockets buys nothing.
    const shared = user ? userBudget.take(String(user.userId)) : anonymousBudget.take(ctx.data.address);
    if (!socketBudget.take(ctx.socket.id).ok || !shared.ok) {
      reply(errorAck('rate/limited'));
      // A socket that keeps sending into an empty budget is closed: each message it sends costs a
      // decode before it can be refused, and only the closed connection stops that.
      if (ctx.socket.connected && !refusals.take(ctx.socket.id).ok) {
        deps.log.warn({ socketId: ctx.socket.id, userId: user?.userId, address: ctx.data.address }, 'socket closed: it kept sending past its rate limit');
        deps.metrics?.error('rate/disconnected');
        ctx.socket.disconnect(true);
      }
      return;
    }
    if (payloads.length > 1) return reply(errorAck('request/invalid', 'payload: a message carries one payload object'));
    const payload = payloads[0];
    if (payloadTooLarge(payload)) return reply(errorAck('request/too_large'));
    const parsed = clientMessages[name].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply(errorAck(payloadErrorCode(issue), `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`));
    }
    try {
      reply(await handlers[name](ctx, parsed.data as ClientMessage<N>));
    } catch (error) {
      deps.log.error({ event: name, error: (error as Error).stack }, 'socket handler failed');
      reply(errorAck('internal'));
    }
  }

  /** A session past its check time is looked up again; a gone one ends the socket. */
  async function sessionStillValid(ctx: Context): Promise<boolean> {
    const session = ctx.data.user;
    if (!session || deps.now() < session.checkAt) return true;
    const fresh = await deps.recheck(session.sessionId);
    if (fresh) {
      ctx.data.user = fresh;
      return true;
    }
    return false;
  }
}

function payloadTooLarge(payload: unknown): boolean {
  try {
    return JSON.stringify(payload ?? null).length > PAYLOAD_BYTES_MAX;
  } catch {
    return true;
  }
}
