// Rules audit 3: scenarios of No-Limit Hold'em and Pot-Limit Omaha cash-game rules that the
// other scenario files do not cover (Robert's Rules of Poker, the TDA rules, PokerStars'
// practice). Each case names the rule it checks; explicit decks, explicit actions, exact chips.
import { describe, expect, it } from 'vitest';
import { parseCards } from '../../server/poker/cards';
import { describeHand, evaluate, evaluateOmaha } from '../../server/poker/evaluator';
import { legalActions } from '../../server/poker/legal';
import type { Command, GameState } from '../../server/poker/types';
import { PLO, deal, expectStacks, makeDeck, ok, play, rejectCode, stacks, table } from './poker-helpers';

const DRY_BOARD = '2c 7d 9h Jc 3s';
const PLO_BOARD = '3h 7d Th Jc 3s';

const act = (state: GameState, action: string, amount?: unknown): Command =>
  ({ type: 'act', seat: state.toAct!, action, ...(amount === undefined ? {} : { amount }) }) as Command;

describe('incomplete all-in raises (TDA 43, 47)', () => {
  it('TDA 47 example 1: short all-ins adding up to a full raise reopen for the opener, not for the seat that called the first', () => {
    // Button 4: A=0 (SB), B=1 (BB), C=2, D=3, E=4; everyone limps, 100 each. Post-flop:
    // A bets 100, B all in to 125, C calls 125, D all in to 200, E calls 200.
    let s = deal(
      table([1000, 225, 1000, 300, 1000]),
      { 0: 'AsKs', 1: 'QdQc', 2: '5h5d', 3: '7c7s', 4: '8d8h' },
      DRY_BOARD,
      4,
    );
    s = play(s, 'call', 'call', 'call', 'call', 'check');
    expect(s.street).toBe('flop');
    s = play(s, 'bet 100', 'allin', 'call', 'allin', 'call');
    // A faces 100 more: a full raise in total; the minimum raise is the last full bet, 100.
    expect(s.toAct).toBe(0);
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 100, minRaiseTo: 300 });
    s = play(s, 'call');
    // C faces only 75 more than it called: call or fold.
    expect(s.toAct).toBe(2);
    const c = legalActions(s, 2)!;
    expect(c).toMatchObject({ callAmount: 75, canAllIn: false });
    expect(c.minRaiseTo).toBeUndefined();
    expect(rejectCode(s, act(s, 'raise', 400))).toBe('action/illegal');
  });

  it('an all-in raise of exactly the last full raise is a full raise: it reopens the betting', () => {
    // Seat 2 has 200 left on the flop: seat 1 bets 100, seat 2 all in to 200 (+100), seat 0 calls.
    let s = deal(table([1000, 1000, 300]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'bet 100', 'allin', 'call');
    expect(s.toAct).toBe(1);
    expect(legalActions(s, 1)).toMatchObject({ callAmount: 100, minRaiseTo: 300 });
  });

  it('a player who only checked may raise over a bet and a short all-in; the bettor may not', () => {
    // Flop: seat 1 checks, seat 2 bets 100, seat 0 all in to 150 (a short raise of 50).
    let s = deal(table([250, 1000, 1000]), { 0: '5h5d', 1: 'AsKs', 2: 'QdQc' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'check', 'bet 100', 'allin');
    expect(s.toAct).toBe(1);
    expect(legalActions(s, 1)).toMatchObject({ callAmount: 150, minRaiseTo: 250 });
    s = play(s, 'call');
    expect(s.toAct).toBe(2);
    expect(legalActions(s, 2)!.minRaiseTo).toBeUndefined();
    expect(legalActions(s, 2)).toMatchObject({ callAmount: 50, canAllIn: false });
  });

  it('pre-flop: a short all-in over a raise leaves the minimum raise at the last full raise; the raiser may only call', () => {
    // Button 0 (450 chips), SB 1, BB 2, seat 3 first. Seat 3 raises to 300 (a 200 raise),
    // the button goes all in to 450 (150 more: short), the small blind folds.
    let s = deal(table([450, 1000, 1000, 1000]), { 0: '5h5d', 1: 'AsKs', 2: 'QdQc', 3: '8h8c' }, DRY_BOARD, 0);
    s = play(s, 'raise 300', 'allin', 'fold');
    // The big blind had not acted: it may re-raise, by at least 200 over 450.
    expect(s.toAct).toBe(2);
    expect(legalActions(s, 2)).toMatchObject({ callAmount: 350, minRaiseTo: 650 });
    expect(rejectCode(s, act(s, 'raise', 600))).toBe('bet/below_min_raise');
    s = play(s, 'call');
    expect(s.toAct).toBe(3);
    expect(legalActions(s, 3)).toMatchObject({ callAmount: 150, canAllIn: false });
    expect(legalActions(s, 3)!.minRaiseTo).toBeUndefined();
  });

  it('heads-up pre-flop: the big blind’s short all-in re-raise lets the button only call or fold', () => {
    let s = deal(table([1000, 400]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0);
    s = play(s, 'raise 300', 'allin');
    expect(s.toAct).toBe(0);
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 100, canCall: true, canAllIn: false });
    expect(legalActions(s, 0)!.minRaiseTo).toBeUndefined();
  });

  it('a bet all in for less than the big blind: the next player may call it or raise by a big blind over it', () => {
    // Seat 0 has 30 left on the flop and bets it all.
    let s = deal(table([1000, 1000, 130]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'check', 'allin');
    expect(s.toAct).toBe(0);
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 30, minRaiseTo: 130 });
    expect(rejectCode(s, act(s, 'raise', 129))).toBe('bet/below_min_raise');
  });

  it('with every opponent all in, a player may call or fold but not raise', () => {
    let s = deal(table([1000, 500]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0);
    s = play(s, 'call', 'allin');
    const legal = legalActions(s, 0)!;
    expect(legal).toMatchObject({ callAmount: 400, canAllIn: false });
    expect(legal.minRaiseTo).toBeUndefined();
    expect(rejectCode(s, act(s, 'raise', 1000))).toBe('action/illegal');
  });
});

