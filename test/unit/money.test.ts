import { describe, expect, it } from 'vitest';
import { formatUsd, usdFromCents, usdText } from '../../server/ledger/money';

// Dollars are written one way in every answer: a purchase's `formatted` and the purchase
// range's error message (audit 6 saw "$10000.00" beside "$10,000.00").
describe('dollars as text', () => {
  it('formatUsd writes what usdText writes, thousands separated', () => {
    for (const [cents, text] of [[1_234n, '$12.34'], [5n, '$0.05'], [100n, '$1.00'], [1_000_000n, '$10,000.00'], [123_456_789n, '$1,234,567.89'], [-100n, '-$1.00']] as const) {
      expect(formatUsd(usdFromCents(cents))).toBe(text);
      expect(usdText(cents)).toBe(text);
    }
  });
});
