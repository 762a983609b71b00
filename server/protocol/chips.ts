// Chips travel in JSON as numbers, so every amount that reaches a client must
// be a safe integer. The ledger refuses any balance beyond ±(2^53 − 1) (a CHECK
// in the database), so this never throws in practice; it exists so that no
// bigint ever goes through a bare Number() and silently loses precision.

export function chipsForJson(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`amount ${value} does not fit a JSON number`);
  }
  return Number(value);
}
