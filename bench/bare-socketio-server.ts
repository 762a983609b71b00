import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { SOCKET_BUFFER_BYTES_MAX } from '../server/protocol';
import { RECOVERY_WINDOW_MS_DEFAULT } from '../server/config';

// The server half of the bare Socket.IO baseline (bench/bare-socketio.ts forks
// it): the same Socket.IO (4.8, the project's dependency), the same default
// parser and the same transport options as server/realtime/socket.ts, and
// nothing else: no database, no game, no per-socket validation. Each room is a
// table: its clients take turns; a turn is one `act` message, answered by one
// broadcast of a frame to the whole room and then the ack, as the poker server
// does for a table:act (commit, then broadcast, then ack).
//
// Configured through BARE_CONFIG (JSON, BareServerConfig); talks to its parent
// over IPC: 'ready' {port, pid}; 'start' makes every room broadcast its first
// frame; 'stop' closes the server and exits.

export interface BareServerConfig {
  rooms: number;
  /** Clients per room that take turns (the players); the others only receive (spectators). */
  actorsPerRoom: number;
  /** Target length of a frame's JSON, bytes (the poker server's measured mean). */
  frameBytes: number;
  /** Keep Socket.IO's connection-state recovery on, as the poker server does (off: the strict baseline). */
  recovery: boolean;
}

interface Room {
  seq: number;
  toAct: number;
}

/**
 * A frame shaped like the poker server's (an action, the next turn with its
 * options, a clock), padded to the target size with seat-like objects, so that
 * encoding it costs what encoding a real frame of that size costs (many small
 * objects, not one long string).
 */
export function bareFrame(room: number, seq: number, toAct: number, padding: object[]): object {
  return {
    tableId: room + 1,
    epoch: 1,
    seq,
    events: [
      { type: 'action', seat: (toAct + 5) % 6, action: 'call', amount: 4, stack: 196, pot: 12 },
      {
        type: 'to_act', seat: toAct,
        legal: { canFold: true, canCheck: false, canCall: true, callAmount: 4, minRaiseTo: 8, maxRaiseTo: 200, canAllIn: true, allInAmount: 196, allInTo: 200 },
      },
      { type: 'clock', clock: { seat: toAct, deadline: 1_780_000_000_000 + seq, turnMs: 15_000, usingTimeBank: false } },
      { type: 'seats', seats: padding },
    ],
  };
}

/** Padding that brings bareFrame's JSON to about `frameBytes` (never below the frame without padding). */
export function paddingFor(frameBytes: number): object[] {
  const padding: object[] = [];
  const size = () => JSON.stringify(bareFrame(999, 99_999, 5, padding)).length;
  for (let i = 0; size() < frameBytes; i++) padding.push({ seat: i % 10, stack: 200 + i, bet: 0, folded: false, allIn: false });
  return padding;
}

function serve(config: BareServerConfig): void {
  const http = createServer();
  const io = new Server(http, {
    maxHttpBufferSize: SOCKET_BUFFER_BYTES_MAX,
    perMessageDeflate: false,
    serveClient: false,
    ...(config.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS_DEFAULT, skipMiddlewares: false } } : {}),
  });
  const padding = paddingFor(config.frameBytes);
  const rooms: Room[] = Array.from({ length: config.rooms }, () => ({ seq: 0, toAct: 0 }));
  const broadcast = (index: number) => {
    const room = rooms[index]!;
    io.to(`r${index}`).emit('frame', bareFrame(index, room.seq, room.toAct, padding));
  };
  io.on('connection', (socket) => {
    const { room, seat } = socket.handshake.auth as { room: number; seat: number };
    if (!Number.isInteger(room) || room < 0 || room >= config.rooms) return void socket.disconnect(true);
    void socket.join(`r${room}`);
    socket.on('act', (message: { seq: number }, ack: (reply: { ok: boolean; error?: string }) => void) => {
      const r = rooms[room]!;
      if (typeof ack !== 'function') return;
      if (message?.seq !== r.seq || seat !== r.toAct) return ack({ ok: false, error: message?.seq !== r.seq ? 'seq/stale' : 'turn/not_your_turn' });
      r.seq += 1;
      r.toAct = (r.toAct + 1) % config.actorsPerRoom;
      broadcast(room);
      ack({ ok: true });
    });
  });
  http.listen(0, '127.0.0.1', () => {
    process.send!({ type: 'ready', port: (http.address() as AddressInfo).port, pid: process.pid });
  });
  process.on('disconnect', () => process.exit(1));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'start') for (let i = 0; i < rooms.length; i++) broadcast(i);
    if (m.type === 'stop') void io.close().finally(() => process.exit(0));
  });
}

if (process.argv.includes('--serve-bare')) serve(JSON.parse(process.env.BARE_CONFIG!) as BareServerConfig);
