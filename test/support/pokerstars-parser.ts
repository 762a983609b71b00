// A strict parser of PokerStars hand histories (cash games, Hold'em and Omaha), written from
// the published text format that tracking tools read, independently of our exporter, plus a
// check of the chips: every amount follows from the betting rules that the text implies.
// Any line it does not know is an error, so a history that it parses has only lines of the
// format. Amounts are integers: play chips as written, dollars as cents.

export type PsStreet = 'preflop' | 'flop' | 'turn' | 'river';

export interface PsSeat {
  seat: number;
  name: string;
  stack: number;
  /** "is sitting out": seated, not dealt in. */
  sittingOut: boolean;
}

export interface PsPost {
  name: string;
  /** 'small & big blinds': a missed small blind posted dead (in no bet) with a live big blind. */
  kind: 'ante' | 'small blind' | 'big blind' | 'small & big blinds';
  amount: number;
  allIn: boolean;
}

export interface PsAction {
  street: PsStreet;
  name: string;
  kind: 'fold' | 'check' | 'call' | 'bet' | 'raise';
  /** Chips added for a call, the size of a bet, the increment of a raise. */
  amount: number;
  /** A raise's total bet on the street. */
  to?: number;
  allIn: boolean;
  timedOut: boolean;
}

/** Every line between the seats and the summary, in order. */
export type PsEvent =
  | ({ type: 'post' } & PsPost)
  | { type: 'dealt'; name: string; cards: string[] }
  | ({ type: 'action' } & PsAction)
  | { type: 'uncalled'; street: PsStreet; name: string; amount: number }
  | { type: 'street'; street: Exclude<PsStreet, 'preflop'>; cards: string[] }
  | { type: 'show'; name: string; cards: string[]; description: string }
  | { type: 'muck'; name: string }
  | { type: 'collected'; name: string; amount: number; pot: string }
  | { type: 'doesnt_show'; name: string };

export type PsOutcome =
  | { kind: 'folded'; street: PsStreet; didntBet: boolean }
  | { kind: 'showed'; cards: string[]; won: number | null; description: string }
  | { kind: 'collected'; amount: number }
  | { kind: 'mucked'; cards: string[] | null };

export interface PsSummarySeat {
  seat: number;
  name: string;
  roles: ('button' | 'small blind' | 'big blind')[];
  outcome: PsOutcome;
}

export interface PsHand {
  id: string;
  game: "Hold'em No Limit" | 'Omaha Pot Limit';
  smallBlind: number;
  bigBlind: number;
  /** 'USD' for a real-money game, null for play chips. */
  currency: 'USD' | null;
  /** The Eastern time as printed, and the instant it stands for. */
  et: string;
  utcMs: number;
  table: string;
  maxSeats: number;
  playMoney: boolean;
  /** 1-based, as printed. */
  button: number;
  seats: PsSeat[];
  events: PsEvent[];
  board: string[];
  summary: {
    totalPot: number;
    /** Main pot, then side pots, each after its rake; one entry (the total pot) when there was one pot. */
    pots: number[];
    rake: number;
    board: string[] | null;
    seats: PsSummarySeat[];
  };
}

const CARD = '[2-9TJQKA][cdhs]';
const CARDS = `\\[((?:${CARD} ?)+)\\]`;
const AMOUNT = '(\\$?\\d+(?:\\.\\d{1,2})?)';

/** A card list "[Ah Kd]"'s inside as cards; throws unless every card is well formed. */
function cardsOf(text: string): string[] {
  const cards = text.trim().split(' ');
  for (const c of cards) if (!new RegExp(`^${CARD}$`).test(c)) throw new Error(`not a card: ${c}`);
  return cards;
}

class Reader {
  constructor(
    private readonly lines: string[],
    private readonly currency: 'USD' | null,
    public at = 0,
  ) {}

  peek(): string | undefined {
    return this.lines[this.at];
  }

  next(): string {
    const line = this.lines[this.at++];
    if (line === undefined) throw new Error('the hand ends too early');
    return line;
  }

  fail(message: string): never {
    throw new Error(`line ${this.at}: ${message}: ${JSON.stringify(this.lines[this.at - 1])}`);
  }

  /** An amount as written: chips, or "$1.50" as 150 cents (only in a dollar game). */
  amount(text: string): number {
    const dollars = text.startsWith('$');
    if (dollars !== (this.currency === 'USD')) this.fail(`amount ${text} in a ${this.currency ?? 'play money'} game`);
    if (!dollars) {
      if (!/^\d+$/.test(text)) this.fail(`chips are whole: ${text}`);
      return Number(text);
    }
    const [whole, cents = ''] = text.slice(1).split('.');
    return Number(whole) * 100 + Number(cents.padEnd(2, '0'));
  }
}

