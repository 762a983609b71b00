import { request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';

// The front door of a local cluster (`npm run cluster`, the cluster tests): one
// port that spreads connections over the nodes, as HAProxy does in
// docker-compose.yml. It works on bytes, not HTTP, so Socket.IO's WebSocket
// upgrades pass through like any request; a connection stays on the node it
// was given, which is all the nodes need (HTTP is stateless, sockets are
// WebSocket-only, so nothing needs stickiness). Each new connection goes to the
// next healthy backend in turn. Health is what the last GET healthPath said; a
// connection refused also marks a backend down, and the connection that met it
// is tried once more on the next backend, so a node that died between two
// checks costs a client nothing.

export interface FrontDoorOptions {
  port: number;
  host?: string;
  /** 'host:port' of each node. */
  backends: string[];
  healthPath?: string;
  healthEveryMs?: number;
  /** A health check without an answer within this long counts as failed (a SIGSTOPped node accepts, then never answers). */
  healthTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface FrontDoor {
  url: string;
  port: number;
  /** Replaces the backends; resolves once each new one has been checked (it gets connections once it answers). */
  setBackends(list: string[]): Promise<void>;
  /** The backends that answered their last health check, in order. */
  healthy(): string[];
  /** Stops listening and destroys every proxied connection. */
  close(): Promise<void>;
}

interface Backend {
  address: string;
  host: string;
  port: number;
  healthy: boolean;
  checking: boolean;
}

const HEALTH_PATH_DEFAULT = '/healthz';
const HEALTH_EVERY_MS_DEFAULT = 1_000;
const HEALTH_TIMEOUT_MS_DEFAULT = 1_000;
/** A refused connect is retried on this many other backends, then the client's connection is dropped. */
const CONNECT_RETRIES_MAX = 1;

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const host = options.host ?? '127.0.0.1';
  const healthPath = options.healthPath ?? HEALTH_PATH_DEFAULT;
  const healthTimeoutMs = options.healthTimeoutMs ?? HEALTH_TIMEOUT_MS_DEFAULT;
  const log = options.log ?? (() => undefined);
  let backends = options.backends.map(parseBackend);
  let next = 0;
  const sockets = new Set<Socket>();

  const check = async (backend: Backend): Promise<void> => {
    if (backend.checking) return;
    backend.checking = true;
    const ok = await answersHealth(backend, healthPath, healthTimeoutMs);
    backend.checking = false;
    if (ok !== backend.healthy) log(`front door: ${backend.address} is ${ok ? 'up' : 'down'}`);
    backend.healthy = ok;
  };
  const checkAll = () => Promise.all(backends.map(check));

  /** Backends to try for one connection: the healthy ones from the next in turn; all of them when none is healthy. */
  const pick = (): Backend[] => {
    const healthy = backends.filter((b) => b.healthy);
    const pool = healthy.length > 0 ? healthy : backends;
    if (pool.length === 0) return [];
    const start = next++ % pool.length;
    return [...pool.slice(start), ...pool.slice(0, start)].slice(0, 1 + CONNECT_RETRIES_MAX);
  };

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    proxy(client, pick(), (backend) => {
      if (backend.healthy) log(`front door: ${backend.address} refused a connection; down`);
      backend.healthy = false;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  await checkAll();
  const timer = setInterval(() => void checkAll(), options.healthEveryMs ?? HEALTH_EVERY_MS_DEFAULT);
  timer.unref();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    setBackends: async (list) => {
      const known = new Map(backends.map((b) => [b.address, b]));
      backends = list.map((address) => known.get(address) ?? parseBackend(address));
      await Promise.all(backends.filter((b) => !known.has(b.address)).map(check));
    },
    healthy: () => backends.filter((b) => b.healthy).map((b) => b.address),
    close: async () => {
      clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * Connects `client` to the first of `candidates` that accepts, then pipes both
 * ways until either side closes. A connect error moves on to the next
 * candidate (reporting a refusal through `refused`); with none left the client
 * is dropped.
 */
function proxy(client: Socket, candidates: Backend[], refused: (backend: Backend) => void): void {
  const backend = candidates[0];
  if (backend === undefined || client.destroyed) {
    client.destroy();
    return;
  }
  const upstream = connect({ host: backend.host, port: backend.port, allowHalfOpen: true });
  let connected = false;
  const onCloseBeforeConnect = () => upstream.destroy();
  client.once('close', onCloseBeforeConnect);
  upstream.once('connect', () => {
    connected = true;
    client.removeListener('close', onCloseBeforeConnect);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    upstream.destroy();
    if (connected) return; // its 'close' takes the client down
    client.removeListener('close', onCloseBeforeConnect);
    if (error.code === 'ECONNREFUSED') refused(backend);
    proxy(client, candidates.slice(1), refused);
  });
}

/** Whether GET healthPath answers 2xx within timeoutMs. */
function answersHealth(backend: Backend, healthPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: backend.host, port: backend.port, path: healthPath, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
    });
    req.once('timeout', () => req.destroy(new Error('health check timed out')));
    req.once('error', () => resolve(false));
    req.end();
  });
}

function parseBackend(address: string): Backend {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`front door: backend ${JSON.stringify(address)} is not host:port`);
  }
  return { address, host, port, healthy: false, checking: false };
}
