// Limits and timings of a table actor, each a named constant with its unit, and
// what happens when it is hit (STYLE 5).
import { RUN_OUT_STREET_MS_MAX, SHOWDOWN_HOLD_MS_MAX } from '../protocol/frames';

export interface TableSettings {
  /** Pause between a settled hand and the next deal (lets clients show the result). */
  handIntervalMs: number;
  /**
   * After a hand that went to a showdown, the next deal waits at least this long from the
   * settlement, so everyone can read the hands and the result (hands won by a fold wait
   * handIntervalMs). The longer of the two applies. A table's own value, if set, wins
   * (withTableTiming).
   */
  showdownHoldMs: number;
  /**
   * An all-in run-out deals one street every this many milliseconds, the hands face up and
   * their equity published per street (docs/decisions/014-paced-run-out-and-showdown-hold.md).
   * 0: the board is run out at once, in the step that closed the betting. A table's own
   * value, if set, wins (withTableTiming).
   */
  runOutStreetMs: number;
  /** A disconnected player keeps the seat this long; then they are sat out. */
  disconnectGraceMs: number;
  /** Extra thinking time per player, used when the action clock runs out; not refilled. */
  timeBankMs: number;
  /** A player sitting out for this many hands is cashed out and removed. */
  sitOutHandsMax: number;
  /** ...or for this long, whichever comes first (hands are not dealt with fewer than 2 players). */
  sitOutMsMax: number;
  /** Commands queued beyond this are refused with table/busy. */
  mailboxDepthMax: number;
  /** Spectators beyond this are refused with table/spectators_full. */
  spectatorsMax: number;
  /** First delay between settlement retries; doubles up to settleRetryMsMax. */
  settleRetryMs: number;
  settleRetryMsMax: number;
  /**
   * A settlement that keeps failing transiently is retried (the table paused)
   * for at most this long; then the hand is voided and the table rebuilt from
   * the database, so no table is ever wedged behind one hand.
   */
  settleRetryBudgetMs: number;
  /** A sitting-out player whose turn comes is timed out after this (not the full clock). */
  sittingOutTurnMs: number;
  /** Chat messages per player per 10 s beyond which chat is refused. */
  chatPer10sMax: number;
  /** All-in equity is enumerated (in a worker thread) only up to this many remaining boards. */
  equityBoardsMax: number;
  /** A seat offered to the first player on the waiting list is held this long; then it is offered to the next one. */
  seatOfferMs: number;
  /** Players on one table's waiting list beyond this are refused with waitlist/full. */
  waitlistMax: number;
}

export const DEFAULT_TABLE_SETTINGS: TableSettings = {
  handIntervalMs: 2_500,
  showdownHoldMs: 4_500,
  runOutStreetMs: 1_200,
  disconnectGraceMs: 60_000,
  timeBankMs: 30_000,
  sitOutHandsMax: 5,
  sitOutMsMax: 10 * 60_000,
  mailboxDepthMax: 512,
  spectatorsMax: 200,
  settleRetryMs: 250,
  settleRetryMsMax: 5_000,
  settleRetryBudgetMs: 30_000,
  sittingOutTurnMs: 1_000,
  chatPer10sMax: 5,
  equityBoardsMax: 2_000_000, // heads-up pre-flop is 1,712,304 boards, about 0.1 s in the worker
  seatOfferMs: 30_000,
  waitlistMax: 50,
};

/**
 * A table's own pace (poker_tables.showdown_hold_ms and run_out_street_ms, set by an admin
 * when creating it); null: the process setting (SHOWDOWN_HOLD_MS, RUN_OUT_STREET_MS).
 */
export interface TableTimingOverride {
  showdownHoldMs: number | null;
  runOutStreetMs: number | null;
}

/** What a request may ask of a new table: absent or null leaves the process setting. */
export type TableTimingInput = { [K in keyof TableTimingOverride]?: number | null };

const TIMING_MS_MAX: Record<keyof TableTimingOverride, number> = {
  showdownHoldMs: SHOWDOWN_HOLD_MS_MAX,
  runOutStreetMs: RUN_OUT_STREET_MS_MAX,
};

export function timingRangeMessage(field: keyof TableTimingOverride): string {
  return `must be a whole number of milliseconds from 0 to ${TIMING_MS_MAX[field]}, or null for the server's setting`;
}

/** Null when each value given is a whole number of milliseconds in its range; else what is wrong, naming the field. */
export function tableTimingProblem(input: TableTimingInput): string | null {
  for (const field of ['showdownHoldMs', 'runOutStreetMs'] as const) {
    const value: unknown = input[field];
    if (value === undefined || value === null) continue;
    const valid = typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= TIMING_MS_MAX[field];
    if (!valid) return `${field}: ${timingRangeMessage(field)}`;
  }
  return null;
}

/** The settings one table runs with: its own pace where it has one, the process's elsewhere. */
export function withTableTiming(settings: TableSettings, override: TableTimingOverride): TableSettings {
  return {
    ...settings,
    showdownHoldMs: override.showdownHoldMs ?? settings.showdownHoldMs,
    runOutStreetMs: override.runOutStreetMs ?? settings.runOutStreetMs,
  };
}