/** The instant of an Eastern-time wall clock, by the time-zone database (daylight time included). */
export function easternToUtcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  for (const offsetHours of [4, 5]) {
    const candidate = wall + offsetHours * 3_600_000;
    const parts = Object.fromEntries(format.formatToParts(new Date(candidate)).map((p) => [p.type, Number(p.value)]));
    if (parts.year === y && parts.month === mo && parts.day === d && parts.hour === h && parts.minute === mi && parts.second === s) return candidate;
  }
  throw new Error(`not an Eastern time: ${y}/${mo}/${d} ${h}:${mi}:${s}`);
}

const HEADER = new RegExp(
  `^PokerStars Hand #(\\d+): {2}(Hold'em No Limit|Omaha Pot Limit) \\(${AMOUNT}/${AMOUNT}( USD)?\\) - (?:(\\d{4}/\\d{2}/\\d{2} \\d{1,2}:\\d{2}:\\d{2}) [A-Z]{2,5} \\[)?(\\d{4})/(\\d{2})/(\\d{2}) (\\d{1,2}):(\\d{2}):(\\d{2}) ET\\]?$`,
);

function parseHeader(line: string): Pick<PsHand, 'id' | 'game' | 'currency' | 'et' | 'utcMs'> & { blinds: [string, string] } {
  const m = HEADER.exec(line);
  if (!m) throw new Error(`not a PokerStars cash-game header: ${JSON.stringify(line)}`);
  const [, id, game, sb, bb, usd, local, y, mo, d, h, mi, s] = m;
  if (local !== undefined && !line.endsWith(' ET]')) throw new Error(`a local time is followed by the Eastern one in brackets: ${line}`);
  if (h!.length === 2 && h!.startsWith('0')) throw new Error(`PokerStars does not pad hours: ${line}`);
  const et = `${y}/${mo}/${d} ${h}:${mi}:${s} ET`;
  return {
    id: id!, game: game as PsHand['game'], currency: usd ? 'USD' : null, et,
    utcMs: easternToUtcMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)), blinds: [sb!, bb!],
  };
}

