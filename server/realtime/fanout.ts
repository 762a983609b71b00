import type { Server, Socket } from 'socket.io';
import { SERVER_EVENTS } from '../protocol';
import { chipsForJson } from '../protocol/chips';
import type { TableOutput } from '../tables/output';

// The outgoing half of the realtime layer: who is in which room, a user's open
// sockets (their private frames go straight to them), spectator counts, and
// the TableOutput the table actors send through. Built before the table
// registry, so nothing has to be wired in a loop. Rooms:
//   user:<id>     every socket of a logged-in user (notices, wallet)
//   session:<id>  every socket a session opened (logout)
//   table:<id>    everyone at a table, seated or watching (the public frames, chat,
//                 equity, notices)
//   spect:<id>    watchers without a seat there (the spectator count)
//   lobby         lobby subscribers

export interface SocketSession {
  userId: number;
  username: string;
  role: 'PLAYER' | 'ADMIN';
  /** sessions.id (SHA-256 of the cookie's token). */
  sessionId: string;
  /** When the session has to be looked at again (its expiry). */
  checkAt: number;
}

export interface SocketData {
  user: SocketSession | null;
  watching: Set<number>;
  /** The client's address (X-Forwarded-For with TRUST_PROXY hops): the key of anonymous sockets' limits. */
  address: string;
}

/**
 * What the other nodes of a cluster know (server/realtime/cluster.ts): their
 * users' sockets, their spectators, and where seats changed. Absent on a single node.
 */
export interface RemoteView {
  connected(userId: number): boolean;
  spectators(tableId: number): number;
  /** A seat this node's table gave or took: the other nodes move their sockets' rooms. */
  seatChanged(userId: number, tableId: number, seated: boolean): void;
}

export interface Fanout {
  output: TableOutput;
  /** A seat changed at a table of another node: this node's sockets of the user move rooms. */
  applySeat(userId: number, tableId: number, seated: boolean): void;
  /** Users with a socket on this node, and this node's spectators per table (for the other nodes). */
  localUsers(): number[];
  localSpectators(): [number, number][];
  /** A logged-in user's socket connected / went away. Returns true when it was their first / last. */
  userSocketConnected(socket: Socket, userId: number): boolean;
  userSocketGone(socket: Socket, userId: number): boolean;
  /** Tables where the user holds a seat (their sockets join those tables' rooms). */
  seatedTables(userId: number): number[];
  isSeated(userId: number, tableId: number): boolean;
  /** Whether this socket counts as a spectator of the table (in spect:<id>). */
  isSpectator(socket: Socket, tableId: number): boolean;
  /**
   * A socket back through connection-state recovery has the rooms it had when it dropped; a seat
   * may have gone meanwhile: keep a table's room only where it still watches or sits, and count it
   * as a spectator where it watches without a seat.
   */
  recovered(socket: Socket, userId: number | null): void;
  watch(socket: Socket, tableId: number, seated: boolean): Promise<void>;
  unwatch(socket: Socket, tableId: number): Promise<void>;
  spectatorCount(tableId: number): number;
  /** This node's sockets watching the table whose data matches (O(spectators of the table)). */
  spectatorSocketsOf(tableId: number, match: (data: SocketData) => boolean): number;
  /** Sockets authenticated by this session (logout) or of this user (password change) are closed. */
  disconnectSession(sessionId: string): void;
  disconnectUser(userId: number): void;
}

