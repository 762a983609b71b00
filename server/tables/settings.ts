// Limits and timings of a table actor, each a named constant with its unit, and
// what happens when it is hit (STYLE 5).
export interface TableSettings {
  /** Pause between a settled hand and the next deal (lets clients show the result). */
  handIntervalMs: number;
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
}

export const DEFAULT_TABLE_SETTINGS: TableSettings = {
  handIntervalMs: 2_500,
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
};
