// Hand history: replaying a log, the PokerStars text that trackers import, and the
// step-by-step replay. Random hands played by the engine (2..10 seats, NLHE and PLO, antes,
// rake, all-ins, side pots, split pots, uncalled bets, timeouts, paced run-outs) are exported
// for every viewer, parsed back with an independent parser of the PokerStars format, and every
// field is checked against the engine: ids, date, stakes, seats, stacks, button, blinds, hole
// cards, each action and amount, the board, pots, rake, winners, and the chips of every seat.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardToString, parseCards, type Card } from '../../server/poker/cards';
import { HOLE_CARDS_BY_VARIANT, boardCardIndexes, holeCardIndex } from '../../server/poker/deal';
import { apply, createGame } from '../../server/poker/game';
import {
  pokerStarsDate,
  pokerStarsHandName,
  replay,
  replayFor,
  replayWithEvents,
  toPokerStarsText,
  type HandRecord,
} from '../../server/poker/history';
import { legalActions } from '../../server/poker/legal';
import type { Command, GameEvent, GameState, HandResult, Variant, Viewer } from '../../server/poker/types';
import { checkChips, easternToUtcMs, parseHand, parseHistoryFile, type PsEvent, type PsHand } from '../support/pokerstars-parser';
import { actionFor, configFor, legalCommand, makeDeck, ok, randomPosts, rng, shuffledDeck, table, tableArb, type Table } from './poker-helpers';

const HANDS_PER_VARIANT = 400;

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

function record(stacks: number[], holes: Record<number, string>, script: string[], config = {}): HandRecord {
  const initial = table(stacks, config);
  const deck = makeDeck(holes, '2c 7d 9h Jc 3s', 0, stacks.length);
  const commands: Command[] = [{ type: 'start_hand', handId: 'H43', deck, button: 0 }];
  let state = ok(initial, commands[0]!);
  for (const text of script) {
    const command = actionFor(state, text);
    commands.push(command);
    state = ok(state, command);
  }
  return { initial, commands, handNumber: '43', tableName: 'T', startedAt: '2026-07-01T12:00:00Z' };
}

const ADMIN: Viewer = { kind: 'admin' };
const SPECTATOR: Viewer = { kind: 'spectator' };
const player = (seat: number): Viewer => ({ kind: 'player', seat });

describe('replaying a log', () => {
  it('reproduces the final state', () => {
    const { initial, commands, final } = scriptedHand();
    expect(final.street).toBe('complete');
    expect(replay({ initial, commands })).toEqual(final);
  });

  it('refuses a corrupt log', () => {
    const { initial, commands } = scriptedHand();
    expect(() => replay({ initial, commands: [...commands, commands[1]!] })).toThrow(/rejected/);
  });

  it('returns the events of every command', () => {
    const { initial, commands } = scriptedHand();
    const { events } = replayWithEvents({ initial, commands });
    expect(events[0]).toMatchObject({ type: 'hand_started', handId: 'H42', button: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'hand_complete', handId: 'H42' });
  });
});

describe('PokerStars dates', () => {
  it('are US Eastern time, daylight time included, hours unpadded', () => {
    expect(pokerStarsDate('2026-12-03T13:37:00Z')).toBe('2026/12/03 8:37:00 ET');
    expect(pokerStarsDate('2026-07-01T12:00:05.900Z')).toBe('2026/07/01 8:00:05 ET');
    expect(pokerStarsDate('2026-01-01T03:04:05Z')).toBe('2025/12/31 22:04:05 ET');
    // 2026: daylight time from 8 March 07:00 UTC to 1 November 06:00 UTC.
    expect(pokerStarsDate('2026-03-08T06:59:59Z')).toBe('2026/03/08 1:59:59 ET');
    expect(pokerStarsDate('2026-03-08T07:00:00Z')).toBe('2026/03/08 3:00:00 ET');
    expect(pokerStarsDate('2026-11-01T05:59:59Z')).toBe('2026/11/01 1:59:59 ET');
    expect(pokerStarsDate('2026-11-01T06:00:00Z')).toBe('2026/11/01 1:00:00 ET');
  });

  it('agree with the time-zone database every few hours over three years', () => {
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 7 * 3_600_000 + 13 * 60_000) {
      const text = pokerStarsDate(new Date(ms).toISOString());
      const zone = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', dateStyle: 'short', timeStyle: 'medium' }).format(ms);
      const [y, mo, d, h, mi, s] = text.match(/\d+/g)!.map(Number) as [number, number, number, number, number, number];
      expect(`${mo}/${d}/${String(y).slice(2)}, ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`, text).toBe(zone);
    }
  });
});

