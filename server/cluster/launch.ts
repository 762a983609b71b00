import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../db/embedded';
import { startFrontDoor, type FrontDoor } from './front-door';

// A whole cluster on one machine, for `npm run cluster` and the cluster tests:
// a Redis (given, or a redis-server of its own that a test may stop and
// restart), a database (given, or the embedded PostgreSQL), N server processes
// (`node --import tsx server/main.ts`, NODE_ID node-1..node-N, each on its own
// port) and the front door in front of them. Nodes run in their own process
// group, so a Ctrl-C in the terminal reaches only the launcher, which then
// stops them itself (one at a time when asked: a rolling stop lets each node
// hand its tables to the others).

export interface LaunchOptions {
  nodes: number;
  /** Port of the front door; 0 (default): any free port. */
  port?: number;
  /** Passed to every node, under the variables the launcher sets itself (NODE_ID, PORT, HOST, DATABASE_URL, REDIS_URL). */
  env?: Record<string, string>;
  databaseUrl?: string;
  redisUrl?: string;
  /** Start a redis-server of our own even when REDIS_URL is set (a test that restarts Redis). */
  spawnRedis?: boolean;
  /** When given, each node's output is also appended to <logDir>/<node id>.log. */
  logDir?: string;
  log?: (message: string) => void;
  /** Every line a node prints, as it comes. */
  onOutput?: (nodeId: string, line: string) => void;
}

export interface ClusterNode {
  readonly id: string;
  readonly port: number;
  readonly url: string;
  /** Of the current process (a restart makes a new one). */
  readonly pid: number | undefined;
  readonly process: ChildProcess;
  readonly alive: boolean;
  /** Exit code of the current process (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** The last lines of stdout and stderr, oldest first. */
  output(): string[];
  kill(signal?: NodeJS.Signals): void;
  /** Stops the process if it runs (SIGTERM, then SIGKILL after the grace), starts it again on the same id and port, waits until healthy. */
  restart(): Promise<void>;
}

