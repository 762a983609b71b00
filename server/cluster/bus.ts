import { randomUUID } from 'node:crypto';
import type { createClient } from 'redis';

// Messages between the nodes of a cluster over Redis pub/sub
// (docs/decisions/020-routing-table-commands.md): a request to one node with a
// reply and a time-out (a table command forwarded to the table's owner), and
// broadcasts to every other node (presence, seats, lobby slices). Nothing here
// carries money or is needed to keep it correct: a lost message is a command
// that times out (the player sees `table/unavailable` and may retry, and every
// money command is idempotent) or a notice that the next periodic one repeats.

export type RedisClient = ReturnType<typeof createClient>;

export class BusError extends Error {
  constructor(readonly code: 'timeout' | 'unavailable' | 'remote', message: string) {
    super(message);
  }
}

export interface ClusterBus {
  readonly nodeId: string;
  /** Sends `kind` to one node and waits for its handler's answer (rejects BusError). */
  request<T>(node: string, kind: string, payload: unknown, timeoutMs?: number): Promise<T>;
  /** Answers requests addressed to this node; `deadline` (epoch ms, the sender's clock): the sender stops waiting then. */
  onRequest(handler: (kind: string, payload: unknown, from: string, deadline: number | null) => Promise<unknown>): void;
  /** To every other node; best effort. */
  broadcast(kind: string, payload: unknown): void;
  onBroadcast(handler: (kind: string, payload: unknown, from: string) => void): void;
  /** Whether Redis is reachable now. */
  readonly connected: boolean;
  close(): Promise<void>;
}

export const REQUEST_TIMEOUT_MS = 5_000;
/**
 * A node starts a request only while at least this much (at most a fifth) of the sender's time-out is left, so
 * that its answer can still arrive. A request that waited longer (the node was paused, its
 * event loop blocked, Redis slow) is dropped unanswered: the sender has answered, or is about
 * to answer, `table/unavailable` ("nothing happened"), and running it then would make that
 * untrue (black-box audit 6). Deadlines are the sender's wall clock: the nodes' clocks are
 * assumed to agree to well under this margin (NTP).
 */
export const REPLY_MARGIN_MS = 1_000;
const PREFIX = 'poker:bus';

interface Envelope {
  t: 'req' | 'res' | 'cast';
  id?: string;
  from: string;
  kind?: string;
  payload?: unknown;
  error?: string;
  /** A request: epoch ms (the sender's clock) after which it must not be started. */
  deadline?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: BusError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * `pub` must be a connected client; a duplicate of it subscribes. Reconnects
 * are the client's own (it re-subscribes by itself).
 */
export async function createRedisBus(options: {
  pub: RedisClient;
  nodeId: string;
  log: { warn(obj: object, msg?: string): void };
}): Promise<ClusterBus> {
  const { pub, nodeId, log } = options;
  const sub = pub.duplicate({ disableOfflineQueue: false });
  sub.on('error', () => undefined); // reconnects by itself; the pub client's listener logs
  await sub.connect();
  const pending = new Map<string, Pending>();
  let requestHandler: (kind: string, payload: unknown, from: string, deadline: number | null) => Promise<unknown> = async () => {
    throw new Error('no handler');
  };
  let castHandler: (kind: string, payload: unknown, from: string) => void = () => undefined;
  const publish = (channel: string, envelope: Envelope) => pub.publish(channel, JSON.stringify(envelope));

  async function answer(envelope: Envelope): Promise<void> {
    if (typeof envelope.deadline === 'number' && Date.now() > envelope.deadline) {
      log.warn({ kind: envelope.kind, from: envelope.from, lateMs: Date.now() - envelope.deadline }, 'cluster request dropped: it arrived after its deadline');
      return; // its sender has stopped waiting; an answer would find no one
    }
    const reply: Envelope = { t: 'res', id: envelope.id, from: nodeId };
    try {
      reply.payload = await requestHandler(envelope.kind!, envelope.payload, envelope.from, typeof envelope.deadline === 'number' ? envelope.deadline : null);
    } catch (error) {
      reply.error = (error as Error).message;
    }
    await publish(`${PREFIX}:node:${envelope.from}`, reply).catch(() => undefined);
  }

  await sub.subscribe(`${PREFIX}:node:${nodeId}`, (message) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return;
    }
    if (envelope.t === 'req') {
      void answer(envelope);
    } else if (envelope.t === 'res' && envelope.id) {
      const waiting = pending.get(envelope.id);
      if (!waiting) return; // timed out already
      pending.delete(envelope.id);
      clearTimeout(waiting.timer);
      if (envelope.error !== undefined) waiting.reject(new BusError('remote', envelope.error));
      else waiting.resolve(envelope.payload);
    }
  });
  await sub.subscribe(`${PREFIX}:all`, (message) => {
    try {
      const envelope = JSON.parse(message) as Envelope;
      if (envelope.from !== nodeId) castHandler(envelope.kind!, envelope.payload, envelope.from);
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'bad cluster broadcast');
    }
  });

  return {
    nodeId,
    get connected() {
      return pub.isReady && sub.isReady;
    },
    request<T>(node: string, kind: string, payload: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
      if (!pub.isReady) return Promise.reject(new BusError('unavailable', 'Redis is not reachable'));
      const id = randomUUID();
      return new Promise<T>((resolve, reject) => {
        // Not at once: after a pause of this process (a SIGSTOP, a blocked event loop) the timer
        // runs before the replies that arrived meanwhile are read. One turn of the event loop
        // later they have been, so an answer that came in time is never thrown away (answering
        // "nothing happened" for a command that ran: black-box audit 7).
        const timer = setTimeout(() => {
          setImmediate(() => {
            if (!pending.delete(id)) return;
            reject(new BusError('timeout', `node ${node} did not answer ${kind} within ${timeoutMs} ms`));
          });
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        const deadline = Date.now() + timeoutMs - Math.min(REPLY_MARGIN_MS, timeoutMs / 5);
        publish(`${PREFIX}:node:${node}`, { t: 'req', id, from: nodeId, kind, payload, deadline }).then(
          (receivers) => {
            // Nobody subscribed: the node is gone; no need to wait for the time-out.
            if (receivers === 0 && pending.delete(id)) {
              clearTimeout(timer);
              reject(new BusError('unavailable', `node ${node} is not listening`));
            }
          },
          (error: Error) => {
            if (!pending.delete(id)) return;
            clearTimeout(timer);
            reject(new BusError('unavailable', error.message));
          },
        );
      });
    },
    onRequest(handler) {
      requestHandler = handler;
    },
    broadcast(kind, payload) {
      if (!pub.isReady) return;
      publish(`${PREFIX}:all`, { t: 'cast', from: nodeId, kind, payload }).catch(() => undefined);
    },
    onBroadcast(handler) {
      castHandler = handler;
    },
    async close() {
      for (const [id, waiting] of pending) {
        clearTimeout(waiting.timer);
        waiting.reject(new BusError('unavailable', 'closing'));
        pending.delete(id);
      }
      await sub.quit().catch(() => sub.destroy());
    },
  };
}