describe('bet amounts and the "raise to" convention', () => {
  const hand = () => deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);

  it('an amount is the total the bet becomes on the street ("raise to"), not the increment', () => {
    const s = ok(hand(), act(hand(), 'raise', 300));
    expect(s.seats[0]).toMatchObject({ bet: 300, stack: 700 });
    expect(s.currentBet).toBe(300);
    // The next minimum raise is to 300 + 200.
    expect(legalActions(s, 1)).toMatchObject({ minRaiseTo: 500, callAmount: 250 });
  });

  it('a raise of exactly the minimum is taken, one chip less is refused', () => {
    const s = hand();
    expect(rejectCode(s, act(s, 'raise', 199))).toBe('bet/below_min_raise');
    expect(ok(s, act(s, 'raise', 200)).currentBet).toBe(200);
    const r = ok(s, act(s, 'raise', 200));
    expect(rejectCode(r, act(r, 'raise', 299))).toBe('bet/below_min_raise');
    expect(ok(r, act(r, 'raise', 300)).currentBet).toBe(300);
  });

  it('a bet of exactly the big blind is taken after the flop; less is refused unless it is the whole stack', () => {
    const s = play(hand(), 'call', 'call', 'check');
    expect(rejectCode(s, act(s, 'bet', 99))).toBe('bet/below_min');
    expect(ok(s, act(s, 'bet', 100)).currentBet).toBe(100);
  });

  it('amounts must be whole chip numbers: a string, a fraction, a negative or a missing amount is refused', () => {
    const s = hand();
    expect(rejectCode(s, act(s, 'raise', '300'))).toBe('amount/invalid');
    expect(rejectCode(s, act(s, 'raise', 250.5))).toBe('amount/invalid');
    expect(rejectCode(s, act(s, 'raise', -300))).toBe('amount/invalid');
    expect(rejectCode(s, act(s, 'raise'))).toBe('amount/invalid');
  });

  it('a bet when facing a bet, a raise with no bet to raise, a call with nothing to call are refused', () => {
    const s = hand();
    expect(rejectCode(s, act(s, 'bet', 300))).toBe('action/illegal');
    const flop = play(s, 'call', 'call', 'check');
    expect(rejectCode(flop, act(flop, 'raise', 300))).toBe('action/illegal');
    expect(rejectCode(flop, act(flop, 'call'))).toBe('action/illegal');
    // The big blind's option: nothing to call either.
    const option = play(s, 'call', 'call');
    expect(rejectCode(option, act(option, 'call'))).toBe('action/illegal');
    expect(ok(option, act(option, 'check')).street).toBe('flop');
  });

  it('acting after the hand is over is refused', () => {
    const s = play(hand(), 'fold', 'fold');
    expect(s.street).toBe('complete');
    expect(rejectCode(s, { type: 'act', seat: 2, action: 'check' })).toBe('hand/not_in_progress');
  });
});

