// The wall clock (epoch ms), handed to the layers that take time as an input (the ledger's
// `now`): a deadline another node set on its own wall clock is compared against it.
export const wallClock = (): number => Date.now();
