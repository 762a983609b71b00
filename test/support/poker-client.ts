import { io, type Socket } from 'socket.io-client';
import type { Ack, TableFrame, TableSnapshot } from '../../server/protocol';
import type { LegalActions } from '../../server/poker';

// A real client of the public protocol for tests: HTTP sign-up/login with the
// session cookie, a Socket.IO connection authenticated by that cookie, and a
// record of every frame received (raw JSON too, for leak checks).

export interface Received {
  event: string;
  json: string;
}

export class TestClient {
  socket: Socket | null = null;
  readonly received: Received[] = [];
  frames: TableFrame[] = [];
  snapshots = new Map<number, TableSnapshot>();
  lastSeq = new Map<number, number>();
  epochs = new Map<number, number>();
  legal = new Map<number, { seq: number; legal: LegalActions | null }>();
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
      if (event === 'wallet:balance') this.balance = (payload as { balance: number }).balance;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
  }

  private onFrame(frame: TableFrame): void {
    this.frames.push(frame);
    if (this.epochs.get(frame.tableId) !== frame.epoch) {
      // The table was rebuilt (restart): its seq starts again.
      this.epochs.set(frame.tableId, frame.epoch);
      this.lastSeq.set(frame.tableId, -1);
    }
    const last = this.lastSeq.get(frame.tableId) ?? -1;
    if (frame.seq >= last) this.lastSeq.set(frame.tableId, frame.seq);
    if (frame.legal !== undefined && frame.seq >= last) this.legal.set(frame.tableId, { seq: frame.seq, legal: frame.legal ?? null });
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
    this.epochs.set(tableId, ack.snapshot.epoch);
    this.lastSeq.set(tableId, ack.snapshot.seq);
    this.legal.set(tableId, { seq: ack.snapshot.seq, legal: ack.snapshot.you?.legal ?? null });
    return ack.snapshot;
  }

  async snapshot(tableId: number): Promise<TableSnapshot> {
    const ack = await this.emit<{ snapshot: TableSnapshot }>('table:snapshot', { tableId });
    if (!ack.ok) throw new Error(`snapshot failed: ${ack.error.code}`);
    const sameEpoch = this.epochs.get(tableId) === ack.snapshot.epoch;
    this.epochs.set(tableId, ack.snapshot.epoch);
    this.lastSeq.set(tableId, sameEpoch ? Math.max(this.lastSeq.get(tableId) ?? -1, ack.snapshot.seq) : ack.snapshot.seq);
    this.legal.set(tableId, { seq: ack.snapshot.seq, legal: ack.snapshot.you?.legal ?? null });
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
