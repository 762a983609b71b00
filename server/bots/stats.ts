import * as hdr from 'hdr-histogram-js';

// Client-side counters of a bot run. Latencies go into an HDR histogram in
// microseconds (3 significant digits), so percentiles stay exact enough at any
// rate without keeping samples. One Stats per run, shared by every bot: bots
// call the record* methods, the progress line and the report read them.
//
// Every refusal a bot meets is an error, with the exceptions below, each labelled by
// a prefix on its code and counted apart (never hidden):
//   late/<code>   a request overtaken by a leave the run made on purpose: the
//                 bot's own leave, or, for seq/stale, another bot's leave at the
//                 same table (a leave during a hand steps the table) while the
//                 act was in flight, during the run's final leave;
//   churn/<code>  the same, caused by the deliberate churn (--churn): a dropped
//                 or reconnected socket, or a leave during a hand.
//   reload/<code> the speculative reload a bot asks for just before it goes all
//                 in (it may bust): refused topup/above_max when the hand ended
//                 before the table saw it and the bot won.
//   crossed/<code> an ordinary top-up refused topup/above_max because it reached
//                 the table after a hand the bot won: the table checked the stack
//                 that hand left, not the one the bot sized the top-up from; the
//                 bot then sizes the top-up again.
//                 Both only when the bot saw a hand end after the sizing (its frame
//                 comes first on the socket) and the stack it left has no room for
//                 the amount (PlayerBot.overtakenByHandEnd); else an error.
// Nothing else is excused: a correct bot meets no seq/stale, no
// turn/not_your_turn and no other refusal of its own making.

export const COUNTED_APART_PREFIXES = ['late/', 'churn/', 'reload/', 'crossed/'] as const;

