import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceSocketWrites } from '../../server/realtime/coalesce';

// Frames a socket is sent in one turn of the event loop (even from different microtasks,
// as an act's ack and its table frame are) leave in one write and arrive in one read, in
// the order they were sent; frames of later turns still go out.

let http: HttpServer | null = null;
let io: Server | null = null;
let client: ClientSocket | null = null;
afterEach(async () => {
  client?.close();
  await new Promise<void>((resolve) => (io ? io.close(() => resolve()) : resolve()));
  http = io = client = null;
});

async function start(coalesced: boolean, onConnection: (socket: import('socket.io').Socket) => void) {
  http = createServer();
  io = new Server(http, { perMessageDeflate: false });
  if (coalesced) coalesceSocketWrites(io);
  io.on('connection', onConnection);
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve) => client!.once('connect', () => resolve()));
  return { client };
}

/** The server sends `n` messages in one turn, each from its own microtask. */
function burst(socket: import('socket.io').Socket, n: number, tag: string): void {
  let chain = Promise.resolve();
  for (let i = 0; i < n; i++) chain = chain.then(() => void socket.emit('m', `${tag}${i}`));
}

/** Counts the server socket's writes to the kernel (`_write` for one chunk, `_writev` for several). */
function countKernelWrites(socket: import('socket.io').Socket): () => number {
  const tcp = (socket.conn.transport as unknown as { socket: { _socket: NetSocket } }).socket._socket as NetSocket & {
    _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void;
  };
  let n = 0;
  const write = tcp._write.bind(tcp);
  const writev = tcp._writev.bind(tcp);
  tcp._write = (...a) => { n++; write(...a); };
  tcp._writev = (...a) => { n++; writev(...a); };
  return () => n;
}

/** A client on a server with or without the coalescing, the server's socket, its kernel-write count and what the client got. */
async function connected(coalesced: boolean) {
  let accepted: import('socket.io').Socket | null = null;
  const { client } = await start(coalesced, (socket) => (accepted = socket));
  await expect.poll(() => accepted).not.toBeNull();
  const server = accepted!;
  const writes = countKernelWrites(server);
  const got: string[] = [];
  client.on('m', (m: string) => got.push(m));
  return { client, server, writes, got };
}

describe('one write per socket per event-loop turn', () => {
  it('a burst from several microtasks leaves in one write, arrives in order, and later turns are not held back', async () => {
    const { client, server, writes, got } = await connected(true);
    burst(server, 5, 'a');
    await expect.poll(() => got.length).toBe(5);
    expect(writes()).toBe(1);
    expect(got).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);

    burst(server, 3, 'b');
    await expect.poll(() => got.length).toBe(8);
    expect(writes()).toBe(2);
    expect(got.slice(5)).toEqual(['b0', 'b1', 'b2']);

    server.on('ping?', (ack: (answer: string) => void) => ack('pong'));
    await expect(client.timeout(2_000).emitWithAck('ping?')).resolves.toBe('pong');
  });

  it('without it the same burst takes one write per frame (what the count above measures)', async () => {
    const { server, writes, got } = await connected(false);
    burst(server, 5, 'a');
    await expect.poll(() => got.length).toBe(5);
    expect(writes()).toBe(5);
  });
});
