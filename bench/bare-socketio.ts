import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { sleep } from '../server/bots/bot';
import { mapLimit } from '../server/bots/http';
import { newHistogram, summarize, type LatencySummary } from '../server/bots/stats';
import type { BareServerConfig } from './bare-socketio-server';
import { processCpuMs } from './support';

// The bare Socket.IO baseline of bench:load: what Socket.IO alone delivers on
// this machine for the same shape of traffic as the bots, so that our figure
// reads as a share of it. A child process runs bench/bare-socketio-server.ts
// (same Socket.IO version, parser and transport options as our server); this
// process opens the same number of client sockets as the bots (websocket, one
// connection each), in rooms of the table size. In each room the players take
// turns in a closed loop, as the bots do: the player whose turn a frame names
// sends `act` (after the same thinking time as the bots), the server broadcasts
// the next frame to the room and acks. Only delivered messages count: every
// frame each client receives; a broadcast counts as delivered once per room
// size of messages. A seq gap at any client is a lost message and fails the run.

export interface BareOptions {
  rooms: number;
  /** Sockets per room: the players and the spectators of a table. */
  roomSize: number;
  /** Sockets per room that take turns (the players). */
  actorsPerRoom: number;
  durationS: number;
  thinkMs: [number, number];
  frameBytes: number;
  recovery: boolean;
  ackTimeoutMs: number;
  log: (line: string) => void;
  progress: { isTTY?: boolean; write(s: string): unknown } | null;
}

export interface BareWindow {
  fromS: number;
  toS: number;
  broadcastsPerSecond: number;
  ackP99Ms: number;
  errors: number;
}

export interface BareResult {
  sockets: number;
  rooms: number;
  roomSize: number;
  frameBytes: number;
  playSeconds: number;
  setupSeconds: number;
  messagesDelivered: number;
  messagesPerSecond: number;
  /** Delivered messages / room size / second: full-room broadcasts delivered per second. */
  broadcastsPerSecond: number;
  actsAcked: number;
  ack: LatencySummary;
  /** Refused or unanswered acts, and messages lost (seq gaps). */
  errors: number;
  lost: number;
  serverCpuSeconds: number;
  windows: { first: BareWindow; last: BareWindow };
}

/** Sockets connected at once while setting up. */
const CONNECT_CONCURRENCY = 100;
const CONNECT_TIMEOUT_MS = 20_000;
const WINDOW_MS = 15_000;
const TICK_MS = 1_000;

interface Second {
  startMs: number;
  endMs: number;
  messages: number;
  errors: number;
  ack: ReturnType<typeof newHistogram>;
}

class Counters {
  messages = 0;
  acked = 0;
  errors = 0;
  lost = 0;
  measuring = false;
  readonly ack = newHistogram();
  readonly seconds: Second[] = [];
  private second: Second | null = null;
  private at = { messages: 0, errors: 0 };

  recordAck(ms: number): void {
    if (!this.measuring) return;
    const micros = Math.max(1, Math.round(ms * 1000));
    this.acked++;
    this.ack.recordValue(micros);
    this.second?.ack.recordValue(micros);
  }

  tick(nowMs: number): void {
    if (this.second) {
      Object.assign(this.second, { endMs: nowMs, messages: this.messages - this.at.messages, errors: this.errors - this.at.errors });
      this.seconds.push(this.second);
      this.second = null;
    }
    if (!this.measuring) return;
    this.second = { startMs: nowMs, endMs: nowMs, messages: 0, errors: 0, ack: newHistogram(2) };
    this.at = { messages: this.messages, errors: this.errors };
  }

  window(fromMs: number, toMs: number, originMs: number, roomSize: number): BareWindow {
    const picked = this.seconds.filter((s) => s.startMs >= fromMs && s.startMs < toMs);
    const ack = newHistogram(2);
    let messages = 0;
    let errors = 0;
    let ms = 0;
    for (const s of picked) {
      ack.add(s.ack);
      messages += s.messages;
      errors += s.errors;
      ms += s.endMs - s.startMs;
    }
    return {
      fromS: Math.round((fromMs - originMs) / 1000),
      toS: Math.round((Math.min(toMs, picked.at(-1)?.endMs ?? toMs) - originMs) / 1000),
      broadcastsPerSecond: ms > 0 ? (messages * 1000) / ms / roomSize : 0,
      ackP99Ms: ack.totalCount ? Math.round(ack.getValueAtPercentile(99)) / 1000 : 0,
      errors,
    };
  }
}

interface BareFrameIn {
  seq: number;
  events: [unknown, { seat: number }, ...unknown[]];
}

