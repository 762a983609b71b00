import { request as httpRequest, Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClient } from '../support/poker-client';
import { startTestServer, type TestServer } from '../support/server';

// A server shutting down answers every request with `Connection: close`: a kept-alive
// connection of its last requests would otherwise hold the process for the keep-alive
// time-out (72 s) after them (black-box audit 7: an export or a login in flight at SIGTERM
// made the exit take 74-77 s, past Docker's 10 s stop).

let s: TestServer | undefined;
afterAll(async () => {
  await s?.close();
});

function get(url: string, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a shutdown', () => {
  it('answers the requests it still takes with Connection: close, and ends within its grace', async () => {
    s = await startTestServer();
    const table = await s.server.registry.createTable({ name: `shutdown-${Date.now()}`, variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200 });
    if (!table.ok) throw new Error(table.error.message);
    const players = [await TestClient.signup(s.url, `shut_a_${process.pid % 1000}`), await TestClient.signup(s.url, `shut_b_${process.pid % 1000}`)];
    for (const [seat, p] of players.entries()) {
      await p.buyChips(1_000);
      await p.connect();
      expect(await p.emit('table:sit', { tableId: table.value.id, seat, buyIn: 100 })).toMatchObject({ ok: true });
    }
    await players[0]!.until(() => s!.server.registry.get(table.value.id)?.handInProgress() ?? false, 5_000, 'a hand');
    const agent = new Agent({ keepAlive: true });
    expect(await get(`${s.url}/healthz`, agent)).toEqual({ status: 200, connection: 'keep-alive' });
    // The hand in progress keeps the shutdown in its grace period, while HTTP is still served.
    const started = Date.now();
    const closing = s.server.close(3_000);
    expect(await get(`${s.url}/healthz`, agent)).toEqual({ status: 200, connection: 'close' });
    await closing;
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const p of players) p.close();
    agent.destroy();
    s = undefined;
  });
});
