// Hand history: replaying a log and the PokerStars-style text export of a scripted hand.
import { describe, expect, it } from 'vitest';
import { replay, replayWithEvents, toPokerStarsText, type HandRecord } from '../../server/poker/history';
import type { Command, GameState } from '../../server/poker/types';
import { actionFor, makeDeck, ok, table } from './poker-helpers';

/** Three players, button on seat 0; seat 2's aces hold against seat 1's kings after a river bet. */
function scriptedHand(): { initial: GameState; commands: Command[]; final: GameState } {
  const initial = table([1000, 1000, 1000], { ante: 0 });
  const deck = makeDeck({ 0: '7c2d', 1: 'KsKh', 2: 'AsAh' }, '2c 7d 9h Jc 3s', 0, 3);
  const commands: Command[] = [{ type: 'start_hand', handId: 'H42', deck, button: 0 }];
  let state = ok(initial, commands[0]!);
  const script = ['raise 300', 'call', 'raise 900', 'fold', 'call', 'check', 'check', 'check', 'check', 'bet 100', 'call'];
  for (const text of script) {
    const command = actionFor(state, text);
    commands.push(command);
    state = ok(state, command);
  }
  return { initial, commands, final: state };
}

describe('hand history', () => {
  it('replaying the log reproduces the final state', () => {
    const { initial, commands, final } = scriptedHand();
    expect(final.street).toBe('complete');
    expect(replay({ initial, commands })).toEqual(final);
  });

  it('a corrupt log is refused', () => {
    const { initial, commands } = scriptedHand();
    expect(() => replay({ initial, commands: [...commands, commands[1]!] })).toThrow(/rejected/);
  });

  it('replay returns the events of every command', () => {
    const { initial, commands } = scriptedHand();
    const { events } = replayWithEvents({ initial, commands });
    expect(events[0]).toMatchObject({ type: 'hand_started', handId: 'H42', button: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'hand_complete', handId: 'H42' });
  });

  it('exports PokerStars-style text', () => {
    const { initial, commands } = scriptedHand();
    const record: HandRecord = { initial, commands, tableName: 'Alpha', startedAt: '2026/11/26 18:00:00 UTC' };
    const text = toPokerStarsText(record);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe("PokerStars Hand #H42: Hold'em No Limit (50/100) - 2026/11/26 18:00:00 UTC");
    expect(lines[1]).toBe("Table 'Alpha' 3-max Seat #1 is the button");
    const expectedInOrder = [
      'Seat 1: p0 (1000 in chips)',
      'Seat 2: p1 (1000 in chips)',
      'Seat 3: p2 (1000 in chips)',
      'p1: posts small blind 50',
      'p2: posts big blind 100',
      '*** HOLE CARDS ***',
      'Dealt to p1 [Ks Kh]',
      'Dealt to p2 [As Ah]',
      'Dealt to p0 [7c 2d]',
      'p0: raises 200 to 300',
      'p1: calls 250',
      'p2: raises 600 to 900',
      'p0: folds',
      'p1: calls 600',
      '*** FLOP *** [2c 7d 9h]',
      'p1: checks',
      'p2: checks',
      '*** TURN *** [2c 7d 9h] [Jc]',
      '*** RIVER *** [2c 7d 9h Jc] [3s]',
      'p1: bets 100 and is all-in',
      'p2: calls 100 and is all-in',
      '*** SHOW DOWN ***',
      'p1: shows [Ks Kh] (',
      'p2: shows [As Ah] (',
      'p2 collected 2300 from pot',
      '*** SUMMARY ***',
      'Total pot 2300 | Rake 0',
      'Board [2c 7d 9h Jc 3s]',
      'Seat 1: p0 (button) folded before Flop',
      'Seat 2: p1 (small blind) showed [Ks Kh] and lost with ',
      'Seat 3: p2 (big blind) showed [As Ah] and won (2300) with ',
    ];
    let at = 0;
    for (const expected of expectedInOrder) {
      const found = lines.findIndex((line, i) => i >= at && line.startsWith(expected));
      expect(found, `line starting "${expected}" after line ${at}`).toBeGreaterThanOrEqual(at);
      at = found + 1;
    }
    // All in and called on the river: exposed hands are printed once, at the showdown.
    expect(lines.filter((line) => line.startsWith('p1: shows'))).toHaveLength(1);
  });

  function record(stacks: number[], holes: Record<number, string>, script: string[]): HandRecord {
    const initial = table(stacks);
    const deck = makeDeck(holes, '2c 7d 9h Jc 3s', 0, stacks.length);
    const commands: Command[] = [{ type: 'start_hand', handId: 'H43', deck, button: 0 }];
    let state = ok(initial, commands[0]!);
    for (const text of script) {
      const command = actionFor(state, text);
      commands.push(command);
      state = ok(state, command);
    }
    return { initial, commands };
  }

  it('labels side pots', () => {
    const holes = { 0: 'AsAh', 1: 'KsKh', 2: '8c8d' };
    const script = ['allin', 'call', 'call', 'bet 500', 'call', 'check', 'check', 'check', 'check'];
    const text = toPokerStarsText(record([300, 1000, 1000], holes, script));
    expect(text).toContain('p0: raises 200 to 300 and is all-in');
    expect(text).toContain('p0 collected 900 from main pot');
    expect(text).toContain('p1 collected 1000 from side pot-1');
    // Seat 1 (first left of the button) shows first; seat 2's eights cannot win anything.
    expect(text).toContain('p2: mucks hand');
    expect(text).toContain('Total pot 1900 Main pot 900. Side pot-1 1000. | Rake 0');
  });

  it('prints all-in hands as shown when they are turned up, and again at the showdown', () => {
    const lines = toPokerStarsText(record([1000, 1000], { 0: 'AsAh', 1: 'KsKh' }, ['allin', 'call'])).split('\n');
    const expectedInOrder = [
      'p0: raises 900 to 1000 and is all-in',
      'p1: calls 900 and is all-in',
      'p1: shows [Ks Kh]',
      'p0: shows [As Ah]',
      '*** FLOP *** [2c 7d 9h]',
      '*** RIVER ***',
      '*** SHOW DOWN ***',
      'p0: shows [As Ah] (',
      'p1: shows [Ks Kh] (',
      'Seat 2: p1 (big blind) showed [Ks Kh] and lost with ',
    ];
    let at = 0;
    for (const expected of expectedInOrder) {
      const found = lines.findIndex((line, i) => i >= at && line.startsWith(expected));
      expect(found, `line starting "${expected}" after line ${at}`).toBeGreaterThanOrEqual(at);
      at = found + 1;
    }
    expect(lines.filter((line) => line.startsWith('p1: shows'))).toHaveLength(2);
    expect(lines).not.toContain('p1: mucks hand');
  });

  it('reports an unmatched ante as an uncalled bet', () => {
    const initial = table([1000, 3], { ante: 5, smallBlind: 5, bigBlind: 10 });
    const deck = makeDeck({ 0: 'KsKh', 1: 'AsAh' }, '2c 7d 9h Jc 3s', 0, 2);
    const text = toPokerStarsText({ initial, commands: [{ type: 'start_hand', handId: 'H44', deck, button: 0 }] });
    expect(text).toContain('Uncalled bet (7) returned to p0');
    expect(text).toContain('p1 collected 6 from pot');
    expect(text).toContain('Total pot 6 | Rake 0');
  });

  it('reports uncalled bets', () => {
    const text = toPokerStarsText(record([1000, 1000], { 0: 'AsAh', 1: 'KsKh' }, ['call', 'check', 'bet 500', 'fold']));
    expect(text).toContain('Uncalled bet (500) returned to p1');
    expect(text).toContain('p1 collected 200 from pot');
    expect(text).toContain('Seat 1: p0 (button) folded on the Flop');
    expect(text).not.toContain('SHOW DOWN');
  });
});

