// Property tests: thousands of random hands with random legal (and illegal) commands.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardToString } from '../../server/poker/cards';
import { apply, createGame } from '../../server/poker/game';
import { replay } from '../../server/poker/history';
import { legalActions } from '../../server/poker/legal';
import { rakeFor } from '../../server/poker/pots';
import { eventsFor, exposedSeats, viewFor, type TableView } from '../../server/poker/views';
import type { Command, GameEvent, GameState, LegalActions, Viewer } from '../../server/poker/types';
import { chipsOnTable, configFor, legalCommand, randomPosts, rng, shuffledDeck, tableArb, type Table } from './poker-helpers';

/** Commands that must be rejected in this state. */
function illegalCommands(state: GameState, seat: number, legal: LegalActions): Command[] {
  const other = state.dealOrder.find((s) => s !== seat)!;
  const bad: Command[] = [
    { type: 'act', seat: other, action: 'fold' },
    { type: 'act', seat, action: 'fold', expectedSeq: state.seq + 1 },
    { type: 'act', seat, action: 'raise', amount: 1.5 },
    { type: 'add_chips', seat, amount: 100 },
    { type: 'start_hand', handId: 'x', deck: [] },
  ];
  if (!legal.canCheck) bad.push({ type: 'act', seat, action: 'check' });
  if (legal.minRaiseTo !== undefined) bad.push({ type: 'act', seat, action: 'raise', amount: legal.minRaiseTo - 1 });
  if (legal.maxRaiseTo !== undefined) bad.push({ type: 'act', seat, action: 'raise', amount: legal.maxRaiseTo + 1 });
  if (legal.minBet !== undefined) bad.push({ type: 'act', seat, action: 'bet', amount: legal.maxBet! + 1 });
  if (legal.minBet === undefined) bad.push({ type: 'act', seat, action: 'bet', amount: state.config.bigBlind });
  return bad;
}

/** Coverage counters, so a generator that stops producing interesting hands fails the test. */
const stats = { hands: 0, showdowns: 0, sidePots: 0, rejected: 0, splits: 0, exposures: 0, returns: 0, posted: 0, dead: 0 };

const CARD_TEXT = /"([2-9TJQKA][cdhs])"/g;

const cardTexts = (state: GameState, seat: number): string[] => state.seats[seat]!.holeCards.map(cardToString);

/**
 * Seats whose hands are public, from the rules rather than from the engine's flags: every
 * live hand once nobody is to act and nobody can bet any more (all-in exposure), and every
 * hand shown at showdown.
 */
function publicSeats(state: GameState): number[] {
  const dealt = state.dealOrder.filter((i) => state.seats[i]?.inHand && state.seats[i]!.holeCards.length > 0);
  const live = dealt.filter((i) => !state.seats[i]!.folded);
  // Someone still to act (say, calling an all-in) means the betting is not over yet.
  const bettingOver = state.toAct === null && live.length >= 2 && live.filter((i) => !state.seats[i]!.allIn).length <= 1;
  const shown = new Set(state.result?.shown.map((h) => h.seat) ?? []);
  return dealt.filter((i) => (bettingOver && live.includes(i)) || shown.has(i)).sort((a, b) => a - b);
}

function viewersOf(state: GameState): Viewer[] {
  return [{ kind: 'spectator' }, { kind: 'admin' }, ...state.dealOrder.map((seat): Viewer => ({ kind: 'player', seat }))];
}

/**
 * Every card text a viewer gets (view and this step's events) must be on the board, their
 * own, or in a public hand. Admins are exempt only once the hand is over (hand review).
 */
function checkNoLeak(state: GameState, events: GameEvent[], views: Map<Viewer, TableView>): void {
  const open = publicSeats(state).flatMap((seat) => cardTexts(state, seat));
  const board = state.board.map(cardToString);
  for (const [viewer, view] of views) {
    if (viewer.kind === 'admin' && state.street === 'complete') continue;
    const own = viewer.kind === 'player' ? cardTexts(state, viewer.seat) : [];
    const allowed = new Set([...open, ...board, ...own]);
    const text = JSON.stringify(view) + JSON.stringify(eventsFor(events, viewer));
    for (const [, card] of text.matchAll(CARD_TEXT)) {
      if (!allowed.has(card!)) throw new Error(`${card} leaked to ${JSON.stringify(viewer)}`);
    }
    expect(text).not.toContain('deck');
  }
}

