// Scenario tests written from the rules: explicit decks, explicit actions, exact stacks.
import { describe, expect, it } from 'vitest';
import * as poker from '../../server/poker';
import { apply, createGame } from '../../server/poker/game';
import { legalActions } from '../../server/poker/legal';
import { splitPot, computePots } from '../../server/poker/pots';
import { REJECTION_MESSAGES } from '../../server/poker/rejections';
import { eventsFor, viewFor } from '../../server/poker/views';
import {
  PLO,
  deal,
  expectStacks,
  makeDeck,
  ok,
  okWithEvents,
  play,
  rejectCode,
  stacks,
  table,
} from './poker-helpers';

const DRY_BOARD = '2c 7d 9h Jc 3s';

describe('heads-up blinds and order', () => {
  it('the button posts the small blind and acts first pre-flop', () => {
    const s = deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0);
    expect(s.smallBlindSeat).toBe(0);
    expect(s.bigBlindSeat).toBe(1);
    expect(stacks(s)).toEqual([950, 900]);
    expect(s.toAct).toBe(0);
  });

  it('the big blind acts first after the flop', () => {
    const s = play(deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), 'call', 'check');
    expect(s.street).toBe('flop');
    expect(s.toAct).toBe(1);
  });

  it('the big blind gets the option after the small blind completes', () => {
    const s = play(deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), 'call');
    expect(s.toAct).toBe(1);
    expect(legalActions(s, 1)).toMatchObject({ canCheck: true, minRaiseTo: 200 });
  });

  it('a small blind fold returns the unmatched half of the big blind', () => {
    const { state, events } = okWithEvents(deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), {
      type: 'act',
      seat: 0,
      action: 'fold',
    });
    expectStacks(state, [950, 1050]);
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 1, amount: 50 });
    expect(state.result?.endedBy).toBe('fold');
  });

  it('a big blind all in for less than the small blind: the excess goes back and the board runs out', () => {
    const s = deal(table([1000, 30]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0);
    // Seat 0 posts 50 against 30: 20 is returned, 60 contested; the queens win.
    expectStacks(s, [970, 60]);
    expect(s.result?.board).toHaveLength(5);
  });
});

