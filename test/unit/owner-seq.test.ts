import { describe, expect, it } from 'vitest';
import { firstSeqOf, SEQ_EPOCHS, SEQS_PER_EPOCH } from '../../server/tables/owner-seq';

// Each owner epoch counts its table's seq in a range of its own (decision 020, amended), so an
// act decided on an earlier owner's frame is never current at a later one.
describe('the seq an owner starts at', () => {
  it('is above every seq the epoch before could reach, and every seq stays a safe JSON integer', () => {
    for (const epoch of [1n, 2n, 3n, 1_000n, SEQ_EPOCHS - 2n]) {
      expect(firstSeqOf(epoch + 1n) - firstSeqOf(epoch)).toBe(SEQS_PER_EPOCH);
      expect(firstSeqOf(epoch) > firstSeqOf(epoch - 1n) + SEQS_PER_EPOCH - 1).toBe(true);
    }
    expect(firstSeqOf(SEQ_EPOCHS - 1n) + SEQS_PER_EPOCH - 1).toBe(Number.MAX_SAFE_INTEGER);
    // Two million owners later the ranges come round again.
    expect(firstSeqOf(SEQ_EPOCHS)).toBe(0);
    expect(firstSeqOf(SEQ_EPOCHS + 5n)).toBe(firstSeqOf(5n));
  });
});
