// Data shapes of the hand state machine. Everything here is plain JSON-serialisable data:
// the state is cloned, logged, replayed and compared with deep equality.
import type { Card } from './cards';
import type { Variant } from './deal';
import type { RejectionCode } from './rejections';

/** An amount of chips: a non-negative safe integer. */
export type Chips = number;
/** A seat index, 0 .. maxSeats-1, clockwise. */
export type SeatIndex = number;

export type { Variant };

/**
 * The house's share of a pot ("no flop, no drop": a hand that ends before the flop pays none;
 * an uncalled bet given back is never raked: game-showdown.ts). The amount: `rakeFor` in pots.ts.
 */
export interface RakeConfig {
  /** Percentage of the total pot in basis points (500 = 5%). */
  percentBps: number;
  /** Largest rake per hand, in chips. */
  cap: Chips;
  /**
   * Which pots pay the rake (docs/decisions/028-every-pot-pays-its-share-of-the-rake.md).
   * `every_pot` (the default): each pot pays its share, in proportion to its size.
   * `main_pot_first`: the main pot pays first, then the side pots in order; the rule of hands
   * settled before 2026-12-05, kept so that their stored logs replay as they were paid.
   */
  from?: RakeSource;
}

export type RakeSource = 'every_pot' | 'main_pot_first';

export interface GameConfig {
  variant: Variant;
  maxSeats: number;
  smallBlind: Chips;
  bigBlind: Chips;
  ante: Chips;
  rake: RakeConfig | null;
  /**
   * Opt-in (absent: off). When the betting closes with players all in, the engine does not
   * run the board out in the same step: it exposes the hands and stops with nobody to act,
   * then deals one street per `run_out` command (the river's also settles the hand), so a
   * table can deal the run-out street by street.
   */
  pacedRunOut?: boolean;
  /**
   * Opt-in (absent: off). Between hands, a seat dealt into the last hand may turn its hole
   * cards face up for everyone (`show`) until the next hand starts.
   */
  showAfterHand?: boolean;
}

export type GameConfigInput = Omit<GameConfig, 'ante' | 'rake'> & {
  ante?: Chips;
  rake?: RakeConfig | null;
};

/** 'complete' also stands for "no hand in progress" (before the first hand and between hands). */
export type Street = 'preflop' | 'flop' | 'turn' | 'river' | 'complete';

export interface SeatState {
  playerId: string;
  stack: Chips;
  /** Chips put in on the current street. */
  bet: Chips;
  /** Chips put in this hand (antes, blinds, bets), net of returned uncalled chips. */
  committed: Chips;
  /** Uncalled chips given back this hand. */
  returned: Chips;
  /**
   * Of `committed`, chips posted dead this hand (a missed small blind, decision 035): they are
   * in the pot for whoever wins it, match nobody's bet and are never given back.
   */
  dead: Chips;
  /** Stack when the current (or last) hand started. */
  startStack: Chips;
  /** Dealt into the current (or last) hand. */
  inHand: boolean;
  folded: boolean;
  allIn: boolean;
  sittingOut: boolean;
  holeCards: Card[];
  /**
   * Hole cards turned face up for everyone: set when the betting closed for the rest of the
   * hand with this seat live (all-in exposure), or when its owner showed them after the hand
   * (`show`). Stays set until the next hand starts.
   */
  exposed: boolean;
  /** Has acted on this street since the betting was last (re)opened to them. */
  acted: boolean;
  /** The street's bet level right after this seat last acted; drives the reopening rule. */
  actedAtBet: Chips;
}

export interface Pot {
  amount: Chips;
  /** Seats (not folded) that can win this pot, ascending. */
  eligible: SeatIndex[];
}

export interface PotResult extends Pot {
  /** Rake taken out of this pot (amount is before rake). */
  rake: Chips;
  winners: { seat: SeatIndex; amount: Chips }[];
  /** Evaluator name of the winning hand; null when the pot was won without a showdown. */
  handName: string | null;
}

export interface SeatResult {
  seat: SeatIndex;
  playerId: string;
  startStack: Chips;
  /** Everything put in this hand, including chips later returned as uncalled. */
  contributed: Chips;
  /** Uncalled chips given back. */
  returned: Chips;
  /** Chips received from pots. */
  won: Chips;
  endStack: Chips;
}