describe('pot-limit maximum (PLO)', () => {
  it('antes count in the pot: the first raise may reach the call plus blinds, antes and the call', () => {
    const s = deal(table([5000, 5000, 5000], { ...PLO, ante: 10 }), { 0: 'AsKsQdJd', 1: '2c2d4s5s', 2: '8h8c9d9c' }, PLO_BOARD, 0);
    // Pot 30 + 50 + 100 = 180; call 100 makes 280; raise to 100 + 280.
    expect(legalActions(s, 0)).toMatchObject({ minRaiseTo: 200, maxRaiseTo: 380 });
  });

  it('heads-up pre-flop: the button may raise to 300; the big blind re-raise to 900; after a limp the big blind raises to 300', () => {
    const s = deal(table([5000, 5000], PLO), { 0: 'AsKsQdJd', 1: '2c2d4s5s' }, PLO_BOARD, 0);
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 50, minRaiseTo: 200, maxRaiseTo: 300 });
    const raised = play(s, 'raise 300');
    // Call 200 makes a pot of 600; raise to 300 + 600.
    expect(legalActions(raised, 1)).toMatchObject({ callAmount: 200, minRaiseTo: 500, maxRaiseTo: 900 });
    const limped = play(s, 'call');
    expect(legalActions(limped, 1)).toMatchObject({ canCheck: true, minRaiseTo: 200, maxRaiseTo: 300 });
  });

  it('after a short all-in call, the pot counts the short call as it is', () => {
    // Flop pot 300 (everyone limped); seat 2 has 150 left. Seat 1 bets 200, seat 2 calls all in for 150.
    let s = deal(table([5000, 1000, 250], PLO), { 0: 'AsKsQdJd', 1: '2c2d4s5s', 2: '8h8c9d9c' }, PLO_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'bet 200', 'allin');
    expect(s.toAct).toBe(0);
    // Call 200: pot 300 + 200 + 150 + 200 = 850; raise to 200 + 850.
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 200, minRaiseTo: 400, maxRaiseTo: 1050 });
  });

  it('a dead small blind counts in the pot', () => {
    // Button 0, SB 1, BB 2; seat 3 posts a live big blind and a dead small blind (decision 035).
    const holes = { 0: 'AsKsQdJd', 1: '2c2d4s5s', 2: '8h8c9d9c', 3: '6h6s7c4c' };
    const base = table([5000, 5000, 5000, 5000], PLO);
    const deck = makeDeck(holes, PLO_BOARD, 0, 4);
    const s = ok(base, { type: 'start_hand', handId: 'h1', deck, button: 0, posts: [3], deadSmallBlinds: [3] });
    expect(s.toAct).toBe(3);
    // Pot 50 + 100 + 100 + 50 dead = 300; nothing to call: raise to 100 + 300.
    expect(legalActions(s, 3)).toMatchObject({ canCheck: true, minRaiseTo: 200, maxRaiseTo: 400 });
  });

  it('the maximum bet on a later street is the pot, however it was built', () => {
    let s = deal(table([5000, 5000, 5000], PLO), { 0: 'AsKsQdJd', 1: '2c2d4s5s', 2: '8h8c9d9c' }, PLO_BOARD, 0);
    s = play(s, 'raise 350', 'call', 'call');
    // Pot 1050 on the flop.
    expect(legalActions(s, 1)).toMatchObject({ minBet: 100, maxBet: 1050 });
    s = play(s, 'bet 1050');
    // Seat 2: call 1050 makes 3150; raise to 1050 + 3150.
    expect(legalActions(s, 2)).toMatchObject({ callAmount: 1050, minRaiseTo: 2100, maxRaiseTo: 4200 });
  });
});

describe('showdown order', () => {
  it('a bet on the turn and a river checked round: the first player left of the button shows first, not the turn’s bettor', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: '5h5d', 1: 'AsAh', 2: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'check', 'check', 'check', 'check', 'bet 100', 'call', 'call', 'check', 'check', 'check');
    expect(s.result!.shown.map((h) => h.seat)).toEqual([1]);
    expect(s.result!.mucked).toEqual([2, 0]);
  });

  it('river bet, raise and call: the raiser shows first', () => {
    let s = deal(table([1000, 1000, 1000]), { 0: '5h5d', 1: 'AsAh', 2: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', ...Array(6).fill('check'), 'bet 100', 'raise 300', 'fold', 'call');
    // River: seat 1 bets, seat 2 raises, seat 0 folds, seat 1 calls. Seat 2 shows first and loses; seat 1 shows.
    expect(s.result!.shown.map((h) => h.seat)).toEqual([2, 1]);
    expectStacks(s, [900, 1500, 600]);
  });

  it('heads-up, checked down: the big blind (left of the button) shows first', () => {
    let s = deal(table([1000, 1000]), { 0: 'AsAh', 1: 'KsKh' }, DRY_BOARD, 0);
    s = play(s, 'call', 'check', ...Array(6).fill('check'));
    expect(s.result!.shown.map((h) => h.seat)).toEqual([1, 0]);
  });
});

describe('split pots, odd chips and rake', () => {
  it('the odd chip left by the rake goes to the first winner left of the button', () => {
    // Seats 1 and 2 tie (A-K-J-9-7); pot 300, rake 5% = 15, 285 to split.
    let s = deal(
      table([1000, 1000, 1000], { rake: { percentBps: 500, cap: 1000 } }),
      { 0: 'QdTd', 1: 'AsKh', 2: 'AdKc' },
      DRY_BOARD,
      0,
    );
    s = play(s, 'call', 'call', 'check', ...Array(9).fill('check'));
    expect(s.result!.rake).toBe(15);
    expectStacks(s, [900, 1043, 1042]);
  });

  it('heads-up the odd chip goes to the big blind, the first seat left of the button', () => {
    let s = deal(table([1000, 1000], { rake: { percentBps: 50, cap: 1000 } }), { 0: 'AsKh', 1: 'AdKc' }, DRY_BOARD, 0);
    s = play(s, 'call', 'check', ...Array(6).fill('check'));
    expect(s.result!.rake).toBe(1);
    expectStacks(s, [999, 1000]);
  });

  it('a split side pot with an odd chip: each pot is split on its own, odd chips clockwise from the button', () => {
    // Seat 3 (under the gun) all in for 101 with the best hand; seat 0 raises to 302, seats 1 and
    // 2 call; on the flop seat 1 bets 101, seat 2 calls, seat 0 folds. Seats 1 and 2 tie.
    let s = deal(table([1000, 1000, 1000, 101]), { 0: 'QdTd', 1: 'AsKh', 2: 'AdKc', 3: 'JhJd' }, DRY_BOARD, 0);
    s = play(s, 'allin', 'raise 302', 'call', 'call', 'bet 101', 'call', 'fold', ...Array(4).fill('check'));
    // Main pot 4 x 101 = 404 to seat 3; side pot 3 x 201 + 2 x 101 = 805: 403 to seat 1, 402 to seat 2.
    expect(s.result!.pots.map((p) => [p.amount, p.winners])).toEqual([
      [404, [{ seat: 3, amount: 404 }]],
      [805, [{ seat: 1, amount: 403 }, { seat: 2, amount: 402 }]],
    ]);
    expectStacks(s, [698, 1000, 999, 404]);
  });
});

