// Pot arithmetic: main and side pots from what each seat put in, rake, and splitting a pot
// between tied winners. Pure functions over plain numbers.
import type { Chips, Pot, RakeConfig, RakeSource, SeatIndex } from './types';

/** Chip amounts are non-negative safe integers: never fractions, never floats. */
export function isChipAmount(value: unknown): value is Chips {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export interface Contribution {
  seat: SeatIndex;
  amount: Chips;
  /** Folded seats' chips stay in the pots (dead money) but they cannot win. */
  folded: boolean;
  allIn: boolean;
  /**
   * Of `amount`, chips posted dead (a missed small blind, decision 035): they go to the main
   * pot, for any seat that can win it, and reach no layer of their own.
   */
  dead?: Chips;
}

/**
 * Side pots are cut at every all-in level of a seat still in the hand: a seat can win from
 * each other seat at most what it put in itself. Folded seats' chips fill the layers up to
 * their amount; a layer only folded seats reached (a post folded above blinds all in for
 * less, decision 034) is dead money for the pot below it. Empty layers are dropped, and
 * adjacent layers with the same eligible seats are merged so the pot list matches what
 * players see on the table. Dead posts join the main pot.
 */
export function computePots(contributions: readonly Contribution[]): Pot[] {
  const deadPosted = contributions.reduce((sum, c) => sum + (c.dead ?? 0), 0);
  if (deadPosted === 0) return potLayers(contributions);
  const pots = potLayers(contributions.map((c) => ({ ...c, amount: c.amount - (c.dead ?? 0), dead: 0 })));
  if (pots.length > 0) pots[0]!.amount += deadPosted;
  else {
    const eligible = contributions.filter((c) => !c.folded).map((c) => c.seat).sort((a, b) => a - b);
    if (eligible.length > 0) pots.push({ amount: deadPosted, eligible });
  }
  return pots;
}

function potLayers(contributions: readonly Contribution[]): Pot[] {
  const live = contributions.filter((c) => !c.folded && c.amount > 0);
  const top = Math.max(0, ...contributions.map((c) => c.amount));
  const levels = [...new Set([...live.filter((c) => c.allIn).map((c) => c.amount), top])]
    .filter((level) => level > 0)
    .sort((a, b) => a - b);
  const pots: Pot[] = [];
  let floor = 0;
  /** Chips of layers no live seat reached, before any pot to put them in. */
  let dead = 0;
  for (const level of levels) {
    const amount = contributions.reduce(
      (sum, c) => sum + Math.max(0, Math.min(c.amount, level) - floor),
      0,
    );
    const eligible = live.filter((c) => c.amount >= level).map((c) => c.seat).sort((a, b) => a - b);
    floor = level;
    if (amount === 0) continue;
    const last = pots[pots.length - 1];
    if (eligible.length === 0) {
      if (last) last.amount += amount;
      else dead += amount;
    } else if (last && sameSeats(last.eligible, eligible)) last.amount += amount;
    else {
      pots.push({ amount: amount + dead, eligible });
      dead = 0;
    }
  }
  return pots;
}

function sameSeats(a: readonly SeatIndex[], b: readonly SeatIndex[]): boolean {
  return a.length === b.length && a.every((seat, i) => seat === b[i]);
}

/** Whole chips, rounded down, capped. */
export function rakeFor(total: Chips, rake: RakeConfig | null): Chips {
  if (!rake) return 0;
  return Math.min(rake.cap, Math.floor((total * rake.percentBps) / 10_000));
}

/**
 * How much of the hand's rake each pot pays (decision 028).
 *
 * `every_pot`: each pot pays the rake times its share of the chips, rounded down; the chips
 * rounding leaves over (fewer than there are pots) come one each from the pots with the
 * largest remainders, the earlier pot first on a tie. So no pot pays much more than the
 * hand's rate: a player all in for a few chips who wins the main pot is not raked for the
 * side pots played over their head.
 *
 * `main_pot_first`: the main pot pays first, then the side pots in order (the rule of hands
 * settled before decision 028, kept so that their logs replay as they were paid).
 */
export function rakePerPot(potAmounts: readonly Chips[], rake: Chips, from: RakeSource = 'every_pot'): Chips[] {
  if (from === 'main_pot_first') {
    let remaining = rake;
    return potAmounts.map((amount) => {
      const taken = Math.min(amount, remaining);
      remaining -= taken;
      return taken;
    });
  }
  const total = potAmounts.reduce((sum, amount) => sum + amount, 0);
  if (rake === 0 || total === 0) return potAmounts.map(() => 0);
  // BigInt: a pot times the rake can pass 2^53 for large safe chip amounts.
  const shares = potAmounts.map((amount) => {
    const scaled = BigInt(amount) * BigInt(rake);
    return { taken: Number(scaled / BigInt(total)), remainder: scaled % BigInt(total) };
  });
  let left = rake - shares.reduce((sum, s) => sum + s.taken, 0);
  const byRemainder = shares.map((_, i) => i).sort((a, b) => {
    const ra = shares[a]!.remainder;
    const rb = shares[b]!.remainder;
    return ra === rb ? a - b : rb > ra ? 1 : -1;
  });
  for (const i of byRemainder) {
    if (left === 0) break;
    shares[i]!.taken += 1;
    left -= 1;
  }
  return shares.map((s) => s.taken);
}

/**
 * Splits `amount` between tied winners. Odd chips go one at a time to the winners closest
 * to the button going clockwise (the first winner left of the button gets the first one).
 */
export function splitPot(
  amount: Chips,
  winners: readonly SeatIndex[],
  button: SeatIndex,
  maxSeats: number,
): { seat: SeatIndex; amount: Chips }[] {
  const distance = (seat: SeatIndex) => (seat - button - 1 + maxSeats * 2) % maxSeats;
  const ordered = [...winners].sort((a, b) => distance(a) - distance(b));
  const share = Math.floor(amount / ordered.length);
  const odd = amount - share * ordered.length;
  return ordered.map((seat, i) => ({ seat, amount: share + (i < odd ? 1 : 0) }));
}
