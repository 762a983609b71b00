import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { exportTextsOf, type ExportHand } from '../../server/http/hand-history';
import { apply, createGame, orderedDeck, type Command, type GameState } from '../../server/poker';
import { createTestDatabase } from '../support/db';
import { startServerProcess } from '../support/server-process';

// Acceptance: with no DATABASE_URL the server (the compiled build, as `npm
// start` runs it) starts its own embedded PostgreSQL, serves /healthz, and
// keeps its data across a stop and a start. A server killed with SIGKILL
// leaves its PostgreSQL running: the next one adopts it and stops it on its
// graceful shutdown.

const dir = mkdtempSync(path.join(tmpdir(), 'poker-boot-'));
chmodSync(dir, 0o755);
const dataDir = path.join(dir, 'pg');
afterAll(() => {
  // A failed test may leave a postmaster behind: stop it before deleting its files.
  for (const data of [dataDir, path.join(dir, 'pg-adopt')]) {
    const postmaster = postmasterOf(data);
    try {
      if (postmaster) process.kill(postmaster.pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Pid and port from the data directory's postmaster.pid, or null when PostgreSQL is not running there. */
function postmasterOf(data: string): { pid: number; port: number } | null {
  const file = path.join(data, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

async function withEmbeddedDb<T>(body: (client: pg.Client) => Promise<T>, data = dataDir): Promise<T> {
  const port = postmasterOf(data)!.port;
  const client = new pg.Client({ connectionString: `postgresql://poker:poker@127.0.0.1:${port}/poker` });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

async function connectTo(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: `postgresql://poker:poker@127.0.0.1:${port}/poker`, connectionTimeoutMillis: 5_000 });
  await client.connect();
  await client.end();
}

describe('boot with the embedded database', () => {
  it('serves /healthz and /readyz with no DATABASE_URL, and keeps data across restarts', async () => {
    const env = { DATABASE_URL: undefined, EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: '0' };
    // LOG_LEVEL=error: the first admin's one-time password is printed all the same, on a line of
    // its own (it was a warn-level JSON log line, escaped, and not shown at all above warn).
    const first = await startServerProcess({ ...env, LOG_LEVEL: 'error' }, 120_000);
    try {
      expect(await (await fetch(`${first.baseUrl}/healthz`)).json()).toEqual({ ok: true });
      const password = /^ {2}one-time password: (\S+)$/m.exec(first.output())?.[1];
      expect(password, first.output()).toBeDefined();
      const login = await fetch(`${first.baseUrl}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      expect((await fetch(`${first.baseUrl}/readyz`)).status).toBe(200);
      await withEmbeddedDb((c) => c.query(`INSERT INTO users (username, password_hash) VALUES ('survivor', 'x')`));
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    const second = await startServerProcess(env, 120_000);
    try {
      const rows = await withEmbeddedDb((c) => c.query(`SELECT username FROM users WHERE username = 'survivor'`));
      expect(rows.rowCount).toBe(1);
      expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
  });

  it('adopts the PostgreSQL a SIGKILLed server left running, and stops it on the next graceful shutdown', async () => {
    const data = path.join(dir, 'pg-adopt');
    const env = { DATABASE_URL: undefined, EMBEDDED_PG_DIR: data, EMBEDDED_PG_PORT: '0' };
    const first = await startServerProcess(env, 120_000);
    const postmaster = postmasterOf(data)!;
    expect(await first.stop('SIGKILL')).toBe(null);
    expect(() => process.kill(postmaster.pid, 0), 'PostgreSQL outlives the killed server').not.toThrow();

    const second = await startServerProcess(env, 120_000);
    try {
      expect(postmasterOf(data), 'the same postmaster, adopted').toEqual(postmaster);
      expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
      await withEmbeddedDb((c) => c.query('SELECT 1'), data);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
    expect(postmasterOf(data), 'stopped with the server that adopted it').toBe(null);
    await expect(connectTo(postmaster.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('runs the compiled equity worker, with the engine bundled in and no tsx', async () => {
    const file = fileURLToPath(new URL('../../dist/equity-worker.mjs', import.meta.url));
    expect(readFileSync(file, 'utf8')).not.toMatch(/from\s*["']tsx|import\(["']tsx/);
    const worker = new Worker(file);
    try {
      let osThreadId: unknown;
      const answer = await new Promise<{ id: number; result?: { win: number[]; boards: number } }>((resolve, reject) => {
        worker.on('message', (m: { osThreadId?: string; id?: number }) => {
          if ('osThreadId' in m) osThreadId = m.osThreadId; // first, for poker_thread_cpu_seconds_total
          else resolve(m as { id: number; result?: { win: number[]; boards: number } });
        });
        worker.once('error', reject);
        // Cards are 0..51; two hands and a flop leave 45 choose 2 = 990 turn-river boards.
        worker.postMessage({ id: 7, input: { variant: 'NLHE', hands: [[0, 1], [8, 9]], board: [20, 30, 40] } });
      });
      expect(answer.id).toBe(7);
      expect(answer.result?.boards).toBe(990);
      if (process.platform === 'linux') expect(osThreadId).toMatch(/^\d+$/);
    } finally {
      await worker.terminate();
    }
  });

  it('runs the compiled export thread, with the hand history bundled in and no tsx', async () => {
    const file = fileURLToPath(new URL('../../dist/export-worker.mjs', import.meta.url));
    expect(readFileSync(file, 'utf8')).not.toMatch(/from\s*["']tsx|import\(["']tsx/);
    // One hand of three players, stored as the table writes it, and one whose row is gone.
    let state: GameState = createGame({ variant: 'NLHE', maxSeats: 3, smallBlind: 1, bigBlind: 2 });
    const commands: Command[] = [];
    const run = (command: Command, record = true) => {
      const r = apply(state, command);
      if (!r.ok) throw new Error(r.rejection.code);
      state = r.state;
      if (record) commands.push(command);
    };
    for (const seat of [0, 1, 2]) run({ type: 'sit', seat, playerId: String(100 + seat), stack: 100 }, false);
    const initial = state;
    run({ type: 'start_hand', handId: '1-1-e1', deck: orderedDeck(), button: 0 });
    while (state.street !== 'complete') run({ type: 'act', seat: state.toAct!, action: state.currentBet > state.seats[state.toAct!]!.bet ? 'call' : 'check' });
    const players = [0, 1, 2].map((seat) => ({ seat, userId: 100 + seat, username: ['ann', 'ben', 'cy'][seat] }));
    const hands: ExportHand[] = [
      { id: '41', record: JSON.stringify({ log: { initial, commands }, players }), tableName: 'Main', createdAt: '2026-12-06T07:00:00.000Z', seat: 1 },
      { id: '42', record: null, tableName: '', createdAt: new Date(0).toISOString(), seat: 0 },
    ];
    const worker = new Worker(file);
    try {
      let osThreadId: unknown;
      const answer = await new Promise<{ id: number; result?: { texts: string[]; skipped: number } }>((resolve, reject) => {
        worker.on('message', (m: { osThreadId?: string; id?: number }) => {
          if ('osThreadId' in m) osThreadId = m.osThreadId;
          else resolve(m as { id: number; result?: { texts: string[]; skipped: number } });
        });
        worker.once('error', reject);
        worker.postMessage({ id: 5, hands });
      });
      expect(answer).toEqual({ id: 5, result: exportTextsOf(hands) });
      expect(answer.result!.skipped).toBe(1);
      expect(answer.result!.texts[0]).toMatch(/^PokerStars Hand #41: /);
      expect(answer.result!.texts[0]).toContain('Dealt to ben [');
      if (process.platform === 'linux') expect(osThreadId).toMatch(/^\d+$/);
    } finally {
      await worker.terminate();
    }
  });

  it('runs the compiled ledger thread, with the ledger and the Prisma client bundled in and no tsx', async () => {
    const file = fileURLToPath(new URL('../../dist/ledger-worker.mjs', import.meta.url));
    expect(readFileSync(file, 'utf8')).not.toMatch(/from\s*["']tsx|import\(["']tsx/);
    const t = await createTestDatabase();
    const worker = new Worker(file, {
      workerData: { db: { url: t.url, poolMax: 1 }, chipsPerUsd: 100, purchaseMinCents: 100n, purchaseMaxCents: 10_000n },
    });
    try {
      let osThreadId: unknown;
      const answer = await new Promise<{ id: number; result?: { violations: unknown[] } }>((resolve, reject) => {
        worker.on('message', (m: { ready?: true; id?: number; osThreadId?: string }) => {
          if ('osThreadId' in m) osThreadId = m.osThreadId;
          else if (m.ready) worker.postMessage({ id: 3, op: 'reconcile' });
          else resolve(m as { id: number; result?: { violations: unknown[] } });
        });
        worker.once('error', reject);
      });
      expect(answer).toMatchObject({ id: 3, result: { violations: [] } });
      if (process.platform === 'linux') expect(osThreadId).toMatch(/^\d+$/);
    } finally {
      await worker.terminate();
      await t.close();
    }
  });

  it('refuses a bad configuration value with a message naming the variable', async () => {
    await expect(startServerProcess({ PORT: '70000', DATABASE_URL: 'mysql://nope' }, 20_000)).rejects.toThrow(
      /DATABASE_URL="mysql:\/\/nope": must be a URL starting with postgres/,
    );
  });
});
