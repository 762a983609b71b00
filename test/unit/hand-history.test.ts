import { describe, expect, it } from 'vitest';
import { exportTextsOf, handReplayFor, historySourceOf, pokerStarsTextFor, viewerOf, type HandFacts, type HistorySource } from '../../server/http/hand-history';
import { apply, createGame, orderedDeck, type Command, type GameConfigInput, type GameState } from '../../server/poker';
import { checkChips, parseHand } from '../support/pokerstars-parser';
import { makeDeck } from './poker-helpers';

// The hand history and the replay a viewer may read, from a stored record: their own cards,
// and others' only where shown; names instead of player ids; the hands row id as the number.

/** A table seated with these stacks (player ids 100, 101, ...) and a recorder of the commands played on it. */
function recordedTable(config: GameConfigInput, stacks: number[]) {
  let state: GameState = createGame(config);
  const commands: Command[] = [];
  const apply1 = (command: Command, record: boolean) => {
    const r = apply(state, command);
    if (!r.ok) throw new Error(r.rejection.code);
    state = r.state;
    if (record) commands.push(command);
  };
  stacks.forEach((stack, seat) => apply1({ type: 'sit', seat, playerId: String(100 + seat), stack }, false));
  const initial = state;
  return { initial, commands, state: () => state, run: (command: Command) => apply1(command, true) };
}

function playedHand(): { source: HistorySource; holes: string[][] } {
  const t = recordedTable({ variant: 'NLHE', maxSeats: 3, smallBlind: 1, bigBlind: 2 }, [100, 100, 100]);
  const { initial, commands, run } = t;
  run({ type: 'start_hand', handId: '7-12-e1', deck: orderedDeck(), button: 0 });
  while (t.state().street !== 'complete') {
    const state = t.state();
    const seat = state.toAct!;
    run({ type: 'act', seat, action: seat === 2 ? 'fold' : state.currentBet > state.seats[seat]!.bet ? 'call' : 'check' });
  }
  const state = t.state();
  const players = [0, 1, 2].map((seat) => ({ seat, userId: 100 + seat, username: ['alice', 'bob', 'carol'][seat] }));
  // As stored: JSON, with the start time the table actor wrote.
  const source = historySourceOf(JSON.parse(JSON.stringify({ log: { initial, commands }, players, startedAt: '2026-12-03T13:37:00.000Z' })))!;
  return { source, holes: [0, 1, 2].map((s) => state.seats[s]!.holeCards.map((c) => '23456789TJQKA'[c >> 2]! + 'cdhs'[c & 3]!)) };
}

const FACTS: HandFacts = { id: 123456789n, tableName: 'Main', createdAt: new Date('2026-12-03T13:38:00Z') };