export interface ClusterRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export interface Cluster {
  /** The front door. */
  url: string;
  redisUrl: string;
  databaseUrl: string;
  nodes: ClusterNode[];
  frontDoor: FrontDoor;
  /** The redis-server the launcher started, or null when an external one was given. */
  redis: ClusterRedis | null;
  addNode(): Promise<ClusterNode>;
  /** Stops every node (all at once, or one after the other when rolling), the front door, then the Redis and database the launcher started. */
  close(options?: { rolling?: boolean }): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = 'server/main.ts';
const HOST = '127.0.0.1';
export const NODES_MAX = 16;
const OUTPUT_LINES_MAX = 200;
/** Lines of a node's output quoted in the error when it fails to start. */
const ERROR_LINES_MAX = 40;
const HEALTHY_TIMEOUT_MS = 60_000;
/** A node stopped with SIGTERM gets this long to drain and exit before SIGKILL. */
const STOP_GRACE_MS = 20_000;
const REDIS_READY_TIMEOUT_MS = 10_000;
const REDIS_STOP_GRACE_MS = 5_000;
const POLL_MS = 200;
const EMBEDDED_PG_DIR_DEFAULT = '.data/postgres';
const EMBEDDED_PG_PORT_DEFAULT = 54329;
/** The embedded database's own stop waits up to 30 s for an adopted postmaster; a little more here. */
const EMBEDDED_STOP_GRACE_MS = 35_000;

export async function launchCluster(options: LaunchOptions): Promise<Cluster> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > NODES_MAX) {
    throw new Error(`launchCluster: nodes must be an integer from 1 to ${NODES_MAX} (got ${options.nodes})`);
  }
  const log = options.log ?? (() => undefined);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => log(`cluster: ${String(error)}`));
  };
  try {
    const redis = options.spawnRedis || !(options.redisUrl ?? process.env.REDIS_URL) ? await startRedis(log) : null;
    if (redis) cleanups.push(() => redis.stop());
    const redisUrl = redis?.url ?? options.redisUrl ?? process.env.REDIS_URL!;
    const embedded = (options.databaseUrl ?? process.env.DATABASE_URL) ? null : await startEmbedded(log);
    if (embedded) cleanups.push(() => embedded.stop());
    const databaseUrl = embedded?.url ?? options.databaseUrl ?? process.env.DATABASE_URL!;
    if (options.logDir) mkdirSync(options.logDir, { recursive: true });

    const nodes: ManagedNode[] = [];
    const createNext = async () => {
      const id = `node-${nodes.length + 1}`;
      const env = { ...options.env, NODE_ID: id, HOST, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
      let port = await freePort();
      while (nodes.some((node) => node.port === port)) port = await freePort();
      const node = createNode(id, port, env, { ...options, log });
      nodes.push(node);
      return node;
    };
    const stopNodes = async (rolling: boolean) => {
      if (rolling) for (const node of nodes) await node.stop();
      else await Promise.all(nodes.map((node) => node.stop()));
      for (const node of nodes) node.closeLog();
    };
    const killNodes = () => nodes.forEach((node) => node.kill('SIGKILL'));
    process.on('exit', killNodes);
    cleanups.push(async () => {
      await stopNodes(false);
      process.removeListener('exit', killNodes);
    });

    for (let i = 0; i < options.nodes; i++) await createNext();
    await Promise.all(nodes.map((node) => node.start()));
    const backends = () => nodes.map((node) => `${HOST}:${node.port}`);
    const frontDoor = await startFrontDoor({ port: options.port ?? 0, host: HOST, backends: backends(), log });
    log(`cluster: ${nodes.length} node${nodes.length === 1 ? '' : 's'} behind ${frontDoor.url}`);

    return {
      url: frontDoor.url,
      redisUrl,
      databaseUrl,
      nodes,
      frontDoor,
      redis: redis?.control ?? null,
      addNode: async () => {
        const node = await createNext();
        await node.start();
        await frontDoor.setBackends(backends());
        return node;
      },
      close: async ({ rolling = false } = {}) => {
        await stopNodes(rolling);
        await frontDoor.close();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

interface ManagedNode extends ClusterNode {
  start(): Promise<void>;
  stop(): Promise<void>;
  closeLog(): void;
}

/** A node whose process can be started, stopped and restarted under the same id and port. */
function createNode(
  id: string,
  port: number,
  env: Record<string, string>,
  options: Pick<LaunchOptions, 'logDir' | 'onOutput'> & { log: (message: string) => void },
): ManagedNode {
  const url = `http://${HOST}:${port}`;
  const lines: string[] = [];
  let file: WriteStream | null = options.logDir ? createWriteStream(path.join(options.logDir, `${id}.log`), { flags: 'a' }) : null;
  const record = (line: string) => {
    lines.push(line);
    if (lines.length > OUTPUT_LINES_MAX) lines.shift();
    file?.write(`${line}\n`);
    options.onOutput?.(id, line);
  };
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  let alive = false;

  const spawnProcess = () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    alive = true;
    eachLine(proc.stdout!, record);
    eachLine(proc.stderr!, record);
    exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        alive = false;
        options.log(`cluster: ${id} (pid ${proc.pid}) exited with ${signal ?? `code ${code}`}`);
        resolve(code);
      });
      proc.once('error', (error) => {
        record(`spawn failed: ${error.message}`);
        alive = false;
        resolve(null);
      });
    });
    child = proc;
  };

  const stop = async () => {
    if (!alive || !child) return;
    child.kill('SIGTERM');
    child.kill('SIGCONT'); // a SIGSTOPped node acts on SIGTERM only once it runs again
    const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_GRACE_MS).then(() => true)]);
    if (timedOut && alive) {
      options.log(`cluster: ${id} did not exit within ${STOP_GRACE_MS} ms of SIGTERM; SIGKILL`);
      child.kill('SIGKILL');
    }
    await exited;
  };

  const start = async () => {
    spawnProcess();
    options.log(`cluster: ${id} starting on port ${port} (pid ${child!.pid})`);
    const lastOutput = () => {
      const tail = lines.slice(-ERROR_LINES_MAX).join('\n');
      return tail ? `; its last output:\n${tail}` : ', with no output';
    };
    await waitHealthy(`${url}/healthz`, `${id} (port ${port})`, () => alive, lastOutput, () => child!.kill('SIGKILL'));
  };

  return {
    id,
    port,
    url,
    get pid() {
      return child?.pid;
    },
    get process() {
      return child!;
    },
    get alive() {
      return alive;
    },
    get exited() {
      return exited;
    },
    output: () => [...lines],
    kill: (signal = 'SIGTERM') => {
      if (alive) child?.kill(signal);
    },
    restart: async () => {
      await stop();
      await start();
    },
    start,
    stop,
    closeLog: () => {
      file?.end();
      file = null; // output that still arrives goes to the ring buffer only
    },
  };
}