/** Runs the baseline: server child, sockets, closed loop for durationS, figures. */
export async function runBareBaseline(o: BareOptions): Promise<BareResult> {
  const config: BareServerConfig = { rooms: o.rooms, actorsPerRoom: o.actorsPerRoom, frameBytes: o.frameBytes, recovery: o.recovery };
  const server = await startBareServer(config);
  const counters = new Counters();
  const sockets: Socket[] = [];
  let acting = true;
  try {
    const setupStarted = performance.now();
    const members = Array.from({ length: o.rooms * o.roomSize }, (_, i) => ({ room: Math.floor(i / o.roomSize), seat: i % o.roomSize }));
    await mapLimit(members, CONNECT_CONCURRENCY, async ({ room, seat }) => {
      sockets.push(await connectMember(`http://127.0.0.1:${server.port}`, room, seat, o, counters, () => acting));
    });
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    o.log(`bare: ${sockets.length} sockets in ${o.rooms} rooms of ${o.roomSize} (${o.actorsPerRoom} taking turns), frame ${o.frameBytes} bytes, ` +
      `recovery ${o.recovery ? 'on' : 'off'}; connected in ${setupSeconds.toFixed(1)} s; playing ${o.durationS} s`);
    const cpuBefore = processCpuMs(server.pid);
    counters.measuring = true;
    const started = performance.now();
    counters.tick(started);
    server.send('start');
    const progress = bareProgress(o, counters, server.pid, started);
    await sleep(o.durationS * 1000);
    counters.measuring = false;
    const ended = performance.now();
    progress.stop();
    counters.tick(ended);
    const delivered = counters.seconds.reduce((n, s) => n + s.messages, 0);
    const serverCpuSeconds = (processCpuMs(server.pid) - cpuBefore) / 1000;
    acting = false;
    const playSeconds = (ended - started) / 1000;
    return {
      sockets: sockets.length, rooms: o.rooms, roomSize: o.roomSize, frameBytes: o.frameBytes, playSeconds, setupSeconds,
      messagesDelivered: delivered,
      messagesPerSecond: delivered / playSeconds,
      broadcastsPerSecond: delivered / o.roomSize / playSeconds,
      actsAcked: counters.acked,
      ack: summarize(counters.ack),
      errors: counters.errors + counters.lost,
      lost: counters.lost,
      serverCpuSeconds,
      windows: {
        first: counters.window(started, started + WINDOW_MS, started, o.roomSize),
        last: counters.window(ended - WINDOW_MS, ended + 1, started, o.roomSize),
      },
    };
  } finally {
    acting = false;
    for (const s of sockets) s.disconnect();
    await server.stop();
  }
}

function connectMember(url: string, room: number, seat: number, o: BareOptions, counters: Counters, acting: () => boolean): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { room, seat }, timeout: CONNECT_TIMEOUT_MS });
  const actor = seat < o.actorsPerRoom;
  let lastSeq = -1;
  const act = (seq: number) => {
    if (!acting() || !socket.connected) return;
    const startedMs = performance.now();
    socket.timeout(o.ackTimeoutMs).emit('act', { seq }, (error: Error | null, reply?: { ok: boolean }) => {
      if (error || !reply?.ok) {
        if (counters.measuring) counters.errors++;
        return;
      }
      counters.recordAck(performance.now() - startedMs);
    });
  };
  socket.on('frame', (frame: BareFrameIn) => {
    if (counters.measuring) {
      counters.messages++;
      if (lastSeq >= 0 && frame.seq !== lastSeq + 1) counters.lost += Math.max(0, frame.seq - lastSeq - 1);
    }
    lastSeq = frame.seq;
    if (!actor || frame.events[1].seat !== seat) return;
    const [min, max] = o.thinkMs;
    const think = min + Math.floor(Math.random() * (max - min + 1));
    if (think <= 0) act(frame.seq);
    else setTimeout(() => act(frame.seq), think);
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(new Error(`bare socket ${room}/${seat}: ${error.message}`)));
  });
}

interface BareServer {
  port: number;
  pid: number;
  send(type: 'start' | 'stop'): void;
  stop(): Promise<void>;
}

async function startBareServer(config: BareServerConfig): Promise<BareServer> {
  const child = fork(new URL('./bare-socketio-server.ts', import.meta.url).pathname, ['--serve-bare'], {
    execArgv: ['--import', 'tsx'], env: { ...process.env, BARE_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number; pid: number }) => (m.type === 'ready' ? resolve(m) : reject(new Error(`bare server: ${m.type}`))));
    child.once('exit', (code) => reject(new Error(`the bare server exited (${code}) before it was ready`)));
  });
  return {
    ...ready,
    send: (type) => child.send({ type }),
    stop: async () => {
      if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function bareProgress(o: BareOptions, counters: Counters, serverPid: number, startedMs: number): { stop(): void } {
  const out = o.progress;
  let last = { at: startedMs, messages: 0, cpuMs: processCpuMs(serverPid) };
  const timer = setInterval(() => {
    const now = performance.now();
    counters.tick(now);
    if (!out) return;
    const s = counters.seconds.at(-1);
    const cpuMs = processCpuMs(serverPid);
    const dt = (now - last.at) / 1000;
    const line = `[bare ${((now - startedMs) / 1000).toFixed(0).padStart(4)}s] sockets ${o.rooms * o.roomSize}` +
      ` | broadcasts/s ${((counters.messages - last.messages) / o.roomSize / dt).toFixed(0)}` +
      ` | ack p99 ${s && s.ack.totalCount ? (s.ack.getValueAtPercentile(99) / 1000).toFixed(1) : '0.0'} ms` +
      ` | server CPU ${((cpuMs - last.cpuMs) / 10 / dt).toFixed(0)}% | errors ${counters.errors + counters.lost}`;
    last = { at: now, messages: counters.messages, cpuMs };
    out.write(out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }, TICK_MS);
  return {
    stop: () => {
      clearInterval(timer);
      if (out?.isTTY) out.write('\n');
    },
  };
}
