import type { Server, Socket } from 'socket.io';
import {
  clientMessages,
  errorAck,
  isClientMessageName,
  PAYLOAD_BYTES_MAX,
  type AckOf,
  type ClientMessage,
  type ClientMessageName,
} from '../protocol';
import type { TableActor } from '../tables/actor';
import type { TableRegistry } from '../tables/registry';
import type { Fanout, SocketData, SocketSession } from './fanout';
import { SOCKET_MESSAGES, TokenBucketLimiter, USER_MESSAGES } from '../protocol/token-bucket';

// The incoming half of the realtime layer: every client message passes the
// same gate (session still valid, rate limits, size, zod schema) and then one
// handler from an exhaustive table keyed by message name, whose result type is
// the message's acknowledgement as declared in server/protocol (ClientAcks).
// Identity never comes from a payload: it is the session that authenticated
// the socket, re-checked when that session is due to expire.

export interface GatewayDeps {
  io: Server;
  registry: TableRegistry;
  fanout: Fanout;
  /** The session behind a socket's cookie (at the handshake). */
  authenticate: (cookieHeader: string | undefined) => Promise<SocketSession | null>;
  /** The same session looked up again by id (when it is due), or null if it is gone. */
  recheck: (sessionId: string) => Promise<SocketSession | null>;
  metrics?: { socketsConnected(n: number): void; error(code: string): void };
  log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  now: () => number;
}

interface Context {
  socket: Socket;
  data: SocketData;
  deps: GatewayDeps;
}

type Handler<N extends ClientMessageName> = (ctx: Context, message: ClientMessage<N>) => Promise<AckOf<N>> | AckOf<N>;
type AckFn = (response: AckOf<ClientMessageName>) => void;

function tableOf(ctx: Context, tableId: number): TableActor | null {
  return ctx.deps.registry.get(tableId) ?? null;
}

/** A seated-player command: needs a logged-in user and the table. */
function player<N extends ClientMessageName>(
  run: (actor: TableActor, caller: { userId: number; username: string }, message: ClientMessage<N>, ctx: Context) => Promise<AckOf<N>> | AckOf<N>,
): Handler<N> {
  return (ctx, message) => {
    const user = ctx.data.user;
    if (!user) return errorAck('auth/required');
    const actor = tableOf(ctx, (message as { tableId: number }).tableId);
    if (!actor) return errorAck('table/not_found');
    return run(actor, { userId: user.userId, username: user.username }, message, ctx);
  };
}

const handlers: { [N in ClientMessageName]: Handler<N> } = {
  'lobby:subscribe': async (ctx) => {
    await ctx.socket.join('lobby');
    return { ok: true, tables: ctx.deps.registry.listLobby() };
  },
  'lobby:unsubscribe': async (ctx) => {
    await ctx.socket.leave('lobby');
    return { ok: true };
  },
  'table:watch': async (ctx, message) => {
    const actor = tableOf(ctx, message.tableId);
    if (!actor) return errorAck('table/not_found');
    const userId = ctx.data.user?.userId ?? null;
    const seated = userId !== null && actor.seatOf(userId) !== null;
    if (!seated && !ctx.data.watching.has(message.tableId) && actor.spectators >= actor.settingsSpectatorsMax()) {
      return errorAck('table/spectators_full');
    }
    await ctx.deps.fanout.watch(ctx.socket, message.tableId, seated);
    const cancelled = await actor.wasCancelled(message.lastHandId);
    return { ok: true, snapshot: actor.snapshot(userId), ...(cancelled ? { cancelledHandId: message.lastHandId } : {}) };
  },
  'table:unwatch': async (ctx, message) => {
    await ctx.deps.fanout.unwatch(ctx.socket, message.tableId);
    return { ok: true };
  },
  'table:snapshot': (ctx, message) => {
    const actor = tableOf(ctx, message.tableId);
    if (!actor) return errorAck('table/not_found');
    return { ok: true, snapshot: actor.snapshot(ctx.data.user?.userId ?? null) };
  },
  // Chat goes to a table this socket watches or where its user sits, nowhere else.
  'table:chat': player((actor, caller, m, ctx) =>
    ctx.data.watching.has(m.tableId) || actor.seatOf(caller.userId) !== null
      ? actor.chat(caller, m.text)
      : errorAck('table/not_watching')),
  // A key the client did not send is made by the table, in the server's own namespace.
  'table:sit': player((actor, caller, m) => actor.sit(caller, m.seat, m.buyIn, m.idempotencyKey)),
  'table:act': player((actor, caller, m) => actor.act(caller, m.action, m.amount, m.seq)),
  'table:sit_out': player((actor, caller) => actor.sitOut(caller)),
  'table:sit_in': player((actor, caller) => actor.sitIn(caller)),
  'table:top_up': player((actor, caller, m) => actor.topUp(caller, m.amount, m.idempotencyKey)),
  'table:leave': player((actor, caller) => actor.leave(caller)),
  'table:client_seed': player((actor, caller, m) => actor.setClientSeed(caller, m.seed)),
  'table:show': player((actor, caller) => actor.show(caller)),
  'table:waitlist_join': player((actor, caller) => actor.joinWaitlist(caller)),
  'table:waitlist_leave': player((actor, caller) => actor.leaveWaitlist(caller)),
};

