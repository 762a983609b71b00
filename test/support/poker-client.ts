import { isDeepStrictEqual } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { createTableFeed, type Ack, type LobbyTable, type PrivateFrame, type TableFeed, type TableFrame, type TableSnapshot } from '../../server/protocol';
import { uniqueKey } from './db';
import type { LegalActions, TableView } from '../../server/poker';

// A real client of the public protocol for tests: HTTP sign-up/login with the
// session cookie, a Socket.IO connection authenticated by that cookie, and a
// record of every frame received (raw JSON too, for leak checks). Each table it
// watched or took a snapshot of is followed with the table feed
// (server/protocol/table-feed.ts), as the browser and the bots follow it: frames
// folded onto the view, a snapshot asked for when frames were missed, and every
// later snapshot at the same seq checked against the folded view.

export interface Received {
  event: string;
  json: string;
}

export class TestClient {
  socket: Socket | null = null;
  readonly received: Received[] = [];
  frames: TableFrame[] = [];
  privateFrames: PrivateFrame[] = [];
  snapshots = new Map<number, TableSnapshot>();
  lastSeq = new Map<number, number>();
  epochs = new Map<number, number>();
  legal = new Map<number, { seq: number; legal: LegalActions | null }>();
  /** One feed per table this client watched or took a snapshot of. */
  readonly feeds = new Map<number, TableFeed>();
  private readonly resyncing = new Set<number>();
  balance: number | null = null;
  userId = 0;

  constructor(readonly baseUrl: string, public cookie = '', readonly username = '') {}

  static async signup(baseUrl: string, username: string, password = 'correct horse battery'): Promise<TestClient> {
    const response = await fetch(`${baseUrl}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await response.json()) as { ok: boolean; user?: { id: number }; error?: unknown };
    if (!response.ok || !body.ok) throw new Error(`signup failed: ${response.status} ${JSON.stringify(body)}`);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    const client = new TestClient(baseUrl, cookie, username);
    client.userId = body.user!.id;
    return client;
  }

  static anonymous(baseUrl: string): TestClient {
    return new TestClient(baseUrl);
  }

  async http<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async buyChips(amountCents: number): Promise<void> {
    const r = await this.http('POST', '/api/wallet/buy-chips', { amountCents, idempotencyKey: `buy-${this.username}-${Date.now()}-${Math.random()}` });
    if (r.status !== 200) throw new Error(`buy chips failed: ${JSON.stringify(r.body)}`);
  }

  async connect(options: { recovery?: boolean } = {}): Promise<void> {
    const socket = io(this.baseUrl, {
      transports: ['websocket'],
      extraHeaders: this.cookie ? { cookie: this.cookie } : {},
      reconnection: options.recovery ?? false,
      forceNew: true,
    });
    this.socket = socket;
    socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, json: JSON.stringify(payload) });
      if (event === 'table:frame') this.onFrame(payload as TableFrame);
      if (event === 'table:private') this.onPrivate(payload as PrivateFrame);
      if (event === 'wallet:balance') this.balance = (payload as { balance: number }).balance;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
  }

  private onFrame(frame: TableFrame): void {
    this.frames.push(frame);
    const feed = this.feeds.get(frame.tableId);
    if (!feed) return;
    const outcome = feed.onFrame(frame);
    if (outcome.kind === 'resync') return this.resync(frame.tableId);
    if (outcome.kind === 'applied') this.noteFeed(frame.tableId, feed);
  }

  /** A private frame is kept in `frames` too (its events are this player's own). */
  private onPrivate(frame: PrivateFrame): void {
    this.frames.push(frame);
    this.privateFrames.push(frame);
    const feed = this.feeds.get(frame.tableId);
    if (!feed) return;
    const outcome = feed.onPrivate(frame);
    if (outcome.kind === 'resync') return this.resync(frame.tableId);
    if (outcome.kind === 'applied') this.noteFeed(frame.tableId, feed);
  }

  /** The table's view as this client's frames built it (null before a watch or snapshot). */
  view(tableId: number): TableView | null {
    return this.feeds.get(tableId)?.view ?? null;
  }

  private noteFeed(tableId: number, feed: TableFeed): void {
    this.epochs.set(tableId, feed.epoch!);
    this.lastSeq.set(tableId, feed.seq);
    this.legal.set(tableId, { seq: feed.seq, legal: feed.legal });
  }

  /**
   * Takes a snapshot into the table's feed. One at the very seq the feed is at must show
   * the same view the frames built: anything else is drift between the engine's events and
   * its views, and fails the test that asked for it.
   */
  private takeSnapshot(snapshot: TableSnapshot): void {
    let feed = this.feeds.get(snapshot.tableId);
    if (!feed) this.feeds.set(snapshot.tableId, (feed = createTableFeed()));
    const folded = feed.synced && feed.epoch === snapshot.epoch && feed.seq === snapshot.seq ? feed.view : null;
    if (folded && !isDeepStrictEqual(folded, snapshot.view)) {
      throw new Error(`table ${snapshot.tableId} seq ${snapshot.seq}: the folded view ${JSON.stringify(folded)} is not the snapshot's ${JSON.stringify(snapshot.view)}`);
    }
    feed.onSnapshot(snapshot);
    this.noteFeed(snapshot.tableId, feed);
  }

  /** Frames were missed: one snapshot at a time, as every client must. */
  private resync(tableId: number): void {
    if (this.resyncing.has(tableId) || !this.socket) return;
    this.resyncing.add(tableId);
    this.emit<{ snapshot: TableSnapshot }>('table:snapshot', { tableId })
      .then((ack) => ack.ok && this.takeSnapshot(ack.snapshot))
      .catch(() => undefined)
      .finally(() => this.resyncing.delete(tableId));
  }

  emit<T extends object = Record<string, unknown>>(event: string, payload: unknown, timeoutMs = 10_000): Promise<Ack<T>> {
    const socket = this.socket;
    if (!socket) throw new Error('not connected');
    return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
  }

  async watch(tableId: number): Promise<TableSnapshot> {
    const ack = await this.emit<{ snapshot: TableSnapshot }>('table:watch', { tableId });
    if (!ack.ok) throw new Error(`watch failed: ${ack.error.code}`);
    this.snapshots.set(tableId, ack.snapshot);
    this.takeSnapshot(ack.snapshot);
    return ack.snapshot;
  }

  async snapshot(tableId: number): Promise<TableSnapshot> {
    const ack = await this.emit<{ snapshot: TableSnapshot }>('table:snapshot', { tableId });
    if (!ack.ok) throw new Error(`snapshot failed: ${ack.error.code}`);
    this.takeSnapshot(ack.snapshot);
    return ack.snapshot;
  }

  /** Resolves when `predicate` holds, checking after every received message. */
  async until(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

/**
 * A heads-up NLHE 1/2 table (buy-in 40-200 unless `extra` says otherwise), created over the admin
 * API by `admin`; its name starts with `prefix` and is unique.
 */
export async function adminCreateTable(admin: TestClient, prefix: string, extra: Record<string, unknown> = {}): Promise<LobbyTable> {
  const created = await admin.http<{ table: LobbyTable }>('POST', '/api/admin/tables', {
    name: `${prefix}-${uniqueKey()}`.slice(0, 40), variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200, ...extra,
  });
  if (created.status !== 201) throw new Error(`creating a table: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.table;
}
