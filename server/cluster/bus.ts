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

/**
 * `unavailable`: not sent (Redis away, nobody listening). `lost`: sent, but the connection
 * broke before Redis confirmed it, so it may have been delivered and run: send it again with
 * the same `requestId` (the node runs it at most once). `timeout`: no answer in time.
 * `remote`: the handler failed.
 */
export class BusError extends Error {
  constructor(readonly code: 'timeout' | 'unavailable' | 'lost' | 'remote', message: string) {
    super(message);
  }
}

export interface RequestOptions {
  timeoutMs?: number;
  /**
   * The same for every send of one request (a re-send after `lost`): the node that receives
   * it runs it once and answers every later send with the first one's answer, for
   * REQUEST_MEMO_MS. Without it every send is run.
   */
  requestId?: string;
}

export interface ClusterBus {
  readonly nodeId: string;
  /** Sends `kind` to one node and waits for its handler's answer (rejects BusError). */
  request<T>(node: string, kind: string, payload: unknown, options?: RequestOptions): Promise<T>;
  /** Resolves true once Redis can be published to (at once if it can now), false after `withinMs`. */
  whenConnected(withinMs: number): Promise<boolean>;
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
/**
 * How long a node remembers a request it started, by its `requestId`, and at most how many:
 * longer than any sender re-sends one (its re-sends start within a few of its time-outs).
 * Past the count the oldest is forgotten first (a re-send of it would run again); at the
 * rates a node serves that is long after its sender stopped re-sending.
 */
export const REQUEST_MEMO_MS = 3 * REQUEST_TIMEOUT_MS;
export const REQUEST_MEMO_MAX = 50_000;
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
  /** A request: the same on each of its sends (RequestOptions.requestId). */
  rid?: string;
}

/** What a node answered (or is answering) to a request it started, by sender and request id. */
interface Memo {
  at: number;
  answer: Promise<Pick<Envelope, 'payload' | 'error'>>;
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
  const memos = new Map<string, Memo>();

  async function run(envelope: Envelope): Promise<Pick<Envelope, 'payload' | 'error'>> {
    try {
      return { payload: await requestHandler(envelope.kind!, envelope.payload, envelope.from, typeof envelope.deadline === 'number' ? envelope.deadline : null) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** The first send of a request runs it; a later send of it (same sender, same id) waits for that run's answer. */
  function runOnce(envelope: Envelope): Promise<Pick<Envelope, 'payload' | 'error'>> {
    if (typeof envelope.rid !== 'string') return run(envelope);
    const now = Date.now();
    for (const [key, memo] of memos) {
      if (now - memo.at < REQUEST_MEMO_MS && memos.size < REQUEST_MEMO_MAX) break;
      memos.delete(key); // oldest first: Map keeps insertion order
    }
    const key = `${envelope.from}:${envelope.rid}`;
    const seen = memos.get(key);
    if (seen) {
      log.warn({ kind: envelope.kind, from: envelope.from }, 'cluster request sent again: answered with its first run');
      return seen.answer;
    }
    const answer = run(envelope);
    memos.set(key, { at: now, answer });
    return answer;
  }

  async function answer(envelope: Envelope): Promise<void> {
    if (typeof envelope.deadline === 'number' && Date.now() > envelope.deadline) {
      log.warn({ kind: envelope.kind, from: envelope.from, lateMs: Date.now() - envelope.deadline }, 'cluster request dropped: it arrived after its deadline');
      return; // its sender has stopped waiting; an answer would find no one
    }
    const reply: Envelope = { t: 'res', id: envelope.id, from: nodeId, ...(await runOnce(envelope)) };
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
    request<T>(node: string, kind: string, payload: unknown, options: RequestOptions = {}): Promise<T> {
      const { timeoutMs = REQUEST_TIMEOUT_MS, requestId } = options;
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
        publish(`${PREFIX}:node:${node}`, { t: 'req', id, from: nodeId, kind, payload, deadline, ...(requestId ? { rid: requestId } : {}) }).then(
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
            // The client was ready when it took the PUBLISH (checked above, and it queues
            // nothing offline): it failed because the connection broke once it had written it,
            // or was about to. Redis may well have delivered it; only its confirmation is gone.
            reject(new BusError('lost', error.message));
          },
        );
      });
    },
    whenConnected(withinMs) {
      if (pub.isReady) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const ready = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          pub.off('ready', ready);
          resolve(false);
        }, withinMs);
        pub.once('ready', ready);
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