/** Wires every client message of a connected socket to its handler. */
export function attachGateway(deps: GatewayDeps): void {
  const socketBudget = new TokenBucketLimiter({ ...SOCKET_MESSAGES, now: deps.now });
  const userBudget = new TokenBucketLimiter({ ...USER_MESSAGES, now: deps.now });

  deps.io.use(async (socket, next) => {
    try {
      const data = socket.data as Context['data'];
      data.user = await deps.authenticate(socket.handshake.headers.cookie);
      data.watching ??= new Set();
      next();
    } catch (error) {
      deps.log.error({ error: (error as Error).message }, 'socket authentication failed');
      next(new Error('internal'));
    }
  });

  deps.io.on('connection', (socket) => {
    const ctx: Context = { socket, data: socket.data as Context['data'], deps };
    deps.metrics?.socketsConnected(deps.io.engine.clientsCount);
    if (ctx.data.user) userConnected(ctx, ctx.data.user.userId);
    for (const name of Object.keys(clientMessages) as ClientMessageName[]) {
      socket.on(name, (payload: unknown, ack: unknown) => void dispatch(ctx, name, payload, ack));
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      if (isClientMessageName(event)) return;
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as AckFn)(errorAck('request/unknown_event'));
    });
    socket.on('disconnect', () => {
      deps.metrics?.socketsConnected(deps.io.engine.clientsCount);
      socketBudget.reset(socket.id);
      if (ctx.data.user) userGone(ctx, ctx.data.user.userId);
    });
  });

  function userConnected(ctx: Context, userId: number): void {
    if (!deps.fanout.userSocketConnected(ctx.socket, userId)) return;
    for (const tableId of deps.fanout.seatedTables(userId)) void deps.registry.get(tableId)?.connectionChanged(userId, true);
  }

  function userGone(ctx: Context, userId: number): void {
    if (!deps.fanout.userSocketGone(ctx.socket, userId)) return;
    for (const tableId of deps.fanout.seatedTables(userId)) void deps.registry.get(tableId)?.connectionChanged(userId, false);
  }

  async function dispatch<N extends ClientMessageName>(ctx: Context, name: N, payload: unknown, ackArg: unknown): Promise<void> {
    const ack: AckFn = typeof ackArg === 'function' ? (ackArg as AckFn) : () => undefined;
    const reply = (response: AckOf<ClientMessageName>) => {
      if (!response.ok) deps.metrics?.error(response.error.code);
      ack(response);
    };
    if (!(await sessionStillValid(ctx))) {
      // The answer first, so the client knows why; then the socket goes.
      reply(errorAck('auth/required', 'Your session has ended; log in again.'));
      ctx.socket.disconnect(true);
      return;
    }
    const user = ctx.data.user;
    if (!socketBudget.take(ctx.socket.id).ok || (user && !userBudget.take(String(user.userId)).ok)) {
      return reply(errorAck('rate/limited'));
    }
    if (payloadTooLarge(payload)) return reply(errorAck('request/too_large'));
    const parsed = clientMessages[name].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply(errorAck('request/invalid', `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`));
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