export function isCountedApart(code: string): boolean {
  return COUNTED_APART_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/**
 * How long a deliberate table step (a leave during a hand) is remembered for
 * explaining a stale act, ms. Acts are acknowledged or expire within the ack
 * time-out; this only bounds the memory.
 */
const DELIBERATE_STEP_MEMORY_MS = 120_000;

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** One second (or the last, partial one) of the measured play window. */
export interface TimelineSample {
  startMs: number;
  endMs: number;
  actions: number;
  hands: number;
  /** Top-ups the table took, applied or queued (reloads included): the database work besides the settlements. */
  topUps: number;
  errors: number;
  ack: hdr.Histogram;
}

/** Figures of a stretch of the play window (the first or the last 15 s). */
export interface WindowFigures {
  fromS: number;
  toS: number;
  actionsPerSecond: number;
  handsPerSecond: number;
  /** Top-ups the table took per hand played: a workload that drifts within a run shows here. */
  topUpsPerHand: number;
  ackP50Ms: number;
  ackP99Ms: number;
  errors: number;
}

interface DeliberateStep {
  tableId: number;
  fromMs: number;
  /** Infinity until the step's request was acknowledged. */
  toMs: number;
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
  /** Top-ups queued during a hand before an all-in (so a bust is reloaded at the boundary, never sat out). */
  reloads = 0;
  sitIns = 0;
  reconnects = 0;
  resumes = 0;
  resumeMisses = 0;
  rejoins = 0;
  disconnectsUnexpected = 0;
  /** Refusals carried by a notice rather than an ack (a pending top-up refused at the boundary: the bot won its all-in). */
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
  /** One sample per second of the play window (tick()). */
  readonly timeline: TimelineSample[] = [];
  private second: TimelineSample | null = null;
  private secondStart = { actions: 0, hands: 0, topUps: 0, errors: 0 };
  private readonly deliberateSteps: DeliberateStep[] = [];

  recordAck(micros: number): void {
    const v = Math.max(1, Math.round(micros));
    if (this.measuring) {
      this.ack.recordValue(v);
      this.second?.ack.recordValue(v);
    }
    this.ackWindow.recordValue(v);
  }

  recordError(code: string, event = 'other'): void {
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
    const key = `${event} ${code}`;
    this.errorsByEvent.set(key, (this.errorsByEvent.get(key) ?? 0) + 1);
  }

  /** Errors that count against the threshold: every refusal but those counted apart (late/, churn/, reload/, crossed/). */
  errors(): number {
    let n = 0;
    for (const [code, count] of this.errorsByCode) if (!isCountedApart(code)) n += count;
    return n;
  }

  /** Refusals the run caused on purpose or crossed with a hand end (late/, churn/, reload/, crossed/): reported, not counted as errors. */
  countedApart(): number {
    let n = 0;
    for (const [code, count] of this.errorsByCode) if (isCountedApart(code)) n += count;
    return n;
  }

  // ---- deliberate table steps ------------------------------------------------------------

  /** A bot sends a leave that may step its table during a hand; end() when it is acknowledged. */
  deliberateStep(tableId: number, nowMs: number): { end(atMs: number): void } {
    const cutoff = nowMs - DELIBERATE_STEP_MEMORY_MS;
    while (this.deliberateSteps.length > 0 && this.deliberateSteps[0]!.toMs < cutoff) this.deliberateSteps.shift();
    const step: DeliberateStep = { tableId, fromMs: nowMs, toMs: Infinity };
    this.deliberateSteps.push(step);
    return { end: (atMs) => void (step.toMs = atMs) };
  }

  /**
   * Whether a deliberate step at this table may have landed between an act's
   * decision and its refusal: the intervals [sent, acknowledged] and
   * [decided, refused] overlap.
   */
  deliberateStepBetween(tableId: number, fromMs: number, toMs: number): boolean {
    return this.deliberateSteps.some((s) => s.tableId === tableId && s.fromMs <= toMs && s.toMs >= fromMs);
  }

  // ---- timeline ------------------------------------------------------------------------------

  /** Closes the current second of the play window (if measuring) and opens the next. */
  tick(nowMs: number): void {
    const errors = this.errors();
    if (this.second) {
      const start = this.secondStart;
      Object.assign(this.second, {
        endMs: nowMs, actions: this.actions - start.actions, hands: this.hands - start.hands, topUps: this.topUps - start.topUps, errors: errors - start.errors,
      });
      this.timeline.push(this.second);
      this.second = null;
    }
    if (!this.measuring) return;
    this.second = { startMs: nowMs, endMs: nowMs, actions: 0, hands: 0, topUps: 0, errors: 0, ack: newHistogram(2) };
    this.secondStart = { actions: this.actions, hands: this.hands, topUps: this.topUps, errors };
  }

  /** Figures of the timeline samples that start in [fromMs, toMs) (performance.now() clock); fromS/toS label them. */
  window(fromMs: number, toMs: number, originMs: number): WindowFigures {
    const samples = this.timeline.filter((s) => s.startMs >= fromMs && s.startMs < toMs);
    const ack = newHistogram(2);
    let actions = 0;
    let hands = 0;
    let topUps = 0;
    let errors = 0;
    let ms = 0;
    for (const s of samples) {
      ack.add(s.ack);
      actions += s.actions;
      hands += s.hands;
      topUps += s.topUps;
      errors += s.errors;
      ms += s.endMs - s.startMs;
    }
    const ackMs = (p: number) => (ack.totalCount === 0 ? 0 : Math.round(ack.getValueAtPercentile(p)) / 1000);
    return {
      fromS: Math.round((fromMs - originMs) / 100) / 10,
      toS: Math.round((Math.min(toMs, samples.at(-1)?.endMs ?? toMs) - originMs) / 100) / 10,
      actionsPerSecond: ms > 0 ? (actions * 1000) / ms : 0,
      handsPerSecond: ms > 0 ? (hands * 1000) / ms : 0,
      topUpsPerHand: hands > 0 ? topUps / hands : 0,
      ackP50Ms: ackMs(50),
      ackP99Ms: ackMs(99),
      errors,
    };
  }
}

export function newHistogram(significantDigits: 1 | 2 | 3 = 3): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: significantDigits });
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
