// Scenario tests for two all-in rules: chips nobody matched are returned, never potted or
// raked (antes included), and once nobody can bet any more every live hand is turned face
// up before the board is run out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as poker from '../../server/poker';
import { rakeFor, rakePerPot } from '../../server/poker/pots';
import { eventsFor, exposedSeats, viewFor } from '../../server/poker/views';
import type { GameEvent, GameState, Viewer } from '../../server/poker/types';
import { actionFor, deal, expectStacks, makeDeck, okWithEvents, play, rejectCode, table } from './poker-helpers';

const DRY_BOARD = '2c 7d 9h Jc 3s';

/** Starts a hand and returns its events too. */
function dealWithEvents(state: GameState, holes: Record<number, string>, button: number) {
  const deck = makeDeck(holes, DRY_BOARD, button, state.config.maxSeats);
  return okWithEvents(state, { type: 'start_hand', handId: 'h1', deck, button });
}

/** Plays the actions, each by the seat to act, and returns every event they produced. */
function playWithEvents(state: GameState, ...actions: string[]): { state: GameState; events: GameEvent[] } {
  const events: GameEvent[] = [];
  for (const text of actions) {
    const step = okWithEvents(state, actionFor(state, text));
    events.push(...step.events);
    state = step.state;
  }
  return { state, events };
}

const types = (events: GameEvent[]) => events.map((e) => e.type);

function viewersOf(state: GameState): Viewer[] {
  return [{ kind: 'spectator' }, { kind: 'admin' }, ...state.dealOrder.map((seat): Viewer => ({ kind: 'player', seat }))];
}

/** The one pot-forming rule: no pot holds chips of a single seat nobody else put in. */
function expectAllMatched(state: GameState): void {
  const net = state.result!.seats.map((s) => s.contributed - s.returned).sort((a, b) => b - a);
  expect(net[0]).toBe(net[1]);
}