describe('hand values', () => {
  const v = (cards: string) => evaluate(parseCards(cards));
  const o = (hole: string, board: string) => evaluateOmaha(parseCards(hole), parseCards(board));

  it('the wheel is a five-high straight: below a six-high straight, above three of a kind', () => {
    expect(describeHand(v('As 2d 3c 4h 5s 9d Kc')).name).toBe('Straight, Five high');
    expect(v('As 2d 3c 4h 5s 9d Kc')).toBeLessThan(v('6s 2d 3c 4h 5s 9d Kc'));
    expect(v('As 2d 3c 4h 5s 9d Kc')).toBeGreaterThan(v('As Ad Ac 4h 5s 9d Kc'));
  });

  it('the steel wheel is a five-high straight flush: below a six-high one, above four of a kind', () => {
    expect(describeHand(v('Ah 2h 3h 4h 5h Ad Ac')).name).toBe('Straight Flush, Five high');
    expect(v('Ah 2h 3h 4h 5h Ad Ac')).toBeLessThan(v('6h 2h 3h 4h 5h Ad Ac'));
    expect(v('Ah 2h 3h 4h 5h Kd Kc')).toBeGreaterThan(v('As Ad Ac Ah Kd Qc Jc'));
  });

  it('no wrap-around straight: Q-K-A-2-3 is ace high', () => {
    expect(describeHand(v('Qs Kd Ac 2h 3s')).category).toBe('high-card');
  });

  it('a counterfeited two pair: the board’s two higher pairs play, the ace kicker beats the pocket threes', () => {
    let s = deal(table([1000, 1000]), { 0: '3c3d', 1: 'Ah4c' }, 'Ks Kd 9h 9c 2s', 0);
    s = play(s, 'call', 'check', ...Array(6).fill('check'));
    expect(s.result!.pots[0]!.winners).toEqual([{ seat: 1, amount: 200 }]);
    expect(s.result!.pots[0]!.handName).toBe('Two Pair, Kings and Nines');
  });

  it('two pair on the board with a higher board kicker: both hands play the board and split', () => {
    let s = deal(table([1000, 1000]), { 0: '2c3d', 1: '4h5h' }, 'Ks Kd 9h 9c Qs', 0);
    s = play(s, 'call', 'check', ...Array(6).fill('check'));
    expectStacks(s, [1000, 1000]);
  });

  it('two sets of trips make a full house of the higher over the lower', () => {
    expect(describeHand(v('7d 7h Ks Kd Kh 7c 2d')).name).toBe('Full House, Kings full of Sevens');
    expect(v('7d 7h Ks Kd Kh 7c 2d')).toBeGreaterThan(v('Ac 2c Ks Kd Kh 7c 2d'));
  });

  it('Omaha: one hole card of the board’s four-card straight is no straight', () => {
    // Board 5-6-7-8-K; the first hand holds one nine and no second straight card, the second 9-T.
    expect(describeHand(o('9s Ad Ac 2h', '5c 6d 7h 8s Kc')).category).toBe('pair');
    expect(describeHand(o('9s Td Ac 2h', '5c 6d 7h 8s Kc')).category).toBe('straight');
  });

  it('Omaha: one hole card of the board’s flush suit is no flush; two make one', () => {
    expect(describeHand(o('Ah Ks Qd Jc', '2h 5h 8h Jh 3h')).category).not.toBe('flush');
    expect(describeHand(o('Ah 6h Qd Jc', '2h 5h 8h Td 3c')).name).toBe('Flush, Ace high');
  });

  it('Omaha: board quads play as a full house at most, with a pocket pair', () => {
    expect(describeHand(o('As Ad 3c 4d', 'Ks Kd Kh Kc 2d')).name).toBe('Full House, Kings full of Aces');
    expect(describeHand(o('As Qd 3c 4d', 'Ks Kd Kh Kc 2d')).category).toBe('three-of-a-kind');
  });

  it('Omaha: board trips and a hole pair make the full house with the board trips over the pair', () => {
    expect(describeHand(o('7d 7h 2c 3c', 'Ks Kd Kh 7c 9d')).name).toBe('Full House, Kings full of Sevens');
  });
});

describe('forced bets a stack cannot cover', () => {
  it('a big blind all in on its ante posts no blind; the others still must call the full big blind', () => {
    let s = deal(table([1000, 1000, 10], { ante: 10 }), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    expect(s.seats[2]).toMatchObject({ allIn: true, bet: 0, committed: 10 });
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 100, minRaiseTo: 200 });
    // Seat 2 can bet no more: nobody owes it an action; seats 0 and 1 play on.
    s = play(s, 'call', 'call', ...Array(6).fill('check'));
    // The queens win the antes and the side pot of the blinds.
    expect(stacks(s)).toEqual([890, 1120, 0]);
  });

  it('a small blind that cannot cover the blind posts what it has: the big blind is still the full bet', () => {
    let s = deal(table([1000, 30, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    expect(s.seats[1]).toMatchObject({ allIn: true, bet: 30 });
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 100, minRaiseTo: 200 });
    s = play(s, 'call', 'check', ...Array(6).fill('check'));
    // Main pot 3 x 30 = 90 to the queens; the side pot 2 x 70 = 140 to seat 2's fives over ace-king.
    expectStacks(s, [900, 90, 1040]);
  });
});

