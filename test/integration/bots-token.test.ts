import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

// `npm run bots` with a wrong --bot-token, or against a server started without BOT_TOKEN, said
// "bot run failed: bot session for lt1s0: 403 {...}" (or 404 "Not found.") and exited 1, the
// code of a failed run. It is bad usage: a sentence that says what to fix, and exit code 2.

let withToken: TestServer;
let without: TestServer;
beforeAll(async () => {
  withToken = await startTestServer({ env: { BOT_TOKEN: 'bots-token-test-0123456789' } });
  without = await startTestServer();
});
afterAll(async () => {
  await withToken?.close();
  await without?.close();
});

/** The CLI as `npm run bots` runs it (a child process: the test server answers it from this one). */
function bots(url: string, token: string): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/bots/cli.ts', '--url', url, '--bot-token', token, '--duration', '1', '--progress', 'off'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stderr })));
}

describe('npm run bots and the bot token', () => {
  it('a wrong token is bad usage (exit 2) that names --bot-token', async () => {
    const run = await bots(withToken.url, 'not-the-servers-token-at-all');
    expect(run.stderr).toContain("--bot-token must be the server's BOT_TOKEN");
    expect(run.status).toBe(2);
  });

  it('a server without BOT_TOKEN is bad usage (exit 2) that says how to start it', async () => {
    const run = await bots(without.url, 'bots-token-test-0123456789');
    expect(run.stderr).toContain('start it with BOT_TOKEN=');
    expect(run.status).toBe(2);
  });
});
