import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from 'redis';
import { freePort } from '../../server/db/embedded';

export { freePort };

// A redis-server of a test's own, on a free loopback port, so that the test can stop,
// freeze (SIGSTOP) or restart it without touching the machine's Redis.

export interface OwnRedis {
  url: string;
  port: number;
  proc: ChildProcess;
}

const spawned = new Set<ChildProcess>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRedis(port: number): Promise<OwnRedis> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  spawned.add(proc);
  proc.once('exit', () => spawned.delete(proc));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 3_000;
  for (;;) {
    const probe = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 200 } });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.destroy();
      return { url, port, proc };
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(30);
    }
  }
}

export async function stopRedis(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
}

/** Stops every redis-server this process started (a frozen one is woken first). */
export async function stopEveryRedis(): Promise<void> {
  for (const proc of spawned) {
    proc.kill('SIGCONT');
    await stopRedis(proc);
  }
}