/** Polls `url` until it answers 2xx; fails when the process dies or after HEALTHY_TIMEOUT_MS (then `abandon` kills it). */
async function waitHealthy(url: string, name: string, running: () => boolean, lastOutput: () => string, abandon: () => void): Promise<void> {
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  for (;;) {
    if (!running()) throw new Error(`cluster: ${name} exited before it was healthy${lastOutput()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      abandon();
      throw new Error(`cluster: ${name} did not answer ${url} within ${HEALTHY_TIMEOUT_MS} ms${lastOutput()}`);
    }
    await sleep(POLL_MS);
  }
}

interface SpawnedRedis {
  url: string;
  control: ClusterRedis;
  stop(): Promise<void>;
}

/** A redis-server of our own on a free port, without persistence, or an error saying how to get one. */
async function startRedis(log: (message: string) => void): Promise<SpawnedRedis> {
  const binary = onPath('redis-server');
  if (!binary) {
    throw new Error(
      'cluster mode needs Redis: install it (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) ' +
        'so that redis-server is on PATH, or set REDIS_URL=redis://host:port to use a running one',
    );
  }
  const port = await freePort();
  const url = `redis://${HOST}:${port}`;
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  const start = async () => {
    if (proc) return;
    output = '';
    const started = spawn(binary, ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started.stdout!.on('data', (d) => (output = (output + d).slice(-4_000)));
    started.stderr!.on('data', (d) => (output = (output + d).slice(-4_000)));
    proc = started;
    exited = new Promise((resolve) => {
      started.once('exit', () => {
        if (proc === started) proc = null;
        resolve();
      });
      started.once('error', () => resolve());
    });
    const deadline = Date.now() + REDIS_READY_TIMEOUT_MS;
    while (!(await redisAnswers(port))) {
      if (proc !== started || Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not start:\n${output}`);
      }
      await sleep(50);
    }
    log(`cluster: redis-server (pid ${started.pid}) on ${url}`);
  };
  const stop = async () => {
    const running = proc;
    if (!running) return;
    running.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(REDIS_STOP_GRACE_MS).then(() => true)]);
    if (timedOut) running.kill('SIGKILL');
    await exited;
    proc = null;
  };
  const killNow = () => proc?.kill('SIGKILL');
  await start();
  process.on('exit', killNow);
  return {
    url,
    control: {
      url,
      port,
      start,
      stop,
      restart: async () => {
        await stop();
        await start();
      },
    },
    stop: async () => {
      await stop();
      process.removeListener('exit', killNow);
    },
  };
}

/** Whether a Redis on loopback `port` answers PING. */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * The embedded PostgreSQL of `npm start` (same data folder and preferred port,
 * overridable as for the server), run by a helper process in a process group
 * of its own: a Ctrl-C in the terminal must reach the launcher only, not stop
 * the database under nodes that are still draining. The helper stops the
 * database on SIGTERM, and when the launcher is gone (its stdin closes).
 */
async function startEmbedded(log: (message: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const preferredPort = Number(process.env.EMBEDDED_PG_PORT ?? EMBEDDED_PG_PORT_DEFAULT);
  const helper = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', EMBEDDED_HELPER], {
    cwd: ROOT,
    env: {
      ...process.env,
      HELPER_PG_DIR: path.resolve(ROOT, process.env.EMBEDDED_PG_DIR ?? EMBEDDED_PG_DIR_DEFAULT),
      HELPER_PG_PORT: String(Number.isInteger(preferredPort) ? preferredPort : EMBEDDED_PG_PORT_DEFAULT),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  const output: string[] = [];
  eachLine(helper.stderr!, (line) => {
    output.push(line);
    log(line);
  });
  const url = await new Promise<string | null>((resolve) => {
    eachLine(helper.stdout!, (line) => line.startsWith('postgresql://') && resolve(line));
    void exited.then(() => resolve(null));
  });
  if (url === null) throw new Error(`the embedded PostgreSQL did not start:\n${output.slice(-ERROR_LINES_MAX).join('\n')}`);
  return {
    url,
    stop: async () => {
      helper.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(EMBEDDED_STOP_GRACE_MS).then(() => true)]);
      if (timedOut) helper.kill('SIGKILL');
      await exited;
    },
  };
}

const EMBEDDED_HELPER = `
import { startEmbeddedPostgres } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'server/db/embedded.ts')).href)};
const db = await startEmbeddedPostgres({
  dataDir: process.env.HELPER_PG_DIR, preferredPort: Number(process.env.HELPER_PG_PORT), log: (m) => console.error(m),
});
console.log(db.url);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  db.stop().then(() => process.exit(0), (e) => { console.error(String(e)); process.exit(1); });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
`;

function onPath(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Calls `onLine` for each complete line of `stream` (and the unterminated rest when it ends). */
function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const part of parts) onLine(part.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
    rest = '';
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