export function createFanout(io: Server, remote: RemoteView | null = null): Fanout {
  const socketsOf = new Map<number, Set<Socket>>();
  const seatedAt = new Map<number, Set<number>>();

  const localSpectators = (tableId: number) => io.sockets.adapter.rooms.get(`spect:${tableId}`)?.size ?? 0;
  const spectatorCount = (tableId: number) => localSpectators(tableId) + (remote?.spectators(tableId) ?? 0);

  function applySeat(userId: number, tableId: number, seated: boolean): void {
    const tables = seatedAt.get(userId) ?? new Set<number>();
    if (seated) tables.add(tableId);
    else tables.delete(tableId);
    if (tables.size > 0) seatedAt.set(userId, tables);
    else seatedAt.delete(userId);
    moveRooms(userId, tableId, seated);
  }

  // Joins and leaves are issued together, without awaiting one socket before the
  // next: with the in-memory adapter they take effect at once, so the frame the
  // actor sends right after seatChanged already reaches every socket of the user.
  function moveRooms(userId: number, tableId: number, seated: boolean): void {
    for (const s of socketsOf.get(userId) ?? []) {
      const watching = (s.data as SocketData).watching?.has(tableId) ?? false;
      if (seated) {
        void s.join(`table:${tableId}`);
        void s.leave(`spect:${tableId}`);
      } else if (watching) {
        void s.join(`spect:${tableId}`);
      } else {
        void s.leave(`table:${tableId}`);
      }
    }
  }

  const output: TableOutput = {
    // One broadcast per step: Socket.IO encodes the packet once for the whole room.
    toTable: (tableId, frame) => io.to(`table:${tableId}`).emit(SERVER_EVENTS.tableFrame, frame),
    // A player's private part goes straight to their sockets, without a room look-up;
    // in a cluster through their user room, which reaches their sockets on every node
    // (and keeps it in order with the public frames, which go through the adapter too).
    toPlayer: remote
      ? (userId, frame) => io.to(`user:${userId}`).emit(SERVER_EVENTS.tablePrivate, frame)
      : (userId, frame) => {
          for (const socket of socketsOf.get(userId) ?? []) socket.emit(SERVER_EVENTS.tablePrivate, frame);
        },
    chat: (tableId, message) => io.to(`table:${tableId}`).emit(SERVER_EVENTS.tableChat, message),
    equity: (tableId, frame) => io.to(`table:${tableId}`).emit(SERVER_EVENTS.tableEquity, frame),
    notice: (userId, notice) => io.to(`user:${userId}`).emit(SERVER_EVENTS.tableNotice, notice),
    tableNotice: (tableId, notice) => io.to(`table:${tableId}`).emit(SERVER_EVENTS.tableNotice, notice),
    walletChanged: (userId, balance, adjustment) => io.to(`user:${userId}`).emit(SERVER_EVENTS.walletBalance, {
      balance: chipsForJson(balance),
      ...(adjustment ? { adjustment: { amount: chipsForJson(adjustment.amount), reason: adjustment.reason } } : {}),
    }),
    seatChanged: (userId, tableId, seated) => {
      applySeat(userId, tableId, seated);
      remote?.seatChanged(userId, tableId, seated);
    },
    isConnected: (userId) => (socketsOf.get(userId)?.size ?? 0) > 0 || (remote?.connected(userId) ?? false),
    spectators: spectatorCount,
  };

  return {
    output,
    applySeat,
    localUsers: () => [...socketsOf.keys()],
    localSpectators: () => {
      const counts: [number, number][] = [];
      for (const [room, members] of io.sockets.adapter.rooms) {
        if (room.startsWith('spect:')) counts.push([Number(room.slice(6)), members.size]);
      }
      return counts;
    },
    userSocketConnected(socket, userId) {
      void socket.join(`user:${userId}`);
      const sessionId = (socket.data as SocketData).user?.sessionId;
      if (sessionId) void socket.join(`session:${sessionId}`);
      const sockets = socketsOf.get(userId) ?? new Set<Socket>();
      sockets.add(socket);
      socketsOf.set(userId, sockets);
      for (const tableId of seatedAt.get(userId) ?? []) void socket.join(`table:${tableId}`);
      return sockets.size === 1;
    },
    userSocketGone(socket, userId) {
      const sockets = socketsOf.get(userId);
      sockets?.delete(socket);
      if (sockets && sockets.size > 0) return false;
      socketsOf.delete(userId);
      return true;
    },
    seatedTables: (userId) => [...(seatedAt.get(userId) ?? [])],
    isSeated: (userId, tableId) => seatedAt.get(userId)?.has(tableId) ?? false,
    isSpectator: (socket, tableId) => socket.rooms.has(`spect:${tableId}`),
    recovered(socket, userId) {
      const watching = (socket.data as SocketData).watching;
      for (const room of [...socket.rooms]) {
        if (!room.startsWith('table:')) continue;
        const tableId = Number(room.slice('table:'.length));
        const seated = userId !== null && (seatedAt.get(userId)?.has(tableId) ?? false);
        if (seated) void socket.leave(`spect:${tableId}`);
        else if (watching?.has(tableId)) void socket.join(`spect:${tableId}`);
        else void socket.leave(room);
      }
    },
    async watch(socket, tableId, seated) {
      (socket.data as SocketData).watching.add(tableId);
      await socket.join(`table:${tableId}`);
      if (!seated) await socket.join(`spect:${tableId}`);
    },
    async unwatch(socket, tableId) {
      const data = socket.data as SocketData;
      data.watching.delete(tableId);
      await socket.leave(`spect:${tableId}`);
      if (!(data.user && seatedAt.get(data.user.userId)?.has(tableId))) await socket.leave(`table:${tableId}`);
    },
    spectatorCount,
    spectatorSocketsOf(tableId, match) {
      let count = 0;
      for (const id of io.sockets.adapter.rooms.get(`spect:${tableId}`) ?? []) {
        const socket = io.sockets.sockets.get(id);
        if (socket && match(socket.data as SocketData)) count++;
      }
      return count;
    },
    // Through rooms, so that a logout on one node closes the session's sockets on every node.
    disconnectSession(sessionId) {
      io.in(`session:${sessionId}`).disconnectSockets(true);
    },
    disconnectUser(userId) {
      io.in(`user:${userId}`).disconnectSockets(true);
    },
  };
}