describe('cloneState', () => {
  it('copies every nested array and object of a live hand', async () => {
    const { cloneState, createGame, apply, orderedDeck } = await import('../../server/poker/game').then(async (g) => ({
      ...g,
      orderedDeck: (await import('../../server/poker/cards')).orderedDeck,
    }));
    let s = createGame({ variant: 'NLHE', maxSeats: 3, smallBlind: 1, bigBlind: 2, rake: { percentBps: 500, cap: 3 } });
    for (const [seat, stack] of [[0, 100], [1, 50], [2, 80]] as const) {
      const r = apply(s, { type: 'sit', seat, playerId: `p${seat}`, stack });
      if (!r.ok) throw new Error(r.rejection.code);
      s = r.state;
    }
    const started = apply(s, { type: 'start_hand', handId: 'h', deck: orderedDeck() });
    if (!started.ok) throw new Error(started.rejection.code);
    const original = started.state;
    const snapshot = structuredClone(original);
    const copy = cloneState(original);
    expect(copy).toEqual(original);
    copy.seats[0]!.holeCards.push(copy.seats[0]!.holeCards[0]!);
    copy.seats[1]!.stack = -1;
    copy.deck!.pop();
    copy.board.push(copy.deck![0]!);
    copy.dealOrder.pop();
    copy.pots.push({ amount: 1, eligible: [0] });
    copy.config.rake!.cap = 99;
    expect(original).toEqual(snapshot);
  });
});
