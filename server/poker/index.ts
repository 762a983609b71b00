// Public API of the poker rules engine. Isomorphic: the server, the client and the bots
// import from here.
export * from './cards';
export type * from './types';
export { createGame, apply, configProblem, tableChips, MAX_SEATS_MIN, MAX_SEATS_MAX } from './game';
export { canPostDeadSmallBlind } from './game-hand';
export { legalActions, isHandInProgress, isDealtIn, potTotal } from './legal';
export { planNextHand, missedBlind, blindsFor, buttonFor, tableButtonFor, type NextHand, type Blinds } from './blinds';
export { computePots, rakeFor, splitPot } from './pots';
export { REJECTION_MESSAGES, type RejectionCode } from './rejections';
export { viewFor, eventsFor, isVisibleTo, exposedSeats, type TableView, type SeatView, type ResultView } from './views';
export { applyViewEvent, applyViewEvents } from './view-feed';
export { replay, replayWithEvents, storedHandLog, toPokerStarsText, type HandLog, type HandRecord } from './history';
export { evaluate, evaluateOmaha, describeHand, HAND_CATEGORIES, type HandCategory } from './evaluator';
export { bestFive } from './best-five';
export {
  HOLE_CARDS_BY_VARIANT,
  DEALT_PLAYERS_MAX,
  holeCardIndex,
  boardIndexes,
  boardCardIndexes,
  dealHoleCards,
  dealBoard,
  type BoardIndexes,
} from './deal';
export {
  SEED_BYTES,
  commitment,
  createRandomStream,
  uniformInt,
  deckFromSeed,
  verifyHand,
  type Seed,
  type VerifyResult,
  // history.ts already exports a HandRecord (the replayable log); this is the fairness proof's.
  type HandRecord as FairnessRecord,
} from './fairness';
export { equity, type EquityInput, type EquityResult } from './equity';