describe('hand history for a viewer', () => {
  it('names a seat that sat out the hand by its username, as stored with the hand', () => {
    const t = recordedTable({ variant: 'NLHE', maxSeats: 3, smallBlind: 1, bigBlind: 2 }, [100, 100, 80]);
    let initial = t.initial;
    const out = apply(initial, { type: 'sit_out', seat: 2 });
    if (!out.ok) throw new Error(out.rejection.code);
    initial = out.state;
    const deck = makeDeck({ 0: 'AsAh', 1: 'KsKh' }, '2c 7d 9h Jc 3s', 0, 3);
    let state = initial;
    const commands: Command[] = [];
    for (const command of [{ type: 'start_hand', handId: '7-13-e1', deck, button: 0 }, { type: 'act', seat: 0, action: 'fold' }] as Command[]) {
      const r = apply(state, command);
      if (!r.ok) throw new Error(r.rejection.code);
      state = r.state;
      commands.push(command);
    }
    const players = [0, 1].map((seat) => ({ seat, userId: 100 + seat, username: ['alice', 'bob'][seat] }));
    const stored = { log: { initial, commands }, players, sittingOut: [{ seat: 2, userId: 102, username: 'carol' }], startedAt: '2026-12-03T13:37:00.000Z' };
    const text = pokerStarsTextFor(historySourceOf(JSON.parse(JSON.stringify(stored)))!, FACTS, viewerOf([]));
    expect(text.split('\n').slice(2, 5)).toEqual(['Seat 1: alice (100 in chips)', 'Seat 2: bob (100 in chips)', 'Seat 3: carol (80 in chips) is sitting out']);
    // A hand stored before seats not dealt in were recorded: the seat is still listed, by its player id.
    const old = pokerStarsTextFor(historySourceOf(JSON.parse(JSON.stringify({ ...stored, sittingOut: undefined })))!, FACTS, viewerOf([]));
    expect(old).toContain('Seat 3: 102 (80 in chips) is sitting out');
  });

  it('shows names, the viewer’s own cards and shown hands, never a folded hand', () => {
    const { source, holes } = playedHand();
    const forCarol = pokerStarsTextFor(source, FACTS, viewerOf([2]));
    expect(forCarol.split('\n').slice(0, 2)).toEqual([
      "PokerStars Hand #123456789:  Hold'em No Limit (1/2) - 2026/12/03 8:37:00 ET",
      "Table 'Main' 3-max (Play Money) Seat #1 is the button",
    ]);
    expect(forCarol).toContain(`Dealt to carol [${holes[2]!.join(' ')}]`);
    expect(forCarol).not.toMatch(/Dealt to (alice|bob)/);
    expect(forCarol).toMatch(/alice: shows \[/); // shown at showdown: public
    const spectator = pokerStarsTextFor(source, FACTS, viewerOf([]));
    expect(spectator).not.toContain('Dealt to');
    const printed = [...spectator.matchAll(/\[([^\]]+)\]/g)].flatMap((m) => m[1]!.split(' '));
    for (const card of holes[2]!) expect(printed).not.toContain(card); // folded, never shown
    expect(spectator).toContain('Seat 1: alice'); // names, not player ids
    expect(spectator).not.toMatch(/Seat \d: 10[0-2] /);
    // What the tracker reads: the parser takes it, and the chips add up.
    const parsed = parseHand(forCarol);
    expect(parsed.id).toBe('123456789');
    expect(parsed.utcMs).toBe(Date.parse('2026-12-03T13:37:00Z'));
    expect([...checkChips(parsed).finalStacks.values()].reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('the replay: carol’s own cards for carol, and no folded card for anyone else', () => {
    const { source, holes } = playedHand();
    const forCarol = handReplayFor(source, FACTS, viewerOf([2]));
    expect(forCarol.steps.some((s) => s.seats.find((x) => x.seat === 2)?.holeCards?.join(' ') === holes[2]!.join(' '))).toBe(true);
    expect(forCarol.steps.map((s) => s.lines[0])).toContain(`Dealt to carol [${holes[2]!.join(' ')}]`);
    for (const viewer of [viewerOf([]), viewerOf([0]), viewerOf([1])]) {
      const json = JSON.stringify(handReplayFor(source, FACTS, viewer));
      for (const card of holes[2]!) expect(json).not.toContain(`"${card}"`);
      expect(json).toContain('alice: checks');
    }
  });

  it('a raked hand stored before decision 028 replays by the rule it was paid by (main pot first); a new one by its own', () => {
    // Dave is all in for 8 with aces and wins the main pot of 32; 5% rake is 151 chips.
    function stored(from: 'every_pot' | 'main_pot_first', keepRule: boolean) {
      const t = recordedTable({ variant: 'NLHE', maxSeats: 4, smallBlind: 50, bigBlind: 100, ante: 5, rake: { percentBps: 500, cap: 300, from } }, [10_000, 10_000, 10_000, 8]);
      const { initial, commands, run } = t;
      run({ type: 'start_hand', handId: '7-13-e1', deck: makeDeck({ 0: 'KsKh', 1: 'QsQh', 2: 'JsJh', 3: 'AsAh' }, '2c 7d 9h 4c 3s', 0, 4), button: 0 });
      // Dave all in; alice raises to 1000, bob and carol call; checked down.
      run({ type: 'act', seat: 3, action: 'all_in' });
      run({ type: 'act', seat: 0, action: 'raise', amount: 1000 });
      while (t.state().street !== 'complete') {
        const s = t.state();
        const seat = s.toAct!;
        run({ type: 'act', seat, action: s.currentBet > s.seats[seat]!.bet ? 'call' : 'check' });
      }
      const state = t.state();
      // Records written before decision 028 do not name the rule.
      const record = JSON.parse(JSON.stringify({ log: { initial, commands }, players: [0, 1, 2, 3].map((seat) => ({ seat, username: ['alice', 'bob', 'carol', 'dave'][seat] })) }));
      if (!keepRule) delete record.log.initial.config.rake.from;
      return { text: pokerStarsTextFor(historySourceOf(record)!, FACTS, viewerOf([])), paid: state.seats[3]!.stack };
    }
    const old = stored('main_pot_first', false);
    expect(old.paid).toBe(0);
    expect(old.text).toContain('dave collected 0 from main pot');
    expect(old.text).toContain('Main pot 0. Side pot 2872. | Rake 151');
    expect(old.text).toMatch(/Seat 4: dave showed \[As Ah\] and won \(0\)/);
    const now = stored('every_pot', true);
    expect(now.paid).toBe(30);
    expect(now.text).toContain('dave collected 30 from main pot');
    expect(now.text).toContain('Main pot 30. Side pot 2842. | Rake 151');
    for (const { text } of [old, now]) checkChips(parseHand(text));
  });

  it('a record without a log is not replayable', () => {
    expect(historySourceOf({ handId: 'x', board: [] })).toBeNull();
    expect(historySourceOf(null)).toBeNull();
    expect(historySourceOf({ log: { initial: {}, commands: 'no' }, players: [] })).toBeNull();
  });
});

describe('the export thread’s batch (exportTextsOf)', () => {
  it('leaves out and counts a hand whose log does not replay, and writes the others (audit 7: one such hand failed the whole file)', () => {
    const { source } = playedHand();
    const stored = { log: source.log, players: source.players, startedAt: '2026-12-03T13:37:00.000Z' };
    const broken = { ...stored, log: { ...source.log, commands: [...source.log.commands, { type: 'act', seat: 7, action: 'fold' }] } };
    const badDate = { ...stored, startedAt: 'not a date' };
    const hand = (id: string, record: unknown) => ({ id, record: record === null ? null : JSON.stringify(record), tableName: 'Main', createdAt: '2026-12-03T13:38:00.000Z', seat: 0 });
    const written = exportTextsOf([hand('1', stored), hand('2', broken), hand('3', null), hand('4', badDate), hand('5', stored)]);
    expect(written.skipped).toBe(3);
    expect(written.texts.map((t) => /^PokerStars Hand #(\d+):/.exec(t)?.[1])).toEqual(['1', '5']);
    expect(written.texts[0]).toBe(pokerStarsTextFor(source, { ...FACTS, id: 1n }, viewerOf([0])));
  });
});
