// Engine benchmark: `npm run bench:engine` (or `-- --quick`).
//
// 1. 7-card evaluations per second of our evaluator, phe and pokersolver, on the same
//    pre-generated random hands (deterministic PRNG), each converted once to the library's
//    input format outside the timed loop; 3 warm-up rounds, then the median of 5 rounds each.
// 2. Complete random 6-player NLHE hands per second through the game engine
//    (createGame / apply / legalActions), random legal actions.
// 3. Exact all-in equity timings (NLHE heads-up pre-flop, PLO on the flop and pre-flop).
//
// Ends with exactly one machine-readable line:
//   RESULT bench:engine eval_per_s=<n> phe_per_s=<n> pokersolver_per_s=<n> eval_vs_phe=<x> hands_per_s=<n>
import { createRequire } from 'node:module';
import { type Card, cardToString, parseCards } from '../server/poker/cards.js';
import { evaluate, evaluate7, evaluatorTables } from '../server/poker/evaluator.js';
import { equity } from '../server/poker/equity.js';
import { dealDeck } from '../server/poker/fairness.js';
import { apply, createGame, legalActions, type Command, type GameState } from '../server/poker/index.js';
import { machineLine } from './machine';

const require = createRequire(import.meta.url);
type PheCodes = (codes: number[]) => number;
type Phe7 = (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => number;
const phe = require('phe') as { evaluateCardCodes: PheCodes; cardCode: (rank: string, suit: string) => number };
const phe7 = require('phe/lib/evaluator7') as Phe7;
const { Hand } = require('pokersolver') as { Hand: { solve(cards: string[]): { rank: number } } };

const quick = process.argv.includes('--quick');
const HANDS = quick ? 200_000 : 1_000_000;
const SOLVER_HANDS = quick ? 5_000 : 30_000;
const ROUNDS = 5;
const WARMUP_ROUNDS = 3;
const GAME_HANDS = quick ? 1_000 : 5_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(random: () => number): Card[] {
  const deck = Array.from({ length: 52 }, (_, i) => i as Card);
  for (let i = 51; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  return deck;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Runner {
  count: number;
  run: () => number;
}

interface Rate {
  /** Median evaluations per wall-clock second. */
  wall: number;
  /** Median evaluations per second of this process's user CPU time (less sensitive to a busy host). */
  cpu: number;
}

/**
 * Median rates of each runner over ROUNDS rounds. The rounds are interleaved (A B C, A B C,
 * ...) so that drift in the machine's load hits every contender alike.
 */
function rates<K extends string>(runners: Record<K, Runner>): Record<K, Rate> {
  const entries = Object.entries(runners) as [K, Runner][];
  const wall = new Map<K, number[]>();
  const cpu = new Map<K, number[]>();
  // Warm-up: V8 reaches its optimising tier for a long loop only after a few runs of it
  // (a 1M-hand loop ran at ~40M/s for its first 3 runs, then ~65M/s); rates before that
  // measure the JIT, not the evaluator.
  for (const [name, { run }] of entries) {
    for (let i = 0; i < WARMUP_ROUNDS; i++) run();
    wall.set(name, []);
    cpu.set(name, []);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, { count, run }] of entries) {
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      const checksum = run();
      const seconds = (performance.now() - started) / 1000;
      const cpuSeconds = process.cpuUsage(cpuStarted).user / 1e6;
      if (!Number.isFinite(checksum)) throw new Error('bad checksum');
      wall.get(name)!.push(count / seconds);
      cpu.get(name)!.push(count / cpuSeconds);
    }
  }
  const result = {} as Record<K, Rate>;
  for (const [name] of entries) result[name] = { wall: median(wall.get(name)!), cpu: median(cpu.get(name)!) };
  return result;
}

function benchEvaluators(): Record<'ours' | 'oursArray' | 'phe' | 'pheCodes' | 'solver', Rate> {
  const random = mulberry32(0xc0ffee);
  const cards = new Int32Array(HANDS * 7);
  for (let n = 0; n < HANDS; n++) cards.set(shuffled(random).slice(0, 7), n * 7);
  const arrays = Array.from({ length: HANDS }, (_, n) => Array.from(cards.subarray(n * 7, n * 7 + 7)) as Card[]);
  const toPhe = (card: number): number => {
    const text = cardToString(card as Card);
    return phe.cardCode(text[0]!, text[1]!);
  };
  const pheCards = Int32Array.from(cards, toPhe);
  const pheArrays = arrays.map((hand) => hand.map(toPhe));
  const solverHands = arrays.slice(0, SOLVER_HANDS).map((hand) => hand.map(cardToString));
  evaluatorTables();

  return rates({
    ours: {
      count: HANDS,
      run: () => {
        let sum = 0;
        for (let o = 0; o < HANDS * 7; o += 7) {
          sum += evaluate7(cards[o]!, cards[o + 1]!, cards[o + 2]!, cards[o + 3]!, cards[o + 4]!, cards[o + 5]!, cards[o + 6]!);
        }
        return sum;
      },
    },
    oursArray: {
      count: HANDS,
      run: () => {
        let sum = 0;
        for (const hand of arrays) sum += evaluate(hand);
        return sum;
      },
    },
    phe: {
      count: HANDS,
      run: () => {
        let sum = 0;
        const p = pheCards;
        for (let o = 0; o < HANDS * 7; o += 7) {
          sum += phe7(p[o]!, p[o + 1]!, p[o + 2]!, p[o + 3]!, p[o + 4]!, p[o + 5]!, p[o + 6]!);
        }
        return sum;
      },
    },
    pheCodes: {
      count: HANDS,
      run: () => {
        let sum = 0;
        for (const hand of pheArrays) sum += phe.evaluateCardCodes(hand);
        return sum;
      },
    },
    solver: {
      count: SOLVER_HANDS,
      run: () => {
        let sum = 0;
        for (const hand of solverHands) sum += Hand.solve(hand).rank;
        return sum;
      },
    },
  });
}

/** A random legal action for the seat to act: mostly calls and checks, some bets and folds. */
function randomAction(state: GameState, seat: number, random: () => number): Command {
  const legal = legalActions(state, seat)!;
  const roll = random();
  const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  if (roll < 0.15 && legal.canFold && legal.callAmount > 0) return { type: 'act', seat, action: 'fold' };
  if (roll < 0.3 && legal.minRaiseTo !== undefined) {
    return { type: 'act', seat, action: 'raise', amount: between(legal.minRaiseTo, legal.maxRaiseTo!) };
  }
  if (roll < 0.3 && legal.minBet !== undefined) {
    return { type: 'act', seat, action: 'bet', amount: between(legal.minBet, legal.maxBet!) };
  }
  if (roll < 0.33 && legal.canAllIn) return { type: 'act', seat, action: 'all_in' };
  if (legal.canCheck) return { type: 'act', seat, action: 'check' };
  if (legal.canCall) return { type: 'act', seat, action: 'call' };
  return { type: 'act', seat, action: legal.canAllIn ? 'all_in' : 'fold' };
}

function must(state: GameState, command: Command): GameState {
  const result = apply(state, command);
  if (!result.ok) throw new Error(`${JSON.stringify(command)} rejected: ${result.rejection.code}`);
  return result.state;
}

function benchGame(): { handsPerSecond: number; actionsPerHand: number } {
  const random = mulberry32(42);
  const stack = 10_000;
  let state = createGame({ variant: 'NLHE', maxSeats: 6, smallBlind: 50, bigBlind: 100 });
  for (let seat = 0; seat < 6; seat++) state = must(state, { type: 'sit', seat, playerId: `p${seat}`, stack });
  let actions = 0;
  const started = performance.now();
  for (let hand = 0; hand < GAME_HANDS; hand++) {
    for (let seat = 0; seat < 6; seat++) {
      const chips = state.seats[seat]!.stack;
      if (chips < stack) state = must(state, { type: 'add_chips', seat, amount: stack - chips });
    }
    state = must(state, { type: 'start_hand', handId: `bench-${hand}`, deck: shuffled(random) });
    while (state.toAct !== null && state.street !== 'complete') {
      state = must(state, randomAction(state, state.toAct, random));
      actions++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { handsPerSecond: GAME_HANDS / seconds, actionsPerHand: actions / GAME_HANDS };
}

/** A dealt hand's fairness work: the shuffle, the 52 salts and the deck's Merkle tree (µs per deal, median of rounds). */
function benchDeal(): number {
  const deals = quick ? 500 : 2_000;
  const seeds = Array.from({ length: 64 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 37 + j * 11) & 0xff));
  const rounds: number[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const started = performance.now();
    for (let n = 0; n < deals; n++) dealDeck(seeds[n % seeds.length]!, `12-${n}-e3`, []);
    if (round >= WARMUP_ROUNDS) rounds.push(((performance.now() - started) * 1000) / deals);
  }
  return median(rounds);
}

function timeEquity(label: string, run: () => { boards: number }): string {
  const started = performance.now();
  const { boards } = run();
  return `${label.padEnd(34)} ${String(boards).padStart(9)} boards ${((performance.now() - started) / 1000).toFixed(3).padStart(8)} s`;
}

function main(): void {
  const buildStarted = performance.now();
  evaluatorTables();
  const buildMs = performance.now() - buildStarted;
  const evals = benchEvaluators();
  const game = benchGame();
  const dealUs = benchDeal();
  const equityLines = [
    timeEquity('NLHE AsAh vs KsKh pre-flop', () =>
      equity({ variant: 'NLHE', hands: [parseCards('AsAh'), parseCards('KsKh')], board: [] })),
    timeEquity('NLHE 3-way pre-flop', () =>
      equity({ variant: 'NLHE', hands: [parseCards('AsAh'), parseCards('KsKh'), parseCards('7c8c')], board: [] })),
    timeEquity('PLO heads-up on the flop', () =>
      equity({ variant: 'PLO', hands: [parseCards('AsAhKsKh'), parseCards('QdJdTc9c')], board: parseCards('2c7d8h') })),
    ...(quick
      ? []
      : [
          timeEquity('PLO heads-up pre-flop', () =>
            equity({ variant: 'PLO', hands: [parseCards('AsAhKsKh'), parseCards('QdJdTc9c')], board: [] })),
        ]),
  ];
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(14);
  console.log(`engine benchmark (${quick ? 'quick' : 'full'}): ${HANDS.toLocaleString('en-US')} random 7-card hands, median of ${ROUNDS} rounds`);
  console.log(machineLine());
  console.log(`evaluator tables built in ${buildMs.toFixed(1)} ms`);
  console.log('');
  const row = (label: string, rate: Rate): string => `${label.padEnd(34)} ${fmt(rate.wall)} ${fmt(rate.cpu)}`;
  console.log(`${'7-card evaluator'.padEnd(34)} ${'evals/s'.padStart(14)} ${'per CPU-s'.padStart(14)}`);
  console.log(row('ours evaluate7 (7 numbers)', evals.ours));
  console.log(row('ours evaluate (array, checked)', evals.oursArray));
  console.log(row('phe evaluate_7_cards (7 numbers)', evals.phe));
  console.log(row('phe evaluateCardCodes (array)', evals.pheCodes));
  console.log(row(`pokersolver Hand.solve (${SOLVER_HANDS} h)`, evals.solver));
  console.log('');
  console.log(`game engine, 6 players NLHE     ${fmt(game.handsPerSecond)} hands/s (${game.actionsPerHand.toFixed(1)} actions/hand)`);
  console.log(`dealing (shuffle, salts, Merkle)  ${dealUs.toFixed(0).padStart(14)} µs per deal`);
  console.log('');
  console.log('exact all-in equity');
  for (const line of equityLines) console.log(line);
  console.log('');
  const pheBest = Math.max(evals.phe.wall, evals.pheCodes.wall);
  const pheBestCpu = Math.max(evals.phe.cpu, evals.pheCodes.cpu);
  console.log(`ours vs phe's faster API: ${(evals.ours.wall / pheBest).toFixed(2)}x wall-clock, ${(evals.ours.cpu / pheBestCpu).toFixed(2)}x per CPU-second`);
  console.log('');
  console.log(
    `RESULT bench:engine eval_per_s=${Math.round(evals.ours.wall)} phe_per_s=${Math.round(pheBest)} ` +
      `pokersolver_per_s=${Math.round(evals.solver.wall)} eval_vs_phe=${(evals.ours.wall / pheBest).toFixed(2)} ` +
      `hands_per_s=${Math.round(game.handsPerSecond)} deal_us=${dealUs.toFixed(0)}`,
  );
}

main();