describe('hand names in PokerStars words', () => {
  it.each([
    ['high-card', 'High Card, Ace', 'high card Ace'],
    ['pair', 'Pair of Aces', 'a pair of Aces'],
    ['two-pair', 'Two Pair, Aces and Kings', 'two pair, Aces and Kings'],
    ['three-of-a-kind', 'Three of a Kind, Fours', 'three of a kind, Fours'],
    ['straight', 'Straight, King high', 'a straight, Nine to King'],
    ['straight', 'Straight, Five high', 'a straight, Ace to Five'],
    ['flush', 'Flush, Ace high', 'a flush, Ace high'],
    ['full-house', 'Full House, Kings full of Sevens', 'a full house, Kings full of Sevens'],
    ['four-of-a-kind', 'Four of a Kind, Aces', 'four of a kind, Aces'],
    ['straight-flush', 'Straight Flush, Nine high', 'a straight flush, Five to Nine'],
    ['straight-flush', 'Royal Flush', 'a Royal Flush'],
  ])('%s: %s', (category, name, expected) => {
    expect(pokerStarsHandName(category, name)).toBe(expected);
  });
});

describe('the PokerStars text of a scripted hand', () => {
  it('prints shows and mucks in the order they happened: a hand that cannot win mucks between two shows', () => {
    // Checked down three-handed: seat 1 (kings) shows first, seat 2 (queens) cannot beat them and
    // mucks, seat 0 (aces) shows last.
    const rec = record([1000, 1000, 1000], { 0: 'AsAh', 1: 'KsKh', 2: 'QsQh' }, ['raise 300', 'call', 'call', ...Array.from({ length: 9 }, () => 'check')]);
    const { events } = replayWithEvents(rec);
    expect(events.filter((e) => e.type === 'hand_shown' || e.type === 'hand_mucked').map((e) => `${e.type}:${(e as { seat: number }).seat}`)).toEqual([
      'hand_shown:1', 'hand_mucked:2', 'hand_shown:0',
    ]);
    const lines = toPokerStarsText(rec, SPECTATOR).split('\n').filter((l) => / (shows|mucks hand)/.test(l));
    expect(lines.map((l) => l.split(':')[0] + (l.includes('mucks') ? ' mucks' : ' shows'))).toEqual(['p1 shows', 'p2 mucks', 'p0 shows']);
  });

  it('prints a table name on its one line, whatever it holds (a newline or an override stored before names refused them)', () => {
    const { initial, commands } = scriptedHand();
    const name = "Alpha'\nPokerStars Hand #1: fake\u202Eb";
    const text = toPokerStarsText({ initial, commands, handNumber: '123456789', tableName: name, startedAt: '2026-11-26T23:00:00Z' }, player(1));
    expect(text.split('\n')[1]).toBe("Table 'Alpha' PokerStars Hand #1: fake b' 3-max (Play Money) Seat #1 is the button");
    expect(text.match(/^PokerStars Hand #/gm)).toHaveLength(1);
  });

  it('lists a seat taken but not dealt in as PokerStars does: "is sitting out", in seat order (rules audit F4)', () => {
    // Four seats; seat 2 sits out before the hand. Button 0: small blind 1, big blind 3.
    let initial = table([1000, 1000, 700, 1000]);
    initial = ok(initial, { type: 'sit_out', seat: 2 });
    const deck = makeDeck({ 0: '7c2d', 1: 'KsKh', 3: 'AsAh' }, '2c 7d 9h Jc 3s', 0, 4);
    const commands: Command[] = [{ type: 'start_hand', handId: 'H44', deck, button: 0 }];
    let state = ok(initial, commands[0]!);
    for (const text of ['fold', 'fold']) {
      const command = actionFor(state, text);
      commands.push(command);
      state = ok(state, command);
    }
    const rec = { initial, commands, handNumber: '44', tableName: 'T', startedAt: '2026-07-01T12:00:00Z', names: { 0: 'ann', 1: 'bob', 2: 'cy', 3: 'dee' } };
    const text = toPokerStarsText(rec, SPECTATOR);
    expect(text.split('\n').slice(2, 6)).toEqual([
      'Seat 1: ann (1000 in chips)',
      'Seat 2: bob (1000 in chips)',
      'Seat 3: cy (700 in chips) is sitting out',
      'Seat 4: dee (1000 in chips)',
    ]);
    expect(text).not.toMatch(/cy:/); // no action, post or summary line for the seat not dealt in
    const parsed = parseHand(text);
    expect(parsed.seats.map((s) => [s.name, s.sittingOut])).toEqual([['ann', false], ['bob', false], ['cy', true], ['dee', false]]);
    expect(checkChips(parsed).finalStacks.get('cy')).toBe(700);
  });

  it('is the format, line by line', () => {
    const { initial, commands } = scriptedHand();
    const text = toPokerStarsText({ initial, commands, handNumber: '123456789', tableName: 'Alpha', startedAt: '2026-11-26T23:00:00Z' }, player(1));
    const lines = text.trimEnd().split('\n');
    expect(lines).toEqual([
      "PokerStars Hand #123456789:  Hold'em No Limit (50/100) - 2026/11/26 18:00:00 ET",
      "Table 'Alpha' 3-max (Play Money) Seat #1 is the button",
      'Seat 1: p0 (1000 in chips)',
      'Seat 2: p1 (1000 in chips)',
      'Seat 3: p2 (1000 in chips)',
      'p1: posts small blind 50',
      'p2: posts big blind 100',
      '*** HOLE CARDS ***',
      'Dealt to p1 [Ks Kh]',
      'p0: raises 200 to 300',
      'p1: calls 250',
      'p2: raises 600 to 900',
      'p0: folds',
      'p1: calls 600',
      '*** FLOP *** [2c 7d 9h]',
      'p1: checks',
      'p2: checks',
      '*** TURN *** [2c 7d 9h] [Jc]',
      'p1: checks',
      'p2: checks',
      '*** RIVER *** [2c 7d 9h Jc] [3s]',
      'p1: bets 100 and is all-in',
      'p2: calls 100 and is all-in',
      '*** SHOW DOWN ***',
      'p1: shows [Ks Kh] (a pair of Kings)',
      'p2: shows [As Ah] (a pair of Aces)',
      'p2 collected 2300 from pot',
      '*** SUMMARY ***',
      'Total pot 2300 | Rake 0',
      'Board [2c 7d 9h Jc 3s]',
      'Seat 1: p0 (button) folded before Flop',
      'Seat 2: p1 (small blind) showed [Ks Kh] and lost with a pair of Kings',
      'Seat 3: p2 (big blind) showed [As Ah] and won (2300) with a pair of Aces',
    ]);
  });

  it('gives a spectator no hole cards but the shown ones, and an admin every hand dealt', () => {
    const { initial, commands } = scriptedHand();
    const spectator = toPokerStarsText({ initial, commands }, SPECTATOR);
    expect(spectator).not.toContain('Dealt to');
    expect(spectator).not.toMatch(/7c|2d/); // p0 folded: never shown
    const audit = toPokerStarsText({ initial, commands }, ADMIN);
    for (const line of ['Dealt to p1 [Ks Kh]', 'Dealt to p2 [As Ah]', 'Dealt to p0 [7c 2d]']) expect(audit).toContain(line);
  });

  it('labels one side pot "side pot", and mucks', () => {
    const holes = { 0: 'AsAh', 1: 'KsKh', 2: '8c8d' };
    const text = toPokerStarsText(record([300, 1000, 1000], holes, ['allin', 'call', 'call', 'bet 500', 'call', 'check', 'check', 'check', 'check']), player(2));
    expect(text).toContain('p0: raises 200 to 300 and is all-in');
    expect(text).toContain('p0 collected 900 from main pot');
    expect(text).toContain('p1 collected 1000 from side pot');
    // Seat 1 (first left of the button) shows first; seat 2's eights cannot win anything.
    expect(text).toContain('p2: mucks hand');
    expect(text).toContain('Seat 3: p2 (big blind) mucked [8c 8d]');
    expect(text).toContain('Total pot 1900 Main pot 900. Side pot 1000. | Rake 0');
    expect(toPokerStarsText(record([300, 1000, 1000], holes, ['allin', 'call', 'call', 'bet 500', 'call', 'check', 'check', 'check', 'check']), SPECTATOR)).toContain('Seat 3: p2 (big blind) mucked\n');
  });

  it('prints all-in hands once, at the showdown after the run-out', () => {
    const lines = toPokerStarsText(record([1000, 1000], { 0: 'AsAh', 1: 'KsKh' }, ['allin', 'call']), SPECTATOR).split('\n');
    const from = lines.indexOf('p1: calls 900 and is all-in');
    expect(lines.slice(from)).toEqual([
      'p1: calls 900 and is all-in',
      '*** FLOP *** [2c 7d 9h]',
      '*** TURN *** [2c 7d 9h] [Jc]',
      '*** RIVER *** [2c 7d 9h Jc] [3s]',
      '*** SHOW DOWN ***',
      'p0: shows [As Ah] (a pair of Aces)',
      'p1: shows [Ks Kh] (a pair of Kings)',
      'p0 collected 2000 from pot',
      '*** SUMMARY ***',
      'Total pot 2000 | Rake 0',
      'Board [2c 7d 9h Jc 3s]',
      'Seat 1: p0 (button) (small blind) showed [As Ah] and won (2000) with a pair of Aces',
      'Seat 2: p1 (big blind) showed [Ks Kh] and lost with a pair of Kings',
      '',
    ]);
  });

  it('reports an unmatched ante as an uncalled bet', () => {
    const initial = table([1000, 3], { ante: 5, smallBlind: 5, bigBlind: 10 });
    const deck = makeDeck({ 0: 'KsKh', 1: 'AsAh' }, '2c 7d 9h Jc 3s', 0, 2);
    const text = toPokerStarsText({ initial, commands: [{ type: 'start_hand', handId: 'H44', deck, button: 0 }] }, SPECTATOR);
    expect(text).toContain('p1: posts the ante 3 and is all-in');
    expect(text).toContain('Uncalled bet (7) returned to p0');
    expect(text).toContain('p1 collected 6 from pot');
    expect(text).toContain('Total pot 6 | Rake 0');
    expect(checkChips(parseHand(text)).finalStacks).toEqual(new Map([['p0', 997], ['p1', 6]]));
  });

  it('reports uncalled bets, a win without a showdown, and who did not bet', () => {
    const text = toPokerStarsText(record([1000, 1000, 1000], { 0: 'AsAh', 1: 'KsKh', 2: '8c8d' }, ['fold', 'call', 'check', 'bet 500', 'fold']), SPECTATOR);
    const lines = text.split('\n');
    expect(lines.slice(lines.indexOf('p1: bets 500'))).toEqual([
      'p1: bets 500',
      'p2: folds',
      'Uncalled bet (500) returned to p1',
      'p1 collected 200 from pot',
      "p1: doesn't show hand",
      '*** SUMMARY ***',
      'Total pot 200 | Rake 0',
      'Board [2c 7d 9h]',
      "Seat 1: p0 (button) folded before Flop (didn't bet)",
      'Seat 2: p1 (small blind) collected (200)',
      'Seat 3: p2 (big blind) folded on the Flop',
      '',
    ]);
  });

  it('prints a timeout before the action it forced', () => {
    const r = record([1000, 1000], { 0: 'AsAh', 1: 'KsKh' }, []);
    r.commands.push({ type: 'timeout', seat: 0 });
    expect(toPokerStarsText(r, SPECTATOR)).toContain('p0 has timed out\np0: folds\n');
  });

  it('takes names per seat and refuses a hand number that is not digits', () => {
    const { initial, commands } = scriptedHand();
    const text = toPokerStarsText({ initial, commands, names: { 0: 'alice', 1: 'bob', 2: 'carol' } }, player(0));
    expect(text).toContain('Dealt to alice [7c 2d]');
    expect(text).toContain('Seat 3: carol (big blind) showed [As Ah]');
    expect(() => toPokerStarsText({ initial, commands, handNumber: '1-1-e1' }, SPECTATOR)).toThrow(/digits/);
  });
});

// ---- random hands: export, parse, and check every field against the engine -----------------

interface PlayedHand {
  record: HandRecord;
  state: GameState;
  result: HandResult;
  events: GameEvent[];
}

/**
 * A shuffled deck whose board (Qh Jd Tc 4s 2h: unpaired, no three of a suit) lets nothing beat a
 * straight, and whose first two dealt seats hold Ace-King for Broadway: any showdown they both
 * reach splits. Each card is swapped into its place, so the rest of the deck stays shuffled.
 */
function nutsSplitDeck(players: number, variant: Variant, random: (n: number) => number): Card[] {
  const deck = shuffledDeck(random);
  const holeCount = HOLE_CARDS_BY_VARIANT[variant];
  const place = (position: number, card: Card) => {
    const from = deck.indexOf(card);
    [deck[position], deck[from]] = [card, deck[position]!];
  };
  parseCards('Qh Jd Tc 4s 2h').forEach((card, i) => place(boardCardIndexes(players, holeCount)[i]!, card));
  [parseCards('Ac Kd'), parseCards('Ah Ks')].forEach((cards, k) => cards.forEach((card, round) => place(holeCardIndex(players, holeCount, k, round), card)));
  return deck;
}

const stats = { hands: 0, posted: 0, dead: 0, rigged: 0, showdowns: 0, sidePots: 0, splits: 0, uncalled: 0, allIns: 0, timeouts: 0, paced: 0, rake: 0, exports: 0 };

/** One hand at a random table, played to the end by random legal commands; null when no hand could start. */
function playHand(t: Table, hand: number): PlayedHand | null {
  const random = rng(t.seed);
  const paced = random(2) === 0;
  let state = createGame({ ...configFor(t), ...(paced ? { pacedRunOut: true } : {}) });
  t.occupied.forEach((on, seat) => {
    if (on) state = ok(state, { type: 'sit', seat, playerId: `p${seat}`, stack: t.stacks[seat]! });
  });
  const initial = state;
  const commands: Command[] = [];
  const accept = (command: Command): boolean => {
    const r = apply(state, command);
    if (!r.ok) return false;
    commands.push(command);
    state = r.state;
    return true;
  };
  // One hand in eight is dealt so that the first two seats hold the nuts together: split pots are
  // rare in random PLO deals (a run of 400 hands can hold none), and the floor below asks for one.
  const players = t.occupied.filter(Boolean).length;
  const rigged = random(8) === 0 && players >= 2;
  if (rigged) stats.rigged++;
  const deck = rigged ? nutsSplitDeck(players, t.variant, random) : shuffledDeck(random);
  // One hand in four at a table of four or more has players posting to enter out of position
  // (decisions 034 and 035).
  const posting = players >= 4 && random(4) === 0 ? randomPosts(state, `h${hand}`, deck, random) : {};
  if (!accept({ type: 'start_hand', handId: `h${hand}`, deck, ...posting })) return null;
  if (posting.posts) stats.posted++;
  if (posting.deadSmallBlinds) stats.dead++;
  for (let steps = 0; state.street !== 'complete'; steps++) {
    if (steps > 500) throw new Error('hand does not end');
    if (state.toAct === null) accept({ type: 'run_out' });
    else accept(legalCommand(state, state.toAct, legalActions(state, state.toAct)!, random));
  }
  const names = Object.fromEntries(state.seats.flatMap((s, seat) => (s ? [[seat, `user_${seat}-${t.seed & 0xff}`]] : [])));
  const startedAt = new Date(Date.UTC(2025, 0, 1) + (t.seed >>> 0) * 1_000).toISOString();
  const recordOut: HandRecord = { initial, commands, handNumber: String(1_000_000 + hand), tableName: `Table ${t.seed & 0xff}`, startedAt, names };
  const { events } = replayWithEvents(recordOut);
  stats.hands++;
  if (paced) stats.paced++;
  return { record: recordOut, state, result: state.result!, events };
}

function viewersOf(state: GameState): Viewer[] {
  return [SPECTATOR, ADMIN, ...state.dealOrder.map(player)];
}

/** Hole cards the viewer may read: their own (or all, for an admin), and the shown hands. */
function visibleSeats(played: PlayedHand, viewer: Viewer): Set<number> {
  const shown = played.result.shown.map((h) => h.seat);
  if (viewer.kind === 'admin') return new Set(played.state.dealOrder);
  return new Set([...shown, ...(viewer.kind === 'player' ? [viewer.seat] : [])]);
}

const STREET_OF: Record<string, 'flop' | 'turn' | 'river'> = { flop: 'flop', turn: 'turn', river: 'river' };

/** The engine's events in the parser's terms, in order. */
function expectedEvents(played: PlayedHand, viewer: Viewer, name: (seat: number) => string): PsEvent[] {
  const out: PsEvent[] = [];
  let street: 'preflop' | 'flop' | 'turn' | 'river' = 'preflop';
  let level = 0;
  let timedOut = false;
  for (const e of played.events) {
    if (e.type === 'hand_complete') break;
    if (e.type === 'blinds_posted') {
      const kind = ({ ante: 'ante', small_blind: 'small blind', big_blind: 'big blind', small_and_big_blinds: 'small & big blinds' } as const)[e.kind];
      out.push({ type: 'post', name: name(e.seat), kind, amount: e.amount, allIn: e.allIn });
    } else if (e.type === 'hand_started') {
      level = e.bigBlind;
    } else if (e.type === 'hole_cards' && (viewer.kind === 'admin' || (viewer.kind === 'player' && viewer.seat === e.seat))) {
      out.push({ type: 'dealt', name: name(e.seat), cards: e.cards });
    } else if (e.type === 'action') {
      const kind = e.action;
      const amount = kind === 'raise' ? e.betTo - level : kind === 'bet' ? e.betTo : e.amount;
      out.push({ type: 'action', street, name: name(e.seat), kind, amount, ...(kind === 'raise' ? { to: e.betTo } : {}), allIn: e.allIn, timedOut: e.timedOut });
      timedOut ||= e.timedOut;
      level = Math.max(level, e.betTo);
    } else if (e.type === 'uncalled_returned') {
      out.push({ type: 'uncalled', street, name: name(e.seat), amount: e.amount });
    } else if (e.type === 'street_dealt') {
      street = STREET_OF[e.street]!;
      level = 0;
      out.push({ type: 'street', street: e.street, cards: e.cards });
    } else if (e.type === 'hand_shown') {
      out.push({ type: 'show', name: name(e.seat), cards: e.cards, description: pokerStarsHandName(e.category, e.name) });
    } else if (e.type === 'hand_mucked') {
      out.push({ type: 'muck', name: name(e.seat) });
    } else if (e.type === 'pot_awarded') {
      const count = played.result.pots.length;
      const pot = count === 1 ? 'pot' : e.potIndex === 0 ? 'main pot' : count === 2 ? 'side pot' : `side pot-${e.potIndex}`;
      for (const w of e.winners) out.push({ type: 'collected', name: name(w.seat), amount: w.amount, pot });
    }
  }
  if (timedOut) stats.timeouts++;
  // The antes are listed by seat number, as PokerStars lists them (the engine posts them in deal order).
  const antes = out.flatMap((e, i) => (e.type === 'post' && e.kind === 'ante' ? [i] : []));
  if (antes.length > 0) {
    const seatOf = (e: PsEvent) => played.state.seats.findIndex((s, seat) => s !== null && name(seat) === (e as { name: string }).name);
    const sorted = antes.map((i) => out[i]!).sort((a, b) => seatOf(a) - seatOf(b));
    antes.forEach((i, k) => (out[i] = sorted[k]!));
  }
  // The pots are collected from the last side pot back to the main pot, as PokerStars prints them.
  const pots = ['main pot', 'side pot', ...Array.from({ length: 9 }, (_, k) => `side pot-${k + 1}`)];
  const collects = out.flatMap((e, i) => (e.type === 'collected' ? [i] : []));
  const potRank = (e: PsEvent) => -pots.indexOf((e as { pot: string }).pot);
  const byPot = collects.map((i) => out[i]!).sort((a, b) => potRank(a) - potRank(b));
  collects.forEach((i, k) => (out[i] = byPot[k]!));
  if (played.result.endedBy === 'fold') for (const s of played.result.seats) if (s.won > 0) out.push({ type: 'doesnt_show', name: name(s.seat) });
  return out;
}

function checkSummary(parsed: PsHand, played: PlayedHand, viewer: Viewer, name: (seat: number) => string): void {
  const { result, state } = played;
  expect(parsed.summary.totalPot).toBe(result.pots.reduce((t, p) => t + p.amount, 0));
  // PokerStars prints each pot after its rake: main + side pots + rake = total pot.
  expect(parsed.summary.pots).toEqual(result.pots.length === 1 ? [result.pots[0]!.amount] : result.pots.map((p) => p.amount - p.rake));
  expect(parsed.summary.rake).toBe(result.rake);
  if (result.pots.length > 1) expect(parsed.summary.pots.reduce((t, p) => t + p, 0) + parsed.summary.rake).toBe(parsed.summary.totalPot);
  expect(parsed.summary.board).toEqual(result.board.length > 0 ? result.board.map(cardToString) : null);
  expect(parsed.summary.seats.map((s) => s.seat)).toEqual([...result.seats].map((s) => s.seat + 1).sort((a, b) => a - b));
  for (const row of parsed.summary.seats) {
    const seat = row.seat - 1;
    const r = result.seats.find((s) => s.seat === seat)!;
    expect(row.name).toBe(name(seat));
    const roles = [seat === state.button && 'button', seat === state.smallBlindSeat && 'small blind', seat === state.bigBlindSeat && 'big blind'].filter(Boolean);
    expect(row.roles).toEqual(roles);
    const shown = result.shown.find((h) => h.seat === seat);
    const o = row.outcome;
    if (shown) {
      const potWinner = result.pots.some((p) => p.winners.some((w) => w.seat === seat));
      expect(o).toEqual({ kind: 'showed', cards: shown.cards.map(cardToString), won: potWinner ? r.won : null, description: pokerStarsHandName(shown.category, shown.name) });
    } else if (result.mucked.includes(seat)) {
      const own = (viewer.kind === 'player' && viewer.seat === seat) || viewer.kind === 'admin';
      expect(o).toEqual({ kind: 'mucked', cards: own ? state.seats[seat]!.holeCards.map(cardToString) : null });
    } else if (r.won > 0) {
      expect(o).toEqual({ kind: 'collected', amount: r.won });
    } else {
      expect(o.kind).toBe('folded');
      expect(state.seats[seat]!.folded).toBe(true);
    }
  }
}

/** 1:00-2:00 EST on the first Sunday of November (06:00-07:00 UTC): its wall clock also names the hour before. */
function inRepeatedEasternHour(ms: number): boolean {
  const year = new Date(ms).getUTCFullYear();
  let day = 1;
  while (new Date(Date.UTC(year, 10, day)).getUTCDay() !== 0) day++;
  const start = Date.UTC(year, 10, day, 6);
  return ms >= start && ms < start + 3_600_000;
}

/** Every field of one viewer's export against the engine. */
function checkExport(played: PlayedHand, viewer: Viewer): void {
  const { record: rec, state, result } = played;
  const text = toPokerStarsText(rec, viewer);
  const parsed = parseHand(text);
  const started = played.events.find((e) => e.type === 'hand_started')!;
  if (started.type !== 'hand_started') throw new Error('no hand');
  const name = (seat: number) => rec.names![seat]!;
  stats.exports++;

  expect(parsed.id).toBe(rec.handNumber);
  const startedMs = Math.floor(Date.parse(rec.startedAt!) / 1000) * 1000;
  // "ET" carries no offset: in the hour that repeats when daylight time ends, the text names
  // two instants, and a reader (ours, and a tracker's) takes the first, the EDT one.
  expect(parsed.utcMs).toBe(inRepeatedEasternHour(startedMs) ? startedMs - 3_600_000 : startedMs);
  expect(parsed.game).toBe(state.config.variant === 'PLO' ? 'Omaha Pot Limit' : "Hold'em No Limit");
  expect([parsed.smallBlind, parsed.bigBlind, parsed.currency]).toEqual([state.config.smallBlind, state.config.bigBlind, null]);
  expect([parsed.table, parsed.maxSeats, parsed.playMoney, parsed.button]).toEqual([rec.tableName, state.config.maxSeats, true, started.button + 1]);
  // Every seat taken: those dealt in, and those not ("is sitting out") with their stacks before the hand.
  const dealtIn = new Set(started.seats.map((s) => s.seat));
  const notDealt = rec.initial.seats.flatMap((s, seat) => (s && !dealtIn.has(seat) ? [{ seat: seat + 1, name: name(seat), stack: s.stack, sittingOut: true }] : []));
  expect(parsed.seats).toEqual([...started.seats.map((s) => ({ seat: s.seat + 1, name: name(s.seat), stack: s.stack, sittingOut: false })), ...notDealt].sort((a, b) => a.seat - b.seat));
  expect(parsed.events).toEqual(expectedEvents(played, viewer, name));
  expect(parsed.board).toEqual(result.board.map(cardToString));
  checkSummary(parsed, played, viewer, name);

  // Never an unshown card of another player, anywhere in the text.
  const visible = visibleSeats(played, viewer);
  const printed = new Set([...text.matchAll(/\[([^\]]+)\]/g)].flatMap((m) => m[1]!.split(' ')));
  for (const seat of state.dealOrder) {
    if (visible.has(seat)) continue;
    for (const card of state.seats[seat]!.holeCards.map(cardToString)) expect(printed.has(card), `seat ${seat}'s ${card} for ${JSON.stringify(viewer)}`).toBe(false);
  }

  // Chips: the text's own arithmetic gives every seat's stack after the hand, as the engine settled it.
  const chips = checkChips(parsed);
  for (const r of result.seats) {
    expect(chips.finalStacks.get(name(r.seat)), `${name(r.seat)}'s stack`).toBe(r.endStack);
    expect(chips.invested.get(name(r.seat)) ?? 0).toBe(r.contributed - r.returned);
    expect(chips.collected.get(name(r.seat)) ?? 0).toBe(r.won);
  }
}

function noteStats(played: PlayedHand): void {
  const { result, events } = played;
  if (result.endedBy === 'showdown') stats.showdowns++;
  if (result.pots.length > 1) stats.sidePots++;
  if (result.pots.some((p) => p.winners.length > 1)) stats.splits++;
  if (events.some((e) => e.type === 'uncalled_returned')) stats.uncalled++;
  if (events.some((e) => (e.type === 'action' || e.type === 'blinds_posted') && e.allIn)) stats.allIns++;
  if (result.rake > 0) stats.rake++;
}

describe('the PokerStars text of random hands round-trips through the parser', () => {
  for (const variant of ['NLHE', 'PLO'] as Variant[]) {
    it(`${variant}: every field, for every viewer`, () => {
      const before = { ...stats };
      let hand = 0;
      fc.assert(
        fc.property(tableArb(variant), (t) => {
          const played = playHand(t, hand++);
          if (!played) return;
          noteStats(played);
          for (const viewer of viewersOf(played.state)) checkExport(played, viewer);
        }),
        { numRuns: HANDS_PER_VARIANT },
      );
      const hands = stats.hands - before.hands;
      // A generator that stops reaching the interesting cases fails here rather than passing quietly.
      expect(hands).toBeGreaterThan(HANDS_PER_VARIANT / 2);
      expect(stats.showdowns - before.showdowns).toBeGreaterThan(hands / 10);
      expect(stats.sidePots - before.sidePots).toBeGreaterThan(hands / 30);
      expect(stats.splits - before.splits).toBeGreaterThan(0);
      expect(stats.uncalled - before.uncalled).toBeGreaterThan(hands / 10);
      expect(stats.allIns - before.allIns).toBeGreaterThan(hands / 10);
      expect(stats.timeouts - before.timeouts).toBeGreaterThan(0);
      expect(stats.paced - before.paced).toBeGreaterThan(hands / 4);
      expect(stats.rake - before.rake).toBeGreaterThan(hands / 10);
      expect(stats.posted - before.posted).toBeGreaterThan(hands / 40);
      expect(stats.dead - before.dead).toBeGreaterThan(hands / 100);
    });
  }

  it('a file of hands parses back hand by hand', () => {
    const hands = fc.sample(tableArb('NLHE'), { seed: 7, numRuns: 40 }).flatMap((t, i) => playHand(t, i) ?? []).slice(0, 5);
    expect(hands).toHaveLength(5);
    const file = hands.map((h) => toPokerStarsText(h.record, SPECTATOR)).join('\n\n');
    expect(parseHistoryFile(file).map((h) => h.id)).toEqual(hands.map((h) => h.record.handNumber));
  });
});

// ---- the replay -------------------------------------------------------------------------

describe('the replay of a hand', () => {
  it('steps through every action in order with the board, the pot and the stacks', () => {
    const { initial, commands } = scriptedHand();
    const r = replayFor({ initial, commands }, player(1));
    expect(r.button).toBe(0);
    expect(r.seats.map((s) => [s.seat, s.stack, s.holeCards])).toEqual([[0, 1000, null], [1, 1000, null], [2, 1000, null]]);
    expect(r.steps.map((s) => s.lines.join(' | '))).toEqual([
      'p1: posts small blind 50',
      'p2: posts big blind 100',
      'Dealt to p1 [Ks Kh]',
      'p0: raises 200 to 300',
      'p1: calls 250',
      'p2: raises 600 to 900',
      'p0: folds',
      'p1: calls 600',
      '*** FLOP *** [2c 7d 9h]',
      'p1: checks',
      'p2: checks',
      '*** TURN *** [2c 7d 9h] [Jc]',
      'p1: checks',
      'p2: checks',
      '*** RIVER *** [2c 7d 9h Jc] [3s]',
      'p1: bets 100 and is all-in',
      'p2: calls 100 and is all-in',
      'p1: shows [Ks Kh] (a pair of Kings)',
      'p2: shows [As Ah] (a pair of Aces)',
      'p2 collected 2300 from pot',
    ]);
    const at = (line: string) => r.steps.find((s) => s.lines[0] === line)!;
    expect(at('p1: calls 250').pot).toBe(700);
    expect(at('p1: calls 250').seats.find((s) => s.seat === 1)).toMatchObject({ stack: 700, bet: 300 });
    expect(at('*** FLOP *** [2c 7d 9h]')).toMatchObject({ street: 'flop', pot: 2100, board: ['2c', '7d', '9h'] });
    expect(at('*** FLOP *** [2c 7d 9h]').seats.every((s) => s.bet === 0)).toBe(true);
    expect(at('p2 collected 2300 from pot')).toMatchObject({ street: 'showdown', pot: 0 });
    expect(at('p2 collected 2300 from pot').seats.find((s) => s.seat === 2)!.stack).toBe(2300);
    expect(r.potTotal).toBe(2300);
  });

  it('shows all-in hands as they are turned up, before the run-out', () => {
    const r = replayFor(record([1000, 1000], { 0: 'AsAh', 1: 'KsKh' }, ['allin', 'call']), SPECTATOR);
    const lines = r.steps.map((s) => s.lines.join(' | '));
    expect(lines.indexOf('p1: shows [Ks Kh] (all-in) | p0: shows [As Ah] (all-in)')).toBeLessThan(lines.indexOf('*** FLOP *** [2c 7d 9h]'));
    expect(lines).toContain('*** HOLE CARDS ***'); // a spectator's deal: no cards
    const exposed = r.steps.find((s) => s.kind === 'exposed')!;
    expect(exposed.seats.map((s) => s.holeCards)).toEqual([['As', 'Ah'], ['Ks', 'Kh']]);
  });

  it('keeps chips constant through every step of random hands, and never shows a card the viewer may not see', () => {
    let hand = 0;
    let checked = 0;
    fc.assert(
      fc.property(tableArb('NLHE'), (t) => {
        const played = playHand(t, hand++);
        if (!played) return;
        const total = played.result.seats.reduce((sum, s) => sum + s.startStack, 0);
        for (const viewer of viewersOf(played.state)) {
          const r = replayFor(played.record, viewer);
          const visible = visibleSeats(played, viewer.kind === 'admin' ? SPECTATOR : viewer);
          const json = JSON.stringify(r);
          for (const seat of played.state.dealOrder) {
            if (visible.has(seat)) continue;
            for (const card of played.state.seats[seat]!.holeCards.map(cardToString)) expect(json).not.toContain(`"${card}"`);
          }
          // Each action of the PokerStars text is a step of the replay, in the same order.
          const actions = (text: string[]) => text.filter((l) => /: (folds|checks|calls|bets|raises)/.test(l));
          const textLines = toPokerStarsText(played.record, viewer.kind === 'admin' ? SPECTATOR : viewer).split('\n');
          expect(actions(r.steps.flatMap((s) => s.lines))).toEqual(actions(textLines));
          // Until the pots are paid (less the rake), every chip is in a stack or in the middle.
          for (const step of r.steps.filter((s) => s.kind !== 'collect')) {
            expect(step.pot + step.seats.reduce((sum, s) => sum + s.stack, 0), step.lines.join()).toBe(total);
          }
          expect(r.steps.at(-1)!.seats.map((s) => s.stack)).toEqual([...played.result.seats].sort((a, b) => a.seat - b.seat).map((s) => s.endStack));
          checked++;
        }
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(300);
  });
});
