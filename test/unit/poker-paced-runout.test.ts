// The engine's two opt-in table options of issue #13: a paced all-in run-out (the engine
// stops after exposing the hands and deals one street per `run_out` command) and showing
// one's cards after the hand (`show`). Without the options nothing changes (the other
// engine suites prove the default byte for byte); with them, a hand ends exactly as it
// would have unpaced, every step folds onto every viewer's view, and the hostile cases of
// `show` are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestFive, cardToString, evaluate, evaluateOmaha, parseCards, replay, toPokerStarsText } from '../../server/poker';
import { apply, createGame } from '../../server/poker/game';
import { legalActions } from '../../server/poker/legal';
import { applyViewEvents } from '../../server/poker/view-feed';
import { eventsFor, viewFor } from '../../server/poker/views';
import type { Command, GameConfigInput, GameEvent, GameState, Variant, Viewer } from '../../server/poker/types';
import { actionFor, configFor, deal, legalCommand, makeDeck, ok, okWithEvents, play, rejectCode, rng, shuffledDeck, table, tableArb, type Table } from './poker-helpers';

const DRY_BOARD = '2c 7d 9h Jc 3s';
const PACED: Partial<GameConfigInput> = { pacedRunOut: true, showAfterHand: true };
const types = (events: GameEvent[]) => events.map((e) => e.type);

function playWithEvents(state: GameState, ...actions: string[]): { state: GameState; events: GameEvent[] } {
  const events: GameEvent[] = [];
  for (const text of actions) {
    const step = okWithEvents(state, actionFor(state, text));
    events.push(...step.events);
    state = step.state;
  }
  return { state, events };
}

/** Every viewer's view after the step equals their view before it with their events folded on. */
function expectFolds(before: GameState, after: GameState, events: GameEvent[]): void {
  const viewers: Viewer[] = [{ kind: 'spectator' }, ...after.seats.flatMap((s, seat) => (s ? [{ kind: 'player', seat } as Viewer] : []))];
  for (const viewer of viewers) {
    const folded = applyViewEvents(viewFor(before, viewer), eventsFor(events, viewer));
    expect(JSON.stringify(folded), JSON.stringify(viewer)).toBe(JSON.stringify(viewFor(after, viewer)));
  }
}

/** Applies a command that must be accepted, checking the feed for it. */
function step(state: GameState, command: Command): { state: GameState; events: GameEvent[] } {
  const r = okWithEvents(state, command);
  expectFolds(state, r.state, r.events);
  return r;
}

const awaitingRunOut = (s: GameState) => s.street !== 'complete' && s.toAct === null;

describe('without the options (the default)', () => {
  it('run_out and show are unknown commands, as before', () => {
    const s = play(deal(table([1000, 1000]), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0), 'allin', 'call');
    expect(s.street).toBe('complete');
    expect(rejectCode(s, { type: 'run_out' })).toBe('command/invalid');
    expect(rejectCode(s, { type: 'show', seat: 1 })).toBe('command/invalid');
    expect(rejectCode(s, { type: 'show', seat: 99 })).toBe('command/invalid');
    expect(createGame({ variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2 }).config).not.toHaveProperty('pacedRunOut');
  });

  it('a config with a non-boolean option is refused', () => {
    expect(() => createGame({ variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, pacedRunOut: 'yes' as unknown as boolean })).toThrow(/pacedRunOut/);
    expect(() => createGame({ variant: 'NLHE', maxSeats: 2, smallBlind: 1, bigBlind: 2, showAfterHand: 1 as unknown as boolean })).toThrow(/showAfterHand/);
  });
});