const TABLE = /^Table '(.+)' (\d+)-max( \(Play Money\))? Seat #(\d+) is the button$/;
const SEAT = new RegExp(`^Seat (\\d+): (.+) \\(${AMOUNT} in chips\\)( is sitting out)?$`);
const POST = new RegExp(`^(.+): posts (the ante|small & big blinds|small blind|big blind) ${AMOUNT}( and is all-in)?$`);
const DEALT = new RegExp(`^Dealt to (.+) ${CARDS}$`);
const ACTION = new RegExp(`^(.+): (folds|checks|calls ${AMOUNT}|bets ${AMOUNT}|raises ${AMOUNT} to ${AMOUNT})( and is all-in)?$`);
const TIMED_OUT = /^(.+) has timed out$/;
const UNCALLED = new RegExp(`^Uncalled bet \\(${AMOUNT}\\) returned to (.+)$`);
const STREET = new RegExp(`^\\*\\*\\* (FLOP|TURN|RIVER) \\*\\*\\* ${CARDS}(?: ${CARDS})?$`);
const SHOWS = new RegExp(`^(.+): shows ${CARDS} \\((.+)\\)$`);
const MUCKS = /^(.+): mucks hand$/;
const COLLECTED = new RegExp(`^(.+) collected ${AMOUNT} from (pot|main pot|side pot|side pot-\\d+)$`);
const DOESNT_SHOW = /^(.+): doesn't show hand$/;
const TOTAL = new RegExp(`^Total pot ${AMOUNT}((?: (?:Main pot|Side pot|Side pot-\\d+) \\$?[\\d.]+\\.)*) \\| Rake ${AMOUNT}$`);
const SUMMARY_SEAT = /^Seat (\d+): (.+?)((?: \((?:button|small blind|big blind)\))*) (folded (?:before Flop|on the Flop|on the Turn|on the River)(?: \(didn't bet\))?|showed .+|collected \(.+\)|mucked(?: .+)?)$/;

const FOLDED_ON: Record<string, PsStreet> = { 'before Flop': 'preflop', 'on the Flop': 'flop', 'on the Turn': 'turn', 'on the River': 'river' };

function parseOutcome(r: Reader, text: string): PsOutcome {
  let m = /^folded (before Flop|on the Flop|on the Turn|on the River)( \(didn't bet\))?$/.exec(text);
  if (m) return { kind: 'folded', street: FOLDED_ON[m[1]!]!, didntBet: m[2] !== undefined };
  m = new RegExp(`^showed ${CARDS} and (?:won \\(${AMOUNT}\\)|lost) with (.+)$`).exec(text);
  if (m) return { kind: 'showed', cards: cardsOf(m[1]!), won: m[2] === undefined ? null : r.amount(m[2]), description: m[3]! };
  m = new RegExp(`^collected \\(${AMOUNT}\\)$`).exec(text);
  if (m) return { kind: 'collected', amount: r.amount(m[1]!) };
  m = new RegExp(`^mucked(?: ${CARDS})?$`).exec(text);
  if (m) return { kind: 'mucked', cards: m[1] ? cardsOf(m[1]) : null };
  return r.fail('not a seat outcome');
}

/** One line of play (between the seat lines and the summary), or null for a section header. */
function parsePlayLine(r: Reader, line: string, street: PsStreet, timedOut: Set<string>): PsEvent | null {
  let m: RegExpExecArray | null;
  if ((m = POST.exec(line))) {
    const kind = m[2] === 'the ante' ? 'ante' : (m[2] as 'small blind' | 'big blind' | 'small & big blinds');
    return { type: 'post', name: m[1]!, kind, amount: r.amount(m[3]!), allIn: m[4] !== undefined };
  }
  if ((m = DEALT.exec(line))) return { type: 'dealt', name: m[1]!, cards: cardsOf(m[2]!) };
  if ((m = TIMED_OUT.exec(line))) {
    timedOut.add(m[1]!);
    return null;
  }
  if ((m = ACTION.exec(line))) {
    const [, name, verb, call, bet, by, to, allIn] = m;
    const wasTimedOut = timedOut.delete(name!);
    const base = { type: 'action' as const, street, name: name!, allIn: allIn !== undefined, timedOut: wasTimedOut };
    if (verb === 'folds' || verb === 'checks') {
      if (allIn) r.fail('a fold or a check puts no chips in');
      return { ...base, kind: verb === 'folds' ? 'fold' : 'check', amount: 0 };
    }
    if (call !== undefined) return { ...base, kind: 'call', amount: r.amount(call) };
    if (bet !== undefined) return { ...base, kind: 'bet', amount: r.amount(bet) };
    return { ...base, kind: 'raise', amount: r.amount(by!), to: r.amount(to!) };
  }
  if ((m = UNCALLED.exec(line))) return { type: 'uncalled', street, amount: r.amount(m[1]!), name: m[2]! };
  if ((m = SHOWS.exec(line))) return { type: 'show', name: m[1]!, cards: cardsOf(m[2]!), description: m[3]! };
  if ((m = MUCKS.exec(line))) return { type: 'muck', name: m[1]! };
  if ((m = COLLECTED.exec(line))) return { type: 'collected', name: m[1]!, amount: r.amount(m[2]!), pot: m[3]! };
  if ((m = DOESNT_SHOW.exec(line))) return { type: 'doesnt_show', name: m[1]! };
  return r.fail('not a line of the PokerStars format');
}

function parseSummary(r: Reader): PsHand['summary'] {
  const total = TOTAL.exec(r.next()) ?? r.fail('not the total pot');
  const pots = [...(total[2] ?? '').matchAll(/(?:Main pot|Side pot|Side pot-\d+) (\$?[\d.]+)\./g)].map((p) => r.amount(p[1]!));
  const summary: PsHand['summary'] = { totalPot: r.amount(total[1]!), pots: pots.length > 0 ? pots : [r.amount(total[1]!)], rake: r.amount(total[3]!), board: null, seats: [] };
  if (r.peek()?.startsWith('Board ')) {
    const board = new RegExp(`^Board ${CARDS}$`).exec(r.next()) ?? r.fail('not a board');
    summary.board = cardsOf(board[1]!);
  }
  while (r.peek() !== undefined && r.peek() !== '') {
    const m = SUMMARY_SEAT.exec(r.next()) ?? r.fail('not a summary seat line');
    const roles = [...m[3]!.matchAll(/\((button|small blind|big blind)\)/g)].map((x) => x[1] as PsSummarySeat['roles'][number]);
    summary.seats.push({ seat: Number(m[1]), name: m[2]!, roles, outcome: parseOutcome(r, m[4]!) });
  }
  return summary;
}

/** The street a section header opens, checking that its cards continue the board. */
function openStreet(r: Reader, line: string, board: string[]): PsEvent {
  const m = STREET.exec(line) ?? r.fail('not a street');
  const street = m[1]!.toLowerCase() as 'flop' | 'turn' | 'river';
  const [before, added] = m[3] === undefined ? [[], cardsOf(m[2]!)] : [cardsOf(m[2]!), cardsOf(m[3])];
  const expected = { flop: [0, 3], turn: [3, 1], river: [4, 1] }[street];
  if (before.join(' ') !== board.join(' ') || board.length !== expected[0] || added.length !== expected[1]) r.fail('the board does not continue');
  board.push(...added);
  return { type: 'street', street, cards: added };
}

/** Parses one hand (the text of one hand, without the blank lines around it). */
export function parseHand(text: string): PsHand {
  const lines = text.replace(/\r\n/g, '\n').replace(/^\uFEFF/, '').replace(/\n+$/, '').split('\n');
  const head = parseHeader(lines[0] ?? '');
  const r = new Reader(lines, head.currency, 1);
  const table = TABLE.exec(r.next()) ?? r.fail('not a table line');
  const seats: PsSeat[] = [];
  while (SEAT.test(r.peek() ?? '')) {
    const m = SEAT.exec(r.next())!;
    seats.push({ seat: Number(m[1]), name: m[2]!, stack: r.amount(m[3]!), sittingOut: m[4] !== undefined });
  }
  const events: PsEvent[] = [];
  const board: string[] = [];
  const timedOut = new Set<string>();
  let street: PsStreet = 'preflop';
  let holeCards = false;
  for (let line = r.next(); line !== '*** SUMMARY ***'; line = r.next()) {
    if (line === '*** HOLE CARDS ***') {
      if (holeCards) r.fail('hole cards twice');
      holeCards = true;
    } else if (line === '*** SHOW DOWN ***') {
      if (timedOut.size > 0) r.fail('a timeout with no action');
    } else if (line.startsWith('*** ')) {
      const opened = openStreet(r, line, board);
      street = (opened as { street: PsStreet }).street;
      events.push(opened);
    } else {
      const event = parsePlayLine(r, line, street, timedOut);
      if (event?.type === 'post' && holeCards) r.fail('a post after the deal');
      if (event) events.push(event);
    }
  }
  const summary = parseSummary(r);
  if (r.peek() !== undefined) r.fail('text after the summary');
  return {
    id: head.id, game: head.game, currency: head.currency, et: head.et, utcMs: head.utcMs,
    smallBlind: r.amount(head.blinds[0]), bigBlind: r.amount(head.blinds[1]),
    table: table[1]!, maxSeats: Number(table[2]), playMoney: table[3] !== undefined, button: Number(table[4]),
    seats, events, board, summary,
  };
}

/** A file of hands, separated by blank lines as PokerStars writes them. */
export function parseHistoryFile(text: string): PsHand[] {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .split(/\n{2,}/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.length > 0)
    .map(parseHand);
}

// ---- chips -------------------------------------------------------------------------------

export interface PsChips {
  /** Per player: chips put in (posts, calls, bets, raises) less uncalled chips returned. */
  invested: Map<string, number>;
  collected: Map<string, number>;
  /** Per player: stack at the start plus collected less invested. */
  finalStacks: Map<string, number>;
}

interface Betting {
  level: number;
  onStreet: Map<string, number>;
  invested: Map<string, number>;
  stacks: Map<string, number>;
  /** Players who folded: their chips stay in, but nobody has to match them any more. */
  folded: Set<string>;
}

function put(b: Betting, name: string, chips: number, street: boolean): void {
  if (!b.stacks.has(name)) throw new Error(`${name} has no seat`);
  if (chips > b.stacks.get(name)!) throw new Error(`${name} puts in ${chips} with ${b.stacks.get(name)} behind`);
  b.stacks.set(name, b.stacks.get(name)! - chips);
  b.invested.set(name, (b.invested.get(name) ?? 0) + chips);
  if (street) b.onStreet.set(name, (b.onStreet.get(name) ?? 0) + chips);
}

/** One bet: checks its amount against the street's level (PokerStars' "raises X to Y" is Y - level = X). */
function bet(b: Betting, a: PsAction): void {
  const already = b.onStreet.get(a.name) ?? 0;
  const allIn = () => b.stacks.get(a.name) === 0;
  switch (a.kind) {
    case 'fold':
      b.folded.add(a.name);
      return;
    case 'check':
      if (already !== b.level) throw new Error(`${a.name} checks facing ${b.level - already}`);
      return;
    case 'call': {
      // A call matches the level, or the most any other player still in the hand has in when
      // that is less (a big blind posted short, all-in; the level set by a post its poster
      // folded), or takes the caller's last chip.
      const others = Math.max(0, ...[...b.onStreet].filter(([name]) => name !== a.name && !b.folded.has(name)).map(([, chips]) => chips));
      put(b, a.name, a.amount, true);
      const to = already + a.amount;
      if (a.amount <= 0 || to > b.level || !(allIn() || to === b.level || to === others)) {
        throw new Error(`${a.name} calls ${a.amount} to a level of ${b.level}`);
      }
      break;
    }
    case 'bet':
      if (b.level !== 0) throw new Error(`${a.name} bets facing a bet`);
      put(b, a.name, a.amount, true);
      b.level = a.amount;
      break;
    case 'raise':
      if (a.to! - b.level !== a.amount || a.to! <= b.level) throw new Error(`${a.name} raises ${a.amount} to ${a.to} over ${b.level}`);
      put(b, a.name, a.to! - already, true);
      b.level = a.to!;
      break;
  }
  if (a.allIn !== allIn()) throw new Error(`${a.name}: all-in is ${a.allIn}, ${b.stacks.get(a.name)} behind`);
}

/**
 * Follows every chip of the hand: posts and bets against the stacks (no one bets more than
 * they have; all-in exactly when a stack is empty; calls match the level; raise increments are
 * over the level), uncalled chips back, and the pot: total = chips in, collected + rake = total,
 * the pots add up to the total, and the summary's amounts match the collected lines.
 */
export function checkChips(hand: PsHand): PsChips {
  // Before the flop the level is the big blind, even when it was posted short (all-in) or not
  // at all (the big blind's stack went in as an ante).
  const b: Betting = { level: hand.bigBlind, onStreet: new Map(), invested: new Map(), stacks: new Map(hand.seats.map((s) => [s.name, s.stack])), folded: new Set() };
  const collected = new Map<string, number>();
  for (const e of hand.events) {
    if (e.type === 'post') {
      // Both blinds: the small blind is dead (in the pot, in no bet), the rest a live big blind.
      const dead = e.kind === 'small & big blinds' ? hand.smallBlind : 0;
      if (e.amount <= dead) throw new Error(`${e.name} posts ${e.amount}, no more than the dead small blind`);
      put(b, e.name, dead, false);
      put(b, e.name, e.amount - dead, e.kind !== 'ante');
      if (e.allIn !== (b.stacks.get(e.name) === 0)) throw new Error(`${e.name}: post all-in is ${e.allIn}`);
      if (e.kind !== 'ante' && e.amount - dead > hand.bigBlind) throw new Error(`${e.name} posts ${e.amount}, more than the big blind`);
    } else if (e.type === 'action') {
      bet(b, e);
    } else if (e.type === 'uncalled') {
      if ((b.invested.get(e.name) ?? 0) < e.amount) throw new Error(`uncalled ${e.amount} is more than ${e.name} put in`);
      b.stacks.set(e.name, b.stacks.get(e.name)! + e.amount);
      b.invested.set(e.name, b.invested.get(e.name)! - e.amount);
    } else if (e.type === 'street') {
      b.level = 0;
      b.onStreet = new Map();
    } else if (e.type === 'collected') {
      collected.set(e.name, (collected.get(e.name) ?? 0) + e.amount);
    }
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((t, x) => t + x, 0);
  const s = hand.summary;
  if (sum(b.invested) !== s.totalPot) throw new Error(`total pot ${s.totalPot}, chips in ${sum(b.invested)}`);
  if (sum(collected) + s.rake !== s.totalPot) throw new Error(`collected ${sum(collected)} + rake ${s.rake} is not the total pot ${s.totalPot}`);
  // One pot is printed as the total alone; main and side pots are printed after their rake.
  const potsAndRake = s.pots.reduce((t, x) => t + x, 0) + (s.pots.length > 1 ? s.rake : 0);
  if (potsAndRake !== s.totalPot) throw new Error(`pots ${s.pots.join('+')} and rake ${s.rake} are not the total ${s.totalPot}`);
  for (const seat of s.seats) {
    const o = seat.outcome;
    const won = o.kind === 'collected' ? o.amount : o.kind === 'showed' ? o.won ?? 0 : 0;
    if (won !== (collected.get(seat.name) ?? 0)) throw new Error(`summary: ${seat.name} won ${won}, collected ${collected.get(seat.name) ?? 0}`);
  }
  const finalStacks = new Map(hand.seats.map((p) => [p.name, p.stack - (b.invested.get(p.name) ?? 0) + (collected.get(p.name) ?? 0)]));
  return { invested: b.invested, collected, finalStacks };
}
