// Where each card of a hand sits in the deck. The convention belongs to deal.ts (shared with
// the fairness proofs); this file only adapts it for the state machine.
//
// Deck index 0 is dealt first. Hole card `round` of the k-th dealt-in seat (clockwise from
// the first seat left of the button) is deck[round * n + k]; then, with b = n * holeCount:
// burn b, flop b+1..b+3, burn b+4, turn b+5, burn b+6, river b+7.

export interface DealPositions {
  hole: (round: number, k: number) => number;
  flop: [number, number, number];
  turn: number;
  river: number;
}

export function dealPositions(n: number, holeCount: number): DealPositions {
  const b = n * holeCount;
  return {
    hole: (round, k) => round * n + k,
    flop: [b + 1, b + 2, b + 3],
    turn: b + 5,
    river: b + 7,
  };
}
