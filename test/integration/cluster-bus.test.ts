import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus, REPLY_MARGIN_MS, type ClusterBus, type RedisClient } from '../../server/cluster/bus';
import { freePort, startRedis, stopEveryRedis } from '../support/redis';

// The request/reply channel between cluster nodes (server/cluster/bus.ts) on a real Redis.
// A forwarded table command that times out is answered `table/unavailable`, "nothing
// happened": the node it was sent to must then never run it, however late it reads it
// (black-box audit 6 paused the owner for 7 s and saw the command applied afterwards).

const quiet = { warn: () => undefined };
let url: string;
const clients: RedisClient[] = [];
const buses: ClusterBus[] = [];

beforeAll(async () => {
  url = process.env.TEST_REDIS_URL ?? (await startRedis(await freePort())).url;
});

afterAll(async () => {
  for (const bus of buses) await bus.close();
  for (const client of clients) client.destroy();
  await stopEveryRedis();
});

/** What createRedisBus uses of a Redis client, delivering messages when the test says so. */
function fakeRedis() {
  const handlers = new Map<string, (message: string) => void>();
  const sent: { channel: string; message: string }[] = [];
  const sub = {
    on: () => sub,
    connect: async () => undefined,
    subscribe: async (channel: string, handler: (message: string) => void) => void handlers.set(channel, handler),
    isReady: true,
    quit: async () => undefined,
    destroy: () => undefined,
  };
  const pub = { duplicate: () => sub, isReady: true, publish: async (channel: string, message: string) => (sent.push({ channel, message }), 1) };
  return {
    pub: pub as unknown as RedisClient,
    published: async () => {
      while (sent.length === 0) await new Promise((resolve) => setImmediate(resolve));
      return sent;
    },
    deliver: (channel: string, message: string) => handlers.get(channel)?.(message),
  };
}

async function node(nodeId: string): Promise<ClusterBus> {
  const pub: RedisClient = createClient({ url });
  pub.on('error', () => undefined);
  await pub.connect();
  clients.push(pub);
  const bus = await createRedisBus({ pub, nodeId, log: quiet });
  buses.push(bus);
  return bus;
}

describe('cluster bus requests', () => {
  it('are answered by the node they are sent to', async () => {
    const suffix = Math.random().toString(36).slice(2);
    const a = await node(`a-${suffix}`);
    const b = await node(`b-${suffix}`);
    b.onRequest(async (kind, payload, from) => ({ kind, payload, from }));
    await expect(a.request(b.nodeId, 'table', { n: 1 }, { timeoutMs: 2_000 })).resolves.toEqual({ kind: 'table', payload: { n: 1 }, from: a.nodeId });
  });

  it('carry the time by which the receiving node must have started them', async () => {
    const suffix = Math.random().toString(36).slice(2);
    const a = await node(`a-${suffix}`);
    const seen: { deadline?: number }[] = [];
    const listener: RedisClient = createClient({ url });
    clients.push(listener);
    await listener.connect();
    await listener.subscribe(`poker:bus:node:x-${suffix}`, (message) => seen.push(JSON.parse(message) as { deadline?: number }));
    const sentAt = Date.now();
    const answer = a.request(`x-${suffix}`, 'table', {}, { timeoutMs: 2_000 }).catch((error: unknown) => error);
    expect(await answer).toMatchObject({ code: 'timeout' }); // nobody answers x
    expect(seen).toHaveLength(1);
    // The sender's time-out less the time its answer needs to come back.
    expect(seen[0]!.deadline).toBeGreaterThanOrEqual(sentAt + 2_000 - REPLY_MARGIN_MS);
    expect(seen[0]!.deadline).toBeLessThan(sentAt + 2_000);
  });

  it('are never run once their deadline has passed: their sender has stopped waiting', async () => {
    // What a node reads after a pause (SIGSTOP, a blocked event loop) longer than the
    // sender's time-out: a request whose sender has answered `table/unavailable` already.
    const suffix = Math.random().toString(36).slice(2);
    const b = await node(`b-${suffix}`);
    const ran: unknown[] = [];
    b.onRequest(async (_kind, payload) => ran.push(payload));
    const sender: RedisClient = createClient({ url });
    clients.push(sender);
    await sender.connect();
    const send = (payload: string, deadline: number) =>
      sender.publish(`poker:bus:node:${b.nodeId}`, JSON.stringify({ t: 'req', id: payload, from: `a-${suffix}`, kind: 'table', payload, deadline }));
    await send('late', Date.now() - 1);
    await send('in time', Date.now() + 5_000);
    const until = Date.now() + 3_000;
    while (ran.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ran).toEqual(['in time']);
  });

  it('sent twice under one request id (a re-send after a broken connection) are run once, and both sends get that run\'s answer', async () => {
    const suffix = Math.random().toString(36).slice(2);
    const b = await node(`b-${suffix}`);
    const ran: unknown[] = [];
    b.onRequest(async (_kind, payload) => {
      ran.push(payload);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { run: ran.length };
    });
    const a = await node(`a-${suffix}`);
    // The second send arrives while the first still runs, the third after it answered.
    const first = a.request(b.nodeId, 'table', 'top-up', { requestId: 'r1' });
    const second = a.request(b.nodeId, 'table', 'top-up', { requestId: 'r1' });
    expect(await Promise.all([first, second])).toEqual([{ run: 1 }, { run: 1 }]);
    expect(await a.request(b.nodeId, 'table', 'top-up', { requestId: 'r1' })).toEqual({ run: 1 });
    // Another id, or none: run again.
    expect(await a.request(b.nodeId, 'table', 'top-up', { requestId: 'r2' })).toEqual({ run: 2 });
    expect(await a.request(b.nodeId, 'table', 'top-up')).toEqual({ run: 3 });
    expect(ran).toHaveLength(3);
  });

  it('never throw away an answer that arrived by the time their time-out ran', async () => {
    // Audit 7: the forwarding node paused (SIGSTOP) while its request ran on the owner; on
    // resume its 5 s timer ran before it read the answer waiting on its connection, and it
    // answered table/unavailable for a top-up that had been applied. Here the answer is handed
    // over in the same turn of the event loop as the time-out, just after it.
    const fake = fakeRedis();
    const a = await createRedisBus({ pub: fake.pub, nodeId: 'a', log: quiet });
    const answer = a.request('b', 'table', { act: 'top_up' }, { timeoutMs: 100 }).catch((error: unknown) => error);
    const { id } = JSON.parse((await fake.published())[0]!.message) as { id: string };
    setTimeout(() => fake.deliver('poker:bus:node:a', JSON.stringify({ t: 'res', id, from: 'b', payload: { applied: true } })), 100);
    expect(await answer).toEqual({ applied: true });
    // With no answer at all, the time-out still comes.
    await expect(a.request('b', 'table', {}, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'timeout' });
    await a.close();
  });
});