describe('positions with three or more players', () => {
  it('three-handed: button acts first pre-flop, small blind first after the flop', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    expect([s.smallBlindSeat, s.bigBlindSeat, s.toAct]).toEqual([1, 2, 0]);
    s = play(s, 'call', 'call', 'check');
    expect(s.street).toBe('flop');
    expect(s.toAct).toBe(1);
  });

  it('the button moves to the next dealt-in seat when not given', () => {
    let s = table([1000, 1000, null, 1000]);
    s = play(deal(s, { 0: 'AsKs', 1: 'QdQc', 3: '5h5d' }, DRY_BOARD, 3), 'fold', 'fold');
    const deck = makeDeck({ 0: 'AsKs', 1: 'QdQc', 3: '5h5d' }, DRY_BOARD, 0, 4);
    s = ok(s, { type: 'start_hand', handId: 'h2', deck });
    expect(s.button).toBe(0);
    expect([s.smallBlindSeat, s.bigBlindSeat]).toEqual([1, 3]);
  });

  it('sitting-out players are not dealt in and the button skips them', () => {
    let s = ok(table([1000, 1000, 1000]), { type: 'sit_out', seat: 1 });
    const deck = makeDeck({ 0: 'AsKs', 2: 'QdQc' }, DRY_BOARD, 0, 3);
    s = ok(s, { type: 'start_hand', handId: 'h1', deck, button: 0 });
    expect(s.dealOrder).toEqual([2, 0]);
    expect(s.seats[1]!.holeCards).toEqual([]);
    expect(s.smallBlindSeat).toBe(0);
  });

  it('sitting out during a hand takes effect from the next hand', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = ok(s, { type: 'sit_out', seat: 0 });
    expect(s.toAct).toBe(0);
    s = play(s, 'fold', 'fold');
    // Heads-up now: the last big blind (seat 2) takes the button, so it does not post the big blind again.
    const next = makeDeck({ 1: 'AsKs', 2: 'QdQc' }, DRY_BOARD, 2, 3);
    s = ok(s, { type: 'start_hand', handId: 'h2', deck: next });
    expect(s.dealOrder).toEqual([1, 2]);
    expect([s.button, s.bigBlindSeat]).toEqual([2, 1]);
    expect(s.seats[0]!.inHand).toBe(false);
  });

  it('a player who sits back in is dealt in at once without posting', () => {
    let s = ok(table([1000, 1000, 1000]), { type: 'sit_out', seat: 2 });
    s = play(deal(s, { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), 'fold');
    s = ok(s, { type: 'sit_in', seat: 2 });
    expect(rejectCode(s, { type: 'sit_in', seat: 2 })).toBe('seat/already_sitting_in');
    s = ok(s, { type: 'start_hand', handId: 'h2', deck: makeDeck({ 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 1, 3) });
    expect([s.button, s.smallBlindSeat, s.bigBlindSeat]).toEqual([1, 2, 0]);
    expect(s.seats[2]!.committed).toBe(50);
  });

  it('a busted player is not dealt in', () => {
    let s = deal(table([1000, 100, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'allin', 'fold', 'call');
    expectStacks(s, [0, 50, 2050]);
    // Heads-up now, without a named button: the last big blind (seat 2) takes it (TDA), not seat 1.
    const deck = makeDeck({ 1: 'AsKs', 2: 'QdQc' }, DRY_BOARD, 2, 3);
    s = ok(s, { type: 'start_hand', handId: 'h2', deck });
    expect(s.button).toBe(2);
    expect(s.dealOrder).toEqual([1, 2]);
  });
});

describe('all-ins and side pots', () => {
  it('three-way all in: main pot to the short stack, side pot to the middle stack', () => {
    let s = deal(table([100, 300, 500]), { 0: 'AsAh', 1: 'KsKh', 2: 'QsQh' }, DRY_BOARD, 0);
    s = play(s, 'allin', 'allin', 'call');
    expectStacks(s, [300, 400, 200]);
    expect(s.result!.pots.map((p) => [p.amount, p.eligible])).toEqual([
      [300, [0, 1, 2]],
      [400, [1, 2]],
    ]);
  });

  it('four-way all in makes a main pot and two side pots', () => {
    let s = deal(table([200, 400, 600, 1000]), { 0: 'AsAh', 1: 'KsKh', 2: 'JsJh', 3: 'QsQh' }, '2c 5d 8h 9c 3s', 3);
    s = play(s, 'allin', 'call', 'allin', 'call');
    expectStacks(s, [800, 600, 0, 800]);
    expect(s.result!.pots.map((p) => p.amount)).toEqual([800, 600, 400]);
  });

  it('the biggest stack wins everything it covered, the rest is returned', () => {
    let s = deal(table([200, 400, 600, 1000]), { 0: 'AsAh', 1: 'KsKh', 2: 'JsJh', 3: 'QsQh' }, '2c 5d 8h 9c Qd', 3);
    s = play(s, 'allin', 'call', 'allin', 'call');
    expectStacks(s, [0, 0, 0, 2200]);
  });

  it('a folded player’s chips stay in the pots they reached as dead money', () => {
    let s = deal(
      table([1000, 1000, 1000, 300]),
      { 0: '4s4h', 1: '6d8d', 2: 'KsKh', 3: 'AsAh' },
      DRY_BOARD,
      0,
    );
    s = play(s, 'allin', 'raise 800', 'fold', 'call');
    s = play(s, 'check', 'check', 'check', 'check', 'check', 'check');
    expectStacks(s, [200, 950, 1200, 950]);
    expect(s.result!.pots.map((p) => [p.amount, p.eligible])).toEqual([
      [950, [0, 2, 3]],
      [1000, [0, 2]],
    ]);
  });

  it('the result lists what each seat put in, got back and won, for the ledger', () => {
    let s = deal(table([100, 300, 500]), { 0: 'AsAh', 1: 'KsKh', 2: 'QsQh' }, DRY_BOARD, 0);
    s = play(s, 'allin', 'allin', 'call');
    // Seat 2 cannot raise: nobody is left to answer, so it may only call.
    expect(s.result!.seats).toEqual([
      { seat: 1, playerId: 'p1', startStack: 300, contributed: 300, returned: 0, won: 400, endStack: 400 },
      { seat: 2, playerId: 'p2', startStack: 500, contributed: 300, returned: 0, won: 0, endStack: 200 },
      { seat: 0, playerId: 'p0', startStack: 100, contributed: 100, returned: 0, won: 300, endStack: 300 },
    ]);
  });

  it('an all-in overbet is returned down to what was called', () => {
    const s0 = deal(table([1000, 400]), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    const { state, events } = okWithEvents(play(s0, 'allin'), { type: 'act', seat: 1, action: 'call' });
    expect(events).toContainEqual({ type: 'uncalled_returned', seat: 0, amount: 600 });
    expectStacks(state, [1400, 0]);
  });

  it('an uncalled bet after the flop is returned before the pot is awarded', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'raise 300', 'fold', 'call', 'check', 'bet 500', 'fold');
    expectStacks(s, [1350, 950, 700]);
    expect(s.result!.seats.find((r) => r.seat === 0)).toMatchObject({ contributed: 800, returned: 500, won: 650 });
  });

  it('all in pre-flop for less than the big blind is a call', () => {
    let s = deal(table([1000, 1000, 60]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 1);
    // Button 1: small blind 2 posts 50 of 60, big blind 0, first to act is 1.
    s = play(s, 'call', 'allin');
    const last = s.seats[2]!;
    expect(last.allIn).toBe(true);
    expect(last.bet).toBe(60);
    expect(s.currentBet).toBe(100);
  });

  it('a short all-in big blind still has to be called in full by the others', () => {
    const s = deal(table([1000, 1000, 30]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    expect(s.seats[2]).toMatchObject({ bet: 30, allIn: true });
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 100, minRaiseTo: 200 });
  });
});

describe('splits and odd chips', () => {
  it('the board plays: the pot is split', () => {
    const s = play(
      deal(table([1000, 1000]), { 0: '2c3d', 1: '4h5s' }, 'Ts Jh Qd Kc Ac', 0),
      'call', 'check', 'check', 'check', 'check', 'check', 'check', 'check',
    );
    expectStacks(s, [1000, 1000]);
    expect(s.result!.pots[0]!.winners).toHaveLength(2);
  });

  it('the odd chip goes to the first winner left of the button', () => {
    let s = deal(table([1000, 1000, 1000], { smallBlind: 5, bigBlind: 10 }), { 0: '2c3d', 1: '6h6s', 2: '4h5s' }, 'Ts Jh Qd Kc Ac', 0);
    s = play(s, 'call', 'fold', 'check');
    s = play(s, 'check', 'check', 'check', 'check', 'check', 'check');
    // Pot 25 split two ways: seat 2 (first left of the button among winners) gets 13.
    expectStacks(s, [1002, 995, 1003]);
  });

  it('a three-way split gives the odd chip to the first winner left of the button', () => {
    const holes = { 0: '2c3d', 1: '4c5d', 2: '6c7d', 3: '8c9d' };
    let s = deal(table([1000, 1000, 1000, 1000], { smallBlind: 5, bigBlind: 10, ante: 2 }), holes, 'Ts Js Qs Ks As', 0);
    s = play(s, 'call', 'call', 'fold', 'check', ...Array(9).fill('check'));
    // Pot 8 antes + 5 dead small blind + 30 = 43: 14 each, seat 2 (first winner left of the button) 15.
    expectStacks(s, [1002, 993, 1003, 1002]);
    expect(s.result!.pots[0]!.winners).toEqual([
      { seat: 2, amount: 15 },
      { seat: 3, amount: 14 },
      { seat: 0, amount: 14 },
    ]);
  });

  it('odd chips are dealt one at a time clockwise from the left of the button', () => {
    expect(splitPot(101, [0, 2, 4], 2, 6)).toEqual([
      { seat: 4, amount: 34 },
      { seat: 0, amount: 34 },
      { seat: 2, amount: 33 },
    ]);
  });

  it('the kicker decides', () => {
    const s = play(
      deal(table([1000, 1000]), { 0: 'AsKd', 1: 'AdQc' }, 'Ah 7c 4d 9s 2h', 0),
      'call', 'check', 'check', 'check', 'check', 'check', 'check', 'check',
    );
    expectStacks(s, [1100, 900]);
    expect(s.result!.pots[0]!.handName).toMatch(/Ace/);
  });

  it('a side pot can be split while the main pot is not', () => {
    let s = deal(table([100, 500, 500]), { 0: 'AsAh', 1: 'KsQd', 2: 'KhQc' }, '2c 7d 9h Jc 3s', 0);
    s = play(s, 'allin', 'allin', 'call');
    // Main 300 to the aces; side pot 800 split between the two K-Q.
    expectStacks(s, [300, 400, 400]);
  });
});

describe('minimum and maximum bets', () => {
  it('the minimum raise pre-flop is to two big blinds', () => {
    const s = deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    expect(rejectCode(s, { type: 'act', seat: 0, action: 'raise', amount: 199 })).toBe('bet/below_min_raise');
    expect(play(s, 'raise 200').currentBet).toBe(200);
  });

  it('the big blind may raise limpers, and the limpers may re-raise', () => {
    let s = deal(table([5000, 5000, 5000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'raise 300');
    expect(s.toAct).toBe(0);
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 200, minRaiseTo: 500 });
  });

  it('the next raise must be at least the size of the last full raise', () => {
    let s = deal(table([5000, 5000, 5000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'raise 500');
    expect(legalActions(s, 1)).toMatchObject({ minRaiseTo: 900, maxRaiseTo: 5000 });
    expect(rejectCode(s, { type: 'act', seat: 1, action: 'raise', amount: 899 })).toBe('bet/below_min_raise');
    s = play(s, 'raise 900');
    expect(legalActions(s, 2)!.minRaiseTo).toBe(1300);
  });

  it('the minimum bet after the flop is the big blind, the maximum is the stack', () => {
    const s = play(deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), 'call', 'check');
    expect(legalActions(s, 1)).toMatchObject({ minBet: 100, maxBet: 900, canCheck: true });
    expect(rejectCode(s, { type: 'act', seat: 1, action: 'bet', amount: 99 })).toBe('bet/below_min');
    expect(rejectCode(s, { type: 'act', seat: 1, action: 'bet', amount: 901 })).toBe('bet/above_max');
    expect(rejectCode(s, { type: 'act', seat: 1, action: 'raise', amount: 300 })).toBe('action/illegal');
    expect(rejectCode(s, { type: 'act', seat: 1, action: 'bet', amount: 150.5 })).toBe('amount/invalid');
  });

  it('a raise after a flop bet is at least twice the bet', () => {
    let s = play(deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), 'call', 'check', 'bet 150');
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 150, minRaiseTo: 300, maxRaiseTo: 900 });
    s = play(s, 'raise 300');
    expect(s.lastFullRaise).toBe(150);
  });

  it('a short stack can go all in for less than a minimum bet', () => {
    const s = play(deal(table([1000, 150]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), 'call', 'check');
    const legal = legalActions(s, 1)!;
    expect(legal.minBet).toBeUndefined();
    expect(legal).toMatchObject({ canAllIn: true, allInAmount: 50, allInTo: 50 });
  });
});

describe('incomplete all-in raises', () => {
  // Three players call 100 pre-flop; seat 2 has 150 left for the flop.
  function flop(): ReturnType<typeof deal> {
    const s = deal(table([1000, 1000, 250]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    return play(s, 'call', 'call', 'check');
  }

  it('does not reopen the betting for a player who already acted', () => {
    const s = play(flop(), 'bet 100', 'allin', 'call');
    expect(s.toAct).toBe(1);
    const legal = legalActions(s, 1)!;
    expect(legal).toMatchObject({ canCall: true, callAmount: 50, canAllIn: false });
    expect(legal.minRaiseTo).toBeUndefined();
    expect(rejectCode(s, { type: 'act', seat: 1, action: 'raise', amount: 400 })).toBe('action/illegal');
    expect(rejectCode(s, { type: 'act', seat: 1, action: 'all_in' })).toBe('action/illegal');
  });

  it('a player who had not acted yet may raise, by at least the last full raise', () => {
    const s = play(flop(), 'bet 100', 'allin');
    expect(s.toAct).toBe(0);
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 150, minRaiseTo: 250 });
  });

  it('the action reopens after a full raise behind the short all-in', () => {
    let s = play(flop(), 'bet 100', 'allin', 'raise 250');
    expect(s.toAct).toBe(1);
    expect(legalActions(s, 1)!.minRaiseTo).toBe(350);
    s = play(s, 'call');
    expect(s.street).toBe('turn');
  });

  it('short all-ins that add up to a full raise reopen the betting', () => {
    let s = deal(table([1000, 1000, 250, 310]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d', 3: '7c7s' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'call', 'check');
    // Flop: seat 1 bets 100, seat 2 all in to 150, seat 3 all in to 210 (+110 over 100 for seat 1).
    s = play(s, 'bet 100', 'allin', 'allin', 'call');
    expect(s.toAct).toBe(1);
    expect(legalActions(s, 1)!.minRaiseTo).toBe(310);
  });
});

describe('pot-limit Omaha', () => {
  function ploHand(stacksIn: number[], holes: Record<number, string>, board = DRY_BOARD) {
    return deal(table(stacksIn, PLO), holes, board, 0);
  }
  const HOLES = { 0: 'AsKsQdJd', 1: '2c2d4s5s', 2: '8h8c9d9c' };

  it('the first pot-sized raise pre-flop is to 3.5 big blinds', () => {
    const s = ploHand([5000, 5000, 5000], HOLES, '3h 7d Th Jc 3s');
    expect(legalActions(s, 0)).toMatchObject({ minRaiseTo: 200, maxRaiseTo: 350, canAllIn: false });
    expect(rejectCode(s, { type: 'act', seat: 0, action: 'raise', amount: 351 })).toBe('bet/above_max');
  });

  it('a re-raise can be to the call plus the pot after the call', () => {
    const s = play(ploHand([5000, 5000, 5000], HOLES, '3h 7d Th Jc 3s'), 'raise 350');
    // Small blind calls 300 more: pot 350 + 50 + 100 + 300 = 800, raise to 350 + 800.
    expect(legalActions(s, 1)).toMatchObject({ callAmount: 300, minRaiseTo: 600, maxRaiseTo: 1150 });
  });

  it('the maximum bet after the flop is the pot', () => {
    const s = play(ploHand([5000, 5000, 5000], HOLES, '3h 7d Th Jc 3s'), 'call', 'call', 'check');
    expect(legalActions(s, 1)).toMatchObject({ minBet: 100, maxBet: 300 });
  });

  it('a short stack may go all in when it is within the pot limit', () => {
    const s = ploHand([300, 5000, 5000], HOLES, '3h 7d Th Jc 3s');
    expect(legalActions(s, 0)).toMatchObject({ canAllIn: true, maxRaiseTo: 300 });
  });

  it('four hearts in the hand and one on the board is no flush', () => {
    let s = ploHand([1000, 1000, 1000], { 0: 'AhKhQhJh', 1: '2c2d4s5s', 2: '8s8c9d6c' }, '2h 7c Td 9s 3c');
    s = play(s, 'call', 'call', 'check', ...Array(9).fill('check'));
    // Seat 0 has no flush (only ace high); seat 1 three deuces; seat 2 a straight, 8-6 with T-9-7.
    expect(s.result!.shown.find((h) => h.seat === 0)?.category ?? 'mucked').not.toMatch(/Flush/);
    expectStacks(s, [900, 900, 1200]);
  });

  it('four hearts on the board and one in the hand is no flush', () => {
    let s = ploHand([1000, 1000, 1000], { 0: 'AhKsQdTc', 1: '4d6c9s9c', 2: '8s8c7d7c' }, '2h 5h 8h Jh 3c');
    s = play(s, 'call', 'call', 'check', ...Array(9).fill('check'));
    // Seat 1: 4-6 with 2-5-3 is a straight; seat 2: trip eights; seat 0: ace high.
    expectStacks(s, [900, 1200, 900]);
  });

  it('exactly two hole cards: a hold’em straight on board plus one card does not play', () => {
    let s = ploHand([1000, 1000, 1000], { 0: 'AsKdQc2d', 1: '3c3d4s5s', 2: '8h8c9d9c' }, 'Td Jh 6c 7s 2c');
    s = play(s, 'call', 'call', 'check', ...Array(9).fill('check'));
    // In hold'em seat 0 would have a straight (A-K-Q with J-T); in Omaha A-K or K-Q with three board
    // cards is no straight. Seat 2 makes 8-9 with T-J-7.
    expectStacks(s, [900, 900, 1200]);
  });
});

describe('showdown', () => {
  it('the last aggressor shows first and a beaten hand is mucked', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: 'AsAh', 1: 'KsKh', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'check', 'check', 'check', 'check', 'check', 'check', 'check', 'bet 100', 'call', 'call');
    // River: seat 1 checks, seat 2 bets, seat 0 and seat 1 call. Seat 2 shows first.
    expect(s.result!.shown.map((h) => h.seat)).toEqual([2, 0]);
    expect(s.result!.mucked).toEqual([1]);
    expectStacks(s, [1400, 800, 800]);
  });

  it('without a river bet the first player left of the button shows first', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: 'AsAh', 1: '5h5d', 2: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', ...Array(9).fill('check'));
    expect(s.result!.shown.map((h) => h.seat)).toEqual([1, 2, 0]);
    expect(s.result!.mucked).toEqual([]);
  });

  it('mucked hands stay hidden from other players and spectators, shown hands are public', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: 'AsAh', 1: 'KsKh', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'check', 'check', 'check', 'check', 'check', 'check', 'check', 'bet 100', 'call', 'call');
    const spectator = JSON.stringify(viewFor(s, { kind: 'spectator' }));
    expect(spectator).toContain('"As"');
    expect(spectator).toContain('"5h"');
    expect(spectator).not.toContain('"Ks"');
    expect(JSON.stringify(viewFor(s, { kind: 'player', seat: 1 }))).toContain('"Ks"');
  });

  it('names the winning hand with the evaluator', () => {
    let s = deal(table([1000, 1000]), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'check', ...Array(6).fill('check'));
    expect(s.result!.shown[0]!.name.length).toBeGreaterThan(0);
    expect(s.result!.pots[0]!.winners).toEqual([{ seat: 0, amount: 200 }]);
  });
});

