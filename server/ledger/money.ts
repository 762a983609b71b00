import {
  convert,
  dinero,
  equal,
  toSnapshot,
  transformScale,
  down,
  type Dinero,
  type DineroCurrency,
} from 'dinero.js/bigint';
import { USD } from 'dinero.js/bigint/currencies';

// Money types. Chips are their own currency: whole units, BigInt, never a float.
// USD exists only to buy chips; dinero.js holds it as an integer number of
// cents with its currency and does the conversion and formatting.

export type Chips = bigint & { readonly __brand: 'Chips' };

export function chips(value: bigint | number): Chips {
  const big = typeof value === 'number' ? BigInt(value) : value;
  return big as Chips;
}

/** The chip as a dinero currency: base 10, no minor unit. */
export const CHIP: DineroCurrency<bigint> = { code: 'CHIP', base: 10n, exponent: 0n };

export type Usd = Dinero<bigint>;

export function usdFromCents(cents: bigint | number): Usd {
  return dinero({ amount: BigInt(cents), currency: USD });
}

export function usdCents(amount: Usd): bigint {
  const snapshot = toSnapshot(transformScale(amount, USD.exponent));
  return snapshot.amount;
}

/** As usdText: one way to write dollars in every answer ("$10,000.00", not "$10000.00"). */
export function formatUsd(amount: Usd): string {
  return usdText(usdCents(amount));
}

/** Whole cents as a person reads them: "$10,000.00" (integers only). */
export function usdText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}$${(abs / 100n).toLocaleString('en-US')}.${String(abs % 100n).padStart(2, '0')}`;
}

export interface ChipQuote {
  usd: Usd;
  chips: Chips;
  /** True when the USD amount buys a whole number of chips with nothing left over. */
  exact: boolean;
}

/**
 * How many chips a USD amount buys at `chipsPerUsd` chips per dollar. Rounds
 * down; `exact` tells whether any fraction of a chip was left over, so the
 * caller can refuse to take money it would not turn into chips.
 */
export function quoteChips(usd: Usd, chipsPerUsd: number): ChipQuote {
  const converted = convert(usd, CHIP, { CHIP: { amount: BigInt(chipsPerUsd), scale: 0n } });
  const whole = transformScale(converted, 0n, down);
  const chipAmount = chips(toSnapshot(whole).amount);
  return { usd, chips: chipAmount, exact: equal(converted, whole) };
}