describe('unmatched antes are uncalled', () => {
  const antes = { ante: 5, smallBlind: 5, bigBlind: 10 };

  it('heads-up: the only opponent is all in for less than the ante; the excess goes back and forms no pot', () => {
    // Button 0 posts ante 5 and the small blind 5; seat 1 has 3 chips: all in on its ante, no big blind.
    const { state, events } = dealWithEvents(table([1000, 3], antes), { 0: 'KsKh', 1: 'AsAh' }, 0);
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 0, amount: 7 });
    expect(state.result!.pots.map((p) => [p.amount, p.eligible])).toEqual([[6, [0, 1]]]);
    expect(state.result!.seats.find((s) => s.seat === 0)).toMatchObject({ contributed: 10, returned: 7, won: 0 });
    expectStacks(state, [997, 6]);
    expectAllMatched(state);
  });

  it('with rake: rake is taken on the matched chips only', () => {
    // Ante 50, blinds 50/100; seat 1 is all in for a 30 ante. Seat 0 put in 100, 30 of it matched.
    const rake = { percentBps: 1000, cap: 1000 };
    const s = table([1000, 30], { ante: 50, smallBlind: 50, bigBlind: 100, rake });
    const { state, events } = dealWithEvents(s, { 0: 'AsAh', 1: 'KsKh' }, 0);
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 0, amount: 70 });
    // 10% of the 60 contested; had the 40 unmatched chips been potted, the rake would be 10.
    expect(state.result!.rake).toBe(rakeFor(60, rake));
    expect(state.result!.rake).toBe(6);
    expect(events).toContainEqual({ type: 'rake_taken', amount: 6 });
    expect(state.result!.pots).toEqual([{ amount: 60, eligible: [0, 1], rake: 6, winners: [{ seat: 0, amount: 54 }], handName: expect.any(String) }]);
    expectStacks(state, [1024, 0]);
  });

  it('multi-way: every opponent all in for less than the ante; only the largest is returned', () => {
    // Button 0 antes 10; seats 1 and 2 are all in on antes of 4 and 7 and post no blinds.
    const { state, events } = dealWithEvents(table([1000, 4, 7], { ante: 10, smallBlind: 50, bigBlind: 100 }), { 0: 'QsQh', 1: 'AsAh', 2: 'KsKh' }, 0);
    expect(events.filter((e) => e.type === 'uncalled_returned')).toEqual([{ type: 'uncalled_returned', seat: 0, amount: 3 }]);
    expect(state.result!.pots.map((p) => [p.amount, p.eligible])).toEqual([
      [12, [0, 1, 2]],
      [6, [0, 2]],
    ]);
    expectStacks(state, [993, 12, 6]);
    expectAllMatched(state);
  });

  it('a folded seat’s ante still matches: the blind nobody called goes back, the dead ante stays (and is raked)', () => {
    // Button 0 antes 10 and folds; seat 1 antes 10 and posts the small blind 50; seat 2 is all in on a 5 ante.
    const rake = { percentBps: 1000, cap: 100 };
    let s = deal(table([1000, 1000, 5], { ante: 10, smallBlind: 50, bigBlind: 100, rake }), { 0: '4c6d', 1: 'KsKh', 2: 'AsAh' }, DRY_BOARD, 0);
    expect(s.toAct).toBe(0);
    const { state, events } = playWithEvents(s, 'fold');
    s = state;
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 1, amount: 50 });
    // Main pot 3 x 5 for the aces; the side pot is seat 0's dead 5 and seat 1's matching 5.
    // The rake of 2 is shared by size (1.2 and 0.8): one chip each (decision 028).
    expect(s.result!.pots.map((p) => [p.amount, p.eligible, p.rake])).toEqual([
      [15, [1, 2], 1],
      [10, [1], 1],
    ]);
    expect(s.result!.rake).toBe(rakeFor(25, rake));
    expectStacks(s, [990, 999, 14]);
  });

  it('ends by folds after the flop: the uncalled bet is returned and only the matched pot is raked', () => {
    const rake = { percentBps: 1000, cap: 100 };
    let s = deal(table([1000, 1000], { ...antes, rake }), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    const { state, events } = playWithEvents(s, 'call', 'check', 'bet 100', 'fold');
    s = state;
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 1, amount: 100 });
    expect(s.result!.endedBy).toBe('fold');
    // Pot: antes 10 + blinds 20 = 30; 10% is 3.
    expect(s.result!.rake).toBe(3);
    expectStacks(s, [985, 1012]);
    expectAllMatched(s);
  });

  it('ends by folds pre-flop with antes: the unmatched half of the big blind goes back', () => {
    const { state, events } = playWithEvents(deal(table([1000, 1000], antes), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0), 'fold');
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 1, amount: 5 });
    expectStacks(state, [990, 1010]);
    expectAllMatched(state);
  });

  it('multi-way bets at showdown: the overbet nobody covered is returned and never raked', () => {
    const rake = { percentBps: 500, cap: 1000 };
    let s = deal(table([1000, 300, 500], { rake }), { 0: 'QsQh', 1: 'AsAh', 2: 'KsKh' }, DRY_BOARD, 0);
    const { state, events } = playWithEvents(s, 'allin', 'allin', 'allin');
    s = state;
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 0, amount: 500 });
    expect(s.result!.pots.map((p) => [p.amount, p.eligible])).toEqual([
      [900, [0, 1, 2]],
      [400, [0, 2]],
    ]);
    expect(s.result!.rake).toBe(65);
    // Each pot pays 5%: 45 of the main pot, 20 of the side pot (decision 028).
    expect(s.result!.pots.map((p) => p.rake)).toEqual([45, 20]);
    expectStacks(s, [500, 855, 380]);
  });

  it('a short all-in big blind heads-up: the small blind’s excess is returned, not potted', () => {
    const s = deal(table([1000, 30]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0);
    expect(s.result!.pots).toHaveLength(1);
    expect(s.result!.pots[0]).toMatchObject({ amount: 60, eligible: [0, 1] });
    expect(s.result!.seats.find((x) => x.seat === 0)!.returned).toBe(20);
  });
});