describe('rake', () => {
  const rake = { rake: { percentBps: 500, cap: 30 } };

  it('is taken from the pot at showdown, rounded down', () => {
    let s = deal(table([1000, 1000], rake), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'raise 210', 'call', ...Array(6).fill('check'));
    // Pot 420, 5% = 21.
    expectStacks(s, [1000 - 210 + 399, 790]);
    expect(s.result!.rake).toBe(21);
  });

  it('is capped', () => {
    let s = deal(table([2000, 2000], rake), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'raise 1000', 'call', ...Array(6).fill('check'));
    expectStacks(s, [2970, 1000]);
  });

  it('no flop, no drop', () => {
    let s = deal(table([1000, 1000, 1000], rake), { 0: 'AsAh', 1: 'KsKh', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'raise 500', 'call', 'fold');
    expect(s.street).toBe('flop');
    s = play(s, 'bet 200', 'fold');
    // Flop seen: rake 5% of 1100 = 55, capped at 30.
    expect(s.result!.rake).toBe(30);
    let t = deal(table([1000, 1000], rake), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    t = play(t, 'raise 300', 'fold');
    expect(t.result!.rake).toBe(0);
  });

  it('keeps contributions equal to winnings plus rake', () => {
    let s = deal(table([1000, 1000], rake), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'raise 210', 'call', ...Array(6).fill('check'));
    const r = s.result!;
    const paidIn = r.seats.reduce((t, x) => t + x.contributed, 0);
    const paidOut = r.seats.reduce((t, x) => t + x.won + x.returned, 0) + r.rake;
    expect(paidIn).toBe(paidOut);
  });
});

describe('antes', () => {
  it('antes go into the pot before the blinds', () => {
    let s = deal(table([1000, 1000, 1000], { ante: 10 }), { 0: 'AsAh', 1: 'KsKh', 2: '5h5d' }, DRY_BOARD, 0);
    expect(s.pots).toEqual([{ amount: 30, eligible: [0, 1, 2] }]);
    s = play(s, 'fold', 'fold');
    expectStacks(s, [990, 940, 1070]);
  });

  it('a stack smaller than the ante is all in for the ante and can win only the antes', () => {
    let s = deal(table([1000, 1000, 5], { ante: 10 }), { 0: '4c6d', 1: 'KsKh', 2: 'AsAh' }, DRY_BOARD, 1);
    // Button 1: seat 2 (small blind) is all in for its 5 ante; seat 0 posts the big blind.
    expect(s.seats[2]).toMatchObject({ allIn: true, stack: 0 });
    s = play(s, 'call', 'check', ...Array(6).fill('check'));
    // Main pot 5*3 = 15 to the aces; the side pot (200 of blinds + 2*5 of antes) to the kings.
    expectStacks(s, [890, 1100, 15]);
  });
});

describe('turns, timeouts and rejections', () => {
  const hand = () => deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);

  it('rejects acting out of turn and leaves the state untouched', () => {
    const s = hand();
    const before = structuredClone(s);
    expect(rejectCode(s, { type: 'act', seat: 2, action: 'fold' })).toBe('turn/not_your_turn');
    expect(s).toEqual(before);
    expect(legalActions(s, 2)).toBeNull();
  });

  it('rejects a stale sequence number', () => {
    const s = hand();
    expect(rejectCode(s, { type: 'act', seat: 0, action: 'call', expectedSeq: s.seq - 1 })).toBe('seq/stale');
    expect(ok(s, { type: 'act', seat: 0, action: 'call', expectedSeq: s.seq }).seq).toBe(s.seq + 1);
  });

  it('keeps a decision current across steps that do not change it, and no further', () => {
    const start = deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    const decided = start.seq;
    // A dealt-in seat sitting out and back in (it plays on this hand either way): that does not
    // change what seat 0 decides on.
    let s = ok(start, { type: 'sit_out', seat: 2 });
    s = ok(s, { type: 'sit_in', seat: 2 });
    expect(s.seq).toBe(decided + 2);
    expect(s.decisionSeq).toBe(start.decisionSeq);
    expect(rejectCode(s, { type: 'act', seat: 0, action: 'call', expectedSeq: s.seq + 1 })).toBe('seq/stale');
    expect(rejectCode(s, { type: 'act', seat: 0, action: 'call', expectedSeq: start.decisionSeq - 1 })).toBe('seq/stale');
    const called = ok(s, { type: 'act', seat: 0, action: 'call', expectedSeq: decided });
    expect(called.decisionSeq).toBe(called.seq);
    // The call changed the hand: a decision made before it is stale, also for the next seat.
    expect(rejectCode(called, { type: 'act', seat: 1, action: 'call', expectedSeq: decided })).toBe('seq/stale');
    expect(rejectCode(called, { type: 'act', seat: 1, action: 'call', expectedSeq: s.seq })).toBe('seq/stale');
    expect(ok(called, { type: 'act', seat: 1, action: 'call', expectedSeq: called.seq }).seq).toBe(called.seq + 1);
  });

  it('rejects checking when facing a bet', () => {
    expect(rejectCode(hand(), { type: 'act', seat: 0, action: 'check' })).toBe('action/illegal');
  });

  it('a timeout folds when facing a bet and checks when it can', () => {
    let s = ok(hand(), { type: 'timeout', seat: 0 });
    expect(s.seats[0]!.folded).toBe(true);
    s = play(s, 'call');
    const { state, events } = okWithEvents(s, { type: 'timeout', seat: 2 });
    expect(state.seats[2]!.folded).toBe(false);
    expect(events).toContainEqual(expect.objectContaining({ type: 'action', seat: 2, action: 'check', timedOut: true }));
  });

  it('seating commands are only allowed between hands', () => {
    const s = hand();
    expect(rejectCode(s, { type: 'sit', seat: 3, playerId: 'x', stack: 100 })).toBe('seat/invalid');
    expect(rejectCode(s, { type: 'leave', seat: 0 })).toBe('hand/in_progress');
    expect(rejectCode(s, { type: 'add_chips', seat: 0, amount: 100 })).toBe('hand/in_progress');
    expect(rejectCode(s, { type: 'start_hand', handId: 'h2', deck: s.deck! })).toBe('hand/in_progress');
  });

  it('rejects bad seating, decks and commands between hands', () => {
    const s = table([1000, null, null]);
    expect(rejectCode(s, { type: 'sit', seat: 0, playerId: 'q', stack: 100 })).toBe('seat/taken');
    expect(rejectCode(s, { type: 'sit', seat: 1, playerId: 'p0', stack: 100 })).toBe('seat/player_already_seated');
    expect(rejectCode(s, { type: 'sit', seat: 1, playerId: 'q', stack: -5 })).toBe('amount/invalid');
    expect(rejectCode(s, { type: 'leave', seat: 2 })).toBe('seat/empty');
    expect(rejectCode(s, { type: 'act', seat: 0, action: 'check' })).toBe('hand/not_in_progress');
    const deck = makeDeck({ 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0, 3);
    expect(rejectCode(s, { type: 'start_hand', handId: 'h', deck })).toBe('hand/not_enough_players');
    const two = ok(s, { type: 'sit', seat: 1, playerId: 'q', stack: 100 });
    expect(rejectCode(two, { type: 'start_hand', handId: 'h', deck: [...deck.slice(0, 51), deck[0]!] })).toBe('deck/invalid');
    expect(rejectCode(two, { type: 'start_hand', handId: 'h', deck, button: 2 })).toBe('button/invalid');
    expect(rejectCode(two, { type: 'bogus' } as never)).toBe('command/invalid');
    expect(rejectCode(two, { type: 'act', action: 'fold' } as never)).toBe('seat/invalid');
    expect(rejectCode(two, { type: 'sit', seat: 2, playerId: '', stack: 100 })).toBe('command/invalid');
  });

  it('add_chips tops up a stack between hands; leave frees the seat', () => {
    let s = ok(table([1000, 1000]), { type: 'add_chips', seat: 0, amount: 500 });
    expect(s.seats[0]!.stack).toBe(1500);
    s = ok(s, { type: 'leave', seat: 1 });
    expect(s.seats[1]).toBeNull();
    expect(s.seq).toBe(4);
  });

  it('has a message for every rejection code', () => {
    for (const message of Object.values(REJECTION_MESSAGES)) expect(message.length).toBeGreaterThan(5);
  });

  it('createGame refuses unsound configurations', () => {
    expect(() => createGame({ variant: 'NLHE', maxSeats: 11, smallBlind: 1, bigBlind: 2 })).toThrow();
    expect(() => createGame({ variant: 'NLHE', maxSeats: 6, smallBlind: 3, bigBlind: 2 })).toThrow();
    expect(() => createGame({ variant: 'NLHE', maxSeats: 6, smallBlind: 1, bigBlind: 2.5 })).toThrow();
  });
});

describe('events and views', () => {
  it('hole cards travel only in private events', () => {
    const s = table([1000, 1000, 1000]);
    const deck = makeDeck({ 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0, 3);
    const { events } = okWithEvents(s, { type: 'start_hand', handId: 'h1', deck, button: 0 });
    const spectator = JSON.stringify(eventsFor(events, { kind: 'spectator' }));
    expect(spectator).not.toMatch(/"(As|Ks|Qd|Qc|5h|5d)"/);
    const seat1 = JSON.stringify(eventsFor(events, { kind: 'player', seat: 1 }));
    expect(seat1).toContain('"Qd"');
    expect(seat1).not.toContain('"As"');
    expect(events.map((e) => e.type)).toEqual([
      'hand_started', 'blinds_posted', 'blinds_posted', 'cards_dealt', 'hole_cards', 'hole_cards', 'hole_cards', 'to_act',
    ]);
  });

  it('the deck never appears in any view, not even the admin’s', () => {
    const s = deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0);
    const admin = viewFor(s, { kind: 'admin' });
    expect(JSON.stringify(admin)).not.toContain('deck');
    expect(JSON.stringify(admin)).not.toContain('"Jc"');
    expect(admin.seats[1]!.holeCards).toBeNull(); // live hand: not even an admin sees hole cards
    expect(viewFor(s, { kind: 'player', seat: 0 }).legal).toMatchObject({ callAmount: 50 });
    const over = apply(s, { type: 'act', seat: 0, action: 'fold' });
    if (!over.ok) throw new Error(over.rejection.code);
    expect(viewFor(over.state, { kind: 'admin' }).seats[1]!.holeCards).toEqual(['Qd', 'Qc']);
  });

  it('apply never mutates its input', () => {
    const s = deal(table([1000, 1000]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0);
    const frozen = structuredClone(s);
    apply(s, { type: 'act', seat: 0, action: 'raise', amount: 300 });
    apply(s, { type: 'act', seat: 0, action: 'all_in' });
    expect(s).toEqual(frozen);
  });

  it('the package index exposes the engine and its sibling modules', () => {
    for (const name of ['createGame', 'apply', 'legalActions', 'viewFor', 'eventsFor', 'replay', 'toPokerStarsText', 'evaluate', 'evaluateOmaha', 'describeHand', 'holeCardIndex', 'deckFromSeed', 'verifyHand', 'equity']) {
      expect(typeof (poker as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('computes pots from contributions', () => {
    expect(
      computePots([
        { seat: 0, amount: 100, folded: false, allIn: true },
        { seat: 1, amount: 300, folded: true, allIn: false },
        { seat: 2, amount: 500, folded: false, allIn: false },
        { seat: 3, amount: 500, folded: false, allIn: false },
      ]),
    ).toEqual([
      { amount: 400, eligible: [0, 2, 3] },
      { amount: 1000, eligible: [2, 3] },
    ]);
  });
});

describe('posting to enter out of position (start_hand posts, decision 034)', () => {
  const holes = { 0: 'AsKs', 1: 'QdQc', 2: '7h2c', 3: '9s9d' };
  const SMALL = { smallBlind: 1, bigBlind: 2, ante: 0 };

  it('a poster puts a live big blind in after the blinds, acts in turn and keeps its option', () => {
    const s0 = table([1000, 1000, 1000, 1000], SMALL);
    const deck = makeDeck(holes, '2d 5h 8c Jd 3s', 0, 4);
    const { state, events } = okWithEvents(s0, { type: 'start_hand', handId: 'p1', deck, button: 0, posts: [3] });
    const posts = events.flatMap((e) => (e.type === 'blinds_posted' ? [[e.seat, e.kind, e.amount]] : []));
    expect(posts).toEqual([[1, 'small_blind', 1], [2, 'big_blind', 2], [3, 'big_blind', 2]]);
    expect(state.smallBlindSeat).toBe(1);
    expect(state.bigBlindSeat).toBe(2);
    // Under the gun with its big blind in and no raise: it may check or raise (to 4 at least).
    expect(state.toAct).toBe(3);
    const legal = legalActions(state, 3)!;
    expect(legal.canCheck).toBe(true);
    expect(legal.minRaiseTo).toBe(4);
    // Everyone calls round to the big blind, who checks: the flop, with 8 in the pot.
    const flop = play(state, 'check', 'call', 'call', 'check');
    expect(flop.street).toBe('flop');
    expect(flop.pots.reduce((sum, p) => sum + p.amount, 0)).toBe(8);
  });

  it('a raise before the poster makes it call or raise again like any big blind; folding loses its post', () => {
    const s0 = table([1000, 1000, 1000, 1000, 1000], SMALL);
    const deck = makeDeck({ ...holes, 4: 'JcTc' }, '2d 5h 8c Jd 3s', 0, 5);
    const s = ok(s0, { type: 'start_hand', handId: 'p2', deck, button: 0, posts: [4] });
    expect(s.toAct).toBe(3);
    const after = play(s, 'raise 6');
    expect(after.toAct).toBe(4);
    expect(legalActions(after, 4)).toMatchObject({ canCheck: false, callAmount: 4 });
    const done = play(after, 'fold', 'fold', 'fold', 'fold');
    // Seat 3 wins the blinds, the post and its own raise back: 1 + 2 + 2 + 6.
    expectStacks(done, [1000, 999, 998, 1005, 998]);
  });

  it('a short poster posts what it has and is all in', () => {
    const s0 = table([1000, 1000, 1000, 1], SMALL);
    const deck = makeDeck(holes, '2d 5h 8c Jd 3s', 0, 4);
    const { state, events } = okWithEvents(s0, { type: 'start_hand', handId: 'p3', deck, button: 0, posts: [3] });
    expect(events.find((e) => e.type === 'blinds_posted' && e.seat === 3)).toMatchObject({ kind: 'big_blind', amount: 1, allIn: true });
    expect(state.seats[3]!.allIn).toBe(true);
  });

  it('refuses a post by the button, a blind, a seat not dealt in, a seat named twice, heads-up, or posts that are not a list', () => {
    const s = ok(table([1000, 1000, 1000, 1000, null, 1000], SMALL), { type: 'sit_out', seat: 5 });
    const deck = makeDeck(holes, '2d 5h 8c Jd 3s', 0, 6);
    const start = (posts: unknown) => rejectCode(s, { type: 'start_hand', handId: 'p4', deck, button: 0, posts } as never);
    expect(start([0])).toBe('posts/invalid');
    expect(start([1])).toBe('posts/invalid');
    expect(start([2])).toBe('posts/invalid');
    expect(start([4])).toBe('posts/invalid');
    expect(start([5])).toBe('posts/invalid');
    expect(start([3, 3])).toBe('posts/invalid');
    expect(start(3)).toBe('posts/invalid');
    expect(start(['3'])).toBe('posts/invalid');
    expect(REJECTION_MESSAGES['posts/invalid']).toMatch(/button/);
    const headsUp = table([1000, 1000], SMALL);
    const deck2 = makeDeck({ 0: 'AsKs', 1: 'QdQc' }, '2d 5h 8c Jd 3s', 0, 2);
    expect(rejectCode(headsUp, { type: 'start_hand', handId: 'p5', deck: deck2, button: 0, posts: [1] })).toBe('posts/invalid');
    expect(rejectCode(headsUp, { type: 'start_hand', handId: 'p5', deck: deck2, button: 0, posts: [0] })).toBe('posts/invalid');
    // An empty list is no post at all.
    expect(ok(s, { type: 'start_hand', handId: 'p6', deck, button: 0, posts: [] }).street).toBe('preflop');
  });
});

describe('a missed small blind posted dead with the big blind (start_hand deadSmallBlinds, decision 035)', () => {
  const holes = { 0: 'AsKs', 1: 'QdQc', 2: '7h2c', 3: '9s9d' };
  const SMALL = { smallBlind: 1, bigBlind: 2, ante: 0 };
  const deck = makeDeck(holes, '2d 5h 8c Jd 3s', 0, 4);
  const start = (stacks: (number | null)[], extra: object = {}) =>
    okWithEvents(table(stacks, SMALL), { type: 'start_hand', handId: 'ds1', deck, button: 0, posts: [3], deadSmallBlinds: [3], ...extra });

  it('posts 3, of which 2 are a live big blind with its option and 1 is in the pot for anyone to win', () => {
    const { state, events } = start([1000, 1000, 1000, 1000]);
    const posts = events.flatMap((e) => (e.type === 'blinds_posted' ? [[e.seat, e.kind, e.amount, e.dead ?? 0]] : []));
    expect(posts).toEqual([[1, 'small_blind', 1, 0], [2, 'big_blind', 2, 0], [3, 'small_and_big_blinds', 3, 1]]);
    expect(state.seats[3]).toMatchObject({ stack: 997, bet: 2, committed: 3, dead: 1 });
    // Its bet is the big blind, not 3: nobody's call grows, and it may check its option.
    expect(state.currentBet).toBe(2);
    expect(legalActions(state, 3)).toMatchObject({ canCheck: true, minRaiseTo: 4 });
    expect(viewFor(state, { kind: 'spectator' }).seats[3]).toMatchObject({ bet: 2, committed: 3, dead: 1 });
    // Round to the flop: 2 from each of four and the dead 1.
    const flop = play(state, 'check', 'call', 'call', 'check');
    expect(flop.street).toBe('flop');
    expect(flop.pots).toEqual([{ amount: 9, eligible: [0, 1, 2, 3] }]);
  });

  it('is never given back as uncalled: a poster who raises and is not called gets its raise back, not the dead chip', () => {
    const { state } = start([1000, 1000, 1000, 1000]);
    const { state: done, events } = okWithEvents(play(state, 'raise 6', 'fold', 'fold'), { type: 'act', seat: 2, action: 'fold' });
    expect(events.filter((e) => e.type === 'uncalled_returned')).toEqual([{ type: 'uncalled_returned', seat: 3, amount: 4 }]);
    // 1 and 2 from the blinds, its own live 2 and dead 1: a pot of 6.
    expect(done.result!.pots).toEqual([expect.objectContaining({ amount: 6, eligible: [3] })]);
    expectStacks(done, [1000, 999, 998, 1003]);
  });

  it('checked down, the dead chip stays in the pot: nothing is uncalled', () => {
    const { state } = start([1000, 1000, 1000, 1000]);
    // After the flop seats 2, 3 and 0 check three streets; seat 0 closes the river.
    const river = play(state, 'check', 'call', 'fold', 'check', ...Array<string>(8).fill('check'));
    expect([river.street, river.toAct]).toEqual(['river', 0]);
    const { state: done, events } = okWithEvents(river, { type: 'act', seat: 0, action: 'check' });
    expect(events.some((e) => e.type === 'uncalled_returned')).toBe(false);
    expect(done.result!.pots.map((p) => p.amount)).toEqual([8]);
    expect(done.result!.seats.find((r) => r.seat === 3)).toMatchObject({ contributed: 3, returned: 0 });
  });

  it('with the poster all in on its big blind, the dead chip is in the main pot, which it can win', () => {
    const { state } = start([1000, 1000, 1000, 3]);
    expect(state.seats[3]).toMatchObject({ stack: 0, bet: 2, dead: 1, allIn: true });
    const flop = play(state, 'raise 10', 'call', 'call');
    expect(flop.pots).toEqual([{ amount: 9, eligible: [0, 1, 2, 3] }, { amount: 24, eligible: [0, 1, 2] }]);
    expect(computePots([
      { seat: 0, amount: 10, folded: false, allIn: false },
      { seat: 3, amount: 3, folded: false, allIn: true, dead: 1 },
      { seat: 1, amount: 10, folded: true, allIn: false },
    ])).toEqual([{ amount: 7, eligible: [0, 3] }, { amount: 16, eligible: [0] }]);
  });

  it('folded, its dead chip and its post stay in the pot', () => {
    const { state } = start([1000, 1000, 1000, 1000]);
    const done = play(state, 'fold', 'fold', 'fold');
    // The big blind wins 1 + 2 + 3.
    expectStacks(done, [1000, 999, 1004, 997]);
  });

  it('refuses a dead small blind by a seat that does not post, one named twice, a stack of the small blind or less, or a value that is not a list', () => {
    const s = table([1000, 1000, 1000, 1000, 1000], SMALL);
    const deck5 = makeDeck(holes, '2d 5h 8c Jd 3s', 0, 5);
    const start5 = (posts: unknown, dead: unknown) => rejectCode(s, { type: 'start_hand', handId: 'ds2', deck: deck5, button: 0, posts, deadSmallBlinds: dead } as never);
    expect(start5([3], [4])).toBe('posts/invalid');
    expect(start5([], [3])).toBe('posts/invalid');
    expect(start5([3], [3, 3])).toBe('posts/invalid');
    expect(start5([3], 3)).toBe('posts/invalid');
    expect(start5([3], ['3'])).toBe('posts/invalid');
    const short = table([1000, 1000, 1000, 1], SMALL);
    expect(rejectCode(short, { type: 'start_hand', handId: 'ds3', deck, button: 0, posts: [3], deadSmallBlinds: [3] })).toBe('posts/invalid');
    expect(ok(table([1000, 1000, 1000, 2], SMALL), { type: 'start_hand', handId: 'ds4', deck, button: 0, posts: [3], deadSmallBlinds: [3] }).seats[3]).toMatchObject({ bet: 1, dead: 1, allIn: true });
    // An empty list is no dead post.
    expect(ok(s, { type: 'start_hand', handId: 'ds5', deck: deck5, button: 0, posts: [3], deadSmallBlinds: [] }).seats[3]!.dead).toBe(0);
  });

  it('every viewer folds the post onto their view as the engine has it', () => {
    const before = table([1000, 1000, 1000, 1000], SMALL);
    const { state, events } = start([1000, 1000, 1000, 1000]);
    for (const viewer of [{ kind: 'spectator' as const }, { kind: 'player' as const, seat: 3 }]) {
      expect(poker.applyViewEvents(viewFor(before, viewer), eventsFor(events, viewer))).toEqual(viewFor(state, viewer));
    }
  });
});

describe('a post folded above blinds all in for less (decision 034)', () => {
  it('stays in the pot as dead money for the blinds to win; nothing goes back to the folded poster', () => {
    const s0 = table([100, 1, 1, 100], { smallBlind: 1, bigBlind: 2, ante: 0 });
    const deck = makeDeck({ 0: 'AsKs', 1: 'QdQc', 2: '7h2c', 3: '9s9d' }, '2d 5h 8c Jd 3s', 0, 4);
    const s = ok(s0, { type: 'start_hand', handId: 'd1', deck, button: 0, posts: [3] });
    // The small blind and the big blind are all in for 1 each; the poster acts first.
    expect(s.seats[1]!.allIn && s.seats[2]!.allIn).toBe(true);
    expect(s.toAct).toBe(3);
    const afterPoster = play(s, 'fold');
    expect(afterPoster.toAct).toBe(0);
    const { state, events } = okWithEvents(afterPoster, { type: 'act', seat: 0, action: 'fold' });
    expect(events.some((e) => e.type === 'uncalled_returned')).toBe(false);
    // 1 + 1 + the poster's 2: one pot, the blinds' to win; queens beat seven-deuce.
    expect(state.result!.pots).toEqual([expect.objectContaining({ amount: 4, eligible: [1, 2] })]);
    expectStacks(state, [100, 4, 0, 98]);
  });

  it('computePots gives a layer only folded seats reached to the pot below it', () => {
    expect(computePots([
      { seat: 1, amount: 1, folded: false, allIn: true },
      { seat: 2, amount: 1, folded: false, allIn: true },
      { seat: 3, amount: 2, folded: true, allIn: false },
    ])).toEqual([{ amount: 4, eligible: [1, 2] }]);
  });
});