export interface ShownHand {
  seat: SeatIndex;
  cards: Card[];
  value: number;
  category: string;
  name: string;
}

/** Settlement of a finished hand. sum(contributed) == sum(returned) + sum(won) + rake. */
export interface HandResult {
  handId: string;
  endedBy: 'fold' | 'showdown';
  board: Card[];
  rake: Chips;
  seats: SeatResult[];
  pots: PotResult[];
  /** In showdown order; includes every hand exposed during an all-in run-out. */
  shown: ShownHand[];
  mucked: SeatIndex[];
}

export interface GameState {
  config: GameConfig;
  /** Bumped by one on every accepted command. */
  seq: number;
  /**
   * The seq of the last command that changed what a betting decision is made on (the hand,
   * street, board, whose turn, the bet level, or a dealt-in seat's chips or status). An
   * `expectedSeq` from here up to `seq` is current: a seat sitting in or out, a player
   * sitting down or topping up between hands does not make another player's act stale.
   */
  decisionSeq: number;
  seats: (SeatState | null)[];
  button: SeatIndex | null;
  smallBlindSeat: SeatIndex | null;
  bigBlindSeat: SeatIndex | null;
  handId: string | null;
  handNumber: number;
  street: Street;
  board: Card[];
  /** Secret: never part of any view. */
  deck: Card[] | null;
  /** Seats dealt in, clockwise from the first left of the button. */
  dealOrder: SeatIndex[];
  toAct: SeatIndex | null;
  /** The highest bet on this street (pre-flop at least the big blind). */
  currentBet: Chips;
  /** Size of the last full bet or raise on this street: the minimum raise increment. */
  lastFullRaise: Chips;
  /** Last seat to raise the bet level on the street where the betting last happened. */
  lastAggressor: SeatIndex | null;
  /** Chips collected from finished streets, split into main and side pots. */
  pots: Pot[];
  result: HandResult | null;
}

export type ActionKind = 'fold' | 'check' | 'call' | 'bet' | 'raise' | 'all_in';

export type Command =
  | { type: 'sit'; seat: SeatIndex; playerId: string; stack: Chips }
  | { type: 'leave'; seat: SeatIndex }
  | { type: 'add_chips'; seat: SeatIndex; amount: Chips }
  | { type: 'sit_out'; seat: SeatIndex }
  | { type: 'sit_in'; seat: SeatIndex }
  /**
   * `posts`: seats that post a live big blind to enter the hand out of position ("post now": a
   * new player who does not wait for the big blind to reach them). Each must be dealt in and
   * neither the button nor a blind of the hand; like the big blind, it keeps its option.
   */
  | {
      type: 'start_hand';
      handId: string;
      deck: Card[];
      button?: SeatIndex;
      /** Seats that post a live big blind to enter out of position ("post now", decision 034). */
      posts?: SeatIndex[];
      /**
       * Of `posts`, the seats that also post the small blind they missed, dead (decision 035):
       * it goes into the pot and is no part of their bet. Each needs more chips than the ante and the small blind.
       */
      deadSmallBlinds?: SeatIndex[];
    }
  | {
      type: 'act';
      seat: SeatIndex;
      action: ActionKind;
      /** For bet and raise: the total the seat's bet becomes on this street. */
      amount?: Chips;
      expectedSeq?: number;
    }
  | { type: 'timeout'; seat: SeatIndex; expectedSeq?: number }
  /**
   * With `pacedRunOut`: deals the next street of an all-in run-out (the river also settles
   * the hand). Issued by the table, never by a player.
   */
  | { type: 'run_out'; expectedSeq?: number }
  /** With `showAfterHand`: the seat turns its hole cards of the finished hand face up for everyone. */
  | { type: 'show'; seat: SeatIndex };

export interface LegalActions {
  canFold: boolean;
  canCheck: boolean;
  canCall: boolean;
  /** Chips to add to call (capped by the stack), 0 if nothing to call. */
  callAmount: Chips;
  /** Present when a 'bet' is possible: the range of the total bet. */
  minBet?: Chips;
  maxBet?: Chips;
  /** Present when a 'raise' is possible: the range of the total the bet becomes. */
  minRaiseTo?: Chips;
  maxRaiseTo?: Chips;
  canAllIn: boolean;
  /** Chips added by going all in (the whole stack). */
  allInAmount: Chips;
  /** The total bet after going all in. */
  allInTo: Chips;
}