describe('all-in exposure', () => {
  it('heads-up all in pre-flop: both hands are turned up before the flop, and the loser is not mucked', () => {
    const s = deal(table([1000, 1000]), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    const { state, events } = playWithEvents(s, 'allin', 'call');
    const exposed: GameEvent = { type: 'hands_exposed', hands: [{ seat: 1, cards: ['Ks', 'Kh'] }, { seat: 0, cards: ['As', 'Ah'] }] };
    expect(types(events)).toEqual([
      'action', 'to_act', 'action', 'hands_exposed', 'street_dealt', 'street_dealt', 'street_dealt',
      'hand_shown', 'hand_shown', 'pot_awarded', 'hand_complete',
    ]);
    expect(events[3]).toEqual(exposed);
    // The aggressor shows first; the beaten kings would be mucked had they not been exposed.
    expect(state.result!.shown.map((h) => h.seat)).toEqual([0, 1]);
    expect(state.result!.mucked).toEqual([]);
    expect(state.seats.map((x) => x!.exposed)).toEqual([true, true]);
    expect(exposedSeats(state)).toEqual([0, 1]);
    for (const viewer of viewersOf(state)) {
      expect(eventsFor(events, viewer)).toContainEqual(exposed);
      const view = viewFor(state, viewer);
      expect(view.seats.map((x) => x!.holeCards)).toEqual([['As', 'Ah'], ['Ks', 'Kh']]);
      expect(view.result!.shown.map((h) => h.seat)).toEqual([0, 1]);
    }
  });

  it('all in and called on the flop: exposed before the turn; a folded hand stays hidden', () => {
    let s = deal(table([2000, 1000, 1000]), { 0: 'QsQh', 1: 'AsAh', 2: '4c6d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check');
    expect(s.street).toBe('flop');
    const { state, events } = playWithEvents(s, 'allin', 'fold', 'call');
    const at = types(events).indexOf('hands_exposed');
    expect(events[at]).toEqual({ type: 'hands_exposed', hands: [{ seat: 1, cards: ['As', 'Ah'] }, { seat: 0, cards: ['Qs', 'Qh'] }] });
    expect(events.slice(at + 1).filter((e) => e.type === 'street_dealt').map((e) => (e as { street: string }).street)).toEqual(['turn', 'river']);
    expect(types(events).slice(0, at)).not.toContain('street_dealt');
    expect(state.seats[2]!.exposed).toBe(false);
    expect(exposedSeats(state)).toEqual([0, 1]);
    for (const viewer of [{ kind: 'spectator' } as Viewer, { kind: 'player', seat: 0 } as Viewer, { kind: 'player', seat: 1 } as Viewer]) {
      const text = JSON.stringify(viewFor(state, viewer)) + JSON.stringify(eventsFor(events, viewer));
      expect(text).not.toContain('"4c"');
      expect(text).toContain('"Qs"');
    }
    expectStacks(state, [1000, 2100, 900]);
  });

  it('all in and called on the river: exposed right before the showdown, the beaten hand is shown', () => {
    let s = deal(table([1000, 1000]), { 0: 'KsKh', 1: 'AsAh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'check', 'check', 'check', 'check', 'check');
    expect(s.street).toBe('river');
    const { state, events } = playWithEvents(s, 'allin', 'call');
    const at = types(events).indexOf('hands_exposed');
    expect(types(events).slice(at)).toEqual(['hands_exposed', 'hand_shown', 'hand_shown', 'pot_awarded', 'hand_complete']);
    expect(state.result!.shown.map((h) => h.seat)).toEqual([1, 0]);
    expect(state.result!.mucked).toEqual([]);
  });

  it('a short stack all in for its ante: hands are exposed with no action at all', () => {
    const { events } = dealWithEvents(table([1000, 3], { ante: 5, smallBlind: 5, bigBlind: 10 }), { 0: 'KsKh', 1: 'AsAh' }, 0);
    expect(types(events).slice(types(events).indexOf('uncalled_returned'))).toEqual([
      'uncalled_returned', 'hands_exposed', 'street_dealt', 'street_dealt', 'street_dealt',
      'hand_shown', 'hand_shown', 'pot_awarded', 'hand_complete',
    ]);
    expect(types(events)).not.toContain('to_act');
  });

  it('no exposure while two players can still bet behind an all-in; the side-pot loser may muck', () => {
    let s = deal(table([1000, 1000, 200]), { 0: 'QsQh', 1: 'KsKh', 2: 'AsAh' }, DRY_BOARD, 0);
    const { state, events } = playWithEvents(s, 'call', 'call', 'allin', 'call', 'call', ...Array(6).fill('check'));
    s = state;
    expect(types(events)).not.toContain('hands_exposed');
    expect(s.seats.some((x) => x!.exposed)).toBe(false);
    expect(s.result!.shown.map((h) => h.seat)).toEqual([1, 2]);
    expect(s.result!.mucked).toEqual([0]);
    expect(exposedSeats(s)).toEqual([1, 2]);
    expect(viewFor(s, { kind: 'spectator' }).seats[0]!.holeCards).toBeNull();
    expect(JSON.stringify(eventsFor(events, { kind: 'player', seat: 1 }))).not.toContain('"Qs"');
  });

  it('the earlier all-in is exposed too once the last two bettors are all in', () => {
    let s = deal(table([1000, 1000, 200]), { 0: 'QsQh', 1: 'KsKh', 2: 'AsAh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'allin', 'call', 'call', 'check', 'check');
    expect(s.street).toBe('turn');
    expect(exposedSeats(s)).toEqual([]);
    expect(viewFor(s, { kind: 'spectator' }).seats[2]!.holeCards).toBeNull();
    const { state, events } = playWithEvents(s, 'allin', 'call');
    const exposed = events.find((e) => e.type === 'hands_exposed');
    expect(exposed).toEqual({
      type: 'hands_exposed',
      hands: [
        { seat: 1, cards: ['Ks', 'Kh'] },
        { seat: 2, cards: ['As', 'Ah'] },
        { seat: 0, cards: ['Qs', 'Qh'] },
      ],
    });
    expect(types(events).indexOf('hands_exposed')).toBeLessThan(types(events).indexOf('street_dealt'));
    expect(state.result!.mucked).toEqual([]);
    expect(state.result!.shown).toHaveLength(3);
  });

  it('the next hand starts with nothing exposed', () => {
    let s = play(deal(table([1000, 2000]), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0), 'allin', 'call');
    expect(s.seats[0]!.exposed).toBe(true);
    s = deal(s, { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 1, 'h2');
    expect(s.seats[0]!.exposed).toBe(false);
    expect(exposedSeats(s)).toEqual([]);
    expect(viewFor(s, { kind: 'player', seat: 1 }).seats[0]!.holeCards).toBeNull();
  });

  it('exposedSeats is part of the package index', () => {
    expect(typeof (poker as Record<string, unknown>).exposedSeats).toBe('function');
  });
});

describe('the rake across pots (decision 028)', () => {
  // Seat 3 is all in on its ante and 3 more (8 chips) with aces; the others play a big side pot over its head.
  const config = { ante: 5, smallBlind: 50, bigBlind: 100 };
  function shortStackWinsTheMainPot(from?: 'every_pot' | 'main_pot_first') {
    const rake = { percentBps: 500, cap: 300, ...(from ? { from } : {}) };
    let s = deal(table([10_000, 10_000, 10_000, 8], { ...config, rake }), { 0: 'KsKh', 1: 'QsQh', 2: 'JsJh', 3: 'AsAh' }, '2c 7d 9h 4c 3s', 0);
    s = play(s, 'allin', 'raise 1000', 'call', 'call');
    while (s.street !== 'complete') s = play(s, 'check');
    return s;
  }

  it('every pot pays its share: the short stack who wins the main pot is raked 5% of it, not all of it', () => {
    const s = shortStackWinsTheMainPot();
    expect(s.result!.rake).toBe(151);
    // 32 x 151 / 3023 = 1.6 and 2991 x 151 / 3023 = 149.4: 1 and 149, and the chip left over by
    // rounding comes from the pot with the larger remainder, the main pot.
    expect(s.result!.pots.map((p) => [p.amount, p.rake, p.winners])).toEqual([
      [32, 2, [{ seat: 3, amount: 30 }]],
      [2991, 149, [{ seat: 0, amount: 2842 }]],
    ]);
    expect(s.seats[3]!.stack).toBe(30);
  });

  it('the rule of hands settled before it (main pot first) is kept, so that their logs replay as they were paid', () => {
    const s = shortStackWinsTheMainPot('main_pot_first');
    expect(s.result!.pots.map((p) => [p.amount, p.rake])).toEqual([[32, 32], [2991, 119]]);
    expect(s.seats[3]!.stack).toBe(0);
  });

  it('a pot pays the rake times its share, rounded, never more than it holds, and the shares add up to the rake', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: 1, maxLength: 9 }), fc.integer({ min: 0, max: 10_000 }), (pots, bps) => {
        const total = pots.reduce((t, p) => t + p, 0);
        const rake = Math.floor((total * bps) / 10_000);
        const shares = rakePerPot(pots, rake);
        expect(shares.reduce((t, r) => t + r, 0)).toBe(rake);
        shares.forEach((r, i) => {
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(pots[i]!);
          expect(Math.abs(r - (pots[i]! * rake) / total)).toBeLessThan(1);
        });
      }),
    );
  });

  it('a table config names only the two rules', () => {
    expect(() => table([100, 100], { rake: { percentBps: 500, cap: 10, from: 'side_pots_first' as 'every_pot' } })).toThrow(/rake.from/);
  });
});

describe('a bet or raise of the whole stack is an all-in, even below the minimum', () => {
  // Rules audit (F3): `all_in` was taken, `bet`/`raise` for the same chips refused. A bet of all
  // one's chips is an all-in in every card room; a client that sends it as a bet must not be refused.
  const blinds = { smallBlind: 50, bigBlind: 100 };

  it('a bet of the whole stack under the big blind, after the flop: taken as the all-in, a short bet', () => {
    // Button 0, small blind 1, big blind 2 (130 chips: 30 left after the flop).
    let state = deal(table([1000, 1000, 130], blinds), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    state = play(state, 'call', 'call', 'check', 'check'); // flop: seat 1 checks, seat 2 to act
    expect(state.toAct).toBe(2);
    expect(rejectCode(state, { type: 'act', seat: 2, action: 'bet', amount: 29 })).toBe('action/illegal');
    const { state: after, events } = okWithEvents(state, { type: 'act', seat: 2, action: 'bet', amount: 30 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'action', seat: 2, action: 'bet', amount: 30, betTo: 30, allIn: true }));
    expect(after.seats[2]!.stack).toBe(0);
    // A short bet: the next seat may call 30 or raise to at least a full bet (130).
    expect(poker.legalActions(after, after.toAct!)).toMatchObject({ callAmount: 30, minRaiseTo: 130 });
  });

  it('a raise to the whole stack under the minimum raise: taken, and it reopens the betting only for seats yet to act', () => {
    // Button 0, small blind 1, big blind 2, 3 under the gun, seat 4 holds 250.
    let state = deal(table([2000, 2000, 2000, 2000, 250], blinds), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d', 3: '8c8d', 4: 'Tc9c' }, DRY_BOARD, 0);
    state = play(state, 'raise 200'); // a raise of 100: the next full raise is to 300
    expect(state.toAct).toBe(4);
    expect(rejectCode(state, { type: 'act', seat: 4, action: 'raise', amount: 249 })).toBe('action/illegal');
    expect(rejectCode(state, { type: 'act', seat: 4, action: 'bet', amount: 250 })).toBe('action/illegal'); // facing a bet: a raise
    const { state: after, events } = okWithEvents(state, { type: 'act', seat: 4, action: 'raise', amount: 250 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'action', seat: 4, action: 'raise', amount: 250, betTo: 250, allIn: true }));
    // The button has not acted: it may raise, a full raise over 250.
    expect(poker.legalActions(after, 0)).toMatchObject({ minRaiseTo: 350 });
    state = play(after, 'call', 'fold', 'fold'); // button calls 250, blinds fold
    // Under the gun acted at 200: 50 more is not a full raise, so it may only call or fold.
    expect(state.toAct).toBe(3);
    const legal = poker.legalActions(state, 3)!;
    expect(legal.callAmount).toBe(50);
    expect(legal.minRaiseTo).toBeUndefined();
    expect(rejectCode(state, { type: 'act', seat: 3, action: 'raise', amount: 2000 })).toBe('action/illegal');
  });

  it('the same amount as `all_in` gives the same hand, event for event', () => {
    const start = play(deal(table([1000, 1000, 130], blinds), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0), 'call', 'call', 'check', 'check');
    const asBet = okWithEvents(start, { type: 'act', seat: 2, action: 'bet', amount: 30 });
    const asAllIn = okWithEvents(start, { type: 'act', seat: 2, action: 'all_in' });
    expect(asBet.events).toEqual(asAllIn.events);
  });
});
