import * as hdr from 'hdr-histogram-js';

// Client-side counters of a bot run. Latencies go into an HDR histogram in
// microseconds (3 significant digits), so percentiles stay exact enough at any
// rate without keeping samples. One Stats per run, shared by every bot: bots
// call the record* methods, the progress line and the report read them.

/** Error codes a correct client still meets now and then, and resolves by resyncing (not a server fault). */
export const TOLERATED_CODES: ReadonlySet<string> = new Set([
  // The table moved on between the frame and the action (another seat's sit-out,
  // a leave, a timeout): the bot takes a snapshot and decides again.
  'seq/stale',
  'turn/not_your_turn',
  // Sitting in when the table already sat us in (a race with the hand boundary).
  'seat/already_sitting_in',
  // A top-up sized from the last hand's stack, refused because the stack grew
  // meanwhile: the server refuses it whole and nothing moves.
  'topup/above_max',
  // Requests overtaken by our own leave at the end of the run (a top-up or a
  // sit-in still in flight when the seat was cashed out).
  'late/leave_pending',
  'late/not_seated',
]);

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export class Stats {
  readonly startedAt = Date.now();
  actions = 0;
  hands = 0;
  frames = 0;
  snapshots = 0;
  resyncs = 0;
  chats = 0;
  topUps = 0;
  sitIns = 0;
  reconnects = 0;
  resumes = 0;
  resumeMisses = 0;
  rejoins = 0;
  disconnectsUnexpected = 0;
  /** Refusals carried by a notice rather than an ack (a pending top-up refused at the boundary). */
  noticesInfo = 0;
  connected = 0;
  readonly errorsByCode = new Map<string, number>();
  /** The same errors keyed "<event> <code>", to tell which request met them. */
  readonly errorsByEvent = new Map<string, number>();
  /** Client ack latencies count into `ack` only inside the measured play window (not set-up, not the final leave). */
  measuring = false;
  readonly ack: hdr.Histogram = newHistogram();
  /** Window histogram for the progress line, reset every tick. */
  readonly ackWindow: hdr.Histogram = newHistogram();

  recordAck(micros: number): void {
    const v = Math.max(1, Math.round(micros));
    if (this.measuring) this.ack.recordValue(v);
    this.ackWindow.recordValue(v);
  }

  recordError(code: string, event = 'other'): void {
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
    const key = `${event} ${code}`;
    this.errorsByEvent.set(key, (this.errorsByEvent.get(key) ?? 0) + 1);
  }

  /** Errors that count against the threshold: everything but the tolerated codes. */
  errors(): number {
    let n = 0;
    for (const [code, count] of this.errorsByCode) if (!TOLERATED_CODES.has(code)) n += count;
    return n;
  }

  tolerated(): number {
    let n = 0;
    for (const [code, count] of this.errorsByCode) if (TOLERATED_CODES.has(code)) n += count;
    return n;
  }
}

export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

export function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (micros: number) => Math.round(micros) / 1000;
  if (h.totalCount === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 };
  return {
    count: h.totalCount,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
    meanMs: Math.round(h.mean) / 1000,
  };
}
