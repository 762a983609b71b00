import type { Socket as NetSocket } from 'node:net';
import type { Server } from 'socket.io';

// One write per socket per turn of the event loop (issue #11, docs/performance.md).
//
// A step of a table sends the acting player's socket its act's ack, the public frame and
// sometimes a private frame, each from its own microtask of the same turn. Engine.io sends
// a packet as soon as it is queued and `ws` writes each WebSocket frame with a syscall of
// its own; while one write is pending, engine.io holds the next packets back until the
// write's callback. Here a connection's flush waits for the turn's check phase
// (setImmediate) and runs with the TCP socket corked, so every packet of the turn goes out
// as one writev, in the order it was queued, and the client reads them in one go. A packet
// waits at most for the rest of the turn it was sent in.

const COALESCED = Symbol('coalesced');

interface EngineConnection {
  readyState: string;
  transport?: { name?: string; socket?: { _socket?: NetSocket } };
  flush(): void;
  [COALESCED]?: true;
}

function coalesce(conn: EngineConnection): void {
  if (conn[COALESCED]) return;
  conn[COALESCED] = true;
  const flushNow = conn.flush.bind(conn);
  let scheduled = false;
  const flushTurn = () => {
    scheduled = false;
    const transport = conn.transport;
    const tcp = transport?.name === 'websocket' ? transport.socket?._socket : undefined;
    if (!tcp || tcp.destroyed) return flushNow();
    tcp.cork();
    try {
      flushNow();
    } finally {
      tcp.uncork();
    }
  };
  conn.flush = () => {
    if (scheduled || conn.readyState === 'closed') return;
    scheduled = true;
    setImmediate(flushTurn);
  };
}

/** Every Socket.IO connection's packets of one event-loop turn leave in one write. */
export function coalesceSocketWrites(io: Server): void {
  io.engine.on('connection', (conn: EngineConnection) => coalesce(conn));
}