describe('paced run-out', () => {
  it('heads-up all in pre-flop: hands exposed, then flop, turn and river one command each; the same result as unpaced', () => {
    const holes = { 0: 'AsAh', 1: 'KsKh' };
    const unpaced = play(deal(table([1000, 1000]), holes, DRY_BOARD, 0), 'allin', 'call');
    let s = deal(table([1000, 1000], PACED), holes, DRY_BOARD, 0);
    s = play(s, 'allin');
    const called = step(s, actionFor(s, 'call'));
    expect(types(called.events)).toEqual(['action', 'hands_exposed']);
    s = called.state;
    expect(awaitingRunOut(s)).toBe(true);
    expect(s.street).toBe('preflop');
    expect(s.board).toEqual([]);
    for (const viewer of [{ kind: 'spectator' }, { kind: 'player', seat: 0 }, { kind: 'player', seat: 1 }] as Viewer[]) {
      expect(viewFor(s, viewer).seats.map((x) => x!.holeCards)).toEqual([['As', 'Ah'], ['Ks', 'Kh']]);
    }
    // Nobody can act while the board runs out.
    expect(rejectCode(s, { type: 'act', seat: 0, action: 'check' })).toBe('turn/not_your_turn');
    expect(rejectCode(s, { type: 'timeout', seat: 1 })).toBe('turn/not_your_turn');
    const seqs: number[] = [s.seq];
    const streets: GameEvent[][] = [];
    while (s.street !== 'complete') {
      const r = step(s, { type: 'run_out', expectedSeq: s.seq });
      streets.push(r.events);
      s = r.state;
      seqs.push(s.seq);
    }
    expect(streets.map(types)).toEqual([
      ['run_out', 'street_dealt'],
      ['run_out', 'street_dealt'],
      ['run_out', 'street_dealt', 'hand_shown', 'hand_shown', 'pot_awarded', 'hand_complete'],
    ]);
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2, seqs[0]! + 3]);
    expect(s.result).toEqual(unpaced.result);
    expect(s.seats).toEqual(unpaced.seats);
    expect(s.seq).toBe(unpaced.seq + 3);
    expect(rejectCode(s, { type: 'run_out' })).toBe('hand/not_in_progress');
  });

  it('all in and called on the flop: exposed on the flop, turn and river follow; a folded hand stays hidden', () => {
    let s = deal(table([2000, 1000, 1000], PACED), { 0: 'QsQh', 1: 'AsAh', 2: '4c6d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'allin', 'fold', 'call');
    expect(s.street).toBe('flop');
    expect(awaitingRunOut(s)).toBe(true);
    expect(JSON.stringify(viewFor(s, { kind: 'spectator' }))).not.toContain('"4c"');
    s = step(s, { type: 'run_out' }).state;
    expect(s.board.map(cardToString)).toEqual(['2c', '7d', '9h', 'Jc']);
    s = step(s, { type: 'run_out' }).state;
    expect(s.street).toBe('complete');
    expect(s.seats.map((x) => x!.stack)).toEqual([1000, 2100, 900]);
  });

  it('a stale or early run_out is refused and changes nothing', () => {
    let s = deal(table([1000, 1000], PACED), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    expect(rejectCode(s, { type: 'run_out' })).toBe('run_out/not_pending');
    s = play(s, 'allin', 'call');
    expect(rejectCode(s, { type: 'run_out', expectedSeq: s.seq - 1 })).toBe('seq/stale');
  });

  it('all in and called on the river: nothing to run out, the hand ends in the same step', () => {
    let s = deal(table([1000, 1000], PACED), { 0: 'KsKh', 1: 'AsAh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'check', 'check', 'check', 'check', 'check');
    const { state, events } = playWithEvents(s, 'allin', 'call');
    expect(state.street).toBe('complete');
    expect(types(events)).toContain('hands_exposed');
    expect(types(events)).not.toContain('run_out');
  });

  it('blinds that put everyone all in: start_hand stops with the hands face up', () => {
    const s = table([1000, 3], { ...PACED, ante: 5, smallBlind: 5, bigBlind: 10 });
    const deck = makeDeck({ 0: 'KsKh', 1: 'AsAh' }, DRY_BOARD, 0, 2);
    const started = step(s, { type: 'start_hand', handId: 'h1', deck, button: 0 });
    expect(types(started.events).slice(-2)).toEqual(['uncalled_returned', 'hands_exposed']);
    expect(awaitingRunOut(started.state)).toBe(true);
  });

  it('a seat may sit out during the run-out; it still gets its share', () => {
    let s = play(deal(table([1000, 1000], PACED), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0), 'allin', 'call');
    s = step(s, { type: 'sit_out', seat: 1 }).state;
    while (s.street !== 'complete') s = step(s, { type: 'run_out' }).state;
    expect(s.seats.map((x) => x!.stack)).toEqual([2000, 0]);
  });

  it('the hand log of a paced hand replays and prints', () => {
    const initial = table([1000, 1000], PACED);
    const deck = makeDeck({ 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0, 2);
    const commands: Command[] = [{ type: 'start_hand', handId: 'h1', deck, button: 0 }];
    let s = ok(initial, commands[0]!);
    for (const text of ['allin', 'call']) {
      const c = actionFor(s, text);
      commands.push(c);
      s = ok(s, c);
    }
    while (s.street !== 'complete') {
      commands.push({ type: 'run_out' });
      s = ok(s, { type: 'run_out' });
    }
    expect(replay({ initial, commands })).toEqual(s);
    const text = toPokerStarsText({ initial, commands });
    expect(text).toContain('*** RIVER *** [2c 7d 9h Jc] [3s]');
    expect(text).toContain('p0: shows [As Ah]');
  });
});

describe('show after the hand', () => {
  it('a folded hand, shown once the hand is over, is face up for everyone until the next deal', () => {
    let s = deal(table([1000, 1000, 1000], PACED), { 0: 'QsQh', 1: 'AsAh', 2: '4c6d' }, DRY_BOARD, 0);
    expect(rejectCode(s, { type: 'show', seat: 2 })).toBe('hand/in_progress');
    s = play(s, 'fold', 'fold');
    expect(s.street).toBe('complete');
    expect(viewFor(s, { kind: 'spectator' }).seats[1]!.holeCards).toBeNull();
    const shown = step(s, { type: 'show', seat: 1 });
    expect(shown.events).toEqual([{ type: 'cards_shown', seat: 1, cards: ['As', 'Ah'] }]);
    expect(shown.state.seq).toBe(s.seq + 1);
    s = shown.state;
    for (const viewer of [{ kind: 'spectator' }, { kind: 'player', seat: 0 }, { kind: 'player', seat: 2 }] as Viewer[]) {
      expect(viewFor(s, viewer).seats[1]!.holeCards).toEqual(['As', 'Ah']);
      expect(viewFor(s, viewer).seats[0]!.holeCards === null).toBe(viewer.kind !== 'player' || viewer.seat !== 0);
    }
    expect(rejectCode(s, { type: 'show', seat: 1 })).toBe('show/already_face_up');
    // The settled result is untouched: showing is not part of the showdown.
    expect(s.result!.shown).toEqual([]);
    s = deal(s, { 0: 'QsQh', 1: 'AsAh', 2: '4c6d' }, DRY_BOARD, 1, 'h2');
    expect(viewFor(s, { kind: 'spectator' }).seats[1]!.holeCards).toBeNull();
    expect(rejectCode(s, { type: 'show', seat: 1 })).toBe('hand/in_progress');
  });

  it('a mucked loser may show; a hand already shown at showdown or exposed all in may not; nor a seat not dealt in', () => {
    let s = deal(table([1000, 1000, 1000], PACED), { 0: 'QsQh', 1: 'AsAh', 2: '4c6d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', ...Array(9).fill('check'));
    expect(s.street).toBe('complete');
    const muckedSeat = s.result!.mucked[0]!;
    expect(muckedSeat).toBeDefined();
    for (const h of s.result!.shown) expect(rejectCode(s, { type: 'show', seat: h.seat })).toBe('show/already_face_up');
    s = step(s, { type: 'show', seat: muckedSeat }).state;
    expect(viewFor(s, { kind: 'spectator' }).seats[muckedSeat]!.holeCards).not.toBeNull();
    // A newcomer was not dealt into the last hand; an empty seat has nothing either.
    const seated = ok(createGame({ variant: 'NLHE', maxSeats: 3, smallBlind: 1, bigBlind: 2, ...PACED }), { type: 'sit', seat: 0, playerId: 'a', stack: 100 });
    expect(rejectCode(seated, { type: 'show', seat: 0 })).toBe('show/no_cards');
    expect(rejectCode(seated, { type: 'show', seat: 1 })).toBe('show/no_cards');
    expect(rejectCode(seated, { type: 'show', seat: 7 })).toBe('seat/invalid');

    let allIn = play(deal(table([1000, 1000], PACED), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0), 'allin', 'call');
    while (allIn.street !== 'complete') allIn = ok(allIn, { type: 'run_out' });
    expect(rejectCode(allIn, { type: 'show', seat: 1 })).toBe('show/already_face_up');
  });

  it('a seat that sat out of the last hand has nothing to show; a new player in a left seat neither', () => {
    let s = table([1000, 1000, 1000], PACED);
    s = ok(s, { type: 'sit_out', seat: 2 });
    s = play(deal(s, { 0: 'QsQh', 1: 'AsAh' }, DRY_BOARD, 0), 'fold');
    expect(rejectCode(s, { type: 'show', seat: 2 })).toBe('show/no_cards');
    s = ok(s, { type: 'leave', seat: 0 });
    s = ok(s, { type: 'sit', seat: 0, playerId: 'new', stack: 500 });
    expect(rejectCode(s, { type: 'show', seat: 0 })).toBe('show/no_cards');
  });
});

describe('random sessions: paced equals unpaced, and every step folds', () => {
  const HANDS = 4;
  const RUNS = 250;

  interface Outcome {
    results: unknown[];
    stacks: unknown[];
  }

  /** Plays a paced session (run-outs step by step, random shows between hands); returns its accepted commands. */
  function pacedSession(t: Table): { commands: Command[]; outcome: Outcome; runOuts: number } {
    const random = rng(t.seed);
    let state = createGame({ ...configFor(t), ...PACED });
    const commands: Command[] = [];
    const outcome: Outcome = { results: [], stacks: [] };
    let runOuts = 0;
    const accept = (command: Command): boolean => {
      const r = apply(state, command);
      if (!r.ok) return false;
      expectFolds(state, r.state, r.events);
      if (r.events.some((e) => e.type === 'hand_complete')) {
        outcome.results.push(r.state.result);
        outcome.stacks.push(r.state.seats.map((x) => x?.stack ?? null));
      }
      state = r.state;
      commands.push(command);
      return true;
    };
    t.occupied.forEach((on, seat) => on && accept({ type: 'sit', seat, playerId: `p${seat}`, stack: t.stacks[seat]! }));
    for (let hand = 0; hand < HANDS; hand++) {
      if (!accept({ type: 'start_hand', handId: `h${hand}`, deck: shuffledDeck(random) })) continue;
      for (let steps = 0; state.street !== 'complete'; steps++) {
        if (steps > 500) throw new Error('hand does not end');
        if (awaitingRunOut(state)) {
          // Players poking at the table while the board runs out are refused.
          const anyone = random(state.config.maxSeats);
          expect(apply(state, { type: 'act', seat: anyone, action: 'check' }).ok).toBe(false);
          runOuts++;
          accept({ type: 'run_out' });
          continue;
        }
        const seat = state.toAct!;
        const command = legalCommand(state, seat, legalActions(state, seat)!, random);
        // The unpaced replay has other seqs: decide on the current state, without a seq.
        if ('expectedSeq' in command) delete command.expectedSeq;
        accept(command);
      }
      for (let k = random(3); k > 0; k--) accept({ type: 'show', seat: random(state.config.maxSeats) });
    }
    return { commands, outcome, runOuts };
  }

  function unpacedReplay(t: Table, commands: Command[]): Outcome {
    let state = createGame(configFor(t));
    const outcome: Outcome = { results: [], stacks: [] };
    for (const command of commands) {
      if (command.type === 'run_out' || command.type === 'show') continue;
      const r = okWithEvents(state, command);
      if (r.events.some((e) => e.type === 'hand_complete')) {
        outcome.results.push(r.state.result);
        outcome.stacks.push(r.state.seats.map((x) => x?.stack ?? null));
      }
      state = r.state;
    }
    return outcome;
  }

  for (const variant of ['NLHE', 'PLO'] as Variant[]) {
    it(`${variant}: the same hands end the same way`, () => {
      let runOuts = 0;
      fc.assert(
        fc.property(tableArb(variant), (t) => {
          const paced = pacedSession(t);
          runOuts += paced.runOuts;
          expect(unpacedReplay(t, paced.commands)).toEqual(paced.outcome);
        }),
        { numRuns: RUNS },
      );
      // The generator must reach run-outs, or this test proves nothing.
      expect(runOuts).toBeGreaterThan(RUNS / 2);
    });
  }
});

describe('bestFive', () => {
  const five = (variant: Variant, hole: string, board: string) => bestFive(variant, parseCards(hole), parseCards(board))!.cards.map(cardToString).sort();

  it("Hold'em: any five of seven", () => {
    expect(five('NLHE', 'AsAh', '2c 7d 9h Jc 3s')).toEqual(['7d', '9h', 'Ah', 'As', 'Jc'].sort());
    expect(five('NLHE', 'Kh Qh', 'Ah Jh Th 2c 3d')).toEqual(['Ah', 'Jh', 'Kh', 'Qh', 'Th'].sort());
    expect(bestFive('NLHE', parseCards('AsAh'), parseCards('2c 7d'))).toBeNull();
  });

  it('Omaha: exactly two hole cards and three board cards', () => {
    // Four hearts on the board and one in the hand is no flush in Omaha.
    const cards = five('PLO', 'Ah Kc Kd 2s', '9h 8h 7h 6h Ks');
    expect(cards).toEqual(['Kc', 'Kd', 'Ks', '9h', '8h'].sort());
  });

  it('its value is the value the engine gives the whole hand', () => {
    const random = rng(7);
    for (let i = 0; i < 300; i++) {
      const deck = shuffledDeck(random);
      const hole = deck.slice(0, 4);
      const board = deck.slice(4, 9);
      expect(bestFive('NLHE', hole.slice(0, 2), board)!.value).toBe(evaluate([...hole.slice(0, 2), ...board]));
      expect(bestFive('PLO', hole, board)!.value).toBe(evaluateOmaha(hole, board));
    }
  });
});