describe('reopening the betting for a player who checked (Robert’s Rules, section 14, rule 3)', () => {
  it('a player who checked and faces an all-in bet under the minimum bet may call or fold, not raise; a player yet to act may raise', () => {
    // Seat 2 has 50 left on the flop. Seat 1 checks, seat 2 bets all in for 50.
    let s = deal(table([1000, 1000, 150]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'check', 'check', 'allin');
    expect(s.toAct).toBe(0);
    expect(legalActions(s, 0)).toMatchObject({ callAmount: 50, minRaiseTo: 150 });
    s = play(s, 'call');
    expect(s.toAct).toBe(1);
    expect(legalActions(s, 1)).toMatchObject({ callAmount: 50, canAllIn: false });
    expect(legalActions(s, 1)!.minRaiseTo).toBeUndefined();
  });

  it('Robert’s example: bet 100, raise to 200, all in to 275, all in to 350, a call: the raiser, raised 150 in all, may raise by the last full raise, 100', () => {
    // Flop order: seats 1 (A), 2 (B), 3 (C), 4 (D); the button 0 folded pre-flop.
    let s = deal(table([1000, 1000, 1000, 375, 450]), { 0: '4c4d', 1: 'AsKs', 2: 'QdQc', 3: '5h5d', 4: '8h8c' }, DRY_BOARD, 0);
    s = play(s, 'call', 'call', 'fold', 'call', 'check');
    expect(s.street).toBe('flop');
    s = play(s, 'bet 100', 'raise 200', 'allin', 'allin', 'call');
    expect(s.toAct).toBe(2);
    expect(legalActions(s, 2)).toMatchObject({ callAmount: 150, minRaiseTo: 450 });
  });
});

// ---- an independent settlement, from the rules, over random hands --------------------------

/** Unusual but valid tables: a small blind from 0 to the big blind, antes up to twice the big blind. */
/** About three seats in four taken, each with a few chips up to 3 big blinds or up to 51 big blinds. */
function seatRandomly(state: GameState, bigBlind: number, maxSeats: number, random: (n: number) => number): GameState {
  for (let seat = 0; seat < maxSeats; seat++) {
    if (random(4) === 0) continue;
    const stack = random(2) === 0 ? 1 + random(3 * bigBlind) : bigBlind + random(50 * bigBlind);
    state = ok(state, { type: 'sit', seat, playerId: `p${seat}`, stack });
  }
  return state;
}

function oddConfig(variant: 'NLHE' | 'PLO', maxSeats: number, random: (n: number) => number, rake: boolean) {
  const bigBlind = 1 + random(20);
  return {
    variant,
    maxSeats,
    bigBlind,
    smallBlind: random(bigBlind + 1),
    ante: random(3) === 0 ? random(2 * bigBlind + 1) : 0,
    rake: rake ? { percentBps: 500, cap: 3 * bigBlind } : null,
  };
}

/**
 * What each seat wins, worked out from the rules alone: the uncalled part of the largest
 * contribution goes back; pots are cut at every all-in level of a live seat (adjacent levels
 * with the same live seats are one pot); chips no live seat reached go to the pot below; each
 * pot goes to the best hand eligible, split evenly, odd chips one at a time clockwise from the
 * first seat left of the button.
 */
function referenceSettlement(state: GameState): { won: Map<number, number>; returned: Map<number, number> } {
  const r = state.result!;
  const seats = r.seats.map((x) => ({ seat: x.seat, put: x.contributed, folded: state.seats[x.seat]!.folded }));
  const returned = new Map<number, number>(seats.map((x) => [x.seat, 0]));
  const live = seats.filter((x) => !x.folded);
  const top = [...live].sort((a, b) => b.put - a.put)[0]!;
  const second = Math.max(...seats.filter((x) => x !== top).map((x) => x.put));
  if (top.put > second) {
    returned.set(top.seat, top.put - second);
    top.put = second;
  }
  const won = new Map<number, number>(seats.map((x) => [x.seat, 0]));
  const value = (seat: number) => {
    const hole = state.seats[seat]!.holeCards;
    return state.config.variant === 'PLO' ? evaluateOmaha(hole, r.board) : evaluate([...hole, ...r.board]);
  };
  const levels = [...new Set(live.map((x) => x.put))].sort((a, b) => a - b);
  const pots: { amount: number; eligible: number[] }[] = [];
  let floor = 0;
  for (const level of levels) {
    const amount = seats.reduce((t, x) => t + Math.max(0, Math.min(x.put, level) - floor), 0);
    const eligible = live.filter((x) => x.put >= level).map((x) => x.seat);
    const last = pots.at(-1);
    if (last && last.eligible.join() === eligible.join()) last.amount += amount;
    else pots.push({ amount, eligible });
    floor = level;
  }
  pots.at(-1)!.amount += seats.reduce((t, x) => t + Math.max(0, x.put - floor), 0);
  const n = state.config.maxSeats;
  const button = state.button!;
  for (const pot of pots) {
    let winners = pot.eligible;
    if (r.endedBy === 'showdown') {
      const best = Math.max(...pot.eligible.map(value));
      winners = pot.eligible.filter((s) => value(s) === best);
    }
    winners = [...winners].sort((a, b) => ((a - button - 1 + n) % n) - ((b - button - 1 + n) % n));
    const share = Math.floor(pot.amount / winners.length);
    winners.forEach((s, i) => won.set(s, won.get(s)! + share + (i < pot.amount - share * winners.length ? 1 : 0)));
  }
  return { won, returned };
}

describe('random hands settle as the rules say (no rake, no posts)', () => {
  for (const variant of ['NLHE', 'PLO'] as const) {
    it(`${variant}: returned and won chips per seat agree with an independent settlement`, async () => {
      const { configFor, legalCommand, rng, shuffledDeck } = await import('./poker-helpers');
      const { apply: applyCommand, createGame } = await import('../../server/poker/game');
      let showdowns = 0;
      let sidePots = 0;
      for (let seed = 1; seed <= 1500; seed++) {
        const random = rng(seed * 7919 + (variant === 'PLO' ? 1 : 0));
        const maxSeats = 2 + random(9);
        const config = random(3) === 0 ? oddConfig(variant, maxSeats, random, false) : configFor({ variant, maxSeats, blinds: random(4), ante: random(2) === 0, rake: false, occupied: [], stacks: [], seed });
        let state = seatRandomly(createGame(config), config.bigBlind, maxSeats, random);
        for (let hand = 0; hand < 3; hand++) {
          const started = applyCommand(state, { type: 'start_hand', handId: `h${hand}`, deck: shuffledDeck(random) });
          if (!started.ok) break;
          state = started.state;
          while (state.street !== 'complete') {
            const seat = state.toAct!;
            const command = legalCommand(state, seat, legalActions(state, seat)!, random);
            const next = applyCommand(state, command);
            if (next.ok) state = next.state;
          }
          const expected = referenceSettlement(state);
          for (const x of state.result!.seats) {
            expect({ seed, seat: x.seat, returned: x.returned, won: x.won }).toEqual({
              seed,
              seat: x.seat,
              returned: expected.returned.get(x.seat),
              won: expected.won.get(x.seat),
            });
          }
          if (state.result!.endedBy === 'showdown') showdowns++;
          if (state.result!.pots.length > 1) sidePots++;
        }
      }
      expect(showdowns).toBeGreaterThan(300);
      expect(sidePots).toBeGreaterThan(50);
    });
  }
});

// ---- an independent reading of the betting rules, over random hands ------------------------

interface RefSeat { stack: number; bet: number; put: number; folded: boolean; allIn: boolean; acted: boolean; actedAt: number }

/**
 * The options of the seat to act, worked out from the hand's events alone: the bet to match
 * (pre-flop the full big blind, whatever the blinds could post; only what someone can still
 * contest when nobody else can bet), the minimum (the big blind, or the bet plus the largest
 * full raise of the street), the pot limit (the pot after the call, on top of the call), and
 * the TDA 47 reopening (a seat that acted may raise again only when the bet rose by a full
 * raise or more since it acted).
 */
class BettingReference {
  seats = new Map<number, RefSeat>();
  level = 0;
  fullRaise = 0;
  constructor(private readonly bigBlind: number, private readonly potLimit: boolean) {}

  on(e: import('../../server/poker/types').GameEvent): void {
    switch (e.type) {
      case 'hand_started':
        this.seats = new Map(e.seats.map((s) => [s.seat, { stack: s.stack, bet: 0, put: 0, folded: false, allIn: false, acted: false, actedAt: 0 }]));
        this.level = this.bigBlind;
        this.fullRaise = this.bigBlind;
        break;
      case 'blinds_posted': {
        const s = this.seats.get(e.seat)!;
        s.stack -= e.amount;
        s.put += e.amount;
        if (e.kind !== 'ante') s.bet += e.amount - (e.dead ?? 0);
        s.allIn = s.stack === 0;
        break;
      }
      case 'action': {
        const s = this.seats.get(e.seat)!;
        s.stack -= e.amount;
        s.put += e.amount;
        s.bet = e.betTo;
        s.allIn = s.stack === 0;
        if (e.action === 'fold') s.folded = true;
        if (e.betTo > this.level) {
          if (e.betTo - this.level >= this.fullRaise) this.fullRaise = e.betTo - this.level;
          this.level = e.betTo;
        }
        s.acted = true;
        s.actedAt = this.level;
        break;
      }
      case 'uncalled_returned': {
        const s = this.seats.get(e.seat)!;
        s.stack += e.amount;
        s.put -= e.amount;
        s.bet = Math.max(0, s.bet - e.amount);
        s.allIn = false;
        break;
      }
      case 'street_dealt':
        for (const s of this.seats.values()) Object.assign(s, { bet: 0, acted: false, actedAt: 0 });
        this.level = 0;
        this.fullRaise = this.bigBlind;
        break;
      default:
    }
  }

  legal(seat: number) {
    const me = this.seats.get(seat)!;
    const others = [...this.seats].filter(([i, s]) => i !== seat && !s.folded);
    const othersCanBet = others.some(([, s]) => !s.allIn);
    const target = othersCanBet ? this.level : Math.max(0, ...others.map(([, s]) => s.bet));
    const toCall = Math.max(0, target - me.bet);
    const callAmount = Math.min(toCall, me.stack);
    const mayRaise = othersCanBet && me.stack > callAmount && (!me.acted || this.level - me.actedAt >= this.fullRaise);
    const allInTo = me.bet + me.stack;
    const pot = [...this.seats.values()].reduce((t, s) => t + s.put, 0);
    const limit = this.potLimit ? this.level + pot + (this.level - me.bet) : Infinity;
    const min = this.level === 0 ? this.bigBlind : this.level + this.fullRaise;
    const out: Record<string, unknown> = { canCheck: toCall === 0, canCall: toCall > 0, callAmount };
    if (mayRaise && min <= allInTo) {
      const max = Math.min(allInTo, Math.max(limit, min));
      Object.assign(out, this.level === 0 ? { minBet: min, maxBet: max } : { minRaiseTo: min, maxRaiseTo: max });
    }
    out.canAllIn = me.stack <= callAmount || (mayRaise && allInTo <= Math.max(limit, min));
    return out;
  }
}

const LEGAL_KEYS = ['canCheck', 'canCall', 'callAmount', 'minBet', 'maxBet', 'minRaiseTo', 'maxRaiseTo', 'canAllIn'] as const;
const picked = (legal: import('../../server/poker/types').LegalActions) =>
  Object.fromEntries(LEGAL_KEYS.flatMap((k) => (legal[k] === undefined ? [] : [[k, legal[k]]])));

describe('random hands offer the options the betting rules give (independent reading)', () => {
  for (const variant of ['NLHE', 'PLO'] as const) {
    it(`${variant}: every to_act's legal actions agree with the reference, posts and antes included`, async () => {
      const { configFor, legalCommand, randomPosts, rng, shuffledDeck } = await import('./poker-helpers');
      const { apply: applyCommand, createGame } = await import('../../server/poker/game');
      let checked = 0;
      for (let seed = 1; seed <= 1500; seed++) {
        const random = rng(seed * 104729 + (variant === 'PLO' ? 1 : 0));
        const maxSeats = 2 + random(9);
        const config = random(3) === 0 ? oddConfig(variant, maxSeats, random, random(2) === 0) : configFor({ variant, maxSeats, blinds: random(4), ante: random(2) === 0, rake: random(2) === 0, occupied: [], stacks: [], seed });
        let state = seatRandomly(createGame(config), config.bigBlind, maxSeats, random);
        for (let hand = 0; hand < 3; hand++) {
          const ref = new BettingReference(config.bigBlind, variant === 'PLO');
          const deck = shuffledDeck(random);
          const posting = random(3) === 0 ? randomPosts(state, `h${hand}`, deck, random) : {};
          const started = applyCommand(state, { type: 'start_hand', handId: `h${hand}`, deck, ...posting });
          if (!started.ok) break;
          state = started.state;
          const events = [...started.events];
          while (events.length > 0) {
            const e = events.shift()!;
            ref.on(e);
            if (e.type === 'to_act') {
              expect({ seed, hand, seat: e.seat, legal: picked(e.legal) }).toEqual({ seed, hand, seat: e.seat, legal: ref.legal(e.seat) });
              checked++;
            }
          }
          while (state.street !== 'complete') {
            const seat = state.toAct!;
            const next = applyCommand(state, legalCommand(state, seat, legalActions(state, seat)!, random));
            if (!next.ok) continue;
            state = next.state;
            for (const e of next.events) {
              ref.on(e);
              if (e.type === 'to_act') {
                expect({ seed, hand, seat: e.seat, legal: picked(e.legal) }).toEqual({ seed, hand, seat: e.seat, legal: ref.legal(e.seat) });
                checked++;
              }
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(5000);
    });
  }
});

describe('going heads-up and back (TDA 34: nobody posts the big blind twice in a row; Robert’s Rules: a new player waits for the big blind)', () => {
  /** Plays a three-handed hand with the button on seat 0 (small blind 1, big blind 2) to its end. */
  async function afterThreeHanded() {
    const s = deal(table([1000, 1000, 1000]), { 0: 'AsKs', 1: 'QdQc', 2: '5h5d' }, DRY_BOARD, 0);
    return play(s, 'fold', 'fold');
  }
  const blindsOf = async (state: GameState, button: number) => {
    const { blindsFor } = await import('../../server/poker/blinds');
    const dealt = new Set(state.seats.flatMap((x, i) => (x && !x.sittingOut && x.stack > 0 ? [i] : [])));
    return { button, ...blindsFor(state, dealt, button) };
  };

  for (const [gone, expected] of [
    [0, { button: 2, smallBlind: 2, bigBlind: 1 }], // the button leaves: the last big blind takes the button
    [1, { button: 2, smallBlind: 2, bigBlind: 0 }], // the small blind leaves: the last button posts the big blind
    [2, { button: 1, smallBlind: 1, bigBlind: 0 }], // the big blind leaves: the button moves on
  ] as const) {
    it(`three to two, seat ${gone} leaves: ${JSON.stringify(expected)}; nobody posts the big blind twice running`, async () => {
      const { planNextHand } = await import('../../server/poker/blinds');
      const s = ok(await afterThreeHanded(), { type: 'leave', seat: gone });
      const plan = planNextHand(s, new Set())!;
      expect(await blindsOf(s, plan.button)).toEqual(expected);
      expect(expected.bigBlind).not.toBe(2);
    });
  }

  it('a player who joins a heads-up game waits and enters as the big blind; the heads-up button rule holds meanwhile', async () => {
    const { planNextHand } = await import('../../server/poker/blinds');
    // Heads-up: button 0 (small blind), big blind 1. Seat 2 sits down and waits.
    let s = play(deal(table([1000, 1000, null]), { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 0), 'fold');
    s = ok(s, { type: 'sit', seat: 2, playerId: 'p2', stack: 1000 });
    s = ok(s, { type: 'sit_out', seat: 2 });
    let plan = planNextHand(s, new Set([2]))!;
    // Its big blind is not next (it would be the small blind): heads-up goes on, the last big blind on the button.
    expect(plan).toEqual({ button: 1, dealIn: [], posts: [] });
    s = play(deal(s, { 0: 'AsKs', 1: 'QdQc' }, DRY_BOARD, 1, 'h2'), 'fold');
    plan = planNextHand(s, new Set([2]))!;
    expect(plan).toEqual({ button: 0, dealIn: [2], posts: [] });
    s = ok(s, { type: 'sit_in', seat: 2 });
    expect(await blindsOf(s, plan.button)).toEqual({ button: 0, smallBlind: 1, bigBlind: 2 });
  });
});

// ---- showdown order and mucking, from the events, over random hands ------------------------

describe('random showdowns follow the showdown order and the muck rule (TDA 16/17, Robert’s Rules)', () => {
  for (const variant of ['NLHE', 'PLO'] as const) {
    it(`${variant}: last river aggressor first, else the first seat left of the button; a hand that cannot win what it is in is mucked unless face up`, async () => {
      const { configFor, legalCommand, rng, shuffledDeck } = await import('./poker-helpers');
      const { apply: applyCommand, createGame } = await import('../../server/poker/game');
      let checked = 0;
      let mucks = 0;
      for (let seed = 1; seed <= 1500; seed++) {
        const random = rng(seed * 15485863 + (variant === 'PLO' ? 1 : 0));
        const maxSeats = 2 + random(9);
        const config = configFor({ variant, maxSeats, blinds: random(4), ante: random(2) === 0, rake: false, occupied: [], stacks: [], seed });
        let state = createGame(config);
        for (let seat = 0; seat < maxSeats; seat++) {
          if (random(4) === 0) continue;
          state = ok(state, { type: 'sit', seat, playerId: `p${seat}`, stack: random(2) === 0 ? 1 + random(300) : 100 + random(5000) });
        }
        for (let hand = 0; hand < 3; hand++) {
          const started = applyCommand(state, { type: 'start_hand', handId: `h${hand}`, deck: shuffledDeck(random) });
          if (!started.ok) break;
          state = started.state;
          const events = [...started.events];
          while (state.street !== 'complete') {
            const seat = state.toAct!;
            const legal = legalActions(state, seat)!;
            // Mostly checks and calls, so that many hands reach a showdown with no one all in.
            const command: Command = random(3) === 0
              ? legalCommand(state, seat, legal, random)
              : { type: 'act', seat, action: legal.canCheck ? 'check' : legal.callAmount < legal.allInAmount ? 'call' : 'fold' };
            const next = applyCommand(state, command);
            if (next.ok) {
              state = next.state;
              events.push(...next.events);
            }
          }
          const r = state.result!;
          if (r.endedBy !== 'showdown') continue;
          const exposed = new Set(events.flatMap((e) => (e.type === 'hands_exposed' ? e.hands.map((h) => h.seat) : [])));
          const live = state.dealOrder.filter((i) => !state.seats[i]!.folded);
          if (exposed.size > 0) {
            // Everything is face up already: every live hand is shown, none mucked.
            expect(r.shown.map((h) => h.seat).sort()).toEqual([...live].sort());
            continue;
          }
          const riverAt = events.findIndex((e) => e.type === 'street_dealt' && e.street === 'river');
          const aggressive = events.slice(riverAt).filter((e) => e.type === 'action' && (e.action === 'bet' || e.action === 'raise'));
          const last = aggressive.at(-1);
          const n = state.config.maxSeats;
          const from = last && last.type === 'action' ? last.seat : (state.button! + 1) % n;
          const order = Array.from({ length: n }, (_, k) => (from + k) % n).filter((i) => live.includes(i));
          const value = (seat: number) => r.shown.find((h) => h.seat === seat)?.value ?? (variant === 'PLO'
            ? evaluateOmaha(state.seats[seat]!.holeCards, r.board)
            : evaluate([...state.seats[seat]!.holeCards, ...r.board]));
          const best = new Map<number, number>();
          const shown: number[] = [];
          const mucked: number[] = [];
          for (const seat of order) {
            const mine = r.pots.map((p, i) => [p, i] as const).filter(([p]) => p.eligible.includes(seat)).map(([, i]) => i);
            const canWin = mine.some((i) => !best.has(i) || value(seat) >= best.get(i)!);
            if (shown.length > 0 && !canWin) {
              mucked.push(seat);
              continue;
            }
            shown.push(seat);
            for (const i of mine) best.set(i, Math.max(best.get(i) ?? value(seat), value(seat)));
          }
          expect({ seed, hand, shown: r.shown.map((h) => h.seat), mucked: r.mucked }).toEqual({ seed, hand, shown, mucked });
          checked++;
          mucks += mucked.length;
        }
      }
      expect(checked).toBeGreaterThan(200);
      expect(mucks).toBeGreaterThan(50);
    });
  }
});