/** Dealt seats whose hand was folded or mucked: private to their owner for good. */
function hiddenSeats(state: GameState): number[] {
  return state.dealOrder.filter((i) => state.seats[i]?.inHand && (state.seats[i]!.folded || state.result?.mucked.includes(i)));
}

const isOwner = (viewer: Viewer, seat: number): boolean => viewer.kind === 'player' && viewer.seat === seat;

/**
 * A hand exposed or shown is face up in every viewer's view; a hand folded or mucked is in
 * nobody's view but its owner's (an admin may review it once the hand is over).
 */
function checkHandVisibility(state: GameState, views: Map<Viewer, TableView>): void {
  const open = publicSeats(state);
  expect(exposedSeats(state)).toEqual(open);
  const hidden = hiddenSeats(state);
  for (const [viewer, view] of views) {
    for (const seat of open) expect(view.seats[seat]!.holeCards).toEqual(cardTexts(state, seat));
    if (viewer.kind === 'admin' && state.street === 'complete') continue;
    for (const seat of hidden) if (!isOwner(viewer, seat)) expect(view.seats[seat]!.holeCards).toBeNull();
  }
}

/** No event of the whole hand carries a folded or mucked hand to anyone but its owner, admins included. */
function checkHiddenInEvents(state: GameState, handEvents: GameEvent[]): void {
  const hidden = hiddenSeats(state);
  for (const viewer of viewersOf(state)) {
    const heard = JSON.stringify(eventsFor(handEvents, viewer));
    for (const seat of hidden) {
      if (isOwner(viewer, seat)) continue;
      for (const card of cardTexts(state, seat)) expect(heard).not.toContain(`"${card}"`);
    }
  }
}

/**
 * At the end of a hand: hands were exposed exactly when the betting ended with two or more
 * hands live and at most one able to bet, once, after the last action and before the
 * run-out, and none of them was mucked. No chip that nobody matched was in a pot or raked.
 */
function checkHandEnd(state: GameState, handEvents: GameEvent[]): void {
  const result = state.result!;
  const exposures = handEvents.flatMap((e, i) => (e.type === 'hands_exposed' ? [{ e, i }] : []));
  const live = state.dealOrder.filter((i) => state.seats[i]!.inHand && !state.seats[i]!.folded);
  const bettingOver = result.endedBy === 'showdown' && live.filter((i) => !state.seats[i]!.allIn).length <= 1;
  expect(exposures.length).toBe(bettingOver ? 1 : 0);
  if (exposures.length === 1) {
    stats.exposures++;
    const { e, i } = exposures[0]!;
    if (e.type !== 'hands_exposed') throw new Error('unreachable');
    expect(e.hands.map((h) => h.seat)).toEqual(live);
    for (const h of e.hands) expect(h.cards).toEqual(cardTexts(state, h.seat));
    const lastAct = handEvents.map((x) => x.type).lastIndexOf('to_act');
    expect(i).toBeGreaterThan(lastAct);
    const dealtBefore = handEvents.slice(lastAct + 1, i).some((x) => x.type === 'street_dealt');
    expect(dealtBefore).toBe(false);
    expect(result.shown.map((h) => h.seat).sort((a, b) => a - b)).toEqual([...live].sort((a, b) => a - b));
    expect(result.mucked).toEqual([]);
  }
  // Nothing uncalled reached the pots: every live seat's contribution is matched by another
  // seat's (a folded seat's chips are dead money, matched or not: a post folded above short
  // all-in blinds, decision 034). A dead small blind (decision 035) is nobody's bet: only the
  // live part of each contribution is compared, and the dead chips are in the pot all the same.
  const nets = result.seats.map((x) => ({ seat: x.seat, net: x.contributed - x.returned, live: x.contributed - x.returned - state.seats[x.seat]!.dead }));
  for (const { seat, live } of nets) {
    if (state.seats[seat]!.folded) continue;
    expect(live).toBeLessThanOrEqual(Math.max(...nets.filter((o) => o.seat !== seat).map((o) => o.live)));
  }
  const matched = nets.reduce((t, x) => t + x.net, 0);
  expect(result.rake).toBe(result.board.length === 0 ? 0 : rakeFor(matched, state.config.rake));
  if (result.seats.some((x) => x.returned > 0)) stats.returns++;
}

function checkStep(before: number, rakeSoFar: number, state: GameState): void {
  expect(chipsOnTable(state)).toBe(before - rakeSoFar);
  for (const seat of state.seats) if (seat) expect(seat.stack).toBeGreaterThanOrEqual(0);
  for (const pot of state.pots) expect(pot.amount).toBeGreaterThan(0);
}

