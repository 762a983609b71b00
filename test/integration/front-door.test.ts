import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import { io as socketIoClient } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startFrontDoor, type FrontDoor } from '../../server/cluster/front-door';
import { freePort } from '../../server/db/embedded';

// The cluster's front door on loopback, in front of two tiny HTTP backends that
// answer with their name: connections alternate between them, a WebSocket
// upgrade (raw and Socket.IO's) passes through byte for byte, a backend that
// goes down is skipped (after its failed health check, and at once when it
// refuses a connection), one that hangs is dropped after its check times out,
// and one that comes back is used again.

const HEALTH_EVERY_MS = 100;

interface Backend {
  name: string;
  port: number;
  address: string;
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function answer(name: string, options: { healthHangs?: boolean } = {}): Server {
  const server = createServer((req, res) => {
    if (req.url === '/healthz' && options.healthHangs) return; // never answers, like a SIGSTOPped node
    res.setHeader('connection', 'close');
    res.end(req.url === '/healthz' ? 'ok' : name);
  });
  // A WebSocket-style upgrade: 101, then every byte is echoed back.
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\nX-Backend: ${name}\r\n\r\n`);
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  return server;
}

async function startBackend(name: string, options: { healthHangs?: boolean } = {}): Promise<Backend> {
  const port = await freePort();
  let server: Server | null = null;
  const backend: Backend = {
    name,
    port,
    address: `127.0.0.1:${port}`,
    start: async () => {
      const started = answer(name, options);
      await new Promise<void>((resolve) => started.listen(port, '127.0.0.1', () => resolve()));
      server = started;
    },
    stop: async () => {
      const running = server;
      if (!running) return;
      server = null;
      running.closeAllConnections();
      await new Promise((resolve) => running.close(resolve));
    },
  };
  await backend.start();
  cleanups.push(() => backend.stop());
  return backend;
}

async function frontDoorFor(backends: string[], healthEveryMs = HEALTH_EVERY_MS): Promise<FrontDoor> {
  const door = await startFrontDoor({ port: 0, backends, healthEveryMs, healthTimeoutMs: 200 });
  cleanups.push(() => door.close());
  return door;
}

/** GET / on a new connection (no keep-alive: the front door balances connections); the name of the backend that answered. */
function whoAnswers(door: FrontDoor): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: door.port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function answers(door: FrontDoor, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(await whoAnswers(door));
  return names;
}

async function until(what: string, condition: () => boolean, withinMs = 3_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('front door', () => {
  it('sends each new connection to the next backend in turn', async () => {
    const [a, b] = [await startBackend('a'), await startBackend('b')];
    const door = await frontDoorFor([a.address, b.address]);
    expect(door.healthy()).toEqual([a.address, b.address]);
    const names = await answers(door, 6);
    expect(names.filter((n) => n === 'a')).toHaveLength(3);
    expect(names.filter((n) => n === 'b')).toHaveLength(3);
    for (let i = 1; i < names.length; i++) expect(names[i]).not.toBe(names[i - 1]);
  });

  it('passes a WebSocket-style upgrade through, bytes round-trip both ways', async () => {
    const [a, b] = [await startBackend('a'), await startBackend('b')];
    const door = await frontDoorFor([a.address, b.address]);
    const socket = connect({ host: '127.0.0.1', port: door.port });
    cleanups.push(async () => void socket.destroy());
    const payload = randomBytes(256 * 1024);
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.write('GET /socket HTTP/1.1\r\nHost: poker\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    await until('the 101', () => received.includes('\r\n\r\n'));
    const headerEnd = received.indexOf('\r\n\r\n') + 4;
    const head = received.subarray(0, headerEnd).toString();
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head).toMatch(/X-Backend: [ab]\r\n/);
    socket.write(payload);
    await until('the echo', () => received.length >= headerEnd + payload.length);
    expect(received.subarray(headerEnd).equals(payload)).toBe(true);
  });

  it('carries a Socket.IO client on websocket transport only', async () => {
    const server = createServer();
    const io = new SocketIoServer(server);
    io.on('connection', (socket) => socket.on('echo', (value: unknown, ack: (v: unknown) => void) => ack(value)));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise((resolve) => io.close(() => resolve())));
    const door = await frontDoorFor([`127.0.0.1:${port}`]);
    const client = socketIoClient(door.url, { transports: ['websocket'], reconnection: false });
    cleanups.push(async () => void client.close());
    const echoed = await client.timeout(3_000).emitWithAck('echo', { hello: 'table 7' });
    expect(echoed).toEqual({ hello: 'table 7' });
    expect(client.io.engine.transport.name).toBe('websocket');
  });

  it('skips a backend that failed its health check, and uses it again once it is back', async () => {
    const [a, b] = [await startBackend('a'), await startBackend('b')];
    const door = await frontDoorFor([a.address, b.address]);
    await b.stop();
    await until('b marked down', () => !door.healthy().includes(b.address));
    expect(await answers(door, 4)).toEqual(['a', 'a', 'a', 'a']);

    await b.start();
    await until('b marked up', () => door.healthy().includes(b.address));
    expect(new Set(await answers(door, 4))).toEqual(new Set(['a', 'b']));
  });

  it('retries a refused connection on the next backend before any health check notices', async () => {
    const [a, b] = [await startBackend('a'), await startBackend('b')];
    const door = await frontDoorFor([a.address, b.address], 60_000); // no check after the first during this test
    await b.stop();
    expect(door.healthy()).toEqual([a.address, b.address]);
    expect(await answers(door, 4)).toEqual(['a', 'a', 'a', 'a']);
    expect(door.healthy()).toEqual([a.address]); // the refusal marked it down
  });

  it('drops a backend whose health check hangs, and takes new backends from setBackends', async () => {
    const [a, hung] = [await startBackend('a'), await startBackend('hung', { healthHangs: true })];
    const door = await frontDoorFor([a.address, hung.address]);
    expect(door.healthy()).toEqual([a.address]);
    expect(await answers(door, 3)).toEqual(['a', 'a', 'a']);

    const c = await startBackend('c');
    await door.setBackends([a.address, c.address]);
    expect(door.healthy()).toEqual([a.address, c.address]);
    expect(new Set(await answers(door, 4))).toEqual(new Set(['a', 'c']));
  });
});
