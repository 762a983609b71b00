import type { LobbyTable } from '../../server/protocol';
import { adminCreateTable, TestClient } from './poker-client';
import { startTestServer, type TestServer } from './server';

// The set-up of the hostile-client test files: a server on a fresh database, an admin ("boss")
// who creates the tables, and players made on demand, each closed with the room.

export interface AttackRoom {
  s: TestServer;
  boss: TestClient;
  /** Every client the room closes at the end: push a client made another way (a second socket). */
  clients: TestClient[];
  /** A new player, signed up as `<prefix>_<n>_<pid>`, with `chipsCents` of chips (none for 0), connected. */
  client(chipsCents?: number): Promise<TestClient>;
  /** A table made by the admin over the API (adminCreateTable). */
  createTable(prefix: string, extra?: Record<string, unknown>): Promise<LobbyTable>;
  /** A second socket of the same user (same session cookie), closed with the room. */
  secondSocket(c: TestClient): Promise<TestClient>;
  /** The user's open seats (at one table, or anywhere). */
  openSeats(userId: number, tableId?: number): Promise<number>;
  close(): Promise<void>;
}

export async function openAttackRoom(
  namePrefix: string,
  options: { server?: Parameters<typeof startTestServer>[0]; bossChipsCents?: number } = {},
): Promise<AttackRoom> {
  const s = await startTestServer(options.server);
  const clients: TestClient[] = [];
  let users = 0;
  const client = async (chipsCents = 2_000): Promise<TestClient> => {
    const c = await TestClient.signup(s.url, `${namePrefix}_${++users}_${process.pid % 1000}`);
    if (chipsCents > 0) await c.buyChips(chipsCents);
    await c.connect();
    clients.push(c);
    return c;
  };
  const boss = await client(options.bossChipsCents ?? 2_000);
  await s.t.db.user.update({ where: { id: boss.userId }, data: { role: 'ADMIN' } });
  return {
    s, boss, clients, client,
    createTable: (prefix, extra = {}) => adminCreateTable(boss, prefix, extra),
    secondSocket: async (c) => {
      const twin = new TestClient(s.url, c.cookie, c.username);
      twin.userId = c.userId;
      await twin.connect();
      clients.push(twin);
      return twin;
    },
    openSeats: (userId, tableId) => s.t.db.seatSession.count({ where: { userId, status: 'OPEN', ...(tableId === undefined ? {} : { tableId }) } }),
    close: async () => {
      for (const c of clients) c.close();
      await s.close();
    },
  };
}

/** A message's answer as its code ('ok' when it succeeded). */
export async function code(c: TestClient, event: string, payload: unknown): Promise<string> {
  const ack = await c.emit(event, payload);
  return ack.ok ? 'ok' : ack.error.code;
}

/** The player's wallet, over the API. */
export async function walletOf(c: TestClient): Promise<number> {
  return (await c.http<{ balance: number }>('GET', '/api/wallet')).body.balance;
}