function runSession(t: Table): void {
  const random = rng(t.seed);
  let state = createGame(configFor(t));
  t.occupied.forEach((on, seat) => {
    if (!on) return;
    const r = apply(state, { type: 'sit', seat, playerId: `p${seat}`, stack: t.stacks[seat]! });
    if (r.ok) state = r.state;
  });
  const initial = state;
  const log: Command[] = [];
  const total = chipsOnTable(state);
  let rake = 0;
  let handEvents: GameEvent[] = [];
  const accept = (command: Command): boolean => {
    const before = structuredClone(state);
    const r = apply(state, command);
    expect(state).toEqual(before);
    if (!r.ok) {
      stats.rejected++;
      return false;
    }
    log.push(command);
    state = r.state;
    const startedAt = r.events.findIndex((e) => e.type === 'hand_started');
    handEvents = startedAt >= 0 ? r.events.slice(startedAt) : [...handEvents, ...r.events];
    if (r.events.some((e) => e.type === 'hand_complete')) {
      checkHandEnd(state, handEvents);
      checkHiddenInEvents(state, handEvents);
      const result = state.result!;
      rake += result.rake;
      stats.hands++;
      if (result.endedBy === 'showdown') stats.showdowns++;
      if (result.pots.length > 1) stats.sidePots++;
      if (result.pots.some((p) => p.winners.length > 1)) stats.splits++;
    }
    checkStep(total, rake, state);
    const views = new Map(viewersOf(state).map((viewer) => [viewer, viewFor(state, viewer)]));
    checkNoLeak(state, r.events, views);
    checkHandVisibility(state, views);
    return true;
  };
  for (let hand = 0; hand < 3; hand++) {
    const deck = shuffledDeck(random);
    // One hand in three at four or more seats has players posting to enter out of position
    // (decisions 034 and 035).
    const posting = random(3) === 0 ? randomPosts(state, `h${hand}`, deck, random) : {};
    if (posting.posts) stats.posted++;
    if (posting.deadSmallBlinds) stats.dead++;
    const started = accept({ type: 'start_hand', handId: `h${hand}`, deck, ...posting });
    if (!started) break;
    for (let steps = 0; state.street !== 'complete'; steps++) {
      if (steps > 500) throw new Error('hand does not end');
      playStep(state, random, accept);
    }
    if (random(2) === 0) for (const seat of state.dealOrder) if (state.seats[seat]?.sittingOut) accept({ type: 'sit_in', seat });
  }
  expect(replay({ initial, commands: log })).toEqual(state);
}

function playStep(state: GameState, random: (n: number) => number, accept: (c: Command) => boolean): void {
  const seat = state.toAct!;
  const legal = legalActions(state, seat);
  expect(legal).not.toBeNull();
  for (const other of state.seats.keys()) if (other !== seat) expect(legalActions(state, other)).toBeNull();
  if (random(4) === 0) {
    const bad = illegalCommands(state, seat, legal!);
    expect(accept(bad[random(bad.length)]!)).toBe(false);
  }
  const command = legalCommand(state, seat, legal!, random);
  expect(accept(command)).toBe(command.type !== 'sit_out' || !state.seats[seat]!.sittingOut);
}

describe('random hands', () => {
  for (const variant of ['NLHE', 'PLO'] as const) {
    it(`${variant}: chips are conserved, rejections change nothing, replay matches, views do not leak, all-in hands are exposed`, () => {
      const before = { ...stats };
      fc.assert(fc.property(tableArb(variant), (t) => runSession(t)), { numRuns: 1500 });
      const hands = stats.hands - before.hands;
      expect(hands).toBeGreaterThan(2000);
      expect(stats.showdowns - before.showdowns).toBeGreaterThan(hands / 10);
      expect(stats.sidePots - before.sidePots).toBeGreaterThan(50);
      expect(stats.splits - before.splits).toBeGreaterThan(10);
      expect(stats.rejected - before.rejected).toBeGreaterThan(1000);
      expect(stats.exposures - before.exposures).toBeGreaterThan(hands / 20);
      expect(stats.returns - before.returns).toBeGreaterThan(hands / 20);
      expect(stats.posted - before.posted).toBeGreaterThan(hands / 50);
      expect(stats.dead - before.dead).toBeGreaterThan(hands / 100);
    });
  }
});
