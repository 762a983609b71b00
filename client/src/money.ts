import { USD, dinero, toDecimal } from 'dinero.js';

// Money on screen. USD amounts are integer cents formatted with dinero.js;
// dollars typed by the user are parsed as text into cents, never through a float.

export function formatUsd(cents: number): string {
  const money = dinero({ amount: cents, currency: USD });
  return toDecimal(money, ({ value }) => `$${Number(value) < 0 ? '-' : ''}${addThousands(value.replace('-', ''))}`);
}

function addThousands(decimal: string): string {
  const [whole = '0', fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** "12", "12.5", "12.50", "$1,200.00" → cents; null when not a valid non-negative amount. */
export function parseDollarsToCents(input: string): number | null {
  const text = input.trim().replace(/^\$/, '').replace(/,/g, '');
  const match = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(text);
  if (!match) return null;
  const whole = match[1]!;
  const fraction = (match[2] ?? '').padEnd(2, '0');
  return Number(whole) * 100 + Number(fraction);
}

const chipFormat = new Intl.NumberFormat('en-US');

export function formatChips(chips: number): string {
  return chipFormat.format(chips);
}

/** Short chip amounts for tight spots on the felt: 1,250 → 1.25K, 12,345,678 → 12.35M, up to T (2^53 is 9007.2T). */
export function shortChips(chips: number): string {
  if (chips < 10_000) return chipFormat.format(chips);
  // The smallest unit that keeps the figure under 1000 once rounded (999,999 is 1M, not 1000K).
  for (const [i, [size, unit]] of SHORT_UNITS.entries()) {
    const text = trim(chips / size);
    if (Number(text) < 1000 || i === SHORT_UNITS.length - 1) return `${text}${unit}`;
  }
  return chipFormat.format(chips);
}

const SHORT_UNITS: [number, string][] = [[1e3, 'K'], [1e6, 'M'], [1e9, 'B'], [1e12, 'T']];

function trim(n: number): string {
  return n.toFixed(n < 100 ? 2 : 1).replace(/\.?0+$/, '');
}