export type Viewer =
  | { kind: 'player'; seat: SeatIndex }
  | { kind: 'spectator' }
  | { kind: 'admin' };

/** `small_and_big_blinds`: a live big blind and, dead, the small blind its seat missed (decision 035). */
export type PostKind = 'ante' | 'small_blind' | 'big_blind' | 'small_and_big_blinds';
export type BetAction = 'fold' | 'check' | 'call' | 'bet' | 'raise';

/**
 * Events carry cards as text ("As"). An event with `to` is private to that seat; everything
 * else is public. Use eventsFor() to route them.
 *
 * Every accepted command emits exactly one event that opens it, first: player_sat,
 * player_left, chips_added, sat_out, sat_in, hand_started, action (act and timeout),
 * run_out or cards_shown.
 * Folding a viewer's events onto their view (applyViewEvent) gives the view after the
 * command, so the events must say everything the view shows.
 */
export type GameEvent =
  | { type: 'player_sat'; seat: SeatIndex; playerId: string; stack: Chips }
  | { type: 'player_left'; seat: SeatIndex; playerId: string; stack: Chips }
  | { type: 'chips_added'; seat: SeatIndex; amount: Chips; stack: Chips }
  | { type: 'sat_out'; seat: SeatIndex }
  | { type: 'sat_in'; seat: SeatIndex }
  | {
      type: 'hand_started';
      handId: string;
      variant: Variant;
      button: SeatIndex;
      smallBlind: Chips;
      bigBlind: Chips;
      ante: Chips;
      seats: { seat: SeatIndex; playerId: string; stack: Chips }[];
    }
  /** `amount`: all the seat posted; `dead` (kind small_and_big_blinds only): of it, the dead small blind, in no bet. */
  | { type: 'blinds_posted'; seat: SeatIndex; kind: PostKind; amount: Chips; allIn: boolean; dead?: Chips }
  | { type: 'cards_dealt'; seats: SeatIndex[]; cardCount: number }
  | { type: 'hole_cards'; to: SeatIndex; seat: SeatIndex; cards: string[] }
  | {
      type: 'to_act';
      seat: SeatIndex;
      /**
       * legalActions() for that seat. Public: every input to it (stacks, bets, who acted at
       * which level) is public. It lets a view folded from events show its owner's options.
       */
      legal: LegalActions;
    }
  | {
      type: 'action';
      seat: SeatIndex;
      action: BetAction;
      /** Chips added by this action. */
      amount: Chips;
      /** The seat's total bet on the street afterwards. */
      betTo: Chips;
      allIn: boolean;
      timedOut: boolean;
    }
  | { type: 'uncalled_returned'; seat: SeatIndex; amount: Chips }
  | {
      /**
       * The betting is over for the rest of the hand (at most one live seat can still bet):
       * every live hand is turned face up, before the rest of the board is dealt.
       */
      type: 'hands_exposed';
      hands: { seat: SeatIndex; cards: string[] }[];
    }
  /** Opens a `run_out` command: the street_dealt (and, after the river, the settlement) follows. */
  | { type: 'run_out' }
  | { type: 'street_dealt'; street: 'flop' | 'turn' | 'river'; cards: string[]; board: string[] }
  | { type: 'hand_shown'; seat: SeatIndex; cards: string[]; category: string; name: string }
  | { type: 'hand_mucked'; seat: SeatIndex }
  | { type: 'rake_taken'; amount: Chips }
  | {
      type: 'pot_awarded';
      potIndex: number;
      amount: Chips;
      winners: { seat: SeatIndex; amount: Chips }[];
      handName: string | null;
    }
  | { type: 'hand_complete'; handId: string; stacks: { seat: SeatIndex; stack: Chips }[] }
  /** Opens a `show`: the seat's hole cards of the finished hand, now face up for everyone. */
  | { type: 'cards_shown'; seat: SeatIndex; cards: string[] };

export interface Rejection {
  code: RejectionCode;
  message: string;
}

export type ApplyResult =
  | { ok: true; state: GameState; events: GameEvent[] }
  | { ok: false; rejection: Rejection };
