import { cardToString, type Command, type GameState } from '../poker';
import { commitment as commitmentOf, dealDeck, FAIRNESS_SCHEME, type ClientSeed } from '../poker/fairness';
import type { TableEvent } from '../protocol/frames';

// One hand as data: how it was dealt (seed, commitments, client seeds), the
// commands that played it, and the record stored with its settlement (enough
// to replay it, verify its shuffle and print its history). Plus the dealer,
// which draws each hand's server seed one hand ahead, so that its commitment
// is public before the players' client seeds for that hand are taken
// (docs/fairness.md). No I/O here.

export interface HandLog {
  handId: string;
  handNumber: bigint;
  seedHex: string;
  commitment: string;
  deckRoot: string;
  clientSeeds: ClientSeed[];
  /** The engine state before start_hand. */
  initial: GameState;
  commands: Command[];
  startedAt: string;
}

export type FairnessEvent = Extract<TableEvent, { type: 'fairness_commitment' }>;

export interface DealtHand {
  command: Extract<Command, { type: 'start_hand' }>;
  log: HandLog;
  /**
   * Call once the engine accepted the command: the seed is used up, the next
   * one drawn, and the public commitments of this hand returned.
   */
  commit(): FairnessEvent;
}

export class Dealer {
  private nextSeed: Uint8Array;

  constructor(private readonly newSeed: () => Uint8Array) {
    this.nextSeed = newSeed();
  }

  /** sha256 of the next hand's server seed: published before its client seeds are known. */
  nextCommitment(): string {
    return commitmentOf(this.nextSeed);
  }

  /** The next hand of a table, dealt from the committed seed and the client seeds of the seats about to be dealt in. */
  deal(table: { id: number; handNumber: bigint; ownerEpoch: bigint }, state: GameState, clientSeeds: ClientSeed[], startedAt: string, button?: number, posts: number[] = [], deadSmallBlinds: number[] = []): DealtHand {
    const handNumber = table.handNumber + 1n;
    // Unique even across restarts: a voided hand's number is dealt again under a new epoch.
    const handId = `${table.id}-${handNumber}-e${table.ownerEpoch}`;
    const seed = this.nextSeed;
    const { deck, deckRoot } = dealDeck(seed, handId, clientSeeds);
    // The button is named (decision 029: the table's blind policy chose it), so the stored log
    // replays to the same seats whatever rule the engine's default follows.
    const command: Extract<Command, { type: 'start_hand' }> = {
      type: 'start_hand', handId, deck, ...(button === undefined ? {} : { button }), ...(posts.length === 0 ? {} : { posts }),
      ...(deadSmallBlinds.length === 0 ? {} : { deadSmallBlinds }),
    };
    const commitment = commitmentOf(seed);
    const log: HandLog = {
      handId, handNumber, seedHex: Buffer.from(seed).toString('hex'), commitment, deckRoot, clientSeeds,
      initial: state, commands: [command], startedAt,
    };
    return {
      command,
      log,
      commit: () => {
        if (this.nextSeed === seed) this.nextSeed = this.newSeed();
        return { type: 'fairness_commitment', handId, commitment, deckRoot, clientSeeds, nextCommitment: this.nextCommitment() };
      },
    };
  }
}

export function noteCommand(log: HandLog, command: Command): void {
  if (command.type !== 'start_hand') log.commands.push(command);
}

export interface HandPeople {
  (seat: number): { userId: number; username: string } | undefined;
}

/** What is stored with the settled hand (hands.record): the log, the fairness data, every dealt hand (server side only). */
export function handRecord(log: HandLog, state: GameState, table: { id: number; name: string }, people: HandPeople, endedAt: string) {
  const result = state.result!;
  const holeCards: Record<number, string[]> = {};
  for (const seat of state.dealOrder) holeCards[seat] = (state.seats[seat]?.holeCards ?? []).map(cardToString);
  return {
    handId: log.handId,
    handNumber: Number(log.handNumber),
    tableId: table.id,
    tableName: table.name,
    variant: state.config.variant,
    startedAt: log.startedAt,
    endedAt,
    commitment: log.commitment,
    fairness: { scheme: FAIRNESS_SCHEME, seedCommitment: log.commitment, deckRoot: log.deckRoot, clientSeeds: log.clientSeeds },
    dealtSeats: state.dealOrder,
    holeCards,
    shownSeats: result.shown.map((h) => h.seat),
    board: result.board.map(cardToString),
    /** The pot played for: every pot, rake included, an uncalled bet given back not (the history's "Total pot"). */
    pot: result.pots.reduce((sum, p) => sum + p.amount, 0),
    players: state.dealOrder.map((seat) => ({ seat, userId: people(seat)?.userId, username: people(seat)?.username })),
    /** Seats taken but not dealt in (sitting out, waiting for the big blind): the history prints them "sitting out". */
    sittingOut: log.initial.seats.flatMap((s, seat) => (s && !state.dealOrder.includes(seat) ? [{ seat, userId: people(seat)?.userId, username: people(seat)?.username }] : [])),
    log: { initial: log.initial, commands: log.commands },
  };
}
