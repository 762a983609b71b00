// Where an owner's seq starts (docs/protocol.md, "Frames and seq"; decision 020, amended).
// An act carries the seq its sender decided on, and the engine takes it while it is between
// the last decision-changing step and the table's seq. Every owner rebuilds the table in
// memory; had each counted from 0, an act decided on an old owner's frame (delayed in a paused
// owner's socket, or sent again after `table/unavailable`) would match a new owner's state once
// its seq came round to the same number, and be played in a hand its sender never saw. So each
// owner epoch counts in a range of its own: it starts at epoch × SEQS_PER_EPOCH, above every
// seq an earlier epoch could reach, and a seq from an old owner is always below the new
// owner's first one (stale).

/** Seqs per owner epoch: 2^32 steps, decades of play at any table's pace. */
export const SEQS_PER_EPOCH = 2 ** 32;
/**
 * Epochs the seq ranges cover before they come round again: 2^21 × 2^32 = 2^53, the last
 * integer a JSON number holds exactly. An act would have to wait two million owners to match.
 */
export const SEQ_EPOCHS = 2n ** 21n;

/** The seq an owner of `ownerEpoch` starts its table at. */
export function firstSeqOf(ownerEpoch: bigint): number {
  return Number(((ownerEpoch % SEQ_EPOCHS) + SEQ_EPOCHS) % SEQ_EPOCHS) * SEQS_PER_EPOCH;
}
